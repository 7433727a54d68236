//! Sentence-level vectors of a corpus: every sentence of every passage (paragraphs and
//! points), and every footnote a passage cites as a chunk of its own, mapped back to that
//! passage. A question is scored against all chunks; a passage's semantic score is its best
//! chunk's cosine (footnote chunks at a discount: they support a passage, they are not it).

use crate::indexing::record::PassageRecord;
use rustc_hash::FxHashMap;

use super::{QuantisedQuery, QuantisedVectors, StaticModel};

/// The best cosine between `question` and a chunk of `record`: one of its sentences, or a
/// footnote it cites discounted by `footnote_credit`, each embedded by `embed` (a passage
/// not in a [`ChunkIndex`], or another model than the static table).
pub fn best_chunk_similarity<V: AsRef<[f32]>>(
    record: &PassageRecord,
    question: &[f32],
    footnote_credit: f32,
    embed: impl Fn(&str) -> Option<V>,
) -> f32 {
    let sentences = record
        .sentences
        .iter()
        .filter_map(|s| record.text.get(s.start..s.end))
        .filter_map(&embed)
        .map(|v| super::dot(v.as_ref(), question));
    let footnotes = record
        .footnotes
        .iter()
        .filter_map(|f| embed(&f.text))
        .map(|v| super::dot(v.as_ref(), question) * footnote_credit);
    sentences.chain(footnotes).fold(0.0, f32::max)
}

/// What a chunk is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKind {
    /// One sentence of the passage text.
    Sentence,
    /// A footnote the passage cites.
    Footnote,
}

/// Vectors of all chunks of a set of passages, numbered 0.. in the order given.
#[derive(Debug, Default)]
pub struct ChunkIndex {
    vectors: QuantisedVectors,
    /// Passage number and kind of each chunk.
    owners: Vec<(u32, ChunkKind)>,
    passages: usize,
}

/// A passage's best chunk for a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkMatch {
    /// Cosine, footnote discount applied.
    pub score: f32,
    /// The kind of the best chunk.
    pub kind: ChunkKind,
}

impl ChunkIndex {
    /// Embeds the chunks of `records`; passage `i` is the `i`-th record.
    pub fn build<'a>(
        model: &StaticModel,
        records: impl IntoIterator<Item = &'a PassageRecord>,
    ) -> ChunkIndex {
        let mut index = ChunkIndex {
            vectors: QuantisedVectors::new(model.dims()),
            ..ChunkIndex::default()
        };
        // A footnote is cited by its paragraph and by the point holding the marker: embed once.
        let mut footnotes: FxHashMap<(String, u32), Option<Vec<f32>>> = FxHashMap::default();
        for (passage, record) in records.into_iter().enumerate() {
            let owner = passage as u32;
            for sentence in &record.sentences {
                let Some(text) = record.text.get(sentence.start..sentence.end) else {
                    continue;
                };
                if let Some(v) = model.embed(text) {
                    index.vectors.push(&v);
                    index.owners.push((owner, ChunkKind::Sentence));
                }
            }
            for footnote in &record.footnotes {
                let vector = footnotes
                    .entry((record.article.clone(), footnote.number))
                    .or_insert_with(|| model.embed(&footnote.text));
                if let Some(v) = vector {
                    index.vectors.push(v);
                    index.owners.push((owner, ChunkKind::Footnote));
                }
            }
            index.passages = passage + 1;
        }
        index
    }

    /// Number of chunks.
    pub fn len(&self) -> usize {
        self.owners.len()
    }

    /// True when no chunk has a vector.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// Best chunk per passage for a unit query vector (`None` for passages without chunks).
    pub fn best_per_passage(&self, query: &[f32], footnote_credit: f32) -> Vec<Option<ChunkMatch>> {
        let mut best: Vec<Option<ChunkMatch>> = vec![None; self.passages];
        let query = QuantisedQuery::new(query);
        for (i, &(owner, kind)) in self.owners.iter().enumerate() {
            let mut score = self.vectors.dot_quantised(i, &query);
            if kind == ChunkKind::Footnote {
                score *= footnote_credit;
            }
            let slot = &mut best[owner as usize];
            if slot.is_none_or(|m| score > m.score) {
                *slot = Some(ChunkMatch { score, kind });
            }
        }
        best
    }
}
