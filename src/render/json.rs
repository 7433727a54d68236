//! The JSON form of a response, one object per question:
//! `{"question", "answer": null | {"passage", "footnotes", "score", "lexical_score",
//! "semantic_score", "highlight"}, "alternatives"}` (the two part scores only when known),
//! plus `"error"` when the input itself was refused (a line over the length cap).

use serde::Serialize;

use crate::answer::Response;
use crate::ingest::{Footnote, PassageRef};
use crate::render::{markdown, scan};

#[derive(Serialize)]
struct JsonResponse<'a> {
    question: &'a str,
    answer: Option<JsonAnswer<'a>>,
    alternatives: Vec<&'a PassageRef>,
    /// Why there is no answer, when the input itself was refused (a line too long).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    passage: &'a PassageRef,
    footnotes: &'a [Footnote],
    score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    lexical_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    semantic_score: Option<f32>,
    highlight: String,
}

/// One line of JSON for a response (without the line break).
pub fn to_json_line(response: &Response) -> String {
    let mut line = Vec::new();
    write_json_line(&mut line, response);
    // Only UTF-8 went in (the strings whole, ASCII around them).
    String::from_utf8(line).unwrap_or_else(|_| null_line(&response.question))
}

/// Appends the JSON line of a response (without the line break) to `out`: the same bytes
/// `serde_json` writes for [`JsonResponse`], written by hand because this runs once per
/// answer and the passage texts are most of every line (see [`write_str`]).
pub fn write_json_line(out: &mut Vec<u8>, response: &Response) {
    let hits = response.hits();
    out.reserve(
        hits.map(|h| {
            2 * h.passage.text.len() + h.footnotes.iter().map(|f| f.text.len()).sum::<usize>() + 160
        })
        .sum::<usize>()
            + response.question.len()
            + 64,
    );
    out.extend_from_slice(b"{\"question\":");
    write_str(out, &response.question);
    out.extend_from_slice(b",\"answer\":");
    match &response.answer {
        None => out.extend_from_slice(b"null"),
        Some(hit) => {
            out.extend_from_slice(b"{\"passage\":");
            write_passage(out, &hit.passage);
            out.extend_from_slice(b",\"footnotes\":[");
            for (i, footnote) in hit.footnotes.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"number\":");
                write_u32(out, footnote.number);
                out.extend_from_slice(b",\"text\":");
                write_str(out, &footnote.text);
                out.push(b'}');
            }
            out.extend_from_slice(b"],\"score\":");
            write_f32(out, hit.score);
            if let Some(score) = hit.lexical_score {
                out.extend_from_slice(b",\"lexical_score\":");
                write_f32(out, score);
            }
            if let Some(score) = hit.semantic_score {
                out.extend_from_slice(b",\"semantic_score\":");
                write_f32(out, score);
            }
            out.extend_from_slice(b",\"highlight\":");
            write_str(out, &markdown::highlighted(hit));
            out.push(b'}');
        }
    }
    out.extend_from_slice(b",\"alternatives\":[");
    for (i, hit) in response.alternatives.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_passage(out, &hit.passage);
    }
    out.extend_from_slice(b"]}");
}

/// Adds `"context_used": true` to a line written by [`write_json_line`] (an answer read
/// with the previous exchange of its conversation); nothing else changes.
pub fn mark_context_used(line: &mut Vec<u8>) {
    if line.last() == Some(&b'}') {
        line.pop();
        line.extend_from_slice(b",\"context_used\":true}");
    }
}

/// A [`PassageRef`] object, fields in declaration order as its `Serialize` derive writes them.
fn write_passage(out: &mut Vec<u8>, passage: &PassageRef) {
    out.extend_from_slice(b"{\"id\":");
    write_str(out, &passage.id);
    out.extend_from_slice(b",\"article\":");
    write_str(out, &passage.article);
    out.extend_from_slice(b",\"title\":");
    write_str(out, &passage.title);
    out.extend_from_slice(b",\"paragraph\":");
    write_u32(out, passage.paragraph);
    out.extend_from_slice(b",\"point\":");
    match passage.point {
        Some(point) => write_u32(out, point),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"text\":");
    write_str(out, &passage.text);
    out.push(b'}');
}

fn write_u32(out: &mut Vec<u8>, value: u32) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{value}");
}

/// A float as `serde_json` writes it (shortest round-trip form; `null` if not finite).
fn write_f32(out: &mut Vec<u8>, value: f32) {
    if serde_json::to_writer(&mut *out, &value).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// A JSON string as `serde_json` escapes it: `"` and `\\` backslashed, control characters as
/// `\n`-style or `\u00xx` escapes, everything else (non-ASCII included) as is. Passage text
/// rarely needs an escape, so it is scanned eight bytes at a time and copied in runs.
fn write_str(out: &mut Vec<u8>, text: &str) {
    /// Some byte of `block` is below 0x20, or is `"` or `\\` (exact as a yes/no answer).
    fn special(block: u64) -> bool {
        scan::holds_below(block, 0x20) || scan::holds_any(block, b"\"\\")
    }
    let bytes = text.as_bytes();
    out.push(b'"');
    let mut from = 0;
    let mut at = 0;
    while at < bytes.len() {
        at = scan::skip_plain_blocks(bytes, at, special);
        let end = (at + 8).min(bytes.len());
        while at < end {
            let byte = bytes[at];
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => b"",
                _ => {
                    at += 1;
                    continue;
                }
            };
            out.extend_from_slice(&bytes[from..at]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
            } else {
                out.extend_from_slice(escape);
            }
            at += 1;
            from = at;
        }
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

/// The line for a question that could not be searched (empty or unusable input).
pub fn null_line(question: &str) -> String {
    let value = JsonResponse {
        question,
        answer: None,
        alternatives: Vec::new(),
        error: None,
    };
    serde_json::to_string(&value)
        .unwrap_or_else(|_| r#"{"question":"","answer":null,"alternatives":[]}"#.to_string())
}

/// The line for input refused before it was searched: no answer, and why.
pub fn error_line(question: &str, error: &str) -> String {
    let value = JsonResponse {
        question,
        answer: None,
        alternatives: Vec::new(),
        error: Some(error),
    };
    serde_json::to_string(&value).unwrap_or_else(|_| {
        r#"{"question":"","answer":null,"alternatives":[],"error":"unreadable input"}"#.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{Hit, Marks};

    /// What `serde_json` writes for a response (the derived shape the hand-written line keeps).
    fn with_serde(response: &Response) -> String {
        let value = JsonResponse {
            question: &response.question,
            answer: response.answer.as_ref().map(|hit| JsonAnswer {
                passage: &hit.passage,
                footnotes: &hit.footnotes,
                score: hit.score,
                lexical_score: hit.lexical_score,
                semantic_score: hit.semantic_score,
                highlight: markdown::highlighted(hit),
            }),
            alternatives: response.alternatives.iter().map(|h| &*h.passage).collect(),
            error: None,
        };
        serde_json::to_string(&value).expect("serialise")
    }

    #[test]
    fn hand_written_line_is_what_serde_writes() {
        let mut texts: Vec<String> = [
            "",
            "plain words",
            "a \"quote\" and a back\\slash",
            "\u{0}\u{1}\u{1f}\u{7f}\t\n\r\u{8}\u{c}\u{b}",
            "“curly” café 北京 🙂 and **markdown** _too_",
            "12345678\"",
            "1234567\\",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // Every ASCII byte at every offset of an eight-byte word.
        for b in 0u8..0x80 {
            for offset in 0..9 {
                texts.push(format!("{}{}tail", "x".repeat(offset), b as char));
            }
        }
        for (i, text) in texts.iter().enumerate() {
            let hit = Hit::new(
                PassageRef {
                    id: format!("a{text}:1"),
                    article: text.clone(),
                    title: text.clone(),
                    paragraph: i as u32,
                    point: (i % 2 == 0).then_some(i as u32 + 1),
                    text: text.clone(),
                },
                vec![
                    Footnote {
                        number: 1,
                        text: text.clone(),
                    },
                    Footnote {
                        number: 22,
                        text: "second".into(),
                    },
                ],
                [0.1, 1.492, f32::NAN, 1e-7][i % 4],
                1.0,
                None,
                Marks {
                    matched: vec![(0, text.len().min(3))],
                    sentence: None,
                },
            );
            let mut scored = hit.clone();
            scored.lexical_score = Some(0.5);
            scored.semantic_score = Some(f32::INFINITY);
            for answer in [None, Some(hit.clone()), Some(scored)] {
                let response = Response {
                    question: text.clone(),
                    answer,
                    alternatives: vec![hit.clone(); i % 3],
                };
                assert_eq!(to_json_line(&response), with_serde(&response), "{text:?}");
            }
        }
    }

    #[test]
    fn shape_is_exact() {
        let hit = Hit::new(
            PassageRef {
                id: "a:2.4".into(),
                article: "a".into(),
                title: "T".into(),
                paragraph: 2,
                point: Some(4),
                text: "Last, a hotline.[2]".into(),
            },
            vec![Footnote {
                number: 2,
                text: "Twice a year.".into(),
            }],
            1.5,
            1.0,
            None,
            Marks {
                matched: vec![(8, 15)],
                sentence: None,
            },
        );
        let mut alternative = hit.clone();
        let passage = std::sync::Arc::make_mut(&mut alternative.passage);
        passage.point = None;
        passage.id = "a:2".into();
        let response = Response {
            question: "hotline?".into(),
            answer: Some(hit),
            alternatives: vec![alternative],
        };
        assert_eq!(
            to_json_line(&response),
            r#"{"question":"hotline?","answer":{"passage":{"id":"a:2.4","article":"a","title":"T","paragraph":2,"point":4,"text":"Last, a hotline.[2]"},"footnotes":[{"number":2,"text":"Twice a year."}],"score":1.5,"highlight":"Last, a **hotline**.[2]"},"alternatives":[{"id":"a:2","article":"a","title":"T","paragraph":2,"point":null,"text":"Last, a hotline.[2]"}]}"#
        );
        assert_eq!(
            null_line("?"),
            r#"{"question":"?","answer":null,"alternatives":[]}"#
        );
    }
}
