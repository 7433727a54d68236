//! Runs the real bot (`summit_bot::bot::run`) in-process against a [`FakeDiscord`], with an
//! in-memory index, and waits until it has identified and registered its commands.

use std::sync::Arc;
use std::time::{Duration, Instant};

use summit_bot::bot::token::Token;
use summit_bot::config::Config;
use summit_bot::Engine;

use super::fake_discord::{
    init_tracing, FakeDiscord, FakeOptions, Recorded, BOT_USER_ID, CHANNEL_ID, FAKE_TOKEN,
    GUILD_ID, USER_ID,
};

/// How long start-up may take before a test gives up.
pub const START_WAIT: Duration = Duration::from_secs(20);

/// A bot running against a fake Discord; dropping it stops both.
pub struct RunningBot {
    /// The fake Discord the bot talks to.
    pub fake: FakeDiscord,
    /// The engine the bot answers with (for expected answers).
    pub engine: Arc<Engine>,
    /// When the first READY was seen.
    pub identified_at: Instant,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl RunningBot {
    /// Stops the bot now (also done on drop).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for RunningBot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the fake with `options` and the bot with the default config (index in memory)
/// changed by `configure`.
pub async fn start_bot_with(
    options: FakeOptions,
    configure: impl FnOnce(&mut Config),
) -> RunningBot {
    init_tracing();
    let fake = FakeDiscord::start_with(options).await;
    let mut config = Config::default();
    config.corpus.index_dir = "".into(); // tests never write into the repo
    config.store.enabled = false; // likewise; tests of the question log point it elsewhere
                                  // The static engine: these check the Discord front end, and a transformer run unoptimised
                                  // would only slow them (tests/model_fetch.rs checks which model answers by default).
    config.semantic.model_dir = Some("".into());
    configure(&mut config);
    let engine = Arc::new(summit_bot::engine::Engine::from_config(&config).expect("engine opens"));
    let token = Token::parse(FAKE_TOKEN, "test").expect("fake token is well formed");
    let task = tokio::spawn(summit_bot::bot::run(
        config,
        token,
        Some(fake.api_url()),
        engine.clone(),
    ));
    assert!(
        fake.wait_for_identify(START_WAIT).await,
        "the bot never identified"
    );
    let identified_at = Instant::now();
    let registered = fake
        .wait_for_request(
            |r| r.method == "PUT" && r.path.ends_with("/commands"),
            START_WAIT,
        )
        .await;
    assert!(registered.is_some(), "commands were never registered");
    RunningBot {
        fake,
        engine,
        identified_at,
        task,
    }
}

/// [`start_bot_with`] and default fake options.
pub async fn start_bot(configure: impl FnOnce(&mut Config)) -> RunningBot {
    start_bot_with(FakeOptions::default(), configure).await
}

/// A channel only sentinel questions use, so that flood limits hit by a test's own channels
/// and users never drop the sentinel.
pub const SENTINEL_CHANNEL_ID: u64 = 1_180_000_000_000_000_029;
/// The user who asks sentinel questions.
pub const SENTINEL_USER_ID: u64 = 1_180_000_000_000_000_049;

/// A positive signal that the bot has worked through what was dispatched before: a fresh
/// mention (in [`SENTINEL_CHANNEL_ID`]) dispatched now and answered. Tests call it before
/// counting replies, so a "no late duplicate" check is made after the bot has provably handled
/// a later event, not only after a sleep. Then waits `window` more for stragglers (retries).
pub async fn sentinel_answered(fake: &FakeDiscord, window: Duration) {
    let (id, message) = fake.message_create(
        SENTINEL_CHANNEL_ID,
        SENTINEL_USER_ID,
        &format!("<@{BOT_USER_ID}> Is there a hotline?"),
        true,
        Some(GUILD_ID),
        false,
    );
    assert!(
        fake.dispatch("MESSAGE_CREATE", message) > 0,
        "sentinel: no live session"
    );
    let id = id.to_string();
    let answered = fake
        .wait_for_request(
            |r| {
                r.method == "POST"
                    && r.status < 300
                    && r.body["message_reference"]["message_id"].as_str() == Some(&id)
            },
            START_WAIT,
        )
        .await;
    assert!(answered.is_some(), "the sentinel question was not answered");
    tokio::time::sleep(window).await;
}

/// How long a test waits for one reply.
pub const REPLY_WAIT: Duration = Duration::from_secs(10);

/// The bot's chat reply to message `message_id` (its `message_reference`).
pub async fn wait_reply_to(fake: &FakeDiscord, message_id: u64) -> Recorded {
    let id = message_id.to_string();
    fake.wait_for_request(
        |r| r.method == "POST" && r.body["message_reference"]["message_id"].as_str() == Some(&id),
        REPLY_WAIT,
    )
    .await
    .unwrap_or_else(|| {
        panic!(
            "no reply to message {message_id}; requests: {:#?}",
            fake.requests()
        )
    })
}

/// The body of the bot's callback to interaction `interaction_id`.
pub async fn wait_callback(fake: &FakeDiscord, interaction_id: u64) -> serde_json::Value {
    let path = format!("/api/v10/interactions/{interaction_id}/");
    fake.wait_for_request(
        |r| r.method == "POST" && r.path.starts_with(&path),
        REPLY_WAIT,
    )
    .await
    .unwrap_or_else(|| {
        panic!(
            "no callback for interaction {interaction_id}: {:#?}",
            fake.requests()
        )
    })
    .body
}

/// Dispatches a message from [`USER_ID`] in [`CHANNEL_ID`] that mentions the bot with `text`;
/// returns the message id.
pub fn mention(fake: &FakeDiscord, text: &str) -> u64 {
    mention_from(fake, USER_ID, text)
}

/// Dispatches a message from `user` in [`CHANNEL_ID`] that mentions the bot with `text`;
/// returns the message id.
pub fn mention_from(fake: &FakeDiscord, user: u64, text: &str) -> u64 {
    let (id, message) = fake.message_create(
        CHANNEL_ID,
        user,
        &format!("<@{BOT_USER_ID}> {text}"),
        true,
        Some(GUILD_ID),
        false,
    );
    fake.dispatch("MESSAGE_CREATE", message);
    id
}
