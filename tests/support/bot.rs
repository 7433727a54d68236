//! Runs the real bot (`summit_bot::bot::run`) in-process against a [`FakeDiscord`], with an
//! in-memory index, and waits until it has identified and registered its commands.

use std::sync::Arc;
use std::time::{Duration, Instant};

use summit_bot::bot::token::Token;
use summit_bot::config::Config;
use summit_bot::Engine;

use super::fake_discord::{init_tracing, FakeDiscord, FakeOptions, FAKE_TOKEN};

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
    configure(&mut config);
    let engine =
        Arc::new(summit_bot::cli::open_engine(&config, false, false).expect("engine opens"));
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
