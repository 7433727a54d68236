//! The learned answer decision reads its weights as the training script meant them: every
//! case of `tests/fixtures/decision_cases.json` (feature rows with the probability and
//! decision `scripts/train_decision.py` computed from the written weights) gives the same
//! probability to 1e-6 and the same decision with the compiled-in file; a weights file named
//! in the config is loaded at start, and a missing or damaged one stops the engine with its
//! path and reason.

use summit_bot::config::Config;
use summit_bot::engine::{Engine, EngineError};
use summit_bot::retrieve::decision::{Decision, Features, FEATURES};

#[derive(serde::Deserialize)]
struct Cases {
    threshold: f64,
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    features: Vec<f32>,
    probability: f64,
    accepts: bool,
}

const WEIGHTS: &str = include_str!("../models/answer-decision/weights.json");

#[test]
fn rust_matches_the_training_script() {
    let cases: Cases =
        serde_json::from_str(include_str!("fixtures/decision_cases.json")).expect("fixture");
    assert!(
        cases.cases.len() >= 20,
        "the fixture holds a spread of rows"
    );
    let decision = Decision::embedded();
    let weights: serde_json::Value = serde_json::from_str(WEIGHTS).unwrap();
    assert_eq!(weights["threshold"].as_f64(), Some(cases.threshold));
    let mut accepted = 0;
    for (i, case) in cases.cases.iter().enumerate() {
        let features = Features::from_slice(&case.features).expect("row has every feature");
        let p = decision.probability(&features);
        assert!(
            (p - case.probability).abs() < 1e-6,
            "case {i}: Rust {p}, Python {}",
            case.probability
        );
        assert_eq!(decision.accepts(&features), case.accepts, "case {i}");
        accepted += usize::from(case.accepts);
    }
    assert!(
        accepted > 0 && accepted < cases.cases.len(),
        "the fixture holds both decisions"
    );
}

#[test]
fn the_weights_file_names_the_features_this_build_computes() {
    let weights: serde_json::Value = serde_json::from_str(WEIGHTS).unwrap();
    let names: Vec<&str> = weights["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names, FEATURES);
}

fn engine_with_model(path: &std::path::Path) -> Result<Engine, EngineError> {
    let text = format!(
        "[answer]\ndecision = \"learned\"\ndecision_model = {:?}\n",
        path.to_str().expect("utf-8 temp path")
    );
    let config: Config = toml::from_str(&text).expect("config parses");
    config.validate().expect("config is valid");
    let mut options = summit_bot::engine::EngineOptions::from_config(&config);
    options.articles_dir = None;
    options.index_dir = None;
    Engine::open(&options)
}

#[test]
fn a_configured_weights_file_is_loaded_and_a_bad_one_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("weights.json");
    std::fs::write(&good, WEIGHTS).unwrap();
    let engine = engine_with_model(&good).expect("a copy of the shipped weights loads");
    assert!(engine.ask("When did Obama and Xi agree?").is_ok());

    let missing = dir.path().join("missing.json");
    let err = engine_with_model(&missing).expect_err("a missing file stops the engine");
    let message = err.to_string();
    assert!(
        message.starts_with("answer.decision_model ") && message.contains("missing.json"),
        "{message}"
    );

    let damaged = dir.path().join("damaged.json");
    let renamed = WEIGHTS.replacen("\"coverage\"", "\"coverage_v0\"", 1);
    std::fs::write(&damaged, renamed).unwrap();
    let message = engine_with_model(&damaged)
        .expect_err("a file of other features stops the engine")
        .to_string();
    assert!(
        message.contains("damaged.json") && message.contains("differ from this build's"),
        "{message}"
    );
}
