//! Questions as arbitrary bytes (lossily decoded, as `ask -` does): the question path and
//! its renderings must answer or decline, never panic or hang.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::ingest::embedded_corpus;
use summit_bot::render::{json, text};
use summit_bot::retrieve::markup::strip_discord_markup;
use summit_bot::retrieve::RankOptions;

/// One in-memory engine over the shipped article, reading questions up to the configurable
/// maximum of 6,000 characters.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let options = EngineOptions {
            rank: RankOptions {
                max_question_chars: 6000,
                ..RankOptions::default()
            },
            ..EngineOptions::default()
        };
        Engine::with_corpus(embedded_corpus(), &options)
            .unwrap_or_else(|e| panic!("the engine opens: {e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let question = String::from_utf8_lossy(data);
    let _ = strip_discord_markup(&question);
    let response = engine()
        .ask(&question)
        .unwrap_or_else(|e| panic!("ask failed: {e}"));
    assert_eq!(response.question, question);
    let line = json::to_json_line(&response);
    assert!(!line.contains('\n'));
    let _ = text::response(&response);
});
