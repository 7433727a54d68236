#![recursion_limit = "256"]
//! Gateway faults against the real bot: close 1000, close 4000, op 9 INVALID_SESSION (resumable
//! and not), op 7 RECONNECT and missed heartbeat ACKs. After each, the bot must come back (RESUME
//! where the session survives, else IDENTIFY), answer what was dispatched after the fault and
//! what the fake replays on RESUME, and answer each question exactly once.
//!
//! Time-to-recover is measured and printed (`-- --nocapture`), never asserted.

mod support;

use std::time::{Duration, Instant};

use support::bot::RunningBot;
use support::fake_discord::*;

const WAIT: Duration = Duration::from_secs(20);
/// The README promises a re-IDENTIFY "in milliseconds, not serenity's 5 s": half the stall.
const REIDENTIFY_WITHIN: Duration = Duration::from_millis(2_500);

async fn start_bot(options: FakeOptions) -> RunningBot {
    support::bot::start_bot_with(options, |_| {}).await
}

/// Dispatches a mention question; returns its message id and how many sessions it was queued
/// for (0 = no live session: Discord would not deliver it either).
fn ask(fake: &FakeDiscord, text: &str) -> (u64, usize) {
    let content = format!("<@{BOT_USER_ID}> {text}");
    let (id, message) =
        fake.message_create(CHANNEL_ID, USER_ID, &content, true, Some(GUILD_ID), false);
    let queued = fake.dispatch("MESSAGE_CREATE", message);
    (id, queued)
}

fn replies_to(fake: &FakeDiscord, message_id: u64) -> usize {
    let id = message_id.to_string();
    fake.requests()
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.status < 300
                && r.body["message_reference"]["message_id"].as_str() == Some(&id)
        })
        .count()
}

async fn wait_reply(fake: &FakeDiscord, message_id: u64) {
    let id = message_id.to_string();
    let found = fake
        .wait_for_request(
            |r| {
                r.method == "POST"
                    && r.status < 300
                    && r.body["message_reference"]["message_id"].as_str() == Some(&id)
            },
            WAIT,
        )
        .await;
    assert!(
        found.is_some(),
        "no reply to {message_id}; gateway {:?}",
        fake.gateway_stats()
    );
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Back {
    /// The session survives: RESUME, missed events replayed.
    Resume,
    /// The session is gone: a fresh IDENTIFY.
    Identify,
}

/// Injects `fault` into a running bot and checks recovery. `Back::Identify` cases first wait
/// until 5 s after the first IDENTIFY: Discord allows one IDENTIFY per 5 s (serenity's shard
/// queuer enforces it), and the point here is to measure the reconnect itself.
async fn survive(name: &str, options: FakeOptions, back: Back, fault: impl FnOnce(&FakeDiscord)) {
    let bot = start_bot(options).await;
    let fake = &bot.fake;
    let (before, _) = ask(fake, "Is there a hotline?");
    wait_reply(fake, before).await;
    if back == Back::Identify {
        let spacing = Duration::from_millis(5_300);
        if let Some(rest) = spacing.checked_sub(bot.identified_at.elapsed()) {
            tokio::time::sleep(rest).await;
        }
    }
    let stats = fake.gateway_stats();
    let came_back = match back {
        Back::Resume => stats.resumed_count + 1,
        Back::Identify => stats.ready_count + 1,
    };

    let t0 = Instant::now();
    fault(fake);
    // Dispatched while the bot is away: replayed on RESUME (or dropped with the session).
    let (during, during_queued) = ask(fake, "What is Executive Order 13694?");
    let recovered = fake
        .wait_for_gateway(
            |s| {
                let n = match back {
                    Back::Resume => s.resumed_count,
                    Back::Identify => s.ready_count,
                };
                n >= came_back && s.connections_open == 1
            },
            WAIT,
        )
        .await;
    let recover = t0.elapsed();
    assert!(
        recovered,
        "{name}: not back after {recover:?}: {:?}",
        fake.gateway_stats()
    );
    if back == Back::Identify {
        // The fault came more than 5 s after the previous IDENTIFY, so Discord's spacing does
        // not apply: serenity's 5 s restart stall (see `src/bot/gateway.rs`) would show here.
        // A functional bound (half the stall), not a performance assertion.
        assert!(
            recover < REIDENTIFY_WITHIN,
            "{name}: re-IDENTIFY took {recover:?} (serenity's 5 s restart stall is back?)"
        );
    }
    let (after, queued) = ask(fake, "Will China extradite hackers to the US?");
    assert!(queued > 0, "{name}: no live session after recovery");
    wait_reply(fake, after).await;
    let first_answer = t0.elapsed();
    if back == Back::Resume {
        assert!(during_queued > 0);
        wait_reply(fake, during).await;
    }
    // Late duplicates would show up by the time a later question is answered (and a short
    // window after it, for a retry in flight).
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(replies_to(fake, before), 1, "{name}: before");
    assert_eq!(replies_to(fake, after), 1, "{name}: after");
    let during_replies = replies_to(fake, during);
    match back {
        Back::Resume => assert_eq!(during_replies, 1, "{name}: replayed event"),
        Back::Identify => assert!(during_replies <= 1, "{name}: during answered twice"),
    }
    let stats = fake.gateway_stats();
    match back {
        Back::Resume => assert_eq!(
            stats.identify_count, 1,
            "{name}: resumed, not re-identified"
        ),
        Back::Identify => assert_eq!(stats.identify_count, 2, "{name}: {stats:?}"),
    }
    eprintln!(
        "RECOVERY {name}: back ({back:?}) after {recover:?}; first answer after {first_answer:?}; \
         event dispatched during the fault answered {during_replies}x; {stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_1000_resumes_and_replays() {
    survive("close 1000", FakeOptions::default(), Back::Resume, |f| {
        f.close_gateway(1000)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4000_resumes_and_replays() {
    survive("close 4000", FakeOptions::default(), Back::Resume, |f| {
        f.close_gateway(4000)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_op7_resumes_and_replays() {
    survive(
        "op 7 reconnect",
        FakeOptions::default(),
        Back::Resume,
        |f| f.send_reconnect(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_session_resumable_resumes() {
    survive(
        "op 9 resumable",
        FakeOptions::default(),
        Back::Resume,
        |f| f.send_invalid_session(true),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_session_not_resumable_reidentifies() {
    survive(
        "op 9 not resumable",
        FakeOptions::default(),
        Back::Identify,
        |f| f.send_invalid_session(false),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_heartbeat_acks_reidentify() {
    let options = FakeOptions {
        heartbeat_interval_ms: 500,
        ..Default::default()
    };
    survive("missed heartbeat ACK", options, Back::Identify, |f| {
        f.stop_acking_heartbeats();
        let before = f.gateway_stats().heartbeat_count;
        // One heartbeat goes unanswered, then ACKs resume: the bot notices the missing ACK
        // when the next heartbeat is due and reconnects.
        let deadline = Instant::now() + Duration::from_secs(5);
        while f.gateway_stats().heartbeat_count <= before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        f.resume_acking_heartbeats();
    })
    .await;
}

/// Several faults in a row on one bot: each recovery still answers exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_faults_keep_answering_once() {
    let bot = start_bot(FakeOptions::default()).await;
    let fake = &bot.fake;
    let mut asked = Vec::new();
    for (round, code) in [4000u16, 1000, 4000, 1001].into_iter().enumerate() {
        let resumed = fake.gateway_stats().resumed_count;
        fake.close_gateway(code);
        let (id, _) = ask(fake, "Can the US impose economic sanctions?");
        asked.push(id);
        assert!(
            fake.wait_for_gateway(
                |s| s.resumed_count > resumed && s.connections_open == 1,
                WAIT
            )
            .await,
            "round {round}: {:?}",
            fake.gateway_stats()
        );
        wait_reply(fake, id).await;
    }
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    for id in asked {
        assert_eq!(replies_to(fake, id), 1);
    }
    assert_eq!(fake.identify_count(), 1);
}
