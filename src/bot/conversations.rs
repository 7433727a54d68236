//! Conversations on Discord: the last exchange ([`Turn`]) of each person in each channel or
//! DM, of each thread the bot answered in, and of each answer and question message (so a
//! reply to either continues that exchange, whoever replies). Bounded like poise's
//! `EditTracker`: by count (least recently used first) and by age (an exchange idle longer
//! than the configured time is forgotten, and expired ones are purged on insert). Keyed by
//! channel and user, never by channel alone: in an answer channel Alice's question is not
//! the context of Bob's. Times are passed in, so tests need no clock.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use lru::LruCache;

use crate::retrieve::follow_up::Turn;

/// A remembered exchange and when it happened.
#[derive(Debug, Clone)]
struct Entry {
    turn: Turn,
    at: Instant,
}

/// Where a question was asked and how it relates to earlier messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    /// The channel (a DM channel, a thread, a guild channel).
    pub channel: u64,
    /// The asker.
    pub user: u64,
    /// The message this one replies to, and the message that one replied to (a reply to
    /// the bot's answer names the answer, and the answer names the question: either
    /// continues the exchange).
    pub reply_to: [Option<u64>; 2],
}

/// The conversations of a running bot.
#[derive(Debug)]
pub struct Conversations {
    idle: Duration,
    /// (channel, user) → last exchange; user 0 for a thread the bot answered in (one
    /// conversation for everyone in it).
    by_place: LruCache<(u64, u64), Entry>,
    /// A question or answer message → its exchange.
    by_message: LruCache<u64, Entry>,
    /// Threads the bot started or answered in.
    threads: LruCache<u64, Instant>,
}

impl Conversations {
    /// At most `max` conversations (and twice as many messages), each forgotten after
    /// `idle` without a question.
    pub fn new(max: NonZeroUsize, idle: Duration) -> Conversations {
        let messages = max.saturating_mul(NonZeroUsize::MIN.saturating_add(1));
        Conversations {
            idle,
            by_place: LruCache::new(max),
            by_message: LruCache::new(messages),
            threads: LruCache::new(max),
        }
    }

    /// The exchange a question continues, if any: the one of the message it replies to, else
    /// the last one in its thread (when the bot answered there), else the asker's last one in
    /// the same channel, each only while fresh.
    pub fn context(&self, asked: &Asked, now: Instant) -> Option<Turn> {
        let fresh = |entry: Option<&Entry>| {
            entry
                .filter(|e| now.saturating_duration_since(e.at) < self.idle)
                .map(|e| e.turn.clone())
        };
        for message in asked.reply_to.iter().flatten() {
            if let Some(turn) = fresh(self.by_message.peek(message)) {
                return Some(turn);
            }
        }
        if self.is_thread(asked.channel, now) {
            return fresh(self.by_place.peek(&(asked.channel, 0)));
        }
        fresh(self.by_place.peek(&(asked.channel, asked.user)))
    }

    /// Whether `channel` is a thread the bot started or answered in, still fresh: there
    /// every message is a question.
    pub fn is_thread(&self, channel: u64, now: Instant) -> bool {
        self.threads
            .peek(&channel)
            .is_some_and(|&at| now.saturating_duration_since(at) < self.idle)
    }

    /// Remembers a thread the bot started.
    pub fn add_thread(&mut self, thread: u64, now: Instant) {
        self.threads.put(thread, now);
        self.purge(now);
    }

    /// Remembers the exchange a message (the bot's answer, once sent) belongs to.
    pub fn record_message(&mut self, message: u64, turn: Turn, now: Instant) {
        self.by_message.put(message, Entry { turn, at: now });
        self.purge(now);
    }

    /// Remembers an exchange: for its channel and asker (or its thread), and for its question
    /// and answer messages.
    pub fn record(&mut self, asked: &Asked, messages: &[u64], turn: Turn, now: Instant) {
        let entry = Entry { turn, at: now };
        for &message in messages {
            self.by_message.put(message, entry.clone());
        }
        if self.threads.contains(&asked.channel) {
            self.threads.put(asked.channel, now);
            self.by_place.put((asked.channel, 0), entry);
        } else {
            self.by_place.put((asked.channel, asked.user), entry);
        }
        self.purge(now);
    }

    /// Conversations held now (for the memory bound's test and metrics).
    pub fn len(&self) -> usize {
        self.by_place.len()
    }

    /// Whether no conversation is held.
    pub fn is_empty(&self) -> bool {
        self.by_place.is_empty()
    }

    /// Forgets expired entries. Entries are only written by `put` (reads `peek`), so the
    /// least recently used is also the oldest, and the purge stops at the first fresh one.
    fn purge(&mut self, now: Instant) {
        let idle = self.idle;
        let stale = |at: Instant| now.saturating_duration_since(at) >= idle;
        while self.by_place.peek_lru().is_some_and(|(_, e)| stale(e.at)) {
            self.by_place.pop_lru();
        }
        while self.by_message.peek_lru().is_some_and(|(_, e)| stale(e.at)) {
            self.by_message.pop_lru();
        }
        while self.threads.peek_lru().is_some_and(|(_, &at)| stale(at)) {
            self.threads.pop_lru();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_secs(600);

    fn turn(question: &str) -> Turn {
        Turn::new(question, Some("a:2.4".to_string()))
    }

    fn asked(channel: u64, user: u64, reply_to: Option<u64>) -> Asked {
        Asked {
            channel,
            user,
            reply_to: [reply_to, None],
        }
    }

    fn conversations(max: usize) -> Conversations {
        Conversations::new(NonZeroUsize::new(max).unwrap(), IDLE)
    }

    #[test]
    fn the_same_person_in_the_same_channel_continues_others_do_not() {
        let mut c = conversations(10);
        let now = Instant::now();
        c.record(&asked(1, 7, None), &[100, 101], turn("working group?"), now);
        let later = now + Duration::from_secs(60);
        assert_eq!(
            c.context(&asked(1, 7, None), later).map(|t| t.question),
            Some("working group?".to_string())
        );
        // Another person, or the same person elsewhere (a DM is another channel): nothing.
        assert_eq!(c.context(&asked(1, 8, None), later), None);
        assert_eq!(c.context(&asked(2, 7, None), later), None);
        // Unless they reply to the answer or to the question.
        assert!(c.context(&asked(1, 8, Some(101)), later).is_some());
        assert!(c.context(&asked(1, 8, Some(100)), later).is_some());
    }

    #[test]
    fn an_idle_conversation_is_forgotten() {
        let mut c = conversations(10);
        let now = Instant::now();
        c.record(&asked(1, 7, None), &[100], turn("q"), now);
        assert!(c
            .context(&asked(1, 7, None), now + IDLE - Duration::from_secs(1))
            .is_some());
        assert!(c.context(&asked(1, 7, None), now + IDLE).is_none());
        assert!(c.context(&asked(1, 7, Some(100)), now + IDLE).is_none());
        // And purged on the next insert.
        c.record(&asked(2, 7, None), &[200], turn("q"), now + IDLE);
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn a_thread_is_one_conversation_for_everyone_in_it() {
        let mut c = conversations(10);
        let now = Instant::now();
        c.add_thread(50, now);
        c.record(&asked(50, 7, None), &[100], turn("q"), now);
        assert!(c.is_thread(50, now));
        assert!(!c.is_thread(1, now));
        assert!(c.context(&asked(50, 8, None), now).is_some());
        assert!(!c.is_thread(50, now + IDLE));
    }

    #[test]
    fn memory_is_bounded_least_recently_used_first() {
        let mut c = conversations(100);
        let now = Instant::now();
        for user in 0..1_000u64 {
            c.record(
                &asked(1, user, None),
                &[user * 2, user * 2 + 1],
                turn("q"),
                now,
            );
        }
        assert_eq!(c.len(), 100);
        assert_eq!(c.by_message.len(), 200);
        assert!(c.context(&asked(1, 0, None), now).is_none());
        assert!(c.context(&asked(1, 999, None), now).is_some());
    }
}
