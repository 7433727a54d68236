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
    // The static engine: a load of the Discord side, not of a transformer run unoptimised.
    config.semantic.model_dir = Some("".into());
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

/// A reply the bot sent (a successful POST): which question it answers (`None`: none we
/// asked) and what is wrong with it; `None` for a request that is not a reply.
fn check_reply(
    r: &Recorded,
    by_id: &HashMap<u64, usize>,
    asked: &[Asked],
    questions: &[Expected],
) -> Option<(Option<usize>, Vec<String>)> {
    let (id, body) = if let Some(rest) = r.path.strip_prefix("/api/v10/interactions/") {
        let id = rest.split('/').next().and_then(|s| s.parse::<u64>().ok());
        (id, &r.body["data"])
    } else if r.path.ends_with("/messages") {
        let id = r.body["message_reference"]["message_id"]
            .as_str()
            .and_then(|s| s.parse::<u64>().ok());
        (id, &r.body)
    } else {
        return None;
    };
    let Some(&n) = id.and_then(|id| by_id.get(&id)) else {
        return Some((None, Vec::new()));
    };
    let mut wrong = Vec::new();
    let a = &asked[n];
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
    Some((Some(n), wrong))
}

/// What one load run measured.
struct Measured {
    /// Questions answered per second.
    rate: f64,
    /// CPU time of the whole process (bot, fake Discord, driver) per question, in µs.
    cpu_us: Option<f64>,
}

/// Runs the load.
async fn run_load(total: usize, store: Option<&str>) -> Measured {
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
    let cpu_before = process_cpu_seconds();
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
        // Each new reply is checked under the fake's lock, and only what the driver needs
        // (which question, what was wrong) is copied out: copying whole requests made the
        // driver's own work grow with the reply's size.
        let mut fresh: Vec<(Option<usize>, Vec<String>)> = Vec::new();
        fake.wait_for_request_since(
            scanned,
            // Called again for the same requests while it waits: each is taken once.
            |r| {
                if r.index >= scanned {
                    scanned = r.index + 1;
                    if r.method == "POST" && r.status < 300 {
                        if let Some(seen) = check_reply(r, &by_id, &asked, &questions) {
                            fresh.push(seen);
                        }
                    }
                }
                false
            },
            // Short, so dispatch-to-reply is measured to the millisecond.
            Duration::from_millis(1),
        )
        .await;
        let now = Instant::now();
        for (n, problems) in fresh {
            let Some(n) = n else {
                unexpected += 1;
                continue;
            };
            wrong.extend(problems);
            let a = &mut asked[n];
            a.replies += 1;
            if a.replies == 1 {
                answered += 1;
                a.latency = Some(now - a.dispatched);
                last_progress = now;
            }
        }
        assert!(
            last_progress.elapsed() < Duration::from_secs(30),
            "stalled: {answered}/{total} answered, {} dispatched",
            asked.len()
        );
    }
    let elapsed = started.elapsed();
    let cpu_us = process_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) * 1e6 / total as f64);
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
         {:.2} s, {:.0} questions/s; dispatch-to-reply p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         process CPU {} per question (bot, fake Discord and driver)",
        total - mentions,
        if store.is_some() { "; question log on" } else { "" },
        elapsed.as_secs_f64(),
        rate,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        cpu_us.map_or("?".to_string(), |us| format!("{us:.0} µs")),
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
    Measured { rate, cpu_us }
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

/// Set in the child processes of [`store_cost_answers_per_second_on_vs_off`]: the store URL
/// of the one run to make (empty: the log off).
const STORE_COST_RUN: &str = "SUMMIT_STORE_COST_RUN";

/// The question log's cost: 10,000 questions with the log off and on (SQLite in a temp
/// folder), `SUMMIT_STORE_COST_ROUNDS` pairs (default 3) in the order off-on, on-off, off-on…
/// so neither side always goes second. Each run is a fresh process (this test run again with
/// [`STORE_COST_RUN`] set): an earlier bot's heap or leftover tasks cannot slow a later run.
/// Prints each run with the load average before it and the medians of answers per second and
/// of CPU per question; each logged run checks every question reached the database.
#[test]
#[ignore = "benchmark: cargo test --release --test reliability_load store_cost -- --ignored --nocapture"]
fn store_cost_answers_per_second_on_vs_off() {
    const TOTAL: usize = 10_000;
    if let Ok(url) = std::env::var(STORE_COST_RUN) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async {
                let store = (!url.is_empty()).then_some(url.as_str());
                let measured = run_load(TOTAL, store).await;
                if let Some(url) = store {
                    assert_every_question_logged(url, TOTAL + 1).await;
                }
                println!(
                    "STORE COST RUN {} {}",
                    measured.rate,
                    measured.cpu_us.unwrap_or(f64::NAN)
                );
            });
        return;
    }
    let rounds: usize = std::env::var("SUMMIT_STORE_COST_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let (mut off, mut on) = (Vec::new(), Vec::new());
    let (mut off_cpu, mut on_cpu) = (Vec::new(), Vec::new());
    let mut loads: Vec<String> = Vec::new();
    for round in 0..rounds {
        let order = if round.is_multiple_of(2) {
            [false, true]
        } else {
            [true, false]
        };
        for logged in order {
            let url = if logged {
                let path = dir.path().join(format!("log-{round}/summit.db"));
                format!("sqlite://{}", path.display())
            } else {
                String::new()
            };
            loads.push(format!(
                "{}:{}",
                if logged { "on" } else { "off" },
                load_average()
            ));
            let (rate, cpu) = store_cost_child(&url);
            if logged {
                on.push(rate);
                on_cpu.push(cpu);
            } else {
                off.push(rate);
                off_cpu.push(cpu);
            }
        }
    }
    let rounded = |v: &[f64]| v.iter().map(|r| r.round()).collect::<Vec<_>>();
    println!(
        "STORE COST {TOTAL} questions x {rounds} pairs, each run a fresh process: \
         log off {:?} questions/s, log on {:?} questions/s; median on / median off = {:.3} ({:+.1} %); \
         CPU per question off {:?} µs, on {:?} µs, medians {:+.1} %; load averages before each run {loads:?}",
        rounded(&off),
        rounded(&on),
        median(&on) / median(&off),
        (median(&on) / median(&off) - 1.0) * 100.0,
        rounded(&off_cpu),
        rounded(&on_cpu),
        (median(&on_cpu) / median(&off_cpu) - 1.0) * 100.0,
    );
}

/// Runs one measured load in a child process (`url` empty: the log off); prints its LOAD
/// line and returns its answers per second and CPU µs per question.
fn store_cost_child(url: &str) -> (f64, f64) {
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "store_cost_answers_per_second_on_vs_off",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(STORE_COST_RUN, url)
        .output()
        .expect("start the child run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in stdout.lines().filter(|l| l.starts_with("LOAD ")) {
        println!("{line}");
    }
    let result = stdout
        .lines()
        .find_map(|l| l.strip_prefix("STORE COST RUN "))
        .expect("the child prints its result");
    let mut numbers = result
        .split(' ')
        .map(|n| n.parse::<f64>().expect("a number"));
    (numbers.next().expect("rate"), numbers.next().expect("cpu"))
}

/// Waits (bounded) until the log at `url` holds `expected` questions, and checks it is exactly
/// that many (the writer works in the background).
async fn assert_every_question_logged(url: &str, expected: usize) {
    let target = summit_bot::store::db::Target::parse(url).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let recorded = loop {
        let recorded = match summit_bot::store::db::Db::connect(&target).await {
            Ok(mut db) => summit_bot::store::report::build(&mut db, &Default::default())
                .await
                .map_or(0, |r| r.questions),
            Err(_) => 0,
        };
        if recorded as usize >= expected || Instant::now() > deadline {
            break recorded;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // The load's questions and the sentinel question that closes it.
    assert_eq!(
        recorded as usize, expected,
        "every question reaches the log"
    );
}

/// CPU time (user + system) of this whole process so far, in seconds (Linux: `/proc/self/stat`,
/// in the kernel's fixed 100 ticks per second); `None` elsewhere.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at state, field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The median (the mean of the middle two for an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    }
}

/// The one-minute load average (Linux), so every figure comes with how busy the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}
