//! MPNet (all-mpnet-base-v2): word and absolute position embeddings (positions from 2, the
//! RoBERTa convention), markers `<s>` 0 and `</s>` 2, twelve layers whose attention adds a
//! learned bias per relative-distance bucket (T5's buckets).

use serde::Deserialize;

use super::ops::{add, attention_per_text, gelu_all, LayerNorm, Linear};
use super::weights::Weights;

/// Longest input, in tokens with the two markers (sentence-transformers' limit for this model).
const MAX_TOKENS: usize = 384;
/// MPNet's sentence markers.
pub const BOS: u32 = 0;
pub const EOS: u32 = 2;
/// Positions count from the padding id plus one (RoBERTa's convention, which MPNet keeps).
const FIRST_POSITION: usize = 2;

/// The part of `config.json` the forward pass needs.
#[derive(Debug, Deserialize)]
pub struct MpnetConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub layer_norm_eps: f32,
    pub relative_attention_num_buckets: usize,
}

impl MpnetConfig {
    /// Why this configuration cannot run, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Err("hidden_size is not a multiple of num_attention_heads".into());
        }
        if self.max_position_embeddings < 8 || self.relative_attention_num_buckets < 4 {
            return Err("max_position_embeddings must be at least 8 and relative_attention_num_buckets at least 4".into());
        }
        Ok(())
    }
}

/// One encoder layer.
struct MpnetLayer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl MpnetLayer {
    fn load(w: &Weights, c: &MpnetConfig) -> Result<MpnetLayer, super::ContextualError> {
        let (hidden, inner, eps) = (c.hidden_size, c.intermediate_size, c.layer_norm_eps);
        Ok(MpnetLayer {
            query: w.linear("attention.attn.q", hidden, hidden)?,
            key: w.linear("attention.attn.k", hidden, hidden)?,
            value: w.linear("attention.attn.v", hidden, hidden)?,
            attention_out: w.linear("attention.attn.o", hidden, hidden)?,
            attention_norm: w.norm("attention.LayerNorm", hidden, eps)?,
            intermediate: w.linear("intermediate.dense", hidden, inner)?,
            output: w.linear("output.dense", inner, hidden)?,
            output_norm: w.norm("output.LayerNorm", hidden, eps)?,
        })
    }

    /// One layer over the stacked rows of texts `lengths` tokens long, each with its own
    /// relative-position bias.
    fn forward(&self, x: &[f32], lengths: &[usize], heads: usize, biases: &[&[f32]]) -> Vec<f32> {
        let hidden = self.query.outputs();
        let tokens = lengths.iter().sum();
        let q = self.query.apply(x, tokens);
        let k = self.key.apply(x, tokens);
        let v = self.value.apply(x, tokens);
        let context = attention_per_text(&q, &k, &v, lengths, hidden, heads, |i| {
            biases.get(i).copied()
        });
        let mut attended = self.attention_out.apply(&context, tokens);
        add(&mut attended, x);
        self.attention_norm.apply(&mut attended);
        let mut inner = self.intermediate.apply(&attended, tokens);
        gelu_all(&mut inner);
        let mut out = self.output.apply(&inner, tokens);
        add(&mut out, &attended);
        self.output_norm.apply(&mut out);
        out
    }

    fn bytes(&self) -> usize {
        self.query.bytes()
            + self.key.bytes()
            + self.value.bytes()
            + self.attention_out.bytes()
            + 4 * self.attention_norm.len()
            + self.intermediate.bytes()
            + self.output.bytes()
            + 4 * self.output_norm.len()
    }
}

/// An MPNet encoder.
pub struct Mpnet {
    word_embeddings: Vec<f32>,
    position_embeddings: Vec<f32>,
    embedding_norm: LayerNorm,
    /// `buckets × heads`: the bias each head adds for a relative distance bucket.
    relative_bias: Vec<f32>,
    layers: Vec<MpnetLayer>,
    pub hidden: usize,
    heads: usize,
    buckets: usize,
    max_positions: usize,
}

impl Mpnet {
    /// Loads the encoder `c` describes.
    pub fn load(w: &Weights, c: &MpnetConfig) -> Result<Mpnet, super::ContextualError> {
        let hidden = c.hidden_size;
        let layers = (0..c.num_hidden_layers)
            .map(|i| MpnetLayer::load(&w.prefix(&format!("encoder.layer.{i}")), c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Mpnet {
            word_embeddings: w
                .tensor("embeddings.word_embeddings.weight", &[c.vocab_size, hidden])?,
            position_embeddings: w.tensor(
                "embeddings.position_embeddings.weight",
                &[c.max_position_embeddings, hidden],
            )?,
            embedding_norm: w.norm("embeddings.LayerNorm", hidden, c.layer_norm_eps)?,
            relative_bias: w.tensor(
                "encoder.relative_attention_bias.weight",
                &[c.relative_attention_num_buckets, c.num_attention_heads],
            )?,
            layers,
            hidden,
            heads: c.num_attention_heads,
            buckets: c.relative_attention_num_buckets,
            max_positions: c.max_position_embeddings,
        })
    }

    /// Longest input with the markers.
    pub fn max_tokens(&self) -> usize {
        MAX_TOKENS.min(self.max_positions.saturating_sub(FIRST_POSITION))
    }

    /// "MPNet, 12 layers, 768 wide".
    pub fn architecture(&self) -> String {
        format!("MPNet, {} layers, {} wide", self.layers.len(), self.hidden)
    }

    /// Bytes of weights held.
    pub fn bytes(&self) -> usize {
        self.layers.iter().map(MpnetLayer::bytes).sum::<usize>()
            + 4 * (self.word_embeddings.len()
                + self.position_embeddings.len()
                + self.embedding_norm.len()
                + self.relative_bias.len())
    }

    /// Last hidden states of each input (markers included), one forward pass for all: the
    /// rows of every input, `len × hidden` each, stacked in order. Each input's rows are
    /// exactly those it gets alone.
    pub fn forward(&self, inputs: &[Vec<u32>]) -> Vec<f32> {
        let hidden = self.hidden;
        let lengths: Vec<usize> = inputs.iter().map(Vec::len).collect();
        let mut x = Vec::with_capacity(lengths.iter().sum::<usize>() * hidden);
        for ids in inputs {
            for (t, &id) in ids.iter().enumerate() {
                let word = &self.word_embeddings[id as usize * hidden..][..hidden];
                let position = &self.position_embeddings[(t + FIRST_POSITION) * hidden..][..hidden];
                x.extend(word.iter().zip(position).map(|(w, p)| w + p));
            }
        }
        self.embedding_norm.apply(&mut x);
        // The relative-position bias of every head for every (query, key) pair, once per
        // length.
        let mut by_length: Vec<(usize, Vec<f32>)> = Vec::new();
        for &tokens in &lengths {
            if !by_length.iter().any(|(n, _)| *n == tokens) {
                by_length.push((tokens, self.bias(tokens)));
            }
        }
        let biases: Vec<&[f32]> = lengths
            .iter()
            .filter_map(|&tokens| {
                by_length
                    .iter()
                    .find(|(n, _)| *n == tokens)
                    .map(|(_, bias)| bias.as_slice())
            })
            .collect();
        for layer in &self.layers {
            x = layer.forward(&x, &lengths, self.heads, &biases);
        }
        x
    }

    /// The relative-position bias of every head for every (query, key) pair of a text
    /// `tokens` long, `heads × tokens × tokens`.
    fn bias(&self, tokens: usize) -> Vec<f32> {
        let mut bias = vec![0.0f32; self.heads * tokens * tokens];
        for i in 0..tokens {
            for j in 0..tokens {
                let bucket = relative_bucket(j as i64 - i as i64, self.buckets, 128);
                for h in 0..self.heads {
                    bias[(h * tokens + i) * tokens + j] =
                        self.relative_bias[bucket * self.heads + h];
                }
            }
        }
        bias
    }
}

/// MPNet's (T5's) bucket of a relative distance `key - query`: exact for small distances,
/// logarithmic up to `max_distance`, one half of the buckets per direction.
fn relative_bucket(relative: i64, buckets: usize, max_distance: usize) -> usize {
    let half = (buckets / 2) as i64;
    let n = -relative;
    let mut bucket = if n < 0 { half } else { 0 };
    let n = n.abs();
    let exact = half / 2;
    bucket += if n < exact {
        n
    } else {
        let scaled = ((n as f64 / exact as f64).ln() / (max_distance as f64 / exact as f64).ln()
            * (half - exact) as f64) as i64;
        (exact + scaled).min(half - 1)
    };
    bucket as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_buckets_match_mpnet() {
        // key before query (relative < 0) and after land in different halves.
        assert_eq!(relative_bucket(0, 32, 128), 0);
        assert_eq!(relative_bucket(-3, 32, 128), 3);
        assert_eq!(relative_bucket(3, 32, 128), 19);
        assert_eq!(relative_bucket(-7, 32, 128), 7);
        assert_eq!(relative_bucket(-8, 32, 128), 8);
        assert_eq!(relative_bucket(-1000, 32, 128), 15);
        assert_eq!(relative_bucket(1000, 32, 128), 31);
    }
}
