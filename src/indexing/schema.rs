//! The one tantivy schema and its field handles, shared by the writer and the reader.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};

use super::analysis::ANALYZER_NAME;
use super::IndexError;

/// Bumped whenever the schema, the analyzer or the stored record changes, so that a
/// persisted index from an older binary is rebuilt instead of misread.
pub const SCHEMA_VERSION: u32 = 6;

/// The schema with its field handles.
#[derive(Clone)]
pub struct SummitSchema {
    /// The tantivy schema.
    pub schema: Schema,
    /// Passage id (`slug:paragraph[.point]`), indexed as one raw term for lookups.
    pub id: Field,
    /// Analysed passage text plus the text of the footnotes it cites; BM25 runs here.
    pub body: Field,
    /// The postcard-encoded [`super::record::PassageRecord`].
    pub record: Field,
}

impl Default for SummitSchema {
    fn default() -> Self {
        Self::new()
    }
}

impl SummitSchema {
    /// Builds the schema.
    pub fn new() -> Self {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let body_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let body = builder.add_text_field("body", body_options);
        let record = builder.add_bytes_field("record", STORED);
        SummitSchema {
            schema: builder.build(),
            id,
            body,
            record,
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
