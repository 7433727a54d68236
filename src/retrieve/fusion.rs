//! The semantic side of ranking and how it meets the lexical side: which signal ranks
//! (`[semantic] mode`), the semantic candidates added to BM25's, word-level expansion of
//! unknown question words, the fused score, and the no-answer decision that needs both
//! signals to agree (so "gaming" does not pass on the stem of "fair game", and a paraphrase
//! that shares few words passes when its meaning is close).

use crate::indexing::record::PassageRecord;
use crate::indexing::Vocabulary;
use crate::semantic::chunks::ChunkIndex;
use crate::semantic::neighbours::Neighbours;
use crate::semantic::{dot, StaticModel};

use super::query::{QueryPlan, TermMatch};

/// Which signals rank and decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 candidates and coverage only (the engine before the semantic signal).
    Lexical,
    /// Sentence vectors only: rank by the best chunk's cosine.
    Semantic,
    /// Both: fused score, and an answer needs both signals.
    #[default]
    Combined,
}

/// Knobs of the semantic signal: the `[semantic]` config section.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SemanticOptions {
    /// Which signals rank and decide.
    pub mode: Mode,
    /// Weight of the semantic score in the fused score (the lexical score weighs 1).
    pub weight: f32,
    /// Best passages by semantic score added to BM25's candidates.
    pub candidates: usize,
    /// Combined mode: an answer whose best chunk is below this cosine is refused, whatever
    /// its word coverage.
    pub min_similarity: f32,
    /// Combined mode: above this cosine a passage is an answer with less word coverage
    /// (down to `min_coverage_when_similar`).
    pub similar: f32,
    /// Word coverage still needed by a passage at or above `similar`.
    pub min_coverage_when_similar: f32,
    /// Combined mode: a passage covering at least this share of the question's words is an
    /// answer whatever its cosine (a one-word question, "hotline", has a weak vector).
    pub sufficient_coverage: f32,
    /// Semantic mode: the cosine a passage needs to be an answer.
    pub semantic_only_threshold: f32,
    /// Credit of a footnote chunk relative to a sentence of the passage.
    pub footnote_credit: f32,
    /// Cosine a vocabulary word needs to stand for an unknown question word.
    pub neighbour_similarity: f32,
}

impl Default for SemanticOptions {
    fn default() -> Self {
        SemanticOptions {
            mode: Mode::Combined,
            candidates: 8,
            weight: 0.25,
            min_similarity: 0.3,
            similar: 0.36,
            min_coverage_when_similar: 0.1,
            sufficient_coverage: 0.8,
            semantic_only_threshold: 0.33,
            footnote_credit: 0.9,
            neighbour_similarity: 0.55,
        }
    }
}

/// Vocabulary neighbours kept per unknown word.
const NEIGHBOURS_PER_WORD: usize = 2;
/// Unknown words expanded per question (each costs one scan of the vocabulary vectors).
const MAX_EXPANDED_WORDS: usize = 4;
/// Most frequent vocabulary terms embedded for expansion: bounds memory and the per-word
/// scan on huge vocabularies (rarer terms are mostly names and typos).
const MAX_NEIGHBOUR_TERMS: usize = 50_000;

/// What the semantic side holds for one index.
#[derive(Debug)]
pub struct SemanticState {
    pub(super) model: &'static StaticModel,
    /// Sentence and footnote vectors of the preloaded passages (small corpora only).
    pub(super) chunks: Option<ChunkIndex>,
    neighbours: Neighbours,
    /// A surface word per indexed term, to put corrected typos back into the question text.
    surfaces: crate::fxhash::FxHashMap<String, String>,
}

impl SemanticState {
    /// Embeds the chunks of `preloaded` records (when given) and the vocabulary.
    pub fn build(vocabulary: &Vocabulary, preloaded: Option<Vec<&PassageRecord>>) -> SemanticState {
        let model = StaticModel::embedded();
        // The surface word of each term as first written in a passage embeds better than
        // its stem; above the preload limit the stem stands in.
        let mut surfaces: crate::fxhash::FxHashMap<&str, &str> = Default::default();
        if let Some(records) = &preloaded {
            for record in records {
                for span in &record.terms {
                    if let Some(word) = record.text.get(span.start as usize..span.end as usize) {
                        surfaces.entry(span.term.as_str()).or_insert(word);
                    }
                }
            }
        }
        let mut terms: Vec<(&str, u32, u64)> = vocabulary
            .iter()
            .map(|(term, stats)| (term, stats.id, stats.doc_freq))
            .filter(|(_, _, df)| *df > 0)
            .collect();
        if terms.len() > MAX_NEIGHBOUR_TERMS {
            terms.sort_unstable_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
            terms.truncate(MAX_NEIGHBOUR_TERMS);
        }
        terms.sort_unstable_by_key(|t| t.1);
        let neighbours = Neighbours::build(
            model,
            terms
                .iter()
                .map(|&(term, id, _)| (term, id, surfaces.get(term).copied().unwrap_or(term))),
        );
        let surfaces = surfaces
            .into_iter()
            .map(|(term, word)| (term.to_string(), word.to_string()))
            .collect();
        let chunks = preloaded.map(|records| ChunkIndex::build(model, records));
        SemanticState {
            model,
            chunks,
            neighbours,
            surfaces,
        }
    }

    /// The question's vector, with typos replaced by the word they were corrected to (the
    /// model splits "exectuive" into meaningless pieces).
    pub fn question_vector(&self, plan: &QueryPlan) -> Option<Vec<f32>> {
        let mut text = std::borrow::Cow::Borrowed(plan.text.as_str());
        for term in plan.terms.iter().filter(|t| t.corrected) {
            let Some(m) = term.matches.first() else {
                continue;
            };
            let word = self
                .surfaces
                .get(&m.term)
                .map_or(m.term.as_str(), String::as_str);
            text = std::borrow::Cow::Owned(text.replacen(term.surface.as_str(), word, 1));
        }
        self.model.embed(&text)
    }

    /// Lets unknown, non-everyday question words stand for their closest indexed words,
    /// credited at their cosine (below a typo correction's credit).
    pub fn expand(&self, plan: &mut QueryPlan, options: &SemanticOptions) {
        let mut budget = MAX_EXPANDED_WORDS;
        for term in plan.terms.iter_mut() {
            if !term.matches.is_empty() || term.common || budget == 0 {
                continue;
            }
            budget -= 1;
            let Some(vector) = self.model.embed(&term.surface) else {
                continue;
            };
            for n in
                self.neighbours
                    .nearest(&vector, options.neighbour_similarity, NEIGHBOURS_PER_WORD)
            {
                term.expanded = true;
                term.matches.push(TermMatch {
                    term: n.term,
                    id: n.id,
                    credit: n.similarity.min(super::query::FUZZY_FACTOR),
                });
            }
        }
    }

    /// Best cosine between `question` and the sentences and footnotes of one record (used
    /// when chunks are not preloaded: re-ranking lexical candidates).
    pub fn record_similarity(
        &self,
        question: &[f32],
        record: &PassageRecord,
        footnote_credit: f32,
    ) -> f32 {
        let sentences = record
            .sentences
            .iter()
            .filter_map(|s| record.text.get(s.start..s.end))
            .filter_map(|text| self.model.embed(text))
            .map(|v| dot(&v, question));
        let footnotes = record
            .footnotes
            .iter()
            .filter_map(|f| self.model.embed(&f.text))
            .map(|v| dot(&v, question) * footnote_credit);
        sentences.chain(footnotes).fold(0.0, f32::max)
    }
}

/// Whether a passage is an answer, from its word coverage and (when known) semantic score.
pub fn is_answer(
    coverage: f32,
    semantic: Option<f32>,
    min_coverage: f32,
    options: &SemanticOptions,
) -> bool {
    match (options.mode, semantic) {
        (Mode::Lexical, _) | (Mode::Combined, None) => coverage >= min_coverage,
        (Mode::Semantic, s) => s.unwrap_or(0.0) >= options.semantic_only_threshold,
        (Mode::Combined, Some(s)) => {
            coverage >= options.sufficient_coverage.max(min_coverage)
                || s >= options.min_similarity
                    && (coverage >= min_coverage
                    || (s >= options.similar && coverage >= options.min_coverage_when_similar))
        }
    }
}

/// The score passages are ordered by.
pub fn fused_score(lexical: f32, semantic: Option<f32>, options: &SemanticOptions) -> f32 {
    match (options.mode, semantic) {
        (Mode::Lexical, _) | (Mode::Combined, None) => lexical,
        (Mode::Semantic, s) => s.unwrap_or(0.0),
        (Mode::Combined, Some(s)) => lexical + options.weight * s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_needs_both_signals() {
        let o = SemanticOptions::default();
        assert!(is_answer(0.9, Some(0.5), 0.4, &o));
        assert!(
            !is_answer(0.55, Some(0.2), 0.4, &o),
            "one stemmed word, unrelated meaning"
        );
        assert!(is_answer(1.0, Some(0.1), 0.4, &o), "a one-word question");
        assert!(
            is_answer(0.25, Some(0.7), 0.4, &o),
            "a close paraphrase with few shared words"
        );
        assert!(!is_answer(0.05, Some(0.7), 0.4, &o));
        let lexical = SemanticOptions {
            mode: Mode::Lexical,
            ..o.clone()
        };
        assert!(is_answer(0.9, Some(0.1), 0.4, &lexical));
    }
}
