//! The parsed corpus: articles with their paragraphs (passages), footnotes and
//! enumerated agreement points. Plain data, no search or Discord concerns.

use serde::{Deserialize, Serialize};

/// A footnote definition: `[n] text` at the end of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footnote {
    /// The number used by inline markers (`[n]`).
    pub number: u32,
    /// The definition's text, without the `[n]` prefix.
    pub text: String,
}

/// Where a passage (a paragraph or a point) sits in its article, and its verbatim text: what
/// every answer cites (the `passage` object of the JSON output).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageRef {
    /// Stable id: `slug:paragraph` or `slug:paragraph.point`.
    pub id: String,
    /// Article slug.
    pub article: String,
    /// Article title.
    pub title: String,
    /// 1-based paragraph number.
    pub paragraph: u32,
    /// 1-based point number, when the passage is an agreement point.
    pub point: Option<u32>,
    /// The article's words, unchanged.
    pub text: String,
}

/// A sentence inside a passage, as a byte range into the passage text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character (trailing markers included).
    pub end: usize,
}

/// One paragraph of an article: the unit of answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// 1-based paragraph number within the article (title excluded).
    pub paragraph: u32,
    /// The paragraph text exactly as written, markers included.
    pub text: String,
    /// Footnote numbers cited by markers in this paragraph, ascending.
    pub footnotes: Vec<u32>,
    /// Sentence boundaries within `text`.
    pub sentences: Vec<Sentence>,
}

/// One item of an enumeration ("First, … Second, … Last, …") inside a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// 1-based position in the article's list of points.
    pub number: u32,
    /// The paragraph the point was found in.
    pub paragraph: u32,
    /// The item's text, verbatim from the paragraph (markers included).
    pub text: String,
    /// Footnotes that source this point: the list introduction's markers plus the item's own.
    pub footnotes: Vec<u32>,
    /// Sentence boundaries within `text`.
    pub sentences: Vec<Sentence>,
}

impl Point {
    /// A short label for menus: the item without its ordinal word, cut to `max_chars`.
    pub fn short_title(&self, max_chars: usize) -> String {
        let body = strip_ordinal(&self.text);
        let body = crate::ingest::markers::without_markers(body);
        let mut chars = body.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        let rest: String = chars.collect();
        let full = format!("{first}{rest}");
        let full = full.trim_end_matches(['.', ' ']).to_string();
        crate::text::truncate_words(&full, max_chars)
    }
}

/// Removes a leading ordinal word and its comma ("Second, neither …" → "neither …").
fn strip_ordinal(text: &str) -> &str {
    match text.split_once(',') {
        Some((head, tail)) if crate::ingest::points::ordinal_rank(head.trim()).is_some() => {
            tail.trim_start()
        }
        _ => text,
    }
}

/// A parsed article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable identifier: the file name without extension.
    pub slug: String,
    /// The article's title (first line, or front matter / `# heading` for Markdown).
    pub title: String,
    /// Where the article was published, when known (Markdown front matter).
    pub source_url: Option<String>,
    /// Publication date as written, when known.
    pub published: Option<String>,
    /// Paragraphs in order.
    pub passages: Vec<Passage>,
    /// Footnote definitions in order of number.
    pub footnotes: Vec<Footnote>,
    /// Enumerated points found in the paragraphs, in order.
    pub points: Vec<Point>,
}

impl Article {
    /// The footnote with this number, if defined.
    pub fn footnote(&self, number: u32) -> Option<&Footnote> {
        self.footnotes.iter().find(|f| f.number == number)
    }

    /// The footnotes for a list of numbers, skipping unknown ones.
    pub fn footnotes_for(&self, numbers: &[u32]) -> Vec<Footnote> {
        numbers
            .iter()
            .filter_map(|n| self.footnote(*n).cloned())
            .collect()
    }

    /// The point with this 1-based number.
    pub fn point(&self, number: u32) -> Option<&Point> {
        self.points.iter().find(|p| p.number == number)
    }
}

/// All articles the bot knows, in a stable order (sorted by slug).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corpus {
    /// The articles.
    pub articles: Vec<Article>,
}

impl Corpus {
    /// Number of paragraphs over all articles.
    pub fn passage_count(&self) -> usize {
        self.articles.iter().map(|a| a.passages.len()).sum()
    }

    /// Number of points over all articles.
    pub fn point_count(&self) -> usize {
        self.articles.iter().map(|a| a.points.len()).sum()
    }
}

/// What look-ups need of one article without its paragraphs: its facts, its points and its
/// footnotes, numbered as in the article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// The article id: the file name without extension.
    pub id: String,
    /// The article's title.
    pub title: String,
    /// Where the article was published, when known.
    pub source_url: Option<String>,
    /// Publication date as written, when known.
    pub published: Option<String>,
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// Enumerated points (their sentence ranges dropped: look-ups fetch the indexed point).
    pub points: Vec<Point>,
    /// Footnote definitions in order of number.
    pub footnotes: Vec<Footnote>,
}

impl ArticleSummary {
    /// Summarises one article.
    pub fn of(article: &Article) -> Self {
        ArticleSummary {
            id: article.slug.clone(),
            title: article.title.clone(),
            source_url: article.source_url.clone(),
            published: article.published.clone(),
            paragraphs: article.passages.len(),
            points: article
                .points
                .iter()
                .map(|p| Point {
                    sentences: Vec::new(),
                    ..p.clone()
                })
                .collect(),
            footnotes: article.footnotes.clone(),
        }
    }

    /// The footnote with this number, if defined.
    pub fn footnote(&self, number: u32) -> Option<&Footnote> {
        self.footnotes.iter().find(|f| f.number == number)
    }

    /// The point with this 1-based number.
    pub fn point(&self, number: u32) -> Option<&Point> {
        self.points.iter().find(|p| p.number == number)
    }
}

/// What the engine keeps of a corpus once it is indexed: totals and one [`ArticleSummary`]
/// per article (for `/point`, `/points`, `/footnote`, `/about`). Persisted beside the index
/// so a restart needs no parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusSummary {
    /// Paragraphs over all articles.
    pub passages: usize,
    /// Points over all articles.
    pub points: usize,
    /// Footnotes over all articles.
    pub footnotes: usize,
    /// Every article, in the corpus's order (by id).
    pub articles: Vec<ArticleSummary>,
}

impl CorpusSummary {
    /// Summarises a parsed corpus.
    pub fn of(corpus: &Corpus) -> Self {
        CorpusSummary {
            passages: corpus.passage_count(),
            points: corpus.point_count(),
            footnotes: corpus.articles.iter().map(|a| a.footnotes.len()).sum(),
            articles: corpus.articles.iter().map(ArticleSummary::of).collect(),
        }
    }
}
