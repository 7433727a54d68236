//! The JSON form of a response, one object per question:
//! `{"question", "answer": null | {"passage", "footnotes", "score", "lexical_score",
//! "semantic_score", "highlight"}, "alternatives"}` (the two part scores only when known),
//! plus `"error"` when the input itself was refused (a line over the length cap).

use serde::Serialize;

use crate::answer::Response;
use crate::ingest::{Footnote, PassageRef};
use crate::render::markdown;

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

/// One line of JSON for a response.
pub fn to_json_line(response: &Response) -> String {
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
    serde_json::to_string(&value).unwrap_or_else(|_| null_line(&response.question))
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
