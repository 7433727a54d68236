//! Word-level meaning: the index's own vocabulary embedded once at open, so a question word
//! the index does not know ("prosecution") can stand for close indexed words ("indictment",
//! "trial"), and any word can help order passages by its neighbours.
//! The cost per question is one scan of the vocabulary vectors per unknown word, whatever
//! the number of passages.

use super::{QuantisedQuery, QuantisedVectors, StaticModel};

/// Vocabulary terms with a vector each.
#[derive(Debug, Default)]
pub struct Neighbours {
    vectors: QuantisedVectors,
    /// Term (as indexed) and its vocabulary id, per vector.
    terms: Vec<(String, u32)>,
}

/// An indexed term close in meaning to a question word.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// The indexed term.
    pub term: String,
    /// Its vocabulary id.
    pub id: u32,
    /// Cosine between the question word and the term's word.
    pub similarity: f32,
}

impl Neighbours {
    /// Embeds `(term, id, surface word)` triples: the surface word (as written in a passage)
    /// embeds better than a stem, which is only a fallback.
    pub fn build<'a>(
        model: &StaticModel,
        terms: impl IntoIterator<Item = (&'a str, u32, &'a str)>,
    ) -> Neighbours {
        let mut out = Neighbours {
            vectors: QuantisedVectors::new(model.dims()),
            terms: Vec::new(),
        };
        for (term, id, surface) in terms {
            // Numbers and one-letter terms carry no meaning a neighbour could share.
            if term.chars().count() < 3 || term.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            if let Some(v) = model.embed(surface) {
                out.vectors.push(&v);
                out.terms.push((term.to_string(), id));
            }
        }
        out
    }

    /// Number of embedded terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when nothing was embedded.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Up to `limit` terms whose cosine with `word` is at least `min_similarity`, closest first.
    pub fn nearest(&self, word: &[f32], min_similarity: f32, limit: usize) -> Vec<Neighbour> {
        let mut found: Vec<Neighbour> = Vec::new();
        let word = QuantisedQuery::new(word);
        for (i, (term, id)) in self.terms.iter().enumerate() {
            let similarity = self.vectors.dot_quantised(i, &word);
            if similarity >= min_similarity {
                found.push(Neighbour {
                    term: term.clone(),
                    id: *id,
                    similarity,
                });
            }
        }
        found.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.term.cmp(&b.term))
        });
        found.truncate(limit);
        found
    }
}
