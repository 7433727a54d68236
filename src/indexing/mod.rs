//! The tantivy index: schema, analysis, building and persisting it under `index/`, and the
//! long-lived reader that every question searches with.
//!
//! A persisted index is reused only when its manifest matches the corpus; otherwise (or if it
//! is missing, corrupt or from another schema) it is rebuilt in a sibling directory and swapped
//! in, so a crash mid-build never leaves a half-written index in place.

pub mod analysis;
pub mod build;
pub mod manifest;
pub mod record;
pub mod schema;

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use tantivy::directory::{Directory, DirectoryLock, Lock, MmapDirectory};
use tantivy::schema::Value;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};
use tracing::{info, warn};

use crate::ingest::{Corpus, CorpusSummary, IngestError, Source};
use analysis::{text_analyzer, ANALYZER_NAME};
use manifest::Manifest;
use record::{PassageRecord, RecordReader, WordTable};
use schema::{SummitSchema, SCHEMA_VERSION};

/// Why the index could not be built, opened or read.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The articles could not be read (broken file: the message names file and line).
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// tantivy failed (I/O, corrupt files, locking).
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index directory could not be prepared.
    #[error("{path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The index on disk was built with another schema.
    #[error("the index on disk has another schema")]
    SchemaMismatch,
    /// The index holds files whose checksums do not match.
    #[error("the index on disk is damaged ({0} files)")]
    Damaged(usize),
    /// The manifest does not match the documents found.
    #[error("the index on disk does not match its manifest")]
    ManifestMismatch,
    /// A stored record could not be encoded.
    #[error("cannot encode a passage record: {0}")]
    Encode(String),
    /// A passage too long to store (its byte offsets would not fit the record's `u32`s).
    #[error("passage {id} is {bytes} bytes long; at most 4 GiB can be indexed")]
    PassageTooLong {
        /// The passage id.
        id: String,
        /// Its length in bytes.
        bytes: usize,
    },
    /// A stored record could not be decoded.
    #[error("cannot decode a stored passage record")]
    Decode,
}

/// How an index came to be ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The persisted index matched the corpus and was reused.
    Reused,
    /// The index was built now; the reason says why.
    Built(String),
    /// The index lives in memory only (no directory configured or usable).
    InMemory,
}

/// How often an indexed term occurs, and a dense id for fast matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermStats {
    /// Dense id, unique per term of this index (0..len).
    pub id: u32,
    /// Documents containing the term (over all segments).
    pub doc_freq: u64,
}

/// The normalised terms of the body field: their statistics (read once at open, so a
/// question needs no term-dictionary look-ups) and, grouped by first letter and length, the
/// candidates typo correction compares against (a correction keeps the first letter).
#[derive(Debug, Default)]
pub struct Vocabulary {
    stats: FxHashMap<String, TermStats>,
    /// Each term by its id.
    by_id: Vec<Box<str>>,
    by_shape: FxHashMap<(char, usize), Vec<String>>,
}

impl Vocabulary {
    /// Terms starting with `first` whose character count is within `slack` of `len`, in
    /// sorted order per length.
    pub fn near(&self, first: char, len: usize, slack: usize) -> impl Iterator<Item = &str> {
        (len.saturating_sub(slack)..=len + slack)
            .filter_map(move |l| self.by_shape.get(&(first, l)))
            .flatten()
            .map(String::as_str)
    }

    /// Id and document frequency of an indexed term.
    pub fn stats(&self, term: &str) -> Option<TermStats> {
        self.stats.get(term).copied()
    }

    /// The dense id of a term, or `u32::MAX` for a term the index does not hold.
    pub fn id(&self, term: &str) -> u32 {
        self.stats.get(term).map_or(u32::MAX, |s| s.id)
    }

    /// The term with this id.
    pub fn term(&self, id: u32) -> Option<&str> {
        self.by_id.get(id as usize).map(|t| &**t)
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.stats.len()
    }

    /// Every term with its statistics, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, TermStats)> {
        self.stats
            .iter()
            .map(|(term, stats)| (term.as_str(), *stats))
    }

    /// True when no term is indexed.
    pub fn is_empty(&self) -> bool {
        self.stats.is_empty()
    }
}

/// An opened index with its one long-lived reader.
pub struct SearchIndex {
    /// Field handles.
    pub schema: SummitSchema,
    index: Index,
    reader: IndexReader,
    vocabulary: Vocabulary,
    records: RecordReader,
    readiness: Readiness,
}

impl SearchIndex {
    /// Opens the index in `dir` if it was built from articles with the same fingerprint,
    /// else parses the articles and builds it there. With no `dir`, builds in memory.
    /// `force` rebuilds regardless. Returns the index and the corpus summary.
    pub fn open_or_build(
        dir: Option<&Path>,
        source: &Source,
        force: bool,
        show_progress: bool,
    ) -> Result<(SearchIndex, CorpusSummary), IndexError> {
        let Some(dir) = dir else {
            let corpus = source.load()?;
            let schema = SummitSchema::new();
            let index = index_builder(&schema).create_in_ram()?;
            register_analyzer(&index);
            let (_, words) = build::write_corpus(&index, &schema, &corpus, show_progress)?;
            let summary = CorpusSummary::of(&corpus);
            let opened = Self::from_index(index, schema, words, &summary, Readiness::InMemory)?;
            return Ok((opened, summary));
        };
        let fingerprint = source.fingerprint()?;
        let reason = if force {
            "forced rebuild".to_string()
        } else {
            match Self::try_open(dir, &fingerprint) {
                Ok(opened) => return Ok(opened),
                Err(reason) => reason,
            }
        };
        // Processes sharing the folder (shards, a CLI run beside the bot) build one at a time;
        // whoever waited looks again, since the index may now be there.
        let _lock = build_lock(dir)?;
        if !force {
            if let Ok(opened) = Self::try_open(dir, &fingerprint) {
                return Ok(opened);
            }
        }
        // Only now are the articles parsed: an unchanged corpus never is.
        let corpus = source.load()?;
        info!(dir = %dir.display(), %reason, "building the index");
        Self::build_in(dir, &corpus, &fingerprint, show_progress, reason)
    }

    /// Opens a persisted index if its manifest matches; the error says why not.
    fn try_open(dir: &Path, fingerprint: &str) -> Result<(SearchIndex, CorpusSummary), String> {
        let manifest = Manifest::read(dir).ok_or("no index yet")?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err("index was built by another version".into());
        }
        if manifest.corpus_hash != fingerprint {
            return Err("articles changed".into());
        }
        let open = || -> Result<SearchIndex, IndexError> {
            let index = Index::open_in_dir(dir)?;
            let schema = SummitSchema::from_schema(&index.schema())?;
            let damaged = index.validate_checksum()?;
            if !damaged.is_empty() {
                return Err(IndexError::Damaged(damaged.len()));
            }
            register_analyzer(&index);
            let words = WordTable::read(dir)?;
            let opened =
                Self::from_index(index, schema, words, &manifest.summary, Readiness::Reused)?;
            if opened.searcher().num_docs() != manifest.documents {
                return Err(IndexError::ManifestMismatch);
            }
            Ok(opened)
        };
        let opened = open().map_err(|e| format!("index unusable ({e})"))?;
        Ok((opened, manifest.summary))
    }

    /// Builds into `<dir>.building`, then swaps it into place.
    fn build_in(
        dir: &Path,
        corpus: &Corpus,
        fingerprint: &str,
        show_progress: bool,
        reason: String,
    ) -> Result<(SearchIndex, CorpusSummary), IndexError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        let staging = staging_dir(dir);
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        std::fs::create_dir_all(&staging).map_err(io(&staging))?;
        let schema = SummitSchema::new();
        let summary = CorpusSummary::of(corpus);
        let words;
        {
            let index = index_builder(&schema).create_in_dir(&staging)?;
            register_analyzer(&index);
            let (documents, built) = build::write_corpus(&index, &schema, corpus, show_progress)?;
            built.write(&staging)?;
            words = built;
            Manifest::new(fingerprint, documents, summary.clone())
                .write(&staging)
                .map_err(io(&staging))?;
        }
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::rename(&staging, dir).map_err(io(dir))?;
        let index = Index::open_in_dir(dir)?;
        register_analyzer(&index);
        Ok((
            Self::from_index(index, schema, words, &summary, Readiness::Built(reason))?,
            summary,
        ))
    }

    fn from_index(
        index: Index,
        schema: SummitSchema,
        words: WordTable,
        summary: &CorpusSummary,
        readiness: Readiness,
    ) -> Result<Self, IndexError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let vocabulary = read_vocabulary(&reader, &schema)?;
        let records = RecordReader::new(words, summary, &vocabulary);
        Ok(SearchIndex {
            schema,
            index,
            reader,
            vocabulary,
            records,
            readiness,
        })
    }

    /// A cheap, consistent view for one question.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Terms available for typo correction.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Whether the index was reused, built or kept in memory.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// The tantivy index (for benchmarks comparing against bare tantivy).
    pub fn tantivy_index(&self) -> &Index {
        &self.index
    }

    /// Reads the stored record of a hit.
    pub fn record(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<PassageRecord, IndexError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let bytes = doc
            .get_first(self.schema.record)
            .and_then(|v| v.as_bytes())
            .ok_or(IndexError::Decode)?;
        self.records.decode(bytes, &self.vocabulary)
    }

    /// Looks a record up by its id.
    pub fn record_by_id(&self, id: &str) -> Result<Option<PassageRecord>, IndexError> {
        let searcher = self.searcher();
        let term = Term::from_field_text(self.schema.id, id);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        let hits = searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        match hits.first() {
            Some((_, address)) => Ok(Some(self.record(&searcher, *address)?)),
            None => Ok(None),
        }
    }
}

/// Where a rebuild is staged before it replaces `dir`.
pub fn staging_dir(dir: &Path) -> PathBuf {
    let mut name = dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".building");
    dir.with_file_name(name)
}

/// Takes the exclusive lock that guards building `dir` (`<dir>.lock` beside it), waiting for
/// another builder to finish. Released when dropped, or when the process dies.
fn build_lock(dir: &Path) -> Result<DirectoryLock, IndexError> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |source| IndexError::Io {
        path: parent.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(parent).map_err(io)?;
    let directory = MmapDirectory::open(parent).map_err(tantivy::TantivyError::from)?;
    let mut name = dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    let lock = Lock {
        filepath: PathBuf::from(name),
        is_blocking: true,
    };
    // A lock file that cannot be created (a folder this user may not write, the usual case
    // under a service user) is an I/O problem with the folder, which callers can fall back
    // from, not a tantivy failure.
    directory.acquire_lock(&lock).map_err(|error| match error {
        tantivy::directory::error::LockError::IoError(source) => {
            io(std::io::Error::new(source.kind(), source.to_string()))
        }
        other => IndexError::Tantivy(other.into()),
    })
}

/// A new index of `schema`. Its document store is zstd-compressed: the stored records are
/// mostly passage text, which zstd brings to about 46 % in 16 KiB blocks where lz4 kept 72 %
/// (the 100k corpus's articles, BENCHMARKS.md), and level 1 compressed as well as the default
/// 3 there, faster. Reading a record decompresses its block (cached per searcher).
fn index_builder(schema: &SummitSchema) -> tantivy::IndexBuilder {
    Index::builder()
        .schema(schema.schema.clone())
        .settings(tantivy::IndexSettings {
            docstore_compression: tantivy::store::Compressor::Zstd(
                tantivy::store::ZstdCompressor {
                    compression_level: Some(1),
                },
            ),
            ..tantivy::IndexSettings::default()
        })
}

fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER_NAME, text_analyzer());
}

fn read_vocabulary(reader: &IndexReader, schema: &SummitSchema) -> Result<Vocabulary, IndexError> {
    let mut stats: FxHashMap<String, TermStats> = FxHashMap::default();
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(schema.body)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while let Some((key, info)) = stream.next() {
            if let Ok(term) = std::str::from_utf8(key) {
                let next_id = stats.len() as u32;
                let entry = stats.entry(term.to_string()).or_insert(TermStats {
                    id: next_id,
                    doc_freq: 0,
                });
                entry.doc_freq += u64::from(info.doc_freq);
            }
        }
    }
    let mut by_id: Vec<Box<str>> = vec![Box::from(""); stats.len()];
    for (term, s) in &stats {
        by_id[s.id as usize] = term.as_str().into();
    }
    let mut by_shape: FxHashMap<(char, usize), Vec<String>> = FxHashMap::default();
    for term in stats.keys() {
        if let Some(first) = term.chars().next() {
            by_shape
                .entry((first, term.chars().count()))
                .or_default()
                .push(term.clone());
        }
    }
    for terms in by_shape.values_mut() {
        terms.sort_unstable();
    }
    if stats.is_empty() {
        warn!("the index holds no terms");
    }
    Ok(Vocabulary {
        stats,
        by_id,
        by_shape,
    })
}
