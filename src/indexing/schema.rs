//! The one tantivy schema and its field handles, shared by the writer and the reader.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

use super::analysis::ANALYZER_NAME;
use super::IndexError;

/// Bumped whenever the schema, the analyzer or the stored record changes, so that a
/// persisted index from an older binary is rebuilt instead of misread.
pub const SCHEMA_VERSION: u32 = 9;

/// The schema with its field handles.
#[derive(Clone)]
pub struct SummitSchema {
    /// The tantivy schema.
    pub schema: Schema,
    /// Passage id (`slug:paragraph[.point]`), indexed as one raw term for lookups (not
    /// stored: the record gives it back).
    pub id: Field,
    /// Analysed passage text plus the text of the footnotes it cites; BM25 runs here.
    pub body: Field,
    /// The postcard-encoded stored passage ([`super::record`]): article number, place, text,
    /// cited footnote numbers, sentences; read back as a [`super::record::PassageRecord`].
    pub record: Field,
    /// The passage's place in the corpus (articles by id, then each article's paragraphs, then
    /// its points): the tie-break between equal BM25 scores, so which passages make the
    /// candidate cutoff does not depend on how documents were spread over indexing threads.
    pub order: Field,
}

/// Name of the [`SummitSchema::order`] fast field.
pub const ORDER_FIELD: &str = "order";

impl Default for SummitSchema {
    fn default() -> Self {
        Self::new()
    }
}

impl SummitSchema {
    /// Builds the schema.
    pub fn new() -> Self {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING);
        let body_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let body = builder.add_text_field("body", body_options);
        let record = builder.add_bytes_field("record", STORED);
        let order = builder.add_u64_field(ORDER_FIELD, FAST);
        SummitSchema {
            schema: builder.build(),
            id,
            body,
            record,
            order,
        }
    }

    /// Field handles of an opened index, checked against what this binary expects.
    pub fn from_schema(schema: &Schema) -> Result<Self, IndexError> {
        let expected = Self::new();
        if schema != &expected.schema {
            return Err(IndexError::SchemaMismatch);
        }
        Ok(expected)
    }
}
