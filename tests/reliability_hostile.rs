#![recursion_limit = "256"]
//! Hostile input through the running bot: floods (in chat one "slow down", the rest dropped;
//! every interaction, slash, context menu, button or autocomplete, gets its response; other
//! users unaffected), over-long questions (a clear message, no search), mention spam (replies
//! never ping and never echo a live mention), and Markdown / zero-width / RTL spam (an answer
//! or a no-answer, never a panic).

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::bot::{mention_from, start_bot};
use support::fake_discord::*;

const WAIT: Duration = Duration::from_secs(20);
const FLOODER: u64 = 1_180_000_000_000_000_077;
const SLASH_FLOODER: u64 = 1_180_000_000_000_000_078;
/// A user with untouched buckets, for the answer whose buttons get clicked.
const ANSWER_READER: u64 = 1_180_000_000_000_000_079;

fn slash_from(fake: &FakeDiscord, user: u64, text: &str) -> u64 {
    let (id, _, interaction) = fake.slash_command_in(
        Place::guild(),
        user,
        "ask",
        json!([{"name": "question", "type": 3, "value": text}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    id
}

fn replies_to(fake: &FakeDiscord, id: u64) -> Vec<Value> {
    let s = id.to_string();
    fake.requests()
        .into_iter()
        .filter(|r| {
            r.method == "POST"
                && r.status < 300
                && r.body["message_reference"]["message_id"].as_str() == Some(&s)
        })
        .map(|r| r.body)
        .collect()
}

fn callbacks_for(fake: &FakeDiscord, id: u64) -> Vec<Value> {
    let prefix = format!("/api/v10/interactions/{id}/");
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.status < 300 && r.path.starts_with(&prefix))
        .map(|r| r.body["data"].clone())
        .collect()
}

async fn wait_reply(fake: &FakeDiscord, id: u64) -> Value {
    let s = id.to_string();
    fake.wait_for_request(
        |r| {
            r.method == "POST"
                && r.status < 300
                && r.body["message_reference"]["message_id"].as_str() == Some(&s)
        },
        WAIT,
    )
    .await
    .unwrap_or_else(|| panic!("no reply to {id}"))
    .body
}

async fn wait_callback(fake: &FakeDiscord, id: u64) -> Value {
    let prefix = format!("/api/v10/interactions/{id}/");
    fake.wait_for_request(
        |r| r.method == "POST" && r.status < 300 && r.path.starts_with(&prefix),
        WAIT,
    )
    .await
    .unwrap_or_else(|| panic!("no callback for {id}"))
    .body["data"]
        .clone()
}

/// Every text of a message body (content, embed title/description/fields/footer).
fn all_text(body: &Value) -> String {
    let mut out = body["content"].as_str().unwrap_or_default().to_string();
    for e in body["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            out.push('\n');
            out.push_str(e[key].as_str().unwrap_or_default());
        }
        for f in e["fields"].as_array().into_iter().flatten() {
            out.push('\n');
            out.push_str(f["name"].as_str().unwrap_or_default());
            out.push('\n');
            out.push_str(f["value"].as_str().unwrap_or_default());
        }
        out.push('\n');
        out.push_str(e["footer"]["text"].as_str().unwrap_or_default());
    }
    out
}

fn assert_pings_nobody(body: &Value) {
    let allowed = &body["allowed_mentions"];
    assert_eq!(allowed["parse"], json!([]), "{body}");
    assert_eq!(allowed["users"], json!([]), "{body}");
    assert_eq!(allowed["roles"], json!([]), "{body}");
    let text = all_text(body);
    for live in ["@everyone", "@here", "<@&", "<@1", "<@!", "<#"] {
        assert!(!text.contains(live), "live mention {live:?} in {text:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flooders_get_one_slow_down_and_others_are_unaffected() {
    // Default limits: a burst of 5 per user, one more every 3 s.
    let bot = start_bot(|_| {}).await;
    let fake = &bot.fake;

    let flood: Vec<u64> = (0..12)
        .map(|_| mention_from(fake, FLOODER, "Is there a hotline?"))
        .collect();
    let neighbour = mention_from(fake, USER_ID, "What is Executive Order 13694?");
    let answer = wait_reply(fake, neighbour).await;
    assert!(all_text(&answer).contains("Executive Order 13694"));

    // Wait until the flood has been handled (5 answers + 1 notice), then for stragglers.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let chat: usize = flood.iter().map(|&id| replies_to(fake, id).len()).sum();
        if chat >= 6 || tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;

    let chat: Vec<Value> = flood.iter().flat_map(|&id| replies_to(fake, id)).collect();
    let slow_downs = chat
        .iter()
        .filter(|b| all_text(b).contains("Slow down"))
        .count();
    assert_eq!(chat.len(), 6, "5 answers + 1 notice: {chat:#?}");
    assert_eq!(slow_downs, 1);
    for b in &chat {
        assert_pings_nobody(b);
    }

    // The neighbour is still served after the floods.
    let again = slash_from(fake, USER_ID, "Will China extradite hackers to the US?");
    let body = wait_callback(fake, again).await;
    assert!(all_text(&body).contains("extradite"));
}

/// The bot's initial responses (callbacks) to interaction `id`, whole bodies.
fn responses_to(fake: &FakeDiscord, id: u64) -> Vec<Value> {
    let prefix = format!("/api/v10/interactions/{id}/");
    fake.requests()
        .into_iter()
        .filter(|r| {
            r.method == "POST"
                && r.status < 300
                && r.path.starts_with(&prefix)
                && r.path.ends_with("/callback")
        })
        .map(|r| r.body)
        .collect()
}

/// Waits until every interaction in `ids` has a response (at most [`WAIT`]), then until the
/// bot has provably handled a later event, so that a second response would have shown.
async fn wait_all_responded(fake: &FakeDiscord, ids: &[u64]) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while ids.iter().any(|&id| responses_to(fake, id).is_empty())
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
}

/// The one response to each of `ids`, asserting there is exactly one.
fn one_response_each(fake: &FakeDiscord, ids: &[u64], what: &str) -> Vec<Value> {
    ids.iter()
        .map(|&id| {
            let mut responses = responses_to(fake, id);
            assert_eq!(
                responses.len(),
                1,
                "{what}: interaction {id} got {} initial responses: {responses:#?}",
                responses.len()
            );
            responses.remove(0)
        })
        .collect()
}

/// Splits question responses into answers (a message or a deferral) and private "slow
/// down" notices; anything else fails.
fn answers_and_notices(responses: &[Value], what: &str) -> (usize, usize) {
    let mut answers = 0;
    let mut notices = 0;
    for body in responses {
        let text = all_text(&body["data"]);
        let private = body["data"]["flags"].as_u64().unwrap_or(0) & 64 == 64;
        match body["type"].as_u64() {
            Some(4) if text.contains("Slow down") => {
                assert!(private, "{what}: a public notice: {body}");
                notices += 1;
            }
            Some(4) if !text.contains("went wrong") => answers += 1,
            // A deferral ("thinking…") is an initial response; the answer follows.
            Some(5) => answers += 1,
            _ => panic!("{what}: unexpected response {body}"),
        }
        assert_pings_nobody(&body["data"]);
    }
    (answers, notices)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_interaction_gets_a_response_when_one_user_floods() {
    // Default limits: a burst of 5 per user, one more every 3 s.
    let bot = start_bot(|_| {}).await;
    let fake = &bot.fake;

    // Twelve `/ask` at once from one user: one response each (Discord says "The application
    // did not respond" to every interaction without one).
    let asks: Vec<u64> = (0..12)
        .map(|_| slash_from(fake, SLASH_FLOODER, "Is there a hotline?"))
        .collect();
    wait_all_responded(fake, &asks).await;
    let responses = one_response_each(fake, &asks, "/ask flood");
    let (answers, notices) = answers_and_notices(&responses, "/ask flood");
    assert_eq!(answers + notices, 12);
    assert!(answers >= 5, "the burst of 5 is answered: {answers}");
    assert!(notices >= 1, "the rest are told to slow down");

    // The same through the message context menu (by another user, with fresh buckets).
    let (_, target) = fake.message_create(
        CHANNEL_ID,
        FLOODER,
        "Is there a hotline between the two countries?",
        false,
        Some(GUILD_ID),
        false,
    );
    let menus: Vec<u64> = (0..12)
        .map(|_| {
            let (id, _, interaction) = fake.message_context_menu("Find in article", &target);
            fake.dispatch("INTERACTION_CREATE", interaction);
            id
        })
        .collect();
    wait_all_responded(fake, &menus).await;
    let responses = one_response_each(fake, &menus, "context-menu flood");
    let (answers, notices) = answers_and_notices(&responses, "context-menu flood");
    assert_eq!(answers + notices, 12);
    assert!(
        answers >= 5 && notices >= 1,
        "{answers} answers, {notices} notices"
    );

    // Twelve clicks at once on an answer's buttons, and a button the bot no longer knows.
    let (asked, token, interaction) = fake.slash_command_in(
        Place::guild(),
        ANSWER_READER,
        "ask",
        json!([{"name": "question", "type": 3, "value": "what did china promise?"}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    // The answer as Discord holds it (a deferred answer arrives by a later edit).
    let deadline = tokio::time::Instant::now() + WAIT;
    let message = loop {
        match fake.interaction_original(&token) {
            Some(m) if m["components"].as_array().is_some_and(|c| !c.is_empty()) => break m,
            _ => {}
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no answer with buttons: {:#?}",
            responses_to(fake, asked)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let body = &message;
    let buttons: Vec<String> = body["components"][0]["components"]
        .as_array()
        .expect("the answer has buttons")
        .iter()
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect();
    assert!(!buttons.is_empty());
    let mut clicks: Vec<u64> = (0..12)
        .map(|i| {
            let (id, _, interaction) = fake.button_click(&buttons[i % buttons.len()], &message);
            fake.dispatch("INTERACTION_CREATE", interaction);
            id
        })
        .collect();
    let (stale, _, interaction) = fake.button_click("summit:retired:42", &message);
    fake.dispatch("INTERACTION_CREATE", interaction);
    clicks.push(stale);
    wait_all_responded(fake, &clicks).await;
    let responses = one_response_each(fake, &clicks, "button clicks");
    for body in &responses {
        assert!(
            matches!(body["type"].as_u64(), Some(4 | 7)),
            "a message or an update: {body}"
        );
        assert!(!all_text(&body["data"]).contains("went wrong"), "{body}");
    }
    assert_eq!(
        responses[12]["data"]["content"],
        json!("This button no longer works. Ask again with `/ask`.")
    );

    // Autocomplete: twelve at once, and one for a command this version does not have; each
    // gets its list of choices (empty at worst).
    let mut completions: Vec<u64> = (0..12)
        .map(|i| {
            let (id, _, interaction) = fake.autocomplete(
                "point",
                json!([{"name": "number", "type": 4, "value": (i % 5).to_string(), "focused": true}]),
            );
            fake.dispatch("INTERACTION_CREATE", interaction);
            id
        })
        .collect();
    let (unknown, _, interaction) = fake.autocomplete(
        "retired-command",
        json!([{"name": "topic", "type": 3, "value": "ho", "focused": true}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    completions.push(unknown);
    wait_all_responded(fake, &completions).await;
    let responses = one_response_each(fake, &completions, "autocomplete");
    for body in &responses {
        assert_eq!(body["type"], json!(8), "{body}");
        assert!(body["data"]["choices"].is_array(), "{body}");
    }
    assert_eq!(responses[12]["data"]["choices"], json!([]));
    assert!(!responses[1]["data"]["choices"]
        .as_array()
        .is_none_or(|c| c.is_empty()));

    // A slash command this version does not have gets a private explanation.
    let (gone, _, interaction) = fake.slash_command("retired-command", json!([]));
    fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(fake, gone).await;
    assert_eq!(
        body["content"],
        json!("This command is no longer available; type `/` to see the current ones.")
    );
    assert_eq!(body["flags"].as_u64().unwrap_or(0) & 64, 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_long_questions_get_a_clear_message() {
    let bot = start_bot(|c| c.limits.max_question_chars = 500).await;
    let fake = &bot.fake;
    let long = format!("Is there a hotline? {}", "hotline ".repeat(80));
    let id = mention_from(fake, USER_ID, &long);
    let body = wait_reply(fake, id).await;
    let text = all_text(&body);
    assert!(
        text.contains("too long") && text.contains("I read up to 500"),
        "{text}"
    );
    assert!(body["embeds"].as_array().is_none_or(|e| e.is_empty()));
    assert_pings_nobody(&body);

    let id = slash_from(fake, USER_ID, &"é".repeat(4000));
    let body = wait_callback(fake, id).await;
    assert!(all_text(&body).contains("too long (4000 characters"));
    assert_eq!(body["flags"].as_u64().unwrap_or(0) & 64, 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mention_spam_never_pings_and_is_neutralised() {
    let bot = start_bot(|c| c.limits.user_burst = 100).await;
    let fake = &bot.fake;
    let spam = [
        "@everyone @here is there a hotline? @everyone".to_string(),
        "<@&123456789012345678> <@&123456789012345678> who will co-chair the dialogue?".to_string(),
        format!("<@{USER_ID}> <@!{USER_ID}> <#{CHANNEL_ID}> what is executive order 13694?"),
        "@everyone".repeat(60),
        "@here <@&1> @everyone".to_string(),
        format!("{} hotline", "@everyone ".repeat(70)),
    ];
    for q in &spam {
        let id = mention_from(fake, USER_ID, q);
        let body = wait_reply(fake, id).await;
        assert_pings_nobody(&body);
        let id = slash_from(fake, USER_ID, q);
        let body = wait_callback(fake, id).await;
        assert_pings_nobody(&body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_zero_width_and_rtl_spam_get_one_reply_each() {
    let bot = start_bot(|c| c.limits.user_burst = 100).await;
    let fake = &bot.fake;
    let nasty = [
        "**__~~||`is there a hotline?`||~~__**".to_string(),
        "```\nhotline\n```".repeat(20),
        "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}".repeat(40),
        "h\u{200b}o\u{200b}t\u{200b}l\u{200b}i\u{200b}n\u{200b}e?".to_string(),
        "\u{202e}?enilton a ereht sI\u{202c}".to_string(),
        "\u{2067}هل يوجد خط ساخن؟\u{2069} hotline".to_string(),
        "> > > > # ## ### - * 1. [link](http://x) ![img](y) <t:0:R> :emoji: <:e:1>".to_string(),
        "Z\u{0335}\u{0336}\u{0337}a\u{0338}\u{0321}\u{0322}l\u{0327}\u{0328}g\u{0361}o".repeat(30),
        "\\".repeat(400),
        "\u{0000}\u{0007}\u{001b}[31m red \u{001b}[0m hotline".to_string(),
        "🏳️‍🌈👨‍👩‍👧‍👦".repeat(50),
        " \t\n ".to_string(),
    ];
    let mut asked = Vec::new();
    for q in &nasty {
        asked.push((mention_from(fake, USER_ID, q), true));
        asked.push((slash_from(fake, USER_ID, q), false));
    }
    for &(id, chat) in &asked {
        let body = if chat {
            wait_reply(fake, id).await
        } else {
            wait_callback(fake, id).await
        };
        assert_pings_nobody(&body);
        let text = all_text(&body);
        assert!(!text.contains("went wrong"), "error reply: {text}");
    }
    support::bot::sentinel_answered(fake, Duration::from_millis(300)).await;
    for &(id, chat) in &asked {
        let n = if chat {
            replies_to(fake, id).len()
        } else {
            callbacks_for(fake, id).len()
        };
        assert_eq!(n, 1, "question {id}");
    }
    // Still answering normally.
    let id = mention_from(fake, USER_ID, "Is there a hotline?");
    assert!(all_text(&wait_reply(fake, id).await).contains("hotline"));
}
