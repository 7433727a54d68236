//! The opt-in transformer re-ranker (`[semantic] model_dir`), without the 440 MB model: a
//! tiny random MPNet (`fixtures/tiny-mpnet`, written by `scripts/tiny_mpnet_fixture.py`) must
//! give the vectors of the numpy reference, and an engine opened with it must use its cosine
//! in the answer decision. Its answers mean nothing (random weights), so the decision is
//! checked at thresholds that accept or refuse everything; the quality of the real model is
//! measured in BENCHMARKS.md.

use std::path::Path;
use std::sync::Arc;

use summit_bot::config::Config;
use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::retrieve::follow_up::Turn;
use summit_bot::retrieve::fusion::SemanticOptions;
use summit_bot::retrieve::RankOptions;
use summit_bot::semantic::contextual::{ContextualError, ContextualModel};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-mpnet");

/// A model folder holding the tiny MPNet, with the vocabulary MPNet ships: its four special
/// tokens, BERT's uncased vocabulary, then `<mask>`.
fn tiny_model_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(Path::new(FIXTURE).join(file), dir.path().join(file)).unwrap();
    }
    let bert = include_str!("../models/minilm-static/vocab.txt");
    let vocab = format!("<s>\n<pad>\n</s>\n<unk>\n{bert}<mask>\n");
    std::fs::write(dir.path().join("vocab.txt"), vocab).unwrap();
    dir
}

fn engine_with(dir: &Path, semantic: SemanticOptions) -> Engine {
    let options = EngineOptions {
        rank: RankOptions {
            semantic: SemanticOptions {
                model_dir: Some(dir.to_path_buf()),
                ..semantic
            },
            ..RankOptions::default()
        },
        ..EngineOptions::default()
    };
    Engine::open(&options).expect("engine opens with the tiny model")
}

/// An engine with the tiny model at a floor no cosine reaches, asked on every question:
/// nothing the other signals accept passes, only what the words make sure of.
fn strict_engine(dir: &Path) -> Engine {
    engine_with(
        dir,
        SemanticOptions {
            rerank_min_similarity: 1.0,
            rerank_similar: 1.0,
            rerank_cascade: false,
            ..SemanticOptions::default()
        },
    )
}

/// Checks `model` against a numpy reference file (`[{"text", "vector", …}]`, at least
/// `min_cases` of them): every vector as wide and within `tolerance` in every value. Returns
/// the cases for checks of their own.
fn assert_matches_reference(
    model: &ContextualModel,
    reference: &Path,
    min_cases: usize,
    tolerance: f32,
) -> Vec<serde_json::Value> {
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reference).unwrap()).unwrap();
    let cases = expected.as_array().unwrap().clone();
    assert!(cases.len() >= min_cases, "{} reference cases", cases.len());
    for case in &cases {
        let text = case["text"].as_str().unwrap();
        let want: Vec<f32> = case["vector"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        let got = model.embed(text).expect("a text with tokens");
        assert_eq!(got.len(), want.len(), "{text:?}: width");
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < tolerance, "{text:?}: largest difference {worst}");
    }
    cases
}

#[test]
fn forward_pass_matches_the_numpy_reference() {
    let dir = tiny_model_dir();
    let model = ContextualModel::load(dir.path()).expect("tiny model loads");
    assert_matches_reference(&model, &Path::new(FIXTURE).join("expected.json"), 10, 1e-4);
    assert!(model.embed("   ").is_none());
}

const BERT_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-bert");

/// A model folder holding the tiny BERT (`fixtures/tiny-bert`, written by
/// `scripts/tiny_bert_fixture.py`) with BERT's uncased vocabulary, as all-MiniLM-L6-v2 ships it.
fn tiny_bert_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(Path::new(BERT_FIXTURE).join(file), dir.path().join(file)).unwrap();
    }
    let bert = include_str!("../models/minilm-static/vocab.txt");
    std::fs::write(dir.path().join("vocab.txt"), bert).unwrap();
    dir
}

/// BERT's conventions (positions from 0, token type 0, [CLS] 101 / [SEP] 102, eps 1e-12,
/// mean over every token, 256 tokens at most) all change these vectors: MPNet's would still
/// give plausible unit vectors, so only this comparison catches a convention copied across.
#[test]
fn bert_forward_pass_matches_the_numpy_reference() {
    let dir = tiny_bert_dir();
    let model = ContextualModel::load(dir.path()).expect("tiny BERT loads");
    assert_eq!(model.architecture(), "BERT, 2 layers, 4 wide");
    let cases = assert_matches_reference(
        &model,
        &Path::new(BERT_FIXTURE).join("expected.json"),
        10,
        1e-5,
    );
    assert!(
        cases.iter().any(|c| c["tokens"].as_u64().unwrap() > 256),
        "a case past the length limit"
    );
}

/// The shipped int8 all-MiniLM-L6-v2 (`models/minilm-l6`) on its real weights: the vectors
/// of `scripts/minilm_reference.py`'s numpy forward pass, dequantised as the engine does.
#[test]
fn minilm_forward_pass_matches_the_numpy_reference_on_the_real_weights() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = ContextualModel::load(&root.join("models/minilm-l6")).expect("MiniLM loads");
    assert_eq!(model.architecture(), "BERT, 6 layers, 384 wide");
    let cases = assert_matches_reference(
        &model,
        &root.join("tests/fixtures/minilm-l6-expected.json"),
        5,
        1e-4,
    );
    assert!(cases
        .iter()
        .all(|c| c["vector"].as_array().unwrap().len() == 384));
}

#[test]
fn a_bert_config_with_another_activation_is_refused() {
    let dir = tiny_bert_dir();
    let config = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        config.replace("\"gelu\"", "\"relu\""),
    )
    .unwrap();
    let error = ContextualModel::load(dir.path()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: hidden_act \"relu\": only \"gelu\" runs here",
            dir.path().join("config.json").display()
        )
    );
}

#[test]
fn a_shared_model_is_loaded_once() {
    let dir = tiny_model_dir();
    let a = ContextualModel::shared(dir.path()).unwrap();
    let b = ContextualModel::shared(dir.path()).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
}

#[test]
fn a_folder_that_is_not_a_model_this_code_runs_is_refused_with_its_reason() {
    let missing = ContextualModel::load(Path::new("/nonexistent/model")).unwrap_err();
    assert!(matches!(missing, ContextualError::Read { .. }), "{missing}");

    let dir = tiny_model_dir();
    let config = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        config.replace("\"mpnet\"", "\"gpt2\""),
    )
    .unwrap();
    let error = ContextualModel::load(dir.path()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("model_type \"gpt2\": only \"mpnet\" and \"bert\" models run here"),
        "{error}"
    );

    let dir = tiny_model_dir();
    std::fs::write(dir.path().join("vocab.txt"), "[PAD]\nhello\n").unwrap();
    let error = ContextualModel::load(dir.path()).unwrap_err();
    assert!(error.to_string().contains("vocab.txt"), "{error}");

    let options = EngineOptions {
        rank: RankOptions {
            semantic: SemanticOptions {
                model_dir: Some("/nonexistent/model".into()),
                ..SemanticOptions::default()
            },
            ..RankOptions::default()
        },
        ..EngineOptions::default()
    };
    let error = Engine::open(&options).unwrap_err();
    // The whole chain, as the binary prints it, gives the reason once.
    let mut chain = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        chain.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    let reason = std::fs::read("/nonexistent/model/config.json").unwrap_err();
    assert_eq!(
        chain,
        format!("semantic.model_dir: cannot read /nonexistent/model/config.json: {reason}")
    );
}

#[test]
fn the_transformer_cosine_decides_with_the_other_signals() {
    let dir = tiny_model_dir();
    let question = "Did they agree to a hotline?";
    let plain = Engine::embedded().unwrap().ask(question).unwrap();
    let plain_answer = plain.answer.expect("answered without the transformer");

    // A floor no cosine reaches: nothing the other signals accept passes.
    let strict = strict_engine(dir.path());
    assert!(strict.ask(question).unwrap().answer.is_none());

    // Floors every cosine passes, no weight: the other signals' answer stands.
    let lenient = engine_with(
        dir.path(),
        SemanticOptions {
            rerank_min_similarity: -1.0,
            rerank_weight: 0.0,
            rerank_cascade: false,
            ..SemanticOptions::default()
        },
    );
    let answer = lenient.ask(question).unwrap().answer.expect("answered");
    assert_eq!(answer.passage.id, plain_answer.passage.id);
    assert!(answer.passage.text.contains("hotline"));

    // The transformer alone can accept what the other signals refuse.
    let off_topic = "Tell me a joke";
    assert!(Engine::embedded()
        .unwrap()
        .ask(off_topic)
        .unwrap()
        .answer
        .is_none());
    let alone = engine_with(
        dir.path(),
        SemanticOptions {
            rerank_similar: -1.0,
            rerank_cascade: false,
            ..SemanticOptions::default()
        },
    );
    assert!(alone.ask(off_topic).unwrap().answer.is_some());

    // Outside combined mode the transformer is not used (lexical mode would answer the
    // hotline question whatever the floors).
    let lexical = engine_with(
        dir.path(),
        SemanticOptions {
            mode: summit_bot::retrieve::fusion::Mode::Lexical,
            rerank_min_similarity: 1.0,
            rerank_similar: 1.0,
            rerank_cascade: false,
            ..SemanticOptions::default()
        },
    );
    assert!(lexical.ask(question).unwrap().answer.is_some());

    // The cascade: a question whose answer the other signals are sure of never reaches the
    // transformer, so even a floor no cosine reaches leaves their answer standing.
    let cascade = engine_with(
        dir.path(),
        SemanticOptions {
            rerank_min_similarity: 1.0,
            rerank_similar: 1.0,
            rerank_cascade: true,
            rerank_sure_coverage: 0.0,
            rerank_sure_similarity: -1.0,
            ..SemanticOptions::default()
        },
    );
    let answer = cascade.ask(question).unwrap().answer.expect("answered");
    assert_eq!(answer.passage.id, plain_answer.passage.id);
    assert_eq!(cascade.contextual_questions(), Some(0));
    // Not sure (no answer covers all its words at a cosine of 1): the transformer decides.
    let unsure = engine_with(
        dir.path(),
        SemanticOptions {
            rerank_min_similarity: 1.0,
            rerank_similar: 1.0,
            rerank_cascade: true,
            rerank_sure_coverage: 1.0,
            rerank_sure_similarity: 1.0,
            rerank_refuse_below: -1.0,
            ..SemanticOptions::default()
        },
    );
    assert!(unsure.ask(question).unwrap().answer.is_none());
    assert_eq!(unsure.contextual_questions(), Some(1));
}

#[test]
fn a_question_about_a_cited_source_stands_whatever_the_cosine() {
    let dir = tiny_model_dir();
    let strict = strict_engine(dir.path());
    // "bloomberg" and "article" meet footnote 3, which no sentence of paragraph 5
    // paraphrases, at the coverage the words alone need (under the bar for a sure answer
    // by coverage alone): the citation answers, as it does without a transformer.
    let answer = strict
        .ask("what bloomberg article does the post reference")
        .unwrap()
        .answer
        .expect("the citation answers");
    assert_eq!(answer.passage.id, "summit-article:5");
    assert_eq!(
        answer
            .footnotes
            .iter()
            .map(|f| f.number)
            .collect::<Vec<_>>(),
        [3]
    );
    assert!(strict
        .ask("Did they agree to a hotline?")
        .unwrap()
        .answer
        .is_none());
}

/// A follow-up is ranked by its words, the earlier ones and the previous passage: the
/// transformer, which sees only the questions' texts, neither re-ranks nor refuses it.
#[test]
fn follow_ups_are_ranked_without_the_transformer() {
    let dir = tiny_model_dir();
    let strict = strict_engine(dir.path());
    let first = "Did they set up a working group?";
    assert!(strict.ask(first).unwrap().answer.is_none());
    let previous = Turn::new(first, Some("summit-article:2.4".to_string()));
    let (response, turn) = strict.ask_in("who chairs it?", Some(&previous)).unwrap();
    let answer = response.answer.expect("answered in context");
    assert!(answer.passage.text.contains("working group"));
    assert!(answer.footnotes.iter().any(|f| f.number == 2));
    assert!(turn.context_used);
}

#[test]
fn the_config_reads_and_checks_the_transformer_keys() {
    let config = Config::parse(
        "[semantic]\nmodel_dir = \"models/all-mpnet-base-v2\"\nrerank_weight = 1.5\nrerank_min_similarity = 0.2\nrerank_similar = 0.4\n",
    )
    .unwrap();
    assert_eq!(
        config.semantic.model_dir.as_deref(),
        Some(Path::new("models/all-mpnet-base-v2"))
    );
    config.validate().unwrap();
    let default = Config::parse("").unwrap();
    assert_eq!(default.semantic.model_dir, None, "off unless asked for");
    let out_of_range = Config::parse("[semantic]\nrerank_similar = 2.0\n").unwrap();
    assert!(out_of_range.validate().is_err());
    assert_eq!(default.semantic.rerank_candidates, 8);
    for (value, valid) in [
        (0, false),
        (1, true),
        (16, true),
        (1000, true),
        (1001, false),
    ] {
        let config = Config::parse(&format!("[semantic]\nrerank_candidates = {value}\n")).unwrap();
        assert_eq!(
            config.validate().is_ok(),
            valid,
            "rerank_candidates = {value}"
        );
    }
}

#[test]
fn passages_are_embedded_ahead_of_questions_once_per_text() {
    use summit_bot::indexing::record::PassageRecord;
    use summit_bot::ingest::model::{Footnote, Sentence};
    use summit_bot::semantic::contextual::ContextualScorer;

    let dir = tiny_model_dir();
    let model = ContextualModel::shared(dir.path()).unwrap();
    let footnote = Footnote {
        number: 2,
        text: "Dialogues will be held twice per year.".into(),
    };
    let record = |id: &str, text: &str| PassageRecord {
        id: id.into(),
        article: "a".into(),
        title: "A".into(),
        source_url: None,
        paragraph: 1,
        point: None,
        text: text.into(),
        footnotes: vec![footnote.clone()],
        sentences: vec![Sentence {
            start: 0,
            end: text.len(),
        }],
        terms: Vec::new(),
        footnote_terms: Vec::new(),
        cited_title_terms: Vec::new(),
        title_terms: Vec::new(),
    };
    // Two passages citing one footnote: three texts.
    let records = [
        record("a:1", "The leaders agreed on four points."),
        record("a:2", "A hotline addresses serious security issues."),
    ];
    let scorer = ContextualScorer::new(model.clone());
    let warming = scorer.warm_up(&records).expect("a thread starts");
    warming.join().expect("the warm-up does not panic");
    assert_eq!(scorer.cached_texts(), 3);

    // The remembered vectors are the model's: the passage's score is its best chunk.
    let question = model.embed("Is there a hotline?").unwrap();
    let cosine = |text: &str| {
        let v = model.embed(text).unwrap();
        v.iter().zip(&question).map(|(a, b)| a * b).sum::<f32>()
    };
    let expected = cosine(&records[1].text).max(cosine(&footnote.text) * 0.9);
    let got = scorer
        .similarities("Is there a hotline?", &[&records[1]], 0.9)
        .expect("the question has tokens");
    assert_eq!(got.len(), 1);
    assert!((got[0] - expected).abs() < 1e-6, "{} vs {expected}", got[0]);
    assert_eq!(scorer.cached_texts(), 3, "nothing embedded twice");

    // Texts not embedded yet are embedded with the question, once each, and score as alone.
    let fresh = ContextualScorer::new(model.clone());
    let got = fresh
        .similarities("Is there a hotline?", &[&records[0], &records[1]], 0.9)
        .expect("the question has tokens");
    assert_eq!(
        fresh.cached_texts(),
        3,
        "the footnote cited twice is embedded once"
    );
    assert!((got[1] - expected).abs() < 1e-6, "{} vs {expected}", got[1]);
    let first = cosine(&records[0].text).max(cosine(&footnote.text) * 0.9);
    assert!((got[0] - first).abs() < 1e-6, "{} vs {first}", got[0]);
    assert_eq!(fresh.questions(), 1);
    assert!(fresh
        .similarities("", &records.iter().collect::<Vec<_>>(), 0.9)
        .is_none());
}

/// A batch through one forward pass gives each text exactly the vector it gets alone, for
/// both encoders (MPNet's relative-position bias is per text, BERT's positions restart),
/// texts of different lengths and an empty text among them.
#[test]
fn a_batch_gives_each_text_its_own_vector() {
    let texts = [
        "Is there a hotline?",
        "",
        "The two leaders established a high level working group to deter the spread of illegal cyber activity.",
        "hotline",
        "Is there a hotline?",
    ];
    for dir in [tiny_model_dir(), tiny_bert_dir()] {
        let model = ContextualModel::load(dir.path()).expect("the tiny model loads");
        let batch = model.embed_batch(&texts);
        assert_eq!(batch.len(), texts.len());
        for (text, vector) in texts.iter().zip(&batch) {
            assert_eq!(vector, &model.embed(text), "{text}");
        }
        assert!(batch[1].is_none());
        assert!(model.embed_batch(&[""]).iter().all(Option::is_none));
        assert!(model.embed_batch(&[]).is_empty());
    }
}

/// The transformer scores only the best `rerank_candidates` candidates by the other
/// signals' score; the rest keep their score.
#[test]
fn the_transformer_scores_only_the_best_candidates() {
    let dir = tiny_model_dir();
    let question = "What did the two leaders agree on cyber theft?";
    let scored_with = |rerank_candidates: usize| {
        engine_with(
            dir.path(),
            SemanticOptions {
                rerank_candidates,
                rerank_cascade: false,
                rerank_min_similarity: -1.0,
                ..SemanticOptions::default()
            },
        )
        .scored_candidates(question)
        .unwrap()
    };
    let plain = Engine::embedded()
        .unwrap()
        .scored_candidates(question)
        .unwrap();
    assert!(plain.len() > 3, "{} candidates", plain.len());
    for k in [1, 3] {
        let hits = scored_with(k);
        assert_eq!(hits.len(), plain.len());
        let scored: Vec<&str> = hits
            .iter()
            .filter(|h| h.features.has_contextual > 0.0)
            .map(|h| h.record.id.as_str())
            .collect();
        assert_eq!(scored.len(), k, "{scored:?}");
        // They are the best by the other signals' score (answers first, then the refused).
        let mut best: Vec<&summit_bot::retrieve::RankedHit> = plain.iter().collect();
        best.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.record.text.len().cmp(&b.record.text.len()))
                .then(a.record.id.cmp(&b.record.id))
        });
        for hit in &best[..k] {
            assert!(
                scored.contains(&hit.record.id.as_str()),
                "{} not scored",
                hit.record.id
            );
        }
        for hit in hits.iter().filter(|h| h.features.has_contextual == 0.0) {
            let before = plain.iter().find(|p| p.record.id == hit.record.id).unwrap();
            assert_eq!(hit.score, before.score, "{}", hit.record.id);
        }
    }
}
