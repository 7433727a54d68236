//! Errors from reading articles. Each names the file and, where it applies, the line.

use std::path::PathBuf;

/// Why an article or a folder of articles could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be read at all.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file holds bytes that are not UTF-8.
    #[error("{path}:{line}: not valid UTF-8")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// The file has no title or no paragraph.
    #[error("{path}: empty article (no title and paragraphs)")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A marker cites a footnote that is never defined.
    #[error("{path}:{line}: marker [{number}] has no footnote definition")]
    UndefinedFootnote {
        /// The file.
        path: PathBuf,
        /// 1-based line of the marker.
        line: usize,
        /// The cited number.
        number: u32,
    },
    /// The same footnote number is defined twice.
    #[error("{path}:{line}: footnote [{number}] is defined twice (first on line {first_line})")]
    DuplicateFootnote {
        /// The file.
        path: PathBuf,
        /// 1-based line of the second definition.
        line: usize,
        /// The first definition's line.
        first_line: usize,
        /// The footnote number.
        number: u32,
    },
    /// Markdown front matter opened with `---` but never closed.
    #[error("{path}:{line}: front matter is not closed with ---")]
    UnclosedFrontMatter {
        /// The file.
        path: PathBuf,
        /// Line of the opening `---`.
        line: usize,
    },
    /// An article's metadata file (`x.toml` beside `x.txt`) is not valid.
    #[error("{path}:{line}: {message}")]
    Metadata {
        /// The metadata file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The articles folder holds no article.
    #[error("{path}: no articles (*.txt or *.md) found")]
    NoArticles {
        /// The folder.
        path: PathBuf,
    },
}
