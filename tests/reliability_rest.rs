#![recursion_limit = "256"]
//! REST faults on the reply routes (channel messages and the interaction callback): 429, 500
//! and slow answers are retried and the reply still goes out exactly once; past the retry
//! limit the failure is logged with context, nothing panics, and the bot keeps answering.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::json;
use support::bot::{mention, RunningBot};
use support::fake_discord::*;

const WAIT: Duration = Duration::from_secs(20);

/// Everything the bot logs in this test binary (all tests share it).
fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("summit_bot=info"))
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buffer
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

/// The bot with logs captured (see [`logs`]).
async fn start_bot() -> RunningBot {
    log_buffer();
    support::bot::start_bot(|_| {}).await
}

fn messages_path() -> String {
    format!("/api/v10/channels/{CHANNEL_ID}/messages")
}

fn slash(fake: &FakeDiscord, text: &str) -> u64 {
    let (id, _, interaction) = fake.slash_command(
        "ask",
        json!([{"name": "question", "type": 3, "value": text}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    id
}

/// (attempts, successful) requests answering message `id`.
fn reply_attempts(fake: &FakeDiscord, id: u64) -> (usize, usize) {
    let id = id.to_string();
    let all: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.is("POST", &messages_path())
                && r.body["message_reference"]["message_id"].as_str() == Some(&id)
        })
        .collect();
    let ok = all.iter().filter(|r| r.status < 300).count();
    (all.len(), ok)
}

fn callback_attempts(fake: &FakeDiscord, id: u64) -> (usize, usize) {
    let prefix = format!("/api/v10/interactions/{id}/");
    let all: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with(&prefix))
        .collect();
    let ok = all.iter().filter(|r| r.status < 300).count();
    (all.len(), ok)
}

async fn wait_reply_ok(fake: &FakeDiscord, id: u64) -> Duration {
    let t = Instant::now();
    let s = id.to_string();
    let found = fake
        .wait_for_request(
            |r| {
                r.status < 300
                    && r.method == "POST"
                    && r.body["message_reference"]["message_id"].as_str() == Some(&s)
            },
            WAIT,
        )
        .await;
    assert!(found.is_some(), "no reply to {id}");
    t.elapsed()
}

async fn wait_callback_ok(fake: &FakeDiscord, id: u64) -> Duration {
    let t = Instant::now();
    let prefix = format!("/api/v10/interactions/{id}/");
    let found = fake
        .wait_for_request(
            |r| r.status < 300 && r.method == "POST" && r.path.starts_with(&prefix),
            WAIT,
        )
        .await;
    assert!(found.is_some(), "no callback for {id}");
    t.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_and_failing_replies_are_retried_and_sent_once() {
    let bot = start_bot().await;
    let fake = &bot.fake;

    fake.add_fault(Fault::rate_limited("POST", &messages_path(), 2, 0.3));
    let id = mention(fake, "Is there a hotline?");
    let took = wait_reply_ok(fake, id).await;
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(reply_attempts(fake, id), (3, 1), "2 × 429, then the reply");
    eprintln!("REST channel message after 2 × 429: sent after {took:?}");

    fake.add_fault(Fault::status("POST", &messages_path(), 2, 500));
    let id = mention(fake, "What is Executive Order 13694?");
    let took = wait_reply_ok(fake, id).await;
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(reply_attempts(fake, id), (3, 1), "2 × 500, then the reply");
    eprintln!("REST channel message after 2 × 500: sent after {took:?}");

    fake.add_fault(Fault::rate_limited("POST", "/callback", 1, 0.3));
    let id = slash(fake, "Will China extradite hackers to the US?");
    let took = wait_callback_ok(fake, id).await;
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(callback_attempts(fake, id), (2, 1));
    eprintln!("REST interaction callback after 1 × 429: sent after {took:?}");

    fake.add_fault(Fault::status("POST", "/callback", 2, 503));
    let id = slash(fake, "Can the US impose economic sanctions?");
    let took = wait_callback_ok(fake, id).await;
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(callback_attempts(fake, id), (3, 1));
    eprintln!("REST interaction callback after 2 × 503: sent after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_reply_routes_still_deliver_once() {
    let bot = start_bot().await;
    let fake = &bot.fake;
    fake.add_fault(Fault::delay(
        "POST",
        &messages_path(),
        1,
        Duration::from_millis(2500),
    ));
    let id = mention(fake, "Is there a hotline?");
    // Others are not held up by the slow one.
    let other = slash(fake, "What is Executive Order 13694?");
    let other_took = wait_callback_ok(fake, other).await;
    let took = wait_reply_ok(fake, id).await;
    eprintln!("REST slow channel message (2.5 s): sent after {took:?}; a /ask meanwhile answered after {other_took:?}");

    fake.add_fault(Fault::delay(
        "POST",
        "/callback",
        1,
        Duration::from_millis(1500),
    ));
    let id = slash(fake, "Will China extradite hackers to the US?");
    let took = wait_callback_ok(fake, id).await;
    eprintln!("REST slow interaction callback (1.5 s): sent after {took:?}");
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(callback_attempts(fake, id), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_retry_limit_the_failure_is_logged_and_the_bot_keeps_answering() {
    let bot = start_bot().await;
    let fake = &bot.fake;

    fake.add_fault(Fault::status("POST", &messages_path(), 100, 500));
    let lost = mention(fake, "Is there a hotline?");
    assert!(fake
        .wait_for_request(
            |r| r.status == 500
                && r.body["message_reference"]["message_id"].as_str() == Some(&lost.to_string()),
            WAIT
        )
        .await
        .is_some());
    // 4 attempts with backoff (≈ 0.25 + 0.5 + 1 s).
    let deadline = Instant::now() + WAIT;
    while reply_attempts(fake, lost).0 < 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(
        reply_attempts(fake, lost),
        (4, 0),
        "gives up after 4 attempts"
    );

    fake.add_fault(Fault::status("POST", "/callback", 100, 500));
    let lost_slash = slash(fake, "What is Executive Order 13694?");
    let deadline = Instant::now() + WAIT;
    // The answer (4 attempts), then the apology from the error handler (4 attempts).
    while callback_attempts(fake, lost_slash).0 < 8 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(callback_attempts(fake, lost_slash), (8, 0));
    fake.clear_faults();

    // Still alive: both kinds of question are answered afterwards.
    let id = mention(fake, "Will China extradite hackers to the US?");
    wait_reply_ok(fake, id).await;
    let id = slash(fake, "Can the US impose economic sanctions?");
    wait_callback_ok(fake, id).await;

    let deadline = Instant::now() + Duration::from_secs(5);
    let want = [
        format!("cannot reply in channel {CHANNEL_ID}"),
        "chat reply failed after 4 attempt(s)".to_string(),
        "interaction reply failed after 4 attempt(s)".to_string(),
        "command failed".to_string(),
    ];
    while !want.iter().all(|w| logs().contains(w.as_str())) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let logs = logs();
    for w in &want {
        assert!(logs.contains(w.as_str()), "log lacks {w:?}:\n{logs}");
    }
    assert!(!logs.contains("panicked"), "{logs}");
}
