//! The stored form of one searchable unit (a paragraph or a point), and how it is read back
//! with its analysed terms, so re-ranking and highlighting never run the stemmer at question
//! time.
//!
//! A stored record keeps only what is the passage's own: its article's number, where it sits,
//! its verbatim text, the footnote numbers it cites and its sentence ranges. Its terms are not
//! stored. The analysis chain treats each word alone (see [`RecordBuilder`]), so a passage's
//! terms follow from its words; the index keeps one [`WordTable`] of every word the build
//! analysed with its term, and reading a record tokenises the text (no stemming) and looks each
//! word up. The article's title, source and footnotes (and their terms) come from the corpus
//! summary in the manifest, analysed once when the index opens. One `String` per term and the
//! title repeated in every record made the records 94 % of a million-passage index.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
use xxhash_rust::xxh3::xxh3_64;

use super::analysis::Analyzer;
use super::build::TERM_SEPARATOR;
use super::{IndexError, Vocabulary};
use crate::ingest::{Article, CorpusSummary, Footnote, PassageRef, Sentence};

/// File of the [`WordTable`] inside the index directory.
pub const WORDS_FILE: &str = "summit-words.bin";

/// The id [`Vocabulary::id`] gives a term the index does not hold.
pub const UNKNOWN_TERM: u32 = u32::MAX;

/// One analysed term of the passage text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermSpan {
    /// The term's id in the index's [`Vocabulary`] ([`UNKNOWN_TERM`] if not indexed).
    pub term: u32,
    /// Byte range of the source word in the passage text.
    pub start: u32,
    /// End of the byte range.
    pub end: u32,
    /// Index of the sentence holding the word. (A `u16` once, which wrapped past 65,535
    /// sentences; the passage's byte length, checked to fit a `u32` when the record is
    /// built, bounds this too.)
    pub sentence: u32,
}

/// A paragraph or point as read from the index.
#[derive(Debug, Clone, PartialEq)]
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
    /// Analysed terms of `text`, in text order.
    pub terms: Vec<TermSpan>,
    /// Term ids of the cited footnotes (searchable with the passage).
    pub footnote_terms: Vec<u32>,
    /// Of those, the ids a cited footnote holds only inside quotation marks: the title of a
    /// cited work ("China Halts Cybersecurity Cooperation After U.S. Spying Charges"), whose
    /// words the source says, not the passage.
    pub cited_title_terms: Vec<u32>,
    /// Term ids of the article title: words that name the whole article's topic.
    pub title_terms: Vec<u32>,
}

/// What the index stores of a passage (postcard-encoded in the `record` field).
#[derive(Debug, Serialize, Deserialize)]
struct StoredPassage<'a> {
    /// Index of the article in the corpus (and in its summary).
    article: u32,
    paragraph: u32,
    point: Option<u32>,
    #[serde(borrow)]
    text: Cow<'a, str>,
    /// Footnote numbers as cited (unknown ones are skipped when read, as when built).
    footnotes: Cow<'a, [u32]>,
    sentences: Cow<'a, [Sentence]>,
}

/// Id of a paragraph.
pub fn paragraph_id(slug: &str, paragraph: u32) -> String {
    format!("{slug}:{paragraph}")
}

/// Id of a point.
pub fn point_id(slug: &str, paragraph: u32, point: u32) -> String {
    format!("{slug}:{paragraph}.{point}")
}

/// Calls `each(word, start, end)` for every token the analysis chain starts from (tantivy's
/// `SimpleTokenizer`: runs of alphanumeric characters). Building and reading share it.
fn for_each_word(
    tokenizer: &mut SimpleTokenizer,
    text: &str,
    mut each: impl FnMut(&str, usize, usize),
) {
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        each(&token.text, token.offset_from, token.offset_to);
    }
}

/// Numbers the sentence of each word, given in text order: the sentence only moves forward,
/// and a word past the last sentence's end belongs to the last one.
struct SentenceWalk<'a> {
    sentences: &'a [Sentence],
    at: usize,
}

impl<'a> SentenceWalk<'a> {
    fn new(sentences: &'a [Sentence]) -> Self {
        SentenceWalk { sentences, at: 0 }
    }

    fn sentence_of(&mut self, start: usize) -> u32 {
        while self.at < self.sentences.len() && start >= self.sentences[self.at].end {
            self.at += 1;
        }
        let last = self.sentences.len().saturating_sub(1);
        self.at.min(last) as u32
    }
}

/// One passage ready for the index writer.
pub struct BuiltRecord {
    /// The passage id (the `id` field).
    pub id: String,
    /// Its terms, then its cited footnotes' terms, joined by [`TERM_SEPARATOR`] (the `body`
    /// field, indexed as they are).
    pub body: String,
    /// The encoded record (the `record` field).
    pub stored: Vec<u8>,
}

/// Builds the records of many articles, analysing each distinct word once.
///
/// The analysis chain ([`crate::indexing::analysis::text_analyzer`]) is a tokenizer
/// (tantivy's `SimpleTokenizer`: runs of alphanumeric characters) followed by filters that
/// each look at one token alone (length limit, lowercase, ASCII folding, stop words,
/// stemming). So a word analyses the same wherever it stands, and its result can be
/// remembered: a corpus of a million passages has only tens of thousands of distinct words,
/// and the stemmer was most of the build's analysis time. The words remembered become the
/// index's [`WordTable`]. The test `cached_analysis_matches_the_analyzer` checks the
/// equivalence.
pub struct RecordBuilder {
    analyzer: Analyzer,
    tokenizer: SimpleTokenizer,
    /// Source word → its term, or `None` when the chain drops it (stop word, too long).
    /// FxHash: words are short and not attacker-chosen at build time, and SipHash was a
    /// visible share of the build.
    words: FxHashMap<Box<str>, Option<Box<str>>>,
}

/// Words a builder remembers at most (bounds memory on huge vocabularies); words past it are
/// analysed each time, and read back through the analyzer (see [`RecordReader`]).
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
        let RecordBuilder {
            analyzer,
            tokenizer,
            words,
        } = self;
        for_each_word(tokenizer, text, |word, start, end| {
            let fresh;
            let term = match words.get(word) {
                Some(term) => term.as_deref(),
                None => {
                    let mut terms = analyzer.terms(word);
                    debug_assert!(terms.len() <= 1, "one word gave {terms:?}");
                    let term = terms.pop().map(String::into_boxed_str);
                    if words.len() < WORD_CACHE_LIMIT {
                        words.entry(word.into()).or_insert(term).as_deref()
                    } else {
                        fresh = term;
                        fresh.as_deref()
                    }
                }
            };
            if let Some(term) = term {
                each(term, start, end);
            }
        });
    }

    /// The terms of `text`, like [`Analyzer::terms`].
    pub fn terms(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.analyze(text, |term, _, _| out.push(term.to_string()));
        out
    }

    /// Every searchable unit of the `number`-th article of the corpus: its paragraphs, then
    /// its points. A passage over 4 GiB (offsets past a `u32`) is refused with an error
    /// rather than stored wrapped.
    pub fn records(
        &mut self,
        article: &Article,
        number: u32,
    ) -> Result<Vec<BuiltRecord>, IndexError> {
        // The title's words join the word table (the reader analyses the title at open).
        self.analyze(&article.title, |_, _, _| {});
        // Analysed once per article, not once per passage that cites them.
        let footnote_terms: HashMap<u32, String> = article
            .footnotes
            .iter()
            .map(|f| (f.number, self.terms(&f.text).join("\0")))
            .collect();
        let mut all = Vec::with_capacity(article.passages.len() + article.points.len());
        for p in &article.passages {
            let id = paragraph_id(&article.slug, p.paragraph);
            all.push(self.build(
                article,
                number,
                &footnote_terms,
                id,
                (p.paragraph, None),
                &p.text,
                &p.sentences,
                &p.footnotes,
            )?);
        }
        for p in &article.points {
            let id = point_id(&article.slug, p.paragraph, p.number);
            all.push(self.build(
                article,
                number,
                &footnote_terms,
                id,
                (p.paragraph, Some(p.number)),
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
        article: &Article,
        number: u32,
        footnote_terms: &HashMap<u32, String>,
        id: String,
        (paragraph, point): (u32, Option<u32>),
        text: &str,
        sentences: &[Sentence],
        footnote_numbers: &[u32],
    ) -> Result<BuiltRecord, IndexError> {
        // Offsets and sentence numbers are read back as u32: with the text's length checked,
        // none of them can wrap.
        if u32::try_from(text.len()).is_err() {
            return Err(IndexError::PassageTooLong {
                id,
                bytes: text.len(),
            });
        }
        debug_assert_eq!(TERM_SEPARATOR, '\0');
        let mut body = String::new();
        self.analyze(
            &crate::ingest::markers::blank_markers(text),
            |term, _, _| {
                if !body.is_empty() {
                    body.push(TERM_SEPARATOR);
                }
                body.push_str(term);
            },
        );
        // The footnotes the reader will resolve: known numbers, in citing order.
        for f in footnote_numbers.iter().filter_map(|n| article.footnote(*n)) {
            match footnote_terms.get(&f.number) {
                Some(terms) if !terms.is_empty() => {
                    if !body.is_empty() {
                        body.push(TERM_SEPARATOR);
                    }
                    body.push_str(terms);
                }
                _ => {}
            }
        }
        let stored = StoredPassage {
            article: number,
            paragraph,
            point,
            text: Cow::Borrowed(text),
            footnotes: Cow::Borrowed(footnote_numbers),
            sentences: Cow::Borrowed(sentences),
        };
        let stored =
            postcard::to_allocvec(&stored).map_err(|e| IndexError::Encode(e.to_string()))?;
        Ok(BuiltRecord { id, body, stored })
    }

    /// The words this builder analysed, for the index's [`WordTable`].
    pub fn into_words(self) -> FxHashMap<Box<str>, Option<Box<str>>> {
        self.words
    }
}

/// Every word a build analysed, with the term it gave (none for a stop word or an overlong
/// token): stored beside the index (`summit-words.bin`, with a checksum) so reading a record
/// needs a look-up per word, not the stemmer.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordTable {
    /// Distinct terms, sorted.
    terms: Vec<String>,
    /// Distinct words, sorted, each with the index of its term in `terms`.
    words: Vec<(String, Option<u32>)>,
}

impl WordTable {
    /// Merges the words of several builders (one per build thread).
    pub fn merge(caches: impl IntoIterator<Item = FxHashMap<Box<str>, Option<Box<str>>>>) -> Self {
        let mut all: FxHashMap<Box<str>, Option<Box<str>>> = FxHashMap::default();
        for cache in caches {
            if all.is_empty() {
                all = cache;
            } else {
                for (word, term) in cache {
                    all.entry(word).or_insert(term);
                }
            }
        }
        let mut terms: Vec<String> = all
            .values()
            .flatten()
            .map(|t| t.to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        terms.shrink_to_fit();
        let mut words: Vec<(String, Option<u32>)> = all
            .into_iter()
            .map(|(word, term)| {
                let index = term.and_then(|t| {
                    terms
                        .binary_search_by(|probe| probe.as_str().cmp(&t))
                        .ok()
                        .map(|i| i as u32)
                });
                (word.into_string(), index)
            })
            .collect();
        words.sort_unstable();
        WordTable { terms, words }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when no word is held.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The encoded table: an xxh3 checksum of the rest, then the postcard encoding.
    pub fn to_bytes(&self) -> Result<Vec<u8>, IndexError> {
        let body = postcard::to_allocvec(self).map_err(|e| IndexError::Encode(e.to_string()))?;
        let mut out = Vec::with_capacity(8 + body.len());
        out.extend_from_slice(&xxh3_64(&body).to_le_bytes());
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decodes [`WordTable::to_bytes`]; a damaged table is an error, never a wrong term.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IndexError> {
        let (sum, body) = bytes.split_at_checked(8).ok_or(IndexError::Decode)?;
        if sum != xxh3_64(body).to_le_bytes() {
            return Err(IndexError::Decode);
        }
        let table: WordTable = postcard::from_bytes(body).map_err(|_| IndexError::Decode)?;
        if table
            .words
            .iter()
            .any(|(_, t)| t.is_some_and(|t| t as usize >= table.terms.len()))
        {
            return Err(IndexError::Decode);
        }
        Ok(table)
    }

    /// Writes the table into an index directory.
    pub fn write(&self, dir: &Path) -> Result<(), IndexError> {
        let path = dir.join(WORDS_FILE);
        std::fs::write(&path, self.to_bytes()?).map_err(|source| IndexError::Io { path, source })
    }

    /// Reads the table of an index directory.
    pub fn read(dir: &Path) -> Result<Self, IndexError> {
        let path = dir.join(WORDS_FILE);
        let bytes = std::fs::read(&path).map_err(|source| IndexError::Io { path, source })?;
        Self::from_bytes(&bytes)
    }
}

/// What every record of one article shares, analysed once when the index opens.
#[derive(Debug)]
struct ArticleEntry {
    slug: String,
    title: String,
    source_url: Option<String>,
    footnotes: Vec<Footnote>,
    title_terms: Vec<u32>,
    /// Term ids of each footnote, by number.
    footnote_terms: HashMap<u32, Vec<u32>>,
    /// Term ids each footnote holds only inside quotation marks, by number.
    footnote_title_terms: HashMap<u32, Vec<u32>>,
}

/// Decodes stored records into [`PassageRecord`]s: the word table as term ids of the
/// index's vocabulary, and each article's shared facts.
#[derive(Debug)]
pub struct RecordReader {
    /// Word → `Some(term id)` (possibly [`UNKNOWN_TERM`]), or `None` when the chain drops it.
    words: FxHashMap<Box<str>, Option<u32>>,
    articles: Vec<ArticleEntry>,
}

impl RecordReader {
    /// A reader for an index built from the corpus `summary` describes, with its word table.
    pub fn new(table: WordTable, summary: &CorpusSummary, vocabulary: &Vocabulary) -> Self {
        let ids: Vec<u32> = table.terms.iter().map(|t| vocabulary.id(t)).collect();
        let words = table
            .words
            .into_iter()
            .map(|(word, term)| (word.into_boxed_str(), term.map(|t| ids[t as usize])))
            .collect();
        let mut reader = RecordReader {
            words,
            articles: Vec::with_capacity(summary.articles.len()),
        };
        let mut fallback = None;
        for article in &summary.articles {
            let mut terms = |text: &str| {
                let mut out = Vec::new();
                reader.analyze(text, vocabulary, &mut fallback, |id, _, _| out.push(id));
                out
            };
            let title_terms = terms(&article.title);
            let footnote_terms = article
                .footnotes
                .iter()
                .map(|f| (f.number, terms(&f.text)))
                .collect();
            let footnote_title_terms = article
                .footnotes
                .iter()
                .map(|f| {
                    let (quoted, plain) = crate::text::split_quoted(&f.text);
                    let outside = terms(&plain);
                    let mut inside = terms(&quoted);
                    inside.retain(|id| !outside.contains(id));
                    inside.sort_unstable();
                    inside.dedup();
                    (f.number, inside)
                })
                .collect();
            reader.articles.push(ArticleEntry {
                slug: article.id.clone(),
                title: article.title.clone(),
                source_url: article.source_url.clone(),
                footnotes: article.footnotes.clone(),
                title_terms,
                footnote_terms,
                footnote_title_terms,
            });
        }
        reader
    }

    /// The term ids of `text` with their byte ranges, as [`RecordBuilder::analyze`] gave
    /// the terms. A word missing from the table (past the builder's cache limit) goes
    /// through the analyzer, built on first need.
    fn analyze(
        &self,
        text: &str,
        vocabulary: &Vocabulary,
        fallback: &mut Option<Analyzer>,
        mut each: impl FnMut(u32, usize, usize),
    ) {
        for_each_word(&mut SimpleTokenizer::default(), text, |word, start, end| {
            let id = match self.words.get(word) {
                Some(id) => *id,
                None => fallback
                    .get_or_insert_with(Analyzer::new)
                    .terms(word)
                    .pop()
                    .map(|term| vocabulary.id(&term)),
            };
            if let Some(id) = id {
                each(id, start, end);
            }
        });
    }

    /// Decodes one stored record.
    pub fn decode(
        &self,
        bytes: &[u8],
        vocabulary: &Vocabulary,
    ) -> Result<PassageRecord, IndexError> {
        let stored: StoredPassage<'_> =
            postcard::from_bytes(bytes).map_err(|_| IndexError::Decode)?;
        let article = self
            .articles
            .get(stored.article as usize)
            .ok_or(IndexError::Decode)?;
        let text = stored.text.into_owned();
        let sentences = stored.sentences.into_owned();
        if u32::try_from(text.len()).is_err() {
            return Err(IndexError::Decode);
        }
        let mut terms = Vec::new();
        let mut walk = SentenceWalk::new(&sentences);
        self.analyze(
            &crate::ingest::markers::blank_markers(&text),
            vocabulary,
            &mut None,
            |term, start, end| {
                terms.push(TermSpan {
                    term,
                    start: start as u32,
                    end: end as u32,
                    sentence: walk.sentence_of(start),
                });
            },
        );
        let footnotes: Vec<Footnote> = stored
            .footnotes
            .iter()
            .filter_map(|n| article.footnotes.iter().find(|f| f.number == *n).cloned())
            .collect();
        let (mut footnote_terms, mut cited_title_terms) = (Vec::new(), Vec::new());
        for f in &footnotes {
            footnote_terms.extend(article.footnote_terms.get(&f.number).into_iter().flatten());
            cited_title_terms.extend(
                article
                    .footnote_title_terms
                    .get(&f.number)
                    .into_iter()
                    .flatten(),
            );
        }
        Ok(PassageRecord {
            id: match stored.point {
                Some(point) => point_id(&article.slug, stored.paragraph, point),
                None => paragraph_id(&article.slug, stored.paragraph),
            },
            article: article.slug.clone(),
            title: article.title.clone(),
            source_url: article.source_url.clone(),
            paragraph: stored.paragraph,
            point: stored.point,
            text,
            footnotes,
            sentences,
            terms,
            footnote_terms,
            cited_title_terms,
            title_terms: article.title_terms.clone(),
        })
    }
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
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::schema::Value;
    use tantivy::{DocAddress, TantivyDocument};

    use super::*;
    use crate::indexing::SearchIndex;
    use crate::ingest::{Corpus, Source};

    /// A term as the uncached analyzer gives it: text, byte range, sentence.
    type Reference = (String, u32, u32, u32);

    /// The uncached construction: what every record must read back as.
    fn reference(text: &str, sentences: &[Sentence]) -> Vec<Reference> {
        Analyzer::new()
            .analyze(&crate::ingest::markers::blank_markers(text))
            .into_iter()
            .map(|t| {
                let sentence = sentences
                    .iter()
                    .position(|s| t.start < s.end)
                    .unwrap_or(sentences.len().saturating_sub(1));
                (t.term, t.start as u32, t.end as u32, sentence as u32)
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
                let mut got = Vec::new();
                builder.analyze(text, |t, s, e| got.push((t.to_string(), s, e)));
                let want: Vec<(String, usize, usize)> = Analyzer::new()
                    .analyze(text)
                    .into_iter()
                    .map(|t| (t.term, t.start, t.end))
                    .collect();
                assert_eq!(got, want, "round {round}: {text:?}");
                assert_eq!(builder.terms(text), Analyzer::new().terms(text));
            }
        }
    }

    /// The embedded article plus one with every kind of word the chain treats specially, a
    /// footnote cited twice and a number that names no footnote.
    fn corpus() -> Corpus {
        let mut corpus = crate::ingest::embedded_corpus();
        let mut odd = corpus.articles[0].clone();
        odd.slug = "zz-odd".into();
        odd.title = "Ünïcode Café Titles and HOTLINES".into();
        let texts = [
            "What are the Sanctions? Café HOTLINES, U.S. indictment.[1] Æther ǅemal naïve ½ x².",
            "Supercalifragilisticexpialidociousandthensomemorelettersbeyondforty end.[2] 2015 13694.",
            "日本語 テキスト and Ελληνικά λέξεις, ok? Yes! Done.",
        ];
        for (passage, text) in odd.passages.iter_mut().zip(texts) {
            passage.text = text.to_string();
            passage.sentences = crate::ingest::sentences::split_sentences(text);
        }
        odd.passages[0].footnotes = vec![2, 99, 2];
        corpus.articles.push(odd);
        corpus
    }

    /// Every stored record of `index`, decoded by `reader`.
    fn read_all(index: &SearchIndex, reader: &RecordReader) -> Vec<PassageRecord> {
        let searcher = index.searcher();
        let mut all = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..segment.max_doc() {
                let doc: TantivyDocument =
                    searcher.doc(DocAddress::new(ord as u32, doc)).expect("doc");
                let bytes = doc
                    .get_first(index.schema.record)
                    .and_then(|v| v.as_bytes())
                    .expect("record");
                all.push(reader.decode(bytes, index.vocabulary()).expect("decode"));
            }
        }
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// Checks every record against the article it came from and the uncached analyzer.
    fn check(corpus: &Corpus, index: &SearchIndex, records: &[PassageRecord]) {
        let vocabulary = index.vocabulary();
        let names = |ids: &[u32]| -> Vec<String> {
            ids.iter()
                .map(|&id| vocabulary.term(id).unwrap_or("<not indexed>").to_string())
                .collect()
        };
        let mut analyzer = Analyzer::new();
        let mut expected = 0;
        for article in &corpus.articles {
            let units = article
                .passages
                .iter()
                .map(|p| {
                    (
                        paragraph_id(&article.slug, p.paragraph),
                        p.paragraph,
                        None,
                        p,
                    )
                })
                .map(|(id, paragraph, point, p)| {
                    (id, paragraph, point, &p.text, &p.sentences, &p.footnotes)
                })
                .chain(article.points.iter().map(|p| {
                    (
                        point_id(&article.slug, p.paragraph, p.number),
                        p.paragraph,
                        Some(p.number),
                        &p.text,
                        &p.sentences,
                        &p.footnotes,
                    )
                }));
            for (id, paragraph, point, text, sentences, numbers) in units {
                expected += 1;
                let record = records
                    .iter()
                    .find(|r| r.id == id)
                    .unwrap_or_else(|| panic!("{id} missing"));
                assert_eq!(record.article, article.slug);
                assert_eq!(record.title, article.title);
                assert_eq!(record.source_url, article.source_url);
                assert_eq!((record.paragraph, record.point), (paragraph, point));
                assert_eq!(&record.text, text);
                assert_eq!(&record.sentences, sentences);
                let footnotes = article.footnotes_for(numbers);
                assert_eq!(record.footnotes, footnotes, "{id}");
                let got: Vec<Reference> = record
                    .terms
                    .iter()
                    .map(|t| {
                        let term = vocabulary.term(t.term).expect("indexed").to_string();
                        (term, t.start, t.end, t.sentence)
                    })
                    .collect();
                assert_eq!(got, reference(text, sentences), "{id}");
                let footnote_terms: Vec<String> = footnotes
                    .iter()
                    .flat_map(|f| analyzer.terms(&f.text))
                    .collect();
                assert_eq!(names(&record.footnote_terms), footnote_terms, "{id}");
                let title: Vec<String> = analyzer
                    .terms(&article.title)
                    .into_iter()
                    .map(|t| {
                        if vocabulary.stats(&t).is_some() {
                            t
                        } else {
                            "<not indexed>".to_string()
                        }
                    })
                    .collect();
                assert_eq!(names(&record.title_terms), title, "{id}");
            }
        }
        assert_eq!(records.len(), expected);
    }

    #[test]
    fn records_read_back_as_the_analyzer_gives_them() {
        let corpus = corpus();
        let source = Source::Parsed(Arc::new(corpus.clone()));
        let (index, summary) =
            SearchIndex::open_or_build(None, &source, false, false).expect("index");
        // Through the word table, as the index reads them.
        let records = read_all(&index, &index.records);
        check(&corpus, &index, &records);
        assert!(records
            .iter()
            .any(|r| r.title_terms.contains(&UNKNOWN_TERM)));
        assert!(records
            .iter()
            .any(|r| r.footnotes.len() == 2 && r.article == "zz-odd"));
        // With no table at all every word goes through the analyzer: the same records.
        let bare = RecordReader::new(WordTable::default(), &summary, index.vocabulary());
        assert_eq!(read_all(&index, &bare), records);
    }

    #[test]
    fn the_word_table_survives_a_round_trip_and_refuses_damage() {
        let mut builder = RecordBuilder::new();
        builder.analyze("The Hotlines hotline sanctions, of CAFÉ", |_, _, _| {});
        let mut other = RecordBuilder::new();
        other.analyze("hotline talks", |_, _, _| {});
        let table = WordTable::merge([builder.into_words(), other.into_words()]);
        assert_eq!(table.len(), 7);
        assert_eq!(
            table.terms,
            vec!["cafe", "hotlin", "sanction", "talk"],
            "distinct terms, sorted"
        );
        assert!(table.words.contains(&("The".to_string(), None)));
        let bytes = table.to_bytes().expect("encode");
        assert_eq!(WordTable::from_bytes(&bytes).expect("decode"), table);
        for at in [0, 8, bytes.len() / 2, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            assert!(WordTable::from_bytes(&damaged).is_err(), "byte {at}");
        }
        assert!(WordTable::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(WordTable::from_bytes(&[]).is_err());
    }

    #[test]
    fn sentence_numbers_past_65535_do_not_wrap() {
        // 70,000 sentences in one passage: the last word's sentence is 69,999 (a u16 gave
        // 69,999 - 65,536 = 4,463).
        let text = "Hotline talks. ".repeat(70_000);
        let text = text.trim_end();
        let sentences = crate::ingest::sentences::split_sentences(text);
        assert_eq!(sentences.len(), 70_000);
        let mut corpus = crate::ingest::embedded_corpus();
        let article = &mut corpus.articles[0];
        article.passages.truncate(1);
        article.points.clear();
        article.passages[0].text = text.to_string();
        article.passages[0].sentences = sentences;
        article.passages[0].footnotes.clear();
        let source = Source::Parsed(Arc::new(corpus));
        let (index, _) = SearchIndex::open_or_build(None, &source, false, false).expect("index");
        let records = read_all(&index, &index.records);
        let terms = &records[0].terms;
        assert_eq!(terms.len(), 140_000);
        assert_eq!(terms.first().map(|t| t.sentence), Some(0));
        assert_eq!(terms.last().map(|t| t.sentence), Some(69_999));
    }
}
