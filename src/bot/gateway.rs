//! Working around two behaviours of serenity 0.12.5's shard manager (read from
//! `gateway/bridge/{shard_manager,shard_queuer,shard_runner}.rs`):
//!
//! * **Re-IDENTIFY stalls 5 s.** When a shard must IDENTIFY again (op 9 `d: false`, missed
//!   heartbeat ACKs, a failed RESUME) its runner calls `ShardManager::restart_shard` from inside
//!   its own loop. `restart` → `shutdown` asks the queuer to stop that runner and then waits up
//!   to 5 s (a hard-coded timeout) for the runner's "shutdown finished" notice, which the
//!   runner cannot send because it is the one waiting. After the timeout the shard is started
//!   again, and `restart_shard` then sends the notice, which stays queued and makes the *next*
//!   restart immediate. So only the first re-IDENTIFY of a process pays the 5 s. We queue one
//!   notice per shard up front with the public [`ShardManager::shutdown_finished`]
//!   ([`prime_restart_notices`]), so every restart finds one and proceeds at once. The other
//!   5 s in that code, the queuer's spacing between IDENTIFYs, is Discord's own limit (one
//!   IDENTIFY per 5 s per `max_concurrency` bucket) and stays.
//!
//! * **Shutdown returns early or hangs.** With a notice queued (primed, or left over from a
//!   restart), `shutdown_all` returns before the runner has closed its WebSocket, so the process
//!   could exit without a clean close. And `shutdown_all` returns without stopping the client at
//!   all when no runner is registered (between a restart and the next start, or while the
//!   first connection keeps failing), so `Client::start` never returns. [`stop_shards`] waits for
//!   each runner's own notice (bounded) after `shutdown_all`, and `run` stops waiting for the
//!   client once the shards are stopped.
//!
//! Every wait here is bounded: the worst case is serenity's own 5 s timeout per shard.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ShardId, ShardManager, ShardRunnerMessage};
use tokio::sync::Notify;
use tracing::{debug, info, warn};

/// Queues one "shutdown finished" notice per shard so that serenity's self-requested restarts
/// (re-IDENTIFY) do not wait 5 s for a notice that cannot come. Call once, before starting.
pub fn prime_restart_notices(manager: &ShardManager, shards: Range<u32>) {
    for shard in shards {
        manager.shutdown_finished(ShardId(shard));
    }
}

/// Stops every shard with a clean close (code 1000) and waits, bounded, until each runner has
/// closed its WebSocket.
pub async fn stop_shards(manager: &ShardManager, shards: Range<u32>) {
    // Tell the runners ourselves: `shutdown_all` asks the queuer to do it, but with a notice
    // queued it removes the runner before the queuer gets to it, and the runner is never told.
    for (id, runner) in manager.runners.lock().await.iter() {
        runner
            .runner_tx
            .send_to_shard(ShardRunnerMessage::Shutdown(*id, 1000));
    }
    // Stops the queuer and lets `Client::start` return (at once: it consumes the primed
    // notices).
    manager.shutdown_all().await;
    // Each runner sends its own notice once its close handshake is done: wait for it (serenity
    // gives up after 5 s). The queuer is gone by now, so this sends nothing new.
    for shard in shards {
        manager.shutdown(ShardId(shard), 1000).await;
    }
    debug!("shards stopped");
}

/// The shards this process runs, as `run` starts them.
pub fn shard_range(shard_start: u32, shard_count: u32, shard_total: u32) -> Range<u32> {
    if shard_total == 0 {
        0..1
    } else {
        shard_start..shard_start + shard_count.max(1)
    }
}

/// Questions being answered right now, so that a shutdown can let them finish.
#[derive(Debug, Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while a question is being answered.
#[derive(Debug)]
pub struct InFlightGuard<'a>(&'a InFlight);

impl InFlight {
    /// Counts one question until the guard drops.
    pub fn enter(&self) -> InFlightGuard<'_> {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self)
    }

    /// Questions being answered now.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Waits until no question is in flight, or `limit` passes. Returns how many were left.
    pub async fn drain(&self, limit: Duration) -> usize {
        let wait = async {
            loop {
                let idle = self.idle.notified();
                tokio::pin!(idle);
                idle.as_mut().enable();
                if self.count() == 0 {
                    return;
                }
                idle.await;
            }
        };
        if tokio::time::timeout(limit, wait).await.is_err() {
            let left = self.count();
            warn!(left, "shutting down with questions still being answered");
            return left;
        }
        info!("every question in flight was answered");
        0
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_range_matches_how_run_starts_shards() {
        assert_eq!(shard_range(0, 0, 0), 0..1);
        assert_eq!(shard_range(2, 3, 8), 2..5);
        assert_eq!(shard_range(4, 0, 8), 4..5);
    }

    #[tokio::test]
    async fn drain_waits_for_guards_and_is_bounded() {
        let flight = std::sync::Arc::new(InFlight::default());
        assert_eq!(flight.drain(Duration::from_millis(10)).await, 0);
        let f2 = flight.clone();
        let held = tokio::spawn(async move {
            let _guard = f2.enter();
            tokio::time::sleep(Duration::from_millis(50)).await;
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(flight.drain(Duration::from_secs(5)).await, 0);
        held.await.unwrap();
        let _stuck = flight.enter();
        assert_eq!(flight.drain(Duration::from_millis(20)).await, 1);
    }
}
