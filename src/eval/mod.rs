//! Answer-quality evaluation over a JSON-lines file of questions with expected phrases and
//! footnotes (`{"q", "any": [..], "footnotes": [..]}` or `{"q", "none": true}`), and of
//! conversations (`{"dialog": [turn, …]}`, each turn such a question, asked in order with
//! the previous exchange as context). A plain line is asked alone, never with context.
//!
//! The exact passage counts: an answer with a whole paragraph that enumerates points fails
//! when every expected phrase it holds lies inside a single point (the reader asked about that
//! point and got the list). A phrase outside the points (the list's introduction) passes.

use serde::Deserialize;

use crate::answer::Response;
use crate::engine::{Engine, EngineError};
use crate::retrieve::follow_up::Turn;

/// One evaluation question.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Case {
    /// The question.
    pub q: String,
    /// The answer's passage must contain one of these phrases.
    #[serde(default)]
    pub any: Vec<String>,
    /// The answer's footnotes must include all of these.
    #[serde(default)]
    pub footnotes: Vec<u32>,
    /// When true, there must be no answer.
    #[serde(default)]
    pub none: bool,
}

/// Why an eval file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A line is not a valid case.
    #[error("line {line}: {message}")]
    BadLine {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Parses the JSON-lines text (blank lines skipped).
pub fn parse_cases(text: &str) -> Result<Vec<Case>, EvalError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| EvalError::BadLine {
                line: i + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// One line of an eval file: a question asked alone, or a conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `{"q", …}`: asked without context.
    Single(Case),
    /// `{"dialog": [{"q", …}, …]}`: asked in order, each turn with the previous as context.
    Dialog(Vec<Case>),
}

/// A conversation line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DialogLine {
    dialog: Vec<Case>,
}

/// Parses the JSON-lines text of questions and conversations (blank lines skipped).
pub fn parse_items(text: &str) -> Result<Vec<Item>, EvalError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let bad = |e: serde_json::Error| EvalError::BadLine {
                line: i + 1,
                message: e.to_string(),
            };
            let value: serde_json::Value = serde_json::from_str(l).map_err(bad)?;
            if value.get("dialog").is_some() {
                let parsed: DialogLine = serde_json::from_value(value).map_err(bad)?;
                if parsed.dialog.is_empty() {
                    return Err(EvalError::BadLine {
                        line: i + 1,
                        message: "a dialog needs at least one turn".to_string(),
                    });
                }
                Ok(Item::Dialog(parsed.dialog))
            } else {
                serde_json::from_value(value).map(Item::Single).map_err(bad)
            }
        })
        .collect()
}

/// Folds whitespace runs and curly quotes so phrase checks ignore typography.
pub fn normalise(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '“' | '”' | '„' | '″' => '"',
            '‘' | '’' | '′' => '\'',
            c => c,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Why a case failed, or `None` if it passed. `points` are the texts of the points the
/// answer's paragraph enumerates, in order (empty when the answer is a point or its paragraph
/// has none): see [`point_rule`].
pub fn check(case: &Case, response: &Response, points: &[&str]) -> Option<String> {
    match (&response.answer, case.none) {
        (None, true) => None,
        (Some(hit), true) => Some(format!("expected no answer, got {}", hit.passage.id)),
        (None, false) => Some("expected an answer, got none".to_string()),
        (Some(hit), false) => {
            let text = normalise(&hit.passage.text);
            let phrase_ok =
                case.any.is_empty() || case.any.iter().any(|p| text.contains(&normalise(p)));
            let numbers: Vec<u32> = hit.footnotes.iter().map(|f| f.number).collect();
            let missing: Vec<u32> = case
                .footnotes
                .iter()
                .copied()
                .filter(|n| !numbers.contains(n))
                .collect();
            match (phrase_ok, missing.is_empty()) {
                (true, true) => point_rule(case, &hit.passage.id, &text, points),
                (false, _) => Some(format!(
                    "got {} without any of {:?}",
                    hit.passage.id, case.any
                )),
                (true, false) => Some(format!(
                    "got {} without footnotes {:?}",
                    hit.passage.id, missing
                )),
            }
        }
    }
}

/// The point rule: a paragraph answer fails when each expected phrase it holds lies inside a
/// single one of its `points` (the exact answer was that point, not the whole list).
fn point_rule(case: &Case, id: &str, text: &str, points: &[&str]) -> Option<String> {
    if points.is_empty() || case.any.is_empty() {
        return None;
    }
    let points: Vec<String> = points.iter().map(|p| normalise(p)).collect();
    let mut inside = None;
    for phrase in case.any.iter().map(|p| normalise(p)) {
        if !text.contains(&phrase) {
            continue;
        }
        // Every place the phrase occurs in the paragraph must be inside the same point.
        let holder = points.iter().position(|p| p.contains(&phrase));
        let occurrences = text.matches(phrase.as_str()).count();
        match holder {
            Some(k) if points[k].matches(phrase.as_str()).count() == occurrences => {
                inside.get_or_insert((k, phrase));
            }
            _ => return None,
        }
    }
    inside.map(|(k, phrase)| {
        format!(
            "got the whole of {id} where item {} of its list holds {phrase:?}",
            k + 1
        )
    })
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Cases that passed.
    pub passed: usize,
    /// Failed cases: question and reason.
    pub failures: Vec<(String, String)>,
}

impl Report {
    /// The printable report: one line per failure, then `N passed, N failed`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (q, why) in &self.failures {
            out.push_str(&format!("FAIL {q:?}: {why}\n"));
        }
        out.push_str(&format!(
            "{} passed, {} failed\n",
            self.passed,
            self.failures.len()
        ));
        out
    }
}

/// Runs every question and every turn of every conversation through the engine: a plain
/// question alone, a conversation's turns in order, each read with the previous exchange.
/// A failed turn is reported as `question (dialog N, turn K)`.
pub fn run_items(engine: &Engine, items: &[Item]) -> Result<Report, EvalError> {
    let mut report = Report::default();
    let mut dialogs = 0;
    for item in items {
        match item {
            Item::Single(case) => {
                let response = engine.ask(&case.q)?;
                match judge(engine, case, &response) {
                    None => report.passed += 1,
                    Some(why) => report.failures.push((case.q.clone(), why)),
                }
            }
            Item::Dialog(turns) => {
                dialogs += 1;
                let mut previous: Option<Turn> = None;
                for (k, case) in turns.iter().enumerate() {
                    let (response, turn) = engine.ask_in(&case.q, previous.as_ref())?;
                    match judge(engine, case, &response) {
                        None => report.passed += 1,
                        Some(why) => report.failures.push((
                            format!("{} (dialog {dialogs}, turn {})", case.q, k + 1),
                            why,
                        )),
                    }
                    previous = Some(turn);
                }
            }
        }
    }
    Ok(report)
}

/// Runs every case through the engine.
pub fn run(engine: &Engine, cases: &[Case]) -> Result<Report, EvalError> {
    let mut report = Report::default();
    for case in cases {
        let response = engine.ask(&case.q)?;
        match judge(engine, case, &response) {
            None => report.passed += 1,
            Some(why) => report.failures.push((case.q.clone(), why)),
        }
    }
    Ok(report)
}

/// One question's candidates as a training row for the answer decision
/// (`summit-bot eval --features`): every candidate the engine scored, best first, with its
/// signals in [`crate::retrieve::decision::FEATURES`] order and whether answering with it
/// would pass the case (`label`). A question refused before scoring has no candidates.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeatureRow {
    /// The article the engine answers from (its default article).
    pub article: String,
    /// The question.
    pub q: String,
    /// True when the question must get no answer.
    pub none: bool,
    /// The scored candidates, best first.
    pub candidates: Vec<CandidateRow>,
}

/// One scored candidate of a [`FeatureRow`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct CandidateRow {
    /// Passage id.
    pub passage: String,
    /// 1 when answering with this passage passes the case, else 0.
    pub label: u8,
    /// Whether the hard rules before the learned decision let it through.
    pub eligible: bool,
    /// Whether the hand-written bar took it for an answer (rows are never ranked by the
    /// learned model they train).
    pub accepted: bool,
    /// The signals, in `FEATURES` order.
    pub features: Vec<f32>,
}

/// The training rows of `cases`: every scored candidate of each question, labelled by
/// [`check`] (with the point rule) as if it were the answer.
pub fn feature_rows(engine: &Engine, cases: &[Case]) -> Result<Vec<FeatureRow>, EvalError> {
    let article = engine
        .default_article()
        .map(|a| a.id.clone())
        .unwrap_or_default();
    cases
        .iter()
        .map(|case| {
            let hits = engine.scored_candidates(&case.q)?;
            let candidates = hits
                .iter()
                .map(|hit| {
                    let response = Response {
                        question: case.q.clone(),
                        answer: Some(crate::answer::Hit::ranked(hit)),
                        alternatives: Vec::new(),
                    };
                    CandidateRow {
                        passage: hit.record.id.clone(),
                        label: u8::from(!case.none && judge(engine, case, &response).is_none()),
                        eligible: hit.eligible,
                        accepted: hit.accepted,
                        features: hit.features.to_vec().to_vec(),
                    }
                })
                .collect();
            Ok(FeatureRow {
                article: article.clone(),
                q: case.q.clone(),
                none: case.none,
                candidates,
            })
        })
        .collect()
}

/// [`check`] with the points of the answer's paragraph, read from the engine's articles.
fn judge(engine: &Engine, case: &Case, response: &Response) -> Option<String> {
    let points = response
        .answer
        .as_ref()
        .filter(|hit| hit.passage.point.is_none())
        .and_then(|hit| {
            let article = engine.article(Some(&hit.passage.article)).ok()?;
            Some(
                article
                    .points
                    .iter()
                    .filter(|p| p.paragraph == hit.passage.paragraph)
                    .map(|p| p.text.as_str())
                    .collect::<Vec<_>>(),
            )
        })
        .unwrap_or_default();
    check(case, response, &points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(any: &[&str]) -> Case {
        Case {
            q: "q".to_string(),
            any: any.iter().map(|p| p.to_string()).collect(),
            footnotes: Vec::new(),
            none: false,
        }
    }

    const PARAGRAPH: &str = "They agreed on two steps.[1] First, talk often. Second, a hotline.";
    const POINTS: &[&str] = &["First, talk often.", "Second, a hotline."];

    #[test]
    fn a_paragraph_fails_only_when_every_phrase_it_holds_is_inside_one_point() {
        assert_eq!(
            point_rule(&case(&["a hotline"]), "a:2", PARAGRAPH, POINTS).as_deref(),
            Some("got the whole of a:2 where item 2 of its list holds \"a hotline\"")
        );
        // A phrase of the introduction, or one outside the paragraph beside it: passes.
        assert_eq!(
            point_rule(&case(&["two steps", "a hotline"]), "a:2", PARAGRAPH, POINTS),
            None
        );
        assert_eq!(
            point_rule(&case(&["nowhere", "a hotline"]), "a:2", PARAGRAPH, POINTS).as_deref(),
            Some("got the whole of a:2 where item 2 of its list holds \"a hotline\"")
        );
        // No points (a point answer, or a paragraph without a list), or no phrase: passes.
        assert_eq!(
            point_rule(&case(&["a hotline"]), "a:2", PARAGRAPH, &[]),
            None
        );
        assert_eq!(point_rule(&case(&[]), "a:2", PARAGRAPH, POINTS), None);
        // A phrase also found outside its point ("talk" in the introduction too) passes.
        let paragraph = "They agreed to talk.[1] First, talk often. Second, a hotline.";
        assert_eq!(point_rule(&case(&["talk"]), "a:2", paragraph, POINTS), None);
    }
}
