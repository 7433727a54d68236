//! The BM25 candidate cutoff: the `limit` best documents by score, equal scores broken by the
//! passage's place in the corpus (the `order` fast field) instead of by document address.
//!
//! tantivy's `TopDocs` keeps the lower document address on a tie, and addresses depend on how
//! the build spread documents over its indexing threads and segments, so two builds of the same
//! articles could hand re-ranking different candidates (and give different answers). Here the
//! tie-break is a property of the corpus. Block-WAND pruning is kept: documents scoring below
//! the current `limit`-th score are still skipped, only equal ones are looked at.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::indexing::schema::ORDER_FIELD;

/// One collected document.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    /// BM25 score.
    pub score: Score,
    /// Place in the corpus (lower wins a tie).
    pub order: u64,
    /// Where the document is.
    pub address: DocAddress,
}

impl Scored {
    /// Better first: higher score, then lower order.
    fn rank(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.order.cmp(&other.order))
    }
}

/// Sorts documents best first: higher score, then lower order (the merged cutoff's order).
pub fn best_first(documents: &mut [Scored]) {
    documents.sort_by(Scored::rank);
}

/// Heap entry ordered so the heap's top is the worst kept document.
struct Worst(Scored);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank(&other.0)
    }
}

/// The best `limit` documents by score, ties by corpus order; best first.
pub struct TopCandidates {
    limit: usize,
}

impl TopCandidates {
    /// Keeps at most `limit` documents (at least one).
    pub fn new(limit: usize) -> Self {
        TopCandidates {
            limit: limit.max(1),
        }
    }
}

/// The per-segment half of [`TopCandidates`].
pub struct SegmentTop {
    limit: usize,
    segment: SegmentOrdinal,
    order: Column<u64>,
    /// Max-heap on "worse", so its top is the document to drop next.
    kept: BinaryHeap<Worst>,
}

impl SegmentTop {
    /// Offers a document; returns the score a later document must exceed to be offered
    /// (just under the worst kept score once full, so ties still come through).
    fn offer(&mut self, doc: DocId, score: Score) -> Score {
        let scored = Scored {
            score,
            order: self.order.first(doc).unwrap_or(u64::MAX),
            address: DocAddress::new(self.segment, doc),
        };
        if self.kept.len() < self.limit {
            self.kept.push(Worst(scored));
        } else if let Some(mut worst) = self.kept.peek_mut() {
            if scored.rank(&worst.0) == Ordering::Less {
                *worst = Worst(scored);
            }
        }
        self.threshold()
    }

    fn threshold(&self) -> Score {
        match self.kept.peek() {
            Some(worst) if self.kept.len() >= self.limit => worst.0.score.next_down(),
            _ => Score::MIN,
        }
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<Scored>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, score);
    }

    fn harvest(self) -> Vec<Scored> {
        self.kept.into_iter().map(|w| w.0).collect()
    }
}

impl Collector for TopCandidates {
    type Fruit = Vec<Scored>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            limit: self.limit,
            segment,
            order: reader.fast_fields().u64(ORDER_FIELD)?,
            kept: BinaryHeap::with_capacity(self.limit),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Scored>>) -> tantivy::Result<Vec<Scored>> {
        let mut all: Vec<Scored> = fruits.into_iter().flatten().collect();
        best_first(&mut all);
        all.truncate(self.limit);
        Ok(all)
    }

    /// Like `TopDocs`: let the query skip documents that cannot make the cut.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Scored>> {
        let mut top = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return top.threshold();
            }
            top.offer(doc, score)
        })?;
        Ok(top.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, FAST, TEXT};
    use tantivy::{doc, Index, Term};

    /// An index of `texts` whose documents carry the given orders, in as many segments as
    /// there are groups.
    fn index(groups: &[&[(&str, u64)]]) -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let order = schema.add_u64_field(ORDER_FIELD, FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for group in groups {
            for (text, o) in *group {
                writer
                    .add_document(doc!(body => *text, order => *o))
                    .expect("add");
            }
            writer.commit().expect("commit");
        }
        (index, body)
    }

    fn query(body: tantivy::schema::Field, words: &[&str]) -> BooleanQuery {
        BooleanQuery::new(
            words
                .iter()
                .map(|w| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(body, w),
                        IndexRecordOption::WithFreqs,
                    ));
                    (Occur::Should, q)
                })
                .collect(),
        )
    }

    #[test]
    fn equal_scores_go_to_the_lower_order() {
        // One segment of identical documents (equal scores) whose orders run against their
        // addresses: tantivy keeps the first addresses (orders 5, 4, 3), the cutoff orders 0, 1, 2.
        let same: Vec<(&str, u64)> = (0..6).rev().map(|o| ("hotline talks", o)).collect();
        let (index, body) = index(&[&same]);
        let searcher = index.reader().expect("reader").searcher();
        let q = query(body, &["hotline"]);
        let got = searcher.search(&q, &TopCandidates::new(3)).expect("search");
        let orders: Vec<u64> = got.iter().map(|s| s.order).collect();
        assert_eq!(orders, vec![0, 1, 2]);
        let docs: Vec<u32> = got.iter().map(|s| s.address.doc_id).collect();
        assert_eq!(docs, vec![5, 4, 3]);
        let tantivy: Vec<u32> = searcher
            .search(&q, &TopDocs::with_limit(3).order_by_score())
            .expect("search")
            .into_iter()
            .map(|(_, a)| a.doc_id)
            .collect();
        assert_eq!(tantivy, vec![0, 1, 2]);
    }

    #[test]
    fn equal_scores_go_to_the_lower_order_across_segments() {
        let (index, body) = index(&[
            &[("hotline talks", 5), ("hotline talks", 4)],
            &[("hotline talks", 3), ("hotline talks", 2), ("unrelated", 9)],
            &[("hotline talks", 1), ("hotline talks", 0)],
        ]);
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        for limit in 1..=6 {
            let got = searcher
                .search(&query(body, &["hotline"]), &TopCandidates::new(limit))
                .expect("search");
            let orders: Vec<u64> = got.iter().map(|s| s.order).collect();
            assert_eq!(orders, (0..limit as u64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn without_ties_it_keeps_what_tantivy_keeps_in_the_same_order() {
        let texts = [
            ("hotline hotline hotline talks", 0),
            ("hotline talks talks", 1),
            ("talks about a hotline and sanctions and more words here", 2),
            ("sanctions", 3),
            ("hotline", 4),
            ("nothing", 5),
            ("talks talks talks talks", 6),
        ];
        let (index, body) = index(&[&texts[..3], &texts[3..]]);
        let searcher = index.reader().expect("reader").searcher();
        for limit in 1..=7 {
            let q = query(body, &["hotline", "talks", "sanctions"]);
            let ours: Vec<(Score, DocAddress)> = searcher
                .search(&q, &TopCandidates::new(limit))
                .expect("search")
                .into_iter()
                .map(|s| (s.score, s.address))
                .collect();
            let theirs = searcher
                .search(&q, &TopDocs::with_limit(limit).order_by_score())
                .expect("search");
            assert_eq!(ours, theirs, "limit {limit}");
        }
    }
}
