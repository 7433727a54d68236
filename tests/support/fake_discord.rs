//! A fake Discord (REST API v10 + gateway) on 127.0.0.1 for end-to-end tests.
//!
//! It speaks enough of Discord for the *real* serenity 0.12.5 client (and poise 0.7.1 on top of
//! it) to start, identify, receive events and answer them, without any network access beyond
//! loopback.
//!
//! # Wiring a bot to it
//!
//! ```ignore
//! let fake = FakeDiscord::start().await;
//! let http = serenity::http::HttpBuilder::new(FAKE_TOKEN)
//!     .proxy(fake.api_url())          // every REST call becomes http://127.0.0.1:PORT/api/v10/...
//!     .ratelimiter_disabled(true)     // REQUIRED: serenity's ratelimiter ignores `proxy`
//!     .build();
//! let mut client = serenity::Client::builder / ClientBuilder::new_with_http(http, intents)...;
//! tokio::spawn(async move { client.start().await });
//! assert!(fake.wait_for_identify(Duration::from_secs(5)).await);
//! fake.dispatch("MESSAGE_CREATE", fake.message_create(CHANNEL_ID, USER_ID, "hi", false, Some(GUILD_ID), false).1);
//! let reply = fake.wait_for_request(|r| r.is("POST", &format!("/api/v10/channels/{CHANNEL_ID}/messages")), secs(5)).await;
//! ```
//!
//! # What serenity 0.12.5 does (read from its source, confirmed by `tests/fake_discord_smoke.rs`)
//!
//! * `ClientBuilder` awaits `GET /api/v10/gateway` (NOT `/gateway/bot`, which is only used by
//!   `start_autosharded`). If that request fails, serenity silently falls back to
//!   `wss://gateway.discord.gg`, so never inject faults on `/gateway`.
//! * The shard connects to `{url}?v=10` (no `encoding`, no `compress` query parameter). IDENTIFY
//!   carries `"compress": true` (payload compression), but serenity accepts plain text frames
//!   (binary frames would have to be whole zlib payloads), so the fake only sends text frames.
//! * Handshake: HELLO → IDENTIFY (op 2) → READY (op 0). On RESUME serenity sends op 6 right
//!   after the TCP/WS connect, without waiting for HELLO, and ignores that HELLO.
//! * Heartbeats (op 1) are sent every `heartbeat_interval` (no jitter); if the previous one was
//!   not ACKed when the next is due, the shard restarts (re-IDENTIFY).
//! * Close codes: everything except 4004/4010-4014 makes serenity RESUME (if it has a session).
//!   Op 7 RECONNECT and op 9 `d:true` → RESUME on a new connection; op 9 `d:false` → re-IDENTIFY
//!   through the shard queuer, which is slow (see the smoke test for timings).
//! * The interaction callback is expected to answer **204** (any 2xx is accepted; another 2xx
//!   just logs a warning). Followups/edits must answer a full Message object.
//! * With the ratelimiter enabled serenity would call `https://discord.com` directly, bypassing
//!   `proxy`. As a safety net, [`FakeDiscord::start`] points `HTTPS_PROXY` at a local
//!   "leak catcher" that refuses and records any HTTPS request (see [`blocked_leaks`]).
//!
//! * Channel history: every message built here and every message the bot posts is kept, and
//!   `GET /channels/{id}/messages` pages them like Discord (`limit` 1–100, default 50;
//!   `after`/`before` exclusive; each page newest first, even with `after`). A bot message
//!   replying to a question carries its `message_reference`. A POST with `enforce_nonce` and
//!   a nonce already used in that channel returns the message made then instead of a second.
//!
//! Everything the fake answers is built so that serenity's models deserialize it; the smoke test
//! checks every payload builder against serenity's types.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, Once, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// The bot's user id (as reported by READY and `GET /users/@me`).
pub const BOT_USER_ID: u64 = 1_180_000_000_000_000_001;
/// The bot's username.
pub const BOT_USERNAME: &str = "SummitBot";
/// The application id (READY `application.id`, `/oauth2/applications/@me`, webhook routes).
/// Deliberately different from [`BOT_USER_ID`] so that tests catch code mixing them up.
pub const APPLICATION_ID: u64 = 1_180_000_000_000_000_002;
/// The application owner (poise's `owners` are filled from this).
pub const OWNER_ID: u64 = 1_180_000_000_000_000_003;
/// A guild the bot is in.
pub const GUILD_ID: u64 = 1_180_000_000_000_000_010;
/// A text channel in [`GUILD_ID`].
pub const CHANNEL_ID: u64 = 1_180_000_000_000_000_020;
/// A DM channel between [`USER_ID`] and the bot.
pub const DM_CHANNEL_ID: u64 = 1_180_000_000_000_000_030;
/// A human user who talks to the bot.
pub const USER_ID: u64 = 1_180_000_000_000_000_040;
/// Another bot (for "ignore other bots" tests).
pub const OTHER_BOT_ID: u64 = 1_180_000_000_000_000_050;
/// A syntactically valid but fake bot token.
pub const FAKE_TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
/// Permissions string for "everything" (as Discord sends it, a decimal string).
pub const ALL_PERMISSIONS: &str = "2251799813685247";

const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

// ------------------------------------------------------------------------------------------
// Public data types
// ------------------------------------------------------------------------------------------

/// One REST request received by the fake, with the answer it got.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Position in [`FakeDiscord::requests`] (0-based, in arrival order).
    pub index: usize,
    /// `GET`, `POST`, ...
    pub method: String,
    /// Full path without the query string, e.g. `/api/v10/channels/1/messages`.
    pub path: String,
    /// Query string without the `?` (serenity writes it as `&a=b&c=d`), or empty.
    pub query: String,
    /// Header names are lower-case.
    pub headers: Vec<(String, String)>,
    /// JSON body; for `multipart/form-data` the parsed `payload_json` part; `Null` if empty or
    /// not JSON.
    pub body: Value,
    /// The body bytes as received (after de-chunking).
    pub raw_body: Vec<u8>,
    /// Parts of a `multipart/form-data` body (empty otherwise).
    pub parts: Vec<MultipartPart>,
    /// Status code the fake answered with.
    pub status: u16,
    /// Whether the route was unknown to the fake (answered 404).
    pub unknown_route: bool,
}

impl Recorded {
    /// `true` if method and path (without query) match exactly.
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.path == path
    }

    /// First header with that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// File parts of a multipart body (those with a filename).
    pub fn files(&self) -> Vec<&MultipartPart> {
        self.parts.iter().filter(|p| p.filename.is_some()).collect()
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Clone, Debug)]
pub struct MultipartPart {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// What a [`Fault`] does to a matching request.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer 429 with `retry-after`/`x-ratelimit-*` headers and
    /// `{"message", "retry_after", "global", "code": 0}`.
    RateLimited { retry_after: f64, global: bool },
    /// Answer this status with a Discord-style JSON error body.
    Status(u16),
    /// Wait, then answer normally.
    Delay(Duration),
    /// Close the TCP connection without answering.
    DropConnection,
}

/// Fault injection for REST requests: applies to the next `times` requests whose method matches
/// (`None` = any) and whose path contains `path_contains`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub method: Option<String>,
    pub path_contains: String,
    pub times: usize,
    pub kind: FaultKind,
}

impl Fault {
    /// The next `times` matching requests answer 429 (`retry_after` seconds, non-global).
    pub fn rate_limited(method: &str, path_contains: &str, times: usize, retry_after: f64) -> Self {
        Self::new(
            method,
            path_contains,
            times,
            FaultKind::RateLimited {
                retry_after,
                global: false,
            },
        )
    }

    /// The next `times` matching requests answer `status` (e.g. 500, 503, 403).
    pub fn status(method: &str, path_contains: &str, times: usize, status: u16) -> Self {
        Self::new(method, path_contains, times, FaultKind::Status(status))
    }

    /// The next `times` matching requests are answered after `delay`.
    pub fn delay(method: &str, path_contains: &str, times: usize, delay: Duration) -> Self {
        Self::new(method, path_contains, times, FaultKind::Delay(delay))
    }

    /// `method` may be `"*"` for any method.
    pub fn new(method: &str, path_contains: &str, times: usize, kind: FaultKind) -> Self {
        Fault {
            method: (method != "*").then(|| method.to_ascii_uppercase()),
            path_contains: path_contains.to_string(),
            times,
            kind,
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path.contains(&self.path_contains)
    }
}

/// Options for [`FakeDiscord::start_with`].
#[derive(Clone, Debug)]
pub struct FakeOptions {
    /// HELLO's `heartbeat_interval` (Discord uses ~41250 ms; short here so that heartbeat
    /// failures are detected quickly).
    pub heartbeat_interval_ms: u64,
    /// REST faults active from the start (more can be added with [`FakeDiscord::add_fault`]).
    pub faults: Vec<Fault>,
    /// Guild ids listed (as unavailable) in READY. Empty by default (serenity's cache then
    /// considers itself ready immediately).
    pub ready_guilds: Vec<u64>,
    /// If set, an interaction callback arriving later than this after the interaction payload
    /// was built answers 404 "Unknown interaction" (10062), like Discord's 3 s deadline.
    pub interaction_deadline: Option<Duration>,
    /// Install the HTTPS leak catcher (see [`blocked_leaks`]). On by default.
    pub leak_guard: bool,
    /// The `shards` that `GET /gateway/bot` recommends (1 by default).
    pub recommended_shards: u32,
    /// Start with the gateway held: WebSocket connections are accepted but not answered
    /// (no handshake, no HELLO) until [`FakeDiscord::release_gateway`].
    pub hold_gateway: bool,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            heartbeat_interval_ms: 1000,
            faults: Vec::new(),
            ready_guilds: Vec::new(),
            interaction_deadline: None,
            leak_guard: true,
            recommended_shards: 1,
            hold_gateway: false,
        }
    }
}

/// Counters about the gateway side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GatewayStats {
    /// WebSocket connections accepted so far.
    pub connections_total: usize,
    /// WebSocket connections currently open.
    pub connections_open: usize,
    /// IDENTIFY (op 2) received.
    pub identify_count: usize,
    /// RESUME (op 6) received.
    pub resume_count: usize,
    /// READY dispatches sent.
    pub ready_count: usize,
    /// RESUMED dispatches sent (successful resumes).
    pub resumed_count: usize,
    /// Heartbeats (op 1) received.
    pub heartbeat_count: usize,
    /// Heartbeat ACKs (op 11) sent.
    pub heartbeat_ack_count: usize,
}

/// A frame the client sent over the gateway.
#[derive(Clone, Debug)]
pub struct GatewayFrame {
    /// Which WebSocket connection (1-based, in accept order).
    pub connection: u64,
    pub op: i64,
    pub d: Value,
}

/// Where an interaction happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Guild { guild_id: u64, channel_id: u64 },
    Dm { channel_id: u64 },
}

impl Place {
    /// [`CHANNEL_ID`] in [`GUILD_ID`].
    pub fn guild() -> Self {
        Place::Guild {
            guild_id: GUILD_ID,
            channel_id: CHANNEL_ID,
        }
    }

    /// [`DM_CHANNEL_ID`].
    pub fn dm() -> Self {
        Place::Dm {
            channel_id: DM_CHANNEL_ID,
        }
    }

    pub fn channel_id(&self) -> u64 {
        match *self {
            Place::Guild { channel_id, .. } | Place::Dm { channel_id } => channel_id,
        }
    }

    pub fn guild_id(&self) -> Option<u64> {
        match *self {
            Place::Guild { guild_id, .. } => Some(guild_id),
            Place::Dm { .. } => None,
        }
    }
}

/// HTTPS requests (i.e. to the real Discord) that were caught and refused by the leak guard,
/// as `"CONNECT host:443 HTTP/1.1"` lines. Process-wide.
pub fn blocked_leaks() -> Vec<String> {
    leak_log().lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Install a `tracing` subscriber honouring `RUST_LOG` (e.g. `RUST_LOG=serenity=debug`) that
/// writes through the test harness. Safe to call many times.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

// ------------------------------------------------------------------------------------------
// Internal state
// ------------------------------------------------------------------------------------------

enum Outgoing {
    Text(String),
    Close(u16, String),
    Abort,
}

struct Conn {
    tx: mpsc::UnboundedSender<Outgoing>,
    session: Option<String>,
    query: String,
}

struct Session {
    id: String,
    shard: Value,
    seq: u64,
    /// (seq, full payload text), for RESUME replay.
    log: Vec<(u64, String)>,
    conn: Option<u64>,
    valid: bool,
}

struct InteractionInfo {
    id: u64,
    channel_id: u64,
    guild_id: Option<u64>,
    created: Instant,
    /// The message a component interaction is attached to.
    message_id: Option<u64>,
    acknowledged: bool,
    original: Option<u64>,
}

struct State {
    requests: Vec<Recorded>,
    faults: Vec<Fault>,
    counter: u64,
    messages: HashMap<u64, Value>,
    /// (channel, enforced nonce) → the bot message posted with it.
    nonces: HashMap<(u64, String), u64>,
    interactions: HashMap<String, InteractionInfo>,
    commands: HashMap<Option<u64>, Vec<Value>>,
    sessions: Vec<Session>,
    conns: HashMap<u64, Conn>,
    next_conn: u64,
    stats: GatewayStats,
    ack_heartbeats: bool,
    frames: Vec<GatewayFrame>,
    dispatched: Vec<(String, Value)>,
    handshakes: Vec<String>,
}

struct Inner {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    api_url: String,
    gateway_url: String,
    options: FakeOptions,
    tasks: Mutex<Vec<AbortHandle>>,
    /// `false` while the gateway is held (see [`FakeOptions::hold_gateway`]).
    gateway_open: watch::Sender<bool>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|v| *v += 1);
    }

    fn track(&self, handle: AbortHandle) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }
}

impl State {
    fn snowflake(&mut self) -> u64 {
        self.snowflake_aged(0)
    }

    /// A snowflake made `age_ms` ago.
    fn snowflake_aged(&mut self, age_ms: u64) -> u64 {
        self.counter += 1;
        let ms = now_ms()
            .saturating_sub(age_ms)
            .saturating_sub(DISCORD_EPOCH_MS);
        (ms << 22) | (self.counter & 0x3F_FFFF)
    }
}

// ------------------------------------------------------------------------------------------
// FakeDiscord
// ------------------------------------------------------------------------------------------

/// The fake Discord. Dropping it stops both servers and closes every connection.
pub struct FakeDiscord {
    inner: Arc<Inner>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        let tasks =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for t in tasks {
            t.abort();
        }
        self.inner.lock().conns.clear();
    }
}

impl FakeDiscord {
    /// Start with default options.
    pub async fn start() -> FakeDiscord {
        Self::start_with(FakeOptions::default()).await
    }

    /// Start REST and gateway listeners on random 127.0.0.1 ports.
    pub async fn start_with(options: FakeOptions) -> FakeDiscord {
        if options.leak_guard {
            install_leak_guard();
        }
        let api = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind REST listener");
        let gw = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway listener");
        let api_url = format!("http://{}", api.local_addr().expect("addr"));
        let gateway_url = format!("ws://{}", gw.local_addr().expect("addr"));
        let (changed, _) = watch::channel(0u64);
        let (gateway_open, _) = watch::channel(!options.hold_gateway);
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                requests: Vec::new(),
                faults: options.faults.clone(),
                counter: 0,
                messages: HashMap::new(),
                nonces: HashMap::new(),
                interactions: HashMap::new(),
                commands: HashMap::new(),
                sessions: Vec::new(),
                conns: HashMap::new(),
                next_conn: 0,
                stats: GatewayStats::default(),
                ack_heartbeats: true,
                frames: Vec::new(),
                dispatched: Vec::new(),
                handshakes: Vec::new(),
            }),
            changed,
            api_url,
            gateway_url,
            options,
            tasks: Mutex::new(Vec::new()),
            gateway_open,
        });

        let weak = Arc::downgrade(&inner);
        let api_task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = api.accept().await else {
                    continue;
                };
                let Some(inner) = weak.upgrade() else { return };
                let _ = stream.set_nodelay(true);
                let task = tokio::spawn(serve_http_conn(Arc::clone(&inner), stream));
                inner.track(task.abort_handle());
            }
        });
        let weak = Arc::downgrade(&inner);
        let gw_task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = gw.accept().await else {
                    continue;
                };
                let Some(inner) = weak.upgrade() else { return };
                let _ = stream.set_nodelay(true);
                let mut open = inner.gateway_open.subscribe();
                let conn_inner = Arc::clone(&inner);
                let task = tokio::spawn(async move {
                    if open.wait_for(|open| *open).await.is_ok() {
                        serve_ws_conn(conn_inner, stream).await;
                    }
                });
                inner.track(task.abort_handle());
            }
        });
        inner.track(api_task.abort_handle());
        inner.track(gw_task.abort_handle());
        FakeDiscord { inner }
    }

    /// `http://127.0.0.1:PORT`: pass to `HttpBuilder::proxy`.
    pub fn api_url(&self) -> String {
        self.inner.api_url.clone()
    }

    /// `ws://127.0.0.1:PORT`: what `GET /gateway` returns.
    pub fn gateway_url(&self) -> String {
        self.inner.gateway_url.clone()
    }

    // ----- REST inspection -----------------------------------------------------------------

    /// Every REST request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().requests.clone()
    }

    /// Number of REST requests received so far (use as a "since" marker with
    /// [`Recorded::index`]).
    pub fn request_count(&self) -> usize {
        self.inner.lock().requests.len()
    }

    /// Requests to routes the fake does not know (answered 404).
    pub fn unknown_requests(&self) -> Vec<Recorded> {
        self.inner
            .lock()
            .requests
            .iter()
            .filter(|r| r.unknown_route)
            .cloned()
            .collect()
    }

    /// Waits until a request (already received or future) satisfies `pred`; returns the first
    /// one, or `None` on timeout.
    pub async fn wait_for_request(
        &self,
        mut pred: impl FnMut(&Recorded) -> bool,
        timeout: Duration,
    ) -> Option<Recorded> {
        self.wait_until(timeout, |st| st.requests.iter().find(|r| pred(r)).cloned())
            .await
    }

    /// Like [`Self::wait_for_request`], over the requests from index `from` on only (a driver
    /// that polls often need not walk the whole history under the lock each time).
    pub async fn wait_for_request_since(
        &self,
        from: usize,
        mut pred: impl FnMut(&Recorded) -> bool,
        timeout: Duration,
    ) -> Option<Recorded> {
        self.wait_until(timeout, |st| {
            st.requests
                .get(from..)
                .unwrap_or_default()
                .iter()
                .find(|r| pred(r))
                .cloned()
        })
        .await
    }

    /// Add a REST fault at runtime.
    pub fn add_fault(&self, fault: Fault) {
        self.inner.lock().faults.push(fault);
    }

    /// Remove all pending faults.
    pub fn clear_faults(&self) {
        self.inner.lock().faults.clear();
    }

    /// A message the fake knows (created by the bot through REST, or built by
    /// [`Self::message_create`]), as currently stored (edits applied).
    pub fn message(&self, message_id: u64) -> Option<Value> {
        self.inner.lock().messages.get(&message_id).cloned()
    }

    /// Messages the bot posted in `channel_id`, oldest first.
    pub fn bot_messages(&self, channel_id: u64) -> Vec<Value> {
        let st = self.inner.lock();
        let mut messages: Vec<(u64, Value)> = st
            .messages
            .iter()
            .filter(|(_, m)| {
                value_id(&m["channel_id"]) == Some(channel_id)
                    && value_id(&m["author"]["id"]) == Some(BOT_USER_ID)
            })
            .map(|(id, m)| (*id, m.clone()))
            .collect();
        messages.sort_by_key(|m| m.0);
        messages.into_iter().map(|(_, m)| m).collect()
    }

    /// The current original response of an interaction (after callback / `@original` edits).
    pub fn interaction_original(&self, token: &str) -> Option<Value> {
        let st = self.inner.lock();
        let id = st.interactions.get(token)?.original?;
        st.messages.get(&id).cloned()
    }

    /// Commands registered through `PUT/POST .../commands` (`None` = global).
    pub fn registered_commands(&self, guild_id: Option<u64>) -> Vec<Value> {
        self.inner
            .lock()
            .commands
            .get(&guild_id)
            .cloned()
            .unwrap_or_default()
    }

    // ----- gateway ------------------------------------------------------------------------

    /// Resolves `true` once a shard has identified and READY was sent.
    pub async fn wait_for_identify(&self, timeout: Duration) -> bool {
        self.wait_for_gateway(|s| s.ready_count >= 1, timeout).await
    }

    /// Resolves `true` once `pred(stats)` holds.
    pub async fn wait_for_gateway(
        &self,
        mut pred: impl FnMut(&GatewayStats) -> bool,
        timeout: Duration,
    ) -> bool {
        self.wait_until(timeout, |st| pred(&st.stats).then_some(()))
            .await
            .is_some()
    }

    /// Current gateway counters.
    pub fn gateway_stats(&self) -> GatewayStats {
        self.inner.lock().stats.clone()
    }

    /// IDENTIFY (op 2) payloads received so far.
    pub fn identify_count(&self) -> usize {
        self.inner.lock().stats.identify_count
    }

    /// RESUME (op 6) payloads received so far.
    pub fn resume_count(&self) -> usize {
        self.inner.lock().stats.resume_count
    }

    /// Every frame the client sent (heartbeats included).
    pub fn gateway_frames(&self) -> Vec<GatewayFrame> {
        self.inner.lock().frames.clone()
    }

    /// The `d` of every IDENTIFY received (token, intents, shard, properties...).
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.inner
            .lock()
            .frames
            .iter()
            .filter(|f| f.op == 2)
            .map(|f| f.d.clone())
            .collect()
    }

    /// Request URIs of the WebSocket handshakes (e.g. `/?v=10`).
    pub fn gateway_handshakes(&self) -> Vec<String> {
        self.inner.lock().handshakes.clone()
    }

    /// Sends an op 0 dispatch (next sequence number of each session) to every live session. A
    /// session whose connection is currently down gets it logged and replayed on RESUME.
    /// Returns the number of sessions it was queued for (0 = nobody has identified yet, the event
    /// is dropped).
    pub fn dispatch(&self, event: &str, data: Value) -> usize {
        let mut st = self.inner.lock();
        st.dispatched.push((event.to_string(), data.clone()));
        let live: Vec<usize> = (0..st.sessions.len())
            .filter(|&i| st.sessions[i].valid)
            .collect();
        for &i in &live {
            dispatch_to_session(&mut st, i, event, &data);
        }
        drop(st);
        self.inner.bump();
        live.len()
    }

    /// Every (event name, data) passed to [`Self::dispatch`].
    pub fn dispatched(&self) -> Vec<(String, Value)> {
        self.inner.lock().dispatched.clone()
    }

    /// Send a Close frame with `code` on every open gateway connection (e.g. 1000, 4000). 4007
    /// and 4009 also invalidate the session, as Discord does.
    pub fn close_gateway(&self, code: u16) {
        let mut st = self.inner.lock();
        if matches!(code, 4007 | 4009) {
            invalidate_attached_sessions(&mut st);
        }
        for conn in st.conns.values() {
            let _ = conn
                .tx
                .send(Outgoing::Close(code, "fake close".to_string()));
        }
    }

    /// Drop every gateway TCP connection without a Close frame.
    pub fn drop_gateway_connections(&self) {
        let st = self.inner.lock();
        for conn in st.conns.values() {
            let _ = conn.tx.send(Outgoing::Abort);
        }
    }

    /// Send op 9 INVALID_SESSION `d: resumable`. When not resumable the sessions are forgotten,
    /// so a later RESUME is refused (op 9 false) too.
    pub fn send_invalid_session(&self, resumable: bool) {
        let mut st = self.inner.lock();
        if !resumable {
            invalidate_attached_sessions(&mut st);
        }
        let text = json!({"op": 9, "d": resumable, "s": null, "t": null}).to_string();
        for conn in st.conns.values() {
            let _ = conn.tx.send(Outgoing::Text(text.clone()));
        }
    }

    /// Lets held gateway connections proceed (see [`FakeOptions::hold_gateway`]).
    pub fn release_gateway(&self) {
        self.inner.gateway_open.send_replace(true);
    }

    /// Send op 7 RECONNECT on every open connection.
    pub fn send_reconnect(&self) {
        let st = self.inner.lock();
        let text = json!({"op": 7, "d": null, "s": null, "t": null}).to_string();
        for conn in st.conns.values() {
            let _ = conn.tx.send(Outgoing::Text(text.clone()));
        }
    }

    /// Send op 1 (server-requested heartbeat).
    pub fn request_heartbeat(&self) {
        let st = self.inner.lock();
        let text = json!({"op": 1, "d": null, "s": null, "t": null}).to_string();
        for conn in st.conns.values() {
            let _ = conn.tx.send(Outgoing::Text(text.clone()));
        }
    }

    /// Stop answering heartbeats with op 11 (the client should then reconnect).
    pub fn stop_acking_heartbeats(&self) {
        self.inner.lock().ack_heartbeats = false;
    }

    /// Answer heartbeats again.
    pub fn resume_acking_heartbeats(&self) {
        self.inner.lock().ack_heartbeats = true;
    }

    // ----- payload builders ---------------------------------------------------------------

    /// The bot's messages that reply to message `message_id` (their `message_reference`), as
    /// the channel holds them: what people see, whatever requests made them.
    pub fn bot_replies_to(&self, message_id: u64) -> Vec<Value> {
        let id = message_id.to_string();
        let st = self.inner.lock();
        let mut replies: Vec<(u64, Value)> = st
            .messages
            .iter()
            .filter(|(_, m)| {
                value_id(&m["author"]["id"]) == Some(BOT_USER_ID)
                    && m["message_reference"]["message_id"].as_str() == Some(&id)
            })
            .map(|(k, m)| (*k, m.clone()))
            .collect();
        replies.sort_by_key(|r| r.0);
        replies.into_iter().map(|(_, m)| m).collect()
    }

    /// Marks stored message `message_id` as the start of a public thread the bot created (as
    /// Discord does: the thread's id is the message's, the message gains `thread` and the
    /// HAS_THREAD flag), e.g. a question answered in a thread before a restart.
    pub fn mark_thread_started_by_bot(&self, message_id: u64, name: &str) {
        let mut st = self.inner.lock();
        let Some(message) = st.messages.get_mut(&message_id) else {
            return;
        };
        let parent = value_id(&message["channel_id"]).unwrap_or(0);
        message["flags"] = json!(message["flags"].as_u64().unwrap_or(0) | 32);
        message["thread"] = bot_thread(message_id, parent, name);
    }

    /// A fresh snowflake (current time + counter).
    pub fn next_id(&self) -> u64 {
        self.inner.lock().snowflake()
    }

    /// A MESSAGE_CREATE payload (also stored, so `GET`/`PATCH` on it work). `content` is used
    /// verbatim: include `<@BOT_USER_ID>` yourself if the text should contain the mention;
    /// `mentions_bot` fills the `mentions` array. The author is [`USER_ID`] "alice" /
    /// [`OTHER_BOT_ID`] "otherbot" when the ids match, else a user named `user{id}`.
    pub fn message_create(
        &self,
        channel_id: u64,
        author_id: u64,
        content: &str,
        mentions_bot: bool,
        guild_id: Option<u64>,
        author_is_bot: bool,
    ) -> (u64, Value) {
        self.message_create_aged(
            Duration::ZERO,
            channel_id,
            author_id,
            content,
            mentions_bot,
            guild_id,
            author_is_bot,
        )
    }

    /// [`Self::message_create`] for a message posted `age` ago (its id and timestamp say so),
    /// e.g. one posted while the bot was down, older than its catch-up window.
    #[allow(clippy::too_many_arguments)]
    pub fn message_create_aged(
        &self,
        age: Duration,
        channel_id: u64,
        author_id: u64,
        content: &str,
        mentions_bot: bool,
        guild_id: Option<u64>,
        author_is_bot: bool,
    ) -> (u64, Value) {
        let mut st = self.inner.lock();
        let id = st.snowflake_aged(age.as_millis() as u64);
        let author = user_json(author_id, &default_username(author_id), author_is_bot);
        let mentions = if mentions_bot {
            vec![bot_user_json()]
        } else {
            vec![]
        };
        let mut msg = base_message(id, channel_id, author, content);
        msg["timestamp"] = json!(iso_timestamp(SystemTime::now() - age));
        msg["mentions"] = Value::Array(mentions);
        if let Some(g) = guild_id {
            msg["guild_id"] = json!(g.to_string());
            msg["member"] = partial_member_json();
        }
        st.messages.insert(id, msg.clone());
        (id, msg)
    }

    /// A MESSAGE_CREATE payload (also stored) for a reply by `author_id` to `replied` (a
    /// stored message, e.g. the bot's answer from [`Self::message`]): `message_reference`
    /// and `referenced_message` as Discord sends them, and the replied-to author in
    /// `mentions` when `ping` (Discord's default for replies).
    pub fn reply_create(
        &self,
        author_id: u64,
        content: &str,
        replied: &Value,
        ping: bool,
    ) -> (u64, Value) {
        let channel_id = value_id(&replied["channel_id"]).unwrap_or(CHANNEL_ID);
        let guild_id = if channel_id == DM_CHANNEL_ID {
            None
        } else {
            Some(GUILD_ID)
        };
        let mentions_bot = ping && value_id(&replied["author"]["id"]) == Some(BOT_USER_ID);
        let (id, mut msg) = self.message_create(
            channel_id,
            author_id,
            content,
            mentions_bot,
            guild_id,
            false,
        );
        msg["type"] = json!(19);
        msg["message_reference"] = json!({
            "message_id": replied["id"].clone(),
            "channel_id": channel_id.to_string(),
            "guild_id": guild_id.map(|g| g.to_string()),
        });
        msg["referenced_message"] = replied.clone();
        self.inner.lock().messages.insert(id, msg.clone());
        (id, msg)
    }

    /// A MESSAGE_UPDATE payload for an edit of `original` (a payload from
    /// [`Self::message_create`]): new content, `edited_timestamp` set. Also updates the store.
    pub fn message_update(&self, original: &Value, new_content: &str) -> Value {
        let mut msg = original.clone();
        msg["content"] = json!(new_content);
        msg["edited_timestamp"] = json!(iso_timestamp(SystemTime::now()));
        if let Some(id) = value_id(&msg["id"]) {
            self.inner.lock().messages.insert(id, msg.clone());
        }
        msg
    }

    /// INTERACTION_CREATE for a chat-input slash command invoked by [`USER_ID`] in
    /// [`Place::guild`]. `options` is Discord's option array, e.g.
    /// `json!([{"name": "question", "type": 3, "value": "why?"}])`. The command id is the one
    /// assigned at registration if the command was registered, else a fresh one.
    pub fn slash_command(&self, name: &str, options: Value) -> (u64, String, Value) {
        self.slash_command_in(Place::guild(), USER_ID, name, options)
    }

    /// Like [`Self::slash_command`] with an explicit place and invoking user.
    pub fn slash_command_in(
        &self,
        place: Place,
        user_id: u64,
        name: &str,
        options: Value,
    ) -> (u64, String, Value) {
        let command_id = self.command_id(name, place.guild_id());
        let data = json!({
            "id": command_id.to_string(),
            "name": name,
            "type": 1,
            "options": options,
        });
        self.interaction(2, data, place, user_id, None)
    }

    /// INTERACTION_CREATE of type 4 (autocomplete). Mark the option being typed with
    /// `"focused": true`, e.g. `json!([{"name": "q", "type": 3, "value": "sum", "focused": true}])`.
    pub fn autocomplete(&self, name: &str, options: Value) -> (u64, String, Value) {
        let command_id = self.command_id(name, Some(GUILD_ID));
        let data = json!({
            "id": command_id.to_string(),
            "name": name,
            "type": 1,
            "options": options,
        });
        self.interaction(4, data, Place::guild(), USER_ID, None)
    }

    /// INTERACTION_CREATE of type 3 (button click, component_type 2) on `message` (a Message
    /// JSON, e.g. the bot's reply from [`Self::message`] or a recorded response), by
    /// [`USER_ID`]. The place is taken from the message's channel/guild.
    pub fn button_click(&self, custom_id: &str, message: &Value) -> (u64, String, Value) {
        let place = place_of(message);
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let message_id = value_id(&message["id"]);
        self.interaction(3, data, place, USER_ID, Some((message.clone(), message_id)))
    }

    /// INTERACTION_CREATE for a message context-menu command (type 2, data.type 3) targeting
    /// `target_message` (a Message JSON), invoked by [`USER_ID`].
    pub fn message_context_menu(
        &self,
        command_name: &str,
        target_message: &Value,
    ) -> (u64, String, Value) {
        let place = place_of(target_message);
        let command_id = self.command_id(command_name, place.guild_id());
        let target_id = target_message["id"].clone();
        let target_key = target_id
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| target_id.to_string());
        let mut messages = Map::new();
        messages.insert(target_key, target_message.clone());
        let data = json!({
            "id": command_id.to_string(),
            "name": command_name,
            "type": 3,
            "target_id": target_id,
            "resolved": {"messages": messages},
        });
        self.interaction(2, data, place, USER_ID, None)
    }

    /// A minimal GUILD_CREATE payload for `guild_id` with one text channel [`CHANNEL_ID`].
    pub fn guild_create(&self, guild_id: u64) -> Value {
        let now = iso_timestamp(SystemTime::now());
        let everyone = json!({
            "id": guild_id.to_string(), "name": "@everyone", "color": 0, "hoist": false,
            "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
            "icon": null, "unicode_emoji": null, "position": 0,
            "permissions": "1071698660929", "managed": false, "mentionable": false, "flags": 0,
        });
        let member = json!({
            "user": bot_user_json(), "nick": null, "avatar": null, "roles": [],
            "joined_at": now, "premium_since": null, "deaf": false, "mute": false,
            "flags": 0, "pending": false,
        });
        let channel = json!({
            "id": CHANNEL_ID.to_string(), "type": 0, "guild_id": guild_id.to_string(),
            "name": "general", "position": 0, "permission_overwrites": [], "nsfw": false,
            "topic": null, "last_message_id": null, "parent_id": null,
            "rate_limit_per_user": 0, "flags": 0,
        });
        let mut g = json!({
            "id": guild_id.to_string(),
            "name": "Fake Guild",
            "icon": null, "splash": null, "discovery_splash": null,
            "owner_id": OWNER_ID.to_string(),
            "afk_channel_id": null, "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [everyone],
            "emojis": [], "features": [], "mfa_level": 0, "application_id": null,
            "system_channel_id": null, "system_channel_flags": 0, "rules_channel_id": null,
        });
        let more = json!({
            "vanity_url_code": null, "description": null, "banner": null,
            "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US",
            "public_updates_channel_id": null, "nsfw_level": 0, "stickers": [],
            "premium_progress_bar_enabled": false,
            "joined_at": now, "large": false, "unavailable": false, "member_count": 2,
            "voice_states": [], "members": [member], "channels": [channel],
            "threads": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [],
        });
        if let (Some(g), Some(more)) = (g.as_object_mut(), more.as_object()) {
            g.extend(more.clone());
        }
        g
    }

    fn command_id(&self, name: &str, guild_id: Option<u64>) -> u64 {
        let mut st = self.inner.lock();
        let found = [guild_id, None].iter().find_map(|scope| {
            st.commands
                .get(scope)?
                .iter()
                .find(|c| c["name"] == name)
                .and_then(|c| value_id(&c["id"]))
        });
        match found {
            Some(id) => id,
            None => st.snowflake(),
        }
    }

    fn interaction(
        &self,
        kind: u8,
        data: Value,
        place: Place,
        user_id: u64,
        message: Option<(Value, Option<u64>)>,
    ) -> (u64, String, Value) {
        let mut st = self.inner.lock();
        let id = st.snowflake();
        let token = format!("fake-interaction-token-{id}");
        let user = user_json(user_id, &default_username(user_id), false);
        let mut v = json!({
            "id": id.to_string(),
            "application_id": APPLICATION_ID.to_string(),
            "type": kind,
            "data": data,
            "channel_id": place.channel_id().to_string(),
            "token": token,
            "version": 1,
            "app_permissions": ALL_PERMISSIONS,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 26_214_400,
        });
        match place {
            Place::Guild {
                guild_id,
                channel_id,
            } => {
                v["guild_id"] = json!(guild_id.to_string());
                v["guild_locale"] = json!("en-US");
                v["channel"] = json!({
                    "id": channel_id.to_string(), "type": 0, "name": "general",
                    "guild_id": guild_id.to_string(), "permissions": ALL_PERMISSIONS,
                    "parent_id": null, "nsfw": false, "position": 0, "flags": 0,
                });
                let mut member = partial_member_json();
                member["user"] = user;
                member["permissions"] = json!(ALL_PERMISSIONS);
                v["member"] = member;
                v["authorizing_integration_owners"] = json!({"0": guild_id.to_string()});
                v["context"] = json!(0);
            }
            Place::Dm { channel_id } => {
                v["user"] = user.clone();
                v["channel"] = json!({
                    "id": channel_id.to_string(), "type": 1, "recipients": [user],
                    "permissions": ALL_PERMISSIONS, "flags": 0,
                });
                v["authorizing_integration_owners"] = json!({"0": "0"});
                v["context"] = json!(1);
            }
        }
        let message_id = message.as_ref().and_then(|m| m.1);
        if let Some((msg, mid)) = message {
            if let Some(mid) = mid {
                st.messages.entry(mid).or_insert_with(|| msg.clone());
            }
            v["message"] = msg;
        }
        st.interactions.insert(
            token.clone(),
            InteractionInfo {
                id,
                channel_id: place.channel_id(),
                guild_id: place.guild_id(),
                created: Instant::now(),
                message_id,
                acknowledged: false,
                original: None,
            },
        );
        (id, token, v)
    }

    async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.inner.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(v) = f(&self.inner.lock()) {
                return Some(v);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => return f(&self.inner.lock()),
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// JSON helpers
// ------------------------------------------------------------------------------------------

fn default_username(id: u64) -> String {
    match id {
        USER_ID => "alice".to_string(),
        OTHER_BOT_ID => "otherbot".to_string(),
        OWNER_ID => "owner".to_string(),
        BOT_USER_ID => BOT_USERNAME.to_string(),
        _ => format!("user{id}"),
    }
}

/// A user object as Discord sends it.
pub fn user_json(id: u64, username: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": username,
        "discriminator": if bot { "4242" } else { "0" },
        "global_name": if bot { Value::Null } else { json!(username) },
        "avatar": null,
        "bot": bot,
        "public_flags": 0,
    })
}

/// The bot's own user object (`GET /users/@me`, READY `user`, message authors).
pub fn bot_user_json() -> Value {
    let mut u = user_json(BOT_USER_ID, BOT_USERNAME, true);
    u["verified"] = json!(true);
    u["mfa_enabled"] = json!(false);
    u["flags"] = json!(0);
    u["email"] = Value::Null;
    u
}

/// `GET /oauth2/applications/@me`.
pub fn application_json() -> Value {
    json!({
        "id": APPLICATION_ID.to_string(),
        "name": BOT_USERNAME,
        "icon": null,
        "description": "fake application",
        "summary": "",
        "type": null,
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
        "owner": user_json(OWNER_ID, "owner", false),
        "team": null,
        "flags": 0,
        "rpc_origins": [],
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "approximate_guild_count": 1,
        "bot": bot_user_json(),
    })
}

fn partial_member_json() -> Value {
    json!({
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "nick": null,
        "avatar": null,
        "communication_disabled_until": null,
    })
}

fn base_message(id: u64, channel_id: u64, author: Value, content: &str) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": author,
        "content": content,
        "timestamp": iso_timestamp(SystemTime::now()),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
    })
}

fn value_id(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn place_of(message: &Value) -> Place {
    let channel_id = value_id(&message["channel_id"]).unwrap_or(CHANNEL_ID);
    match value_id(&message["guild_id"]) {
        Some(guild_id) => Place::Guild {
            guild_id,
            channel_id,
        },
        None if channel_id == DM_CHANNEL_ID => Place::Dm { channel_id },
        None => Place::Guild {
            guild_id: GUILD_ID,
            channel_id,
        },
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// RFC 3339 with microseconds, UTC, as Discord formats timestamps.
pub fn iso_timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_micros()
    )
}

fn error_json(code: u64, message: &str) -> Value {
    json!({"message": message, "code": code})
}

// ------------------------------------------------------------------------------------------
// Gateway
// ------------------------------------------------------------------------------------------

fn dispatch_to_session(st: &mut State, idx: usize, event: &str, data: &Value) -> u64 {
    let session = &mut st.sessions[idx];
    session.seq += 1;
    let seq = session.seq;
    let text = json!({"op": 0, "t": event, "s": seq, "d": data}).to_string();
    session.log.push((seq, text.clone()));
    if let Some(conn) = session.conn.and_then(|c| st.conns.get(&c)) {
        let _ = conn.tx.send(Outgoing::Text(text));
    }
    seq
}

fn invalidate_attached_sessions(st: &mut State) {
    for s in st.sessions.iter_mut().filter(|s| s.conn.is_some()) {
        s.valid = false;
    }
}

fn send_to_conn(st: &State, conn_id: u64, value: Value) {
    if let Some(conn) = st.conns.get(&conn_id) {
        let _ = conn.tx.send(Outgoing::Text(value.to_string()));
    }
}

fn close_conn(st: &State, conn_id: u64, code: u16, reason: &str) {
    if let Some(conn) = st.conns.get(&conn_id) {
        let _ = conn.tx.send(Outgoing::Close(code, reason.to_string()));
    }
}

async fn serve_ws_conn(inner: Arc<Inner>, stream: TcpStream) {
    let uri = Arc::new(Mutex::new(String::new()));
    let uri2 = Arc::clone(&uri);
    #[allow(clippy::result_large_err)] // the signature is tungstenite's
    let callback = move |req: &Request, resp: Response| {
        *uri2.lock().unwrap_or_else(|e| e.into_inner()) = req.uri().to_string();
        Ok(resp)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    let query = uri.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn_id = {
        let mut st = inner.lock();
        st.next_conn += 1;
        let id = st.next_conn;
        st.handshakes.push(query.clone());
        st.conns.insert(
            id,
            Conn {
                tx,
                session: None,
                query,
            },
        );
        st.stats.connections_total += 1;
        st.stats.connections_open += 1;
        let hello = json!({
            "op": 10, "s": null, "t": null,
            "d": {"heartbeat_interval": inner.options.heartbeat_interval_ms, "_trace": ["fake-gateway"]},
        });
        send_to_conn(&st, id, hello);
        id
    };
    inner.bump();

    let (mut sink, mut source) = ws.split();
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outgoing::Text(text)) => {
                    if sink.send(WsMessage::Text(text)).await.is_err() {
                        break;
                    }
                },
                Some(Outgoing::Close(code, reason)) => {
                    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
                    let _ = sink.send(WsMessage::Close(Some(frame))).await;
                    // Give the client a moment to answer the close handshake.
                    let _ = tokio::time::timeout(Duration::from_secs(1), async {
                        while let Some(Ok(m)) = source.next().await {
                            if m.is_close() {
                                break;
                            }
                        }
                    })
                    .await;
                    break;
                },
                Some(Outgoing::Abort) | None => break,
            },
            msg = source.next() => match msg {
                Some(Ok(WsMessage::Text(text))) => {
                    handle_gateway_text(&inner, conn_id, &text);
                    inner.bump();
                },
                Some(Ok(WsMessage::Binary(bytes))) => {
                    let mut st = inner.lock();
                    st.frames.push(GatewayFrame {
                        connection: conn_id,
                        op: -1,
                        d: json!({"binary_len": bytes.len()}),
                    });
                },
                Some(Ok(WsMessage::Close(_))) => {
                    // tungstenite queues the close reply; keep polling until the stream ends.
                    let _ = sink.flush().await;
                },
                Some(Ok(_)) => {},
                Some(Err(_)) | None => break,
            },
        }
    }

    let mut st = inner.lock();
    if let Some(conn) = st.conns.remove(&conn_id) {
        if let Some(sid) = conn.session {
            for s in st
                .sessions
                .iter_mut()
                .filter(|s| s.id == sid && s.conn == Some(conn_id))
            {
                s.conn = None;
            }
        }
    }
    st.stats.connections_open = st.stats.connections_open.saturating_sub(1);
    drop(st);
    inner.bump();
}

fn handle_gateway_text(inner: &Inner, conn_id: u64, text: &str) {
    let mut st = inner.lock();
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        st.frames.push(GatewayFrame {
            connection: conn_id,
            op: -1,
            d: json!(text),
        });
        close_conn(&st, conn_id, 4002, "Error while decoding payload.");
        return;
    };
    let op = v["op"].as_i64().unwrap_or(-1);
    let d = v["d"].clone();
    st.frames.push(GatewayFrame {
        connection: conn_id,
        op,
        d: d.clone(),
    });
    match op {
        1 => {
            st.stats.heartbeat_count += 1;
            if st.ack_heartbeats {
                st.stats.heartbeat_ack_count += 1;
                send_to_conn(
                    &st,
                    conn_id,
                    json!({"op": 11, "d": null, "s": null, "t": null}),
                );
            }
        }
        2 => {
            st.stats.identify_count += 1;
            if st.conns.get(&conn_id).is_some_and(|c| c.session.is_some()) {
                close_conn(&st, conn_id, 4005, "Already authenticated.");
                return;
            }
            let shard = if d["shard"].is_array() {
                d["shard"].clone()
            } else {
                json!([0, 1])
            };
            for s in st.sessions.iter_mut().filter(|s| s.shard == shard) {
                s.valid = false;
            }
            let sid = format!("fake-session-{}", st.snowflake());
            st.sessions.push(Session {
                id: sid.clone(),
                shard: shard.clone(),
                seq: 0,
                log: Vec::new(),
                conn: Some(conn_id),
                valid: true,
            });
            if let Some(c) = st.conns.get_mut(&conn_id) {
                c.session = Some(sid.clone());
            }
            let guilds: Vec<Value> = inner
                .options
                .ready_guilds
                .iter()
                .map(|g| json!({"id": g.to_string(), "unavailable": true}))
                .collect();
            let ready = json!({
                "v": 10,
                "user": bot_user_json(),
                "guilds": guilds,
                "session_id": sid,
                "session_type": "normal",
                "resume_gateway_url": inner.gateway_url,
                "shard": shard,
                "application": {"id": APPLICATION_ID.to_string(), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": [],
                "guild_join_requests": [],
                "user_settings": {},
                "_trace": ["fake-gateway"],
            });
            let idx = st.sessions.len() - 1;
            dispatch_to_session(&mut st, idx, "READY", &ready);
            st.stats.ready_count += 1;
        }
        6 => {
            st.stats.resume_count += 1;
            let sid = d["session_id"].as_str().unwrap_or_default().to_string();
            let client_seq = d["seq"].as_u64().unwrap_or(0);
            let Some(idx) = st.sessions.iter().position(|s| s.id == sid && s.valid) else {
                send_to_conn(
                    &st,
                    conn_id,
                    json!({"op": 9, "d": false, "s": null, "t": null}),
                );
                return;
            };
            // Detach a previous connection still holding the session.
            if let Some(old) = st.sessions[idx].conn.filter(|&c| c != conn_id) {
                close_conn(&st, old, 4000, "Session resumed elsewhere.");
                if let Some(c) = st.conns.get_mut(&old) {
                    c.session = None;
                }
            }
            st.sessions[idx].conn = Some(conn_id);
            if let Some(c) = st.conns.get_mut(&conn_id) {
                c.session = Some(sid);
            }
            let missed: Vec<String> = st.sessions[idx]
                .log
                .iter()
                .filter(|(seq, _)| *seq > client_seq)
                .map(|(_, text)| text.clone())
                .collect();
            if let Some(conn) = st.conns.get(&conn_id) {
                for text in missed {
                    let _ = conn.tx.send(Outgoing::Text(text));
                }
            }
            dispatch_to_session(
                &mut st,
                idx,
                "RESUMED",
                &json!({"_trace": ["fake-gateway"]}),
            );
            st.stats.resumed_count += 1;
        }
        // Presence update, voice state, request guild members, ...: recorded only.
        3 | 4 | 8 | 31 => {}
        _ => close_conn(&st, conn_id, 4001, "Unknown opcode."),
    }
}

// ------------------------------------------------------------------------------------------
// REST
// ------------------------------------------------------------------------------------------

struct Resp {
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
    unknown: bool,
}

impl Resp {
    fn json(status: u16, body: Value) -> Resp {
        Resp {
            status,
            body: Some(body),
            headers: Vec::new(),
            unknown: false,
        }
    }

    fn ok(body: Value) -> Resp {
        Resp::json(200, body)
    }

    fn no_content() -> Resp {
        Resp {
            status: 204,
            body: None,
            headers: Vec::new(),
            unknown: false,
        }
    }

    fn error(status: u16, code: u64, message: &str) -> Resp {
        Resp::json(status, error_json(code, message))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut tmp = [0u8; 16 * 1024];
    match stream.read(&mut tmp).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&tmp[..n]);
            buf.len() < 64 * 1024 * 1024
        }
    }
}

/// Reads until `delimiter` is in `buf`; its position, or `None` if the peer went away.
async fn read_until(stream: &mut TcpStream, buf: &mut Vec<u8>, delimiter: &[u8]) -> Option<usize> {
    loop {
        if let Some(pos) = find(buf, delimiter) {
            return Some(pos);
        }
        if !read_more(stream, buf).await {
            return None;
        }
    }
}

async fn serve_http_conn(inner: Arc<Inner>, mut stream: TcpStream) {
    let mut buf = Vec::new();
    loop {
        let Some(header_end) = read_until(&mut stream, &mut buf, b"\r\n\r\n").await else {
            return;
        };
        let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
        buf.drain(..header_end + 4);
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_ascii_uppercase();
        let target = parts.next().unwrap_or_default().to_string();
        let version = parts.next().unwrap_or("HTTP/1.1").to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };

        if header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
            && stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .is_err()
        {
            return;
        }

        let chunked =
            header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            let mut body = Vec::new();
            loop {
                let Some(line_end) = read_until(&mut stream, &mut buf, b"\r\n").await else {
                    return;
                };
                let line = String::from_utf8_lossy(&buf[..line_end]).to_string();
                buf.drain(..line_end + 2);
                let size_hex = line.split(';').next().unwrap_or("0").trim();
                let Ok(size) = usize::from_str_radix(size_hex, 16) else {
                    return;
                };
                if size == 0 {
                    // Trailers end with an empty line.
                    loop {
                        if buf.starts_with(b"\r\n") {
                            buf.drain(..2);
                            break;
                        }
                        if let Some(p) = find(&buf, b"\r\n\r\n") {
                            buf.drain(..p + 4);
                            break;
                        }
                        if !read_more(&mut stream, &mut buf).await {
                            return;
                        }
                    }
                    break;
                }
                while buf.len() < size + 2 {
                    if !read_more(&mut stream, &mut buf).await {
                        return;
                    }
                }
                body.extend_from_slice(&buf[..size]);
                buf.drain(..size + 2);
            }
            body
        } else {
            let len: usize = header("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            while buf.len() < len {
                if !read_more(&mut stream, &mut buf).await {
                    return;
                }
            }
            buf.drain(..len).collect()
        };

        let keep_alive = match header("connection") {
            Some(c) if c.eq_ignore_ascii_case("close") => false,
            Some(c) if c.eq_ignore_ascii_case("keep-alive") => true,
            _ => version.eq_ignore_ascii_case("HTTP/1.1"),
        };

        let Some(resp) = handle_request(&inner, method, target, headers, body).await else {
            return; // DropConnection fault
        };
        let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
        let payload = resp.body.map(|b| b.to_string()).unwrap_or_default();
        if resp.status != 204 {
            out.push_str("content-type: application/json\r\n");
            out.push_str(&format!("content-length: {}\r\n", payload.len()));
        }
        out.push_str(if keep_alive {
            "connection: keep-alive\r\n"
        } else {
            "connection: close\r\n"
        });
        for (k, v) in &resp.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&payload);
        if stream.write_all(out.as_bytes()).await.is_err() || stream.flush().await.is_err() {
            return;
        }
        if !keep_alive {
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

fn parse_multipart(body: &[u8], boundary: &str) -> Vec<MultipartPart> {
    let delim = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let Some(first) = find(body, &delim) else {
        return parts;
    };
    let mut pos = first + delim.len();
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        if body[pos..].starts_with(b"\r\n") {
            pos += 2;
        }
        let Some(rel) = find(&body[pos..], &delim) else {
            break;
        };
        let next = pos + rel;
        let mut part = &body[pos..next];
        if part.ends_with(b"\r\n") {
            part = &part[..part.len() - 2];
        }
        pos = next + delim.len();
        let Some(h) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..h]).to_string();
        let data = part[h + 4..].to_vec();
        let mut name = String::new();
        let mut filename = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for param in v.split(';').map(str::trim) {
                        if let Some((pk, pv)) = param.split_once('=') {
                            let pv = pv.trim().trim_matches('"').to_string();
                            match pk.trim() {
                                "name" => name = pv,
                                "filename" => filename = Some(pv),
                                _ => {}
                            }
                        }
                    }
                }
                "content-type" => content_type = Some(v.trim().to_string()),
                _ => {}
            }
        }
        parts.push(MultipartPart {
            name,
            filename,
            content_type,
            data,
        });
    }
    parts
}

async fn handle_request(
    inner: &Arc<Inner>,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    raw_body: Vec<u8>,
) -> Option<Resp> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let parts = match content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        true => content_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .next()
            .map(|b| parse_multipart(&raw_body, b.trim_matches('"')))
            .unwrap_or_default(),
        false => Vec::new(),
    };
    let body = match parts.iter().find(|p| p.name == "payload_json") {
        Some(p) => serde_json::from_slice(&p.data).unwrap_or(Value::Null),
        None if !parts.is_empty() => Value::Null,
        None => serde_json::from_slice(&raw_body).unwrap_or(Value::Null),
    };

    // Fault injection.
    let fault = {
        let mut st = inner.lock();
        let found = st.faults.iter_mut().find(|f| f.matches(&method, &path));
        found.map(|f| {
            f.times -= 1;
            f.kind.clone()
        })
    };
    let mut resp = match fault {
        Some(FaultKind::Delay(d)) => {
            tokio::time::sleep(d).await;
            None
        }
        Some(FaultKind::RateLimited {
            retry_after,
            global,
        }) => {
            let mut r = Resp::json(
                429,
                json!({
                    "message": "You are being rate limited.",
                    "retry_after": retry_after,
                    "global": global,
                    "code": 0,
                }),
            );
            let reset = now_ms() as f64 / 1000.0 + retry_after;
            r.headers = vec![
                (
                    "retry-after".into(),
                    format!("{}", retry_after.ceil() as u64),
                ),
                ("x-ratelimit-limit".into(), "5".into()),
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-reset".into(), format!("{reset:.3}")),
                (
                    "x-ratelimit-reset-after".into(),
                    format!("{retry_after:.3}"),
                ),
                ("x-ratelimit-bucket".into(), "fakebucket".into()),
                (
                    "x-ratelimit-scope".into(),
                    if global { "global" } else { "user" }.into(),
                ),
            ];
            if global {
                r.headers.push(("x-ratelimit-global".into(), "true".into()));
            }
            Some(r)
        }
        Some(FaultKind::Status(status)) => Some(Resp::error(
            status,
            0,
            &format!("{status}: fake injected error"),
        )),
        Some(FaultKind::DropConnection) => {
            let mut st = inner.lock();
            let index = st.requests.len();
            st.requests.push(Recorded {
                index,
                method,
                path,
                query,
                headers,
                body,
                raw_body,
                parts,
                status: 0,
                unknown_route: false,
            });
            drop(st);
            inner.bump();
            return None;
        }
        None => None,
    };

    let mut st = inner.lock();
    if resp.is_none() {
        resp = Some(route(inner, &mut st, &method, &path, &query, &body, &parts));
    }
    let resp = resp.unwrap_or_else(Resp::no_content);
    let index = st.requests.len();
    st.requests.push(Recorded {
        index,
        method,
        path,
        query,
        headers,
        body,
        raw_body,
        parts,
        status: resp.status,
        unknown_route: resp.unknown,
    });
    drop(st);
    inner.bump();
    Some(resp)
}

/// A public thread the bot started from message `id` in `parent` (Discord gives the thread
/// the starter message's id).
fn bot_thread(id: u64, parent: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(), "type": 11, "guild_id": GUILD_ID.to_string(),
        "parent_id": parent.to_string(), "name": name, "owner_id": BOT_USER_ID.to_string(),
        "position": 0, "permission_overwrites": [], "nsfw": false, "topic": null,
        "last_message_id": null, "rate_limit_per_user": 0, "flags": 0,
        "message_count": 0, "member_count": 1,
        "thread_metadata": {
            "archived": false, "auto_archive_duration": 1440,
            "archive_timestamp": iso_timestamp(SystemTime::now()), "locked": false,
        },
    })
}

fn route(
    inner: &Inner,
    st: &mut State,
    method: &str,
    path: &str,
    query: &str,
    body: &Value,
    parts: &[MultipartPart],
) -> Resp {
    let unknown = || Resp {
        status: 404,
        body: Some(error_json(
            0,
            "404: Not Found (fake discord: unknown route)",
        )),
        headers: Vec::new(),
        unknown: true,
    };
    let Some(rest) = path.strip_prefix("/api/v10/") else {
        return unknown();
    };
    let seg: Vec<&str> = rest.split('/').collect();
    let id = |s: &str| s.parse::<u64>().ok();
    match (method, seg.as_slice()) {
        ("GET", ["gateway"]) => Resp::ok(json!({"url": inner.gateway_url})),
        ("GET", ["gateway", "bot"]) => Resp::ok(json!({
            "url": inner.gateway_url,
            "shards": inner.options.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        })),
        ("GET", ["users", "@me"]) => Resp::ok(bot_user_json()),
        ("GET", ["users", u]) => match id(u) {
            Some(BOT_USER_ID) => Resp::ok(bot_user_json()),
            Some(u) => Resp::ok(user_json(u, &default_username(u), u == OTHER_BOT_ID)),
            None => Resp::error(404, 10013, "Unknown User"),
        },
        ("POST", ["users", "@me", "channels"]) => {
            let recipient = value_id(&body["recipient_id"]).unwrap_or(USER_ID);
            let channel_id = if recipient == USER_ID {
                DM_CHANNEL_ID
            } else {
                st.snowflake()
            };
            Resp::ok(json!({
                "id": channel_id.to_string(), "type": 1, "last_message_id": null, "flags": 0,
                "recipients": [user_json(recipient, &default_username(recipient), recipient == OTHER_BOT_ID)],
            }))
        }
        ("GET", ["oauth2", "applications", "@me"]) | ("GET", ["applications", "@me"]) => {
            Resp::ok(application_json())
        }
        (_, ["applications", app, "commands", ..])
        | (_, ["applications", app, "guilds", _, "commands", ..])
            if id(app) != Some(APPLICATION_ID) =>
        {
            Resp::error(403, 50001, "Missing Access (wrong application id)")
        }
        (m, ["applications", _, "commands"]) => {
            commands_route(st, m, None, body).unwrap_or_else(unknown)
        }
        (m, ["applications", _, "guilds", g, "commands"]) => {
            commands_route(st, m, id(g), body).unwrap_or_else(unknown)
        }
        ("GET", ["channels", c]) => match id(c) {
            Some(DM_CHANNEL_ID) => Resp::ok(json!({
                "id": DM_CHANNEL_ID.to_string(), "type": 1, "last_message_id": null, "flags": 0,
                "recipients": [user_json(USER_ID, "alice", false)],
            })),
            Some(c) => Resp::ok(json!({
                "id": c.to_string(), "type": 0, "guild_id": GUILD_ID.to_string(), "name": "general",
                "position": 0, "permission_overwrites": [], "nsfw": false, "topic": null,
                "last_message_id": null, "parent_id": null, "rate_limit_per_user": 0, "flags": 0,
            })),
            None => Resp::error(404, 10003, "Unknown Channel"),
        },
        ("POST", ["channels", c, "messages"]) => {
            let Some(c) = id(c) else {
                return Resp::error(404, 10003, "Unknown Channel");
            };
            // An enforced nonce seen before in this channel: Discord answers with the message
            // made then instead of posting a second one.
            let nonce = match &body["nonce"] {
                Value::String(n) => Some(n.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
            .filter(|_| body["enforce_nonce"].as_bool() == Some(true));
            if let Some(existing) = nonce
                .as_ref()
                .and_then(|n| st.nonces.get(&(c, n.clone())))
                .and_then(|m| st.messages.get(m))
            {
                return Resp::ok(existing.clone());
            }
            let msg = new_bot_message(inner, st, c, body, parts, None);
            if let (Some(n), Some(m)) = (nonce, value_id(&msg["id"])) {
                st.nonces.insert((c, n), m);
            }
            Resp::ok(msg)
        }
        ("GET", ["channels", c, "messages"]) => {
            // Like Discord: `limit` 1..=100 (default 50); `after` gives the messages right
            // after that id, `before` those right before it, neither the newest; every page
            // is newest first, even with `after`.
            let c = id(c).unwrap_or(0);
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                    .and_then(|v| v.parse::<u64>().ok())
            };
            let limit = param("limit").unwrap_or(50).clamp(1, 100) as usize;
            let mut msgs: Vec<(u64, Value)> = st
                .messages
                .iter()
                .filter(|(_, m)| value_id(&m["channel_id"]) == Some(c))
                .map(|(k, m)| (*k, m.clone()))
                .collect();
            let page: Vec<(u64, Value)> = if let Some(after) = param("after") {
                msgs.retain(|m| m.0 > after);
                msgs.sort_by_key(|m| m.0);
                msgs.truncate(limit);
                msgs.reverse();
                msgs
            } else {
                if let Some(before) = param("before") {
                    msgs.retain(|m| m.0 < before);
                }
                msgs.sort_by_key(|m| std::cmp::Reverse(m.0));
                msgs.truncate(limit);
                msgs
            };
            Resp::ok(Value::Array(page.into_iter().map(|(_, m)| m).collect()))
        }
        ("POST", ["channels", c, "messages", m, "threads"]) => {
            // Start a public thread from a message: a new channel whose id Discord makes
            // the starter message's id. Like Discord, the starter message then carries the
            // thread (and the HAS_THREAD flag), and a second thread from it is refused.
            let (Some(c), Some(m)) = (id(c), id(m)) else {
                return Resp::error(404, 10008, "Unknown Message");
            };
            let name = body["name"].as_str().unwrap_or_default();
            if name.is_empty() || name.chars().count() > 100 {
                return Resp::error(400, 50035, "Invalid Form Body (name)");
            }
            let thread = bot_thread(m, c, name);
            if let Some(starter) = st.messages.get_mut(&m) {
                if !starter["thread"].is_null() {
                    return Resp::error(
                        400,
                        160004,
                        "A thread has already been created for this message",
                    );
                }
                starter["flags"] = json!(starter["flags"].as_u64().unwrap_or(0) | 32);
                starter["thread"] = thread.clone();
            }
            Resp::json(201, thread)
        }
        ("GET", ["channels", _, "messages", m]) => match id(m).and_then(|m| st.messages.get(&m)) {
            Some(msg) => Resp::ok(msg.clone()),
            None => Resp::error(404, 10008, "Unknown Message"),
        },
        ("PATCH", ["channels", c, "messages", m]) => {
            let (Some(c), Some(m)) = (id(c), id(m)) else {
                return Resp::error(404, 10008, "Unknown Message");
            };
            let existing = st.messages.get(&m).cloned();
            let base = existing.unwrap_or_else(|| base_message(m, c, bot_user_json(), ""));
            let msg = edit_message(inner, st, base, body, parts);
            Resp::ok(msg)
        }
        ("DELETE", ["channels", _, "messages", m]) => {
            if let Some(m) = id(m) {
                st.messages.remove(&m);
            }
            Resp::no_content()
        }
        ("POST", ["channels", _, "typing"]) => Resp::no_content(),
        ("PUT" | "DELETE", ["channels", _, "messages", _, "reactions", ..]) => Resp::no_content(),
        ("POST", ["interactions", _, token, "callback"]) => {
            interaction_callback(inner, st, token, body, parts)
        }
        (m, ["webhooks", app, token, rest @ ..]) => {
            if id(app) != Some(APPLICATION_ID) {
                return Resp::error(404, 10015, "Unknown Webhook");
            }
            webhook_route(inner, st, m, token, rest, body, parts).unwrap_or_else(unknown)
        }
        _ => unknown(),
    }
}

fn commands_route(st: &mut State, method: &str, scope: Option<u64>, body: &Value) -> Option<Resp> {
    match method {
        "GET" => Some(Resp::ok(Value::Array(
            st.commands.get(&scope).cloned().unwrap_or_default(),
        ))),
        "PUT" => {
            let input = body.as_array().cloned().unwrap_or_default();
            let mut out = Vec::new();
            for c in input {
                out.push(complete_command(st, scope, c));
            }
            st.commands.insert(scope, out.clone());
            Some(Resp::ok(Value::Array(out)))
        }
        "POST" => {
            let cmd = complete_command(st, scope, body.clone());
            let list = st.commands.entry(scope).or_default();
            list.retain(|c| c["name"] != cmd["name"]);
            list.push(cmd.clone());
            Some(Resp::json(201, cmd))
        }
        _ => None,
    }
}

fn complete_command(st: &mut State, scope: Option<u64>, mut c: Value) -> Value {
    let existing = st
        .commands
        .get(&scope)
        .and_then(|list| list.iter().find(|old| old["name"] == c["name"]))
        .and_then(|old| value_id(&old["id"]));
    let id = existing.unwrap_or_else(|| st.snowflake());
    let version = st.snowflake();
    if !c.is_object() {
        c = json!({});
    }
    c["id"] = json!(id.to_string());
    c["application_id"] = json!(APPLICATION_ID.to_string());
    c["version"] = json!(version.to_string());
    if c["type"].is_null() {
        c["type"] = json!(1);
    }
    if c["description"].is_null() {
        c["description"] = json!("");
    }
    if c.get("default_member_permissions").is_none() {
        c["default_member_permissions"] = Value::Null;
    }
    if c["nsfw"].is_null() {
        c["nsfw"] = json!(false);
    }
    if let Some(g) = scope {
        c["guild_id"] = json!(g.to_string());
    }
    c
}

/// Attachment objects for the file parts of a multipart body.
fn attachments_from_parts(
    inner: &Inner,
    st: &mut State,
    body: &Value,
    parts: &[MultipartPart],
) -> Vec<Value> {
    let declared = body["attachments"].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (i, p) in parts.iter().filter(|p| p.filename.is_some()).enumerate() {
        let id = st.snowflake();
        let filename = p.filename.clone().unwrap_or_default();
        let description = declared
            .iter()
            .find(|a| value_id(&a["id"]) == Some(i as u64) && a["filename"].is_string())
            .map(|a| a["description"].clone())
            .unwrap_or(Value::Null);
        let url = format!("{}/attachments/{id}/{filename}", inner.api_url);
        out.push(json!({
            "id": id.to_string(),
            "filename": filename,
            "description": description,
            "content_type": p.content_type,
            "size": p.data.len(),
            "url": url,
            "proxy_url": url,
        }));
    }
    out
}

/// Build, store and return a bot-authored message from a create-message style body.
fn new_bot_message(
    inner: &Inner,
    st: &mut State,
    channel_id: u64,
    body: &Value,
    parts: &[MultipartPart],
    interaction: Option<&str>,
) -> Value {
    let id = st.snowflake();
    let content = body["content"].as_str().unwrap_or_default();
    let mut msg = base_message(id, channel_id, bot_user_json(), content);
    for key in ["embeds", "components", "tts", "poll", "sticker_items"] {
        if !body[key].is_null() {
            msg[key] = body[key].clone();
        }
    }
    if let Some(flags) = body["flags"].as_u64() {
        msg["flags"] = json!(flags);
    }
    if body["message_reference"].is_object() {
        let mut r = body["message_reference"].clone();
        if r["channel_id"].is_null() {
            r["channel_id"] = json!(channel_id.to_string());
        }
        msg["message_reference"] = r.clone();
        msg["type"] = json!(19);
        if let Some(referenced) = value_id(&r["message_id"]).and_then(|m| st.messages.get(&m)) {
            msg["referenced_message"] = referenced.clone();
        }
    }
    // Like Discord's REST answers, these message objects carry no guild_id.
    if interaction.is_some() {
        msg["type"] = json!(20);
        msg["webhook_id"] = json!(APPLICATION_ID.to_string());
        msg["application_id"] = json!(APPLICATION_ID.to_string());
    }
    msg["attachments"] = Value::Array(attachments_from_parts(inner, st, body, parts));
    st.messages.insert(id, msg.clone());
    msg
}

/// Apply an edit body to a stored message.
fn edit_message(
    inner: &Inner,
    st: &mut State,
    mut msg: Value,
    body: &Value,
    parts: &[MultipartPart],
) -> Value {
    if let Some(obj) = body.as_object() {
        for (k, v) in obj {
            match k.as_str() {
                "attachments" | "allowed_mentions" | "file" | "payload_json" => {}
                "flags" => msg["flags"] = json!(v.as_u64().unwrap_or(0)),
                _ => {
                    msg[k.as_str()] = if v.is_null() {
                        default_for(k)
                    } else {
                        v.clone()
                    }
                }
            }
        }
    }
    let mut attachments: Vec<Value> = match body["attachments"].as_array() {
        Some(keep) => {
            let old = msg["attachments"].as_array().cloned().unwrap_or_default();
            old.into_iter()
                .filter(|a| {
                    keep.iter()
                        .any(|k| k["id"] == a["id"] && k["filename"].is_null())
                })
                .collect()
        }
        None => msg["attachments"].as_array().cloned().unwrap_or_default(),
    };
    attachments.extend(attachments_from_parts(inner, st, body, parts));
    msg["attachments"] = Value::Array(attachments);
    msg["edited_timestamp"] = json!(iso_timestamp(SystemTime::now()));
    if let Some(id) = value_id(&msg["id"]) {
        st.messages.insert(id, msg.clone());
    }
    msg
}

fn default_for(key: &str) -> Value {
    match key {
        "content" => json!(""),
        "embeds" | "components" => json!([]),
        _ => Value::Null,
    }
}

fn interaction_callback(
    inner: &Inner,
    st: &mut State,
    token: &str,
    body: &Value,
    parts: &[MultipartPart],
) -> Resp {
    let deadline = inner.options.interaction_deadline;
    let (channel_id, message_id) = match st.interactions.get_mut(token) {
        Some(info) => {
            if info.acknowledged {
                return Resp::error(400, 40060, "Interaction has already been acknowledged.");
            }
            if deadline.is_some_and(|d| info.created.elapsed() > d) {
                return Resp::error(404, 10062, "Unknown interaction");
            }
            info.acknowledged = true;
            (info.channel_id, info.message_id)
        }
        None => {
            // Not built by the fake: accept it, remember the token for followups.
            let id = st.snowflake();
            st.interactions.insert(
                token.to_string(),
                InteractionInfo {
                    id,
                    channel_id: CHANNEL_ID,
                    guild_id: Some(GUILD_ID),
                    created: Instant::now(),
                    message_id: None,
                    acknowledged: true,
                    original: None,
                },
            );
            (CHANNEL_ID, None)
        }
    };
    let data = &body["data"];
    let original = match body["type"].as_u64() {
        // CHANNEL_MESSAGE_WITH_SOURCE
        Some(4) => Some(new_bot_message(
            inner,
            st,
            channel_id,
            data,
            parts,
            Some(token),
        )),
        // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: "Bot is thinking..." (flags LOADING | data.flags)
        Some(5) => {
            let flags = data["flags"].as_u64().unwrap_or(0) | 128;
            let stub = json!({"content": "", "flags": flags});
            Some(new_bot_message(
                inner,
                st,
                channel_id,
                &stub,
                &[],
                Some(token),
            ))
        }
        // DEFERRED_UPDATE_MESSAGE / UPDATE_MESSAGE on a component's message.
        Some(6) => message_id.and_then(|m| st.messages.get(&m).cloned()),
        Some(7) => message_id
            .and_then(|m| st.messages.get(&m).cloned())
            .map(|m| edit_message(inner, st, m, data, parts)),
        // PONG, autocomplete result, modal: nothing to store.
        _ => None,
    };
    if let (Some(orig), Some(info)) = (original, st.interactions.get_mut(token)) {
        info.original = value_id(&orig["id"]);
    }
    Resp::no_content()
}

fn webhook_route(
    inner: &Inner,
    st: &mut State,
    method: &str,
    token: &str,
    rest: &[&str],
    body: &Value,
    parts: &[MultipartPart],
) -> Option<Resp> {
    let known = st
        .interactions
        .get(token)
        .map(|i| (i.acknowledged, i.original, i.channel_id, i.id));
    let unknown_webhook = || Resp::error(404, 10015, "Unknown Webhook");
    let unknown_message = || Resp::error(404, 10008, "Unknown Message");
    match (method, rest) {
        ("POST", []) => {
            // Followup: the interaction must have been acknowledged first.
            let Some((true, _, channel_id, _)) = known else {
                return Some(unknown_webhook());
            };
            // Interaction webhooks always return the message (`wait` or not).
            Some(Resp::ok(new_bot_message(
                inner,
                st,
                channel_id,
                body,
                parts,
                Some(token),
            )))
        }
        (m, ["messages", which]) => {
            let Some((acked, original, _, _)) = known else {
                return Some(unknown_webhook());
            };
            let target = if *which == "@original" {
                if !acked {
                    return Some(unknown_message());
                }
                original
            } else {
                which.parse::<u64>().ok()
            };
            let Some(target) = target else {
                return Some(unknown_message());
            };
            let Some(existing) = st.messages.get(&target).cloned() else {
                return Some(unknown_message());
            };
            match m {
                "GET" => Some(Resp::ok(existing)),
                "PATCH" => {
                    let mut msg = edit_message(inner, st, existing, body, parts);
                    // Editing a deferred response clears the LOADING flag.
                    if let Some(flags) = msg["flags"].as_u64() {
                        msg["flags"] = json!(flags & !128);
                        st.messages.insert(target, msg.clone());
                    }
                    Some(Resp::ok(msg))
                }
                "DELETE" => {
                    st.messages.remove(&target);
                    Some(Resp::no_content())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

// ------------------------------------------------------------------------------------------
// Leak guard
// ------------------------------------------------------------------------------------------

fn leak_log() -> &'static Mutex<Vec<String>> {
    static LEAKS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    LEAKS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Point `HTTPS_PROXY` at a local listener that refuses (403) and records every request, so
/// that nothing built afterwards with reqwest's default (system-proxy) settings can reach the
/// real `https://discord.com`. Also sets `NO_PROXY=127.0.0.1,localhost` so the fake itself is
/// always reached directly. Idempotent, process-wide.
pub fn install_leak_guard() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(addr) = listener.local_addr() else {
            return;
        };
        std::thread::Builder::new()
            .name("fake-discord-leak-guard".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { continue };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut buf = Vec::new();
                    let mut tmp = [0u8; 4096];
                    while find(&buf, b"\r\n\r\n").is_none() && buf.len() < 64 * 1024 {
                        match stream.read(&mut tmp) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => buf.extend_from_slice(&tmp[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&buf);
                    let line = text.lines().next().unwrap_or_default().to_string();
                    eprintln!(
                        "fake_discord: BLOCKED an outbound request to the real Discord: {line}"
                    );
                    leak_log()
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(line);
                    let _ = stream.write_all(
                        b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    );
                }
            })
            .ok();
        let proxy = format!("http://{addr}");
        let mut no_proxy = std::env::var("NO_PROXY").unwrap_or_default();
        if !no_proxy.is_empty() {
            no_proxy.push(',');
        }
        no_proxy.push_str("127.0.0.1,localhost");
        for (k, v) in [
            ("HTTPS_PROXY", proxy.as_str()),
            ("https_proxy", proxy.as_str()),
            ("NO_PROXY", no_proxy.as_str()),
            ("no_proxy", no_proxy.as_str()),
        ] {
            std::env::set_var(k, v);
        }
    });
}
