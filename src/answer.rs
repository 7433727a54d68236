//! Ranked hits → the answer people see: the passage verbatim with its place in the article,
//! its footnotes, a score, a highlighted form, and the alternatives.

use std::sync::{Arc, OnceLock};

use crate::indexing::record::PassageRecord;
use crate::ingest::Footnote;
use crate::retrieve::RankedHit;

pub use crate::indexing::record::PassageRef;

/// One answer candidate, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The passage (shared with the index's preloaded copy: composing copies no text).
    pub passage: Arc<PassageRef>,
    /// The footnotes the passage cites, with their text.
    pub footnotes: Arc<[Footnote]>,
    /// Ranking score (higher is better; about 0..1.65).
    pub score: f32,
    /// Share of the question the passage covers (0..=1).
    pub coverage: f32,
    /// The article's source URL, when known.
    pub source_url: Option<String>,
    /// Byte ranges of matched words, and the best sentence, in the passage text.
    marks: Marks,
    /// The highlighted Markdown, built on first use: an alternative nobody pages to is
    /// never highlighted.
    highlight: OnceLock<String>,
}

/// Where a passage is marked in its highlight.
#[derive(Debug, Clone, Default, PartialEq)]
struct Marks {
    matched: Vec<(usize, usize)>,
    sentence: Option<(usize, usize)>,
}

/// The result of asking one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The question as asked.
    pub question: String,
    /// The best passage, or `None` when nothing answers the question well.
    pub answer: Option<Hit>,
    /// Further good passages, best first.
    pub alternatives: Vec<Hit>,
}

impl Response {
    /// Every hit, best first (the answer then the alternatives).
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.answer.iter().chain(self.alternatives.iter())
    }
}

impl Hit {
    /// A hit with a ready-made highlight (renderer tests, hand-built replies).
    pub fn new(
        passage: PassageRef,
        footnotes: Vec<Footnote>,
        score: f32,
        coverage: f32,
        source_url: Option<String>,
        highlight: String,
    ) -> Hit {
        Hit {
            passage: Arc::new(passage),
            footnotes: footnotes.into(),
            score,
            coverage,
            source_url,
            marks: Marks::default(),
            highlight: OnceLock::from(highlight),
        }
    }

    /// The passage as Markdown: matched words in `**bold**`, the best sentence of a
    /// multi-sentence passage in `__…__`, article text escaped.
    pub fn highlight(&self) -> &str {
        self.highlight
            .get_or_init(|| highlight(&self.passage.text, &self.marks.matched, self.marks.sentence))
    }

    /// A hit for a passage shown without a question (a looked-up point): no highlight marks.
    pub fn plain(record: &PassageRecord) -> Hit {
        Hit {
            passage: Arc::new(record.passage_ref()),
            footnotes: record.footnotes.clone().into(),
            score: 0.0,
            coverage: 0.0,
            source_url: record.source_url.clone(),
            marks: Marks::default(),
            highlight: OnceLock::new(),
        }
    }

    /// A hit for a ranked passage, highlighted.
    pub fn ranked(hit: &RankedHit) -> Hit {
        let record = &hit.record;
        let sentence = hit
            .best_sentence
            .filter(|_| record.sentences.len() > 1)
            .and_then(|s| record.sentences.get(s))
            .map(|s| (s.start, s.end));
        Hit {
            passage: hit.passage.clone(),
            footnotes: hit.footnotes.clone(),
            score: (hit.score * 1000.0).round() / 1000.0,
            coverage: hit.coverage,
            source_url: record.source_url.clone(),
            marks: Marks {
                matched: hit.matched.clone(),
                sentence,
            },
            highlight: OnceLock::new(),
        }
    }
}

/// Picks the answer and up to `max_alternatives` others, skipping passages whose text
/// contains or is contained in one already chosen (a point and its own paragraph).
pub fn compose(question: &str, ranked: &[RankedHit], max_alternatives: usize) -> Response {
    let mut chosen: Vec<&RankedHit> = Vec::new();
    for hit in ranked {
        if chosen.len() > max_alternatives {
            break;
        }
        let text = &hit.record.text;
        let overlaps = chosen.iter().any(|c| {
            let other = c.record.text.as_str();
            contains_text(other, text) || contains_text(text, other)
        });
        if !overlaps {
            chosen.push(hit);
        }
    }
    let mut hits = chosen.into_iter().map(Hit::ranked);
    let answer = hits.next();
    // The answer's highlight is part of every reply; alternatives are highlighted when shown.
    if let Some(hit) = &answer {
        hit.highlight();
    }
    Response {
        question: question.to_string(),
        answer,
        alternatives: hits.collect(),
    }
}

/// `haystack.contains(needle)`, answered cheaply when it is false: a longer needle never
/// fits, and one whose short prefix is absent is absent too (a short needle is searched with
/// SIMD; a long one first costs a pass over the whole needle).
fn contains_text(haystack: &str, needle: &str) -> bool {
    const PREFIX_BYTES: usize = 32;
    if needle.len() > haystack.len() {
        return false;
    }
    let mut cut = needle.len().min(PREFIX_BYTES);
    while !needle.is_char_boundary(cut) {
        cut -= 1;
    }
    haystack.contains(&needle[..cut]) && (cut == needle.len() || haystack.contains(needle))
}

/// Escapes characters Discord Markdown would interpret.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_markdown_into(&mut out, text);
    out
}

/// Appends `text` to `out` escaped like [`escape_markdown`], copying runs between special
/// characters whole (they are all ASCII, so byte positions are character boundaries).
fn escape_markdown_into(out: &mut String, text: &str) {
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
        if matches!(byte, b'\\' | b'*' | b'_' | b'~' | b'`' | b'|') {
            out.push_str(&text[from..at]);
            out.push('\\');
            from = at;
        }
    }
    out.push_str(&text[from..]);
}

/// Marks matched words bold (adjacent ones as one run) and the best sentence underlined.
pub fn highlight(
    text: &str,
    matched: &[(usize, usize)],
    sentence: Option<(usize, usize)>,
) -> String {
    let mut spans: Vec<(usize, usize)> = matched
        .iter()
        .copied()
        .filter(|(s, e)| {
            s < e && *e <= text.len() && text.is_char_boundary(*s) && text.is_char_boundary(*e)
        })
        .collect();
    spans.sort_unstable();
    // Merge spans separated only by spaces so "trade secrets" is one bold run.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match runs.last_mut() {
            Some(last)
                if start <= last.1 || text[last.1..start].chars().all(char::is_whitespace) =>
            {
                last.1 = last.1.max(end);
            }
            _ => runs.push((start, end)),
        }
    }
    // Events at one offset sort as: close bold (0), sentence mark (1), open bold (2), so
    // marks nest properly; bold runs are split at the sentence edges.
    let edges: Vec<usize> = sentence.map(|(s, e)| vec![s, e]).unwrap_or_default();
    let mut events: Vec<(usize, u8, &str)> = edges.iter().map(|at| (*at, 1, "__")).collect();
    for (start, end) in runs {
        let mut from = start;
        for edge in edges
            .iter()
            .copied()
            .filter(|edge| start < *edge && *edge < end)
        {
            events.push((from, 2, "**"));
            events.push((edge, 0, "**"));
            from = edge;
        }
        events.push((from, 2, "**"));
        events.push((end, 0, "**"));
    }
    events.sort_by_key(|(at, rank, _)| (*at, *rank));
    let mut out = String::with_capacity(text.len() + events.len() * 2);
    let mut last = 0;
    for (at, _, mark) in events {
        escape_markdown_into(&mut out, &text[last..at]);
        out.push_str(mark);
        last = at;
    }
    escape_markdown_into(&mut out, &text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_text_agrees_with_contains() {
        let long =
            "Last, the two leaders established a high level working group to deter the spread";
        let texts = [
            "",
            "a",
            "Last",
            "two leaders",
            long,
            "café “quoted” text",
            "“quoted”",
            "é",
        ];
        for haystack in texts
            .iter()
            .copied()
            .chain([long, &long[5..], "x café “quoted” text y"])
        {
            for needle in
                texts
                    .iter()
                    .copied()
                    .chain([&long[..40], &long[1..], "café “quoted” tex"])
            {
                assert_eq!(
                    contains_text(haystack, needle),
                    haystack.contains(needle),
                    "{haystack:?} / {needle:?}"
                );
            }
        }
    }

    #[test]
    fn bolds_matched_words_and_merges_neighbours() {
        let text = "extract trade secrets through cyber espionage.";
        let got = highlight(text, &[(8, 13), (14, 21), (36, 45)], None);
        assert_eq!(
            got,
            "extract **trade secrets** through cyber **espionage**."
        );
    }

    #[test]
    fn underlines_the_best_sentence_around_bold_words() {
        let text = "One here. Two hotline here.";
        let got = highlight(text, &[(14, 21)], Some((10, 27)));
        assert_eq!(got, "One here. __Two **hotline** here.__");
    }

    #[test]
    fn escapes_markdown_in_the_article_text() {
        assert_eq!(highlight("a *b* _c_", &[], None), "a \\*b\\* \\_c\\_");
    }
}
