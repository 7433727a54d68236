//! Answer latency on the compiled-in article, and the same questions as a bare tantivy search.
//!
//! `cargo bench --bench answer`
//!
//! - `answer/engine_ask`: one `Engine::ask` per iteration, cycling through a fixed mix of
//!   questions, so the reported time is the mean time of one answer over the mix.
//! - `answer/engine_ask_lexical`: the same with `[semantic] mode = "lexical"` (words only: the
//!   engine without the semantic signal), for the cost of meaning.
//! - `answer/bare_tantivy`: the same questions, analysed with the engine's analyzer and run as
//!   a `BooleanQuery` of `TermQuery` SHOULD clauses on `body`, top 16 by score, no documents
//!   fetched: the floor any answer on this index pays.
//!
//! After criterion, an interleaved check times both over the whole mix and prints the median
//! per answer and the ratio engine / bare (the engine's overhead over a bare search), and the
//! time of each question's first answer on a fresh engine (question words' neighbours not yet
//! looked up).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use summit_bot::indexing::analysis::Analyzer;
use summit_bot::ingest::Source;
use summit_bot::retrieve::fusion::Mode;
use summit_bot::{Engine, EngineOptions};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// Ten questions from `/work/shared/eval/questions.jsonl`: plain ones, two with typos,
/// Discord markup, and one off-topic question that has no answer.
const QUESTIONS: &[&str] = &[
    "What did Obama and Xi agree to on September 25, 2015?",
    "Is there a hotline?",
    "Is Northrop Grumman still a target for espionage?",
    "Will China extradite hackers to the US?",
    "What is Executive Order 13694?",
    "What tools will the US use against cybercriminals?",
    "exectuive order sanctions",
    "cyber espionnage agreement teh four points",
    "<@1234567890> what did china promise?",
    "What is the best pizza topping?",
];

/// Candidates the engine asks BM25 for by default (`RankOptions::candidates`).
const TOP_K: usize = 16;

/// A bare tantivy search: analyse, OR the distinct terms, top `TOP_K` by score, fetch nothing.
struct Bare {
    searcher: Searcher,
    body: Field,
    analyzer: Analyzer,
}

impl Bare {
    fn new(engine: &Engine) -> Bare {
        let index = engine.search_index();
        let reader = index.tantivy_index().reader().expect("reader");
        Bare {
            searcher: reader.searcher(),
            body: index.schema.body,
            analyzer: Analyzer::new(),
        }
    }

    fn search(&mut self, question: &str) -> usize {
        let mut terms = self.analyzer.terms(question);
        terms.sort_unstable();
        terms.dedup();
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|term| {
                let query = TermQuery::new(
                    Term::from_field_text(self.body, term),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Should, Box::new(query) as Box<dyn Query>)
            })
            .collect();
        let query = BooleanQuery::new(clauses);
        let top = self
            .searcher
            .search(&query, &TopDocs::with_limit(TOP_K).order_by_score())
            .expect("search");
        top.len()
    }
}

fn bench_answer(c: &mut Criterion) {
    let engine = Engine::embedded().expect("engine");
    let mut bare = Bare::new(&engine);
    let mut group = c.benchmark_group("answer");
    let mut next = 0usize;
    group.bench_function("engine_ask", |b| {
        b.iter(|| {
            let question = QUESTIONS[next % QUESTIONS.len()];
            next += 1;
            black_box(engine.ask(black_box(question)).expect("ask"))
        })
    });
    let mut lexical_options = EngineOptions::default();
    lexical_options.rank.semantic.mode = Mode::Lexical;
    let lexical = Engine::from_source(&Source::Embedded, &lexical_options).expect("engine");
    let mut next = 0usize;
    group.bench_function("engine_ask_lexical", |b| {
        b.iter(|| {
            let question = QUESTIONS[next % QUESTIONS.len()];
            next += 1;
            black_box(lexical.ask(black_box(question)).expect("ask"))
        })
    });
    let mut next = 0usize;
    group.bench_function("bare_tantivy", |b| {
        b.iter(|| {
            let question = QUESTIONS[next % QUESTIONS.len()];
            next += 1;
            black_box(bare.search(black_box(question)))
        })
    });
    group.finish();
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Times both over the whole mix in alternating rounds, prints medians per answer and the ratio.
fn overhead_check() {
    const ROUNDS: usize = 300;
    let engine = Engine::embedded().expect("engine");
    let mut bare = Bare::new(&engine);
    let mut first_us: Vec<f64> = QUESTIONS
        .iter()
        .map(|question| {
            let start = Instant::now();
            black_box(engine.ask(black_box(question)).expect("ask"));
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    let first_mean = first_us.iter().sum::<f64>() / first_us.len() as f64;
    println!(
        "first answer per question on a fresh engine: median {:.2} µs, mean {first_mean:.2} µs",
        median(&mut first_us)
    );
    let per_answer = |elapsed: Duration| elapsed.as_secs_f64() * 1e6 / QUESTIONS.len() as f64;
    let mut engine_us = Vec::with_capacity(ROUNDS);
    let mut bare_us = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS + 20 {
        let start = Instant::now();
        for question in QUESTIONS {
            black_box(engine.ask(black_box(question)).expect("ask"));
        }
        let engine_time = start.elapsed();
        let start = Instant::now();
        for question in QUESTIONS {
            black_box(bare.search(black_box(question)));
        }
        let bare_time = start.elapsed();
        if round >= 20 {
            // The first rounds warm caches up and are not counted.
            engine_us.push(per_answer(engine_time));
            bare_us.push(per_answer(bare_time));
        }
    }
    let engine_median = median(&mut engine_us);
    let bare_median = median(&mut bare_us);
    println!(
        "overhead check ({ROUNDS} rounds x {} questions): engine {engine_median:.2} µs/answer, \
         bare tantivy {bare_median:.2} µs/search, ratio engine/bare {:.2}",
        QUESTIONS.len(),
        engine_median / bare_median
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = bench_answer
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs this binary without `--bench`, and `--profile-time` is for
    // profilers: skip the timing check then.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--profile-time") {
        overhead_check();
    }
}
