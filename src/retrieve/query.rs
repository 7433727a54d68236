//! From a question to a weighted set of index terms: strip markup, analyse like the index,
//! weight each term by its rarity (IDF), and map unknown words to close indexed terms.
//!
//! User text never reaches a query parser: `title:x AND (` is just the words `titl`, `x`.

use tantivy::{Searcher, Term};

use super::fuzzy::{allowed_edits, bounded_distance, may_correct};
use super::markup::strip_discord_markup;
use crate::indexing::analysis::Analyzer;
use crate::indexing::SearchIndex;

/// Distinct terms taken from one question; the rest is ignored (spam, pasted essays).
pub const MAX_QUERY_TERMS: usize = 32;
/// Unknown words corrected per question, to bound the cost of typo search.
const MAX_FUZZY_TERMS: usize = 8;
/// Closest indexed terms kept for one misspelt word.
const MAX_EXPANSIONS: usize = 3;
/// Credit for a typo-corrected match relative to an exact one, so exact matches rank first.
pub const FUZZY_FACTOR: f32 = 0.8;

/// One distinct word of the question.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    /// The analysed word as typed.
    pub text: String,
    /// Its weight in coverage: the IDF of what it matches, or of a rare word if nothing.
    pub weight: f32,
    /// Indexed terms that count as this word, with their credit (1 exact, less if corrected).
    pub matches: Vec<(String, f32)>,
}

/// A question ready to search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryPlan {
    /// Distinct words in question order.
    pub terms: Vec<QueryTerm>,
}

impl QueryPlan {
    /// Sum of all term weights: the denominator of coverage.
    pub fn total_weight(&self) -> f32 {
        self.terms.iter().map(|t| t.weight).sum()
    }

    /// True when the question has no searchable word.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// BM25's inverse document frequency.
pub fn idf(doc_freq: u64, docs: u64) -> f32 {
    let n = docs as f32;
    let df = doc_freq as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Cuts `text` to at most `max_chars` characters.
fn prefix_chars(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// Builds the plan for `question`, reading at most `max_chars` of it.
pub fn plan(
    index: &SearchIndex,
    searcher: &Searcher,
    analyzer: &mut Analyzer,
    question: &str,
    max_chars: usize,
) -> QueryPlan {
    let cleaned = strip_discord_markup(prefix_chars(question, max_chars));
    let mut words: Vec<String> = Vec::new();
    for term in analyzer.terms(&cleaned) {
        if !words.contains(&term) {
            words.push(term);
            if words.len() == MAX_QUERY_TERMS {
                break;
            }
        }
    }
    let docs = searcher.num_docs().max(1);
    // An unknown word weighs like a word found in 30% of passages. That keeps the weight on
    // the same scale at any corpus size (IDF depends on df/N), lets one rare matched word carry
    // a question padded with other words, and leaves questions whose only matches are
    // common words (China, cyber) below the coverage bar.
    let unknown_weight = idf((docs * 3 / 10).max(1), docs);
    let doc_freq = |term: &str| {
        searcher
            .doc_freq(&Term::from_field_text(index.schema.body, term))
            .unwrap_or(0)
    };
    let mut fuzzy_budget = MAX_FUZZY_TERMS;
    let terms = words
        .into_iter()
        .map(|word| {
            let df = doc_freq(&word);
            if df > 0 {
                return QueryTerm {
                    weight: idf(df, docs),
                    matches: vec![(word.clone(), 1.0)],
                    text: word,
                };
            }
            let chars = word.chars().count();
            let edits = allowed_edits(chars);
            let correctable =
                edits > 0 && fuzzy_budget > 0 && !word.chars().any(|c| c.is_ascii_digit());
            let mut expansions: Vec<(usize, String)> = Vec::new();
            if correctable {
                fuzzy_budget -= 1;
                for candidate in index.vocabulary().near_length(chars, edits) {
                    if !may_correct(&word, candidate) {
                        continue;
                    }
                    if let Some(d) = bounded_distance(&word, candidate, edits) {
                        expansions.push((d, candidate.to_string()));
                    }
                }
            }
            let closest = expansions.iter().map(|(d, _)| *d).min();
            let mut matches: Vec<(String, f32)> = expansions
                .into_iter()
                .filter(|(d, _)| Some(*d) == closest)
                .map(|(_, t)| (t, FUZZY_FACTOR))
                .collect();
            matches.sort_by(|a, b| a.0.cmp(&b.0));
            matches.truncate(MAX_EXPANSIONS);
            let weight = matches
                .iter()
                .map(|(t, _)| idf(doc_freq(t), docs))
                .fold(None, |acc: Option<f32>, w| {
                    Some(acc.map_or(w, |a| a.max(w)))
                })
                .unwrap_or(unknown_weight);
            QueryTerm {
                text: word,
                weight,
                matches,
            }
        })
        .collect();
    QueryPlan { terms }
}
