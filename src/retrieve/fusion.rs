//! The semantic side of ranking and how it meets the lexical side: which signal ranks
//! (`[semantic] mode`), the semantic candidates added to BM25's, word-level expansion of
//! unknown question words, the fused score, and the no-answer decision that needs both
//! signals to agree (so "gaming" does not pass on the stem of "fair game", and a paraphrase
//! that shares few words passes when its meaning is close).

use crate::indexing::record::PassageRecord;
use crate::indexing::Vocabulary;
use crate::semantic::chunks::ChunkIndex;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::semantic::neighbours::{Neighbour, Neighbours};
use crate::semantic::StaticModel;
use rustc_hash::FxHashMap;

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
    /// answer at a lower cosine (a one-word question, "hotline", has a weak vector)...
    pub sufficient_coverage: f32,
    /// ...down to this cosine: "What time does the bank open?" covers "time" and "bank"
    /// (banking) but means nothing the passage says.
    pub covered_min_similarity: f32,
    /// Semantic mode: the cosine a passage needs to be an answer.
    pub semantic_only_threshold: f32,
    /// Credit of a footnote chunk relative to a sentence of the passage.
    pub footnote_credit: f32,
    /// Cosine a vocabulary word needs to stand for an unknown question word.
    pub neighbour_similarity: f32,
    /// Cosine a vocabulary word needs to help order passages for any question word.
    pub ranking_similarity: f32,
    /// Combined mode: when no question word the index knows is topical (only words close
    /// in meaning matched), the best chunk's cosine an answer needs.
    pub meaning_only_similarity: f32,
    /// Combined mode, opt-in: a folder with an MPNet sentence transformer
    /// (`scripts/fetch_mpnet.sh`) that re-ranks the candidates by contextual meaning.
    pub model_dir: Option<std::path::PathBuf>,
    /// Weight of the transformer's cosine in the score, beside the fused score.
    pub rerank_weight: f32,
    /// Cosine between the static vectors of an unknown lowercase question word and the
    /// closest name the passages hold at which the word counts as a name ("russia").
    pub name_similarity: f32,
    /// The same cosine for an unknown word that is a name by its form: written capitalised
    /// in the question, or one English writes only capitalised ("ukraine"); a name of
    /// something the passages do not hold at or above it.
    pub proper_name_similarity: f32,
    /// With the transformer, a passage the other signals accept still needs this cosine...
    pub rerank_min_similarity: f32,
    /// ...and one at or above this cosine is an answer whatever its word coverage (not for
    /// a question about a name the index does not know).
    pub rerank_similar: f32,
    /// The transformer scores only this many candidates, the best by the other signals'
    /// score: each text it has not embedded yet costs it milliseconds (tens with mpnet).
    pub rerank_candidates: usize,
    /// The cascade: ask the transformer only when the other signals are not sure (below);
    /// off, it scores every question with a candidate.
    pub rerank_cascade: bool,
    /// The transformer is not asked when a passage the other signals accept covers at
    /// least this share of the question's words...
    pub rerank_sure_coverage: f32,
    /// ...at a static cosine of at least this (a sure answer)...
    pub rerank_sure_similarity: f32,
    /// ...nor when none is accepted and every candidate's static cosine is below this (a
    /// sure refusal).
    pub rerank_refuse_below: f32,
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
            sufficient_coverage: 0.75,
            covered_min_similarity: 0.2,
            semantic_only_threshold: 0.33,
            footnote_credit: 0.9,
            neighbour_similarity: 0.6,
            ranking_similarity: 0.45,
            meaning_only_similarity: 0.4,
            model_dir: None,
            rerank_weight: 1.5,
            rerank_min_similarity: 0.2,
            name_similarity: 0.5,
            proper_name_similarity: 0.4,
            rerank_similar: 0.4,
            rerank_candidates: 8,
            rerank_cascade: true,
            rerank_sure_coverage: 0.6,
            rerank_sure_similarity: 0.4,
            rerank_refuse_below: 0.35,
        }
    }
}

/// Vocabulary neighbours kept per question word.
const NEIGHBOURS_PER_WORD: usize = 3;
/// Cosine at which an indexed word meets a question word's focus by meaning (below the
/// neighbours that rank): "culprits" and "perpetrators", not "career" and "telecom".
const FOCUS_SIMILARITY: f32 = 0.35;
/// Indexed words kept per question word as such meanings (closest first).
const MEANINGS_PER_WORD: usize = 8;
/// Question words expanded per question (each new word costs one scan of the vocabulary
/// vectors).
const MAX_EXPANDED_WORDS: usize = 8;
/// Question words whose neighbours are remembered; past this the memory starts afresh.
const NEIGHBOUR_CACHE_WORDS: usize = 20_000;
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
    /// Neighbours already looked up, by lowercased question word (cleared when full). The
    /// thresholds are fixed for an engine, so a word's neighbours never change.
    neighbour_cache: Mutex<FxHashMap<String, Arc<[Neighbour]>>>,
    /// A surface word per indexed term, to put corrected typos back into the question text.
    surfaces: rustc_hash::FxHashMap<String, String>,
    /// The names the passages hold (see [`names_of`]): their term ids, sorted, and the
    /// static vector of each name's written form.
    names: Vec<u32>,
    name_vectors: Vec<Vec<f32>>,
    /// The countries the passages name by one of their name forms ("United States"), by
    /// alpha-3 code, with the term ids of that form: another form of the name ("america",
    /// "usa") stands for them.
    held_countries: FxHashMap<&'static str, Vec<(String, u32)>>,
}

impl SemanticState {
    /// Embeds the chunks of `preloaded` records (when given) and the vocabulary.
    pub fn build(vocabulary: &Vocabulary, preloaded: Option<Vec<&PassageRecord>>) -> SemanticState {
        let model = StaticModel::embedded();
        // A surface word of each term embeds better than its stem; above the preload limit
        // the stem stands in. Of the forms written in the passages, the shortest (then the
        // first in byte order) is taken, usually the base form ("include" for "includ"), and
        // never dependent on the order the records come in (which a multi-threaded build
        // does not fix).
        let mut surfaces: rustc_hash::FxHashMap<&str, &str> = Default::default();
        if let Some(records) = &preloaded {
            for record in records {
                for span in &record.terms {
                    let word = record.text.get(span.start as usize..span.end as usize);
                    if let (Some(term), Some(word)) = (vocabulary.term(span.term), word) {
                        let kept = surfaces.entry(term).or_insert(word);
                        if (word.len(), word) < (kept.len(), *kept) {
                            *kept = word;
                        }
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
        let found = preloaded.as_deref().map(names_of).unwrap_or_default();
        let name_vectors = found
            .iter()
            .filter_map(|(_, surface)| model.embed(surface))
            .collect();
        let mut names: Vec<u32> = found.into_iter().map(|(id, _)| id).collect();
        names.sort_unstable();
        names.dedup();
        let held_countries = held_countries(vocabulary);
        let chunks = preloaded.map(|records| ChunkIndex::build(model, records));
        SemanticState {
            model,
            chunks,
            neighbours,
            neighbour_cache: Mutex::new(FxHashMap::default()),
            surfaces,
            names,
            name_vectors,
            held_countries,
        }
    }

    /// Whether the indexed term `id` is a name the passages hold (Obama, China, Bloomberg):
    /// a question word that matches only such names says which article it is about, not what
    /// it asks.
    pub fn is_indexed_name(&self, id: u32) -> bool {
        self.names.binary_search(&id).is_ok()
    }

    /// The closest cosine between `word`'s static vector and the names the passages hold:
    /// names of one kind sit together in the table ("russia" beside China, "trump" beside
    /// Obama), so a word the index does not know that is this close to its names is a name
    /// of something else, in any case.
    pub fn name_likeness(&self, word: &str) -> f32 {
        let Some(vector) = self.model.embed(word) else {
            return 0.0;
        };
        self.name_vectors
            .iter()
            .map(|n| crate::semantic::dot(n, &vector))
            .fold(0.0, f32::max)
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

    /// Word-level meaning. An unknown, non-everyday question word stands for its closest
    /// indexed words (cosine ≥ `neighbour_similarity`, credited at the cosine, below a typo
    /// correction, and never a name for a name): they count towards coverage. Every other
    /// word also gains the indexed words close to it (cosine ≥ `ranking_similarity`:
    /// "important" → significant), which only order passages (see
    /// [`TermMatch::ranking_only`]), but for a closed compound of the word ("line" →
    /// hotline), which counts like the word. A typo's corrections, an ambiguous typo and
    /// numbers are left alone: they have no meaning of their own to share.
    pub fn expand(&self, plan: &mut QueryPlan, options: &SemanticOptions) {
        let mut budget = MAX_EXPANDED_WORDS;
        let lowest = options.neighbour_similarity.min(options.ranking_similarity);
        for term in plan.terms.iter_mut() {
            // A country named by a form the passages do not use ("america", "usa") is the
            // one they name ("United States"): its words count as the question's.
            // (Checked only for a word nothing matched, in an index naming a country.)
            let held_country = (term.matches.is_empty() && !self.held_countries.is_empty())
                .then(|| crate::semantic::country_named_by(&term.surface))
                .flatten()
                .and_then(|country| self.held_countries.get(country.code));
            if let Some(terms) = held_country {
                term.name = true;
                term.matches
                    .extend(terms.iter().map(|(indexed, id)| TermMatch {
                        term: indexed.clone(),
                        id: *id,
                        credit: super::query::FUZZY_FACTOR,
                        ranking_only: false,
                    }));
            }
            // A word the index does not know, written in lowercase, that sits beside the
            // index's names is a name too ("russia", "trump"): the question is about
            // something the article does not hold, and no indexed name may stand for it. A
            // word that is a name by its form (capitalised here, or one English writes only
            // capitalised: "ukraine") needs less closeness to be a name of another thing;
            // below it a capitalised name may stand for one the article holds ("American",
            // "Washington" for the United States).
            if term.matches.is_empty()
                && !term.common
                && !term.ambiguous_typo
                && !term.text.chars().any(|c| c.is_ascii_digit())
            {
                let likeness = self.name_likeness(&term.surface);
                let by_form = term.name || crate::semantic::is_proper_noun(&term.surface);
                if likeness >= options.name_similarity
                    || by_form && likeness >= options.proper_name_similarity
                {
                    term.name = true;
                    term.other_thing = true;
                }
            }
            // Numbers carry no meaning a neighbour could share ("2" is not "two countries").
            if term.corrected
                || term.ambiguous_typo
                || budget == 0
                || term.text.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            let unknown = term.matches.is_empty();
            budget -= 1;
            // Nor does a number word stand for another ("one" is not "two", however close
            // their vectors); "two" still ranks "both".
            let number_word = super::answer_type::is_number_word(&term.surface);
            let may_stand_for = |n: &Neighbour| {
                !number_word
                    || !super::answer_type::is_number_word(
                        self.surfaces.get(&n.term).unwrap_or(&n.term),
                    )
            };
            let neighbours = self.neighbours_of(&term.surface, lowest.min(FOCUS_SIMILARITY));
            term.meanings = neighbours
                .iter()
                .filter(|n| may_stand_for(n) && n.similarity >= FOCUS_SIMILARITY)
                .take(MEANINGS_PER_WORD)
                .map(|n| (n.id, n.similarity.min(super::query::FUZZY_FACTOR)))
                .collect();
            let mut added = 0;
            // The closest few at the neighbour bars, as before meanings were kept.
            let close = neighbours
                .iter()
                .filter(|n| may_stand_for(n) && n.similarity >= lowest)
                .take(NEIGHBOURS_PER_WORD + 1);
            for n in close {
                if added == NEIGHBOURS_PER_WORD || term.matches.iter().any(|m| m.id == n.id) {
                    continue;
                }
                // A name of another thing stands for nothing the index holds: "russia" is
                // not the article's "countries", however close the vectors.
                let counts = !term.common
                    && !term.other_thing
                    && (unknown
                        && n.similarity >= options.neighbour_similarity
                        && !(term.name && self.is_name(&n.term))
                        || self.is_compound_of(&n.term, &term.text, &term.surface));
                if !counts && n.similarity < options.ranking_similarity {
                    continue;
                }
                term.expanded |= counts && unknown;
                added += 1;
                term.matches.push(TermMatch {
                    term: n.term.clone(),
                    id: n.id,
                    credit: n.similarity.min(super::query::FUZZY_FACTOR),
                    ranking_only: !counts,
                });
            }
        }
    }

    /// Whether the passages write `term` capitalised: a name. An unknown name never stands
    /// for an indexed one, however close their vectors: names of one kind sit together in the
    /// table (Brazil next to China) but name different things. (A word that only starts
    /// sentences also looks capitalised; it then only loses a name's neighbour.)
    fn is_name(&self, term: &str) -> bool {
        self.surfaces
            .get(term)
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
    }

    /// Whether the indexed term `term` is a closed compound whose head is the question word
    /// (stem `stem`, as written `surface`): "hotline" for "line", "cybersecurity" for
    /// "security". English compounds name a kind of their head, so close in meaning (the
    /// caller only asks about neighbours) the compound counts as the word itself; the
    /// modifier must be an English word of three letters or more ("hot", not the "on" of
    /// "online"). Needs the surface words of preloaded passages: above the preload limit
    /// stems stand in, and compounds only help ordering.
    fn is_compound_of(&self, term: &str, stem: &str, surface: &str) -> bool {
        let Some(compound) = self.surfaces.get(term) else {
            return false;
        };
        // Compared without allocating: this runs for each neighbour of each question word.
        let forms = [Some(compound.as_str()), compound.strip_suffix('s')];
        forms.into_iter().flatten().any(|word| {
            [stem, surface].into_iter().any(|head| {
                let Some(split) = word.len().checked_sub(head.len()) else {
                    return false;
                };
                if split < 3 || !word.is_char_boundary(split) {
                    return false;
                }
                let (modifier, tail) = word.split_at(split);
                let modifier = modifier.trim_end_matches('-');
                tail.eq_ignore_ascii_case(head)
                    && modifier.bytes().all(|b| b.is_ascii_alphabetic())
                    && self.model.word_rank(modifier).is_some()
            })
        })
    }

    /// Indexed words whose cosine with `word` is at least `min_similarity`, closest first;
    /// remembered per word (questions reuse words, and a scan reads every vocabulary vector).
    fn neighbours_of(&self, word: &str, min_similarity: f32) -> Arc<[Neighbour]> {
        let key = word.to_lowercase();
        if let Some(found) = self.neighbour_cache.lock().get(&key) {
            return found.clone();
        }
        let found: Arc<[Neighbour]> = match self.model.embed(word) {
            Some(vector) => self
                .neighbours
                // One more than kept: a known word's nearest term is usually itself.
                .nearest(&vector, min_similarity, MEANINGS_PER_WORD + 1)
                .into(),
            None => Arc::from(Vec::new()),
        };
        let mut cache = self.neighbour_cache.lock();
        if cache.len() >= NEIGHBOUR_CACHE_WORDS {
            cache.clear();
        }
        cache.insert(key, found.clone());
        found
    }

    /// Best cosine between `question` and the sentences and footnotes of one record (used
    /// when chunks are not preloaded: re-ranking lexical candidates).
    pub fn record_similarity(
        &self,
        question: &[f32],
        record: &PassageRecord,
        footnote_credit: f32,
    ) -> f32 {
        crate::semantic::chunks::best_chunk_similarity(record, question, footnote_credit, |text| {
            self.model.embed(text)
        })
    }
}

/// The countries whose name in one of its forms the index holds word for word ("United
/// States": the terms of "united" and "states"), by alpha-3 code, with that form's term ids.
/// (A code is no name form: "can" is not Canada.)
fn held_countries(vocabulary: &Vocabulary) -> FxHashMap<&'static str, Vec<(String, u32)>> {
    let mut analyzer = crate::indexing::analysis::Analyzer::new();
    let mut held = FxHashMap::default();
    for country in crate::semantic::countries() {
        let found = country.names().find_map(|name| {
            let ids: Option<Vec<(String, u32)>> = analyzer
                .terms(name)
                .into_iter()
                .map(|term| {
                    let stats = vocabulary.stats(&term).filter(|s| s.doc_freq > 0)?;
                    Some((term, stats.id))
                })
                .collect();
            ids.filter(|ids| !ids.is_empty())
        });
        if let Some(ids) = found {
            held.insert(country.code, ids);
        }
    }
    held
}

/// The names the passages hold, as (term id, written form): words written capitalised
/// inside a sentence (not only as its first word) and never in lowercase. Sentence-initial
/// words ("First", "Moreover") are capitalised by position, not because they name anything.
fn names_of(records: &[&PassageRecord]) -> Vec<(u32, String)> {
    // term id → (written form, seen mid-sentence capitalised, seen in lowercase)
    let mut seen: FxHashMap<u32, (String, bool, bool)> = FxHashMap::default();
    for record in records {
        for span in &record.terms {
            let Some(word) = record.text.get(span.start as usize..span.end as usize) else {
                continue;
            };
            let Some(first) = word.chars().next() else {
                continue;
            };
            let entry = seen
                .entry(span.term)
                .or_insert_with(|| (word.to_string(), false, false));
            if first.is_lowercase() {
                entry.2 = true;
                continue;
            }
            let sentence_start = record
                .sentences
                .get(span.sentence as usize)
                .map_or(0, |s| s.start);
            // Quotes and brackets may open a sentence before its first word.
            let opens_sentence = record
                .text
                .get(sentence_start..span.start as usize)
                .is_some_and(|before| before.chars().all(|c| !c.is_alphanumeric()));
            if !opens_sentence && word.chars().any(char::is_lowercase) {
                entry.1 = true;
            }
        }
    }
    let mut names: Vec<(u32, String)> = seen
        .into_iter()
        .filter(|(_, (_, mid, lower))| *mid && !*lower)
        .map(|(id, (word, _, _))| (id, word))
        .collect();
    names.sort_unstable();
    names
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
                && s >= options.covered_min_similarity
                || s >= options.min_similarity
                    && (coverage >= min_coverage
                        || (s >= options.similar && coverage >= options.min_coverage_when_similar))
        }
    }
}

/// Whether a passage is an answer once the opt-in transformer has scored it: the other
/// signals' decision (`accepted`) confirmed by a cosine of at least `rerank_min_similarity`,
/// or the transformer alone at `rerank_similar` (people's words the article does not use).
pub fn is_contextual_answer(
    accepted: bool,
    contextual: f32,
    name_ok: bool,
    options: &SemanticOptions,
) -> bool {
    accepted && contextual >= options.rerank_min_similarity
        || name_ok && contextual >= options.rerank_similar
}

/// Whether the transformer should score a question's candidates, given each candidate's
/// decision by the other signals, word coverage and static cosine: always without
/// `rerank_cascade`; with it, not for a sure answer (an accepted candidate at
/// `rerank_sure_coverage` and `rerank_sure_similarity`) nor for a sure refusal (nothing
/// accepted, every cosine under `rerank_refuse_below`, and no candidate holding
/// `rerank_sure_coverage` of the question's words: a passage holding most of them in other
/// words' company is the transformer's to judge, not a sure miss).
pub fn needs_contextual(
    candidates: impl IntoIterator<Item = (bool, f32, f32)>,
    options: &SemanticOptions,
) -> bool {
    if !options.rerank_cascade {
        return true;
    }
    let mut any_accepted = false;
    let mut best_similarity = f32::NEG_INFINITY;
    let mut best_coverage = 0.0f32;
    for (accepted, coverage, similarity) in candidates {
        if accepted
            && coverage >= options.rerank_sure_coverage
            && similarity >= options.rerank_sure_similarity
        {
            return false;
        }
        any_accepted |= accepted;
        best_similarity = best_similarity.max(similarity);
        best_coverage = best_coverage.max(coverage);
    }
    any_accepted
        || best_similarity >= options.rerank_refuse_below
        || best_coverage >= options.rerank_sure_coverage
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
    fn the_cascade_asks_the_transformer_only_when_the_decision_is_close() {
        let off = SemanticOptions {
            rerank_cascade: false,
            ..SemanticOptions::default()
        };
        let on = SemanticOptions {
            rerank_cascade: true,
            rerank_sure_coverage: 1.0,
            rerank_sure_similarity: 0.6,
            rerank_refuse_below: 0.1,
            ..SemanticOptions::default()
        };
        // (accepted, coverage, static cosine)
        let sure_answer = [(false, 0.2, 0.3), (true, 1.0, 0.7)];
        let sure_refusal = [(false, 0.5, 0.05), (false, 0.0, 0.02)];
        let close_answer = [(true, 1.0, 0.5)];
        let close_refusal = [(false, 0.3, 0.25)];
        assert!(needs_contextual(sure_answer, &off));
        assert!(needs_contextual(sure_refusal, &off));
        assert!(!needs_contextual(sure_answer, &on));
        assert!(!needs_contextual(sure_refusal, &on));
        assert!(needs_contextual(close_answer, &on));
        assert!(needs_contextual(close_refusal, &on));
        // A refused candidate at full coverage and cosine is not a sure answer.
        assert!(needs_contextual([(false, 1.0, 0.9)], &on));
        // Nor is one holding the sure coverage at a low cosine a sure refusal.
        assert!(needs_contextual([(false, 1.0, 0.05)], &on));
    }

    #[test]
    fn combined_needs_both_signals() {
        let o = SemanticOptions::default();
        assert!(is_answer(0.9, Some(0.5), 0.4, &o));
        assert!(
            !is_answer(0.55, Some(0.2), 0.4, &o),
            "one stemmed word, unrelated meaning"
        );
        assert!(is_answer(1.0, Some(0.25), 0.4, &o), "a one-word question");
        assert!(
            !is_answer(0.9, Some(0.15), 0.4, &o),
            "covered words, unrelated meaning"
        );
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
