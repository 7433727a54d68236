//! BERT (all-MiniLM-L6-v2): word + token-type (row 0) + absolute position embeddings
//! (positions from 0), then a layer norm; `[CLS]` 101 and `[SEP]` 102; layers of plain
//! scaled dot-product attention. One struct per block, as candle's `bert.rs`, each loaded
//! from the weights under its own name prefix (`encoder.layer.{i}.attention.self.query`).

use serde::Deserialize;

use super::ops::{add, attention_per_text, gelu_all, LayerNorm, Linear};
use super::weights::Weights;
use super::ContextualError;

/// Longest input with the two markers (sentence-transformers' `max_seq_length` for
/// all-MiniLM-L6-v2).
const MAX_TOKENS: usize = 256;
/// BERT's sentence markers.
pub const CLS: u32 = 101;
pub const SEP: u32 = 102;

/// The part of `config.json` the forward pass needs.
#[derive(Debug, Deserialize)]
pub struct BertConfig {
    pub hidden_act: String,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f32,
}

impl BertConfig {
    /// Why this configuration cannot run, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.hidden_act != "gelu" {
            return Err(format!(
                "hidden_act {:?}: only \"gelu\" runs here",
                self.hidden_act
            ));
        }
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Err("hidden_size is not a multiple of num_attention_heads".into());
        }
        if self.max_position_embeddings < 8 || self.type_vocab_size == 0 {
            return Err(
                "max_position_embeddings must be at least 8 and type_vocab_size at least 1".into(),
            );
        }
        Ok(())
    }
}

/// Word, position and token-type embeddings, summed and normalised.
struct BertEmbeddings {
    word: Vec<f32>,
    position: Vec<f32>,
    /// Token type 0 (a single sentence).
    token_type: Vec<f32>,
    norm: LayerNorm,
}

impl BertEmbeddings {
    fn load(w: &Weights, c: &BertConfig) -> Result<BertEmbeddings, ContextualError> {
        let hidden = c.hidden_size;
        let mut token_type =
            w.tensor("token_type_embeddings.weight", &[c.type_vocab_size, hidden])?;
        token_type.truncate(hidden);
        Ok(BertEmbeddings {
            word: w.tensor("word_embeddings.weight", &[c.vocab_size, hidden])?,
            position: w.tensor(
                "position_embeddings.weight",
                &[c.max_position_embeddings, hidden],
            )?,
            token_type,
            norm: w.norm("LayerNorm", hidden, c.layer_norm_eps)?,
        })
    }

    /// The embedded rows of every input, stacked (positions count from 0 in each).
    fn forward(&self, inputs: &[Vec<u32>]) -> Vec<f32> {
        let hidden = self.token_type.len();
        let rows: usize = inputs.iter().map(Vec::len).sum();
        let mut x = Vec::with_capacity(rows * hidden);
        for ids in inputs {
            for (t, &id) in ids.iter().enumerate() {
                let word = &self.word[id as usize * hidden..][..hidden];
                let position = &self.position[t * hidden..][..hidden];
                x.extend(
                    word.iter()
                        .zip(position)
                        .zip(&self.token_type)
                        .map(|((w, p), k)| w + p + k),
                );
            }
        }
        self.norm.apply(&mut x);
        x
    }

    fn bytes(&self) -> usize {
        4 * (self.word.len() + self.position.len() + self.token_type.len() + self.norm.len())
    }
}

/// The query, key and value projections.
struct BertSelfAttention {
    query: Linear,
    key: Linear,
    value: Linear,
}

impl BertSelfAttention {
    fn load(w: &Weights, c: &BertConfig) -> Result<BertSelfAttention, ContextualError> {
        let hidden = c.hidden_size;
        Ok(BertSelfAttention {
            query: w.linear("query", hidden, hidden)?,
            key: w.linear("key", hidden, hidden)?,
            value: w.linear("value", hidden, hidden)?,
        })
    }

    fn forward(&self, x: &[f32], lengths: &[usize], heads: usize) -> Vec<f32> {
        let hidden = self.query.outputs();
        let tokens = lengths.iter().sum();
        let q = self.query.apply(x, tokens);
        let k = self.key.apply(x, tokens);
        let v = self.value.apply(x, tokens);
        attention_per_text(&q, &k, &v, lengths, hidden, heads, |_| None)
    }
}

/// A projection, the residual and a layer norm (after attention, and after the feed-forward
/// block: `BertSelfOutput` and `BertOutput` have the same shape).
struct BertResidual {
    dense: Linear,
    norm: LayerNorm,
}

impl BertResidual {
    fn load(w: &Weights, inputs: usize, c: &BertConfig) -> Result<BertResidual, ContextualError> {
        Ok(BertResidual {
            dense: w.linear("dense", inputs, c.hidden_size)?,
            norm: w.norm("LayerNorm", c.hidden_size, c.layer_norm_eps)?,
        })
    }

    fn forward(&self, x: &[f32], residual: &[f32], tokens: usize) -> Vec<f32> {
        let mut out = self.dense.apply(x, tokens);
        add(&mut out, residual);
        self.norm.apply(&mut out);
        out
    }
}

/// Attention, then the feed-forward block.
struct BertLayer {
    attention: BertSelfAttention,
    attention_output: BertResidual,
    intermediate: Linear,
    output: BertResidual,
}

impl BertLayer {
    fn load(w: &Weights, c: &BertConfig) -> Result<BertLayer, ContextualError> {
        let (hidden, inner) = (c.hidden_size, c.intermediate_size);
        Ok(BertLayer {
            attention: BertSelfAttention::load(&w.prefix("attention.self"), c)?,
            attention_output: BertResidual::load(&w.prefix("attention.output"), hidden, c)?,
            intermediate: w.linear("intermediate.dense", hidden, inner)?,
            output: BertResidual::load(&w.prefix("output"), inner, c)?,
        })
    }

    /// One layer over the stacked rows of texts `lengths` tokens long.
    fn forward(&self, x: &[f32], lengths: &[usize], heads: usize) -> Vec<f32> {
        let tokens = lengths.iter().sum();
        let context = self.attention.forward(x, lengths, heads);
        let attended = self.attention_output.forward(&context, x, tokens);
        let mut inner = self.intermediate.apply(&attended, tokens);
        gelu_all(&mut inner);
        self.output.forward(&inner, &attended, tokens)
    }

    fn bytes(&self) -> usize {
        let a = &self.attention;
        a.query.bytes()
            + a.key.bytes()
            + a.value.bytes()
            + self.attention_output.dense.bytes()
            + 4 * self.attention_output.norm.len()
            + self.intermediate.bytes()
            + self.output.dense.bytes()
            + 4 * self.output.norm.len()
    }
}

/// A BERT encoder.
pub struct Bert {
    embeddings: BertEmbeddings,
    layers: Vec<BertLayer>,
    pub hidden: usize,
    heads: usize,
    max_positions: usize,
}

impl Bert {
    /// Loads the encoder `c` describes.
    pub fn load(w: &Weights, c: &BertConfig) -> Result<Bert, ContextualError> {
        let layers = (0..c.num_hidden_layers)
            .map(|i| BertLayer::load(&w.prefix(&format!("encoder.layer.{i}")), c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Bert {
            embeddings: BertEmbeddings::load(&w.prefix("embeddings"), c)?,
            layers,
            hidden: c.hidden_size,
            heads: c.num_attention_heads,
            max_positions: c.max_position_embeddings,
        })
    }

    /// Longest input with the markers.
    pub fn max_tokens(&self) -> usize {
        MAX_TOKENS.min(self.max_positions)
    }

    /// "BERT, 6 layers, 384 wide".
    pub fn architecture(&self) -> String {
        format!("BERT, {} layers, {} wide", self.layers.len(), self.hidden)
    }

    /// Bytes of weights held.
    pub fn bytes(&self) -> usize {
        self.layers.iter().map(BertLayer::bytes).sum::<usize>() + self.embeddings.bytes()
    }

    /// Last hidden states of each input (markers included), one forward pass for all: the
    /// rows of every input, `len × hidden` each, stacked in order. Each input's rows are
    /// exactly those it gets alone.
    pub fn forward(&self, inputs: &[Vec<u32>]) -> Vec<f32> {
        let lengths: Vec<usize> = inputs.iter().map(Vec::len).collect();
        let mut x = self.embeddings.forward(inputs);
        for layer in &self.layers {
            x = layer.forward(&x, &lengths, self.heads);
        }
        x
    }
}
