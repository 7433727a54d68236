//! English text analysis shared by indexing and querying: split on non-alphanumerics,
//! drop overlong tokens, lowercase, fold accents to ASCII, drop stop words, stem (Snowball).
//!
//! Both sides must analyse identically, so this is the only place that builds the chain.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
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

/// The tantivy analyzer, registered on the index under [`ANALYZER_NAME`].
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| w.to_string()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

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
