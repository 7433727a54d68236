//! Swapping in a new engine while the bot runs. Three triggers: a change in the articles
//! folder ([`super::watch`]), `/reload` (admins), and SIGHUP. The articles are read and
//! indexed again on a blocking thread while the old engine keeps answering; the new one is
//! swapped in atomically (an `Arc` under a short lock). If anything is wrong the old engine
//! keeps serving, the error (file and line) is logged and kept for `/reload`'s reply and the
//! next `/about` an admin runs, until a reload succeeds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};

use tracing::{error, info, warn};

use crate::config::Config;
use crate::engine::Engine;

/// What started a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A change in the articles folder.
    Watch,
    /// An admin's `/reload`.
    Command,
    /// SIGHUP.
    Signal,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Watch => "file change",
            Trigger::Command => "/reload",
            Trigger::Signal => "SIGHUP",
        }
    }
}

/// A successful reload.
#[derive(Debug, Clone, PartialEq)]
pub struct Reloaded {
    /// Articles now served.
    pub articles: usize,
    /// Paragraphs now served.
    pub passages: usize,
    /// How long reading and indexing took.
    pub elapsed: Duration,
}

/// A failed reload: what started it and why it failed (names the file and line when an
/// article is broken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadFailure {
    /// What started it.
    pub trigger: Trigger,
    /// The error, in words.
    pub message: String,
}

impl std::fmt::Display for ReloadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "reload after {} failed; the previous articles keep serving: {}",
            self.trigger.as_str(),
            self.message
        )
    }
}

/// The engine in use. Readers clone the `Arc` under a short read lock, never across `.await`
/// (locks that cannot be poisoned).
pub struct EngineHandle {
    current: RwLock<Arc<Engine>>,
    /// One rebuild at a time, whatever triggered it (they share the index folder).
    rebuilding: tokio::sync::Mutex<()>,
    /// The last reload's failure, until a reload succeeds.
    last_failure: Mutex<Option<ReloadFailure>>,
}

impl EngineHandle {
    /// Wraps the first engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        report_documents(&engine);
        EngineHandle {
            current: RwLock::new(engine),
            rebuilding: tokio::sync::Mutex::new(()),
            last_failure: Mutex::new(None),
        }
    }

    /// The engine to answer with now.
    pub fn current(&self) -> Arc<Engine> {
        self.current.read().clone()
    }

    /// Serves `engine` from now on.
    pub fn replace(&self, engine: Arc<Engine>) {
        report_documents(&engine);
        *self.current.write() = engine;
    }

    /// Why the last reload failed, if it did and none has succeeded since.
    pub fn last_failure(&self) -> Option<ReloadFailure> {
        self.last_failure.lock().clone()
    }

    fn set_failure(&self, failure: Option<ReloadFailure>) {
        *self.last_failure.lock() = failure;
    }

    /// Loads the articles again (SIGHUP); true if the new articles are served.
    pub async fn reload(&self, config: &Config) -> bool {
        self.reload_for(config, Trigger::Signal).await.is_ok()
    }

    /// Loads the articles again on a blocking thread; on success serves the new engine, else
    /// keeps the old one and remembers why.
    pub async fn reload_for(
        &self,
        config: &Config,
        trigger: Trigger,
    ) -> Result<Reloaded, ReloadFailure> {
        let _one_at_a_time = self.rebuilding.lock().await;
        let started = Instant::now();
        let config = config.clone();
        // Taught answers outlive the articles they were taught on: the new engine consults
        // the same set (an answer whose passage is gone is simply not applied).
        let taught = self.current().taught().clone();
        let loaded = tokio::task::spawn_blocking(move || {
            Engine::from_config(&config).map(|engine| engine.with_taught(taught))
        })
        .await;
        let message = match loaded {
            Ok(Ok(engine)) => {
                let reloaded = Reloaded {
                    articles: engine.summary().articles.len(),
                    passages: engine.summary().passages,
                    elapsed: started.elapsed(),
                };
                info!(
                    trigger = trigger.as_str(),
                    articles = reloaded.articles,
                    passages = reloaded.passages,
                    elapsed_ms = reloaded.elapsed.as_millis() as u64,
                    "articles reloaded"
                );
                self.replace(Arc::new(engine));
                self.set_failure(None);
                return Ok(reloaded);
            }
            // Names the file and line: "dir/x.md:3: marker [9] has no footnote definition".
            Ok(Err(err)) => err.to_string(),
            Err(err) => format!("the reload task failed: {err}"),
        };
        let failure = ReloadFailure { trigger, message };
        error!(
            trigger = trigger.as_str(),
            error = %failure.message,
            "reload failed; the previous articles keep serving"
        );
        self.set_failure(Some(failure.clone()));
        Err(failure)
    }
}

/// Reloads on every SIGHUP until the process ends.
pub async fn reload_on_sighup(handle: Arc<EngineHandle>, config: Config) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangup = match signal(SignalKind::hangup()) {
            Ok(s) => s,
            Err(err) => {
                warn!(error = %err, "cannot listen for SIGHUP; reload disabled");
                return;
            }
        };
        while hangup.recv().await.is_some() {
            info!("SIGHUP: reloading articles");
            let _ = handle.reload_for(&config, Trigger::Signal).await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (handle, config);
    }
}

/// Tells the health state and the metrics how many documents the served index has, and
/// which model answers.
fn report_documents(engine: &Engine) {
    let summary = engine.summary();
    let health = crate::service::health::global();
    health.set_documents((summary.passages + summary.points) as u64);
    health.set_model(&engine.model().name);
}
