//! The Discord front end (poise on serenity): builds the client against Discord or a
//! `DISCORD_API_URL` stand-in, registers the commands, and shuts down cleanly on
//! SIGINT/SIGTERM. Command bodies live in [`commands`], chat messages and buttons in
//! [`events`]; everything they say comes from the engine through [`crate::render::embed`].

pub mod admin;
pub mod answering;
pub mod catch_up;
pub mod channels;
pub mod commands;
pub mod conversations;
pub mod error;
pub mod events;
pub mod gateway;
pub mod limiter;
pub mod reload;
pub mod reply;
pub mod sessions;
pub mod status;
pub mod token;
pub mod watch;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use parking_lot::Mutex;
use poise::serenity_prelude as serenity;
use tracing::{error, info, warn};

use crate::config::{validate_api_url, Config};
use crate::engine::Engine;
use channels::Channels;
use limiter::{BucketConfig, RateLimiter};
use reload::EngineHandle;
use sessions::{Claimed, Sessions};
use token::Token;

/// The error type of commands and handlers (shown to users only as plain words).
pub type Error = anyhow::Error;
/// The poise context every command receives.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Shared state, built once in `setup`.
pub struct Data {
    /// The answer engine (swapped on reload).
    pub engine: Arc<EngineHandle>,
    /// The configuration the bot started with (a reload reads the articles it names).
    pub config: Arc<Config>,
    /// Channels where every message is a question (`answer_channels`, then `/channel`
    /// settings), where questions open threads (`[discord] threads`, then settings), and each
    /// channel's default article. Shared with the refresh task.
    pub channels: Arc<Channels>,
    /// Whether this process asked Discord for message text (the Message Content intent).
    pub message_content: bool,
    /// Whether the application has the Message Content intent enabled (READY's application
    /// flags), so that it can be requested at the next start.
    pub message_content_granted: bool,
    /// Chat questions taken on (live or by the catch-up): each is answered once.
    pub claimed: Mutex<Claimed>,
    /// Role ids whose holders may run admin commands (besides the application owner).
    pub admin_roles: HashSet<u64>,
    /// Flood control. Held only for a check, never across `.await`; a lock that cannot be
    /// poisoned, so a panic elsewhere never turns into refusals here.
    pub limiter: Mutex<RateLimiter>,
    /// Recent answers (for buttons) and tracked replies (for edits). Cannot be poisoned either:
    /// buttons keep working after a panic.
    pub sessions: Mutex<Sessions>,
    /// Each conversation's last exchange, for follow-up questions. Locked only in short
    /// blocks, never across `.await`.
    pub conversations: Mutex<conversations::Conversations>,
    /// Channels where starting a thread was refused (no permission): answered in the channel
    /// without asking again until a restart; the first refusal is logged, once.
    pub no_threads: Mutex<HashSet<u64>>,
    /// The question log (`None` when `[store] enabled = false`).
    pub store: Option<Arc<crate::store::Store>>,
    /// Questions being answered now (a shutdown lets them finish).
    pub in_flight: Arc<gateway::InFlight>,
}

impl Data {
    /// State for a running bot.
    pub fn new(engine: Arc<EngineHandle>, config: &Config) -> Data {
        let limits = &config.limits;
        Data {
            engine,
            config: Arc::new(config.clone()),
            channels: Arc::new(Channels::new(
                config.discord.answer_channels.iter().copied(),
                config.discord.threads,
            )),
            message_content: !config.discord.answer_channels.is_empty() || config.discord.threads,
            message_content_granted: false,
            claimed: Mutex::new(Claimed::default()),
            admin_roles: config.discord.admin_roles.iter().copied().collect(),
            limiter: Mutex::new(RateLimiter::new(
                BucketConfig {
                    burst: limits.user_burst,
                    refill_secs: limits.user_refill_secs,
                },
                BucketConfig {
                    burst: limits.channel_burst,
                    refill_secs: limits.channel_refill_secs,
                },
            )),
            sessions: Mutex::new(Sessions::default()),
            conversations: Mutex::new(conversations::Conversations::new(
                std::num::NonZeroUsize::new(config.discord.max_conversations)
                    .unwrap_or(std::num::NonZeroUsize::MIN),
                std::time::Duration::from_secs(config.discord.conversation_idle_secs),
            )),
            no_threads: Mutex::new(HashSet::new()),
            store: None,
            in_flight: Arc::default(),
        }
    }
}

/// The REST base URL: `DISCORD_API_URL`, else `discord.api_url`, else Discord itself.
pub fn api_url(config: &Config) -> anyhow::Result<Option<String>> {
    let url = std::env::var("DISCORD_API_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| config.discord.api_url.clone());
    if let Some(url) = &url {
        validate_api_url(url).map_err(anyhow::Error::msg)?;
    }
    Ok(url.map(|u| u.trim_end_matches('/').to_string()))
}

/// Gateway intents: guild and DM messages; Message Content only when a channel answers every
/// message or answers in threads, by config or `/channel` setting (it is privileged, and
/// mentions and DMs carry content without it).
pub fn intents(message_content: bool) -> serenity::GatewayIntents {
    let mut intents = serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGES
        | serenity::GatewayIntents::DIRECT_MESSAGES;
    if message_content {
        intents |= serenity::GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

/// READY's application flags that say the Message Content intent is enabled (for a verified
/// bot, or an unverified one under 100 servers).
const MESSAGE_CONTENT_FLAGS: u64 = (1 << 18) | (1 << 19);

/// Runs the Discord bot until SIGINT/SIGTERM. Returns the exit code.
pub fn serve(config: &Config) -> anyhow::Result<i32> {
    let token = Token::from_env()?;
    let api_url = api_url(config).context("invalid Discord API URL")?;
    crate::service::metrics::install();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let admin = crate::web::AdminState::from_config(config).context("the admin page")?;
    // The endpoint comes up first, so `/healthz` says `index_missing` while the index builds
    // (the admin page says the bot is starting until `run` attaches the engine and store).
    match crate::service::http::configured_address(config.http.listen.as_deref()) {
        Some(address) => {
            let admin_routes = admin.clone().map(crate::web::router).unwrap_or_default();
            let bound = runtime
                .block_on(crate::service::http::start_with(&address, admin_routes))
                .context("cannot start the health and metrics endpoint")?;
            if admin.is_some() {
                info!("admin page on http://{bound}/admin");
            }
        }
        None if admin.is_some() => {
            warn!("an admin token is set but no [http] listen address: the admin page is off")
        }
        None => {}
    }
    let engine =
        Arc::new(Engine::from_config(config).context("cannot load the articles and index")?);
    runtime.block_on(run_with_admin(
        config.clone(),
        token,
        api_url,
        engine,
        admin,
    ))?;
    Ok(0)
}

/// Connects and runs until the shards stop (no admin page).
pub async fn run(
    config: Config,
    token: Token,
    api_url: Option<String>,
    engine: Arc<Engine>,
) -> anyhow::Result<()> {
    run_with_admin(config, token, api_url, engine, None).await
}

/// Connects and runs until the shards stop; gives `admin` (the admin page, already serving)
/// the engine and the store.
pub async fn run_with_admin(
    config: Config,
    token: Token,
    api_url: Option<String>,
    engine: Arc<Engine>,
    admin: Option<crate::web::AdminState>,
) -> anyhow::Result<()> {
    let shutdown_signal = wait_for_shutdown_signal();
    let http = match &api_url {
        // With the rate limiter on, serenity builds requests without the proxy: keep it off.
        Some(url) => serenity::HttpBuilder::new(token.expose())
            .proxy(url.clone())
            .ratelimiter_disabled(true)
            .build(),
        None => serenity::HttpBuilder::new(token.expose()).build(),
    };
    drop(token);
    let engine = Arc::new(EngineHandle::new(engine));
    let store = crate::store::Store::start(&config.store)
        .context("cannot start the question log ([store])")?;
    let setup_store = store.clone();
    let channels = Arc::new(Channels::new(
        config.discord.answer_channels.iter().copied(),
        config.discord.threads,
    ));
    if let Some(store) = &store {
        status::watch_store(store);
        // Before connecting: a channel set to answer every message or to answer in threads
        // needs the intent now.
        channels::load(store, &channels).await;
        channels::watch(
            store,
            &channels,
            Duration::from_secs(config.discord.settings_refresh_secs.into()),
        );
    }
    // Threads (config or `/channel threads`): follow-ups there mention nobody, so their text
    // needs the intent too.
    let message_content = channels.any_answers_all() || channels.any_threads();
    let setup_channels = channels.clone();
    let taught = engine.current().taught().clone();
    if let Some(store) = &store {
        commands::teach::load_at_start(store.clone(), taught.clone());
    }
    if let Some(admin) = &admin {
        let handle = engine.clone();
        admin.attach(crate::web::Backend {
            store: store.clone(),
            engine: Arc::new(move || handle.current()),
            taught,
        });
    }
    tokio::spawn(reload::reload_on_sighup(engine.clone(), config.clone()));
    // Held until the bot stops: dropping it stops watching.
    let _watcher = match crate::engine::EngineOptions::from_config(&config).articles_dir {
        Some(dir) if config.corpus.watch => watch::watch_articles(
            &dir,
            std::time::Duration::from_millis(config.corpus.watch_debounce_ms),
            engine.clone(),
            config.clone(),
        ),
        _ => None,
    };
    info!(
        api = api_url.as_deref().unwrap_or("https://discord.com"),
        "connecting to Discord"
    );
    if api_url.is_some() {
        // serenity falls back to Discord's own gateway when `GET /gateway` fails: with a
        // stand-in configured, a wrong URL would silently connect elsewhere. Fail instead.
        reply::with_retries("get gateway", || http.get_gateway())
            .await
            .context("cannot reach the Discord API at the configured URL")?;
    }
    let d = &config.discord;
    let shards = match gateway::ShardPlan::from_config(d.shard_start, d.shard_count, d.shard_total)
    {
        gateway::ShardPlan::Fixed(shards) => shards,
        gateway::ShardPlan::Auto => {
            let recommended = reply::with_retries("get bot gateway", || http.get_bot_gateway())
                .await
                .context("cannot ask Discord how many shards to run")?;
            info!(shards = recommended.shards, "Discord recommends");
            gateway::ShardSet::all(recommended.shards)
        }
    };
    let guilds: Vec<u64> = config.discord.guilds.clone();
    let setup_config = config.clone();
    let in_flight = Arc::new(gateway::InFlight::default());
    let setup_in_flight = in_flight.clone();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(error::on_error(error)),
            event_handler: |framework, event| Box::pin(on_event(framework, event)),
            prefix_options: poise::PrefixFrameworkOptions {
                prefix: None,
                mention_as_prefix: false,
                ..Default::default()
            },
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected");
                register(ctx, &framework.options().commands, &guilds).await;
                let mut data = Data::new(engine, &setup_config);
                data.in_flight = setup_in_flight;
                data.store = setup_store;
                data.channels = setup_channels;
                data.message_content = message_content;
                data.message_content_granted =
                    ready.application.flags.bits() & MESSAGE_CONTENT_FLAGS != 0;
                Ok(data)
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, intents(message_content))
        .framework(framework)
        .event_handler(status::GatewayStatus::default())
        .await
        .context("cannot create the Discord client")?;

    let shard_manager = client.shard_manager.clone();
    status::watch_shards(&shard_manager, shards);
    gateway::prime_restart_notices(&shard_manager, shards.ids());
    let (stopped_tx, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping_flag = stopping.clone();
    let stop_shards = shards.ids();
    tokio::spawn(async move {
        shutdown_signal.await;
        info!("shutting down");
        stopping_flag.store(true, std::sync::atomic::Ordering::SeqCst);
        if tokio::time::timeout(
            SHUTDOWN_LIMIT,
            gateway::stop_shards(&shard_manager, stop_shards),
        )
        .await
        .is_err()
        {
            warn!("the shards did not stop in time");
        }
        let _ = stopped_tx.send(());
    });

    info!(
        first = shards.first,
        last = shards.last,
        total = shards.total,
        "starting shards"
    );
    let start = client.start_shard_range(shards.serenity_range(), shards.total);
    tokio::pin!(start);
    tokio::select! {
        result = &mut start => {
            result.context("the Discord connection ended with an error")?;
            if stopping.load(std::sync::atomic::Ordering::SeqCst) {
                // `Client::start` returns as soon as the shards are told to stop: let them close.
                let _ = tokio::time::timeout(SHUTDOWN_LIMIT, &mut stopped).await;
            }
        }
        _ = &mut stopped => {}
    }
    // No new events come in now; let the questions being answered get their replies.
    in_flight.drain(DRAIN_LIMIT).await;
    if let Some(store) = store {
        // A clean stop loses no question: write what is queued (bounded, like the drain).
        let flushed = tokio::task::spawn_blocking(move || store.flush(crate::store::FLUSH_LIMIT))
            .await
            .unwrap_or(false);
        if !flushed {
            warn!("the question log was not fully written before exit");
        }
    }
    info!("stopped");
    Ok(())
}

/// Every gateway event: a READY (a start or a fresh IDENTIFY, never a RESUME) starts the
/// catch-up of what was missed, then [`events::handle`] sees the event. serenity runs each
/// event in a task of its own, so the shard answers new questions meanwhile.
async fn on_event(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &serenity::FullEvent,
) -> Result<(), Error> {
    if let serenity::FullEvent::Ready { data_about_bot } = event {
        catch_up::on_ready(framework, data_about_bot).await;
    }
    events::handle(framework, event).await
}

/// Longest wait for the shards to close on shutdown.
const SHUTDOWN_LIMIT: std::time::Duration = std::time::Duration::from_secs(6);
/// Longest wait for questions in flight on shutdown.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Registers the commands per configured guild (instant), else globally.
async fn register(
    ctx: &serenity::Context,
    commands: &[poise::Command<Data, Error>],
    guilds: &[u64],
) {
    if guilds.is_empty() {
        let result = reply::with_retries("register commands", || {
            poise::builtins::register_globally(ctx, commands)
        })
        .await;
        match result {
            Ok(()) => info!(commands = commands.len(), "registered commands globally"),
            Err(error) => error!(%error, "cannot register commands globally"),
        }
        return;
    }
    for guild in guilds {
        let id = serenity::GuildId::new(*guild);
        let result = reply::with_retries("register guild commands", || {
            poise::builtins::register_in_guild(ctx, commands, id)
        })
        .await;
        match result {
            Ok(()) => info!(
                guild,
                commands = commands.len(),
                "registered commands in guild"
            ),
            Err(error) => warn!(guild, %error, "cannot register commands in guild"),
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called,
/// not when the future is first polled, so a signal that arrives before the waiting task runs
/// is still a clean shutdown (not the default action, death by signal).
fn wait_for_shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate())
            .map_err(|error| warn!(%error, "cannot listen for SIGTERM"))
            .ok();
        let interrupt = signal(SignalKind::interrupt())
            .map_err(|error| warn!(%error, "cannot listen for SIGINT"))
            .ok();
        async move {
            let received = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = received(term) => {}
                _ = received(interrupt) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
