//! `summit-bot import FILE.html|URL`: turns a saved web page of an article into the Markdown
//! article format (front matter `title`/`source`/`published`, paragraphs, `[^n]` footnotes),
//! ready to drop into the articles folder.
//!
//! An ingest front door beside the CLI: it reads pages ([`fetch`] for URLs: timeout, size
//! cap, content-type check), finds the article in them ([`extract`]), and checks the result
//! with the article parser ([`crate::ingest`]) before anything is written, so a page that
//! would not load never reaches a watched folder. No search, no Discord.

pub mod extract;
pub mod fetch;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::ingest::{parse_article, Article, Format, IngestError};

pub use extract::{extract, Extracted};

/// Bounds on reading a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Whole request (connect, headers, body) for a URL.
    pub timeout: Duration,
    /// Largest page read, in bytes (file or URL).
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(20),
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The request failed (connection, timeout, TLS, redirect loop…).
    #[error("cannot fetch {url}: {message}")]
    Fetch {
        /// The address asked for.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered with an error status.
    #[error("cannot fetch {url}: HTTP status {status}")]
    Status {
        /// The address asked for.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The address is not a web page.
    #[error("{url} is not a web page (Content-Type: {content_type}); expected text/html")]
    ContentType {
        /// The address asked for.
        url: String,
        /// What the server said it sent.
        content_type: String,
    },
    /// The page is larger than [`Limits::max_bytes`].
    #[error("{what} is larger than {max_bytes} bytes; not read")]
    TooLarge {
        /// The file or address.
        what: String,
        /// The cap.
        max_bytes: u64,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Nothing that looks like article text.
    #[error("{what}: no article text found (no paragraphs outside the site's navigation)")]
    NoText {
        /// The file or address.
        what: String,
    },
    /// The target exists and `--force` was not given.
    #[error("{} exists; pass --force to replace it", path.display())]
    Exists {
        /// The file that would be replaced.
        path: PathBuf,
    },
    /// The converted article does not parse (it would not load in the bot).
    #[error("the imported article would not load: {0}")]
    Parse(#[from] IngestError),
}

/// A page read from a file or a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The HTML.
    pub html: String,
    /// Where it was fetched from (after redirects), for URLs.
    pub url: Option<String>,
    /// The file or address, for messages.
    pub what: String,
}

/// Whether the input names a URL (`http://` or `https://`) rather than a file.
pub fn is_url(input: &str) -> bool {
    let lower = input.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Reads a saved page, within the size cap.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Page, ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > limits.max_bytes {
        return Err(ImportError::TooLarge {
            what: path.display().to_string(),
            max_bytes: limits.max_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    Ok(Page {
        html: fetch::decode(&bytes, None),
        url: None,
        what: path.display().to_string(),
    })
}

/// An imported article: what was found, as Markdown, and as the bot will read it.
#[derive(Debug, Clone)]
pub struct Imported {
    /// What the page held.
    pub extracted: Extracted,
    /// The Markdown file's text.
    pub markdown: String,
    /// The Markdown parsed back, as the bot will load it (points numbered).
    pub article: Article,
    /// The file to write (see [`target_path`]).
    pub path: PathBuf,
}

/// Extracts the article from a page and checks that the Markdown parses. `out` is a folder
/// (the file is named after the title) or a `.md` file.
pub fn convert(page: &Page, out: &Path) -> Result<Imported, ImportError> {
    let extracted = extract(&page.html, page.url.as_deref());
    if extracted.paragraphs.is_empty() {
        return Err(ImportError::NoText {
            what: page.what.clone(),
        });
    }
    let mut extracted = extracted;
    if extracted.title.is_empty() {
        // No heading, og:title or <title>: the page's own name stands in.
        extracted.title = page_name(&page.what);
    }
    let path = target_path(out, &extracted.title);
    let markdown = to_markdown(&extracted);
    let article = parse_article(&path, &markdown, Format::Markdown)?;
    Ok(Imported {
        extracted,
        markdown,
        article,
        path,
    })
}

/// A title from a file or URL: its last path segment without extension, words spaced.
fn page_name(what: &str) -> String {
    let path = what.split(['?', '#']).next().unwrap_or("");
    let last = path
        .trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("");
    let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
    let words = extract::collapse(&stem.replace(['-', '_'], " "));
    if words.is_empty() {
        "Untitled article".to_string()
    } else {
        words
    }
}

/// The article in the Markdown format the bot reads.
pub fn to_markdown(article: &Extracted) -> String {
    let one_line = |s: &str| extract::collapse(s);
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", one_line(&article.title)));
    if let Some(source) = &article.source {
        out.push_str(&format!("source: {}\n", one_line(source)));
    }
    if let Some(published) = &article.published {
        out.push_str(&format!("published: {}\n", one_line(published)));
    }
    out.push_str("---\n");
    out.push_str(&format!("# {}\n", one_line(&article.title)));
    for paragraph in &article.paragraphs {
        out.push('\n');
        out.push_str(paragraph);
        out.push('\n');
    }
    for (number, text) in &article.footnotes {
        out.push_str(&format!("\n[^{number}]: {text}\n"));
    }
    out
}

/// A file name from a title: lowercase ASCII words joined by `-`, at most 80 characters.
pub fn slug(title: &str) -> String {
    let mut slug = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 80 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        "article".to_string()
    } else {
        slug
    }
}

/// Where to write: `out` itself when it names a `.md` file, else `out/<slug>.md`.
pub fn target_path(out: &Path, title: &str) -> PathBuf {
    if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
    {
        out.to_path_buf()
    } else {
        out.join(format!("{}.md", slug(title)))
    }
}

/// Writes the article, refusing to replace an existing file unless `force`. The text goes to
/// a hidden temporary file first and is renamed into place, so a watching bot never reads a
/// half-written article.
pub fn write(path: &Path, markdown: &str, force: bool) -> Result<(), ImportError> {
    if !force && path.exists() {
        return Err(ImportError::Exists {
            path: path.to_path_buf(),
        });
    }
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, markdown).map_err(io)?;
    if let Err(source) = std::fs::rename(&temporary, path) {
        let _ = std::fs::remove_file(&temporary);
        return Err(io(source));
    }
    Ok(())
}

/// What was found, for the person importing (title, counts, each point).
pub fn summary(imported: &Imported) -> String {
    let article = &imported.article;
    let mut out = format!("title: {}\n", article.title);
    out.push_str(&format!(
        "source: {}\n",
        article.source_url.as_deref().unwrap_or("(none)")
    ));
    out.push_str(&format!(
        "published: {}\n",
        article.published.as_deref().unwrap_or("(none)")
    ));
    out.push_str(&format!("paragraphs: {}\n", article.passages.len()));
    let numbers: Vec<String> = article
        .footnotes
        .iter()
        .map(|f| f.number.to_string())
        .collect();
    out.push_str(&format!(
        "footnotes: {}{}\n",
        article.footnotes.len(),
        if numbers.is_empty() {
            String::new()
        } else {
            format!(" ({})", numbers.join(", "))
        }
    ));
    out.push_str(&format!("points: {}\n", article.points.len()));
    for point in &article.points {
        out.push_str(&format!(
            "  {}. (paragraph {}) {}\n",
            point.number,
            point.paragraph,
            point.short_title(70)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_targets() {
        assert_eq!(
            slug("What Obama did — and did not: 2015's talks"),
            "what-obama-did-and-did-not-2015-s-talks"
        );
        assert_eq!(slug("¿¡!"), "article");
        assert_eq!(
            target_path(Path::new("dir"), "A B"),
            PathBuf::from("dir/a-b.md")
        );
        assert_eq!(
            target_path(Path::new("dir/x.md"), "A B"),
            PathBuf::from("dir/x.md")
        );
    }

    #[test]
    fn page_names_stand_in_for_a_missing_title() {
        assert_eq!(page_name("saved/cyber-talks_2015.html"), "cyber talks 2015");
        assert_eq!(page_name("https://example.org/a/b-c/?x=1"), "b c");
        assert_eq!(page_name("https://example.org/"), "example");
        assert_eq!(page_name(""), "Untitled article");
    }

    #[test]
    fn markdown_round_trips_through_the_parser() {
        let extracted = Extracted {
            title: "A title".into(),
            source: Some("https://example.org/a".into()),
            published: Some("2020-01-02".into()),
            paragraphs: vec!["One, cited.[^1]".into(), "Two.".into()],
            footnotes: vec![(1, "The note.".into())],
        };
        let markdown = to_markdown(&extracted);
        assert_eq!(
            markdown,
            "---\ntitle: A title\nsource: https://example.org/a\npublished: 2020-01-02\n---\n# A title\n\nOne, cited.[^1]\n\nTwo.\n\n[^1]: The note.\n"
        );
        let article = parse_article(Path::new("a.md"), &markdown, Format::Markdown).unwrap();
        assert_eq!(article.title, "A title");
        assert_eq!(article.passages[0].text, "One, cited.[1]");
        assert_eq!(article.footnotes[0].text, "The note.");
    }
}
