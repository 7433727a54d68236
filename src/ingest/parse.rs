//! Parses one article from text: the plain format of the shipped article (title line,
//! paragraphs, `[n] text` footnote definitions, trailing site navigation) and Markdown
//! with optional front matter (`title:`, `source:`, `published:`) and `[^n]:` footnotes.

use std::path::Path;

use super::error::IngestError;
use super::markers::{cited_numbers, find_markers};
use super::model::{Article, Footnote, Passage};
use super::points::extract_points;
use super::sentences::split_sentences;

/// Site navigation headings that trail scraped articles; never content.
const NAVIGATION: &[&str] = &[
    "more from",
    "more on this topic",
    "related topics",
    "related",
    "related articles",
    "share",
    "share this",
    "tags",
    "topics",
    "recommended",
];

/// Input format, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The shipped `.txt` layout.
    Plain,
    /// Markdown (`.md`, `.markdown`).
    Markdown,
}

impl Format {
    /// The format for a file name, or `None` if it is not an article.
    pub fn for_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "txt" => Some(Format::Plain),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// A block of consecutive non-blank lines and the line it starts on.
pub(crate) struct Block {
    /// 1-based line of the block's first line.
    pub(crate) line: usize,
    /// The block's lines, trimmed, joined with `\n`.
    pub(crate) text: String,
}

/// Decodes bytes as UTF-8, reporting the line of the first bad byte.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String, IngestError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.trim_start_matches('\u{feff}').to_string()),
        Err(err) => {
            let line = 1 + bytes[..err.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            Err(IngestError::NotUtf8 {
                path: path.to_path_buf(),
                line,
            })
        }
    }
}

/// Parses an article. `path` names it in errors and gives its slug.
pub fn parse_article(path: &Path, text: &str, format: Format) -> Result<Article, IngestError> {
    let slug = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("article")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut first_body_line = 0;
    let mut title = None;
    let mut source_url = None;
    let mut published = None;

    if format == Format::Markdown && lines.first().map(|l| l.trim()) == Some("---") {
        let close = lines
            .iter()
            .skip(1)
            .position(|l| l.trim() == "---")
            .ok_or_else(|| IngestError::UnclosedFrontMatter {
                path: path.to_path_buf(),
                line: 1,
            })?;
        for line in &lines[1..=close] {
            if let Some((key, value)) = line.split_once(':') {
                let value = value
                    .trim()
                    .trim_matches('"')
                    .trim_matches('\'')
                    .to_string();
                match key.trim().to_ascii_lowercase().as_str() {
                    "title" => title = Some(value),
                    "source" | "source_url" | "url" => source_url = Some(value),
                    "published" | "date" => published = Some(value),
                    _ => {}
                }
            }
        }
        first_body_line = close + 2;
    }

    let mut blocks = blocks_of(&lines, first_body_line);
    // Drop navigation lines: they are never content, wherever scraping left them.
    // Scraped navigation may also trail a block without a blank line ("[4] Note.\nMore From").
    for block in &mut blocks {
        while let Some((rest, last)) = block.text.rsplit_once('\n') {
            if !(is_navigation(last) && last.starts_with(char::is_uppercase)) {
                break;
            }
            block.text.truncate(rest.len());
        }
    }
    blocks.retain(|b| !is_navigation(&b.text));

    if title.is_none() && !blocks.is_empty() {
        let block = blocks.remove(0);
        title = Some(block.text.trim_start_matches('#').trim().to_string());
    } else if format == Format::Markdown && blocks.first().is_some_and(|b| b.text.starts_with("# "))
    {
        blocks.remove(0);
    }
    if format == Format::Markdown {
        // Section headings (`## Background`) organise the article; they answer nothing.
        blocks.retain(|b| !b.text.starts_with('#') || b.text.contains('\n'));
    }
    let title = title
        .filter(|t| !t.is_empty())
        .ok_or_else(|| IngestError::Empty {
            path: path.to_path_buf(),
        })?;

    let mut footnotes: Vec<(Footnote, usize)> = Vec::new();
    let mut paragraphs: Vec<Block> = Vec::new();
    for block in blocks {
        match footnote_definition(&block.text) {
            Some((number, body)) => {
                if let Some((_, first_line)) = footnotes.iter().find(|(f, _)| f.number == number) {
                    return Err(IngestError::DuplicateFootnote {
                        path: path.to_path_buf(),
                        line: block.line,
                        first_line: *first_line,
                        number,
                    });
                }
                footnotes.push((
                    Footnote {
                        number,
                        text: body.replace('\n', " "),
                    },
                    block.line,
                ));
            }
            None => paragraphs.push(block),
        }
    }
    if paragraphs.is_empty() {
        return Err(IngestError::Empty {
            path: path.to_path_buf(),
        });
    }

    let mut passages = Vec::with_capacity(paragraphs.len());
    for (i, block) in paragraphs.iter().enumerate() {
        for marker in find_markers(&block.text) {
            for number in marker.numbers {
                if !footnotes.iter().any(|(f, _)| f.number == number) {
                    let line = block.line + block.text[..marker.start].matches('\n').count();
                    return Err(IngestError::UndefinedFootnote {
                        path: path.to_path_buf(),
                        line,
                        number,
                    });
                }
            }
        }
        let mut text = block.text.replace('\n', " ");
        if format == Format::Markdown {
            text = super::markers::plain_markers(&text);
        }
        passages.push(Passage {
            paragraph: i as u32 + 1,
            footnotes: cited_numbers(&text),
            sentences: split_sentences(&text),
            text,
        });
    }

    let mut points = Vec::new();
    for passage in &passages {
        points.extend(extract_points(passage, points.len() as u32 + 1));
    }
    let mut footnotes: Vec<Footnote> = footnotes.into_iter().map(|(f, _)| f).collect();
    footnotes.sort_by_key(|f| f.number);

    Ok(Article {
        slug,
        title,
        source_url,
        published,
        passages,
        footnotes,
        points,
    })
}

/// Groups lines into blocks separated by blank lines. Line numbers are 1-based.
pub(crate) fn blocks_of(lines: &[&str], from: usize) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in lines.iter().enumerate().skip(from) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blocks.extend(current.take());
            continue;
        }
        // A footnote definition always starts its own block.
        if footnote_definition(trimmed).is_some() {
            blocks.extend(current.take());
        }
        match current.as_mut() {
            Some(block) => {
                block.text.push('\n');
                block.text.push_str(trimmed);
            }
            None => {
                current = Some(Block {
                    line: i + 1,
                    text: trimmed.to_string(),
                })
            }
        }
    }
    blocks.extend(current);
    blocks
}

/// A navigation heading (`More From`, `Related Topics`), never content.
pub(crate) fn is_navigation(line: &str) -> bool {
    NAVIGATION.contains(&line.trim().to_lowercase().as_str())
}

/// `[n] text`, `[n]: text` or `[^n]: text` at the start of a block. `[^n] text` without the
/// colon is a Markdown reference that a wrapped paragraph line happens to start with.
pub(crate) fn footnote_definition(text: &str) -> Option<(u32, &str)> {
    let marker = super::markers::marker_at(text, 0)?;
    if marker.numbers.len() != 1 {
        return None;
    }
    let rest = &text[marker.end..];
    let rest = match rest.strip_prefix(':') {
        Some(rest) => rest,
        None if text.starts_with("[^") => return None,
        None => rest,
    };
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((marker.numbers[0], rest.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Article, IngestError> {
        parse_article(Path::new("dir/a.txt"), text, Format::Plain)
    }

    #[test]
    fn parses_title_paragraphs_footnotes_and_drops_navigation() {
        let article = parse(
            "Title here\n\n\nOne.[1]\n\nTwo wraps\nonto a line.[2]\n\n[1] Note one.\n\n[2] Note two.\n\nMore From\n\nRelated Topics",
        )
        .unwrap();
        assert_eq!(article.slug, "a");
        assert_eq!(article.title, "Title here");
        let texts: Vec<&str> = article.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["One.[1]", "Two wraps onto a line.[2]"]);
        assert_eq!(article.passages[1].footnotes, vec![2]);
        assert_eq!(
            article.footnotes,
            vec![
                Footnote {
                    number: 1,
                    text: "Note one.".into()
                },
                Footnote {
                    number: 2,
                    text: "Note two.".into()
                }
            ]
        );
    }

    #[test]
    fn undefined_marker_names_file_and_line() {
        let err = parse("T\n\nFine.\n\nBad.[7]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "dir/a.txt:5: marker [7] has no footnote definition"
        );
    }

    #[test]
    fn duplicate_definition_names_both_lines() {
        let err = parse("T\n\nP.[1]\n\n[1] a\n\n[1] b\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "dir/a.txt:7: footnote [1] is defined twice (first on line 5)"
        );
    }

    #[test]
    fn empty_and_title_only_files_are_errors() {
        assert_eq!(
            parse("").unwrap_err().to_string(),
            "dir/a.txt: empty article (no title and paragraphs)"
        );
        assert!(matches!(parse(" \n\n"), Err(IngestError::Empty { .. })));
        assert!(matches!(
            parse("Only a title\n\nMore From"),
            Err(IngestError::Empty { .. })
        ));
    }

    #[test]
    fn non_utf8_reports_line() {
        let err = decode(Path::new("x.txt"), b"Title\n\nok\n\xff bad").unwrap_err();
        assert_eq!(err.to_string(), "x.txt:4: not valid UTF-8");
    }

    #[test]
    fn markdown_front_matter_and_caret_footnotes() {
        let text = "---\ntitle: \"Md title\"\nsource: https://example.org/a\npublished: 2015-09-28\n---\n# Ignored heading\n\nBody cites.[^1]\n\n[^1]: The note.\n";
        let article = parse_article(Path::new("b.md"), text, Format::Markdown).unwrap();
        assert_eq!(article.title, "Md title");
        assert_eq!(article.source_url.as_deref(), Some("https://example.org/a"));
        assert_eq!(article.published.as_deref(), Some("2015-09-28"));
        assert_eq!(article.passages.len(), 1);
        assert_eq!(article.passages[0].footnotes, vec![1]);
        assert_eq!(article.footnotes[0].text, "The note.");
    }

    #[test]
    fn markdown_section_headings_are_not_passages() {
        let text = "# Title\n\n## Background\n\nBody text.\n";
        let article = parse_article(Path::new("c.md"), text, Format::Markdown).unwrap();
        let texts: Vec<&str> = article.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["Body text."]);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = parse_article(Path::new("b.md"), "---\ntitle: x\n\nBody", Format::Markdown)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.md:1: front matter is not closed with ---"
        );
    }
}
