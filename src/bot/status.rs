//! Status for the service parts: counts gateway reconnects into the metrics (a shard's READY
//! after its first is a re-IDENTIFY, RESUMED a resume), keeps [`crate::service::health`]'s
//! shard counts current from serenity's shard manager, and copies the question log's drop
//! count into the metrics.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use poise::serenity_prelude as serenity;
use serenity::{async_trait, ConnectionStage, ShardManager};

use super::gateway::ShardSet;
use crate::service::{health, metrics};

/// How often the shard states are copied into the health state.
const SHARD_POLL: Duration = Duration::from_millis(200);

/// A serenity event handler beside poise's: it sees every shard's READY and RESUMED.
#[derive(Debug, Default)]
pub struct GatewayStatus {
    /// Shards that have had their first READY.
    identified: Mutex<HashSet<u32>>,
}

#[async_trait]
impl serenity::EventHandler for GatewayStatus {
    async fn ready(&self, ctx: serenity::Context, _ready: serenity::Ready) {
        let first = self.identified.lock().insert(ctx.shard_id.0);
        if !first {
            metrics::gateway_reconnect(metrics::Reconnect::Identify);
        }
    }

    async fn resume(&self, _ctx: serenity::Context, _event: serenity::ResumedEvent) {
        metrics::gateway_reconnect(metrics::Reconnect::Resume);
    }
}

/// How often the question log's drop count is copied into the metrics.
const STORE_POLL: Duration = Duration::from_secs(1);

/// Copies the question log's count of dropped rows into the metrics until the store is gone
/// (the store, a peer of the metrics, keeps its own count and knows nothing of them).
pub fn watch_store(store: &Arc<crate::store::Store>) {
    let store = Arc::downgrade(store);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(STORE_POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(store) = store.upgrade() else {
                return;
            };
            metrics::store_dropped_total(store.dropped());
        }
    });
}

/// Copies how many of `shards` are connected into the health state until the shard manager
/// is gone. serenity updates a runner's stage as soon as it changes (READY, RESUMED, a
/// close), and a restarting shard has no runner, so it counts as not connected.
pub fn watch_shards(manager: &Arc<ShardManager>, shards: ShardSet) {
    let manager = Arc::downgrade(manager);
    health::global().set_shards(0, shards.len());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SHARD_POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(manager) = manager.upgrade() else {
                return;
            };
            let connected = manager
                .runners
                .lock()
                .await
                .iter()
                .filter(|(id, runner)| {
                    shards.ids().contains(&id.0) && runner.stage == ConnectionStage::Connected
                })
                .count() as u32;
            health::global().set_shards(connected, shards.len());
        }
    });
}
