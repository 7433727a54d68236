#![recursion_limit = "256"]
//! Dispatch-to-reply latency through the fake gateway, one question at a time: the time from
//! the gateway dispatch of a mention to the fake receiving the bot's reply, on an otherwise idle
//! bot. A measurement, so it is ignored by default and asserts only that every question got
//! its reply:
//!
//! ```sh
//! cargo test --release --test e2e_latency -- --ignored --nocapture
//! SUMMIT_E2E_CONFIG=index/generated/1000000.toml \
//!   SUMMIT_E2E_QUESTIONS=index/generated/1000000-questions.txt \
//!   cargo test --release --test e2e_latency -- --ignored --nocapture
//! ```

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use summit_bot::config::Config;
use support::bot::start_bot;
use support::fake_discord::*;

const ROUNDS: usize = 25;

fn questions() -> Vec<String> {
    let fixtures = include_str!("fixtures/questions.jsonl");
    let mut questions: Vec<String> = fixtures
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["q"].as_str().map(str::to_string))
        .collect();
    if let Ok(path) = std::env::var("SUMMIT_E2E_QUESTIONS") {
        let extra = std::fs::read_to_string(&path).expect("SUMMIT_E2E_QUESTIONS is readable");
        questions.extend(
            extra
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    questions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: cargo test --release --test e2e_latency -- --ignored --nocapture"]
async fn one_question_at_a_time_dispatch_to_reply() {
    let config_path = std::env::var("SUMMIT_E2E_CONFIG").ok();
    let bot = start_bot(|c| {
        if let Some(path) = &config_path {
            *c = Config::load(Some(Path::new(path))).expect("SUMMIT_E2E_CONFIG loads");
        }
        // One user asking steadily must never be rate-limited here.
        c.limits.user_burst = 1_000_000;
        c.limits.channel_burst = 1_000_000;
    })
    .await;
    let questions = questions();
    let mut latencies: Vec<Duration> = Vec::new();
    for round in 0..=ROUNDS {
        for question in &questions {
            let content = format!("<@{BOT_USER_ID}> {question}");
            let (id, message) =
                bot.fake
                    .message_create(CHANNEL_ID, USER_ID, &content, true, Some(GUILD_ID), false);
            let id = id.to_string();
            let dispatched = Instant::now();
            bot.fake.dispatch("MESSAGE_CREATE", message);
            let reply = bot
                .fake
                .wait_for_request(
                    |r| r.body["message_reference"]["message_id"].as_str() == Some(id.as_str()),
                    Duration::from_secs(20),
                )
                .await;
            assert!(reply.is_some(), "no reply to {question:?}");
            if round > 0 {
                // Round 0 warms caches and connections.
                latencies.push(dispatched.elapsed());
            }
        }
    }
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "E2E {} questions one at a time ({} distinct, {} rounds, corpus: {}): dispatch-to-reply p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        questions.len(),
        ROUNDS,
        config_path.as_deref().unwrap_or("shipped article"),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3,
    );
}
