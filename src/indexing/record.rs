//! The stored form of one searchable unit (a paragraph or a point): everything needed to
//! answer from a hit without going back to the article files, plus the analysed terms with
//! offsets so re-ranking and highlighting never re-run the analyzer at question time.

use serde::{Deserialize, Serialize};

use crate::indexing::analysis::Analyzer;
use crate::ingest::{Article, Footnote, Sentence};

/// One analysed term of the passage text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermSpan {
    /// The normalised term.
    pub term: String,
    /// Byte range of the source word in the passage text.
    pub start: u32,
    /// End of the byte range.
    pub end: u32,
    /// Index of the sentence holding the word.
    pub sentence: u16,
}

/// A paragraph or point as stored in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageRecord {
    /// Stable id: `slug:paragraph` or `slug:paragraph.point`.
    pub id: String,
    /// Slug of the article.
    pub article: String,
    /// Title of the article.
    pub title: String,
    /// The article's source URL, when known.
    pub source_url: Option<String>,
    /// 1-based paragraph number.
    pub paragraph: u32,
    /// 1-based point number when this unit is an agreement point.
    pub point: Option<u32>,
    /// Verbatim text.
    pub text: String,
    /// Cited footnotes with their text.
    pub footnotes: Vec<Footnote>,
    /// Sentence ranges in `text`.
    pub sentences: Vec<Sentence>,
    /// Analysed terms of `text`.
    pub terms: Vec<TermSpan>,
    /// Analysed terms of the cited footnotes (searchable with the passage).
    pub footnote_terms: Vec<String>,
    /// Analysed terms of the article title: words that name the whole article's topic.
    pub title_terms: Vec<String>,
}

/// Id of a paragraph.
pub fn paragraph_id(slug: &str, paragraph: u32) -> String {
    format!("{slug}:{paragraph}")
}

/// Id of a point.
pub fn point_id(slug: &str, paragraph: u32, point: u32) -> String {
    format!("{slug}:{paragraph}.{point}")
}

impl PassageRecord {
    /// Every searchable unit of an article: its paragraphs, then its points.
    pub fn all_for(article: &Article, analyzer: &mut Analyzer) -> Vec<PassageRecord> {
        let paragraphs = article.passages.iter().map(|p| {
            let id = paragraph_id(&article.slug, p.paragraph);
            Self::build(
                article,
                analyzer,
                id,
                p.paragraph,
                None,
                &p.text,
                &p.sentences,
                &p.footnotes,
            )
        });
        let paragraphs: Vec<PassageRecord> = paragraphs.collect();
        let points = article.points.iter().map(|p| {
            let id = point_id(&article.slug, p.paragraph, p.number);
            Self::build(
                article,
                analyzer,
                id,
                p.paragraph,
                Some(p.number),
                &p.text,
                &p.sentences,
                &p.footnotes,
            )
        });
        let mut all = paragraphs;
        all.extend(points.collect::<Vec<_>>());
        all
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        article: &Article,
        analyzer: &mut Analyzer,
        id: String,
        paragraph: u32,
        point: Option<u32>,
        text: &str,
        sentences: &[Sentence],
        footnote_numbers: &[u32],
    ) -> PassageRecord {
        let terms = analyzer
            .analyze(&crate::ingest::markers::blank_markers(text))
            .into_iter()
            .map(|t| TermSpan {
                sentence: sentences
                    .iter()
                    .position(|s| t.start < s.end)
                    .unwrap_or(sentences.len().saturating_sub(1)) as u16,
                term: t.term,
                start: t.start as u32,
                end: t.end as u32,
            })
            .collect();
        let footnotes = article.footnotes_for(footnote_numbers);
        let footnote_terms = footnotes
            .iter()
            .flat_map(|f| analyzer.terms(&f.text))
            .collect();
        PassageRecord {
            id,
            article: article.slug.clone(),
            title: article.title.clone(),
            source_url: article.source_url.clone(),
            paragraph,
            point,
            text: text.to_string(),
            footnotes,
            sentences: sentences.to_vec(),
            terms,
            footnote_terms,
            title_terms: analyzer.terms(&article.title),
        }
    }

    /// All analysed terms (text then footnotes), as indexed in the `body` field.
    pub fn body_terms(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .map(|t| t.term.as_str())
            .chain(self.footnote_terms.iter().map(String::as_str))
    }
}
