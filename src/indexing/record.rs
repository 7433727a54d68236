//! The stored form of one searchable unit (a paragraph or a point): everything needed to
//! answer from a hit without going back to the article files, plus the analysed terms with
//! offsets so re-ranking and highlighting never re-run the analyzer at question time.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};

use crate::indexing::analysis::Analyzer;
use crate::indexing::IndexError;
use crate::ingest::{Article, Footnote, PassageRef, Sentence};

/// One analysed term of the passage text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermSpan {
    /// The normalised term.
    pub term: String,
    /// Byte range of the source word in the passage text.
    pub start: u32,
    /// End of the byte range.
    pub end: u32,
    /// Index of the sentence holding the word. (A `u16` once, which wrapped past 65,535
    /// sentences; the passage's byte length, checked to fit a `u32` when the record is
    /// built, bounds this too.)
    pub sentence: u32,
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

/// Builds the records of many articles, analysing each distinct word once.
///
/// The analysis chain ([`crate::indexing::analysis::text_analyzer`]) is a tokenizer
/// (tantivy's `SimpleTokenizer`: runs of alphanumeric characters) followed by filters that
/// each look at one token alone (length limit, lowercase, ASCII folding, stop words,
/// stemming). So a word analyses the same wherever it stands, and its result can be
/// remembered: a corpus of a million passages has only tens of thousands of distinct words,
/// and the stemmer was most of the build's analysis time. The test
/// `cached_analysis_matches_the_analyzer` checks the equivalence.
pub struct RecordBuilder {
    analyzer: Analyzer,
    tokenizer: SimpleTokenizer,
    /// Source word → its term, or `None` when the chain drops it (stop word, too long).
    /// FxHash: words are short and not attacker-chosen at build time, and SipHash was a
    /// visible share of the build.
    words: FxHashMap<Box<str>, Option<Box<str>>>,
}

/// Remembered words above which the cache starts over (bounds memory on huge vocabularies).
const WORD_CACHE_LIMIT: usize = 1_000_000;

impl Default for RecordBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordBuilder {
    /// A builder with an empty word cache.
    pub fn new() -> Self {
        RecordBuilder {
            analyzer: Analyzer::new(),
            tokenizer: SimpleTokenizer::default(),
            words: HashMap::default(),
        }
    }

    /// Analyses `text` like [`Analyzer::analyze`]: terms with the byte range of their word.
    pub fn analyze(&mut self, text: &str, mut each: impl FnMut(&str, usize, usize)) {
        let mut stream = self.tokenizer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            let term = match self.words.get(token.text.as_str()) {
                Some(term) => term.as_deref(),
                None => {
                    if self.words.len() >= WORD_CACHE_LIMIT {
                        self.words.clear();
                    }
                    let mut terms = self.analyzer.terms(&token.text);
                    debug_assert!(terms.len() <= 1, "one word gave {terms:?}");
                    let term = terms.pop().map(String::into_boxed_str);
                    self.words
                        .entry(token.text.as_str().into())
                        .or_insert(term)
                        .as_deref()
                }
            };
            if let Some(term) = term {
                each(term, token.offset_from, token.offset_to);
            }
        }
    }

    /// The terms of `text`, like [`Analyzer::terms`].
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.analyze(text, |term, _, _| out.push(term.to_string()));
        out
    }

    /// Every searchable unit of an article: its paragraphs, then its points. A passage over
    /// 4 GiB (offsets past a `u32`) is refused with an error rather than stored wrapped.
    pub fn records(&mut self, article: &Article) -> Result<Vec<PassageRecord>, IndexError> {
        // Analysed once per article, not once per passage that needs them.
        let title_terms = self.terms(&article.title);
        let footnote_terms: HashMap<u32, Vec<String>> = article
            .footnotes
            .iter()
            .map(|f| (f.number, self.terms(&f.text)))
            .collect();
        let context = ArticleContext {
            article,
            title_terms: &title_terms,
            footnote_terms: &footnote_terms,
        };
        let mut all = Vec::with_capacity(article.passages.len() + article.points.len());
        for p in &article.passages {
            let id = paragraph_id(&article.slug, p.paragraph);
            all.push(self.build(
                &context,
                id,
                p.paragraph,
                None,
                &p.text,
                &p.sentences,
                &p.footnotes,
            )?);
        }
        for p in &article.points {
            let id = point_id(&article.slug, p.paragraph, p.number);
            all.push(self.build(
                &context,
                id,
                p.paragraph,
                Some(p.number),
                &p.text,
                &p.sentences,
                &p.footnotes,
            )?);
        }
        Ok(all)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &mut self,
        context: &ArticleContext<'_>,
        id: String,
        paragraph: u32,
        point: Option<u32>,
        text: &str,
        sentences: &[Sentence],
        footnote_numbers: &[u32],
    ) -> Result<PassageRecord, IndexError> {
        // Offsets and sentence numbers are stored as u32: with the text's length checked,
        // none of the conversions below can wrap.
        if u32::try_from(text.len()).is_err() {
            return Err(IndexError::PassageTooLong {
                id,
                bytes: text.len(),
            });
        }
        let mut terms = Vec::new();
        // Terms come in text order, so the sentence holding each only moves forward.
        let mut sentence = 0;
        let last_sentence = sentences.len().saturating_sub(1);
        self.analyze(
            &crate::ingest::markers::blank_markers(text),
            |term, start, end| {
                while sentence < sentences.len() && start >= sentences[sentence].end {
                    sentence += 1;
                }
                terms.push(TermSpan {
                    term: term.to_string(),
                    start: start as u32,
                    end: end as u32,
                    sentence: if sentence < sentences.len() {
                        sentence
                    } else {
                        last_sentence
                    } as u32,
                });
            },
        );
        let article = context.article;
        let footnotes = article.footnotes_for(footnote_numbers);
        let footnote_terms = footnotes
            .iter()
            .filter_map(|f| context.footnote_terms.get(&f.number))
            .flatten()
            .cloned()
            .collect();
        Ok(PassageRecord {
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
            title_terms: context.title_terms.to_vec(),
        })
    }
}

/// What every record of one article shares, analysed once.
struct ArticleContext<'a> {
    article: &'a Article,
    title_terms: &'a [String],
    footnote_terms: &'a HashMap<u32, Vec<String>>,
}

impl PassageRecord {
    /// Where the passage sits, and its text.
    pub fn passage_ref(&self) -> PassageRef {
        PassageRef {
            id: self.id.clone(),
            article: self.article.clone(),
            title: self.title.clone(),
            paragraph: self.paragraph,
            point: self.point,
            text: self.text.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The old, uncached construction: the reference the builder must match exactly.
    fn reference(text: &str, sentences: &[Sentence]) -> Vec<TermSpan> {
        Analyzer::new()
            .analyze(&crate::ingest::markers::blank_markers(text))
            .into_iter()
            .map(|t| TermSpan {
                sentence: sentences
                    .iter()
                    .position(|s| t.start < s.end)
                    .unwrap_or(sentences.len().saturating_sub(1)) as u32,
                term: t.term,
                start: t.start as u32,
                end: t.end as u32,
            })
            .collect()
    }

    #[test]
    fn cached_analysis_matches_the_analyzer() {
        let texts = [
            "What are the Sanctions? Café HOTLINES, U.S. indictment.[1] Æther ǅemal naïve ½ x².",
            "Hotlines hotline HOTLINE running runs ran. The the THE a an.[2, 3] Über-cool déjà vu.",
            "Supercalifragilisticexpialidociousandthensomemorelettersbeyondforty end. 2015 13694.",
            "",
            "   ",
            "日本語 テキスト and Ελληνικά λέξεις, ok? Yes! Done.",
        ];
        let mut builder = RecordBuilder::new();
        for round in 0..2 {
            for text in texts {
                let sentences = crate::ingest::sentences::split_sentences(text);
                let mut got = Vec::new();
                let mut sentence = 0;
                builder.analyze(&crate::ingest::markers::blank_markers(text), |t, s, e| {
                    while sentence < sentences.len() && s >= sentences[sentence].end {
                        sentence += 1;
                    }
                    got.push((t.to_string(), s as u32, e as u32));
                });
                let want = reference(text, &sentences);
                let want_terms: Vec<(String, u32, u32)> = want
                    .iter()
                    .map(|t| (t.term.clone(), t.start, t.end))
                    .collect();
                assert_eq!(got, want_terms, "round {round}: {text:?}");
                assert_eq!(builder.terms(text), Analyzer::new().terms(text));
            }
        }
    }

    #[test]
    fn records_match_the_uncached_construction() {
        let corpus = crate::ingest::embedded_corpus();
        let article = &corpus.articles[0];
        let records = RecordBuilder::new().records(article).expect("records");
        assert_eq!(records.len(), article.passages.len() + article.points.len());
        let mut analyzer = Analyzer::new();
        for record in &records {
            assert_eq!(record.terms, reference(&record.text, &record.sentences));
            let footnote_terms: Vec<String> = record
                .footnotes
                .iter()
                .flat_map(|f| analyzer.terms(&f.text))
                .collect();
            assert_eq!(record.footnote_terms, footnote_terms);
            assert_eq!(record.title_terms, analyzer.terms(&article.title));
        }
    }

    #[test]
    fn sentence_numbers_past_65535_do_not_wrap() {
        // 70,000 sentences in one passage: the last word's sentence is 69,999 (a u16 gave
        // 69,999 - 65,536 = 4,463).
        let text = "Hotline talks. ".repeat(70_000);
        let text = text.trim_end();
        let sentences = crate::ingest::sentences::split_sentences(text);
        assert_eq!(sentences.len(), 70_000);
        let mut article = crate::ingest::embedded_corpus().articles[0].clone();
        article.passages.truncate(1);
        article.points.clear();
        article.passages[0].text = text.to_string();
        article.passages[0].sentences = sentences;
        article.passages[0].footnotes.clear();
        let records = RecordBuilder::new().records(&article).expect("records");
        let terms = &records[0].terms;
        assert_eq!(terms.first().map(|t| t.sentence), Some(0));
        assert_eq!(terms.last().map(|t| t.sentence), Some(69_999));
        let encoded = postcard::to_allocvec(&records[0]).expect("encode");
        let decoded: PassageRecord = postcard::from_bytes(&encoded).expect("decode");
        assert_eq!(decoded, records[0]);
    }
}
