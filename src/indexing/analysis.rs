//! English text analysis shared by indexing and querying: split on non-alphanumerics,
//! drop overlong tokens, lowercase, fold accents to ASCII, drop stop words, read an irregular
//! past form as its verb ("sold" as "sell"), stem (Snowball).
//!
//! Both sides must analyse identically, so this is the only place that builds the chain.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Name under which the analyzer is registered in the tantivy index.
pub const ANALYZER_NAME: &str = "summit_en";

/// Lucene's English stop words, question words, pronouns and single letters: words that say
/// nothing about which passage answers a question.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with", "what", "whats", "which", "who", "whom", "whose",
    "when", "where", "why", "how", "do", "does", "did", "done", "can", "could", "would", "should",
    "shall", "may", "might", "must", "i", "me", "my", "we", "our", "you", "your", "he", "him",
    "his", "she", "her", "its", "them", "those", "been", "being", "were", "has", "have", "had",
    "am", "about", "any", "some", "so", "than", "too", "very", "just", "also", "here", "please",
    "tell", "know", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "o", "p", "q", "r",
    "s", "t", "u", "v", "w", "x", "y", "z",
];

/// Longest token kept, in bytes; longer ones are noise (hashes, URLs, spam runs).
const MAX_TOKEN_BYTES: usize = 40;

/// One analysed term with where it came from in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedTerm {
    /// The normalised term as indexed.
    pub term: String,
    /// Byte offset of the source word.
    pub start: usize,
    /// Byte offset one past the source word.
    pub end: usize,
    /// Position in the token stream (stop words leave gaps).
    pub position: usize,
}

/// A reusable analyzer. Cloning is cheap (the stop-word set is shared).
#[derive(Clone)]
pub struct Analyzer {
    inner: TextAnalyzer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// Builds the English analysis chain.
    pub fn new() -> Self {
        Analyzer {
            inner: text_analyzer(),
        }
    }

    /// Analyses `text` into terms with offsets.
    pub fn analyze(&mut self, text: &str) -> Vec<AnalyzedTerm> {
        let mut out = Vec::new();
        let mut stream = self.inner.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            out.push(AnalyzedTerm {
                term: token.text.clone(),
                start: token.offset_from,
                end: token.offset_to,
                position: token.position,
            });
        }
        out
    }

    /// Analyses `text`, keeping only the terms.
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stream = self.inner.token_stream(text);
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }
}

/// Irregular past forms and their verbs, one `form<TAB>verb` per line: made by
/// `scripts/irregular_verbs.py` from LemmInflect's lexicon (provenance and licence in
/// `models/irregular-verbs/README.md`).
const IRREGULAR_VERBS: &str = include_str!("../../models/irregular-verbs/forms.tsv");

/// Irregular past form → verb.
type Forms = FxHashMap<&'static str, &'static str>;

/// The irregular past forms by form, parsed once.
fn irregular_verbs() -> &'static Forms {
    static FORMS: OnceLock<Forms> = OnceLock::new();
    FORMS.get_or_init(|| {
        IRREGULAR_VERBS
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .collect()
    })
}

/// Token filter that reads an irregular past form as its verb ("sold" as "sell", "caught" as
/// "catch"), which the stemmer would keep apart: a question in the present meets a text in
/// the past ("who did they sell the data to?", "They sold data").
#[derive(Clone)]
struct IrregularVerbs {
    forms: &'static Forms,
}

impl TokenFilter for IrregularVerbs {
    type Tokenizer<T: Tokenizer> = IrregularVerbsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> IrregularVerbsFilter<T> {
        IrregularVerbsFilter {
            forms: self.forms,
            tokenizer,
        }
    }
}

#[derive(Clone)]
struct IrregularVerbsFilter<T> {
    forms: &'static Forms,
    tokenizer: T,
}

impl<T: Tokenizer> Tokenizer for IrregularVerbsFilter<T> {
    type TokenStream<'a> = IrregularVerbsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        IrregularVerbsStream {
            forms: self.forms,
            tail: self.tokenizer.token_stream(text),
        }
    }
}

struct IrregularVerbsStream<T> {
    forms: &'static Forms,
    tail: T,
}

impl<T: TokenStream> TokenStream for IrregularVerbsStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        if let Some(verb) = self.forms.get(self.tail.token().text.as_str()) {
            let text = &mut self.tail.token_mut().text;
            text.clear();
            text.push_str(verb);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The tantivy analyzer, registered on the index under [`ANALYZER_NAME`].
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| w.to_string()),
        ))
        .filter(IrregularVerbs {
            forms: irregular_verbs(),
        })
        .filter(Stemmer::new(Language::English))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irregular_past_forms_are_read_as_their_verb() {
        let mut analyzer = Analyzer::new();
        assert_eq!(
            analyzer.terms("They sold data and were caught"),
            analyzer.terms("They sell data and were catch")
        );
        assert_eq!(analyzer.terms("wrote written"), vec!["write", "write"]);
        // A form that is also another word stays itself: "left" the side, "found" the verb of
        // its own; regular pasts are the stemmer's ("agreed" and "agree").
        assert_eq!(analyzer.terms("left found"), vec!["left", "found"]);
        assert_eq!(analyzer.terms("agreed"), analyzer.terms("agree"));
        // Every line of the table is a form and its verb.
        assert!(irregular_verbs().len() > 250);
        assert!(IRREGULAR_VERBS.lines().all(|l| l.split('\t').count() == 2));
    }

    #[test]
    fn lowercases_folds_drops_stop_words_and_stems() {
        let terms = Analyzer::new().terms("What are the Sanctions? Café HOTLINES, U.S. indictment");
        assert_eq!(terms, vec!["sanction", "cafe", "hotlin", "indict"]);
    }

    #[test]
    fn keeps_offsets_of_source_words() {
        let text = "the Hotline works";
        let terms = Analyzer::new().analyze(text);
        assert_eq!(&text[terms[0].start..terms[0].end], "Hotline");
        assert_eq!(terms[1].term, "work");
    }
}
