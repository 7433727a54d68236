//! The manifest written beside a built index: which schema and which articles it was built
//! from. A start whose articles hash the same reuses the index; anything else rebuilds.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::schema::SCHEMA_VERSION;
use crate::ingest::Corpus;

/// File name of the manifest inside the index directory.
pub const MANIFEST_FILE: &str = "summit-manifest.json";

/// What an index was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`SCHEMA_VERSION`] of the binary that built it.
    pub schema_version: u32,
    /// SHA-256 of the parsed corpus.
    pub corpus_hash: String,
    /// Number of documents committed.
    pub documents: u64,
}

impl Manifest {
    /// The manifest an index of `corpus` should carry.
    pub fn for_corpus(corpus: &Corpus, documents: u64) -> Self {
        Manifest {
            schema_version: SCHEMA_VERSION,
            corpus_hash: corpus_hash(corpus),
            documents,
        }
    }

    /// Reads the manifest in `dir`, if there is a readable one.
    pub fn read(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the manifest into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(MANIFEST_FILE), text)
    }
}

/// Hash of everything the index is derived from: the parsed articles and the schema version.
pub fn corpus_hash(corpus: &Corpus) -> String {
    let mut hasher = Sha256::new();
    hasher.update(SCHEMA_VERSION.to_le_bytes());
    // Serialising the parsed corpus covers text, footnotes, points and parser changes alike.
    let bytes = bincode::serialize(corpus).unwrap_or_default();
    hasher.update(&bytes);
    let digest = hasher.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
