//! The article linter behind `summit-bot index --check [DIR]`: finds what would break an
//! article or make it answer badly, reporting every problem (the parser stops at the first)
//! with its file and line, for an articles repository's CI.
//!
//! Errors (the article would not load): unreadable or non-UTF-8 file, no title or no
//! paragraph, unclosed front matter, a marker without a definition, a footnote number defined
//! twice, an invalid metadata file. Warnings (it loads, but something is off): a footnote never
//! cited, an empty paragraph, an enumeration that could not be numbered, navigation
//! boilerplate left in, a metadata file with no article beside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::IngestError;
use super::markers::{find_markers, without_markers};
use super::parse::{blocks_of, decode, footnote_definition, is_navigation, parse_article, Format};
use super::points::{extract_points, ordinal_rank, sentence_rank};
use super::sentences::split_sentences;

/// Phrases of site chrome that scraping leaves in (newsletter boxes, share bars, footers):
/// a short paragraph containing one is flagged. The parser already drops the headings it
/// knows ([`is_navigation`]); these need a person's eye.
const BOILERPLATE: &[&str] = &[
    "subscribe",
    "newsletter",
    "sign up",
    "share on",
    "share this",
    "follow us",
    "read more",
    "all rights reserved",
    "cookie",
    "©",
    "copyright",
    "skip to",
    "print this",
    "email this",
];

/// Paragraphs longer than this many words are content even if they mention a newsletter.
const BOILERPLATE_MAX_WORDS: usize = 15;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The article would not load (or would load wrongly): fail CI.
    Error,
    /// Worth a look; the article still loads.
    Warning,
}

/// One problem, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line {
            Some(line) => write!(
                f,
                "{}:{line}: {severity}: {}",
                self.path.display(),
                self.message
            ),
            None => write!(f, "{}: {severity}: {}", self.path.display(), self.message),
        }
    }
}

/// What the linter saw in a folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintReport {
    /// Article files checked.
    pub files: usize,
    /// Everything found, by file then line.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// Number of findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Lints every article (and metadata file) in `dir`.
pub fn lint_dir(dir: &Path) -> Result<LintReport, IngestError> {
    let paths = super::article_paths(dir)?;
    let mut report = LintReport {
        files: paths.len(),
        findings: Vec::new(),
    };
    for path in &paths {
        report.findings.extend(lint_file(path));
    }
    // A metadata file whose article is missing (renamed, deleted) silently does nothing.
    let mut orphans: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| IngestError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            !paths
                .iter()
                .any(|a| super::metadata::metadata_path(a) == *p)
        })
        .collect();
    orphans.sort();
    for path in orphans {
        report.findings.push(Finding {
            path,
            line: None,
            severity: Severity::Warning,
            message: "metadata file without an article of the same name (.txt or .md)".into(),
        });
    }
    Ok(report)
}

/// Lints one article file and its metadata file.
pub fn lint_file(path: &Path) -> Vec<Finding> {
    let mut findings = Vec::new();
    let finding = |line: Option<usize>, severity, message: String| Finding {
        path: path.to_path_buf(),
        line,
        severity,
        message,
    };
    if let Err(err) = super::metadata::read_metadata(path) {
        findings.push(from_error(&err));
    }
    let text = match std::fs::read(path)
        .map_err(|source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        })
        .and_then(|bytes| decode(path, &bytes))
    {
        Ok(text) => text,
        Err(err) => {
            findings.push(from_error(&err));
            return findings;
        }
    };
    let format = Format::for_path(path).unwrap_or(Format::Plain);
    match parse_article(path, &text, format) {
        // Reported below, all of them rather than the first.
        Ok(_)
        | Err(IngestError::UndefinedFootnote { .. } | IngestError::DuplicateFootnote { .. }) => {}
        Err(err) => {
            findings.push(from_error(&err));
            return findings;
        }
    }

    let lines: Vec<&str> = text.lines().collect();
    let body_start = match format {
        Format::Markdown if lines.first().map(|l| l.trim()) == Some("---") => lines
            .iter()
            .skip(1)
            .position(|l| l.trim() == "---")
            .map_or(0, |close| close + 2),
        _ => 0,
    };
    let mut blocks = blocks_of(&lines, body_start);
    let has_title_block = format == Format::Plain
        || body_start == 0
        || blocks.first().is_some_and(|b| b.text.starts_with("# "));
    if has_title_block && !blocks.is_empty() {
        blocks.remove(0);
    }

    let mut defined: BTreeMap<u32, usize> = BTreeMap::new();
    let mut cited: BTreeMap<u32, usize> = BTreeMap::new();
    for block in &blocks {
        for (offset, line_text) in block.text.lines().enumerate() {
            if is_navigation(line_text) {
                findings.push(finding(
                    Some(block.line + offset),
                    Severity::Warning,
                    format!(
                        "navigation boilerplate left in: \"{}\" (remove it)",
                        line_text.trim()
                    ),
                ));
            }
        }
        if let Some((number, _)) = footnote_definition(&block.text) {
            match defined.get(&number) {
                Some(first) => findings.push(finding(
                    Some(block.line),
                    Severity::Error,
                    format!("footnote [{number}] is defined twice (first on line {first})"),
                )),
                None => {
                    defined.insert(number, block.line);
                }
            }
            continue;
        }
        let content: Vec<&str> = block.text.lines().filter(|l| !is_navigation(l)).collect();
        if content.is_empty()
            || (format == Format::Markdown && block.text.starts_with('#') && content.len() == 1)
        {
            continue;
        }
        let paragraph = content.join(" ");
        if !without_markers(&paragraph)
            .chars()
            .any(char::is_alphanumeric)
        {
            findings.push(finding(
                Some(block.line),
                Severity::Warning,
                "empty paragraph (no words, only markers or punctuation)".into(),
            ));
        }
        let lower = paragraph.to_lowercase();
        if paragraph.split_whitespace().count() <= BOILERPLATE_MAX_WORDS {
            if let Some(phrase) = BOILERPLATE.iter().find(|p| lower.contains(*p)) {
                findings.push(finding(
                    Some(block.line),
                    Severity::Warning,
                    format!(
                        "looks like site boilerplate (\"{phrase}\"), not article text: \"{}\"",
                        paragraph
                    ),
                ));
            }
        }
        for marker in find_markers(&block.text) {
            let line = block.line + block.text[..marker.start].matches('\n').count();
            for number in marker.numbers {
                cited.entry(number).or_insert(line);
            }
        }
        findings.extend(unnumbered_enumerations(&paragraph).into_iter().map(|opening| {
            finding(
                Some(block.line),
                Severity::Warning,
                format!("enumeration could not be numbered: \"{opening}…\" has no matching \"First, …\" item before it, or the list has one item"),
            )
        }));
    }
    for (number, line) in &cited {
        if !defined.contains_key(number) {
            findings.push(finding(
                Some(*line),
                Severity::Error,
                format!("marker [{number}] has no footnote definition"),
            ));
        }
    }
    for (number, line) in &defined {
        if !cited.contains_key(number) {
            findings.push(finding(
                Some(*line),
                Severity::Warning,
                format!("footnote [{number}] is never cited"),
            ));
        }
    }
    findings.sort_by_key(|f| (f.line, f.severity));
    findings
}

/// Openings of sentences that start with a numbering ordinal ("Second, …") but did not
/// become a point.
fn unnumbered_enumerations(paragraph: &str) -> Vec<String> {
    let sentences = split_sentences(paragraph);
    let passage = super::model::Passage {
        paragraph: 1,
        text: paragraph.to_string(),
        footnotes: Vec::new(),
        sentences: sentences.clone(),
    };
    let points = extract_points(&passage, 1);
    sentences
        .iter()
        .map(|s| &paragraph[s.start..s.end])
        // "Finally, …" and "Last, …" are ordinary prose outside a list.
        .filter(|s| sentence_rank(s).is_some_and(|r| r != u32::MAX))
        .filter(|s| {
            !points
                .iter()
                .any(|p| p.text.starts_with(*s) || s.starts_with(p.text.as_str()))
        })
        .map(|s| {
            let head = s.split([',', ':']).next().unwrap_or(s);
            debug_assert!(ordinal_rank(head.trim()).is_some());
            head.trim().to_string()
        })
        .collect()
}

/// A parser error as a finding.
fn from_error(err: &IngestError) -> Finding {
    let (path, line) = match err {
        IngestError::Io { path, .. }
        | IngestError::Empty { path }
        | IngestError::NoArticles { path } => (path, None),
        IngestError::NotUtf8 { path, line }
        | IngestError::UndefinedFootnote { path, line, .. }
        | IngestError::DuplicateFootnote { path, line, .. }
        | IngestError::UnclosedFrontMatter { path, line }
        | IngestError::Metadata { path, line, .. } => (path, Some(*line)),
    };
    // The error's own text starts with "path:line: "; keep only what follows.
    let text = err.to_string();
    let message = text
        .strip_prefix(&format!("{}:", path.display()))
        .map(|rest| match line {
            Some(l) => rest.strip_prefix(&format!("{l}:")).unwrap_or(rest),
            None => rest,
        })
        .unwrap_or(&text)
        .trim()
        .to_string();
    Finding {
        path: path.clone(),
        line,
        severity: Severity::Error,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(name: &str, text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        lint_file(&path)
            .into_iter()
            .map(|f| {
                let text = f.to_string();
                text[text.find(name).unwrap()..].to_string()
            })
            .collect()
    }

    #[test]
    fn a_clean_article_has_no_findings() {
        assert_eq!(
            lint(
                "a.txt",
                "Title\n\nFirst, one. Second, two.[1]\n\n[1] Note.\n"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let text = "Title\n\nCites.[1] And [7].\n\n[2]\n\nSecond, a point without a first.\n\n[1] One.\n\n[1] Again.\n\n[3] Never cited.\n\nMore From\n\nSign up for our newsletter\n";
        assert_eq!(
            lint("a.txt", text),
            [
                "a.txt:3: error: marker [7] has no footnote definition",
                "a.txt:5: error: marker [2] has no footnote definition",
                "a.txt:5: warning: empty paragraph (no words, only markers or punctuation)",
                "a.txt:7: warning: enumeration could not be numbered: \"Second…\" has no matching \"First, …\" item before it, or the list has one item",
                "a.txt:11: error: footnote [1] is defined twice (first on line 9)",
                "a.txt:13: warning: footnote [3] is never cited",
                "a.txt:15: warning: navigation boilerplate left in: \"More From\" (remove it)",
                "a.txt:17: warning: looks like site boilerplate (\"newsletter\"), not article text: \"Sign up for our newsletter\"",
            ]
        );
    }

    #[test]
    fn parser_errors_are_errors() {
        assert_eq!(
            lint("b.md", "---\ntitle: x\n\nBody\n"),
            ["b.md:1: error: front matter is not closed with ---"]
        );
        assert_eq!(
            lint("c.txt", ""),
            ["c.txt: error: empty article (no title and paragraphs)"]
        );
    }
}
