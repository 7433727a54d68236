//! Question → ranked hits. tantivy's BM25 picks candidates; each candidate is then scored on
//! how much of the question it covers (IDF-weighted, footnotes counted at a discount), on its
//! best single sentence, and on BM25. Coverage also decides "no good answer".

pub mod fuzzy;
pub mod markup;
pub mod query;

use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use crate::indexing::record::PassageRecord;
use crate::indexing::{IndexError, SearchIndex, Vocabulary};
use crate::ingest::{Footnote, PassageRef};
use query::QueryPlan;

/// Knobs of ranking, from the `[answer]` config section.
#[derive(Debug, Clone, PartialEq)]
pub struct RankOptions {
    /// Fewest share of the question's weight a passage must cover to be an answer.
    pub min_coverage: f32,
    /// How many candidates BM25 hands to re-ranking.
    pub candidates: usize,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            min_coverage: 0.4,
            candidates: 16,
        }
    }
}

/// Credit for a word found only in a cited footnote, relative to one in the passage text.
const FOOTNOTE_CREDIT: f32 = 0.75;
/// Weight of the best sentence's coverage in the final score.
const SENTENCE_WEIGHT: f32 = 0.4;
/// Weight of normalised BM25 in the final score.
const BM25_WEIGHT: f32 = 0.25;
/// Credit, for ranking, of a word that is also in the article title: such words (Obama, Xi,
/// cyber-espionage) say which article a question is about, not which passage answers it.
const TITLE_WORD_CREDIT: f32 = 0.5;
/// Up to this many documents, every stored record is decoded once at open.
const PRELOAD_LIMIT: u64 = 50_000;

/// A scored candidate passage.
#[derive(Debug, Clone)]
pub struct RankedHit {
    /// The stored passage.
    pub record: Arc<PassageRecord>,
    /// Where it sits and its text, shared (not copied) into answers.
    pub passage: Arc<PassageRef>,
    /// Its footnotes, shared into answers.
    pub footnotes: Arc<[Footnote]>,
    /// Final ranking score.
    pub score: f32,
    /// Share of the question's weight found in the passage or its footnotes (0..=1).
    pub coverage: f32,
    /// Index of the best-matching sentence.
    pub best_sentence: Option<usize>,
    /// Byte ranges of matched words in the passage text.
    pub matched: Vec<(usize, usize)>,
}

/// A stored passage ready for scoring: its record and its terms as vocabulary ids, so
/// matching a question compares integers instead of hashing strings.
#[derive(Debug)]
struct Candidate {
    record: Arc<PassageRecord>,
    passage: Arc<PassageRef>,
    footnotes: Arc<[Footnote]>,
    text_ids: Vec<u32>,
    footnote_ids: Vec<u32>,
    title_ids: Vec<u32>,
}

impl Candidate {
    fn new(record: PassageRecord, vocabulary: &Vocabulary) -> Candidate {
        let ids = |terms: &mut dyn Iterator<Item = &str>| terms.map(|t| vocabulary.id(t)).collect();
        Candidate {
            text_ids: ids(&mut record.terms.iter().map(|t| t.term.as_str())),
            footnote_ids: ids(&mut record.footnote_terms.iter().map(String::as_str)),
            title_ids: ids(&mut record.title_terms.iter().map(String::as_str)),
            passage: Arc::new(record.passage_ref()),
            footnotes: record.footnotes.clone().into(),
            record: Arc::new(record),
        }
    }
}

/// Searches one index. Holds the candidates of small corpora decoded, so re-ranking does no
/// I/O and no decoding.
pub struct Retriever {
    index: SearchIndex,
    preloaded: Option<Vec<Vec<Arc<Candidate>>>>,
}

impl Retriever {
    /// Wraps an opened index.
    pub fn new(index: SearchIndex) -> Result<Self, IndexError> {
        let searcher = index.searcher();
        let preloaded = if searcher.num_docs() <= PRELOAD_LIMIT {
            let mut segments = Vec::new();
            for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                let mut candidates = Vec::with_capacity(segment.max_doc() as usize);
                for doc in 0..segment.max_doc() {
                    let record = index.record(&searcher, DocAddress::new(ord as u32, doc))?;
                    candidates.push(Arc::new(Candidate::new(record, index.vocabulary())));
                }
                segments.push(candidates);
            }
            Some(segments)
        } else {
            None
        };
        Ok(Retriever { index, preloaded })
    }

    /// The underlying index.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    fn candidate(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<Arc<Candidate>, IndexError> {
        if let Some(segments) = &self.preloaded {
            if let Some(candidate) = segments
                .get(address.segment_ord as usize)
                .and_then(|s| s.get(address.doc_id as usize))
            {
                return Ok(candidate.clone());
            }
        }
        let record = self.index.record(searcher, address)?;
        Ok(Arc::new(Candidate::new(record, self.index.vocabulary())))
    }

    /// Ranks passages for a planned question, best first. Only hits that clear the
    /// coverage bar are returned; an empty list means "no good answer".
    pub fn rank(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        options: &RankOptions,
    ) -> Result<Vec<RankedHit>, IndexError> {
        let total = plan.total_weight();
        if plan.is_empty() || total <= 0.0 || !plan.has_topical_match() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &plan.terms {
            for m in &term.matches {
                let query = TermQuery::new(
                    Term::from_field_text(self.index.schema.body, &m.term),
                    IndexRecordOption::WithFreqs,
                );
                // Only corrected terms need a boost below one.
                let clause: Box<dyn Query> = if m.credit == 1.0 {
                    Box::new(query)
                } else {
                    Box::new(BoostQuery::new(Box::new(query), m.credit))
                };
                clauses.push((Occur::Should, clause));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(options.candidates.max(1)).order_by_score(),
        )?;
        let best_bm25 = top
            .first()
            .map(|(s, _)| *s)
            .unwrap_or(1.0)
            .max(f32::EPSILON);

        // term id → (question word index, credit); a handful of entries, scanned linearly.
        let mut lookup: Vec<(u32, usize, f32)> = Vec::new();
        for (i, term) in plan.terms.iter().enumerate() {
            for m in &term.matches {
                if !lookup.iter().any(|(id, _, _)| *id == m.id) {
                    lookup.push((m.id, i, m.credit));
                }
            }
        }

        let mut hits = Vec::with_capacity(top.len());
        for (bm25, address) in top {
            let candidate = self.candidate(searcher, address)?;
            let hit = score_candidate(&candidate, plan, &lookup, total, bm25 / best_bm25);
            if hit.coverage >= options.min_coverage {
                hits.push(hit);
            }
        }
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.record.text.len().cmp(&b.record.text.len()))
                .then(a.record.id.cmp(&b.record.id))
        });
        Ok(hits)
    }
}

/// Scores one candidate against the question.
fn score_candidate(
    candidate: &Candidate,
    plan: &QueryPlan,
    lookup: &[(u32, usize, f32)],
    total: f32,
    bm25_normalised: f32,
) -> RankedHit {
    let record = &candidate.record;
    // A 64-bit filter over the question's term ids rejects almost every non-matching word
    // with one shift; the few that pass are checked against the short look-up list.
    let filter = lookup
        .iter()
        .fold(0u64, |bits, (id, _, _)| bits | 1 << (id & 63));
    let find = |id: u32| {
        if filter >> (id & 63) & 1 == 0 {
            return None;
        }
        lookup
            .iter()
            .find(|(t, _, _)| *t == id)
            .map(|&(_, w, c)| (w, c))
    };
    let words = plan.terms.len();
    let sentence_count = record.sentences.len().max(1);
    // Credits per question word found in the text, in the footnotes, and in each sentence,
    // plus the ranking weights: one allocation for all of them.
    let mut table = vec![0f32; words * (3 + sentence_count)];
    let (in_text, rest) = table.split_at_mut(words);
    let (in_footnotes, rest) = rest.split_at_mut(words);
    let (weights, per_sentence) = rest.split_at_mut(words);
    let mut matched = Vec::new();
    for (span, &id) in record.terms.iter().zip(&candidate.text_ids) {
        if let Some((word, credit)) = find(id) {
            in_text[word] = in_text[word].max(credit);
            let s = (span.sentence as usize).min(sentence_count - 1);
            let cell = &mut per_sentence[s * words + word];
            *cell = cell.max(credit);
            matched.push((span.start as usize, span.end as usize));
        }
    }
    for &id in &candidate.footnote_ids {
        if let Some((word, credit)) = find(id) {
            in_footnotes[word] = in_footnotes[word].max(credit);
        }
    }
    let mut text_weight = 0.0;
    let mut footnote_only_weight = 0.0;
    for (i, term) in plan.terms.iter().enumerate() {
        if in_text[i] > 0.0 {
            text_weight += term.weight * in_text[i];
            if in_footnotes[i] > in_text[i] {
                footnote_only_weight += term.weight * (in_footnotes[i] - in_text[i]);
            }
        } else {
            footnote_only_weight += term.weight * in_footnotes[i];
        }
    }
    let coverage = ((text_weight + footnote_only_weight) / total).min(1.0);
    // Ranking discounts title words; the coverage bar above does not (they do show the
    // question is on topic).
    for (weight, term) in weights.iter_mut().zip(&plan.terms) {
        let in_title = term
            .matches
            .iter()
            .any(|m| candidate.title_ids.contains(&m.id));
        *weight = if in_title {
            term.weight * TITLE_WORD_CREDIT
        } else {
            term.weight
        };
    }
    let mut ranked_weight = 0.0;
    for i in 0..words {
        let footnote_extra = (in_footnotes[i] - in_text[i]).max(0.0);
        ranked_weight += weights[i] * (in_text[i] + FOOTNOTE_CREDIT * footnote_extra);
    }
    let ranked_coverage = ranked_weight / total;
    let (best_sentence, sentence_score) = per_sentence
        .chunks(words.max(1))
        .take(sentence_count)
        .enumerate()
        .map(|(s, credits)| {
            let weight: f32 = credits
                .iter()
                .zip(weights.iter())
                .map(|(credit, w)| credit * w)
                .sum();
            (s, weight / total)
        })
        .fold((None, 0.0f32), |best, (s, score)| {
            if score > best.1 {
                (Some(s), score)
            } else {
                best
            }
        });
    let score = ranked_coverage + SENTENCE_WEIGHT * sentence_score + BM25_WEIGHT * bm25_normalised;
    RankedHit {
        record: record.clone(),
        passage: candidate.passage.clone(),
        footnotes: candidate.footnotes.clone(),
        score,
        coverage,
        best_sentence,
        matched,
    }
}
