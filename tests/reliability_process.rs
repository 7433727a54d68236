#![recursion_limit = "256"]
//! The real `summit-bot` binary against the fake Discord: SIGTERM during a burst of questions
//! (clean exit, status 0, within a few seconds), and the token never reaching the log, not even
//! at `RUST_LOG=trace` with failing requests, an unreachable API, or a malformed token.

mod support;

use std::time::{Duration, Instant};

use support::fake_discord::*;
use support::process::*;

fn burst(fake: &FakeDiscord, n: u64) -> Vec<u64> {
    (0..n)
        .map(|i| {
            let (id, message) = fake.message_create(
                CHANNEL_ID,
                1_180_000_000_000_300_000 + i,
                &format!("<@{BOT_USER_ID}> Is there a hotline? ({i})"),
                true,
                Some(GUILD_ID),
                false,
            );
            fake.dispatch("MESSAGE_CREATE", message);
            id
        })
        .collect()
}

fn answered(fake: &FakeDiscord, ids: &[u64]) -> usize {
    let requests = fake.requests();
    ids.iter()
        .filter(|id| {
            let s = id.to_string();
            requests.iter().any(|r| {
                r.status < 300 && r.body["message_reference"]["message_id"].as_str() == Some(&s)
            })
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_burst_exits_cleanly_and_quickly() {
    let fake = FakeDiscord::start().await;
    let mut bot = spawn_bot(FAKE_TOKEN, &fake.api_url(), "info");
    wait_ready(&fake, &bot).await;
    let ids = burst(&fake, 60);
    // Let the bot get going on the burst, then stop it mid-way.
    let _ = fake
        .wait_for_request(|r| r.body["message_reference"].is_object(), WAIT)
        .await;
    sigterm(&bot.child);
    let exited = wait_exit(&mut bot.child, EXIT_WITHIN).await;
    let log = read(&bot.stderr);
    let (status, took) =
        exited.unwrap_or_else(|| panic!("still running {EXIT_WITHIN:?} after SIGTERM:\n{log}"));
    assert!(status.success(), "exit status {status}:\n{log}");
    assert!(
        log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );
    assert_eq!(
        fake.gateway_stats().connections_open,
        0,
        "gateway left open"
    );
    let done = answered(&fake, &ids);
    eprintln!(
        "SIGTERM: exited with {status} after {took:?}; {done}/{} burst questions answered before exit",
        ids.len()
    );
    // Nothing answered twice.
    let requests = fake.requests();
    for id in &ids {
        let s = id.to_string();
        let n = requests
            .iter()
            .filter(|r| {
                r.status < 300 && r.body["message_reference"]["message_id"].as_str() == Some(&s)
            })
            .count();
        assert!(n <= 1, "question {id} answered {n} times");
    }
    // A clean stop loses no question: every one answered is in the question log (the default
    // SQLite file, in the bot's working folder), written before the process exited.
    let target = summit_bot::store::db::Target::Sqlite(bot.dir.path().join("data/summit.db"));
    let mut db = summit_bot::store::db::Db::connect(&target)
        .await
        .expect("the question log exists");
    let recorded = summit_bot::store::report::build(&mut db, &Default::default())
        .await
        .expect("readable")
        .questions;
    assert_eq!(
        recorded as usize, done,
        "answered questions missing from the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_when_idle_exits_cleanly() {
    let fake = FakeDiscord::start().await;
    let mut bot = spawn_bot(FAKE_TOKEN, &fake.api_url(), "info");
    wait_ready(&fake, &bot).await;
    sigterm(&bot.child);
    let exited = wait_exit(&mut bot.child, EXIT_WITHIN).await;
    let log = read(&bot.stderr);
    let (status, took) = exited.unwrap_or_else(|| panic!("still running after SIGTERM:\n{log}"));
    assert!(status.success(), "{status}:\n{log}");
    eprintln!("SIGTERM (idle): exited with {status} after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_reaches_the_log_even_at_trace_with_failing_requests() {
    let (token, forbidden) = secret_token();
    let fake = FakeDiscord::start().await;
    fake.add_fault(Fault::status(
        "POST",
        &format!("/channels/{CHANNEL_ID}/messages"),
        100,
        500,
    ));
    fake.add_fault(Fault::status("POST", "/callback", 100, 500));
    let mut bot = spawn_bot(&token, &fake.api_url(), "trace");
    wait_ready(&fake, &bot).await;
    // The token was really used (so a leak would have had something to leak).
    let auth = fake.requests()[0]
        .header("authorization")
        .map(str::to_string);
    assert_eq!(auth.as_deref(), Some(format!("Bot {token}").as_str()));
    assert_eq!(
        fake.identify_payloads()[0]["token"].as_str(),
        Some(format!("Bot {token}").as_str())
    );

    let ids = burst(&fake, 2);
    let (interaction, _, payload) = fake.slash_command(
        "ask",
        serde_json::json!([{"name": "question", "type": 3, "value": "Is there a hotline?"}]),
    );
    fake.dispatch("INTERACTION_CREATE", payload);
    // Every reply attempt fails: wait for the bot to give up on all of them (4 attempts each,
    // the slash command's apology too).
    let deadline = Instant::now() + WAIT;
    let failures = |fake: &FakeDiscord| fake.requests().iter().filter(|r| r.status == 500).count();
    while failures(&fake) < 16 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A gateway reconnect logs connection details too.
    fake.close_gateway(4000);
    assert!(fake.wait_for_gateway(|s| s.resumed_count >= 1, WAIT).await);
    sigterm(&bot.child);
    let exited = wait_exit(&mut bot.child, EXIT_WITHIN).await;
    let log = read(&bot.stderr);
    assert!(exited.is_some(), "still running after SIGTERM");
    assert!(
        log.contains("failed after 4 attempt(s)"),
        "the failures were not logged"
    );
    assert!(log.contains(&interaction.to_string()) || log.contains("interaction reply"));
    assert!(ids.len() == 2);
    eprintln!(
        "SECRETS: {} bytes of trace log checked, token absent",
        log.len()
    );
    assert_no_secret(&log, &forbidden, "trace log with 500s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_api_fails_fast_without_the_token() {
    let (token, forbidden) = secret_token();
    // A port that refuses connections and stays ours for the whole test: bound but never
    // listening. (Releasing a port and reusing its number lets another test's fake Discord
    // take it in between.)
    let held = tokio::net::TcpSocket::new_v4().expect("socket");
    held.bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let closed = held.local_addr().expect("addr").port();
    let mut bot = spawn_bot(&token, &format!("http://127.0.0.1:{closed}"), "trace");
    let exited = wait_exit(&mut bot.child, WAIT).await;
    let log = read(&bot.stderr);
    let (status, took) = exited.unwrap_or_else(|| panic!("still running:\n{log}"));
    assert!(!status.success(), "{status}");
    let last = log.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("summit-bot: cannot reach the Discord API"),
        "{last}"
    );
    eprintln!("SECRETS: closed port -> {status} after {took:?}: {last}");
    drop(held);
    assert_no_secret(&log, &forbidden, "trace log, API unreachable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_token_is_a_one_line_error_without_the_token() {
    for bad in [
        "zS3cr3tTokenPartNeverLogged_0123456789xy",
        "zS3cr3t.TokenPartNeverLogged",
        "zS3cr3t.Token Part.NeverLogged",
        "a.b.c.zS3cr3tTokenPartNeverLogged",
    ] {
        let mut bot = spawn_bot(bad, "http://127.0.0.1:9", "trace");
        let exited = wait_exit(&mut bot.child, WAIT).await;
        let log = read(&bot.stderr);
        let (status, _) = exited.unwrap_or_else(|| panic!("still running:\n{log}"));
        assert!(!status.success());
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(log.contains("malformed"), "{log}");
        for part in bad.split(['.', ' ']).filter(|p| p.len() >= 6) {
            assert!(!log.contains(part), "{log:?} contains {part:?}");
        }
    }
}
