#![recursion_limit = "256"]
//! Conversations on Discord, end to end against the fake Discord on 127.0.0.1: a follow-up
//! ("how often does it meet?", which alone gets no answer) is read with the previous
//! exchange when it replies to the bot's answer, is asked in the bot's thread, comes from
//! the same person in the same channel or DM (slash `/ask` too); not for another person,
//! not from a DM into a channel, not after the idle time. With `[discord] threads` a
//! question opens a thread named after it; without the permission the bot answers in the
//! channel and asks no more.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::bot::{mention, mention_from, start_bot, wait_callback, wait_reply_to, REPLY_WAIT};
use support::fake_discord::*;

const QUESTION: &str = "Did they set up a working group?";
const FOLLOW_UP: &str = "how often does it meet?";
/// Footnote 2, which answers "how often" for the working group.
const TWICE: &str = "[2] Dialogues will be held twice per year";
const NOTE: &str = "following up on: Did they set up a working group?";
/// Another person in the same channel.
const BOB: u64 = 1_180_000_000_000_000_041;

/// The words a reply shows: content, embed description, fields and footer.
fn reply_text(body: &Value) -> String {
    let mut text = body["content"].as_str().unwrap_or_default().to_string();
    for embed in body["embeds"].as_array().into_iter().flatten() {
        text.push('\n');
        text.push_str(embed["description"].as_str().unwrap_or_default());
        for field in embed["fields"].as_array().into_iter().flatten() {
            text.push('\n');
            text.push_str(field["name"].as_str().unwrap_or_default());
            text.push(' ');
            text.push_str(field["value"].as_str().unwrap_or_default());
        }
        text.push('\n');
        text.push_str(embed["footer"]["text"].as_str().unwrap_or_default());
    }
    text.replace("**", "").replace("__", "")
}

fn assert_in_context(body: &Value) {
    let text = reply_text(body);
    assert!(text.contains(TWICE), "answered from footnote 2:\n{text}");
    assert!(text.contains(NOTE), "says it followed up:\n{text}");
}

fn assert_alone(body: &Value) {
    let text = reply_text(body);
    assert!(
        text.contains("I found no good answer to that in the article."),
        "read on its own, the follow-up has no answer:\n{text}"
    );
    assert!(!text.contains("following up on"), "{text}");
}

/// Asks `QUESTION` by mention and returns the bot's answer message.
async fn ask_first(fake: &FakeDiscord, user: u64) -> Value {
    let id = mention_from(fake, user, QUESTION);
    let reply = wait_reply_to(fake, id).await;
    assert!(reply_text(&reply.body).contains("working group"));
    fake.bot_messages(CHANNEL_ID)
        .into_iter()
        .rev()
        .find(|m| m["message_reference"]["message_id"] == json!(id.to_string()))
        .expect("the answer is stored")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_the_answer_is_read_with_it_even_from_someone_else() {
    let bot = start_bot(|_| {}).await;
    let answer = ask_first(&bot.fake, USER_ID).await;
    // No mention, no ping: replying to the bot's answer is addressing it.
    let (id, message) = bot.fake.reply_create(BOB, FOLLOW_UP, &answer, false);
    bot.fake.dispatch("MESSAGE_CREATE", message);
    assert_in_context(&wait_reply_to(&bot.fake, id).await.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_person_continues_and_another_person_does_not() {
    let bot = start_bot(|_| {}).await;
    ask_first(&bot.fake, USER_ID).await;
    let bobs = mention_from(&bot.fake, BOB, FOLLOW_UP);
    assert_alone(&wait_reply_to(&bot.fake, bobs).await.body);
    let alices = mention(&bot.fake, FOLLOW_UP);
    assert_in_context(&wait_reply_to(&bot.fake, alices).await.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_ask_continues_the_conversation() {
    let bot = start_bot(|_| {}).await;
    let options = |q: &str| json!([{"name": "question", "type": 3, "value": q}]);
    let (first, _, payload) =
        bot.fake
            .slash_command_in(Place::guild(), USER_ID, "ask", options(QUESTION));
    bot.fake.dispatch("INTERACTION_CREATE", payload);
    wait_callback(&bot.fake, first).await;
    let (second, _, payload) =
        bot.fake
            .slash_command_in(Place::guild(), USER_ID, "ask", options(FOLLOW_UP));
    bot.fake.dispatch("INTERACTION_CREATE", payload);
    assert_in_context(&wait_callback(&bot.fake, second).await["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_follow_up_continues_and_nothing_carries_into_a_channel() {
    let bot = start_bot(|_| {}).await;
    let dm = |text: &str| {
        let (id, message) =
            bot.fake
                .message_create(DM_CHANNEL_ID, USER_ID, text, false, None, false);
        bot.fake.dispatch("MESSAGE_CREATE", message);
        id
    };
    let first = dm(QUESTION);
    wait_reply_to(&bot.fake, first).await;
    let second = dm(FOLLOW_UP);
    assert_in_context(&wait_reply_to(&bot.fake, second).await.body);
    let in_channel = mention(&bot.fake, FOLLOW_UP);
    assert_alone(&wait_reply_to(&bot.fake, in_channel).await.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_expires_after_the_idle_time() {
    let bot = start_bot(|c| c.discord.conversation_idle_secs = 1).await;
    ask_first(&bot.fake, USER_ID).await;
    // Waiting out the configured idle time is the point of the test, not synchronisation.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let late = mention(&bot.fake, FOLLOW_UP);
    assert_alone(&wait_reply_to(&bot.fake, late).await.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_opens_a_thread_where_follow_ups_need_no_mention() {
    let bot = start_bot(|c| c.discord.threads = true).await;
    let id = mention(&bot.fake, QUESTION);
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages/{id}/threads");
    let started = bot
        .fake
        .wait_for_request(|r| r.is("POST", &path), REPLY_WAIT)
        .await
        .expect("a thread is started from the question");
    assert_eq!(started.body["name"], json!(QUESTION));
    // The thread's id is the question's; the answer goes there.
    let thread = id;
    let in_thread = format!("/api/v10/channels/{thread}/messages");
    let answer = bot
        .fake
        .wait_for_request(|r| r.is("POST", &in_thread), REPLY_WAIT)
        .await
        .expect("the answer is posted in the thread");
    assert!(reply_text(&answer.body).contains("working group"));
    // A follow-up in the thread, without a mention, by someone else.
    let (follow, message) =
        bot.fake
            .message_create(thread, BOB, FOLLOW_UP, false, Some(GUILD_ID), false);
    bot.fake.dispatch("MESSAGE_CREATE", message);
    let reply = wait_reply_to(&bot.fake, follow).await;
    assert_eq!(reply.path, in_thread);
    assert_in_context(&reply.body);
    // A long question's thread is named after it, cut to Discord's 100 characters.
    let long = format!(
        "{QUESTION} {}",
        "And what did the two leaders agree about it? ".repeat(4)
    );
    let id = mention(&bot.fake, long.trim());
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages/{id}/threads");
    let started = bot
        .fake
        .wait_for_request(|r| r.is("POST", &path), REPLY_WAIT)
        .await
        .expect("a thread is started from the long question");
    let name = started.body["name"].as_str().unwrap_or_default();
    assert!(name.chars().count() <= 100, "{name}");
    assert!(name.starts_with(QUESTION) && name.ends_with('…'), "{name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_thread_permission_the_bot_answers_in_the_channel_and_stops_asking() {
    let fake_options = FakeOptions {
        faults: vec![Fault::status("POST", "/threads", 10, 403)],
        ..FakeOptions::default()
    };
    let bot = support::bot::start_bot_with(fake_options, |c| c.discord.threads = true).await;
    for question in [QUESTION, "Is there a hotline?"] {
        let id = mention(&bot.fake, question);
        let reply = wait_reply_to(&bot.fake, id).await;
        assert_eq!(
            reply.path,
            format!("/api/v10/channels/{CHANNEL_ID}/messages")
        );
    }
    let attempts = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/threads"))
        .count();
    assert_eq!(
        attempts, 1,
        "one refusal, then no more attempts in that channel"
    );
}
