//! Metadata files beside plain-text articles: `summit-article.toml` next to
//! `summit-article.txt` records where the article was published (`source`, `published`,
//! optionally `title`), so the text itself stays exactly as shipped.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::IngestError;
use super::model::Article;

/// The keys a metadata file may hold; anything else is an error (a typo must not pass silently).
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The original's address.
    pub source: Option<String>,
    /// Publication date as written (e.g. `2015-09-28`).
    pub published: Option<String>,
    /// A title that replaces the first line's.
    pub title: Option<String>,
}

/// The metadata file that belongs to an article file (`x.txt` → `x.toml`).
pub fn metadata_path(article: &Path) -> PathBuf {
    article.with_extension("toml")
}

/// Parses a metadata file's text; errors name the file and line.
pub fn parse_metadata(path: &Path, text: &str) -> Result<Metadata, IngestError> {
    toml::from_str(text).map_err(|err| {
        let line = err
            .span()
            .map(|span| 1 + text[..span.start.min(text.len())].matches('\n').count())
            .unwrap_or(1);
        IngestError::Metadata {
            path: path.to_path_buf(),
            line,
            message: err.message().to_string(),
        }
    })
}

/// Reads the metadata file beside `article`, if there is one.
pub fn read_metadata(article: &Path) -> Result<Option<Metadata>, IngestError> {
    let path = metadata_path(article);
    let text = match std::fs::read(&path) {
        Ok(bytes) => super::parse::decode(&path, &bytes)?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(IngestError::Io { path, source }),
    };
    parse_metadata(&path, &text).map(Some)
}

impl Metadata {
    /// Fills the article's facts from the file; values in the file win.
    pub fn apply(self, article: &mut Article) {
        if let Some(source) = self.source.filter(|s| !s.trim().is_empty()) {
            article.source_url = Some(source.trim().to_string());
        }
        if let Some(published) = self.published.filter(|s| !s.trim().is_empty()) {
            article.published = Some(published.trim().to_string());
        }
        if let Some(title) = self.title.filter(|s| !s.trim().is_empty()) {
            article.title = title.trim().to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_source_and_published() {
        let meta = parse_metadata(
            Path::new("a.toml"),
            "source = \"https://example.org/a\"\npublished = \"2015-09-28\"\n",
        )
        .unwrap();
        assert_eq!(meta.source.as_deref(), Some("https://example.org/a"));
        assert_eq!(meta.published.as_deref(), Some("2015-09-28"));
        assert_eq!(meta.title, None);
    }

    #[test]
    fn a_bad_file_names_file_and_line() {
        let err = parse_metadata(Path::new("a.toml"), "source = \"x\"\nsorce = \"y\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("a.toml:2: "), "{err}");
        let err = parse_metadata(Path::new("a.toml"), "\n\nsource = \n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("a.toml:3: "), "{err}");
    }
}
