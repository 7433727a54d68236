//! The question log: what people asked, what the bot answered, and their votes, in SQLite
//! (default) or PostgreSQL. A front end (the bot, the console chat) hands rows to [`Store`],
//! which never blocks and never fails an answer: rows go through a bounded queue to a writer
//! on its own thread that writes them in batches; when the queue is full or the database is
//! down, rows are dropped and counted. [`report`] reads the log back.
//!
//! Beside the core, like the front ends: it may use the core (markup stripping for
//! normalising), the core never uses it.

pub mod channels;
pub mod db;
pub mod hash;
pub mod overview;
pub mod report;
pub mod taught;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::config::StoreConfig;
use crate::source::Source;
use channels::{ChannelSettings, Cursor};
use db::{Db, QuestionRow, Target, VoteRow};
use hash::Hasher;

/// Rows waiting for the writer at most; beyond that new rows are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 10_000;
/// Longest wait for queued rows when the bot or the console chat stops.
pub const FLUSH_LIMIT: Duration = Duration::from_secs(2);
/// Rows written per transaction at most.
const MAX_BATCH: usize = 512;
/// How long the writer lets rows gather after the first one of a batch (unless a flush or a
/// read is waiting, or the batch is full): one transaction per burst instead of one per
/// question, and one wake-up of the writer thread per batch instead of one per row.
const LINGER: Duration = Duration::from_millis(100);
/// Longest wait for a read through the writer (`/gaps`).
const QUERY_LIMIT: Duration = Duration::from_secs(10);
/// How often old rows are deleted.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// Shortest and longest wait before reconnecting to a database that failed.
const RECONNECT_MIN: Duration = Duration::from_millis(500);
const RECONNECT_MAX: Duration = Duration::from_secs(30);
/// At most one "rows dropped" warning per this interval (the count is in it).
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Why the store cannot start (a configuration problem; an unreachable database is not one).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Bad URL.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// No hash key.
    #[error(transparent)]
    Key(#[from] hash::KeyError),
    /// The writer thread could not be started.
    #[error("cannot start the store writer: {0}")]
    Thread(std::io::Error),
}

/// What became of a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Answered with this passage.
    Answered {
        /// Passage id.
        passage: String,
        /// Its score.
        score: f32,
        /// Share of the question it covers.
        coverage: f32,
    },
    /// Searched; nothing good enough.
    NoAnswer,
    /// Over the length limit.
    TooLong,
    /// Nothing to search (only a mention or markup).
    Empty,
    /// Refused by the rate limiter.
    Throttled,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Answered { .. } => "answered",
            Outcome::NoAnswer => "no_answer",
            Outcome::TooLong => "too_long",
            Outcome::Empty => "empty",
            Outcome::Throttled => "throttled",
        }
    }

    /// The outcome of an engine response.
    pub fn of(response: &crate::answer::Response) -> Outcome {
        match &response.answer {
            Some(hit) => Outcome::Answered {
                passage: hit.passage.id.to_string(),
                score: hit.score,
                coverage: hit.coverage,
            },
            None => Outcome::NoAnswer,
        }
    }
}

/// One question to record.
#[derive(Debug, Clone)]
pub struct Asked<'a> {
    /// The answer's id (from [`Store::new_answer_id`]; the feedback buttons carry it).
    pub answer_id: u64,
    /// Where it came from.
    pub source: Source,
    /// Guild (none in DMs and the console).
    pub guild: Option<u64>,
    /// Channel (none in the console).
    pub channel: Option<u64>,
    /// The asker's user id (only its keyed hash is stored).
    pub user: u64,
    /// The question as asked.
    pub question: &'a str,
    /// What became of it.
    pub outcome: Outcome,
    /// Question received → answer ready.
    pub latency: Duration,
}

/// A question on its way to the writer, as the front end gave it. The writer hashes the user
/// and normalises the text: the answering threads only copy the question, and the row's
/// strings are made and freed on the writer's thread.
struct PendingQuestion {
    answer_id: u64,
    at: i64,
    source: Source,
    outcome: Outcome,
    guild: Option<u64>,
    channel: Option<u64>,
    user: u64,
    /// `None` when `log_question_text` is off.
    question: Option<String>,
    latency_us: i64,
}

/// A vote on its way to the writer.
struct PendingVote {
    answer_id: u64,
    user: u64,
    helpful: bool,
    guild: Option<u64>,
    at: i64,
}

enum Message {
    Question(PendingQuestion),
    Vote(PendingVote),
    /// Everything queued before this is written (or dropped) when the sender is told.
    Flush(std::sync::mpsc::Sender<()>),
    /// The newest message seen in a channel (the writer keeps the largest id per channel).
    Cursor(Cursor),
    /// A read or a setting someone waits for (after writing what was queued before).
    Call(Call),
    /// Any read or write on the database, run by the writer after the rows queued before it
    /// (the admin page, taught answers). Dropped unrun when the database is unavailable.
    Run(DbTask),
}

/// The answer to a [`Call`]: the result, or why there is none, in words.
type Answer<T> = tokio::sync::oneshot::Sender<Result<T, String>>;

/// What a caller waits on the writer for.
enum Call {
    /// The most frequent unanswered questions.
    TopUnanswered(report::Filter, Answer<Vec<report::Unanswered>>),
    /// Every channel's cursor.
    Cursors(Answer<Vec<Cursor>>),
    /// Every channel's settings.
    Settings(Answer<Vec<ChannelSettings>>),
    /// A change to one channel's settings.
    Change {
        channel: u64,
        guild: Option<u64>,
        change: channels::Change,
        answer: Answer<()>,
    },
}

/// Work [`Store::with_db`] hands the writer: it gets the open database and sends its own
/// result back.
type DbTask = Box<
    dyn for<'a> FnOnce(&'a mut Db) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>
        + Send,
>;

/// The future a [`Store::with_db`] closure returns.
pub type DbFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, db::DbError>> + 'a>>;

impl Message {
    /// Someone waits for this message's answer: the writer does not let its batch linger.
    fn is_awaited(&self) -> bool {
        matches!(self, Message::Flush(_) | Message::Call(_) | Message::Run(_))
    }
}

/// The handle front ends record through. Cheap to share (`Arc`); every call returns at once.
pub struct Store {
    queue: mpsc::Sender<Message>,
    log_question_text: bool,
    dropped: Arc<AtomicU64>,
    id_seed: u64,
    next_id: AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("log_question_text", &self.log_question_text)
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Starts the store described by `[store]`, or `None` when it is disabled. Fails only on
    /// configuration errors (a bad URL, PostgreSQL without `SUMMIT_HASH_KEY`); a database
    /// that cannot be reached is retried in the background while rows are dropped.
    pub fn start(config: &StoreConfig) -> Result<Option<Arc<Store>>, StoreError> {
        if !config.enabled {
            return Ok(None);
        }
        let target = Target::parse(&config.url)?;
        let env_key = std::env::var(hash::KEY_ENV).ok();
        let key = match hash::load_key(env_key, target.sqlite_folder().as_deref()) {
            Ok(key) => key,
            Err(hash::KeyError::Missing) => return Err(hash::KeyError::Missing.into()),
            Err(error) => {
                // The folder is unwritable: rows cannot be written there either, but answers
                // must go out, and ids must still never be stored raw.
                warn!(%error, "store: cannot read or create the hash key; using a key for this run only");
                hash::ephemeral_key()
            }
        };
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let dropped = Arc::new(AtomicU64::new(0));
        let writer = Writer {
            target: target.clone(),
            hasher: Hasher::new(&key),
            retention_days: config.retention_days,
            dropped: dropped.clone(),
            db: None,
            next_connect: Instant::now(),
            reconnect_wait: RECONNECT_MIN,
            last_warning: None,
            unwarned: 0,
        };
        std::thread::Builder::new()
            .name("summit-store".to_string())
            .spawn(move || writer.run(receiver))
            .map_err(StoreError::Thread)?;
        let seed_bytes = hash::ephemeral_key();
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&seed_bytes[..8]);
        info!(target = ?target, retention_days = config.retention_days, log_question_text = config.log_question_text, "question log on");
        Ok(Some(Arc::new(Store {
            queue,
            log_question_text: config.log_question_text,
            dropped,
            id_seed: u64::from_le_bytes(seed),
            next_id: AtomicU64::new(0),
        })))
    }

    /// A fresh answer id: random per process, then counting, so ids from several processes
    /// (shards on one PostgreSQL) do not collide.
    pub fn new_answer_id(&self) -> u64 {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        // An odd multiplier is a bijection on u64: distinct counters give distinct ids.
        self.id_seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// Queues a question. Never blocks: a full queue drops the row (counted).
    pub fn record_question(&self, asked: Asked<'_>) {
        self.enqueue(Message::Question(PendingQuestion {
            answer_id: asked.answer_id,
            at: db::unix_now(),
            source: asked.source,
            outcome: asked.outcome,
            guild: asked.guild,
            channel: asked.channel,
            user: asked.user,
            question: self.log_question_text.then(|| asked.question.to_string()),
            latency_us: asked.latency.as_micros().min(i64::MAX as u128) as i64,
        }));
    }

    /// Queues a vote: `user` finds answer `answer_id` helpful or not (a later vote replaces it).
    pub fn record_vote(&self, answer_id: u64, user: u64, helpful: bool, guild: Option<u64>) {
        self.enqueue(Message::Vote(PendingVote {
            answer_id,
            user,
            helpful,
            guild,
            at: db::unix_now(),
        }));
    }

    fn enqueue(&self, message: Message) {
        if self.queue.try_send(message).is_err() {
            let total = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            // Powers of two: a full queue warns a handful of times, not once per question.
            if total.is_power_of_two() {
                warn!(
                    dropped_total = total,
                    "store queue full: question log rows dropped"
                );
            }
        }
    }

    /// Rows dropped so far (queue full or database unavailable).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The ten most frequent unanswered questions matching `filter` (for `/gaps`), read by the
    /// writer after the rows queued so far, so they include the latest questions.
    pub async fn top_unanswered(
        &self,
        filter: report::Filter,
    ) -> Result<Vec<report::Unanswered>, String> {
        self.call(|answer| Call::TopUnanswered(filter, answer))
            .await
    }

    /// Queues the newest message seen in a channel. Never blocks; a dropped cursor only means
    /// a catch-up reads a little more than it needs to.
    pub fn record_cursor(&self, cursor: Cursor) {
        self.enqueue(Message::Cursor(cursor));
    }

    /// Every channel's cursor (after writing those queued so far).
    pub async fn cursors(&self) -> Result<Vec<Cursor>, String> {
        self.call(Call::Cursors).await
    }

    /// Every channel's settings.
    pub async fn channel_settings(&self) -> Result<Vec<ChannelSettings>, String> {
        self.call(Call::Settings).await
    }

    /// Changes one channel's settings; returns once it is written.
    pub async fn change_channel(
        &self,
        channel: u64,
        guild: Option<u64>,
        change: channels::Change,
    ) -> Result<(), String> {
        self.call(|answer| Call::Change {
            channel,
            guild,
            change,
            answer,
        })
        .await
    }

    /// Sends a call to the writer and waits (bounded) for its answer.
    async fn call<T>(&self, make: impl FnOnce(Answer<T>) -> Call) -> Result<T, String> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.queue
            .send_timeout(Message::Call(make(reply)), QUERY_LIMIT)
            .await
            .map_err(|_| "the store is busy".to_string())?;
        match tokio::time::timeout(QUERY_LIMIT, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the store stopped".to_string()),
            Err(_) => Err("the store did not answer in time".to_string()),
        }
    }

    /// Runs `task` on the open database, after every row queued so far is written (the
    /// writer owns the connection; SQLite never sees two writers). Fails in words when the
    /// database is unavailable or busy, never blocks an answer.
    pub async fn with_db<T, F>(&self, task: F) -> Result<T, String>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Db) -> DbFuture<'a, T> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let run: DbTask = Box::new(move |db| {
            Box::pin(async move {
                let _ = reply.send(task(db).await.map_err(|e| e.to_string()));
            })
        });
        self.queue
            .send_timeout(Message::Run(run), QUERY_LIMIT)
            .await
            .map_err(|_| "the question log is busy".to_string())?;
        match tokio::time::timeout(QUERY_LIMIT, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the question log's database is unavailable".to_string()),
            Err(_) => Err("the question log did not answer in time".to_string()),
        }
    }

    /// Waits (blocking, at most `limit`) until every row queued so far is written or dropped.
    /// Returns whether that happened in time. Call from a blocking context (not an async
    /// task): `tokio::task::spawn_blocking(move || store.flush(limit))`.
    pub fn flush(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let (done, wait) = std::sync::mpsc::channel();
        let mut message = Message::Flush(done);
        loop {
            match self.queue.try_send(message) {
                Ok(()) => break,
                Err(mpsc::error::TrySendError::Closed(_)) => return false,
                Err(mpsc::error::TrySendError::Full(back)) => {
                    if Instant::now() >= deadline {
                        return false;
                    }
                    message = back;
                    // The queue is draining: try again shortly.
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        wait.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    }
}

/// An answer id as stored and as carried by buttons: 16 hex digits.
pub fn answer_id_text(id: u64) -> String {
    format!("{id:016x}")
}

/// A question reduced for grouping: chat markup removed, lowercase, punctuation dropped,
/// spaces folded ("Is there a **hotline**?" and "is there a hotline" group together).
pub fn normalise(question: &str) -> String {
    let stripped = crate::retrieve::markup::strip_discord_markup(question);
    let mut out = String::with_capacity(stripped.len());
    for word in stripped
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.trim_matches('\'').is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.trim_matches('\'').chars().flat_map(char::to_lowercase));
    }
    out
}

/// The writer: owns the connection, on its own thread with its own small runtime, so
/// SQLite's blocking calls never touch the threads that answer questions.
struct Writer {
    target: Target,
    hasher: Hasher,
    retention_days: u32,
    dropped: Arc<AtomicU64>,
    db: Option<Db>,
    next_connect: Instant,
    reconnect_wait: Duration,
    last_warning: Option<Instant>,
    unwarned: u64,
}

impl Writer {
    fn run(mut self, receiver: mpsc::Receiver<Message>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                warn!(%error, "store: cannot start the writer; nothing will be recorded");
                return;
            }
        };
        runtime.block_on(self.serve(receiver));
    }

    async fn serve(&mut self, mut receiver: mpsc::Receiver<Message>) {
        let mut retention = tokio::time::interval(RETENTION_EVERY);
        let mut batch: Vec<Message> = Vec::with_capacity(MAX_BATCH);
        loop {
            tokio::select! {
                received = receiver.recv_many(&mut batch, MAX_BATCH) => {
                    if received == 0 {
                        break; // every sender is gone and the queue is empty
                    }
                    if batch.len() < MAX_BATCH && !batch.iter().any(Message::is_awaited) {
                        // Linger for more rows, but stop as soon as someone waits on the
                        // writer (a flush, `/gaps`): they are served at once, not after LINGER.
                        let linger = tokio::time::sleep(LINGER);
                        tokio::pin!(linger);
                        while batch.len() < MAX_BATCH {
                            tokio::select! {
                                _ = &mut linger => break,
                                message = receiver.recv() => match message {
                                    Some(message) => {
                                        let awaited = message.is_awaited();
                                        batch.push(message);
                                        if awaited {
                                            break;
                                        }
                                    }
                                    None => break,
                                },
                            }
                        }
                    }
                    self.handle(std::mem::take(&mut batch)).await;
                }
                _ = retention.tick() => self.apply_retention().await,
            }
        }
    }

    /// Writes a batch's rows in one transaction, then tells those waiting for a flush and
    /// answers reads (which so see every row queued before them).
    async fn handle(&mut self, batch: Vec<Message>) {
        let mut questions = Vec::new();
        let mut votes = Vec::new();
        let mut flushes = Vec::new();
        let mut calls = Vec::new();
        let mut cursors: std::collections::BTreeMap<u64, Cursor> = Default::default();
        let mut tasks = Vec::new();
        for message in batch {
            match message {
                Message::Question(q) => questions.push(self.question_row(q)),
                Message::Vote(v) => votes.push(self.vote_row(v)),
                Message::Flush(done) => flushes.push(done),
                Message::Cursor(c) => {
                    let kept = cursors.entry(c.channel).or_insert(c);
                    if c.last_message > kept.last_message {
                        *kept = c;
                    }
                }
                Message::Call(call) => calls.push(call),
                Message::Run(task) => tasks.push(task),
            }
        }
        if !questions.is_empty() || !votes.is_empty() {
            self.write(&questions, &votes).await;
        }
        if !cursors.is_empty() {
            let cursors: Vec<Cursor> = cursors.into_values().collect();
            if let Err(error) = self.cursors(&cursors).await {
                warn!(%error, "store: channel cursors not written");
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
        for call in calls {
            self.answer(call).await;
        }
        for task in tasks {
            // Without a database the task is dropped: its caller hears "unavailable".
            if let Some(db) = self.db().await {
                task(db).await;
            }
        }
    }

    async fn cursors(&mut self, cursors: &[Cursor]) -> Result<(), String> {
        let Some(db) = self.db().await else {
            return Err("the database is unavailable".to_string());
        };
        let written = channels::advance_cursors(db, cursors, db::unix_now()).await;
        if written.is_err() {
            self.db = None; // reconnect before the next batch
        }
        written.map_err(|e| e.to_string())
    }

    /// Runs one call and sends its answer.
    async fn answer(&mut self, call: Call) {
        fn send<T>(answer: Answer<T>, result: Result<T, db::DbError>) {
            let _ = answer.send(result.map_err(|e| e.to_string()));
        }
        let Some(db) = self.db().await else {
            let unavailable = "the store's database is unavailable".to_string();
            match call {
                Call::TopUnanswered(_, a) => drop(a.send(Err(unavailable))),
                Call::Cursors(a) => drop(a.send(Err(unavailable))),
                Call::Settings(a) => drop(a.send(Err(unavailable))),
                Call::Change { answer, .. } => drop(answer.send(Err(unavailable))),
            }
            return;
        };
        match call {
            Call::TopUnanswered(filter, answer) => send(
                answer,
                report::top_unanswered(db, &filter, report::TOP).await,
            ),
            Call::Cursors(answer) => send(answer, channels::cursors(db).await),
            Call::Settings(answer) => send(answer, channels::settings(db).await),
            Call::Change {
                channel,
                guild,
                change,
                answer,
            } => send(
                answer,
                channels::change(db, channel, guild, &change, db::unix_now()).await,
            ),
        }
    }

    /// The row for a question: the user hashed, the text normalised for grouping.
    fn question_row(&self, q: PendingQuestion) -> QuestionRow {
        let outcome = q.outcome.as_str();
        let (passage, score, coverage) = match q.outcome {
            Outcome::Answered {
                passage,
                score,
                coverage,
            } => (
                Some(passage),
                Some(f64::from(score)),
                Some(f64::from(coverage)),
            ),
            _ => (None, None, None),
        };
        QuestionRow {
            id: answer_id_text(q.answer_id),
            at: q.at,
            source: q.source.as_str(),
            outcome,
            guild: q.guild.map(|g| g as i64),
            channel: q.channel.map(|c| c as i64),
            asker: self.hasher.user(q.user),
            normalised: q.question.as_deref().map(normalise),
            question: q.question,
            passage,
            score,
            coverage,
            latency_us: q.latency_us,
        }
    }

    fn vote_row(&self, v: PendingVote) -> VoteRow {
        VoteRow {
            answer: answer_id_text(v.answer_id),
            voter: self.hasher.user(v.user),
            helpful: v.helpful,
            guild: v.guild.map(|g| g as i64),
            at: v.at,
        }
    }

    /// The open database, connecting (and migrating) if it is time to try.
    async fn db(&mut self) -> Option<&mut Db> {
        if self.db.is_none() && Instant::now() >= self.next_connect {
            match Db::connect(&self.target).await {
                Ok(db) => {
                    info!(target = ?self.target, "store: database open");
                    self.db = Some(db);
                    self.reconnect_wait = RECONNECT_MIN;
                }
                Err(error) => {
                    warn!(%error, retry_in_ms = self.reconnect_wait.as_millis() as u64, "store: cannot open the database");
                    self.next_connect = Instant::now() + self.reconnect_wait;
                    self.reconnect_wait = (self.reconnect_wait * 2).min(RECONNECT_MAX);
                }
            }
        }
        self.db.as_mut()
    }

    async fn write(&mut self, questions: &[QuestionRow], votes: &[VoteRow]) {
        let rows = (questions.len() + votes.len()) as u64;
        let error = match self.db().await {
            Some(db) => match db.write(questions, votes).await {
                Ok(()) => return,
                Err(error) => {
                    self.db = None; // reconnect before the next batch
                    Some(error.to_string())
                }
            },
            None => None,
        };
        let total = self.dropped.fetch_add(rows, Ordering::Relaxed) + rows;
        self.unwarned += rows;
        let due = self.last_warning.is_none_or(|t| t.elapsed() >= WARN_EVERY);
        if due || error.is_some() {
            warn!(
                dropped = self.unwarned,
                dropped_total = total,
                error = error.as_deref().unwrap_or("database unavailable"),
                "store: question log rows dropped"
            );
            self.last_warning = Some(Instant::now());
            self.unwarned = 0;
        }
    }

    async fn apply_retention(&mut self) {
        if self.retention_days == 0 {
            return;
        }
        let cutoff = db::unix_now() - i64::from(self.retention_days) * 86_400;
        if let Some(db) = self.db().await {
            match db.delete_older_than(cutoff).await {
                Ok(0) => {}
                Ok(deleted) => info!(deleted, "store: deleted rows past retention"),
                Err(error) => {
                    warn!(%error, "store: retention failed");
                    self.db = None;
                }
            }
        }
    }
}

/// Runs a store future to completion on a one-thread runtime, for the store's unit tests.
#[cfg(test)]
pub(crate) fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a one-thread runtime starts")
        .block_on(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_groups_the_same_question() {
        assert_eq!(normalise("Is there a **hotline**?"), "is there a hotline");
        assert_eq!(normalise("  is THERE a   hotline  "), "is there a hotline");
        assert_eq!(normalise("<@123> What's the deal?!"), "what's the deal");
        assert_eq!(normalise("???"), "");
    }

    #[test]
    fn answer_ids_are_distinct_and_sixteen_hex_digits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::start(&StoreConfig {
            enabled: true,
            url: format!("sqlite://{}/x.db", dir.path().display()),
            ..StoreConfig::default()
        });
        let store = store.unwrap().unwrap();
        let a = store.new_answer_id();
        let b = store.new_answer_id();
        assert_ne!(a, b);
        assert_eq!(answer_id_text(a).len(), 16);
    }

    fn asked(store: &Store, user: u64, question: &str, outcome: Outcome) -> u64 {
        let answer_id = store.new_answer_id();
        store.record_question(Asked {
            answer_id,
            source: Source::Mention,
            guild: Some(7),
            channel: Some(8),
            user,
            question,
            outcome,
            latency: Duration::from_micros(1500),
        });
        answer_id
    }

    #[test]
    fn rows_reach_sqlite_in_batches_and_the_report_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/log/summit.db", dir.path().display());
        let store = Store::start(&StoreConfig {
            url: url.clone(),
            ..StoreConfig::default()
        })
        .unwrap()
        .unwrap();
        let hotline = Outcome::Answered {
            passage: "a:2.4".into(),
            score: 1.5,
            coverage: 0.9,
        };
        let first = asked(&store, 1, "Is there a hotline?", hotline.clone());
        asked(&store, 2, "What about pizza?", Outcome::NoAnswer);
        asked(&store, 3, "what about PIZZA", Outcome::NoAnswer);
        asked(&store, 3, "Too long", Outcome::TooLong);
        store.record_vote(first, 2, true, Some(7));
        store.record_vote(first, 3, true, Some(7));
        store.record_vote(first, 3, false, Some(7)); // changes user 3's vote
        assert!(store.flush(Duration::from_secs(30)));
        assert_eq!(store.dropped(), 0);

        let mut db = block_on(Db::connect(&Target::parse(&url).unwrap())).unwrap();
        let report = block_on(report::build(&mut db, &report::Filter::default())).unwrap();
        assert_eq!(report.questions, 4);
        assert_eq!(report.answered, 1);
        assert_eq!(report.no_answer, 3);
        assert_eq!(report.askers, 3);
        assert_eq!(
            report.top_unanswered,
            vec![report::Unanswered {
                question: "What about pizza?".into(),
                count: 2
            }]
        );
        assert_eq!(
            report.feedback,
            report::Feedback {
                helpful: 1,
                not_helpful: 1
            }
        );
        assert_eq!(report.least_helpful[0].passage, "a:2.4");
        assert_eq!(report.by_hour_utc.iter().sum::<u64>(), 4);
        let other_guild = report::Filter {
            guild: Some(99),
            ..Default::default()
        };
        let empty = block_on(report::build(&mut db, &other_guild)).unwrap();
        assert_eq!(empty.questions, 0);
        // No raw user id is stored.
        let askers = block_on(db.query("SELECT asker FROM questions", &[])).unwrap();
        assert!(askers
            .iter()
            .all(|r| r[0].text().is_some_and(|t| t.len() == 32)));
    }

    #[test]
    fn an_unwritable_folder_drops_rows_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the database's folder should be: nothing can be created there.
        let blocker = dir.path().join("not-a-folder");
        std::fs::write(&blocker, b"x").unwrap();
        let store = Store::start(&StoreConfig {
            url: format!("sqlite://{}/summit.db", blocker.display()),
            ..StoreConfig::default()
        })
        .unwrap()
        .unwrap();
        let started = Instant::now();
        for i in 0..100 {
            asked(&store, i, "q", Outcome::NoAnswer);
        }
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(store.flush(Duration::from_secs(30)));
        assert_eq!(store.dropped(), 100);
    }
}
