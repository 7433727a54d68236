//! Per-user and per-channel token buckets. A flooder gets one "slow down" notice, then
//! silence until the bucket refills; other users are unaffected. Idle buckets are forgotten a
//! generation at a time, so a question costs the same however many users have asked.

use std::collections::hash_map::Entry;
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
    users: Generations,
    channels: Generations,
}

/// Buckets idle at least this long are full again (at the default settings) and can be
/// forgotten; a bucket that needs longer to refill is kept until it is full.
const FORGET_AFTER_SECS: f64 = 600.0;

/// Buckets in two generations, so forgetting idle ones costs nothing per question: every
/// `keep` seconds the older generation is dropped whole (one deallocation, the entries need no
/// drop) and the current one becomes the older. A bucket used again is moved back into the
/// current generation, so a bucket is forgotten after between one and two periods idle. The
/// cost of a question is one or two hash look-ups however many users there are.
#[derive(Debug)]
struct Generations {
    current: HashMap<u64, Bucket>,
    older: HashMap<u64, Bucket>,
    /// When `current` was started.
    started: Option<Instant>,
    /// Seconds a generation lasts.
    keep: f64,
}

impl Generations {
    fn new(config: BucketConfig) -> Self {
        // Never forget a bucket before it could have refilled completely.
        let full_after = f64::from(config.burst) * config.refill_secs;
        Generations {
            current: HashMap::new(),
            older: HashMap::new(),
            started: None,
            keep: FORGET_AFTER_SECS.max(full_after),
        }
    }

    /// The bucket for `key`, refilled to `now`.
    fn bucket(&mut self, key: u64, config: BucketConfig, now: Instant) -> &mut Bucket {
        let started = *self.started.get_or_insert(now);
        if now.saturating_duration_since(started).as_secs_f64() >= self.keep {
            self.older = std::mem::take(&mut self.current);
            self.started = Some(now);
        }
        let bucket = match self.current.entry(key) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let bucket = self.older.remove(&key).unwrap_or(Bucket {
                    tokens: f64::from(config.burst),
                    updated: now,
                    warned: false,
                });
                entry.insert(bucket)
            }
        };
        refill(bucket, config, now);
        bucket
    }

    fn get_mut(&mut self, key: u64) -> Option<&mut Bucket> {
        self.current.get_mut(&key)
    }

    /// Buckets remembered, in both generations.
    fn len(&self) -> usize {
        self.current.len() + self.older.len()
    }
}

impl RateLimiter {
    /// New limiter.
    pub fn new(user: BucketConfig, channel: BucketConfig) -> Self {
        RateLimiter {
            user,
            channel,
            users: Generations::new(user),
            channels: Generations::new(channel),
        }
    }

    /// Takes one question from `user` in `channel` at `now`.
    pub fn check(&mut self, user: u64, channel: u64, now: Instant) -> Verdict {
        let user_ok = self.users.bucket(user, self.user, now).tokens >= 1.0;
        let channel_bucket = self.channels.bucket(channel, self.channel, now);
        let channel_ok = channel_bucket.tokens >= 1.0;
        if user_ok && channel_ok {
            channel_bucket.tokens -= 1.0;
            channel_bucket.warned = false;
            if let Some(b) = self.users.get_mut(user) {
                b.tokens -= 1.0;
                b.warned = false;
            }
            return Verdict::Allow;
        }
        // Warn once per user per flood, whichever bucket ran dry.
        let Some(bucket) = self.users.get_mut(user) else {
            return Verdict::Drop;
        };
        if bucket.warned {
            Verdict::Drop
        } else {
            bucket.warned = true;
            Verdict::SlowDown
        }
    }

    /// (users, channels) whose buckets are remembered.
    pub fn tracked(&self) -> (usize, usize) {
        (self.users.len(), self.channels.len())
    }
}

fn refill(bucket: &mut Bucket, config: BucketConfig, now: Instant) {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    let gained = if config.refill_secs > 0.0 {
        elapsed / config.refill_secs
    } else {
        f64::INFINITY
    };
    bucket.tokens = (bucket.tokens + gained).min(f64::from(config.burst));
    bucket.updated = now;
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

    #[test]
    fn a_hundred_thousand_users_are_answered_and_forgotten_when_idle() {
        let mut l = RateLimiter::new(
            BucketConfig {
                burst: 2,
                refill_secs: 3.0,
            },
            BucketConfig {
                burst: 1_000_000,
                refill_secs: 0.0,
            },
        );
        let t = Instant::now();
        let users = 100_000u64;
        // Everyone asks twice within a minute: all allowed, a third question refused.
        for round in 0..2 {
            let at = t + Duration::from_secs(round * 30);
            for user in 0..users {
                assert_eq!(l.check(user, user % 50, at), Verdict::Allow, "user {user}");
            }
        }
        assert_eq!(l.tracked(), (100_000, 50));
        let at = t + Duration::from_secs(61);
        assert_eq!(l.check(7, 1, at), Verdict::Allow);
        assert_eq!(l.check(7, 1, at), Verdict::Allow);
        assert_eq!(l.check(7, 1, at), Verdict::SlowDown);
        assert_eq!(l.check(7, 1, at), Verdict::Drop);
        // After one period the buckets move to the older generation and are still known.
        let later = t + Duration::from_secs(600);
        assert_eq!(l.check(100_001, 1, later), Verdict::Allow);
        assert_eq!(l.tracked(), (100_001, 50));
        // Two periods: everyone who did not ask in the last one is forgotten.
        let much_later = t + Duration::from_secs(1_200);
        assert_eq!(l.check(100_002, 1, much_later), Verdict::Allow);
        assert_eq!(l.tracked(), (2, 1));
        // A forgotten user starts with a full bucket.
        assert_eq!(l.check(3, 1, much_later), Verdict::Allow);
        assert_eq!(l.check(3, 1, much_later), Verdict::Allow);
        assert_eq!(l.check(3, 1, much_later), Verdict::SlowDown);
    }

    #[test]
    fn a_flooder_stays_limited_across_a_generation_change() {
        let mut l = RateLimiter::new(
            BucketConfig {
                burst: 1,
                refill_secs: 1_000.0,
            },
            BucketConfig {
                burst: 100,
                refill_secs: 0.0,
            },
        );
        let t = Instant::now();
        assert_eq!(l.check(1, 9, t), Verdict::Allow);
        assert_eq!(
            l.check(1, 9, t + Duration::from_secs(999)),
            Verdict::SlowDown
        );
        // The generation lasts 1,000 s (the bucket's refill time), so at 1,001 s the bucket
        // is in the older generation, and it refilled exactly once.
        let at = t + Duration::from_secs(1_001);
        assert_eq!(l.check(2, 9, at), Verdict::Allow);
        assert_eq!(l.check(1, 9, at), Verdict::Allow);
        assert_eq!(l.check(1, 9, at), Verdict::SlowDown);
    }
}
