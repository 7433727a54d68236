//! Reading articles: files → [`Corpus`] of passages, footnotes and points.
//!
//! Owns the article formats and their validation. Nothing here knows about search or Discord.

pub mod error;
pub mod lint;
pub mod markers;
pub mod metadata;
pub mod model;
pub mod parse;
pub mod points;
pub mod sentences;

use std::path::{Path, PathBuf};

pub use error::IngestError;
pub use model::{
    Article, ArticleSummary, Corpus, CorpusSummary, Footnote, Passage, PassageRef, Point, Sentence,
};
pub use parse::{parse_article, Format};

/// The shipped article, compiled in so the binary answers even without `index/articles/`.
pub const EMBEDDED_ARTICLE: &str = include_str!("../../index/articles/summit-article.txt");
/// File name the embedded article is known by.
pub const EMBEDDED_NAME: &str = "summit-article.txt";
/// The shipped article's metadata file (its source), compiled in beside it.
pub const EMBEDDED_METADATA: &str = include_str!("../../index/articles/summit-article.toml");
/// The id (file stem) of the shipped article: the default for look-ups when present.
pub const SHIPPED_ID: &str = "summit-article";

/// Where the articles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A folder of `*.txt` / `*.md` files.
    Dir(PathBuf),
    /// The article compiled into the binary.
    Embedded,
    /// Articles already parsed (tests, fuzzing, generated corpora).
    Parsed(std::sync::Arc<Corpus>),
}

impl Source {
    /// A hash of every article file's name and bytes (xxh3-128, streamed): cheap enough to
    /// run at every start, so an unchanged corpus is never parsed again.
    pub fn fingerprint(&self) -> Result<String, IngestError> {
        use std::io::Read;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        match self {
            Source::Embedded => {
                hasher.update(EMBEDDED_NAME.as_bytes());
                hasher.update(EMBEDDED_ARTICLE.as_bytes());
                hasher.update(EMBEDDED_METADATA.as_bytes());
            }
            Source::Parsed(corpus) => {
                let bytes = postcard::to_allocvec(corpus.as_ref()).unwrap_or_default();
                hasher.update(b"parsed");
                hasher.update(&bytes);
            }
            Source::Dir(dir) => {
                let mut buffer = vec![0u8; 1 << 16];
                for article in article_paths(dir)? {
                    // An article's metadata file changes what it answers with (its link).
                    let metadata = metadata::metadata_path(&article);
                    for path in [article, metadata] {
                        let io = |source| IngestError::Io {
                            path: path.clone(),
                            source,
                        };
                        let mut file = match std::fs::File::open(&path) {
                            Ok(file) => file,
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                            Err(e) => return Err(io(e)),
                        };
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        hasher.update(name.as_bytes());
                        hasher.update(&[0]);
                        loop {
                            let read = file.read(&mut buffer).map_err(io)?;
                            if read == 0 {
                                break;
                            }
                            hasher.update(&buffer[..read]);
                        }
                        hasher.update(&[0xff]);
                    }
                }
            }
        }
        Ok(format!("{:032x}", hasher.digest128()))
    }

    /// Parses every article.
    pub fn load(&self) -> Result<Corpus, IngestError> {
        match self {
            Source::Dir(dir) => load_dir(dir),
            Source::Embedded => Ok(embedded_corpus()),
            Source::Parsed(corpus) => Ok(corpus.as_ref().clone()),
        }
    }
}

/// Reads and parses one article file.
pub fn load_file(path: &Path) -> Result<Article, IngestError> {
    let format = Format::for_path(path).unwrap_or(Format::Plain);
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = parse::decode(path, &bytes)?;
    let mut article = parse_article(path, &text, format)?;
    if let Some(metadata) = metadata::read_metadata(path)? {
        metadata.apply(&mut article);
    }
    Ok(article)
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

/// Below this many files a folder is parsed on the calling thread only.
const PARALLEL_FILES: usize = 64;

/// Parses every article in a folder, on every core for large folders. The first broken file
/// (in name order) stops the load with its error.
pub fn load_dir(dir: &Path) -> Result<Corpus, IngestError> {
    let started = std::time::Instant::now();
    let corpus = load_paths(&article_paths(dir)?)?;
    tracing::debug!(articles = corpus.articles.len(), elapsed = ?started.elapsed(), "articles parsed");
    Ok(corpus)
}

fn load_paths(paths: &[PathBuf]) -> Result<Corpus, IngestError> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if workers <= 1 || paths.len() < PARALLEL_FILES {
        let articles = paths
            .iter()
            .map(|p| load_file(p))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Corpus { articles });
    }
    // Workers take files in turn; each result keeps its place, so the corpus (and the first
    // error reported) is the same as a sequential load's.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let mut parsed: Vec<(usize, Result<Article, IngestError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = paths.get(i) else {
                            return out;
                        };
                        let result = load_file(path);
                        if result.is_err() {
                            failed.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                        out.push((i, result));
                        // After an error no worker takes another file. Every file before
                        // the failed one was taken earlier and is finished by its worker,
                        // so the first error in name order is among the results.
                        if failed.load(std::sync::atomic::Ordering::Relaxed) {
                            return out;
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    parsed.sort_unstable_by_key(|(i, _)| *i);
    let mut articles = Vec::with_capacity(parsed.len());
    for (_, result) in parsed {
        articles.push(result?);
    }
    Ok(Corpus { articles })
}

/// The corpus compiled into the binary (the shipped article).
pub fn embedded_corpus() -> Corpus {
    let path = Path::new(EMBEDDED_NAME);
    let mut article = parse_article(path, EMBEDDED_ARTICLE, Format::Plain)
        .expect("the shipped article is checked by tests and always parses");
    metadata::parse_metadata(Path::new("summit-article.toml"), EMBEDDED_METADATA)
        .expect("the shipped metadata is checked by tests and always parses")
        .apply(&mut article);
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
        assert_eq!(
            article.source_url.as_deref(),
            Some("https://www.piie.com/blogs/china-economic-watch/what-obama-did-and-did-not-accomplish-cyber-espionage-talks-xi")
        );
        assert!(!article
            .passages
            .iter()
            .any(|p| p.text.contains("More From") || p.text.contains("Related Topics")));
    }
}
