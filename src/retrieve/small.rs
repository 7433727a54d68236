//! BM25 candidates for a corpus no larger than the candidate count (the shipped article has
//! about a dozen passages, the cutoff keeps 16): nothing is ever cut, so every passage that
//! matches a word is a candidate and block-max pruning has nothing to skip. A tantivy search
//! then costs far more in set-up (a weight and a term-dictionary look-up per word, posting
//! readers, the WAND machinery) than the scoring itself, so the postings are read once at open
//! and scored here.
//!
//! The scores are tantivy's to the last bit: the same BM25 formula on the same inputs (its
//! term frequencies and field-norm codes, the engine's index-wide statistics) and the word
//! scores of a document added in the order tantivy's block-max WAND adds them (see
//! [`SmallPostings::search`]). A test compares both searches bit for bit.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher};

use super::cutoff::{self, Scored};
use crate::indexing::schema::ORDER_FIELD;
use crate::indexing::{IndexError, Vocabulary};

/// Corpora up to this many documents keep their postings in memory: the largest candidate
/// count the configuration allows (`answer.candidates`), so any configured cutoff may use them.
pub const MAX_DOCS: u64 = 1000;

/// BM25's term-frequency saturation and length normalisation, as tantivy sets them.
const K1: Score = 1.2;
const B: Score = 0.75;

/// One segment's postings: for each vocabulary term id, its `(doc, term frequency)` list.
#[derive(Debug)]
struct Segment {
    ord: u32,
    /// Range of each term id's postings in `postings` (empty when absent from the segment).
    ranges: Vec<(u32, u32)>,
    postings: Vec<(DocId, u32)>,
    /// BM25's length part of each document, `K1 * (1 - B + B * fieldnorm / average)`, from
    /// its field-norm code exactly as tantivy's per-weight cache computes it.
    norms: Vec<Score>,
    /// The `order` fast field (the cutoff's tie-break) and whether each document is alive.
    orders: Vec<u64>,
    alive: Vec<bool>,
}

/// The body postings of a small index, with the statistics BM25 needs.
#[derive(Debug)]
pub struct SmallPostings {
    segments: Vec<Segment>,
    /// Documents over all segments (deleted ones included, as tantivy counts them).
    docs: u64,
    /// Document frequency by term id (the figures the engine's BM25 statistics use).
    doc_freqs: Vec<u64>,
}

/// A question word as a BM25 clause: its term id and its boost (credit).
#[derive(Debug, Clone, Copy)]
pub struct Clause {
    /// Vocabulary id (`u32::MAX` for a term the index does not hold: no postings).
    pub id: u32,
    /// Multiplies the term's BM25 weight, as a `BoostQuery` does.
    pub boost: Score,
}

/// A clause positioned in one segment's postings.
struct Cursor<'a> {
    postings: &'a [(DocId, u32)],
    at: usize,
    weight: Score,
}

impl Cursor<'_> {
    fn doc(&self) -> DocId {
        self.postings.get(self.at).map_or(DocId::MAX, |p| p.0)
    }
}

impl SmallPostings {
    /// Reads the postings of `body` when the index holds at most [`MAX_DOCS`] documents.
    pub fn read(
        searcher: &Searcher,
        body: Field,
        vocabulary: &Vocabulary,
        body_tokens: u64,
        docs: u64,
    ) -> Result<Option<SmallPostings>, IndexError> {
        if docs > MAX_DOCS {
            return Ok(None);
        }
        let average = average_fieldnorm(body_tokens, docs);
        let mut doc_freqs = vec![0; vocabulary.len()];
        for (_, stats) in vocabulary.iter() {
            if let Some(slot) = doc_freqs.get_mut(stats.id as usize) {
                *slot = stats.doc_freq;
            }
        }
        let mut segments = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let inverted = reader.inverted_index(body)?;
            let fieldnorms = reader.get_fieldnorms_reader(body)?;
            let order = reader.fast_fields().u64(ORDER_FIELD)?;
            let max_doc = reader.max_doc();
            let alive_bits = reader.alive_bitset();
            let mut segment = Segment {
                ord: ord as u32,
                ranges: vec![(0, 0); vocabulary.len()],
                postings: Vec::new(),
                norms: (0..max_doc)
                    .map(|doc| norm(fieldnorms.fieldnorm_id(doc), average))
                    .collect(),
                orders: (0..max_doc)
                    .map(|doc| order.first(doc).unwrap_or(u64::MAX))
                    .collect(),
                alive: (0..max_doc)
                    .map(|doc| alive_bits.is_none_or(|a| a.is_alive(doc)))
                    .collect(),
            };
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while let Some((key, info)) = stream.next() {
                let Some(id) = std::str::from_utf8(key)
                    .ok()
                    .and_then(|term| vocabulary.stats(term))
                    .map(|s| s.id as usize)
                else {
                    continue;
                };
                let mut postings = inverted
                    .read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
                    .map_err(tantivy::TantivyError::from)?;
                let start = segment.postings.len() as u32;
                let mut doc = postings.doc();
                while doc != tantivy::TERMINATED {
                    segment.postings.push((doc, postings.term_freq()));
                    doc = postings.advance();
                }
                if let Some(range) = segment.ranges.get_mut(id) {
                    *range = (start, segment.postings.len() as u32);
                }
            }
            segments.push(segment);
        }
        Ok(Some(SmallPostings {
            segments,
            docs,
            doc_freqs,
        }))
    }

    /// Documents in the index: the direct search applies when they fit the cutoff.
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// Every document matching a clause, scored as tantivy's `BooleanQuery` of SHOULD term
    /// clauses scores it, best first by the cutoff's order.
    ///
    /// Within a segment, tantivy's block-max WAND (with nothing to prune) keeps its term
    /// scorers sorted by current document (stable, starting from clause order), adds up the
    /// scores of those on the lowest document in that order, advances them, drops finished
    /// ones with `swap_remove` and sorts again. Floating-point addition is not associative,
    /// so the same steps are taken here to add the same numbers in the same order.
    pub fn search(&self, clauses: &[Clause]) -> Vec<Scored> {
        let mut found = Vec::new();
        for segment in &self.segments {
            let mut cursors: Vec<Cursor> = clauses
                .iter()
                .filter_map(|clause| {
                    let &(start, end) = segment.ranges.get(clause.id as usize)?;
                    let postings = segment.postings.get(start as usize..end as usize)?;
                    (!postings.is_empty()).then(|| Cursor {
                        postings,
                        at: 0,
                        weight: self.weight(clause),
                    })
                })
                .collect();
            let mut offer = |doc: DocId, score: Score| {
                if segment.alive.get(doc as usize) == Some(&true) {
                    found.push(Scored {
                        score,
                        order: segment.orders[doc as usize],
                        address: DocAddress::new(segment.ord, doc),
                    });
                }
            };
            let term_score = |cursor: &Cursor| {
                let (doc, freq) = cursor.postings[cursor.at];
                let freq = freq as Score;
                cursor.weight * (freq / (freq + segment.norms[doc as usize]))
            };
            if cursors.len() == 1 {
                // tantivy's single-scorer path: no sum at all.
                let cursor = &mut cursors[0];
                while cursor.at < cursor.postings.len() {
                    offer(cursor.doc(), term_score(cursor));
                    cursor.at += 1;
                }
                continue;
            }
            cursors.sort_by_key(Cursor::doc);
            while let Some(pivot) = cursors.first().map(Cursor::doc) {
                let on_pivot = cursors.iter().take_while(|c| c.doc() == pivot).count();
                let score: Score = cursors[..on_pivot].iter().map(term_score).sum();
                offer(pivot, score);
                for cursor in &mut cursors[..on_pivot] {
                    cursor.at += 1;
                }
                let mut i = 0;
                while i != cursors.len() {
                    if cursors[i].doc() == DocId::MAX {
                        cursors.swap_remove(i);
                    } else {
                        i += 1;
                    }
                }
                cursors.sort_by_key(Cursor::doc);
            }
        }
        cutoff::best_first(&mut found);
        found
    }

    /// BM25 weight of a clause: `idf * (1 + K1)`, times its boost.
    fn weight(&self, clause: &Clause) -> Score {
        let doc_freq = self.doc_freqs.get(clause.id as usize).copied().unwrap_or(0);
        let weight = idf(doc_freq, self.docs) * (1.0 + K1);
        if clause.boost == 1.0 {
            weight
        } else {
            weight * clause.boost
        }
    }
}

/// tantivy's average field length: total tokens over total documents.
fn average_fieldnorm(body_tokens: u64, docs: u64) -> Score {
    body_tokens as Score / docs.max(1) as Score
}

/// tantivy's BM25 inverse document frequency.
fn idf(doc_freq: u64, docs: u64) -> Score {
    let x = (docs.saturating_sub(doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

/// The length part of BM25 for a field-norm code, as tantivy caches it per weight.
fn norm(fieldnorm_id: u8, average: Score) -> Score {
    let fieldnorm = FieldNormReader::id_to_fieldnorm(fieldnorm_id);
    K1 * (1.0 - B + B * fieldnorm as Score / average)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indexing::analysis::Analyzer;
    use crate::indexing::SearchIndex;
    use crate::ingest::Source;
    use crate::retrieve::{query, Retriever};
    use tantivy::query::Bm25Weight;

    fn retriever() -> Retriever {
        let (index, _) =
            SearchIndex::open_or_build(None, &Source::Embedded, false, false).expect("index");
        Retriever::new(index).expect("retriever")
    }

    /// Both searches, scores compared bit for bit.
    fn assert_same(retriever: &Retriever, matches: &[query::TermMatch], what: &str) {
        let searcher = retriever.index().searcher();
        let small = retriever.small.as_ref().expect("a small index");
        let clauses: Vec<Clause> = matches
            .iter()
            .map(|m| Clause {
                id: m.id,
                boost: m.credit,
            })
            .collect();
        let key = |s: &Scored| (s.score.to_bits(), s.order, s.address);
        let ours: Vec<_> = small.search(&clauses).iter().map(key).collect();
        let theirs: Vec<_> = retriever
            .tantivy_candidates(&searcher, matches.iter(), MAX_DOCS as usize)
            .expect("search")
            .iter()
            .map(key)
            .collect();
        assert_eq!(ours, theirs, "{what}");
    }

    #[test]
    fn same_candidates_and_scores_as_a_tantivy_search() {
        let retriever = retriever();
        let searcher = retriever.index().searcher();
        let mut analyzer = Analyzer::new();
        let options = crate::retrieve::RankOptions::default();
        let files = [
            include_str!("../../tests/fixtures/questions.jsonl"),
            include_str!("../../tests/fixtures/paraphrases.jsonl"),
            include_str!("../../tests/fixtures/probe-people.jsonl"),
            include_str!("../../tests/fixtures/probe-paraphrases.jsonl"),
        ];
        let mut questions = 0;
        for line in files.iter().flat_map(|f| f.lines()) {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let Some(question) = value.get("q").and_then(|q| q.as_str()) else {
                continue;
            };
            let mut plan = query::plan(retriever.index(), &searcher, &mut analyzer, question, 500);
            retriever.expand(&mut plan, &options);
            // Every match, ranking-only neighbours too: more words per document to add up.
            let matches: Vec<query::TermMatch> =
                plan.terms.iter().flat_map(|t| t.matches.clone()).collect();
            assert_same(&retriever, &matches, question);
            questions += 1;
        }
        assert!(questions > 100, "{questions}");
    }

    #[test]
    fn same_scores_for_arbitrary_word_sets() {
        // Sets of up to nine indexed terms with mixed boosts, repeated terms included: the
        // order in which a document's word scores are added is what this checks.
        let retriever = retriever();
        let vocabulary = retriever.index().vocabulary();
        let terms: Vec<(&str, u32)> = vocabulary.iter().map(|(t, s)| (t, s.id)).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for round in 0..2_000 {
            let count = 1 + next(9);
            let matches: Vec<query::TermMatch> = (0..count)
                .map(|_| {
                    let (term, id) = terms[next(terms.len())];
                    query::TermMatch {
                        term: term.to_string(),
                        id,
                        credit: [1.0, 0.8, 0.55, 0.63][next(4)],
                        ranking_only: false,
                    }
                })
                .collect();
            assert_same(&retriever, &matches, &format!("round {round}"));
        }
    }

    #[test]
    fn the_formula_is_tantivys_to_the_bit() {
        for (docs, tokens) in [(11u64, 1_200u64), (1, 7), (1000, 98_765), (16, 16)] {
            let average = average_fieldnorm(tokens, docs);
            let postings = SmallPostings {
                segments: Vec::new(),
                docs,
                doc_freqs: (0..=docs).collect(),
            };
            for doc_freq in 0..=docs.min(40) {
                for boost in [1.0, 0.8, 0.61, 0.45] {
                    let theirs = Bm25Weight::for_one_term(doc_freq, docs, average).boost_by(boost);
                    let weight = postings.weight(&Clause {
                        id: doc_freq as u32,
                        boost,
                    });
                    for fieldnorm_id in 0..=255u8 {
                        for freq in [1u32, 2, 3, 7, 40] {
                            let f = freq as Score;
                            let ours = weight * (f / (f + norm(fieldnorm_id, average)));
                            assert_eq!(
                                ours.to_bits(),
                                theirs.score(fieldnorm_id, freq).to_bits(),
                                "docs {docs} df {doc_freq} boost {boost} norm {fieldnorm_id} tf {freq}"
                            );
                        }
                    }
                }
            }
        }
    }
}
