//! What `/healthz` reports: whether the index is loaded, how many shards are connected, and
//! which model answers.
//! One process-wide [`Health`] ([`global`]), fed by the bot (shard states, the engine on
//! start and reload) and read by the HTTP endpoint.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::OnceLock;

use serde::Serialize;

/// Health state shared by the bot and the endpoint.
#[derive(Debug)]
pub struct Health {
    /// Documents in the served index; `u64::MAX` until an index is loaded.
    documents: AtomicU64,
    shards_connected: AtomicU32,
    shards_total: AtomicU32,
    /// Every shard has been connected at least once (later gaps are "reconnecting").
    was_up: AtomicBool,
    /// Which model answers (set with the engine).
    model: parking_lot::Mutex<String>,
}

/// The `/healthz` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    /// `ok`, `starting`, `reconnecting` or `index_missing`.
    pub status: &'static str,
    /// Connected shards of those this process runs.
    pub shards: ShardCounts,
    /// Documents (passages and points) in the served index; 0 while it is missing.
    pub documents: u64,
    /// The model that answers ("all-mpnet-base-v2", "minilm-static"); empty until known.
    pub model: String,
}

/// Shards connected out of those run here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShardCounts {
    /// Shards with a live session.
    pub connected: u32,
    /// Shards this process runs (0 until the bot knows).
    pub total: u32,
}

impl HealthReport {
    /// 200 only when everything is up.
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}

impl Default for Health {
    fn default() -> Self {
        Health {
            documents: AtomicU64::new(u64::MAX),
            shards_connected: AtomicU32::new(0),
            shards_total: AtomicU32::new(0),
            was_up: AtomicBool::new(false),
            model: parking_lot::Mutex::new(String::new()),
        }
    }
}

impl Health {
    /// An index with `documents` documents is being served.
    pub fn set_documents(&self, documents: u64) {
        self.documents.store(documents, Ordering::SeqCst);
        super::metrics::index_documents(documents);
    }

    /// `model` answers questions.
    pub fn set_model(&self, model: &str) {
        *self.model.lock() = model.to_string();
    }

    /// `connected` of `total` shards have a live session.
    pub fn set_shards(&self, connected: u32, total: u32) {
        self.shards_total.store(total, Ordering::SeqCst);
        self.shards_connected.store(connected, Ordering::SeqCst);
        if total > 0 && connected >= total {
            self.was_up.store(true, Ordering::SeqCst);
        }
    }

    /// The state now.
    pub fn report(&self) -> HealthReport {
        let documents = self.documents.load(Ordering::SeqCst);
        let shards = ShardCounts {
            connected: self.shards_connected.load(Ordering::SeqCst),
            total: self.shards_total.load(Ordering::SeqCst),
        };
        let status = if documents == u64::MAX {
            "index_missing"
        } else if shards.total > 0 && shards.connected >= shards.total {
            "ok"
        } else if self.was_up.load(Ordering::SeqCst) {
            "reconnecting"
        } else {
            "starting"
        };
        HealthReport {
            status,
            shards,
            documents: if documents == u64::MAX { 0 } else { documents },
            model: self.model.lock().clone(),
        }
    }
}

/// The process's health state.
pub fn global() -> &'static Health {
    static HEALTH: OnceLock<Health> = OnceLock::new();
    HEALTH.get_or_init(Health::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_index_and_shards() {
        let health = Health::default();
        assert_eq!(health.report().status, "index_missing");
        health.set_shards(1, 1);
        assert_eq!(health.report().status, "index_missing");
        let health = Health::default();
        health.set_documents(30);
        health.set_model("minilm-static");
        assert_eq!(health.report().status, "starting");
        health.set_shards(1, 2);
        assert_eq!(health.report().status, "starting");
        health.set_shards(2, 2);
        let report = health.report();
        assert!(report.is_ok());
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::json!({"status": "ok", "shards": {"connected": 2, "total": 2}, "documents": 30, "model": "minilm-static"})
        );
        health.set_shards(1, 2);
        assert_eq!(health.report().status, "reconnecting");
        health.set_shards(2, 2);
        assert_eq!(health.report().status, "ok");
    }
}
