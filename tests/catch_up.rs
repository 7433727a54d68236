#![recursion_limit = "256"]
//! Catch-up against the fake Discord: questions posted while the bot was away (killed with
//! SIGKILL, or between a lost session and a fresh IDENTIFY) are answered after it is back,
//! each exactly once, oldest first, with a note that the answer is late, and nothing older
//! than the window; a RESUME replays instead and catches nothing up; a crash in the middle of
//! catching up and another start still answer each question once; a question answered in a
//! thread the bot started (threads set with `/channel threads`) is not answered again, and
//! the setting outlives the process.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::bot::{sentinel_answered, start_bot, wait_callback};
use support::fake_discord::*;
use support::process::*;

use summit_bot::render::embed::LATE_NOTE;

/// A second text channel of [`GUILD_ID`].
const SECOND_CHANNEL_ID: u64 = 1_180_000_000_000_000_021;
use summit_bot::store::channels::cursors;
use summit_bot::store::db::{Db, Target};

/// A message from `user` in [`CHANNEL_ID`] mentioning the bot, posted `age` ago; dispatched
/// when `live` (the bot is connected), else only kept in the channel (posted while away).
fn mention_aged(fake: &FakeDiscord, user: u64, text: &str, age: Duration, live: bool) -> u64 {
    let (id, message) = fake.message_create_aged(
        age,
        CHANNEL_ID,
        user,
        &format!("<@{BOT_USER_ID}> {text}"),
        true,
        Some(GUILD_ID),
        false,
    );
    if live {
        assert!(
            fake.dispatch("MESSAGE_CREATE", message) > 0,
            "no live session"
        );
    }
    id
}

fn posted_while_away(fake: &FakeDiscord, user: u64, text: &str) -> u64 {
    mention_aged(fake, user, text, Duration::ZERO, false)
}

/// Waits until the bot has replied to `message` (a reply is in the channel).
async fn wait_replied(fake: &FakeDiscord, message: u64, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        if let Some(reply) = fake.bot_replies_to(message).into_iter().next() {
            return reply;
        }
        assert!(
            Instant::now() < deadline,
            "message {message} was never answered; requests: {:#?}",
            fake.requests()
                .iter()
                .map(|r| format!("{} {} {}", r.method, r.path, r.status))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the store at `db_path` has a cursor for `channel` at `message` or later (the
/// bot writes it through its queue, a moment after seeing the message).
async fn wait_cursor(db_path: &Path, channel: u64, message: u64) {
    let mut db = Db::connect(&Target::Sqlite(db_path.to_path_buf()))
        .await
        .expect("the store opens");
    let deadline = Instant::now() + WAIT;
    loop {
        let all = cursors(&mut db).await.expect("cursors readable");
        if all
            .iter()
            .any(|c| c.channel == channel && c.last_message >= message)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no cursor at {message} for {channel}: {all:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The text of a reply: its content and its first embed's footer.
fn reply_text(reply: &Value) -> String {
    format!(
        "{} {}",
        reply["content"].as_str().unwrap_or_default(),
        reply["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap_or_default()
    )
}

/// The order in which the bot's replies to `ids` were posted (by reply id).
fn reply_order(fake: &FakeDiscord, ids: &[u64]) -> Vec<u64> {
    let mut replies: Vec<(u64, u64)> = ids
        .iter()
        .filter_map(|q| {
            let reply = fake.bot_replies_to(*q).into_iter().next()?;
            Some((reply["id"].as_str()?.parse().ok()?, *q))
        })
        .collect();
    replies.sort_unstable();
    replies.into_iter().map(|(_, q)| q).collect()
}

fn assert_each_answered_once(fake: &FakeDiscord, ids: &[u64]) {
    for id in ids {
        let n = fake.bot_replies_to(*id).len();
        assert_eq!(n, 1, "message {id} has {n} replies from the bot");
    }
}

/// The config tail for a bot process whose store is the SQLite file `db`.
fn config_with_store(db: &Path, extra: &str) -> String {
    format!(
        "{HIGH_LIMITS}\n[store]\nurl = \"sqlite://{}\"\n\n[discord]\ncatch_up_minutes = 60\n{extra}",
        db.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_mentions_arrive_then_started_answers_each_missed_one_once_oldest_first() {
    let fake = FakeDiscord::start().await;
    let shared = tempfile::tempdir().expect("tempdir");
    let db = shared.path().join("summit.db");
    let tail = config_with_store(&db, "");
    let mut first = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", &tail, &[]);
    wait_ready(&fake, &first).await;

    // Seen and answered live (one of them posted three hours ago: the cursor may be old).
    let old_live = mention_aged(
        &fake,
        USER_ID,
        "Is there a hotline?",
        Duration::from_secs(3 * 3600),
        true,
    );
    let live = mention_aged(&fake, USER_ID, "Who signed it?", Duration::ZERO, true);
    wait_replied(&fake, old_live, WAIT).await;
    wait_replied(&fake, live, WAIT).await;
    wait_cursor(&db, CHANNEL_ID, live).await;
    // Mentions arriving as the process dies: each answered before or after, once.
    let arriving: Vec<u64> = (0..3)
        .map(|i| {
            mention_aged(
                &fake,
                1_180_000_000_000_400_000 + i,
                "What did they agree on?",
                Duration::ZERO,
                true,
            )
        })
        .collect();
    first.child.kill().expect("SIGKILL");
    first.child.wait().expect("reaped");

    // While the bot is away: one question older than the window, then three recent ones.
    let too_old = mention_aged(
        &fake,
        USER_ID,
        "Is there a hotline?",
        Duration::from_secs(2 * 3600),
        false,
    );
    let missed: Vec<u64> = [
        "Is there a hotline?",
        "Who signed the agreement?",
        "What about intellectual property?",
    ]
    .iter()
    .enumerate()
    .map(|(i, q)| posted_while_away(&fake, 1_180_000_000_000_500_000 + i as u64, q))
    .collect();

    let second = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", &tail, &[]);
    wait_ready(&fake, &second).await;
    for id in arriving.iter().chain(&missed) {
        wait_replied(&fake, *id, WAIT).await;
    }
    sentinel_answered(&fake, Duration::from_millis(300)).await;

    let mut all = vec![old_live, live];
    all.extend(&arriving);
    all.extend(&missed);
    assert_each_answered_once(&fake, &all);
    assert!(
        fake.bot_replies_to(too_old).is_empty(),
        "a question older than catch_up_minutes was answered"
    );
    assert_eq!(reply_order(&fake, &missed), missed, "not oldest first");
    for id in &missed {
        let reply = &fake.bot_replies_to(*id)[0];
        assert!(reply_text(reply).contains(LATE_NOTE), "{reply:#}");
    }
    assert!(
        !reply_text(&fake.bot_replies_to(live)[0]).contains(LATE_NOTE),
        "a live answer says it is late"
    );
    let log = read(&second.stderr);
    assert!(log.contains("catch-up done"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_in_the_middle_of_catching_up_and_another_start_still_answer_each_once() {
    let fake = FakeDiscord::start().await;
    let shared = tempfile::tempdir().expect("tempdir");
    let db = shared.path().join("summit.db");
    let tail = config_with_store(&db, "");
    let mut first = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", &tail, &[]);
    wait_ready(&fake, &first).await;
    let seen = mention_aged(&fake, USER_ID, "Is there a hotline?", Duration::ZERO, true);
    wait_replied(&fake, seen, WAIT).await;
    wait_cursor(&db, CHANNEL_ID, seen).await;
    first.child.kill().expect("SIGKILL");
    first.child.wait().expect("reaped");

    let missed: Vec<u64> = (0..8)
        .map(|i| posted_while_away(&fake, 1_180_000_000_000_600_000 + i, "Who signed it?"))
        .collect();
    // Slow replies, so that the second process dies with the catch-up half done.
    fake.add_fault(Fault::delay(
        "POST",
        &format!("/channels/{CHANNEL_ID}/messages"),
        4,
        Duration::from_millis(400),
    ));
    let mut second = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", &tail, &[]);
    wait_ready(&fake, &second).await;
    wait_replied(&fake, missed[0], WAIT).await;
    second.child.kill().expect("SIGKILL");
    second.child.wait().expect("reaped");
    let done_by_second = missed
        .iter()
        .filter(|m| !fake.bot_replies_to(**m).is_empty())
        .count();
    assert!(
        done_by_second < missed.len(),
        "the catch-up finished before the crash"
    );

    let third = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", &tail, &[]);
    wait_ready(&fake, &third).await;
    for id in &missed {
        wait_replied(&fake, *id, WAIT).await;
    }
    sentinel_answered(&fake, Duration::from_millis(300)).await;
    let mut all = vec![seen];
    all.extend(&missed);
    assert_each_answered_once(&fake, &all);
    assert_eq!(reply_order(&fake, &missed), missed, "not oldest first");
}

/// The in-process bot with its store in `dir`.
async fn start_with_store(dir: &Path, minutes: u32, limit: u32) -> support::bot::RunningBot {
    let url = format!("sqlite://{}", dir.join("summit.db").display());
    start_bot(move |c| {
        c.store.enabled = true;
        c.store.url = url;
        c.discord.catch_up_minutes = minutes;
        c.discord.catch_up_limit = limit;
        c.limits.user_burst = 1000;
        c.limits.channel_burst = 1000;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_identify_catches_up_and_a_resume_does_not() {
    summit_bot::service::metrics::install();
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = start_with_store(dir.path(), 60, 200).await;
    let fake = &bot.fake;
    let seen = mention_aged(fake, USER_ID, "Is there a hotline?", Duration::ZERO, true);
    wait_replied(fake, seen, WAIT).await;
    wait_cursor(&dir.path().join("summit.db"), CHANNEL_ID, seen).await;

    // A RESUME replays what the gateway missed: a message it never carried stays unanswered.
    let identifies = fake.identify_count();
    let resumes = fake.resume_count();
    let during_resume = posted_while_away(fake, USER_ID, "Who signed the agreement?");
    fake.close_gateway(4000);
    let deadline = Instant::now() + WAIT;
    while fake.resume_count() == resumes {
        assert!(Instant::now() < deadline, "the bot never resumed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_eq!(
        fake.identify_count(),
        identifies,
        "resumed with a new session"
    );
    assert!(fake.bot_replies_to(during_resume).is_empty());

    // A fresh IDENTIFY reads the channel: the missed question (and the one the RESUME did not
    // bring) answered once each; an edited one, a message not for the bot, and one already
    // answered are left alone.
    let missed = posted_while_away(fake, USER_ID, "What about intellectual property?");
    let (edited, original) = fake.message_create(
        CHANNEL_ID,
        USER_ID,
        &format!("<@{BOT_USER_ID}> Is there a hotline?"),
        true,
        Some(GUILD_ID),
        false,
    );
    fake.message_update(&original, &format!("<@{BOT_USER_ID}> never mind"));
    // Answered in a thread the bot started from it (`[discord] threads`): no reply in the
    // channel's pages, and still not answered again.
    let in_thread = posted_while_away(fake, USER_ID, "Who signed the agreement?");
    fake.mark_thread_started_by_bot(in_thread, "Who signed the agreement?");
    let (chatter, _) = fake.message_create(
        CHANNEL_ID,
        USER_ID,
        "Is there a hotline?",
        false,
        Some(GUILD_ID),
        false,
    );
    fake.send_invalid_session(false);
    wait_replied(fake, during_resume, WAIT).await;
    wait_replied(fake, missed, WAIT).await;
    assert!(fake.identify_count() > identifies);
    sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_each_answered_once(fake, &[seen, during_resume, missed]);
    assert_eq!(
        reply_order(fake, &[during_resume, missed]),
        [during_resume, missed]
    );
    assert!(
        fake.bot_replies_to(edited).is_empty(),
        "an edited question was answered"
    );
    assert!(
        fake.bot_replies_to(in_thread).is_empty(),
        "a question answered in the bot's thread was answered again"
    );
    assert!(
        fake.bot_replies_to(chatter).is_empty(),
        "chatter was answered"
    );
    assert!(reply_text(&fake.bot_replies_to(missed)[0]).contains(LATE_NOTE));

    // Other tests of this binary catch up in the same process (one recorder): at least ours.
    let metrics = summit_bot::service::metrics::handle()
        .expect("recorder installed")
        .render();
    let value = |series: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{series} missing from:\n{metrics}"))
    };
    assert!(value("summit_catch_up_answered_total") >= 2.0, "{metrics}");
    assert!(
        value("summit_questions_total{source=\"catch_up\",outcome=\"answered\"}") >= 2.0,
        "{metrics}"
    );
    // Only this test edits a question.
    assert_eq!(
        value("summit_catch_up_skipped_total{reason=\"edited\"}"),
        1.0
    );
    assert!(value("summit_catch_up_skipped_total{reason=\"already_answered\"}") >= 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_channel_is_skipped_and_the_others_are_caught_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = start_with_store(dir.path(), 60, 200).await;
    let fake = &bot.fake;
    // The bot is mentioned in two channels; then it loses access to the first one.
    let (lost, message) = fake.message_create(
        SECOND_CHANNEL_ID,
        USER_ID,
        &format!("<@{BOT_USER_ID}> Is there a hotline?"),
        true,
        Some(GUILD_ID),
        false,
    );
    fake.dispatch("MESSAGE_CREATE", message);
    let seen = mention_aged(fake, USER_ID, "Who signed it?", Duration::ZERO, true);
    wait_replied(fake, lost, WAIT).await;
    wait_replied(fake, seen, WAIT).await;
    wait_cursor(&dir.path().join("summit.db"), SECOND_CHANNEL_ID, lost).await;
    wait_cursor(&dir.path().join("summit.db"), CHANNEL_ID, seen).await;
    // Reads before the fault do not count: the first READY's catch-up may read the cursors
    // late (a loaded machine), after the live mentions above have written them.
    let before_fault = fake.request_count();
    fake.add_fault(Fault::status(
        "GET",
        &format!("/channels/{SECOND_CHANNEL_ID}/messages"),
        100,
        403,
    ));
    let (unseen, _) = fake.message_create(
        SECOND_CHANNEL_ID,
        USER_ID,
        &format!("<@{BOT_USER_ID}> Who signed it?"),
        true,
        Some(GUILD_ID),
        false,
    );
    let missed = posted_while_away(fake, USER_ID, "Is there a hotline?");
    fake.send_invalid_session(false);
    wait_replied(fake, missed, WAIT).await;
    sentinel_answered(fake, Duration::from_millis(300)).await;
    assert!(fake.bot_replies_to(unseen).is_empty());
    let reads = fake.requests()[before_fault..]
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path
                    .contains(&format!("/channels/{SECOND_CHANNEL_ID}/messages"))
        })
        .count();
    assert_eq!(reads, 1, "a refused channel is asked once (403 is final)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_minutes_zero_turns_it_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = start_with_store(dir.path(), 0, 200).await;
    let fake = &bot.fake;
    let seen = mention_aged(fake, USER_ID, "Is there a hotline?", Duration::ZERO, true);
    wait_replied(fake, seen, WAIT).await;
    wait_cursor(&dir.path().join("summit.db"), CHANNEL_ID, seen).await;
    let missed = posted_while_away(fake, USER_ID, "Who signed it?");
    let identified = fake.identify_count();
    fake.send_invalid_session(false);
    let deadline = Instant::now() + WAIT;
    while fake.identify_count() == identified {
        assert!(Instant::now() < deadline, "no fresh IDENTIFY");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sentinel_answered(fake, Duration::from_millis(300)).await;
    assert!(fake.bot_replies_to(missed).is_empty());
    assert!(!fake.requests().iter().any(|r| r.method == "GET"
        && r.path
            .ends_with(&format!("/channels/{CHANNEL_ID}/messages"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_questions_among_several_pages_of_chatter_are_each_answered_once_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = start_with_store(dir.path(), 60, 1000).await;
    let fake = &bot.fake;
    let seen = mention_aged(fake, USER_ID, "Is there a hotline?", Duration::ZERO, true);
    wait_replied(fake, seen, WAIT).await;
    wait_cursor(&dir.path().join("summit.db"), CHANNEL_ID, seen).await;
    // 250 messages not for the bot (three pages of 100), three questions among them: a page
    // read as if oldest first would go back over the same messages.
    let mut missed = Vec::new();
    for i in 0..250 {
        fake.message_create(
            CHANNEL_ID,
            USER_ID,
            &format!("chatter {i}"),
            false,
            Some(GUILD_ID),
            false,
        );
        if i % 100 == 50 || i == 249 {
            missed.push(posted_while_away(fake, USER_ID, "Who signed it?"));
        }
    }
    let identified = fake.identify_count();
    fake.send_invalid_session(false);
    for id in &missed {
        wait_replied(fake, *id, WAIT).await;
    }
    assert!(fake.identify_count() > identified);
    sentinel_answered(fake, Duration::from_millis(300)).await;
    assert_each_answered_once(fake, &missed);
    assert_eq!(reply_order(fake, &missed), missed);
    let reads: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path
                    .ends_with(&format!("/channels/{CHANNEL_ID}/messages"))
        })
        .map(|r| r.query.clone())
        .collect();
    assert!(reads.len() >= 3, "read in pages: {reads:?}");
}

/// The bot's messages in thread `thread` (the id of the question it was started from).
fn posted_in_thread(fake: &FakeDiscord, thread: u64) -> usize {
    let path = format!("/api/v10/channels/{thread}/messages");
    fake.requests()
        .iter()
        .filter(|r| r.is("POST", &path) && r.status < 300)
        .count()
}

/// Waits until the bot has posted in thread `thread`.
async fn wait_posted_in_thread(fake: &FakeDiscord, thread: u64) {
    let path = format!("/api/v10/channels/{thread}/messages");
    assert!(
        fake.wait_for_request(|r| r.is("POST", &path) && r.status < 300, WAIT)
            .await
            .is_some(),
        "nothing posted in thread {thread}"
    );
}

/// Threads started from message `id` in [`CHANNEL_ID`].
fn threads_from(fake: &FakeDiscord, id: u64) -> usize {
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages/{id}/threads");
    fake.requests()
        .iter()
        .filter(|r| r.is("POST", &path))
        .count()
}

/// Whether IDENTIFY number `n` asked for message text (the Message Content intent).
fn asked_for_message_text(fake: &FakeDiscord, n: usize) -> bool {
    let intents = fake.identify_payloads()[n]["intents"].as_u64().unwrap_or(0);
    intents & (1 << 15) != 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_answered_in_the_bots_thread_is_not_caught_up_and_threads_outlive_a_restart() {
    let fake = FakeDiscord::start().await;
    let shared = tempfile::tempdir().expect("tempdir");
    let db = shared.path().join("summit.db");
    let tail = config_with_store(&db, "");
    let mut first = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", &tail, &[]);
    wait_ready(&fake, &first).await;
    assert!(!asked_for_message_text(&fake, 0));

    // An admin turns threads on here (the store keeps it); the next mention opens a thread.
    let (command, _, interaction) = fake.slash_command_in(
        Place::guild(),
        OWNER_ID,
        "channel",
        json!([{"name": "threads", "type": 1, "options": [{"name": "state", "type": 4, "value": 0}]}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = wait_callback(&fake, command).await;
    let text = reply["data"]["content"].as_str().unwrap_or_default();
    assert!(text.starts_with("Threads are now **on**"), "{reply:#}");
    let asked = mention_aged(&fake, USER_ID, "Is there a hotline?", Duration::ZERO, true);
    wait_posted_in_thread(&fake, asked).await;
    wait_cursor(&db, CHANNEL_ID, asked).await;
    first.child.kill().expect("SIGKILL");
    first.child.wait().expect("reaped");

    let missed = posted_while_away(&fake, USER_ID, "Who signed the agreement?");
    let second = spawn_bot_with(FAKE_TOKEN, &fake.api_url(), "info", &tail, &[]);
    wait_ready(&fake, &second).await;
    // Threads are on in a channel of the store: message text is asked for from the start.
    let identifies = fake.identify_payloads().len();
    assert!(asked_for_message_text(&fake, identifies - 1));
    // Caught up in place, late; the question answered in the thread is left alone.
    let late = wait_replied(&fake, missed, WAIT).await;
    assert!(reply_text(&late).contains(LATE_NOTE), "{late:#}");

    // The setting survived: a new mention opens a thread, where a follow-up needs no mention.
    let next = mention_aged(
        &fake,
        USER_ID,
        "Did they set up a working group?",
        Duration::ZERO,
        true,
    );
    wait_posted_in_thread(&fake, next).await;
    let (follow, message) = fake.message_create(
        next,
        1_180_000_000_000_000_041,
        "how often does it meet?",
        false,
        Some(GUILD_ID),
        false,
    );
    assert!(fake.dispatch("MESSAGE_CREATE", message) > 0);
    let answer = wait_replied(&fake, follow, WAIT).await;
    assert_eq!(answer["channel_id"], json!(next.to_string()), "{answer:#}");

    sentinel_answered(&fake, Duration::from_millis(300)).await;
    assert_eq!(threads_from(&fake, asked), 1);
    assert_eq!(
        posted_in_thread(&fake, asked),
        1,
        "answered again in its thread"
    );
    assert!(
        fake.bot_replies_to(asked).is_empty(),
        "a question answered in the bot's thread was answered again in the channel"
    );
    assert_each_answered_once(&fake, &[missed, follow]);
    assert_eq!(threads_from(&fake, next), 1);
}
