//! Contextual meaning: a full sentence transformer run on the CPU from a model folder.
//! Each word's vector depends on its sentence, which the static table cannot do: "hackers"
//! near "perpetrators", "can the US punish them with money" near "economic sanctions". It
//! costs milliseconds to tens of milliseconds per text, so it only re-ranks the candidates the
//! engine already found.
//!
//! Two encoders, chosen by `config.json`'s `model_type`: MPNet (`mpnet.rs`, all-mpnet-base-v2,
//! the opt-in re-ranker of `[semantic] model_dir` or `models/all-mpnet-base-v2/`, installed by
//! `summit-bot model fetch` or `scripts/fetch_mpnet.sh`) and BERT (`bert.rs`,
//! all-MiniLM-L6-v2's architecture). `weights.rs` reads the tensors by name, `ops.rs` holds
//! the shared arithmetic. This file picks the folder, loads it once per process, and keeps
//! the cache of embedded passage texts ([`ContextualScorer`]).
//!
//! Tokens come from the engine's own WordPiece tokenizer (BERT uncased: BERT's vocabulary, and
//! MPNet's after four special tokens); the model folder's `vocab.txt` is checked to match.

mod bert;
mod mpnet;
mod ops;
mod weights;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::Mutex;

use serde::Deserialize;

use self::bert::{Bert, BertConfig};
use self::mpnet::{Mpnet, MpnetConfig};
use self::weights::Weights;
use super::wordpiece::WordPiece;
use super::{normalise, StaticModel};
use crate::indexing::record::PassageRecord;

/// Where `summit-bot model fetch` installs all-mpnet-base-v2, and where the engine looks for
/// a model when `[semantic] model_dir` is unset (relative to the working directory).
pub const DEFAULT_MODEL_DIR: &str = "models/all-mpnet-base-v2";

/// The transformer shipped in the repository (int8 all-MiniLM-L6-v2, made by
/// `scripts/quantise_minilm.py`): used when `model_dir` is unset and [`DEFAULT_MODEL_DIR`]
/// holds no complete model (relative to the working directory, like `index/articles`).
pub const SHIPPED_MODEL_DIR: &str = "models/minilm-l6";

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
/// an empty string, and when unset the first of [`DEFAULT_MODEL_DIR`] and
/// [`SHIPPED_MODEL_DIR`] that holds every model file (an incomplete one is not used:
/// `summit-bot model fetch` installs atomically, so a partial folder was made by hand).
pub fn choose(configured: Option<&Path>) -> ModelChoice {
    match configured {
        Some(dir) if dir.as_os_str().is_empty() => ModelChoice::StaticOnly {
            reason: "model_dir is \"\"".into(),
        },
        Some(dir) => ModelChoice::Configured(dir.to_path_buf()),
        None => {
            let mut reasons = Vec::new();
            for name in [DEFAULT_MODEL_DIR, SHIPPED_MODEL_DIR] {
                let dir = Path::new(name);
                if !dir.is_dir() {
                    reasons.push(format!("no {name}"));
                    continue;
                }
                match missing_files(dir).first() {
                    None => return ModelChoice::Found(dir.to_path_buf()),
                    Some(missing) => reasons.push(format!("{name} has no {missing}")),
                }
            }
            ModelChoice::StaticOnly {
                reason: reasons.join(", "),
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
    /// `config.json` is not an MPNet or BERT configuration this code runs.
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    /// A weight is missing or has an unexpected type or shape.
    #[error("model.safetensors: {0}")]
    Weights(String),
}

/// Only `model_type` of `config.json`, to pick the encoder.
#[derive(Debug, Deserialize)]
struct ModelType {
    model_type: String,
}

/// The configuration of an encoder this code runs.
enum EncoderConfig {
    Mpnet(MpnetConfig),
    Bert(BertConfig),
}

/// The encoders this code runs.
enum Encoder {
    Mpnet(Mpnet),
    Bert(Bert),
}

/// A sentence encoder with mean pooling.
pub struct ContextualModel {
    tokenizer: &'static WordPiece,
    /// Added to an id of the engine's tokenizer to get the model's id.
    id_offset: u32,
    encoder: Encoder,
}

impl std::fmt::Debug for ContextualModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextualModel")
            .field("architecture", &self.architecture())
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
        let config_bytes = read("config.json")?;
        let config_error = |message: String| ContextualError::Config {
            path: config_path.clone(),
            message,
        };
        let model_type: ModelType =
            serde_json::from_slice(&config_bytes).map_err(|e| config_error(e.to_string()))?;
        let tokenizer = StaticModel::embedded().tokenizer();
        let vocab_bytes = read("vocab.txt")?;
        let vocab = String::from_utf8_lossy(&vocab_bytes);
        let id_offset = vocab_offset(tokenizer, &vocab).ok_or_else(|| {
            config_error(
                "vocab.txt is not the BERT uncased vocabulary (after the model's special tokens)"
                    .into(),
            )
        })?;
        let config = match model_type.model_type.as_str() {
            "mpnet" => {
                let config: MpnetConfig = serde_json::from_slice(&config_bytes)
                    .map_err(|e| config_error(e.to_string()))?;
                config.check().map_err(config_error)?;
                EncoderConfig::Mpnet(config)
            }
            "bert" => {
                let config: BertConfig = serde_json::from_slice(&config_bytes)
                    .map_err(|e| config_error(e.to_string()))?;
                config.check().map_err(config_error)?;
                EncoderConfig::Bert(config)
            }
            other => {
                return Err(config_error(format!(
                    "model_type {other:?}: only \"mpnet\" and \"bert\" models run here"
                )))
            }
        };
        let vocab_size = match &config {
            EncoderConfig::Mpnet(c) => c.vocab_size,
            EncoderConfig::Bert(c) => c.vocab_size,
        };
        if tokenizer.len() + id_offset as usize > vocab_size {
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
        // Names may carry the model type as a prefix (`bert.embeddings…`).
        let probe = "embeddings.word_embeddings.weight";
        let encoder = match &config {
            EncoderConfig::Mpnet(c) => {
                Encoder::Mpnet(Mpnet::load(&Weights::new(&tensors, "mpnet", probe), c)?)
            }
            EncoderConfig::Bert(c) => {
                Encoder::Bert(Bert::load(&Weights::new(&tensors, "bert", probe), c)?)
            }
        };
        Ok(ContextualModel {
            tokenizer,
            id_offset,
            encoder,
        })
    }

    /// "MPNet, 12 layers, 768 wide", "BERT, 6 layers, 384 wide".
    pub fn architecture(&self) -> String {
        match &self.encoder {
            Encoder::Mpnet(m) => m.architecture(),
            Encoder::Bert(b) => b.architecture(),
        }
    }

    /// Bytes of weights held in memory (the dense layers of an int8 model stay int8; the
    /// rest is f32).
    pub fn weight_bytes(&self) -> usize {
        match &self.encoder {
            Encoder::Mpnet(m) => m.bytes(),
            Encoder::Bert(b) => b.bytes(),
        }
    }

    /// The model's input for `text`: its token ids between the two markers, truncated to the
    /// model's length; `None` for a text without tokens.
    fn input(&self, text: &str) -> Option<Vec<u32>> {
        let mut ids = Vec::new();
        self.tokenizer.encode(text, &mut ids);
        if ids.is_empty() {
            return None;
        }
        let (max_tokens, start, end) = match &self.encoder {
            Encoder::Mpnet(m) => (m.max_tokens(), mpnet::BOS, mpnet::EOS),
            Encoder::Bert(b) => (b.max_tokens(), bert::CLS, bert::SEP),
        };
        ids.truncate(max_tokens - 2);
        let mut input = Vec::with_capacity(ids.len() + 2);
        input.push(start);
        input.extend(ids.iter().map(|id| id + self.id_offset));
        input.push(end);
        Some(input)
    }

    /// Tokens the model reads for `text`, markers included (0 for a text without tokens).
    pub fn tokens(&self, text: &str) -> usize {
        self.input(text).map_or(0, |input| input.len())
    }

    /// The normalised mean of the last layer over `text`'s tokens and markers (what
    /// sentence-transformers returns for this model), or `None` for a text without tokens.
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        self.embed_batch(&[text]).pop().flatten()
    }

    /// [`ContextualModel::embed`] of each text, in one forward pass: the weights are read
    /// once for the batch instead of once per text (about 30 ms of mpnet's 12 layers
    /// whatever the text's length). Each vector is exactly the one the text gets alone.
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<Option<Vec<f32>>> {
        let inputs: Vec<Option<Vec<u32>>> = texts.iter().map(|text| self.input(text)).collect();
        let batch: Vec<Vec<u32>> = inputs.iter().flatten().cloned().collect();
        if batch.is_empty() {
            return vec![None; texts.len()];
        }
        let hidden = match &self.encoder {
            Encoder::Mpnet(m) => m.hidden,
            Encoder::Bert(b) => b.hidden,
        };
        let states = match &self.encoder {
            Encoder::Mpnet(m) => m.forward(&batch),
            Encoder::Bert(b) => b.forward(&batch),
        };
        let mut rows = states.chunks_exact(hidden);
        inputs
            .iter()
            .map(|input| {
                let input = input.as_ref()?;
                let mut pooled = vec![0.0f32; hidden];
                for row in rows.by_ref().take(input.len()) {
                    for (p, x) in pooled.iter_mut().zip(row) {
                        *p += x;
                    }
                }
                normalise(&mut pooled).then_some(pooled)
            })
            .collect()
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
    /// Questions embedded so far (the cascade's share: `summit-bot eval` prints it).
    questions: std::sync::atomic::AtomicUsize,
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
            questions: Default::default(),
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

    /// Questions embedded so far.
    pub fn questions(&self) -> usize {
        self.questions.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// For each record, the best cosine between `question` and one of its sentences, or one
    /// of its footnotes discounted by `footnote_credit` (the same chunks as the static
    /// signal). The question and every text of the records not embedded yet go through one
    /// forward pass. `None` when the question has no tokens the model reads.
    pub fn similarities(
        &self,
        question: &str,
        records: &[&PassageRecord],
        footnote_credit: f32,
    ) -> Option<Vec<f32>> {
        self.questions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if self.model.tokens(question) == 0 {
            return None;
        }
        let mut known: rustc_hash::FxHashMap<&str, Option<Arc<[f32]>>> = Default::default();
        let mut missing: Vec<&str> = Vec::new();
        {
            let cache = self.cache.lock();
            for text in records.iter().flat_map(|record| chunk_texts(record)) {
                if known.contains_key(text) {
                    continue;
                }
                match cache.get(text) {
                    Some(found) => known.insert(text, found.clone()),
                    None => {
                        missing.push(text);
                        known.insert(text, None)
                    }
                };
            }
        }
        // Embedded without the lock: other questions go on meanwhile.
        let mut batch = Vec::with_capacity(missing.len() + 1);
        batch.push(question);
        batch.extend(&missing);
        let mut vectors = self.model.embed_batch(&batch).into_iter();
        let question = vectors.next().flatten()?;
        for (text, vector) in missing.into_iter().zip(vectors) {
            let vector: Option<Arc<[f32]>> = vector.map(Arc::from);
            remember(&self.cache, text.to_string(), vector.clone());
            known.insert(text, vector);
        }
        Some(
            records
                .iter()
                .map(|record| {
                    super::chunks::best_chunk_similarity(
                        record,
                        &question,
                        footnote_credit,
                        |text| known.get(text).cloned().flatten(),
                    )
                })
                .collect(),
        )
    }
}

/// The texts the transformer compares a question with for `record`: its sentences, then the
/// footnotes it cites (as [`super::chunks::best_chunk_similarity`] reads them).
fn chunk_texts(record: &PassageRecord) -> impl Iterator<Item = &str> {
    record
        .sentences
        .iter()
        .filter_map(|s| record.text.get(s.start..s.end))
        .chain(record.footnotes.iter().map(|f| f.text.as_str()))
}

fn remember(cache: &TextCache, text: String, vector: Option<Arc<[f32]>>) {
    let mut cache = cache.lock();
    if cache.len() >= CACHED_TEXTS {
        cache.clear();
    }
    cache.insert(text, vector);
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
