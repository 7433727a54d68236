//! BERT-uncased WordPiece tokenisation, as the Hugging Face `tokenizers` library does it for
//! all-MiniLM-L6-v2 (`BertNormalizer` → `BertPreTokenizer` → `WordPiece`): drop control
//! characters, space out CJK ideographs, strip accents, lowercase, split on whitespace and
//! punctuation, then greedy longest-match sub-words with the `##` prefix. The Rust test
//! `tokenizer_matches_reference` checks it against ids the Python library produced.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Id of `[UNK]` in the BERT uncased vocabulary.
pub const UNKNOWN_ID: u32 = 100;
/// Words longer than this (in characters) become `[UNK]`, as in the reference.
const MAX_WORD_CHARS: usize = 100;

/// A WordPiece vocabulary and its tokenisation rules.
#[derive(Debug, Default)]
pub struct WordPiece {
    /// Each token by id, borrowed from the compiled-in vocabulary text.
    tokens: Vec<&'static str>,
    /// Token ids by the token's hash: hashbrown's table of bare ids (the tokens stay in
    /// `tokens`), built at every start for 30,522 tokens with a quarter of the memory a
    /// `HashMap<&str, u32>` touches (its 24-byte buckets were most of the start-up cost).
    ids: hashbrown::HashTable<u32>,
}

/// A token's hash in [`WordPiece::ids`].
fn token_hash(token: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    token.hash(&mut hasher);
    hasher.finish()
}

impl WordPiece {
    /// Reads a vocabulary file: one token per line (as `str::lines` splits it), the line
    /// number is the id; a repeated line counts once and the later id wins, as in a map.
    pub fn from_vocab(text: &'static str) -> WordPiece {
        let tokens: Vec<&'static str> = text.lines().collect();
        let mut ids = hashbrown::HashTable::with_capacity(tokens.len());
        for (id, &token) in tokens.iter().enumerate() {
            let hash = token_hash(token);
            match ids.find_mut(hash, |&other: &u32| tokens[other as usize] == token) {
                Some(known) => *known = id as u32,
                None => {
                    ids.insert_unique(hash, id as u32, |&other| token_hash(tokens[other as usize]));
                }
            }
        }
        WordPiece { tokens, ids }
    }

    /// Number of tokens in the vocabulary.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True for an empty vocabulary.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of a token (`##` prefix included for continuations).
    pub fn id(&self, token: &str) -> Option<u32> {
        self.ids
            .find(token_hash(token), |&id| self.tokens[id as usize] == token)
            .copied()
    }

    /// Appends the token ids of `text` (no `[CLS]`/`[SEP]`) to `out`.
    pub fn encode(&self, text: &str, out: &mut Vec<u32>) {
        let normalised = normalise(text);
        let mut piece = String::new();
        pre_tokenise(&normalised, |word| self.encode_word(word, &mut piece, out));
    }

    /// Appends the ids of `text` like [`WordPiece::encode`], except that a word the
    /// vocabulary would split and for which `whole_word` gives an id is that one id instead
    /// of its pieces (asked only for such words: most words are whole tokens).
    pub fn encode_with_words(
        &self,
        text: &str,
        out: &mut Vec<u32>,
        whole_word: impl Fn(&str) -> Option<u32>,
    ) {
        let normalised = normalise(text);
        let mut piece = String::new();
        pre_tokenise(&normalised, |word| {
            if let Some(id) = self.id(word) {
                out.push(id);
            } else if let Some(id) = whole_word(word) {
                out.push(id);
            } else {
                self.encode_word(word, &mut piece, out);
            }
        });
    }

    /// Token ids of `text`.
    pub fn ids(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        self.encode(text, &mut out);
        out
    }

    fn encode_word(&self, word: &str, piece: &mut String, out: &mut Vec<u32>) {
        if word.chars().count() > MAX_WORD_CHARS {
            out.push(UNKNOWN_ID);
            return;
        }
        let mark = out.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while end > start {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[start..end]);
                if let Some(id) = self.id(piece) {
                    found = Some(id);
                    break;
                }
                end = previous_boundary(word, end);
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    // One unmatched remainder makes the whole word unknown.
                    out.truncate(mark);
                    out.push(UNKNOWN_ID);
                    return;
                }
            }
        }
    }
}

/// The char boundary before `end` in `word`.
fn previous_boundary(word: &str, end: usize) -> usize {
    word[..end].char_indices().next_back().map_or(0, |(i, _)| i)
}

/// `BertNormalizer` with clean_text, handle_chinese_chars, strip_accents and lowercase.
pub fn normalise(text: &str) -> String {
    if text.is_ascii() {
        return normalise_ascii(text);
    }
    let mut cleaned = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_chinese(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let mut out = String::with_capacity(cleaned.len());
    if cleaned.is_ascii() {
        out.extend(cleaned.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        for c in cleaned
            .nfd()
            .filter(|c| c.general_category() != GeneralCategory::NonspacingMark)
        {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// [`normalise`] for ASCII text, the usual question: the same result without a Unicode
/// category look-up per character (ASCII controls are dropped, `\t`, `\n`, `\r` are spaces,
/// nothing has an accent).
fn normalise_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'\t' | b'\n' | b'\r' | b' ' => out.push(' '),
            0..=0x1f | 0x7f => {}
            _ => out.push(b.to_ascii_lowercase() as char),
        }
    }
    out
}

/// `BertPreTokenizer`: words split on whitespace, each punctuation character its own word;
/// `word` is called on each in order (no list is built: this runs once per question).
fn pre_tokenise<'t>(text: &'t str, mut word: impl FnMut(&'t str)) {
    for chunk in text.split(char::is_whitespace) {
        let mut start = 0;
        for (i, c) in chunk.char_indices() {
            if is_punctuation(c) {
                if start < i {
                    word(&chunk[start..i]);
                }
                word(&chunk[i..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        if start < chunk.len() {
            word(&chunk[start..]);
        }
    }
}

fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.general_category_group() == GeneralCategoryGroup::Other
}

fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    c.general_category_group() == GeneralCategoryGroup::Punctuation
}

fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> WordPiece {
        WordPiece::from_vocab("[PAD]\nun\n##aff\n##able\nhot\n##line\n,\n!\nhello\ncafe\n")
    }

    use rustc_hash::FxHashMap;

    /// The table must answer exactly what a map from each line to its number answers.
    fn assert_like_a_map(text: &'static str, absent: &[&str]) {
        let vocab = WordPiece::from_vocab(text);
        let mut expected: FxHashMap<&str, u32> = FxHashMap::default();
        expected.extend(text.lines().enumerate().map(|(id, t)| (t, id as u32)));
        assert_eq!(vocab.len(), expected.len(), "{text:?}");
        for (token, id) in &expected {
            assert_eq!(vocab.id(token), Some(*id), "{token:?} in {text:?}");
        }
        for token in absent {
            assert_eq!(vocab.id(token), expected.get(token).copied(), "{token:?}");
        }
    }

    #[test]
    fn vocabulary_lines_are_read_like_lines() {
        let absent = ["", "a", "b", "x", "\r", "a\r", "ab", "zz"];
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\n\nb\n",
            "\n\nx",
            "a\nb\na\n",
            "\r\n\r",
            "a\r",
            "\r",
        ] {
            assert_like_a_map(text, &absent);
        }
        // The real vocabulary: every token, and strings that are not tokens.
        assert_like_a_map(
            include_str!("../../models/minilm-static/vocab.txt"),
            &["hotlinez", "##qqq", "Hotline", "", " the"],
        );
    }

    #[test]
    fn greedy_longest_match_with_continuations() {
        let vocab = tiny();
        assert_eq!(vocab.ids("unaffable"), vec![1, 2, 3]);
        assert_eq!(vocab.ids("Hotline!"), vec![4, 5, 7]);
    }

    #[test]
    fn an_unmatched_remainder_makes_the_word_unknown() {
        assert_eq!(tiny().ids("hotx hello"), vec![UNKNOWN_ID, 8]);
    }

    #[test]
    fn accents_are_stripped_and_case_folded() {
        assert_eq!(normalise("Café\tÅ"), "cafe a");
        assert_eq!(tiny().ids("CAFÉ, hello"), vec![9, 6, 8]);
    }

    #[test]
    fn the_ascii_shortcut_matches_the_unicode_path() {
        // Every ASCII character, alone and between letters: the shortcut must agree with the
        // general path (forced by a non-ASCII character that normalises to nothing).
        for b in 0u8..=0x7f {
            let text = format!("aB{}c D", b as char);
            let general = normalise(&format!("{text}\u{301}"));
            assert_eq!(normalise(&text), general, "byte {b:#x}");
        }
        assert_eq!(normalise("Hotline!\x0b\tOK"), "hotline! ok");
    }

    #[test]
    fn cjk_ideographs_are_separate_words() {
        assert_eq!(normalise("a北b"), "a 北 b");
    }
}
