//! Answer-quality evaluation over a JSON-lines file of questions with expected phrases and
//! footnotes (`{"q", "any": [..], "footnotes": [..]}` or `{"q", "none": true}`).

use serde::Deserialize;

use crate::answer::Response;
use crate::engine::{Engine, EngineError};

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

/// Why a case failed, or `None` if it passed.
pub fn check(case: &Case, response: &Response) -> Option<String> {
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
                (true, true) => None,
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

/// Runs every case through the engine.
pub fn run(engine: &Engine, cases: &[Case]) -> Result<Report, EvalError> {
    let mut report = Report::default();
    for case in cases {
        let response = engine.ask(&case.q)?;
        match check(case, &response) {
            None => report.passed += 1,
            Some(why) => report.failures.push((case.q.clone(), why)),
        }
    }
    Ok(report)
}
