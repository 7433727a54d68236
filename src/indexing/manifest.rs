//! The manifest written beside a built index: which schema and which articles it was built
//! from. A start whose articles hash the same reuses the index; anything else rebuilds.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::schema::SCHEMA_VERSION;
use crate::ingest::CorpusSummary;

/// File name of the manifest inside the index directory.
pub const MANIFEST_FILE: &str = "summit-manifest.json";

/// What an index was built from, and what the engine needs of the corpus without parsing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`SCHEMA_VERSION`] of the binary that built it.
    pub schema_version: u32,
    /// Fingerprint of the article files ([`crate::ingest::Source::fingerprint`]).
    pub corpus_hash: String,
    /// Number of documents committed.
    pub documents: u64,
    /// Counts and every article's look-up facts (points, footnotes, source).
    pub summary: CorpusSummary,
}

impl Manifest {
    /// The manifest for an index built from articles with this fingerprint.
    pub fn new(corpus_hash: &str, documents: u64, summary: CorpusSummary) -> Self {
        Manifest {
            schema_version: SCHEMA_VERSION,
            corpus_hash: corpus_hash.to_string(),
            documents,
            summary,
        }
    }

    /// Reads the manifest in `dir`, if there is a readable one.
    pub fn read(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the manifest into `dir`, on one line: the summary holds every point's text, and
    /// indentation made it 40 % larger (8.7 MB at 100,000 passages).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string(self).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(MANIFEST_FILE), text)
    }
}
