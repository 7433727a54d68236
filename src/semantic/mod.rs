//! Meaning beside words: a static sentence-embedding model distilled from all-MiniLM-L6-v2
//! (`models/minilm-static/`, see its README for provenance), compiled into the binary.
//!
//! A text's vector is the normalised mean of its tokens' rows in the table, so embedding a
//! question costs microseconds and needs no model at run time. A token is a whole word of
//! the table's word list when the word is there (words WordPiece would split, such as
//! "demarcation", each distilled whole), otherwise a WordPiece token. This layer sits
//! between `indexing` (it reads passage records) and `retrieve` (which fuses its scores with
//! BM25 and coverage): [`chunks`] holds sentence-level vectors of a corpus, [`neighbours`]
//! maps a question word to semantically close words of the index's own vocabulary, and
//! [`contextual`] runs the opt-in full transformer (all-mpnet-base-v2) from a model folder.

pub mod chunks;
pub mod contextual;
pub mod neighbours;
pub mod wordpiece;

use std::sync::OnceLock;

use wordpiece::{WordPiece, UNKNOWN_ID};

/// The distilled table: magic, vocabulary size, dimensions, one f32 scale per row, then the
/// int8 rows (written by `scripts/distill_embeddings.py`).
static TABLE: &[u8] = include_bytes!("../../models/minilm-static/embeddings.bin");
/// The WordPiece vocabulary of the table, one token per line.
static VOCAB: &str = include_str!("../../models/minilm-static/vocab.txt");
/// Whole words with rows of their own after the vocabulary's, sorted, one per line.
static WORDS: &str = include_str!("../../models/minilm-static/words.txt");
/// Words English writes only capitalised ("ukraine", "putin"), lowercased, sorted, one per
/// line (`scripts/proper_nouns.py`, from the same word list as `WORDS`).
static PROPER_NOUNS: &str = include_str!("../../models/minilm-static/proper-nouns.txt");
/// The world's countries, one per line: its alpha-3 code, then its name forms, lowercased and
/// tab-separated ("usa\tunited states\tunited states of america"; `scripts/country_names.py`,
/// from ISO 3166-1).
static COUNTRY_NAMES: &str = include_str!("../../models/minilm-static/country-names.txt");
const MAGIC: &[u8; 8] = b"SBSTEMB2";
/// `[CLS]` and `[SEP]`: never part of a pooled text.
const SPECIAL_IDS: [u32; 2] = [101, 102];

/// Why a table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    /// The table bytes do not have the expected layout.
    #[error("malformed embedding table: {0}")]
    BadTable(&'static str),
}

/// Whether English writes `word` (in any case) only capitalised: a place, a person, a people
/// or an organisation ("Ukraine", "Putin", "Moscow"), by the word list of
/// `models/minilm-static/README.md`. "China" is not (the list also holds "china").
pub fn is_proper_noun(word: &str) -> bool {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| PROPER_NOUNS.lines().collect());
    names.binary_search(&word.to_lowercase().as_str()).is_ok()
}

/// One country of [`countries`]: its alpha-3 code and its name forms.
#[derive(Debug, Clone, Copy)]
pub struct Country {
    /// Lowercase alpha-3 code ("usa").
    pub code: &'static str,
    /// The line of the list: the code, then the name forms, tab-separated.
    line: &'static str,
}

impl Country {
    /// Its name forms, lowercase ("united states", "united states of america").
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        self.line.split('\t').skip(1)
    }
}

/// Every country of ISO 3166-1 (`models/minilm-static/README.md`).
pub fn countries() -> impl Iterator<Item = Country> {
    COUNTRY_NAMES.lines().filter_map(|line| {
        let (code, _) = line.split_once('\t')?;
        Some(Country { code, line })
    })
}

/// The one country whose code or names hold `word` (in any case) as a word: "america" and
/// "usa" name the United States. None when no country's or several countries' do ("united",
/// "republic").
pub fn country_named_by(word: &str) -> Option<Country> {
    static BY_WORD: OnceLock<std::collections::HashMap<&'static str, Option<Country>>> =
        OnceLock::new();
    let by_word = BY_WORD.get_or_init(|| {
        let mut by_word = std::collections::HashMap::new();
        for country in countries() {
            let mut words: Vec<&str> = country
                .line
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            words.sort_unstable();
            words.dedup();
            for word in words {
                by_word
                    .entry(word)
                    .and_modify(|found: &mut Option<Country>| *found = None)
                    .or_insert(Some(country));
            }
        }
        by_word
    });
    by_word.get(word.to_lowercase().as_str()).copied().flatten()
}

/// A static embedding model: a tokenizer and one int8 row (with a scale) per token, then
/// one per whole word.
pub struct StaticModel {
    tokenizer: WordPiece,
    /// Sorted whole words; word `i` has row `tokenizer.len() + i`. Binary search instead
    /// of a hash map: little to build at start for ~39,000 words.
    words: Vec<&'static str>,
    /// The first eight bytes of each word, big-endian (so they sort like the words): the
    /// search compares integers and only the words sharing the key compare as strings.
    word_keys: Vec<u64>,
    dims: usize,
    scales: Vec<f32>,
    rows: &'static [u8],
}

impl std::fmt::Debug for StaticModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticModel")
            .field("rows", &self.scales.len())
            .field("words", &self.words.len())
            .field("dims", &self.dims)
            .finish()
    }
}

impl StaticModel {
    /// The model compiled into the binary, parsed once per process.
    pub fn embedded() -> &'static StaticModel {
        static MODEL: OnceLock<StaticModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            // The bytes are part of the binary and checked by the tests, so a failure here is
            // a build defect, not something a user or a file can cause.
            StaticModel::from_bytes(TABLE, VOCAB, WORDS)
                .expect("the compiled-in embedding table is valid")
        })
    }

    /// Bytes of the table (int8 rows and their scales; the rows are part of the binary).
    pub fn weight_bytes(&self) -> usize {
        self.rows.len() + 4 * self.scales.len()
    }

    /// Parses a table, its WordPiece vocabulary and its sorted whole-word list.
    pub fn from_bytes(
        table: &'static [u8],
        vocab: &'static str,
        words: &'static str,
    ) -> Result<StaticModel, SemanticError> {
        let header = table
            .get(..16)
            .ok_or(SemanticError::BadTable("shorter than its header"))?;
        if &header[..8] != MAGIC {
            return Err(SemanticError::BadTable("wrong magic"));
        }
        let read_u32 = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
                as usize
        };
        let (tokens, dims) = (read_u32(8), read_u32(12));
        let scales_end = 16 + tokens * 4;
        if dims == 0 || table.len() != scales_end + tokens * dims {
            return Err(SemanticError::BadTable("size does not match its header"));
        }
        let scales = table[16..scales_end]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let tokenizer = WordPiece::from_vocab(vocab);
        let words: Vec<&'static str> = words.lines().collect();
        if tokenizer.len() + words.len() != tokens {
            return Err(SemanticError::BadTable(
                "vocabulary and word list sizes differ from the table",
            ));
        }
        if !words.is_sorted_by(|a, b| a < b) {
            return Err(SemanticError::BadTable("word list not sorted"));
        }
        let word_keys = words.iter().map(|w| word_key(w)).collect();
        Ok(StaticModel {
            tokenizer,
            words,
            word_keys,
            dims,
            scales,
            rows: &table[scales_end..],
        })
    }

    /// Vector length.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &WordPiece {
        &self.tokenizer
    }

    /// Frequency rank (0 = "the") of `word` as a whole token of the model's vocabulary, or
    /// `None` when it is not one. The vocabulary lists English words by frequency, so this
    /// tells an ordinary word ("list") from a misspelling ("exectuive").
    pub fn word_rank(&self, word: &str) -> Option<u32> {
        let first = self.tokenizer.id("the")?;
        // Question words are short ASCII letters and digits: lowercased on the stack, they
        // normalise to themselves, with no allocation (this runs for every question word).
        let mut buffer = [0u8; 24];
        let id = match buffer.get_mut(..word.len()) {
            Some(short) if word.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                short.copy_from_slice(word.as_bytes());
                short.make_ascii_lowercase();
                self.tokenizer.id(std::str::from_utf8(short).ok()?)?
            }
            _ => self.tokenizer.id(wordpiece::normalise(word).trim())?,
        };
        id.checked_sub(first)
    }

    /// Row ids of `text`: a listed whole word is one row, any other word its WordPiece
    /// tokens.
    pub fn encode(&self, text: &str, out: &mut Vec<u32>) {
        let first_word_row = self.tokenizer.len() as u32;
        self.tokenizer.encode_with_words(text, out, |word| {
            self.word_index(word).map(|i| first_word_row + i as u32)
        });
    }

    /// Whether `word` is an ordinary English word of the model's vocabulary: a whole token,
    /// a listed whole word, or a whole token plus an inflection ("halts", "sanctions": the
    /// list leaves those out). Names of companies and people ("huawei") and coined terms are
    /// not; nor are misspellings.
    pub fn is_ordinary_word(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        if self.word_rank(&lower).is_some() || self.word_index(&lower).is_some() {
            return true;
        }
        ["s", "es", "ed", "d", "ing", "ly", "er", "ers"]
            .iter()
            .filter_map(|suffix| lower.strip_suffix(suffix))
            .any(|stem| stem.len() >= 3 && self.word_rank(stem).is_some())
    }

    /// Index of `word` in the whole-word list.
    fn word_index(&self, word: &str) -> Option<usize> {
        // The list holds lowercase a-z words of three letters or more.
        if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        let key = word_key(word);
        let start = self.word_keys.partition_point(|&k| k < key);
        let end = start + self.word_keys[start..].partition_point(|&k| k == key);
        (start..end).find(|&i| self.words[i] == word)
    }

    /// Unit-length vector of `text`, or `None` when it has no known token.
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let mut ids = Vec::with_capacity(32);
        self.encode(text, &mut ids);
        self.embed_ids(&ids)
    }

    /// Unit-length mean of the rows of `ids` (unknown and special tokens skipped; ids from
    /// [`StaticModel::encode`]).
    pub fn embed_ids(&self, ids: &[u32]) -> Option<Vec<f32>> {
        let mut sum = vec![0f32; self.dims];
        let mut any = false;
        for &id in ids {
            if id == UNKNOWN_ID || SPECIAL_IDS.contains(&id) {
                continue;
            }
            let Some(&scale) = self.scales.get(id as usize) else {
                continue;
            };
            let row = &self.rows[id as usize * self.dims..(id as usize + 1) * self.dims];
            add_scaled(&mut sum, row, scale);
            any = true;
        }
        normalise(&mut sum).then_some(sum).filter(|_| any)
    }
}

/// `sum[i] += row[i] as i8 * scale` over a token's row: the inner loop of embedding a text.
/// With AVX2 (checked once at run time) the same loop is compiled eight lanes wide; each
/// element still gets the same multiply and add, so the result is identical to the bit.
fn add_scaled(sum: &mut [f32], row: &[u8], scale: f32) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        unsafe { add_scaled_avx2(sum, row, scale) };
        return;
    }
    add_scaled_portable(sum, row, scale);
}

#[inline(always)]
fn add_scaled_portable(sum: &mut [f32], row: &[u8], scale: f32) {
    for (s, &q) in sum.iter_mut().zip(row) {
        *s += q as i8 as f32 * scale;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_scaled_avx2(sum: &mut [f32], row: &[u8], scale: f32) {
    add_scaled_portable(sum, row, scale);
}

/// The first eight bytes of `word` as a big-endian integer (zero-padded): integers compare
/// like the words' prefixes.
fn word_key(word: &str) -> u64 {
    let mut key = [0u8; 8];
    let n = word.len().min(8);
    key[..n].copy_from_slice(&word.as_bytes()[..n]);
    u64::from_be_bytes(key)
}

/// Scales `v` to unit length; false when it is zero.
pub fn normalise(v: &mut [f32]) -> bool {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm <= f32::EPSILON {
        return false;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    true
}

/// Dot product (the cosine of two unit vectors).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Unit vectors stored as int8 with one scale each: a quarter of the memory of f32, and
/// cosines within about 1 % of the exact ones.
#[derive(Debug, Default, Clone)]
pub struct QuantisedVectors {
    dims: usize,
    scales: Vec<f32>,
    data: Vec<i8>,
}

impl QuantisedVectors {
    /// An empty store of `dims`-long vectors.
    pub fn new(dims: usize) -> Self {
        QuantisedVectors {
            dims,
            scales: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Appends a vector; returns its index.
    pub fn push(&mut self, v: &[f32]) -> usize {
        let scale = int8_scale(v);
        self.data.extend(quantise(v, scale));
        self.scales.push(scale);
        self.scales.len() - 1
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Dot product of vector `i` with `query`.
    pub fn dot(&self, i: usize, query: &[f32]) -> f32 {
        let row = &self.data[i * self.dims..(i + 1) * self.dims];
        let sum: f32 = row.iter().zip(query).map(|(&q, x)| q as f32 * x).sum();
        sum * self.scales[i]
    }

    /// Dot product of vector `i` with a query quantised the same way: integer multiply-adds
    /// ([`dot_i8`]), for scans over every vector (vocabulary, chunks).
    pub fn dot_quantised(&self, i: usize, query: &QuantisedQuery) -> f32 {
        let row = &self.data[i * self.dims..(i + 1) * self.dims];
        dot_i8(row, &query.data) as f32 * self.scales[i] * query.scale
    }
}

/// Sum of the products of two int8 vectors (up to the shorter length): the inner loop of
/// the per-question scans (chunks, vocabulary). On x86-64, sixteen products at a time with
/// AVX2 when the CPU has it (checked at run time, cached by std), else eight with SSE2's
/// multiply-add (part of every x86-64 CPU): the compiler's own loop handled four per step.
#[inline]
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { dot_i8_avx2(a, b) };
    }
    #[cfg(target_arch = "x86_64")]
    return dot_i8_sse2(a, b);
    #[cfg(not(target_arch = "x86_64"))]
    dot_i8_scalar(a, b)
}

/// [`dot_i8`] eight products at a time with SSE2.
#[cfg(target_arch = "x86_64")]
fn dot_i8_sse2(a: &[i8], b: &[i8]) -> i32 {
    use std::arch::x86_64::{
        _mm_add_epi32, _mm_cvtsi128_si32, _mm_cvtsi64_si128, _mm_madd_epi16, _mm_setzero_si128,
        _mm_shuffle_epi32, _mm_srai_epi16, _mm_unpacklo_epi8,
    };
    let mut blocks_a = a.chunks_exact(8);
    let mut blocks_b = b.chunks_exact(8);
    // SAFETY: SSE2 is part of the x86-64 baseline, so every x86-64 CPU runs these
    // intrinsics; they only compute on registers (the bytes are read by safe code).
    let sum = unsafe {
        // Eight int8 values → eight int16 lanes (each byte doubled, then shifted back).
        let widen = |x: &[i8]| {
            let word = i64::from_le_bytes(std::array::from_fn(|k| x[k] as u8));
            let v = _mm_cvtsi64_si128(word);
            _mm_srai_epi16::<8>(_mm_unpacklo_epi8(v, v))
        };
        let mut acc = _mm_setzero_si128();
        for (x, y) in (&mut blocks_a).zip(&mut blocks_b) {
            acc = _mm_add_epi32(acc, _mm_madd_epi16(widen(x), widen(y)));
        }
        acc = _mm_add_epi32(acc, _mm_shuffle_epi32::<0b01_00_11_10>(acc));
        acc = _mm_add_epi32(acc, _mm_shuffle_epi32::<0b10_11_00_01>(acc));
        _mm_cvtsi128_si32(acc)
    };
    sum + dot_i8_scalar(blocks_a.remainder(), blocks_b.remainder())
}

/// [`dot_i8`] sixteen products at a time (AVX2 sign-extends sixteen bytes in one step);
/// integer sums, so exactly the same result.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_i8_avx2(a: &[i8], b: &[i8]) -> i32 {
    use std::arch::x86_64::{
        __m128i, _mm256_add_epi32, _mm256_castsi256_si128, _mm256_cvtepi8_epi16,
        _mm256_extracti128_si256, _mm256_madd_epi16, _mm256_setzero_si256, _mm_add_epi32,
        _mm_cvtsi128_si32, _mm_loadu_si128, _mm_shuffle_epi32,
    };
    let mut blocks_a = a.chunks_exact(16);
    let mut blocks_b = b.chunks_exact(16);
    let mut acc = _mm256_setzero_si256();
    for (x, y) in (&mut blocks_a).zip(&mut blocks_b) {
        // SAFETY: each block is 16 readable bytes; unaligned loads are allowed.
        let (x, y) = unsafe {
            (
                _mm_loadu_si128(x.as_ptr().cast::<__m128i>()),
                _mm_loadu_si128(y.as_ptr().cast::<__m128i>()),
            )
        };
        let products = _mm256_madd_epi16(_mm256_cvtepi8_epi16(x), _mm256_cvtepi8_epi16(y));
        acc = _mm256_add_epi32(acc, products);
    }
    let mut sum = _mm_add_epi32(
        _mm256_castsi256_si128(acc),
        _mm256_extracti128_si256::<1>(acc),
    );
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32::<0b01_00_11_10>(sum));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32::<0b10_11_00_01>(sum));
    _mm_cvtsi128_si32(sum) + dot_i8_scalar(blocks_a.remainder(), blocks_b.remainder())
}

fn dot_i8_scalar(a: &[i8], b: &[i8]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum()
}

/// The largest magnitude in `v` (0 for an empty one; NaN ignored, as `f32::max` does): eight
/// running maxima instead of one, so the loop runs eight lanes wide. Taking a maximum is
/// order-independent, so the result is the same as a plain fold's.
fn max_abs(v: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let mut blocks = v.chunks_exact(8);
    for block in &mut blocks {
        for (lane, x) in lanes.iter_mut().zip(block) {
            *lane = lane.max(x.abs());
        }
    }
    let max = lanes.iter().fold(0f32, |m, &lane| m.max(lane));
    blocks.remainder().iter().fold(max, |m, x| m.max(x.abs()))
}

/// The scale that maps the largest magnitude of `v` to 127 (1 for a zero vector), shared by
/// stored rows and query vectors so both quantise alike.
fn int8_scale(v: &[f32]) -> f32 {
    let max = max_abs(v);
    if max > 0.0 {
        max / 127.0
    } else {
        1.0
    }
}

/// `x.round().clamp(-127.0, 127.0) as i8` (halves away from zero, NaN to 0) without the
/// `roundf` library call per element, which baseline x86-64 has no instruction for: truncate,
/// then step away from zero when the exact remainder is at least one half.
fn to_i8(x: f32) -> i8 {
    let clamped = x.clamp(-127.0, 127.0);
    let truncated = clamped as i32;
    // Exact: |clamped| <= 127, so clamped and its truncation share all their integer bits.
    let rest = clamped - truncated as f32;
    let rounded = if rest >= 0.5 {
        truncated + 1
    } else if rest <= -0.5 {
        truncated - 1
    } else {
        truncated
    };
    rounded as i8
}

/// `v` divided by `scale`, each rounded to int8 by [`to_i8`]: once per question for the chunk
/// scan. With AVX2 (checked at run time) the same loop is compiled eight lanes wide: the
/// same division and rounding per element, so the same bytes.
fn quantise(v: &[f32], scale: f32) -> Vec<i8> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { quantise_avx2(v, scale) };
    }
    quantise_portable(v, scale)
}

#[inline(always)]
fn quantise_portable(v: &[f32], scale: f32) -> Vec<i8> {
    v.iter().map(|x| to_i8(x / scale)).collect()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn quantise_avx2(v: &[f32], scale: f32) -> Vec<i8> {
    quantise_portable(v, scale)
}

/// A query vector stored like [`QuantisedVectors`] rows, for [`QuantisedVectors::dot_quantised`].
#[derive(Debug, Clone)]
pub struct QuantisedQuery {
    scale: f32,
    data: Vec<i8>,
}

impl QuantisedQuery {
    /// Quantises `v` to int8 with one scale.
    pub fn new(v: &[f32]) -> Self {
        let scale = int8_scale(v);
        QuantisedQuery {
            scale,
            data: quantise(v, scale),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_names_a_country_only_when_one_country_has_it() {
        assert_eq!(country_named_by("America").map(|c| c.code), Some("usa"));
        assert_eq!(country_named_by("usa").map(|c| c.code), Some("usa"));
        let usa = country_named_by("america").expect("listed");
        assert_eq!(
            usa.names().collect::<Vec<_>>(),
            ["united states", "united states of america"]
        );
        // "united" names several countries, "republic" most; "russia" is no word of ISO's
        // "Russian Federation".
        for word in ["united", "republic", "of", "russia", "zzz"] {
            assert!(country_named_by(word).is_none(), "{word}");
        }
    }

    #[test]
    fn embedded_table_loads_and_embeds_unit_vectors() {
        let model = StaticModel::embedded();
        assert_eq!(model.tokenizer().len(), 30522);
        let v = model
            .embed("a hotline for serious security issues")
            .unwrap();
        assert_eq!(v.len(), model.dims());
        assert!((dot(&v, &v) - 1.0).abs() < 1e-4);
        assert!(model.embed("").is_none());
        assert!(model.embed("🙂").is_none(), "only unknown tokens");
    }

    #[test]
    fn listed_whole_words_are_one_row() {
        let model = StaticModel::embedded();
        let mut ids = Vec::new();
        model.encode("Demarcation lines", &mut ids);
        assert_eq!(
            ids.len(),
            2,
            "demarcation is one row, not dem + ##ar + ##cation"
        );
        assert!(ids[0] as usize >= model.tokenizer().len());
        assert_eq!(ids[1], model.tokenizer().id("lines").unwrap());
        // A whole word keeps its meaning: closer to a synonym than the mean of its pieces.
        let whole = model.embed("extradite").unwrap();
        let pieces = model
            .embed_ids(&model.tokenizer().ids("extradite"))
            .unwrap();
        let synonym = model.embed("deport").unwrap();
        assert!(dot(&whole, &synonym) > dot(&pieces, &synonym));
    }

    #[test]
    fn related_texts_are_closer_than_unrelated_ones() {
        let model = StaticModel::embedded();
        let q = model.embed("economic penalties").unwrap();
        let near = model.embed("sanctions").unwrap();
        let far = model.embed("pizza topping").unwrap();
        assert!(dot(&q, &near) > dot(&q, &far) + 0.1);
    }

    #[test]
    fn proper_nouns_are_the_words_english_writes_only_capitalised() {
        assert!(is_proper_noun("ukraine") && is_proper_noun("Putin"));
        // Both "China" and "china" are English words; "cyber" is no name.
        assert!(!is_proper_noun("china") && !is_proper_noun("cyber"));
        let names: Vec<&str> = PROPER_NOUNS.lines().collect();
        assert!(
            names.windows(2).all(|w| w[0] < w[1]),
            "sorted for the binary search"
        );
    }

    #[test]
    fn word_rank_reads_short_ascii_words_like_any_other() {
        let model = StaticModel::embedded();
        let general = |word: &str| {
            let first = model.tokenizer.id("the")?;
            let id = model.tokenizer.id(wordpiece::normalise(word).trim())?;
            id.checked_sub(first)
        };
        for word in [
            "the",
            "The",
            "LIST",
            "Sanctions",
            "exectuive",
            "2015",
            "",
            "a",
            "hotline",
            "abcdefghijklmnopqrstuvwx",
            "abcdefghijklmnopqrstuvwxy",
            "café",
            " list ",
            "e-mail",
        ] {
            assert_eq!(model.word_rank(word), general(word), "{word:?}");
        }
        assert_eq!(model.word_rank("the"), Some(0));
    }

    #[test]
    fn malformed_tables_are_errors() {
        assert!(StaticModel::from_bytes(b"short", "a", "").is_err());
        assert!(StaticModel::from_bytes(b"SBSTEMB2\x01\0\0\0\x02\0\0\0", "a", "").is_err());
        // One token and one word, one dimension: valid only with the word list sorted.
        static TWO_ROWS: &[u8] =
            b"SBSTEMB2\x03\0\0\0\x01\0\0\0\0\0\x80\x3f\0\0\x80\x3f\0\0\x80\x3f\x01\x02\x03";
        assert!(StaticModel::from_bytes(TWO_ROWS, "a", "bb\ncc").is_ok());
        assert!(StaticModel::from_bytes(TWO_ROWS, "a", "cc\nbb").is_err());
    }

    #[test]
    fn int8_dot_is_exact_at_any_length() {
        for n in [0, 1, 7, 8, 15, 16, 17, 31, 33, 256, 300, 384] {
            let a: Vec<i8> = (0..n).map(|i| ((i * 37 + 11) % 255) as i8).collect();
            let b: Vec<i8> = (0..n).map(|i| ((i * 91 + 5) % 251) as i8).collect();
            let expected: i32 = a.iter().zip(&b).map(|(&x, &y)| x as i32 * y as i32).sum();
            assert_eq!(dot_i8(&a, &b), expected, "length {n}");
            // Whichever path this CPU takes, the others must agree too.
            #[cfg(target_arch = "x86_64")]
            {
                assert_eq!(dot_i8_sse2(&a, &b), expected, "SSE2, length {n}");
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: checked just above.
                    assert_eq!(unsafe { dot_i8_avx2(&a, &b) }, expected, "AVX2, length {n}");
                }
            }
        }
        assert_eq!(dot_i8(&[-128, -128], &[-128, -128]), 32768);
    }

    #[test]
    fn wide_embedding_sums_are_identical_to_the_bit() {
        let row: Vec<u8> = (0..384u32).map(|i| (i * 37 + 11) as u8).collect();
        let mut portable: Vec<f32> = (0..384).map(|i| i as f32 * 0.37 - 50.0).collect();
        let mut wide = portable.clone();
        for scale in [0.013_f32, 1.7e-3, 0.5] {
            add_scaled_portable(&mut portable, &row, scale);
            add_scaled(&mut wide, &row, scale);
        }
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&portable), bits(&wide));
    }

    #[test]
    fn fast_rounding_and_maximum_match_the_library() {
        let reference = |x: f32| x.round().clamp(-127.0, 127.0) as i8;
        let mut values = vec![
            0.0,
            -0.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1e30,
            -1e30,
            f32::MIN_POSITIVE,
        ];
        for k in -130..=130 {
            let half = k as f32 + 0.5;
            values.extend([half, half.next_up(), half.next_down(), k as f32]);
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values.push(((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 300.0);
        }
        for &x in &values {
            assert_eq!(to_i8(x), reference(x), "{x}");
        }
        let scale = 0.37;
        let portable = quantise_portable(&values, scale);
        assert_eq!(quantise(&values, scale), portable);
        assert_eq!(
            portable,
            values
                .iter()
                .map(|x| reference(x / scale))
                .collect::<Vec<_>>()
        );
        for len in [0, 1, 7, 8, 9, 384] {
            let v = &values[values.len() - len..];
            let plain = v.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert_eq!(max_abs(v).to_bits(), plain.to_bits(), "length {len}");
        }
        let with_nan = [
            1.0,
            f32::NAN,
            -3.0,
            2.0,
            0.5,
            0.25,
            9.0,
            -10.0,
            f32::NAN,
            4.0,
        ];
        let plain = with_nan.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert_eq!(max_abs(&with_nan).to_bits(), plain.to_bits());
    }

    #[test]
    fn quantised_dot_is_close_to_exact() {
        let model = StaticModel::embedded();
        let a = model.embed("the two leaders agreed").unwrap();
        let b = model.embed("an agreement between presidents").unwrap();
        let mut store = QuantisedVectors::new(model.dims());
        let i = store.push(&a);
        assert!((store.dot(i, &b) - dot(&a, &b)).abs() < 0.02);
        let query = QuantisedQuery::new(&b);
        assert!((store.dot_quantised(i, &query) - dot(&a, &b)).abs() < 0.02);
    }
}
