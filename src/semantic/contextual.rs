//! Opt-in contextual meaning: a full sentence transformer (all-mpnet-base-v2, MPNet
//! architecture) run on the CPU from a model folder the admin provides (`[semantic]
//! model_dir`, made by `scripts/fetch_mpnet.sh`). Each word's vector depends on its
//! sentence, which the static table cannot do: "hackers" near "perpetrators", "can the US
//! punish them with money" near "economic sanctions". It costs tens of milliseconds per text
//! and about 450 MB of memory, so it only re-ranks the candidates the engine already found,
//! and it is never the default (the default must answer in microseconds).
//!
//! Tokens come from the engine's own WordPiece tokenizer (BERT uncased, the vocabulary MPNet
//! reuses after four special tokens); the model folder's `vocab.txt` is checked to match.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::Mutex;

use serde::Deserialize;

use super::wordpiece::WordPiece;
use super::{normalise, StaticModel};
use crate::indexing::record::PassageRecord;

/// Longest input, in tokens with the two markers (sentence-transformers' limit for this model).
const MAX_TOKENS: usize = 384;
/// MPNet's sentence markers.
const BOS: u32 = 0;
const EOS: u32 = 2;
/// Positions count from the padding id plus one (RoBERTa's convention, which MPNet keeps).
const FIRST_POSITION: usize = 2;

/// Where `summit-bot model fetch` installs all-mpnet-base-v2, and where the engine looks for
/// a model when `[semantic] model_dir` is unset (relative to the working directory).
pub const DEFAULT_MODEL_DIR: &str = "models/all-mpnet-base-v2";

/// The files of a model folder.
pub const MODEL_FILES: [&str; 3] = ["config.json", "vocab.txt", "model.safetensors"];

/// Which transformer folder the engine loads, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// No transformer: `model_dir = ""`, or unset with no complete default folder.
    StaticOnly {
        /// Why, in a few words ("model_dir is \"\"", "no models/all-mpnet-base-v2").
        reason: String,
    },
    /// `[semantic] model_dir` names this folder.
    Configured(PathBuf),
    /// `model_dir` is unset and [`DEFAULT_MODEL_DIR`] holds every model file.
    Found(PathBuf),
}

impl ModelChoice {
    /// The folder to load, if any.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            ModelChoice::StaticOnly { .. } => None,
            ModelChoice::Configured(dir) | ModelChoice::Found(dir) => Some(dir),
        }
    }
}

/// The model folder for `[semantic] model_dir` = `configured`: the folder it names, none for
/// an empty string, and when unset the default folder if it holds every model file (an
/// incomplete one is not used: `summit-bot model fetch` installs atomically, so a partial
/// folder was made by hand).
pub fn choose(configured: Option<&Path>) -> ModelChoice {
    match configured {
        Some(dir) if dir.as_os_str().is_empty() => ModelChoice::StaticOnly {
            reason: "model_dir is \"\"".into(),
        },
        Some(dir) => ModelChoice::Configured(dir.to_path_buf()),
        None => {
            let dir = Path::new(DEFAULT_MODEL_DIR);
            if !dir.is_dir() {
                return ModelChoice::StaticOnly {
                    reason: format!("no {DEFAULT_MODEL_DIR}"),
                };
            }
            match missing_files(dir).first() {
                None => ModelChoice::Found(dir.to_path_buf()),
                Some(missing) => ModelChoice::StaticOnly {
                    reason: format!("{DEFAULT_MODEL_DIR} has no {missing}"),
                },
            }
        }
    }
}

/// The model files `dir` lacks (or holds as something other than a non-empty file).
pub fn missing_files(dir: &Path) -> Vec<&'static str> {
    MODEL_FILES
        .into_iter()
        .filter(|name| !std::fs::metadata(dir.join(name)).is_ok_and(|m| m.is_file() && m.len() > 0))
        .collect()
}

/// Why a model folder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ContextualError {
    /// A file of the folder could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        path: PathBuf,
        /// The operating system's reason: in the message, not a `source`, so that a printed
        /// error chain says it once.
        reason: std::io::Error,
    },
    /// `config.json` is not an MPNet configuration this code runs.
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    /// A weight is missing or has an unexpected type or shape.
    #[error("model.safetensors: {0}")]
    Weights(String),
}

/// The part of `config.json` the forward pass needs.
#[derive(Debug, Deserialize)]
struct Config {
    model_type: String,
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    layer_norm_eps: f32,
    relative_attention_num_buckets: usize,
}

/// A dense layer: `weight` is `outputs × inputs`, row-major (PyTorch's layout).
struct Linear {
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

struct LayerNorm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// An MPNet sentence encoder with mean pooling.
pub struct ContextualModel {
    tokenizer: &'static WordPiece,
    /// Added to an id of the engine's tokenizer to get the model's id.
    id_offset: u32,
    word_embeddings: Vec<f32>,
    position_embeddings: Vec<f32>,
    embedding_norm: LayerNorm,
    /// `buckets × heads`: the bias each head adds for a relative distance bucket.
    relative_bias: Vec<f32>,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
    buckets: usize,
    max_positions: usize,
    eps: f32,
}

impl std::fmt::Debug for ContextualModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextualModel")
            .field("layers", &self.layers.len())
            .field("hidden", &self.hidden)
            .finish()
    }
}

impl ContextualModel {
    /// The model of `dir`, loaded once per process and shared (a reload of the articles
    /// builds a new engine, and must not read 440 MB again).
    pub fn shared(dir: &Path) -> Result<Arc<ContextualModel>, ContextualError> {
        type Loaded = Mutex<Vec<(PathBuf, Weak<ContextualModel>)>>;
        static LOADED: OnceLock<Loaded> = OnceLock::new();
        let loaded = LOADED.get_or_init(Default::default);
        // Loading under the lock: two engines opening at once then share one load.
        let mut loaded = loaded.lock();
        loaded.retain(|(_, model)| model.strong_count() > 0);
        if let Some(model) = loaded
            .iter()
            .find(|(path, _)| path == dir)
            .and_then(|(_, model)| model.upgrade())
        {
            return Ok(model);
        }
        let model = Arc::new(ContextualModel::load(dir)?);
        loaded.push((dir.to_path_buf(), Arc::downgrade(&model)));
        Ok(model)
    }

    /// Reads `config.json`, `vocab.txt` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path) -> Result<ContextualModel, ContextualError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|reason| ContextualError::Read { path, reason })
        };
        let config_path = dir.join("config.json");
        let config: Config =
            serde_json::from_slice(&read("config.json")?).map_err(|e| ContextualError::Config {
                path: config_path.clone(),
                message: e.to_string(),
            })?;
        let config_error = |message: String| ContextualError::Config {
            path: config_path.clone(),
            message,
        };
        if config.model_type != "mpnet" {
            return Err(config_error(format!(
                "model_type {:?}: only \"mpnet\" models run here",
                config.model_type
            )));
        }
        if config.num_attention_heads == 0
            || !config
                .hidden_size
                .is_multiple_of(config.num_attention_heads)
        {
            return Err(config_error(
                "hidden_size is not a multiple of num_attention_heads".into(),
            ));
        }
        if config.max_position_embeddings < 8 || config.relative_attention_num_buckets < 4 {
            return Err(config_error(
                "max_position_embeddings must be at least 8 and relative_attention_num_buckets at least 4".into(),
            ));
        }
        let tokenizer = StaticModel::embedded().tokenizer();
        let vocab_bytes = read("vocab.txt")?;
        let vocab = String::from_utf8_lossy(&vocab_bytes);
        let id_offset = vocab_offset(tokenizer, &vocab).ok_or_else(|| {
            config_error(
                "vocab.txt is not the BERT uncased vocabulary after MPNet's special tokens".into(),
            )
        })?;
        if tokenizer.len() + id_offset as usize > config.vocab_size {
            return Err(config_error("vocab_size is smaller than vocab.txt".into()));
        }

        // Mapped, not read: the weights are copied out once as f32 and the file's pages stay
        // in the page cache (reading it whole doubled the peak at load, 876 MB for mpnet).
        let weights_path = dir.join("model.safetensors");
        let file = std::fs::File::open(&weights_path).map_err(|reason| ContextualError::Read {
            path: weights_path.clone(),
            reason,
        })?;
        // SAFETY: the map is read-only and lives only during this function; a file truncated
        // meanwhile by another process could fault, which is what reading it would have
        // reported as an error (model folders are installed atomically and never edited).
        let bytes =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|reason| ContextualError::Read {
                path: weights_path.clone(),
                reason,
            })?;
        let tensors = safetensors::SafeTensors::deserialize(&bytes)
            .map_err(|e| ContextualError::Weights(e.to_string()))?;
        let hidden = config.hidden_size;
        let tensor = |name: &str, shape: &[usize]| -> Result<Vec<f32>, ContextualError> {
            let view = tensors
                .tensor(name)
                .map_err(|_| ContextualError::Weights(format!("no tensor {name}")))?;
            if view.dtype() != safetensors::Dtype::F32 {
                return Err(ContextualError::Weights(format!(
                    "{name} is {:?}, expected F32",
                    view.dtype()
                )));
            }
            if view.shape() != shape {
                return Err(ContextualError::Weights(format!(
                    "{name} has shape {:?}, expected {shape:?}",
                    view.shape()
                )));
            }
            Ok(view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let linear =
            |name: &str, inputs: usize, outputs: usize| -> Result<Linear, ContextualError> {
                Ok(Linear {
                    weight: tensor(&format!("{name}.weight"), &[outputs, inputs])?,
                    bias: tensor(&format!("{name}.bias"), &[outputs])?,
                    inputs,
                    outputs,
                })
            };
        let norm = |name: &str| -> Result<LayerNorm, ContextualError> {
            Ok(LayerNorm {
                weight: tensor(&format!("{name}.weight"), &[hidden])?,
                bias: tensor(&format!("{name}.bias"), &[hidden])?,
            })
        };
        let inner = config.intermediate_size;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for layer in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{layer}");
            layers.push(Layer {
                query: linear(&format!("{p}.attention.attn.q"), hidden, hidden)?,
                key: linear(&format!("{p}.attention.attn.k"), hidden, hidden)?,
                value: linear(&format!("{p}.attention.attn.v"), hidden, hidden)?,
                attention_out: linear(&format!("{p}.attention.attn.o"), hidden, hidden)?,
                attention_norm: norm(&format!("{p}.attention.LayerNorm"))?,
                intermediate: linear(&format!("{p}.intermediate.dense"), hidden, inner)?,
                output: linear(&format!("{p}.output.dense"), inner, hidden)?,
                output_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        Ok(ContextualModel {
            tokenizer,
            id_offset,
            word_embeddings: tensor(
                "embeddings.word_embeddings.weight",
                &[config.vocab_size, hidden],
            )?,
            position_embeddings: tensor(
                "embeddings.position_embeddings.weight",
                &[config.max_position_embeddings, hidden],
            )?,
            embedding_norm: norm("embeddings.LayerNorm")?,
            relative_bias: tensor(
                "encoder.relative_attention_bias.weight",
                &[
                    config.relative_attention_num_buckets,
                    config.num_attention_heads,
                ],
            )?,
            layers,
            hidden,
            heads: config.num_attention_heads,
            buckets: config.relative_attention_num_buckets,
            max_positions: config.max_position_embeddings,
            eps: config.layer_norm_eps,
        })
    }

    /// "MPNet, 12 layers, 768 wide".
    pub fn architecture(&self) -> String {
        format!("MPNet, {} layers, {} wide", self.layers.len(), self.hidden)
    }

    /// Bytes of weights held in memory (f32).
    pub fn weight_bytes(&self) -> usize {
        let linear = |l: &Linear| l.weight.len() + l.bias.len();
        let norm = |n: &LayerNorm| n.weight.len() + n.bias.len();
        let layers: usize = self
            .layers
            .iter()
            .map(|l| {
                linear(&l.query)
                    + linear(&l.key)
                    + linear(&l.value)
                    + linear(&l.attention_out)
                    + norm(&l.attention_norm)
                    + linear(&l.intermediate)
                    + linear(&l.output)
                    + norm(&l.output_norm)
            })
            .sum();
        4 * (layers
            + self.word_embeddings.len()
            + self.position_embeddings.len()
            + norm(&self.embedding_norm)
            + self.relative_bias.len())
    }

    /// The normalised mean of the last layer over `text`'s tokens and markers (what
    /// sentence-transformers returns for this model), or `None` for a text without tokens.
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let mut ids = Vec::new();
        self.tokenizer.encode(text, &mut ids);
        if ids.is_empty() {
            return None;
        }
        let limit = (MAX_TOKENS - 2).min(self.max_positions.saturating_sub(FIRST_POSITION + 2));
        ids.truncate(limit);
        let mut input = Vec::with_capacity(ids.len() + 2);
        input.push(BOS);
        input.extend(ids.iter().map(|id| id + self.id_offset));
        input.push(EOS);
        let states = self.forward(&input);
        let mut pooled = vec![0.0f32; self.hidden];
        for row in states.chunks_exact(self.hidden) {
            for (p, x) in pooled.iter_mut().zip(row) {
                *p += x;
            }
        }
        normalise(&mut pooled).then_some(pooled)
    }

    /// Last hidden states, `ids.len() × hidden`, row-major.
    fn forward(&self, ids: &[u32]) -> Vec<f32> {
        let (tokens, hidden) = (ids.len(), self.hidden);
        let mut x = vec![0.0f32; tokens * hidden];
        for (t, (row, &id)) in x.chunks_exact_mut(hidden).zip(ids).enumerate() {
            let word = &self.word_embeddings[id as usize * hidden..][..hidden];
            let position = &self.position_embeddings[(t + FIRST_POSITION) * hidden..][..hidden];
            for ((out, w), p) in row.iter_mut().zip(word).zip(position) {
                *out = w + p;
            }
        }
        self.layer_norm(&mut x, &self.embedding_norm);
        // The relative-position bias of every head for every (query, key) pair, once.
        let head_dim = hidden / self.heads;
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
        let scale = 1.0 / (head_dim as f32).sqrt();
        let mut scores = vec![0.0f32; tokens];
        for layer in &self.layers {
            let q = layer.query.apply(&x, tokens);
            let k = layer.key.apply(&x, tokens);
            let v = layer.value.apply(&x, tokens);
            let mut context = vec![0.0f32; tokens * hidden];
            for h in 0..self.heads {
                let offset = h * head_dim;
                for i in 0..tokens {
                    let qi = &q[i * hidden + offset..][..head_dim];
                    for (j, score) in scores.iter_mut().enumerate() {
                        let kj = &k[j * hidden + offset..][..head_dim];
                        *score = super::dot(qi, kj) * scale + bias[(h * tokens + i) * tokens + j];
                    }
                    softmax(&mut scores);
                    let out = &mut context[i * hidden + offset..][..head_dim];
                    for (j, &p) in scores.iter().enumerate() {
                        let vj = &v[j * hidden + offset..][..head_dim];
                        for (o, value) in out.iter_mut().zip(vj) {
                            *o += p * value;
                        }
                    }
                }
            }
            let mut attended = layer.attention_out.apply(&context, tokens);
            add(&mut attended, &x);
            self.layer_norm(&mut attended, &layer.attention_norm);
            let mut inner = layer.intermediate.apply(&attended, tokens);
            inner.iter_mut().for_each(|value| *value = gelu(*value));
            let mut out = layer.output.apply(&inner, tokens);
            add(&mut out, &attended);
            self.layer_norm(&mut out, &layer.output_norm);
            x = out;
        }
        x
    }

    fn layer_norm(&self, x: &mut [f32], norm: &LayerNorm) {
        for row in x.chunks_exact_mut(self.hidden) {
            let n = row.len() as f32;
            let mean = row.iter().sum::<f32>() / n;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inverse = 1.0 / (variance + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
                *v = (*v - mean) * inverse * w + b;
            }
        }
    }
}

/// Texts embedded by the transformer, remembered: a passage's sentences and footnotes are
/// embedded once (tens of milliseconds each), ahead of questions for small corpora
/// ([`ContextualScorer::warm_up`]) or the first time the passage is a candidate.
#[derive(Debug)]
pub struct ContextualScorer {
    model: Arc<ContextualModel>,
    /// Vector by text (a footnote cited twice is embedded once); cleared when full.
    cache: Arc<TextCache>,
}

type TextCache = Mutex<rustc_hash::FxHashMap<String, Option<Arc<[f32]>>>>;

/// Texts remembered before the cache starts afresh (about 3 KB each).
const CACHED_TEXTS: usize = 100_000;
/// Texts embedded ahead of questions at most (the shipped article has 38; 2,000 take about
/// two minutes of one core).
const WARM_TEXTS: usize = 2_000;

impl ContextualScorer {
    /// Scores with `model`.
    pub fn new(model: Arc<ContextualModel>) -> ContextualScorer {
        ContextualScorer {
            model,
            cache: Arc::default(),
        }
    }

    /// Embeds the sentences and footnotes of `records` (the first 2,000 texts) on a thread
    /// of its own, so that the first questions do not wait for them. The thread stops when
    /// the scorer is dropped (a reload replaced the engine). `None` when no thread could
    /// be started: texts are then embedded as questions need them.
    pub fn warm_up<'a>(
        &self,
        records: impl IntoIterator<Item = &'a PassageRecord>,
    ) -> Option<std::thread::JoinHandle<()>> {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut texts = Vec::new();
        'records: for record in records {
            let sentences = record
                .sentences
                .iter()
                .filter_map(|s| record.text.get(s.start..s.end));
            for text in sentences.chain(record.footnotes.iter().map(|f| f.text.as_str())) {
                if texts.len() == WARM_TEXTS {
                    break 'records;
                }
                if seen.insert(text) {
                    texts.push(text.to_string());
                }
            }
        }
        let model = self.model.clone();
        let cache = Arc::downgrade(&self.cache);
        let spawned = std::thread::Builder::new()
            .name("contextual-warm-up".into())
            .spawn(move || {
                for text in texts {
                    let Some(cache) = cache.upgrade() else {
                        return;
                    };
                    if !cache.lock().contains_key(&text) {
                        let vector = model.embed(&text).map(Arc::from);
                        remember(&cache, text, vector);
                    }
                }
            });
        match spawned {
            Ok(handle) => Some(handle),
            Err(error) => {
                tracing::warn!(%error, "no thread to embed the passages ahead of questions");
                None
            }
        }
    }

    /// Texts embedded so far.
    pub fn cached_texts(&self) -> usize {
        self.cache.lock().len()
    }

    /// The question's vector.
    pub fn question_vector(&self, question: &str) -> Option<Vec<f32>> {
        self.model.embed(question)
    }

    /// The best cosine between `question` and a sentence of `record`, or one of its
    /// footnotes discounted by `footnote_credit` (the same chunks as the static signal).
    pub fn passage_similarity(
        &self,
        question: &[f32],
        record: &PassageRecord,
        footnote_credit: f32,
    ) -> f32 {
        super::chunks::best_chunk_similarity(record, question, footnote_credit, |text| {
            self.vector(text)
        })
    }

    fn vector(&self, text: &str) -> Option<Arc<[f32]>> {
        if let Some(found) = self.cache.lock().get(text) {
            return found.clone();
        }
        // Embedded without the lock: other questions go on meanwhile (at worst a text is
        // embedded twice by two questions at once).
        let vector: Option<Arc<[f32]>> = self.model.embed(text).map(Arc::from);
        remember(&self.cache, text.to_string(), vector.clone());
        vector
    }
}

fn remember(cache: &TextCache, text: String, vector: Option<Arc<[f32]>>) {
    let mut cache = cache.lock();
    if cache.len() >= CACHED_TEXTS {
        cache.clear();
    }
    cache.insert(text, vector);
}

impl Linear {
    /// `x · Wᵀ + b` for `rows` rows of `inputs` values.
    fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        assert_eq!(x.len(), rows * self.inputs, "input size");
        let mut out = vec![0.0f32; rows * self.outputs];
        // SAFETY: `x` is rows × inputs, the weight outputs × inputs (read as its transpose,
        // inputs × outputs, with row stride 1 and column stride `inputs`) and `out` rows ×
        // outputs, all row-major and of exactly these sizes (checked above and at load).
        unsafe {
            matrixmultiply::sgemm(
                rows,
                self.inputs,
                self.outputs,
                1.0,
                x.as_ptr(),
                self.inputs as isize,
                1,
                self.weight.as_ptr(),
                1,
                self.inputs as isize,
                0.0,
                out.as_mut_ptr(),
                self.outputs as isize,
                1,
            );
        }
        for row in out.chunks_exact_mut(self.outputs) {
            add(row, &self.bias);
        }
        out
    }
}

/// The offset from the engine's token ids to the model's, when `vocab` (one token per line)
/// is the engine's vocabulary after a few special tokens.
fn vocab_offset(tokenizer: &WordPiece, vocab: &str) -> Option<u32> {
    let lines: Vec<&str> = vocab.lines().collect();
    let offset = lines.iter().position(|&t| t == "[PAD]")?;
    let expected = tokenizer.len();
    (lines.len() >= offset + expected
        && lines[offset..offset + expected]
            .iter()
            .enumerate()
            .all(|(id, token)| tokenizer.id(token) == Some(id as u32)))
    .then_some(offset as u32)
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

fn add(into: &mut [f32], other: &[f32]) {
    for (a, b) in into.iter_mut().zip(other) {
        *a += b;
    }
}

fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

/// GELU with the error function, as BERT-style models are trained.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// The error function (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let y = 1.0 - poly * (-x * x).exp();
    y.copysign(x)
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

    #[test]
    fn erf_is_close() {
        assert!((erf(0.5) - 0.520_499_9).abs() < 1e-6);
        assert!((erf(-1.0) + 0.842_700_8).abs() < 1e-6);
        assert!(erf(0.0).abs() < 1e-6);
    }
}
