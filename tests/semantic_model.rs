//! The compiled-in static embedding model agrees with the Python reference that produced it
//! (`scripts/distill_embeddings.py` wrote `fixtures/semantic_vectors.json`): WordPiece ids
//! from the Hugging Face tokenizer, and sentence vectors pooled from the same table.

use summit_bot::semantic::{dot, StaticModel};

const FIXTURE: &str = include_str!("fixtures/semantic_vectors.json");

fn fixture() -> serde_json::Value {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

#[test]
fn tokenizer_matches_reference() {
    let model = StaticModel::embedded();
    let cases = fixture()["tokenizer"].as_array().expect("cases").clone();
    assert!(cases.len() >= 10);
    for case in cases {
        let text = case["text"].as_str().expect("text");
        let expected: Vec<u32> = case["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_u64().expect("id") as u32)
            .collect();
        assert_eq!(model.tokenizer().ids(text), expected, "tokens of {text:?}");
    }
}

#[test]
fn sentence_vectors_match_reference() {
    let model = StaticModel::embedded();
    let fixture = fixture();
    assert_eq!(fixture["dims"].as_u64(), Some(model.dims() as u64));
    for case in fixture["sentences"].as_array().expect("sentences") {
        let text = case["text"].as_str().expect("text");
        let expected: Vec<f32> = case["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("number") as f32)
            .collect();
        let actual = model.embed(text).expect("has known tokens");
        assert!(
            dot(&actual, &expected) > 0.9999,
            "vector of {text:?} differs: cosine {}",
            dot(&actual, &expected)
        );
        let max_diff = actual
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(
            max_diff < 1e-4,
            "vector of {text:?}: max difference {max_diff}"
        );
    }
}
