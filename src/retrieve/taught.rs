//! Taught answers: question → passage pairs an admin chose. Plain data handed to the engine
//! (the store and the front ends load them; the core never reads a database). A question
//! with a taught question's words (case, punctuation, chat markup and word order aside), or
//! very close to them (the same words but for inflection and filler: "Has China agreed to
//! stop hacking?" for "Did China agree to stop hacking?"), gets the taught passage first.
//!
//! Closeness is decided on words, not sentence vectors: the static vectors skip the words
//! that turn a question into another ("When…" / "Where…", "Is there no…": cosine 0.998 and
//! 0.999 in a probe), and a taught answer must never reach a different question.
//!
//! [`TaughtAnswers`] is the shared, swappable set: front ends replace its contents when an
//! admin adds or removes an answer, and every engine built on reload keeps consulting the
//! same set. Whether the passage still exists is the engine's question, asked per answer:
//! a taught answer whose passage is gone is stale and never applied.

use std::sync::Arc;

use parking_lot::RwLock;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
};

/// Words whose presence or absence does not change a question: articles, politeness, and
/// the auxiliaries of tense ("did"/"has"). Question words and negations are not here.
const FILLER: &[&str] = &[
    "a", "an", "the", "please", "then", "just", "really", "exactly", "actually", "so", "ok",
    "okay", "hey", "hi", "hello", "do", "does", "did", "is", "are", "was", "were", "am", "be",
    "been", "being", "has", "have", "had",
];

/// One taught answer, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaughtAnswer {
    /// The store's id (what `teach remove` takes).
    pub id: i64,
    /// The question as the admin wrote it.
    pub question: String,
    /// Passage id (`summit-article:2.4`), as `ask --json` prints it.
    pub passage: String,
    /// The article the passage belongs to.
    pub article: String,
    /// Unix seconds, UTC.
    pub created: i64,
}

/// A question's text as its words are read from: chat markup removed, lowercase.
fn lowercase_text(question: &str) -> String {
    super::markup::strip_discord_markup(question).to_lowercase()
}

/// The words of `text`: split at anything but letters, digits and apostrophes inside words.
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
}

/// The words of [`lowercase_text`].
fn words(lower: &str) -> Vec<&str> {
    split_words(lower).collect()
}

/// The words a question is matched on, sorted: "Is there a **hotline**?" and "a hotline:
/// is there" give the same key.
pub fn key(question: &str) -> String {
    sorted_key(&words(&lowercase_text(question)))
}

fn sorted_key(words: &[&str]) -> String {
    let mut sorted = words.to_vec();
    sorted.sort_unstable();
    sorted.join(" ")
}

/// The words that count for closeness: filler dropped.
fn kept_words<'a, 'w>(words: &'w [&'a str]) -> impl Iterator<Item = &'a str> + use<'a, 'w> {
    words.iter().copied().filter(|w| !FILLER.contains(w))
}

/// The key of questions very close to each other: filler words dropped, the rest stemmed
/// (English Snowball, accents folded) and sorted.
fn close_key(stemmer: &mut TextAnalyzer, words: &[&str]) -> String {
    let text = kept_words(words).collect::<Vec<_>>().join(" ");
    let mut stems = Vec::new();
    let mut stream = stemmer.token_stream(&text);
    while stream.advance() {
        stems.push(stream.token().text.clone());
    }
    stems.sort_unstable();
    stems.join(" ")
}

/// What a question must share with a taught question to match it, exactly or closely,
/// counted without stemming: how many of its kept words' tokens start with each of `a`–`z`
/// and `0`–`9` (stemming keeps a token's first letter; the tokenizer splits at apostrophes).
type Initials = [u8; 36];

/// The [`Initials`] of `kept` words (ASCII capitals count as their lowercase); `None` when a
/// token starts with anything else (a letter that accent folding may change), so that nothing
/// is ruled out on it.
fn initials<'a>(kept: impl Iterator<Item = &'a str>) -> Option<Initials> {
    let mut counts = [0u8; 36];
    for token in kept.flat_map(|w| w.split(|c: char| !c.is_alphanumeric())) {
        let slot = match token.bytes().next().map(|b| b.to_ascii_lowercase()) {
            None => continue,
            Some(letter @ b'a'..=b'z') => letter - b'a',
            Some(digit @ b'0'..=b'9') => 26 + digit - b'0',
            Some(_) => return None,
        };
        counts[usize::from(slot)] = counts[usize::from(slot)].saturating_add(1);
    }
    Some(counts)
}

/// [`initials`] of a question in plain ASCII, read in one pass without copying it (the
/// common case); `None` for other text.
fn ascii_initials(question: &str) -> Option<Initials> {
    let stripped = super::markup::strip_discord_markup(question);
    if !stripped.is_ascii() {
        return None;
    }
    // Filler compared without case, as `kept_words` compares it after lowercasing.
    initials(split_words(&stripped).filter(|w| !FILLER.iter().any(|f| f.eq_ignore_ascii_case(w))))
}

fn stemmer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The article part of a passage id (`summit-article:2.4` → `summit-article`).
pub fn article_of(passage: &str) -> &str {
    passage
        .rsplit_once(':')
        .map_or(passage, |(article, _)| article)
}

/// One version of the taught answers, with their keys precomputed.
#[derive(Default)]
pub struct TaughtSet {
    answers: Vec<TaughtAnswer>,
    /// [`key`] → positions in `answers` (newest first).
    by_key: FxHashMap<String, Vec<usize>>,
    /// [`close_key`] → positions in `answers` (newest first).
    by_close_key: FxHashMap<String, Vec<usize>>,
    /// [`initials`] of every taught question: a question whose initials are not here
    /// matches none, and is ruled out before its keys are made (most questions).
    initials: FxHashSet<Initials>,
    /// Whether a taught question's initials could not be taken (then no question is ruled
    /// out early).
    check_all: bool,
    stemmer: Option<TextAnalyzer>,
}

impl std::fmt::Debug for TaughtSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaughtSet")
            .field("answers", &self.answers.len())
            .finish_non_exhaustive()
    }
}

impl TaughtSet {
    /// Precomputes both keys of every question.
    pub fn new(mut answers: Vec<TaughtAnswer>) -> TaughtSet {
        // Newest first: when two taught questions match, the later decision wins.
        answers.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
        let mut stemmer = stemmer();
        let mut set = TaughtSet::default();
        for (i, answer) in answers.iter().enumerate() {
            let lower = lowercase_text(&answer.question);
            let words = words(&lower);
            set.by_key.entry(sorted_key(&words)).or_default().push(i);
            let close = close_key(&mut stemmer, &words);
            if !close.is_empty() {
                set.by_close_key.entry(close).or_default().push(i);
            }
            match initials(kept_words(&words)) {
                Some(initials) => {
                    set.initials.insert(initials);
                }
                None => set.check_all = true,
            }
        }
        set.answers = answers;
        set.stemmer = Some(stemmer);
        set
    }

    /// Every taught answer, newest first.
    pub fn answers(&self) -> &[TaughtAnswer] {
        &self.answers
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether nothing is taught.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// The taught answers that match `question`, best first: those with the same words
    /// (newest first), then those very close (newest first). The caller takes the first
    /// whose passage still exists.
    pub fn matches(&self, question: &str) -> Vec<&TaughtAnswer> {
        let Some(stemmer) = &self.stemmer else {
            return Vec::new();
        };
        if self.answers.is_empty() {
            return Vec::new();
        }
        let ruled_out = !self.check_all
            && ascii_initials(question).is_some_and(|initials| !self.initials.contains(&initials));
        if ruled_out {
            return Vec::new();
        }
        let lower = lowercase_text(question);
        let words = words(&lower);
        let mut found: Vec<usize> = self
            .by_key
            .get(&sorted_key(&words))
            .cloned()
            .unwrap_or_default();
        let close = close_key(&mut stemmer.clone(), &words);
        for &i in self.by_close_key.get(&close).into_iter().flatten() {
            if !found.contains(&i) {
                found.push(i);
            }
        }
        found.into_iter().map(|i| &self.answers[i]).collect()
    }
}

/// The taught answers every engine of a process consults: replaced whole when an admin adds
/// or removes one (readers clone an `Arc` under a short lock, so a question in flight keeps
/// the version it started with).
#[derive(Debug, Default)]
pub struct TaughtAnswers {
    current: RwLock<Arc<TaughtSet>>,
}

impl TaughtAnswers {
    /// A set holding `answers`.
    pub fn new(answers: Vec<TaughtAnswer>) -> TaughtAnswers {
        TaughtAnswers {
            current: RwLock::new(Arc::new(TaughtSet::new(answers))),
        }
    }

    /// The version to match against now.
    pub fn snapshot(&self) -> Arc<TaughtSet> {
        self.current.read().clone()
    }

    /// Serves `answers` from now on (the set is built before the lock is taken).
    pub fn replace(&self, answers: Vec<TaughtAnswer>) {
        let set = Arc::new(TaughtSet::new(answers));
        *self.current.write() = set;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taught(id: i64, question: &str, passage: &str) -> TaughtAnswer {
        TaughtAnswer {
            id,
            question: question.into(),
            passage: passage.into(),
            article: article_of(passage).into(),
            created: id,
        }
    }

    #[test]
    fn keys_ignore_case_punctuation_markup_and_order() {
        assert_eq!(key("Is there a **hotline**?"), "a hotline is there");
        assert_eq!(key("a HOTLINE: is there"), "a hotline is there");
        assert_eq!(key("  "), "");
        assert_ne!(key("Is there a hotline?"), key("Is there no hotline?"));
        assert_eq!(article_of("summit-article:2.4"), "summit-article");
    }

    #[test]
    fn same_words_match_and_other_questions_do_not() {
        let set = TaughtSet::new(vec![
            taught(1, "Who signed the agreement?", "summit-article:3"),
            taught(2, "Is there a hotline?", "summit-article:2.4"),
        ]);
        let found: Vec<i64> = set
            .matches("signed the agreement, who?")
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(found.first(), Some(&1));
        assert!(set.matches("What did the summit achieve?").is_empty());
        // Very close: inflection and filler words aside.
        assert_eq!(set.matches("Who has signed agreements")[0].id, 1);
        assert_eq!(set.matches("Is there a hotline, please?")[0].id, 2);
        // Not close: a question word, a negation or a name changes the question.
        assert!(set.matches("When was the agreement signed?").is_empty());
        assert!(set.matches("Who signed the other agreement?").is_empty());
        assert!(set.matches("Is there no hotline?").is_empty());
        assert!(set.matches("Where is there a hotline?").is_empty());
        assert!(TaughtSet::default().matches("anything").is_empty());
    }

    #[test]
    fn ascii_initials_are_the_initials_of_the_kept_words() {
        for question in [
            "Did <@123> **China** agree to stop hacking?",
            "What's the role of the agencies, 2015?",
            "IS THERE A HOTLINE",
            "",
        ] {
            let lower = lowercase_text(question);
            let expected = initials(kept_words(&words(&lower)));
            assert!(expected.is_some(), "{question}");
            assert_eq!(ascii_initials(question), expected, "{question}");
        }
        assert_eq!(ascii_initials("Where is the Élysée?"), None);
    }

    #[test]
    fn accents_and_apostrophes_match_whichever_side_has_them() {
        let set = TaughtSet::new(vec![
            taught(1, "Where is the Élysée?", "a:1"),
            taught(2, "What's the role of the agencies?", "a:2"),
        ]);
        assert_eq!(set.matches("where is the elysee")[0].id, 1);
        assert_eq!(set.matches("what's the role of the agency")[0].id, 2);
        let set = TaughtSet::new(vec![taught(3, "Where is the elysee", "a:3")]);
        assert_eq!(set.matches("Where is the Élysée?")[0].id, 3);
        assert!(set.matches("Where is the Élysée palace?").is_empty());
    }

    #[test]
    fn the_newest_of_two_identical_questions_comes_first_and_replace_swaps() {
        let answers = TaughtAnswers::new(vec![
            taught(1, "hotline?", "a:1"),
            taught(2, "Hotline", "a:2"),
        ]);
        let set = answers.snapshot();
        assert_eq!(set.matches("HOTLINE")[0].passage, "a:2");
        answers.replace(Vec::new());
        assert!(answers.snapshot().is_empty());
        // A question in flight keeps its version.
        assert_eq!(set.len(), 2);
    }
}
