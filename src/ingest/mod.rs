//! Reading articles: files → [`Corpus`] of passages, footnotes and points.
//!
//! Owns the article formats and their validation. Nothing here knows about search or Discord.

pub mod error;
pub mod markers;
pub mod model;
pub mod parse;
pub mod points;
pub mod sentences;

use std::path::{Path, PathBuf};

pub use error::IngestError;
pub use model::{Article, Corpus, Footnote, Passage, Point, Sentence};
pub use parse::{parse_article, Format};

/// The shipped article, compiled in so the binary answers even without `index/articles/`.
pub const EMBEDDED_ARTICLE: &str = include_str!("../../index/articles/summit-article.txt");
/// File name the embedded article is known by.
pub const EMBEDDED_NAME: &str = "summit-article.txt";

/// Reads and parses one article file.
pub fn load_file(path: &Path) -> Result<Article, IngestError> {
    let format = Format::for_path(path).unwrap_or(Format::Plain);
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = parse::decode(path, &bytes)?;
    parse_article(path, &text, format)
}

/// The article files in a folder (`*.txt`, `*.md`), sorted by name for a stable order.
pub fn article_paths(dir: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && Format::for_path(p).is_some())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(IngestError::NoArticles {
            path: dir.to_path_buf(),
        });
    }
    Ok(paths)
}

/// Parses every article in a folder. The first broken file stops the load with its error.
pub fn load_dir(dir: &Path) -> Result<Corpus, IngestError> {
    let articles = article_paths(dir)?
        .iter()
        .map(|p| load_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Corpus { articles })
}

/// The corpus compiled into the binary (the shipped article).
pub fn embedded_corpus() -> Corpus {
    let path = Path::new(EMBEDDED_NAME);
    let article = parse_article(path, EMBEDDED_ARTICLE, Format::Plain)
        .expect("the shipped article is checked by tests and always parses");
    Corpus {
        articles: vec![article],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_article_has_six_paragraphs_four_footnotes_four_points() {
        let corpus = embedded_corpus();
        let article = &corpus.articles[0];
        assert_eq!(
            article.title,
            "What Obama did and did not accomplish in cyber-espionage talks with Xi"
        );
        assert_eq!(article.passages.len(), 6);
        assert_eq!(article.footnotes.len(), 4);
        let points: Vec<(u32, Vec<u32>)> = article
            .points
            .iter()
            .map(|p| (p.paragraph, p.footnotes.clone()))
            .collect();
        assert_eq!(
            points,
            vec![(2, vec![1]), (2, vec![1]), (2, vec![1]), (2, vec![1, 2])]
        );
        assert!(article.points[3].text.starts_with("Last, the two leaders"));
        assert!(article.points[3]
            .text
            .ends_with("serious security issues.[2]"));
        assert_eq!(article.passages[5].footnotes, vec![4]);
        assert!(!article
            .passages
            .iter()
            .any(|p| p.text.contains("More From") || p.text.contains("Related Topics")));
    }
}
