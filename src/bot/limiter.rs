//! Per-user and per-channel token buckets. A flooder gets one "slow down" notice, then
//! silence until the bucket refills; other users are unaffected.

use std::collections::HashMap;
use std::time::Instant;

/// Bucket settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketConfig {
    /// Questions allowed in a burst.
    pub burst: u32,
    /// Seconds to regain one question.
    pub refill_secs: f64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
    warned: bool,
}

/// The verdict on one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Answer it.
    Allow,
    /// Tell the asker to slow down (first refusal in a row).
    SlowDown,
    /// Drop it silently (already told).
    Drop,
}

/// Buckets keyed by user and by channel.
#[derive(Debug)]
pub struct RateLimiter {
    user: BucketConfig,
    channel: BucketConfig,
    users: HashMap<u64, Bucket>,
    channels: HashMap<u64, Bucket>,
}

/// Buckets idle this long are full again and can be forgotten.
const FORGET_AFTER_SECS: f64 = 600.0;
/// Sweep forgotten buckets when a map grows past this.
const SWEEP_AT: usize = 10_000;

impl RateLimiter {
    /// New limiter.
    pub fn new(user: BucketConfig, channel: BucketConfig) -> Self {
        RateLimiter {
            user,
            channel,
            users: HashMap::new(),
            channels: HashMap::new(),
        }
    }

    /// Takes one question from `user` in `channel` at `now`.
    pub fn check(&mut self, user: u64, channel: u64, now: Instant) -> Verdict {
        sweep(&mut self.users, now);
        sweep(&mut self.channels, now);
        let user_bucket = refill(self.users.entry(user), self.user, now);
        let user_ok = user_bucket.tokens >= 1.0;
        let channel_bucket = refill(self.channels.entry(channel), self.channel, now);
        let channel_ok = channel_bucket.tokens >= 1.0;
        if user_ok && channel_ok {
            channel_bucket.tokens -= 1.0;
            channel_bucket.warned = false;
            if let Some(b) = self.users.get_mut(&user) {
                b.tokens -= 1.0;
                b.warned = false;
            }
            return Verdict::Allow;
        }
        // Warn once per user per flood, whichever bucket ran dry.
        let Some(bucket) = self.users.get_mut(&user) else {
            return Verdict::Drop;
        };
        if bucket.warned {
            Verdict::Drop
        } else {
            bucket.warned = true;
            Verdict::SlowDown
        }
    }
}

fn refill(
    entry: std::collections::hash_map::Entry<'_, u64, Bucket>,
    config: BucketConfig,
    now: Instant,
) -> &mut Bucket {
    let bucket = entry.or_insert(Bucket {
        tokens: f64::from(config.burst),
        updated: now,
        warned: false,
    });
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    let gained = if config.refill_secs > 0.0 {
        elapsed / config.refill_secs
    } else {
        f64::INFINITY
    };
    bucket.tokens = (bucket.tokens + gained).min(f64::from(config.burst));
    bucket.updated = now;
    bucket
}

fn sweep(map: &mut HashMap<u64, Bucket>, now: Instant) {
    if map.len() >= SWEEP_AT {
        map.retain(|_, b| {
            now.saturating_duration_since(b.updated).as_secs_f64() < FORGET_AFTER_SECS
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limiter() -> RateLimiter {
        RateLimiter::new(
            BucketConfig {
                burst: 2,
                refill_secs: 10.0,
            },
            BucketConfig {
                burst: 100,
                refill_secs: 1.0,
            },
        )
    }

    #[test]
    fn flooder_is_warned_once_then_dropped_and_others_are_unaffected() {
        let mut l = limiter();
        let t = Instant::now();
        let verdicts: Vec<Verdict> = (0..5).map(|_| l.check(1, 9, t)).collect();
        assert_eq!(
            verdicts,
            vec![
                Verdict::Allow,
                Verdict::Allow,
                Verdict::SlowDown,
                Verdict::Drop,
                Verdict::Drop
            ]
        );
        assert_eq!(l.check(2, 9, t), Verdict::Allow);
        assert_eq!(l.check(1, 9, t + Duration::from_secs(10)), Verdict::Allow);
    }

    #[test]
    fn channel_bucket_limits_a_crowd() {
        let mut l = RateLimiter::new(
            BucketConfig {
                burst: 5,
                refill_secs: 1.0,
            },
            BucketConfig {
                burst: 3,
                refill_secs: 100.0,
            },
        );
        let t = Instant::now();
        let allowed = (0..10)
            .filter(|u| l.check(*u, 7, t) == Verdict::Allow)
            .count();
        assert_eq!(allowed, 3);
        assert_eq!(l.check(99, 8, t), Verdict::Allow);
    }
}
