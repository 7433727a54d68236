//! One question through the shipped transformer (int8 all-MiniLM-L6-v2, `models/minilm-l6/`):
//! what a question that reaches the cascade's re-ranker pays for its vector, the passages'
//! vectors being cached.
//!
//! `cargo bench --bench contextual` (from the repository root)
//!
//! - `contextual/embed_question/N`: `ContextualModel::embed` of a question of N tokens with
//!   the markers: a short, a typical and a long chat question of our own
//!   `tests/fixtures/probe-dev.jsonl` (most of our questions have 5 to 8 words).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use summit_bot::semantic::contextual::{ContextualModel, SHIPPED_MODEL_DIR};

/// Short, typical and long chat questions (probe-dev.jsonl).
const QUESTIONS: &[&str] = &[
    "what is this post about",
    "when did obama and xi make the cyber deal",
    "is it likely china will send hackers to stand trial in america",
];

fn embed(c: &mut Criterion) {
    let model = ContextualModel::load(Path::new(SHIPPED_MODEL_DIR)).expect("models/minilm-l6");
    let mut group = c.benchmark_group("contextual/embed_question");
    for question in QUESTIONS {
        let tokens = model.tokens(question);
        group.bench_with_input(BenchmarkId::from_parameter(tokens), question, |b, q| {
            b.iter(|| model.embed(black_box(q)))
        });
    }
    group.finish();
}

criterion_group!(benches, embed);
criterion_main!(benches);
