//! The learned answer decision: whether a ranked candidate is an answer, from the engine's
//! own signals ([`Features`], computed only here in Rust) through a logistic regression whose
//! weights `scripts/train_decision.py` fits on labelled questions and writes to
//! `models/answer-decision/weights.json`. The file is compiled in ([`Decision::embedded`]);
//! `[answer] decision_model` names another. Loading checks the format, that the feature names
//! and their order equal [`FEATURES`] (a file trained on other features would load and quietly
//! decide wrong), the lengths, finite numbers and nonzero scales. No I/O here: the caller reads
//! the file.

use std::sync::OnceLock;

use serde::Deserialize;

/// The features, in the order of [`Features::to_vec`] and of the weights file.
pub const FEATURES: &[&str] = &[
    "coverage",
    "best_sentence",
    "bm25",
    "cosine",
    "focus_coverage",
    "focus_share",
    "focus_missing",
    "focus_sentence",
    "unknown_share",
    "unknown_name",
    "unknown_rare",
    "answer_type",
    "meaning_only",
    "contextual",
    "has_contextual",
];

/// The weights file's format number this build reads.
pub const FORMAT: u32 = 1;

/// The compiled-in weights.
const EMBEDDED: &str = include_str!("../../models/answer-decision/weights.json");

/// One candidate's signals, each described where it is computed (`retrieve/mod.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Features {
    /// Share of the question's weight the passage or its footnotes hold (0..=1).
    pub coverage: f32,
    /// The best single sentence's share of the (ranking) weight.
    pub best_sentence: f32,
    /// BM25 relative to the best candidate's (0..=1; 0 for a candidate found by meaning).
    pub bm25: f32,
    /// Best sentence or footnote cosine of the static vectors (0 when off).
    pub cosine: f32,
    /// Share of the focus weight (the question's words beyond function words, everyday
    /// words and the names the index holds) met by the passage, by word or close meaning.
    pub focus_coverage: f32,
    /// Share of the question's weight that is focus.
    pub focus_share: f32,
    /// Share of the question's weight in its heaviest focus word, other than an everyday
    /// one, that the passage does not meet at all, by word or close meaning ("career" of
    /// "is telecom a good career?").
    pub focus_missing: f32,
    /// The best single sentence's share of the focus weight (words and ranking neighbours).
    pub focus_sentence: f32,
    /// Share of the question's weight in words the index does not know at all.
    pub unknown_share: f32,
    /// 1 when the question names something the index does not hold.
    pub unknown_name: f32,
    /// 1 when the question has a word the index does not know that is no ordinary English
    /// word of the model's vocabulary either (a company, a person, a coined term).
    pub unknown_rare: f32,
    /// 1 when the passage holds the kind of answer the question asks for (a date for "when").
    pub answer_type: f32,
    /// 1 when no topical question word matched: only words close in meaning did.
    pub meaning_only: f32,
    /// The transformer's cosine (0 when none is loaded).
    pub contextual: f32,
    /// 1 when the transformer is loaded.
    pub has_contextual: f32,
}

impl Features {
    /// Features from values in [`FEATURES`] order (`None` for another count): how a row
    /// exported by `summit-bot eval --features` is read back.
    pub fn from_slice(values: &[f32]) -> Option<Features> {
        let &[coverage, best_sentence, bm25, cosine, focus_coverage, focus_share, focus_missing, focus_sentence, unknown_share, unknown_name, unknown_rare, answer_type, meaning_only, contextual, has_contextual] =
            values
        else {
            return None;
        };
        Some(Features {
            coverage,
            best_sentence,
            bm25,
            cosine,
            focus_coverage,
            focus_share,
            focus_missing,
            focus_sentence,
            unknown_share,
            unknown_name,
            unknown_rare,
            answer_type,
            meaning_only,
            contextual,
            has_contextual,
        })
    }

    /// The values in [`FEATURES`] order.
    pub fn to_vec(&self) -> [f32; 15] {
        [
            self.coverage,
            self.best_sentence,
            self.bm25,
            self.cosine,
            self.focus_coverage,
            self.focus_share,
            self.focus_missing,
            self.focus_sentence,
            self.unknown_share,
            self.unknown_name,
            self.unknown_rare,
            self.answer_type,
            self.meaning_only,
            self.contextual,
            self.has_contextual,
        ]
    }
}

/// Why a weights file is unusable.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecisionError {
    /// Not JSON of the expected shape (unknown or missing keys, wrong types).
    #[error("not a decision weights file: {0}")]
    Parse(String),
    /// A format this build does not read.
    #[error("format {found}, this build reads format {FORMAT}")]
    Format {
        /// The file's format.
        found: u32,
    },
    /// Feature names or order differ from the features this build computes.
    #[error("features {found:?} differ from this build's {FEATURES:?}")]
    Features {
        /// The file's feature names.
        found: Vec<String>,
    },
    /// A list's length, a non-finite number or a zero scale.
    #[error("{0}")]
    Invalid(String),
}

/// The weights file as written by `scripts/train_decision.py`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionFile {
    format: u32,
    features: Vec<String>,
    mean: Vec<f64>,
    scale: Vec<f64>,
    weights: Vec<f64>,
    bias: f64,
    threshold: f64,
    /// Free text on how the file was made (the script writes the command and data).
    #[serde(default)]
    #[allow(dead_code)]
    provenance: Option<serde_json::Value>,
}

/// A loaded logistic regression: `p = sigmoid(bias + Σ w·(x − mean)/scale)`, an answer at
/// `p ≥ threshold`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    mean: Vec<f64>,
    scale: Vec<f64>,
    weights: Vec<f64>,
    bias: f64,
    threshold: f64,
}

impl Decision {
    /// Parses and checks a weights file's text.
    pub fn from_json(text: &str) -> Result<Decision, DecisionError> {
        let file: DecisionFile =
            serde_json::from_str(text).map_err(|e| DecisionError::Parse(e.to_string()))?;
        if file.format != FORMAT {
            return Err(DecisionError::Format { found: file.format });
        }
        if file.features.len() != FEATURES.len()
            || file.features.iter().zip(FEATURES).any(|(a, b)| a != b)
        {
            return Err(DecisionError::Features {
                found: file.features,
            });
        }
        let n = FEATURES.len();
        for (name, list) in [
            ("mean", &file.mean),
            ("scale", &file.scale),
            ("weights", &file.weights),
        ] {
            if list.len() != n {
                return Err(DecisionError::Invalid(format!(
                    "{name} has {} numbers, expected {n}",
                    list.len()
                )));
            }
            if list.iter().any(|x| !x.is_finite()) {
                return Err(DecisionError::Invalid(format!(
                    "{name} holds a number that is not finite"
                )));
            }
        }
        if file.scale.contains(&0.0) {
            return Err(DecisionError::Invalid("a scale is zero".to_string()));
        }
        if !file.bias.is_finite() || !(0.0..=1.0).contains(&file.threshold) {
            return Err(DecisionError::Invalid(
                "bias must be finite and threshold between 0 and 1".to_string(),
            ));
        }
        Ok(Decision {
            mean: file.mean,
            scale: file.scale,
            weights: file.weights,
            bias: file.bias,
            threshold: file.threshold,
        })
    }

    /// The compiled-in weights, parsed once.
    pub fn embedded() -> &'static Decision {
        static DECISION: OnceLock<Decision> = OnceLock::new();
        DECISION.get_or_init(|| {
            // The file is part of the binary and `tests/decision_model.rs` loads it, so a
            // failure here is a build that never passed its tests.
            Decision::from_json(EMBEDDED).expect("the compiled-in decision weights are valid")
        })
    }

    /// The model's probability that the candidate is an answer.
    pub fn probability(&self, features: &Features) -> f64 {
        let x = features.to_vec();
        let z = self.bias
            + x.iter()
                .zip(&self.mean)
                .zip(&self.scale)
                .zip(&self.weights)
                .map(|(((&x, m), s), w)| w * (f64::from(x) - m) / s)
                .sum::<f64>();
        sigmoid(z)
    }

    /// Whether the candidate is an answer.
    pub fn accepts(&self, features: &Features) -> bool {
        self.probability(features) >= self.threshold
    }
}

/// The logistic function without overflow for large |z|.
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(features: &[&str], scale: f64) -> String {
        let n = features.len();
        serde_json::json!({
            "format": 1,
            "features": features,
            "mean": vec![0.0; n],
            "scale": vec![scale; n],
            "weights": vec![1.0; n],
            "bias": -1.0,
            "threshold": 0.5,
        })
        .to_string()
    }

    #[test]
    fn the_embedded_file_loads() {
        let d = Decision::embedded();
        assert_eq!(d.weights.len(), FEATURES.len());
    }

    #[test]
    fn a_file_with_other_features_is_refused() {
        let mut names: Vec<&str> = FEATURES.to_vec();
        names.swap(0, 1);
        assert!(matches!(
            Decision::from_json(&file(&names, 1.0)),
            Err(DecisionError::Features { .. })
        ));
        assert!(matches!(
            Decision::from_json(&file(&FEATURES[1..], 1.0)),
            Err(DecisionError::Features { .. })
        ));
    }

    #[test]
    fn damaged_files_are_refused_with_their_reason() {
        assert!(matches!(
            Decision::from_json("{"),
            Err(DecisionError::Parse(_))
        ));
        assert_eq!(
            Decision::from_json(&file(FEATURES, 0.0)),
            Err(DecisionError::Invalid("a scale is zero".to_string()))
        );
        let wrong_format = file(FEATURES, 1.0).replace("\"format\":1", "\"format\":2");
        assert_eq!(
            Decision::from_json(&wrong_format),
            Err(DecisionError::Format { found: 2 })
        );
        let unknown_key = file(FEATURES, 1.0).replace("\"bias\"", "\"extra\":1,\"bias\"");
        assert!(matches!(
            Decision::from_json(&unknown_key),
            Err(DecisionError::Parse(_))
        ));
    }

    #[test]
    fn probability_is_the_logistic_of_the_scaled_sum() {
        let d = Decision::from_json(&file(FEATURES, 2.0)).unwrap();
        let features = Features {
            coverage: 1.0,
            cosine: 1.0,
            ..Features::default()
        };
        // bias −1 + (1 + 1)/2 = 0 → 0.5, at the threshold.
        assert!((d.probability(&features) - 0.5).abs() < 1e-12);
        assert!(d.accepts(&features));
        assert!(!d.accepts(&Features::default()));
        assert!(sigmoid(-1000.0) >= 0.0 && sigmoid(1000.0) <= 1.0);
    }
}
