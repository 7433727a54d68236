#![recursion_limit = "256"]
//! The health and metrics endpoint and the JSON logs of the real `summit-bot` binary against
//! the fake Discord: `/healthz` is 503 before READY, 200 after and again after a RESUME;
//! `/metrics` counts a scripted exchange (answered, no answer, refused, a retried reply, a
//! RESUME, a re-IDENTIFY) and exposes the answer-time histogram; JSON log lines parse one by one and never hold the
//! token; a port that cannot be bound is a clear start-up error.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::fake_discord::*;
use support::process::*;

/// `SUMMIT_HTTP_ADDR` for a free port.
const ANY_PORT: (&str, &str) = ("SUMMIT_HTTP_ADDR", "127.0.0.1:0");

/// The address the bot logged (`listening on 127.0.0.1:PORT`).
async fn endpoint_address(bot: &Bot) -> SocketAddr {
    let deadline = Instant::now() + WAIT;
    loop {
        let log = read(&bot.stderr);
        if let Some(address) = log
            .lines()
            .filter_map(|line| line.split("listening on ").nth(1))
            .find_map(|rest| {
                rest.split(|c: char| c.is_whitespace() || c == '"')
                    .next()?
                    .parse()
                    .ok()
            })
        {
            return address;
        }
        assert!(
            Instant::now() < deadline,
            "the bound address was never logged:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `GET path` over plain HTTP/1.1: (status, body).
async fn http_get(address: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect to the endpoint");
    let request = format!("GET {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("the endpoint answers in time")
        .expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// `/healthz` as (status code, JSON body).
async fn health(address: SocketAddr) -> (u16, Value) {
    let (status, body) = http_get(address, "/healthz").await;
    let json = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("/healthz is not JSON ({e}): {body:?}"));
    (status, json)
}

/// Polls `/healthz` until `want(status, body)` holds; returns the last answer.
async fn wait_health(address: SocketAddr, want: impl Fn(u16, &Value) -> bool) -> (u16, Value) {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, body) = health(address).await;
        if want(status, &body) {
            return (status, body);
        }
        assert!(
            Instant::now() < deadline,
            "/healthz stayed at {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `/metrics` until every line in `want` is present; returns the text.
async fn wait_metrics(address: SocketAddr, want: &[String]) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, text) = http_get(address, "/metrics").await;
        assert_eq!(status, 200, "{text}");
        if want.iter().all(|w| text.lines().any(|l| l == w)) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "/metrics lacks {:?}:\n{text}",
            want.iter()
                .filter(|w| !text.lines().any(|l| l == w.as_str()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_until_ready_then_200_and_200_again_after_a_resume() {
    let fake = FakeDiscord::start_with(FakeOptions {
        hold_gateway: true,
        ..FakeOptions::default()
    })
    .await;
    let bot = spawn_bot_with(
        FAKE_TOKEN,
        &fake.api_url(),
        "info",
        HIGH_LIMITS,
        &[ANY_PORT],
    );
    let address = endpoint_address(&bot).await;
    // The gateway is held: the index loads, the shard starts (total 1, known once the bot has
    // planned its shards) but never connects.
    let (status, body) = wait_health(address, |_, b| {
        b["status"] == "starting" && b["shards"]["total"] == 1
    })
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["shards"]["connected"], 0, "{body}");
    assert_eq!(body["shards"]["total"], 1, "{body}");
    assert!(body["documents"].as_u64().unwrap_or(0) > 0, "{body}");

    fake.release_gateway();
    wait_ready(&fake, &bot).await;
    let (status, body) = wait_health(address, |s, _| s == 200).await;
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["shards"]["connected"], 1, "{body}");

    fake.close_gateway(4000);
    assert!(
        fake.wait_for_gateway(|s| s.resumed_count >= 1 && s.connections_open == 1, WAIT)
            .await
    );
    let (status_after, body) = wait_health(address, |s, _| s == 200).await;
    assert_eq!((status, status_after), (200, 200), "{body}");
    assert_eq!(body["status"], "ok", "{body}");
    eprintln!("HEALTH after RESUME: {body}");
}

/// Dispatches a mention of the bot by `user` and waits for the bot's successful reply to it;
/// returns the reply's body.
async fn ask_and_wait(fake: &FakeDiscord, user: u64, text: &str) -> Value {
    let id = support::bot::mention_from(fake, user, text).to_string();
    fake.wait_for_request(
        |r| r.status < 300 && r.body["message_reference"]["message_id"].as_str() == Some(&id),
        WAIT,
    )
    .await
    .unwrap_or_else(|| panic!("no reply to {text:?}"))
    .body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_a_scripted_exchange() {
    let fake = FakeDiscord::start().await;
    // Two questions per user, then refused (no refill during the test).
    let limits = "[limits]\nuser_burst = 2\nuser_refill_secs = 3600.0\nchannel_burst = 1000\n";
    let bot = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", limits, &[ANY_PORT]);
    let address = endpoint_address(&bot).await;
    wait_ready(&fake, &bot).await;
    let (_, body) = wait_health(address, |s, _| s == 200).await;
    let documents = body["documents"].as_u64().unwrap_or(0);
    assert!(documents > 0);
    // No model folder in the test's working directory: the static model answers.
    assert_eq!(body["model"], "minilm-static", "{body}");
    // Before any question: every series is there at 0, so rates work from the first scrape.
    wait_metrics(
        address,
        &[
            "summit_questions_total{source=\"mention\",outcome=\"answered\"} 0".to_string(),
            "summit_questions_total{source=\"slash\",outcome=\"error\"} 0".to_string(),
            "summit_gateway_reconnects_total{kind=\"resume\"} 0".to_string(),
            "summit_store_dropped_total 0".to_string(),
        ],
    )
    .await;

    // An answer (its first send fails once with a 500 and is retried), a question the article
    // cannot answer, a refused third question, a gateway close the bot RESUMEs from, then an
    // invalid session it IDENTIFYs again after.
    fake.add_fault(Fault::status(
        "POST",
        &format!("/channels/{CHANNEL_ID}/messages"),
        1,
        500,
    ));
    let answer = ask_and_wait(&fake, USER_ID, "Is there a hotline?").await;
    assert!(answer["embeds"][0]["title"].is_string(), "{answer}");
    let none = ask_and_wait(&fake, USER_ID, "What is the best pizza topping?").await;
    assert!(
        none.to_string().contains("no good answer"),
        "a no-answer reply: {none}"
    );
    let refused = ask_and_wait(&fake, USER_ID, "Who will co-chair the dialogue?").await;
    assert!(refused.to_string().contains("Slow down"), "{refused}");
    fake.close_gateway(4000);
    assert!(
        fake.wait_for_gateway(|s| s.resumed_count >= 1 && s.connections_open == 1, WAIT)
            .await
    );
    wait_metrics(
        address,
        &[
            "summit_gateway_reconnects_total{kind=\"resume\"} 1".to_string(),
            "summit_gateway_reconnects_total{kind=\"identify\"} 0".to_string(),
        ],
    )
    .await;
    // A session Discord will not resume: a fresh IDENTIFY, the first that counts.
    fake.send_invalid_session(false);
    assert!(
        fake.wait_for_gateway(|s| s.ready_count >= 2 && s.connections_open == 1, WAIT)
            .await
    );

    let text = wait_metrics(
        address,
        &[
            "summit_questions_total{source=\"mention\",outcome=\"answered\"} 1".to_string(),
            "summit_questions_total{source=\"mention\",outcome=\"no_answer\"} 1".to_string(),
            "summit_questions_total{source=\"mention\",outcome=\"throttled\"} 1".to_string(),
            "summit_questions_total{source=\"mention\",outcome=\"too_long\"} 0".to_string(),
            "summit_questions_total{source=\"mention\",outcome=\"error\"} 0".to_string(),
            "summit_questions_total{source=\"slash\",outcome=\"answered\"} 0".to_string(),
            // Dispatch to reply sent, for the two questions searched (not the refusal).
            "summit_answer_seconds_count 2".to_string(),
            "summit_answer_seconds_bucket{le=\"+Inf\"} 2".to_string(),
            "summit_gateway_reconnects_total{kind=\"resume\"} 1".to_string(),
            "summit_gateway_reconnects_total{kind=\"identify\"} 1".to_string(),
            "summit_discord_rest_retries_total 1".to_string(),
            "summit_store_dropped_total 0".to_string(),
            format!("summit_index_documents {documents}"),
            format!(
                "summit_build_info{{version=\"{}\"}} 1",
                env!("CARGO_PKG_VERSION")
            ),
        ],
    )
    .await;
    for line in [
        "# TYPE summit_questions_total counter",
        "# TYPE summit_answer_seconds histogram",
        "# TYPE summit_gateway_reconnects_total counter",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} missing:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("summit_answer_seconds_bucket{le=\"0.005\"} ")),
        "the histogram has its buckets:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_parse_line_by_line_and_never_hold_the_token() {
    let (token, forbidden) = secret_token();
    let fake = FakeDiscord::start().await;
    fake.add_fault(Fault::status(
        "POST",
        &format!("/channels/{CHANNEL_ID}/messages"),
        1,
        500,
    ));
    let config = format!("{HIGH_LIMITS}\n[log]\nformat = \"json\"\n");
    let mut bot = spawn_bot_with(&token, &fake.api_url(), "trace", &config, &[ANY_PORT]);
    wait_ready(&fake, &bot).await;
    let (id, message) = fake.message_create(
        CHANNEL_ID,
        USER_ID,
        &format!("<@{BOT_USER_ID}> Is there a hotline?"),
        true,
        Some(GUILD_ID),
        false,
    );
    fake.dispatch("MESSAGE_CREATE", message);
    let id = id.to_string();
    assert!(fake
        .wait_for_request(
            |r| r.status < 300 && r.body["message_reference"]["message_id"].as_str() == Some(&id),
            WAIT
        )
        .await
        .is_some());
    fake.close_gateway(4000);
    assert!(fake.wait_for_gateway(|s| s.resumed_count >= 1, WAIT).await);
    sigterm(&bot.child);
    let exited = wait_exit(&mut bot.child, EXIT_WITHIN).await;
    let log = read(&bot.stderr);
    assert!(exited.is_some_and(|(s, _)| s.success()), "{log}");
    let mut messages = Vec::new();
    for (n, line) in log.lines().enumerate() {
        let object: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} is not JSON ({e}): {line}", n + 1));
        assert!(
            object["level"].is_string() && object["timestamp"].is_string(),
            "{line}"
        );
        messages.push(object["message"].as_str().unwrap_or_default().to_string());
    }
    for want in [
        "listening on",
        "registered commands",
        "retrying Discord call",
        "stopped",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(want)),
            "no {want:?} in the JSON log"
        );
    }
    eprintln!(
        "JSON LOG: {} lines parsed, token absent",
        log.lines().count()
    );
    assert_no_secret(&log, &forbidden, "JSON trace log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_in_use_is_a_clear_start_up_error() {
    let fake = FakeDiscord::start().await;
    // Held for the whole test: the bot must fail to bind it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("addr").to_string();
    let mut bot = spawn_bot_with(
        FAKE_TOKEN,
        &fake.api_url(),
        "info",
        HIGH_LIMITS,
        &[("SUMMIT_HTTP_ADDR", &address)],
    );
    let exited = wait_exit(&mut bot.child, WAIT).await;
    let log = read(&bot.stderr);
    let (status, _) = exited.unwrap_or_else(|| panic!("still running:\n{log}"));
    assert!(!status.success());
    let last = log.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!(
            "summit-bot: cannot start the health and metrics endpoint: cannot listen on {address}:"
        )),
        "{last}"
    );
    assert_eq!(
        fake.identify_count(),
        0,
        "started although the endpoint failed"
    );
    drop(taken);
}
