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

use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ShardId, ShardManager, ShardRunnerMessage};
use tokio::sync::Notify;
use tracing::{debug, info, warn};

/// Queues one "shutdown finished" notice per shard so that serenity's self-requested restarts
/// (re-IDENTIFY) do not wait 5 s for a notice that cannot come. Call once, before starting.
pub fn prime_restart_notices(manager: &ShardManager, shards: RangeInclusive<u32>) {
    for shard in shards {
        manager.shutdown_finished(ShardId(shard));
    }
}

/// Stops every shard with a clean close (code 1000) and waits, bounded, until each runner has
/// closed its WebSocket.
pub async fn stop_shards(manager: &ShardManager, shards: RangeInclusive<u32>) {
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

/// Which shards this process runs, from `[discord]` `shard_start`, `shard_count`,
/// `shard_total` (validated by the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardPlan {
    /// `shard_total = 0` and `shard_count = 0`: as many shards as Discord recommends
    /// (`GET /gateway/bot`), all in this process.
    Auto,
    /// A fixed set of shards.
    Fixed(ShardSet),
}

/// Shards `first..=last` out of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSet {
    /// First shard id run here.
    pub first: u32,
    /// Last shard id run here (included).
    pub last: u32,
    /// Shards over all processes.
    pub total: u32,
}

impl ShardPlan {
    /// `shard_total = 0`: all shards in this process (`shard_count` of them, or Discord's
    /// recommendation when that is 0 too). Else `shard_count` shards (at least one) from
    /// `shard_start`, out of `shard_total`.
    pub fn from_config(shard_start: u32, shard_count: u32, shard_total: u32) -> ShardPlan {
        match (shard_total, shard_count) {
            (0, 0) => ShardPlan::Auto,
            (0, count) => ShardPlan::Fixed(ShardSet::all(count)),
            (total, count) => ShardPlan::Fixed(ShardSet {
                first: shard_start,
                last: shard_start.saturating_add(count.max(1) - 1),
                total,
            }),
        }
    }
}

impl ShardSet {
    /// Every shard of `total` (at least one).
    pub fn all(total: u32) -> ShardSet {
        let total = total.max(1);
        ShardSet {
            first: 0,
            last: total - 1,
            total,
        }
    }

    /// The shard ids run here.
    pub fn ids(&self) -> RangeInclusive<u32> {
        self.first..=self.last
    }

    /// How many shards run here.
    pub fn len(&self) -> u32 {
        self.last - self.first + 1
    }

    /// Never empty; here for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The range `Client::start_shard_range` expects: serenity 0.12.5 treats its `end` as
    /// *included* ("up to and including", `client/mod.rs`), unlike Rust ranges.
    pub fn serenity_range(&self) -> std::ops::Range<u32> {
        self.first..self.last
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
    fn shard_plans_follow_the_config() {
        assert_eq!(ShardPlan::from_config(0, 0, 0), ShardPlan::Auto);
        let fixed = |first, last, total| ShardPlan::Fixed(ShardSet { first, last, total });
        assert_eq!(ShardPlan::from_config(0, 3, 0), fixed(0, 2, 3));
        assert_eq!(ShardPlan::from_config(2, 3, 8), fixed(2, 4, 8));
        assert_eq!(ShardPlan::from_config(4, 0, 8), fixed(4, 4, 8));
        assert_eq!(ShardPlan::from_config(0, 2, 2), fixed(0, 1, 2));
    }

    #[test]
    fn serenity_gets_an_inclusive_end() {
        let set = ShardSet {
            first: 2,
            last: 4,
            total: 8,
        };
        assert_eq!(set.serenity_range(), 2..4);
        assert_eq!(set.ids().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(set.len(), 3);
        assert_eq!(ShardSet::all(1).serenity_range(), 0..0);
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
