//! Swapping in a new engine while the bot runs: on SIGHUP the articles are read and indexed
//! again; if anything is wrong the old engine keeps serving and the error is logged.

use std::sync::Arc;

use parking_lot::RwLock;

use tracing::{error, info, warn};

use crate::config::Config;
use crate::engine::Engine;

/// The engine in use. Readers clone the `Arc` under a short read lock, never across `.await`
/// (a lock that cannot be poisoned).
pub struct EngineHandle {
    current: RwLock<Arc<Engine>>,
}

impl EngineHandle {
    /// Wraps the first engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        EngineHandle {
            current: RwLock::new(engine),
        }
    }

    /// The engine to answer with now.
    pub fn current(&self) -> Arc<Engine> {
        self.current.read().clone()
    }

    /// Serves `engine` from now on.
    pub fn replace(&self, engine: Arc<Engine>) {
        *self.current.write() = engine;
    }

    /// Loads the articles again; on success serves the new engine, else keeps the old one.
    pub async fn reload(&self, config: &Config) -> bool {
        let config = config.clone();
        let loaded = tokio::task::spawn_blocking(move || Engine::from_config(&config)).await;
        match loaded {
            Ok(Ok(engine)) => {
                info!(passages = engine.summary().passages, "articles reloaded");
                self.replace(Arc::new(engine));
                true
            }
            Ok(Err(err)) => {
                error!(
                    error = format!("{err:#}"),
                    "reload failed; the previous articles keep serving"
                );
                false
            }
            Err(err) => {
                error!(error = %err, "reload task failed; the previous articles keep serving");
                false
            }
        }
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
            handle.reload(&config).await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (handle, config);
    }
}
