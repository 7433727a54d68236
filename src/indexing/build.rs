//! Writing a corpus into a tantivy index: one document per paragraph and per point, the
//! body pre-tokenised once (the same analysis feeds the index and the stored record).

use indicatif::{ProgressBar, ProgressStyle};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::analysis::Analyzer;
use super::record::PassageRecord;
use super::schema::SummitSchema;
use super::IndexError;
use crate::ingest::Corpus;

/// Above this many documents `index` shows a progress bar (on a terminal).
const PROGRESS_THRESHOLD: usize = 20_000;

/// Memory budget of the index writer.
const WRITER_BUDGET_BYTES: usize = 200_000_000;

/// Turns a record into its tantivy document.
pub fn document(
    schema: &SummitSchema,
    record: &PassageRecord,
) -> Result<TantivyDocument, IndexError> {
    let mut doc = TantivyDocument::default();
    doc.add_text(schema.id, &record.id);
    let tokens = record
        .body_terms()
        .enumerate()
        .map(|(position, term)| Token {
            offset_from: 0,
            offset_to: 0,
            position,
            text: term.to_string(),
            position_length: 1,
        })
        .collect();
    doc.add_pre_tokenized_text(
        schema.body,
        PreTokenizedString {
            text: String::new(),
            tokens,
        },
    );
    let bytes = bincode::serialize(record).map_err(|e| IndexError::Encode(e.to_string()))?;
    doc.add_bytes(schema.record, &bytes);
    Ok(doc)
}

/// Adds every passage and point of `corpus` to `index` and commits. Returns the document count.
pub fn write_corpus(
    index: &Index,
    schema: &SummitSchema,
    corpus: &Corpus,
    show_progress: bool,
) -> Result<u64, IndexError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get().min(4))
        .unwrap_or(1);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_BUDGET_BYTES)?;
    let total = corpus.passage_count() + corpus.point_count();
    let bar = (show_progress && total >= PROGRESS_THRESHOLD).then(|| {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} passages ({per_sec}, eta {eta})")
        {
            bar.set_style(style);
        }
        bar
    });
    let mut analyzer = Analyzer::new();
    let mut documents = 0u64;
    for article in &corpus.articles {
        for record in PassageRecord::all_for(article, &mut analyzer) {
            writer.add_document(document(schema, &record)?)?;
            documents += 1;
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(documents)
}
