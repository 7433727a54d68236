#![recursion_limit = "256"]
//! `/channel` against the fake Discord: an admin makes a channel answer every message (at
//! once) and stops it; an admin turns threads on (a question opens a thread named after it,
//! where a follow-up needs no mention) and off (answered in place); a non-admin is refused
//! privately and changes nothing; a channel's default article serves look-ups; without the
//! Message Content intent the replies say so; a
//! second bot process on the same PostgreSQL store applies a setting within its refresh
//! interval; `/about` (admins) and `summit-bot channels` list the settings.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::bot::{
    mention, sentinel_answered, start_bot, wait_callback, wait_reply_to, RunningBot, REPLY_WAIT,
};
use support::fake_discord::*;
use support::postgres::Postgres;

/// A channel that answers every message by config: the bot then asks for message text.
const CONFIGURED_CHANNEL_ID: u64 = 1_180_000_000_000_000_022;

async fn start(store_url: String, configured: Vec<u64>) -> RunningBot {
    start_bot(move |c| {
        c.store.enabled = true;
        c.store.url = store_url;
        c.discord.answer_channels = configured;
        c.discord.settings_refresh_secs = 1;
    })
    .await
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("summit.db").display())
}

/// Runs `/channel <sub> [options]` in [`CHANNEL_ID`] as `user`; returns the private reply.
async fn channel_command(fake: &FakeDiscord, user: u64, sub: &str, options: Value) -> String {
    let (id, _, interaction) = fake.slash_command_in(
        Place::guild(),
        user,
        "channel",
        json!([{"name": sub, "type": 1, "options": options}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(fake, id).await;
    assert_eq!(body["data"]["flags"], json!(64), "not private: {body:#}");
    body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `answer-all` or `threads` `on` (0) or `off` (1): poise sends a choice as its index.
fn switch(on: bool) -> Value {
    json!([{"name": "state", "type": 4, "value": if on { 0 } else { 1 }}])
}

/// Posts a message that does not mention the bot in [`CHANNEL_ID`]; returns its id.
fn chatter(fake: &FakeDiscord, text: &str) -> u64 {
    let (id, message) =
        fake.message_create(CHANNEL_ID, USER_ID, text, false, Some(GUILD_ID), false);
    fake.dispatch("MESSAGE_CREATE", message);
    id
}

fn replied(fake: &FakeDiscord, message: u64) -> bool {
    !fake.bot_replies_to(message).is_empty()
}

async fn wait_replied(fake: &FakeDiscord, message: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !replied(fake, message) {
        assert!(Instant::now() < deadline, "message {message} not answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_turns_answer_all_on_and_off_and_a_non_admin_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = start(sqlite_url(dir.path()), vec![CONFIGURED_CHANNEL_ID]).await;
    let fake = &bot.fake;

    let before = chatter(fake, "Is there a hotline?");
    // A non-admin: refused privately, nothing changes.
    let refused = channel_command(fake, USER_ID, "answer-all", switch(true)).await;
    assert_eq!(refused, summit_bot::bot::admin::REFUSAL);
    let still_quiet = chatter(fake, "Is there a hotline?");
    sentinel_answered(fake, Duration::from_millis(200)).await;
    assert!(!replied(fake, before) && !replied(fake, still_quiet));

    // The owner: on, at once, and the reply says what changed.
    let on = channel_command(fake, OWNER_ID, "answer-all", switch(true)).await;
    assert_eq!(
        on,
        "Answer-all is now **on** in this channel (it was off): every message here is read as a question, and answered when the article answers it or when it is clearly a question."
    );
    let asked = chatter(fake, "Who will co-chair the dialogue?");
    wait_replied(fake, asked).await;

    let show = channel_command(fake, OWNER_ID, "show", json!([])).await;
    assert!(
        show.contains("answer every message: on (set with `/channel answer-all`)"),
        "{show}"
    );

    let off = channel_command(fake, OWNER_ID, "answer-all", switch(false)).await;
    assert_eq!(
        off,
        "Answer-all is now **off** in this channel (it was on): only mentions of the bot are answered here."
    );
    let after = chatter(fake, "Is there a hotline?");
    sentinel_answered(fake, Duration::from_millis(200)).await;
    assert!(
        !replied(fake, after),
        "answered after answer-all was set off"
    );

    // The setting is in the store: `summit-bot channels` lists it beside the config's.
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\nurl = {:?}\n\n[discord]\nanswer_channels = [{CONFIGURED_CHANNEL_ID}]\n",
            sqlite_url(dir.path())
        ),
    )
    .expect("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_summit-bot"))
        .args(["--config", &config.display().to_string(), "channels"])
        .output()
        .expect("summit-bot channels");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let listed: Vec<&str> = text.lines().take(2).collect();
    assert_eq!(
        listed,
        [
            format!("channel {CHANNEL_ID}: only mentions (/channel)"),
            format!("channel {CONFIGURED_CHANNEL_ID}: answers every message (config)"),
        ]
    );
    assert!(
        text.contains(&format!("channel {CHANNEL_ID}: message ")),
        "no cursor listed: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_message_content_intent_answer_all_says_so_and_about_lists_channels() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No channel answers every message at start: the bot does not ask for message text, and
    // the fake's application has no Message Content flag.
    let bot = start(sqlite_url(dir.path()), Vec::new()).await;
    let fake = &bot.fake;
    let intents = fake.identify_payloads()[0]["intents"].as_u64().unwrap();
    assert_eq!(intents & (1 << 15), 0, "Message Content requested");
    let on = channel_command(fake, OWNER_ID, "answer-all", switch(true)).await;
    assert!(
        on.contains("**Not in effect:** the Message Content intent is not enabled"),
        "{on}"
    );
    // Threads open at once, but a follow-up in one reaches the bot without text: said plainly.
    let threads = channel_command(fake, OWNER_ID, "threads", switch(true)).await;
    assert_eq!(
        threads,
        "Threads are now **on** in this channel (it was off): a question for the bot here is answered in a new thread started from it and named after it, where follow-ups need no mention; `/ask` still answers in place. The bot needs Create Public Threads and Send Messages in Threads here, else it answers in the channel.\n\n**Follow-ups without a mention not read:** the Message Content intent is not enabled for this application, so Discord sends the bot no message text and a follow-up in a thread must mention the bot. Enable it in the Developer Portal (Bot → Privileged Gateway Intents → Message Content Intent), then restart the bot."
    );
    let (id, _, interaction) = fake.slash_command_in(Place::guild(), OWNER_ID, "about", json!([]));
    fake.dispatch("INTERACTION_CREATE", interaction);
    let fields = wait_callback(fake, id).await["data"]["embeds"][0]["fields"].clone();
    let channels = fields
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "Channels (shown to admins)");
    assert_eq!(
        channels,
        Some(&json!({
            "name": "Channels (shown to admins)",
            "value": format!("channel {CHANNEL_ID}: answers every message (/channel), threads on (/channel)"),
            "inline": false,
        })),
        "{fields:#}"
    );
    // Not for everyone.
    let (id, _, interaction) = fake.slash_command("about", json!([]));
    fake.dispatch("INTERACTION_CREATE", interaction);
    let fields = wait_callback(fake, id).await["data"]["embeds"][0]["fields"].clone();
    assert!(fields.as_array().is_none_or(|f| f.is_empty()), "{fields}");

    // Started again with the setting in the store: now the bot asks for message text.
    drop(bot);
    let again = start(sqlite_url(dir.path()), Vec::new()).await;
    let intents = again.fake.identify_payloads()[0]["intents"]
        .as_u64()
        .unwrap();
    assert_ne!(intents & (1 << 15), 0, "Message Content not requested");
}

const QUESTION: &str = "Did they set up a working group?";
/// Footnote 2, which answers "how often does it meet?" for the working group.
const TWICE: &str = "Dialogues will be held twice per year";
/// Another person in the channel.
const BOB: u64 = 1_180_000_000_000_000_041;

/// The REST path of messages posted in `channel`.
fn messages_in(channel: u64) -> String {
    format!("/api/v10/channels/{channel}/messages")
}

/// The REST path that starts a thread from message `id` in [`CHANNEL_ID`].
fn thread_from(id: u64) -> String {
    format!("/api/v10/channels/{CHANNEL_ID}/messages/{id}/threads")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_turns_threads_on_and_off_and_a_non_admin_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An answer channel elsewhere: the bot asks for message text, so no note in the replies.
    let bot = start(sqlite_url(dir.path()), vec![CONFIGURED_CHANNEL_ID]).await;
    let fake = &bot.fake;

    // A non-admin: refused privately, and the next question is answered in the channel.
    let refused = channel_command(fake, USER_ID, "threads", switch(true)).await;
    assert_eq!(refused, summit_bot::bot::admin::REFUSAL);
    let in_place = mention(fake, "Is there a hotline?");
    assert_eq!(
        wait_reply_to(fake, in_place).await.path,
        messages_in(CHANNEL_ID)
    );

    let on = channel_command(fake, OWNER_ID, "threads", switch(true)).await;
    assert_eq!(
        on,
        "Threads are now **on** in this channel (it was off): a question for the bot here is answered in a new thread started from it and named after it, where follow-ups need no mention; `/ask` still answers in place. The bot needs Create Public Threads and Send Messages in Threads here, else it answers in the channel."
    );
    // The next mention: a thread started from it, named after it, with the answer in it.
    let asked = mention(fake, QUESTION);
    let started = fake
        .wait_for_request(|r| r.is("POST", &thread_from(asked)), REPLY_WAIT)
        .await
        .expect("a thread is started from the question");
    assert_eq!(started.body["name"], json!(QUESTION));
    let thread = asked; // Discord gives the thread the question's id
    let answer = fake
        .wait_for_request(|r| r.is("POST", &messages_in(thread)), REPLY_WAIT)
        .await
        .expect("the answer is posted in the thread");
    assert!(
        answer.body.to_string().contains("working group"),
        "{:#}",
        answer.body
    );
    // A follow-up in the thread from someone else, no mention: answered there, in context.
    let (follow, message) = fake.message_create(
        thread,
        BOB,
        "how often does it meet?",
        false,
        Some(GUILD_ID),
        false,
    );
    fake.dispatch("MESSAGE_CREATE", message);
    let reply = wait_reply_to(fake, follow).await;
    assert_eq!(reply.path, messages_in(thread));
    assert!(reply.body.to_string().contains(TWICE), "{:#}", reply.body);

    let show = channel_command(fake, OWNER_ID, "show", json!([])).await;
    assert!(
        show.contains("• answer in threads: on (set with `/channel threads`)\n"),
        "{show}"
    );

    let off = channel_command(fake, OWNER_ID, "threads", switch(false)).await;
    assert_eq!(
        off,
        "Threads are now **off** in this channel (it was on): questions are answered here, in the channel."
    );
    let after = mention(fake, "Who will co-chair the dialogue?");
    assert_eq!(
        wait_reply_to(fake, after).await.path,
        messages_in(CHANNEL_ID)
    );
    let threads_started = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/threads"))
        .count();
    assert_eq!(threads_started, 1, "only the question asked while on");
}

/// The title of `tests/fixtures/hotline.md`.
const HOTLINE_TITLE: &str = "The Hotline Agreement: How It Works";

/// `/point number:2` run in `channel`: the answer embed's title.
async fn point_two_title(fake: &FakeDiscord, channel: u64) -> String {
    let place = Place::Guild {
        guild_id: GUILD_ID,
        channel_id: channel,
    };
    let (id, _, interaction) = fake.slash_command_in(
        place,
        USER_ID,
        "point",
        json!([{"name": "number", "type": 4, "value": 2}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    wait_callback(fake, id).await["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_article_serves_look_ups_there_and_only_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).expect("folder");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (from, to) in [
        ("index/articles/summit-article.txt", "summit-article.txt"),
        ("index/articles/summit-article.toml", "summit-article.toml"),
        ("tests/fixtures/hotline.md", "hotline.md"),
    ] {
        std::fs::copy(root.join(from), articles.join(to)).expect("copy");
    }
    let url = sqlite_url(dir.path());
    let bot = start_bot(move |c| {
        c.store.enabled = true;
        c.store.url = url;
        c.corpus.articles_dir = Some(articles);
    })
    .await;
    let fake = &bot.fake;
    let summit_point = point_two_title(fake, CHANNEL_ID).await;
    assert!(!summit_point.starts_with(HOTLINE_TITLE), "{summit_point}");

    let unknown = channel_command(
        fake,
        OWNER_ID,
        "article",
        json!([{"name": "id", "type": 3, "value": "no-such-article"}]),
    )
    .await;
    assert!(unknown.ends_with("Nothing changed."), "{unknown}");
    let set = channel_command(
        fake,
        OWNER_ID,
        "article",
        json!([{"name": "id", "type": 3, "value": "hotline"}]),
    )
    .await;
    assert_eq!(
        set,
        format!("This channel's default article is now “{HOTLINE_TITLE}” (`hotline`; it was the default article): `/point`, `/points` and `/footnote` without `article` look there, and questions asked here get its passages first when it answers them.")
    );
    assert_eq!(
        point_two_title(fake, CHANNEL_ID).await,
        format!("{HOTLINE_TITLE} · paragraph 1, point 2")
    );
    // Another channel keeps the default article.
    assert_eq!(
        point_two_title(fake, CONFIGURED_CHANNEL_ID).await,
        summit_point
    );

    let cleared = channel_command(fake, OWNER_ID, "article", json!([])).await;
    assert!(
        cleared.starts_with("This channel now uses the default article, “")
            && cleared.ends_with("(it was `hotline`)."),
        "{cleared}"
    );
    assert_eq!(point_two_title(fake, CHANNEL_ID).await, summit_point);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_bot_process_on_the_same_postgresql_sees_a_setting_within_its_interval() {
    let pg = match Postgres::start() {
        Ok(pg) => pg,
        Err(reason) => {
            println!("skipping: {reason}");
            return;
        }
    };
    std::env::set_var(summit_bot::store::hash::KEY_ENV, "test hash key");
    let first = start(pg.url.clone(), vec![CONFIGURED_CHANNEL_ID]).await;
    let second = start(pg.url.clone(), vec![CONFIGURED_CHANNEL_ID]).await;
    let quiet = chatter(&second.fake, "Is there a hotline?");
    sentinel_answered(&second.fake, Duration::from_millis(200)).await;
    assert!(!replied(&second.fake, quiet));

    let on = channel_command(&first.fake, OWNER_ID, "answer-all", switch(true)).await;
    assert!(on.starts_with("Answer-all is now **on**"), "{on}");
    let set_at = Instant::now();
    // The other process: a message now and then until one is answered.
    let answered_after = loop {
        let id = chatter(&second.fake, "Who will co-chair the dialogue?");
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline && !replied(&second.fake, id) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if replied(&second.fake, id) {
            break set_at.elapsed();
        }
        assert!(
            set_at.elapsed() < Duration::from_secs(15),
            "the second process never applied the setting"
        );
    };
    // settings_refresh_secs = 1; the bound only tells a refresh from none at all.
    assert!(
        answered_after < Duration::from_secs(5),
        "{answered_after:?}"
    );
    println!("second process answered {answered_after:?} after the setting");
}
