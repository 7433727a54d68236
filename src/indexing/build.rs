//! Writing a corpus into a tantivy index: one document per paragraph and per point, the
//! body pre-tokenised once (the same analysis feeds the index and the stored record).

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexWriter, TantivyDocument};
use tracing::debug;

use super::analysis::{text_analyzer, ANALYZER_NAME};
use super::record::{BuiltRecord, RecordBuilder, WordTable};
use super::schema::SummitSchema;
use super::IndexError;
use crate::ingest::Corpus;

/// Above this many documents `index` shows a progress bar (on a terminal).
const PROGRESS_THRESHOLD: usize = 20_000;

/// Below this many documents the corpus is analysed on the calling thread only.
const PARALLEL_THRESHOLD: usize = 5_000;

/// Memory budget of the index writer.
const WRITER_BUDGET_BYTES: usize = 200_000_000;

/// Joins the analysed terms in the `body` text handed to the index at build time; the
/// analysis chain never emits it (its tokens are runs of letters and digits).
pub(super) const TERM_SEPARATOR: char = '\0';

/// The tokenizer registered under the body field's analyzer name while building: it splits
/// the already analysed terms back apart, so each term is indexed verbatim, as a
/// pre-tokenised text would be, without tantivy's JSON round trip of pre-tokenised values.
#[derive(Clone, Default)]
struct TermListTokenizer {
    token: Token,
}

struct TermListStream<'a> {
    terms: Option<std::str::Split<'a, char>>,
    offset: usize,
    token: &'a mut Token,
}

impl Tokenizer for TermListTokenizer {
    type TokenStream<'a> = TermListStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermListStream<'a> {
        self.token.reset();
        TermListStream {
            // No terms (not one empty term) for an empty body.
            terms: (!text.is_empty()).then(|| text.split(TERM_SEPARATOR)),
            offset: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for TermListStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(term) = self.terms.as_mut().and_then(Iterator::next) else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(term);
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = self.offset;
        self.token.offset_to = self.offset + term.len();
        self.offset += term.len() + TERM_SEPARATOR.len_utf8();
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The document [`write_corpus`] indexes: the body as terms joined by [`TERM_SEPARATOR`],
/// for an index whose body analyzer is [`TermListTokenizer`] while it is being built.
fn term_list_document(schema: &SummitSchema, record: &BuiltRecord, order: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(schema.id, &record.id);
    doc.add_u64(schema.order, order);
    doc.add_text(schema.body, &record.body);
    doc.add_bytes(schema.record, &record.stored);
    doc
}

/// Adds every passage and point of `corpus` to `index` and commits. Returns the document count
/// and the words the build analysed (the index's [`WordTable`]).
///
/// Articles are analysed and encoded on every core (each worker takes the next article and
/// hands its documents to tantivy's indexing threads), while the body field's analyzer is
/// swapped for [`TermListTokenizer`] so the terms are indexed as analysed, once. The real
/// analyzer is registered again before returning, for the questions.
pub fn write_corpus(
    index: &Index,
    schema: &SummitSchema,
    corpus: &Corpus,
    show_progress: bool,
) -> Result<(u64, WordTable), IndexError> {
    index.tokenizers().register(
        ANALYZER_NAME,
        TextAnalyzer::from(TermListTokenizer::default()),
    );
    let written = write_all(index, schema, corpus, show_progress);
    index.tokenizers().register(ANALYZER_NAME, text_analyzer());
    written
}

fn total_documents(corpus: &Corpus) -> usize {
    corpus.passage_count() + corpus.point_count()
}

fn write_all(
    index: &Index,
    schema: &SummitSchema,
    corpus: &Corpus,
    show_progress: bool,
) -> Result<(u64, WordTable), IndexError> {
    let started = std::time::Instant::now();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    // A small corpus goes into one segment: a question then looks each term up once, not
    // once per indexing thread's segment (the shipped article made two).
    let threads = if total_documents(corpus) < PARALLEL_THRESHOLD {
        1
    } else {
        cores.min(4)
    };
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_BUDGET_BYTES)?;
    let total = total_documents(corpus);
    let bar = (show_progress && total >= PROGRESS_THRESHOLD).then(|| {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} passages ({per_sec}, eta {eta})")
        {
            bar.set_style(style);
        }
        bar
    });
    // Small corpora (the shipped article, tests) are not worth a thread.
    let workers = if total < PARALLEL_THRESHOLD {
        1
    } else {
        cores.clamp(1, 8).min(corpus.articles.len())
    };
    // Each article's first place in corpus order (the `order` field), whichever worker takes it.
    let firsts: Vec<u64> = corpus
        .articles
        .iter()
        .scan(0u64, |next, article| {
            let first = *next;
            *next += (article.passages.len() + article.points.len()) as u64;
            Some(first)
        })
        .collect();
    let next = AtomicUsize::new(0);
    let work = |writer: &IndexWriter| -> Result<(u64, RecordBuilder), IndexError> {
        let mut builder = RecordBuilder::new();
        let mut documents = 0u64;
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(article) = corpus.articles.get(i) else {
                return Ok((documents, builder));
            };
            let number = u32::try_from(i)
                .map_err(|_| IndexError::Encode("over 4 billion articles".into()))?;
            let records = builder.records(article, number)?;
            for (record, order) in records.iter().zip(firsts[i]..) {
                writer.add_document(term_list_document(schema, record, order))?;
            }
            documents += records.len() as u64;
            if let Some(bar) = &bar {
                bar.inc(records.len() as u64);
            }
        }
    };
    let (documents, builders) = if workers <= 1 {
        let (documents, builder) = work(&writer)?;
        (documents, vec![builder])
    } else {
        let shared = &writer;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(|| work(shared))).collect();
            let mut documents = 0;
            let mut builders = Vec::new();
            for handle in handles {
                let (done, builder) = handle
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
                documents += done;
                builders.push(builder);
            }
            Ok::<_, IndexError>((documents, builders))
        })?
    };
    let words = WordTable::merge(builders.into_iter().map(RecordBuilder::into_words));
    let added = started.elapsed();
    writer.commit()?;
    let committed = started.elapsed();
    writer.wait_merging_threads()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    debug!(
        documents,
        workers,
        ?added,
        ?committed,
        merged = ?started.elapsed(),
        words = words.len(),
        "index written"
    );
    Ok((documents, words))
}
