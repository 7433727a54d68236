#![recursion_limit = "256"]
//! Load through the fake gateway: many questions (mentions and `/ask`, from 500 users in 50
//! channels) dispatched as fast as the bot takes them (a window of questions in flight), each
//! answered exactly once with the passage for *its* question (replies are matched to questions
//! by `message_reference` / interaction id and compared with the engine's own answer).
//!
//! `cargo test --test reliability_load` runs 500 questions; the 10,000-question run is ignored:
//! `cargo test --release --test reliability_load -- --ignored --nocapture`.
//! Throughput and dispatch-to-reply latencies are printed, never asserted.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use summit_bot::config::Config;
use summit_bot::engine::Engine;
use summit_bot::render::embed;
use support::bot::start_bot;
use support::fake_discord::*;

const USERS: u64 = 500;
const CHANNELS: u64 = 50;
const FIRST_USER: u64 = 1_180_000_000_000_100_000;
const FIRST_CHANNEL: u64 = 1_180_000_000_000_200_000;
/// Questions in flight at once ("as fast as the bot takes them" without an unbounded queue).
const WINDOW: usize = 256;

/// The load's config; `store`: the question log's URL (`None`: the log is off).
fn test_config(store: Option<&str>) -> Config {
    let mut config = Config::default();
    config.corpus.index_dir = "".into();
    config.store.enabled = store.is_some();
    if let Some(url) = store {
        config.store.url = url.to_string();
    }
    // Generous limits: the load is legitimate, the limiter must not drop any of it.
    config.limits.user_burst = 1_000_000;
    config.limits.user_refill_secs = 0.001;
    config.limits.channel_burst = 1_000_000;
    config.limits.channel_refill_secs = 0.001;
    config
}

/// A question and what its reply must show (title and description of the answer embed).
struct Expected {
    question: String,
    title: String,
    description: String,
}

/// One question per distinct best passage, from the shipped sample questions.
fn distinct_questions(engine: &Engine) -> Vec<Expected> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/questions.jsonl"
    ))
    .expect("fixture");
    let mut by_passage: HashMap<String, Expected> = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("json line");
        let q = v["q"].as_str().expect("q").to_string();
        let response = engine.ask(&q).expect("ask");
        let Some(hit) = &response.answer else {
            continue;
        };
        let reply = embed::answer_reply(&response, 0, false);
        let e = &reply.embeds[0];
        by_passage
            .entry(hit.passage.id.clone())
            .or_insert(Expected {
                question: q,
                title: e.title.clone(),
                description: e.description.clone(),
            });
    }
    let mut out: Vec<Expected> = by_passage.into_values().collect();
    out.sort_by(|a, b| a.question.cmp(&b.question));
    assert!(out.len() >= 6, "need questions with different answers");
    out
}

enum Kind {
    Mention { channel: u64 },
    Slash,
}

struct Asked {
    expected: usize,
    kind: Kind,
    dispatched: Instant,
    replies: usize,
    latency: Option<Duration>,
}

/// Runs the load; returns questions per second.
async fn run_load(total: usize, store: Option<&str>) -> f64 {
    let bot = start_bot(|c| *c = test_config(store)).await;
    let fake = &bot.fake;
    let questions = distinct_questions(&bot.engine);

    let mut asked: Vec<Asked> = Vec::with_capacity(total);
    // message id or interaction id → index in `asked`
    let mut by_id: HashMap<u64, usize> = HashMap::with_capacity(total);
    let mut scanned = 0usize;
    let mut answered = 0usize;
    let mut wrong: Vec<String> = Vec::new();
    let mut unexpected = 0usize;
    let started = Instant::now();
    let mut last_progress = Instant::now();
    while answered < total {
        while asked.len() < total && asked.len() - answered < WINDOW {
            let n = asked.len();
            let expected = n % questions.len();
            let user = FIRST_USER + (n as u64 % USERS);
            let channel = FIRST_CHANNEL + (n as u64 % CHANNELS);
            let q = &questions[expected].question;
            let (id, kind) = if n.is_multiple_of(2) {
                let content = format!("<@{BOT_USER_ID}> {q}");
                let (id, message) =
                    fake.message_create(channel, user, &content, true, Some(GUILD_ID), false);
                fake.dispatch("MESSAGE_CREATE", message);
                (id, Kind::Mention { channel })
            } else {
                let place = Place::Guild {
                    guild_id: GUILD_ID,
                    channel_id: channel,
                };
                let (id, _, interaction) = fake.slash_command_in(
                    place,
                    user,
                    "ask",
                    json!([{"name": "question", "type": 3, "value": q}]),
                );
                fake.dispatch("INTERACTION_CREATE", interaction);
                (id, Kind::Slash)
            };
            by_id.insert(id, n);
            asked.push(Asked {
                expected,
                kind,
                dispatched: Instant::now(),
                replies: 0,
                latency: None,
            });
        }
        let mut fresh: Vec<Recorded> = Vec::new();
        fake.wait_for_request(
            |r| {
                if r.index >= scanned {
                    scanned = r.index + 1;
                    fresh.push(r.clone());
                }
                false
            },
            // Short, so dispatch-to-reply is measured to the millisecond.
            Duration::from_millis(1),
        )
        .await;
        let now = Instant::now();
        for r in fresh {
            if r.method != "POST" || r.status >= 300 {
                continue;
            }
            let (id, body) = if let Some(rest) = r.path.strip_prefix("/api/v10/interactions/") {
                let id = rest.split('/').next().and_then(|s| s.parse::<u64>().ok());
                (id, r.body["data"].clone())
            } else if r.path.ends_with("/messages") {
                let id = r.body["message_reference"]["message_id"]
                    .as_str()
                    .and_then(|s| s.parse::<u64>().ok());
                (id, r.body.clone())
            } else {
                continue;
            };
            let Some(&n) = id.and_then(|id| by_id.get(&id)) else {
                unexpected += 1;
                continue;
            };
            let a = &mut asked[n];
            a.replies += 1;
            if a.replies == 1 {
                answered += 1;
                a.latency = Some(now - a.dispatched);
                last_progress = now;
            }
            let e = &questions[a.expected];
            let got = &body["embeds"][0];
            if got["title"].as_str() != Some(e.title.as_str())
                || got["description"].as_str() != Some(e.description.as_str())
            {
                wrong.push(format!(
                    "question {n} ({:?}) got {:?}",
                    e.question, got["title"]
                ));
            }
            if body["allowed_mentions"]["parse"] != json!([]) {
                wrong.push(format!(
                    "question {n}: allowed_mentions {}",
                    body["allowed_mentions"]
                ));
            }
            if let Kind::Mention { channel } = a.kind {
                if r.path != format!("/api/v10/channels/{channel}/messages") {
                    wrong.push(format!("question {n} answered in {}", r.path));
                }
            }
        }
        assert!(
            last_progress.elapsed() < Duration::from_secs(30),
            "stalled: {answered}/{total} answered, {} dispatched",
            asked.len()
        );
    }
    let elapsed = started.elapsed();
    // Late duplicates would have arrived by the time a later question is answered.
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    let sentinel_path = format!(
        "/api/v10/channels/{}/messages",
        support::bot::SENTINEL_CHANNEL_ID
    );
    let replies_after: usize = fake.requests()[scanned..]
        .iter()
        .filter(|r| r.method == "POST" && r.status < 300 && r.path != sentinel_path)
        .count();

    let mut latencies: Vec<Duration> = asked.iter().filter_map(|a| a.latency).collect();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let mentions = asked
        .iter()
        .filter(|a| matches!(a.kind, Kind::Mention { .. }))
        .count();
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "LOAD {total} questions ({mentions} mentions, {} /ask; {USERS} users, {CHANNELS} channels, window {WINDOW}{}): \
         {:.2} s, {:.0} questions/s; dispatch-to-reply p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        total - mentions,
        if store.is_some() { "; question log on" } else { "" },
        elapsed.as_secs_f64(),
        rate,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    );
    assert!(
        wrong.is_empty(),
        "{} wrong replies: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
    let duplicates: Vec<usize> = (0..total).filter(|&n| asked[n].replies != 1).collect();
    assert!(
        duplicates.is_empty(),
        "not exactly one reply: {duplicates:?}"
    );
    assert_eq!(unexpected, 0, "replies to nothing we asked");
    assert_eq!(
        replies_after, 0,
        "late replies after everything was answered"
    );
    rate
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_questions_each_answered_once_and_correctly() {
    run_load(500, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "10,000 questions: run in release with --ignored --nocapture"]
async fn ten_thousand_questions_each_answered_once_and_correctly() {
    run_load(10_000, None).await;
}

/// The question log's cost: 10,000 questions with the log off and on (SQLite in a temp
/// folder), alternated twice so a busy machine hurts both alike; prints each run, the best of
/// each and their ratio, and checks every question of the logged runs reached the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: cargo test --release --test reliability_load store_cost -- --ignored --nocapture"]
async fn store_cost_answers_per_second_on_vs_off() {
    const TOTAL: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let mut off: Vec<f64> = Vec::new();
    let mut on: Vec<f64> = Vec::new();
    for round in 0..2 {
        off.push(run_load(TOTAL, None).await);
        let path = dir.path().join(format!("log-{round}/summit.db"));
        let url = format!("sqlite://{}", path.display());
        on.push(run_load(TOTAL, Some(&url)).await);
        // Every question was recorded (the writer may still be finishing: wait for it).
        let target = summit_bot::store::db::Target::parse(&url).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let recorded = loop {
            let recorded = match summit_bot::store::db::Db::connect(&target).await {
                Ok(mut db) => summit_bot::store::report::build(&mut db, &Default::default())
                    .await
                    .map_or(0, |r| r.questions),
                Err(_) => 0,
            };
            if recorded as usize > TOTAL || Instant::now() > deadline {
                break recorded;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        // The load's questions and the sentinel question that closes it.
        assert_eq!(
            recorded as usize,
            TOTAL + 1,
            "every question reaches the log"
        );
    }
    let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!(
        "STORE COST {TOTAL} questions x 2 rounds: log off {:?} questions/s, log on {:?} questions/s; best on / best off = {:.3} ({:+.1} %)",
        off.iter().map(|r| r.round()).collect::<Vec<_>>(),
        on.iter().map(|r| r.round()).collect::<Vec<_>>(),
        best(&on) / best(&off),
        (best(&on) / best(&off) - 1.0) * 100.0
    );
}
