//! Recent answers kept in memory so "Next match" and "Post publicly" buttons can page
//! through them, and so an edited question re-answers into the same reply. Bounded: the
//! oldest entries are forgotten first. Also [`Claimed`]: the chat questions this process has
//! taken on, so a question both delivered live and found by the catch-up is answered once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::answer::Response;

/// Answers kept for buttons.
const MAX_SESSIONS: usize = 5_000;
/// Question messages tracked for edits.
const MAX_TRACKED: usize = 5_000;

/// Question messages remembered as taken on.
const MAX_CLAIMED: usize = 10_000;

/// Chat question ids this process has started answering (live or in a catch-up), the most
/// recent [`MAX_CLAIMED`] of them.
#[derive(Debug, Default)]
pub struct Claimed {
    ids: HashSet<u64>,
    order: VecDeque<u64>,
}

impl Claimed {
    /// Takes `message` on; `false` if it was already taken.
    pub fn claim(&mut self, message: u64) -> bool {
        if !self.ids.insert(message) {
            return false;
        }
        self.order.push_back(message);
        while self.order.len() > MAX_CLAIMED {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }
}

/// Where the bot's reply to a chat question lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackedReply {
    /// Channel of the reply.
    pub channel: u64,
    /// The reply message.
    pub message: u64,
}

/// Stored answers and tracked question messages.
#[derive(Debug, Default)]
pub struct Sessions {
    next_key: u64,
    answers: HashMap<u64, Arc<Response>>,
    answer_ids: HashMap<u64, u64>,
    answer_order: VecDeque<u64>,
    replies: HashMap<u64, TrackedReply>,
    reply_order: VecDeque<u64>,
    pending: HashSet<u64>,
}

impl Sessions {
    /// Stores an answer and returns the key its buttons carry.
    pub fn store(&mut self, response: Arc<Response>) -> u64 {
        self.next_key += 1;
        let key = self.next_key;
        self.answers.insert(key, response);
        self.answer_order.push_back(key);
        while self.answer_order.len() > MAX_SESSIONS {
            if let Some(old) = self.answer_order.pop_front() {
                self.answers.remove(&old);
                self.answer_ids.remove(&old);
            }
        }
        key
    }

    /// The answer stored under `key`, if still kept.
    pub fn get(&self, key: u64) -> Option<Arc<Response>> {
        self.answers.get(&key).cloned()
    }

    /// Remembers the question-log id of the answer stored under `key` (its vote buttons carry
    /// it, so a re-rendered page keeps them).
    pub fn set_answer_id(&mut self, key: u64, answer_id: u64) {
        if self.answers.contains_key(&key) {
            self.answer_ids.insert(key, answer_id);
        }
    }

    /// The question-log id of the answer stored under `key`, if any.
    pub fn answer_id(&self, key: u64) -> Option<u64> {
        self.answer_ids.get(&key).copied()
    }

    /// Remembers the reply to a question message.
    pub fn track(&mut self, question: u64, reply: TrackedReply) {
        if self.replies.insert(question, reply).is_none() {
            self.reply_order.push_back(question);
        }
        while self.reply_order.len() > MAX_TRACKED {
            if let Some(old) = self.reply_order.pop_front() {
                self.replies.remove(&old);
            }
        }
    }

    /// Marks a question whose reply is being sent, so an edit racing the reply can wait for it.
    pub fn begin(&mut self, question: u64) {
        self.pending.insert(question);
    }

    /// The reply to `question` was sent (or failed): it is no longer pending.
    pub fn finish(&mut self, question: u64) {
        self.pending.remove(&question);
    }

    /// Whether a reply to `question` is being sent right now.
    pub fn is_pending(&self, question: u64) -> bool {
        self.pending.contains(&question)
    }

    /// The reply to a question message, if tracked.
    pub fn reply_to(&self, question: u64) -> Option<TrackedReply> {
        self.replies.get(&question).copied()
    }
}

/// Button ids: `summit:next:<key>:<shown>`, `summit:public:<key>:<shown>`, and
/// `summit:vote:<answer id, 16 hex digits>:<1|0>` (complete in itself, so a vote still counts
/// after a restart).
pub mod custom_id {
    /// Prefix of every button id of this bot.
    pub const PREFIX: &str = "summit";

    /// What a parsed button id asks for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Parsed {
        /// Show match `shown` of the answer `key`.
        Next {
            /// Session key.
            key: u64,
            /// Match to show.
            shown: usize,
        },
        /// Post match `shown` of the answer `key` publicly.
        Public {
            /// Session key.
            key: u64,
            /// Match to post.
            shown: usize,
        },
        /// A vote on the answer with this question-log id.
        Vote {
            /// The answer's id.
            answer: u64,
            /// "Helpful" (true) or "Not helpful".
            helpful: bool,
        },
    }

    /// Id of a "Next match" button.
    pub fn next(key: u64, shown: usize) -> String {
        format!("{PREFIX}:next:{key}:{shown}")
    }

    /// Id of a "Post publicly" button.
    pub fn public(key: u64, shown: usize) -> String {
        format!("{PREFIX}:public:{key}:{shown}")
    }

    /// Id of a "Helpful" / "Not helpful" button.
    pub fn vote(answer: u64, helpful: bool) -> String {
        format!("{PREFIX}:vote:{answer:016x}:{}", u8::from(helpful))
    }

    /// Parses a button id of this bot.
    pub fn parse(id: &str) -> Option<Parsed> {
        let mut parts = id.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let kind = parts.next()?;
        if kind == "vote" {
            let answer = u64::from_str_radix(parts.next()?, 16).ok()?;
            let helpful = match parts.next()? {
                "1" => true,
                "0" => false,
                _ => return None,
            };
            return parts
                .next()
                .is_none()
                .then_some(Parsed::Vote { answer, helpful });
        }
        let key = parts.next()?.parse().ok()?;
        let shown = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        match kind {
            "next" => Some(Parsed::Next { key, shown }),
            "public" => Some(Parsed::Public { key, shown }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_claimed_once_and_the_memory_is_bounded() {
        let mut claimed = Claimed::default();
        assert!(claimed.claim(1));
        assert!(!claimed.claim(1));
        for id in 2..(MAX_CLAIMED as u64 + 10) {
            assert!(claimed.claim(id));
        }
        assert_eq!(claimed.ids.len(), MAX_CLAIMED);
        assert!(claimed.claim(1), "the oldest are forgotten first");
    }

    #[test]
    fn button_ids_round_trip_and_reject_junk() {
        assert_eq!(
            custom_id::parse(&custom_id::next(7, 2)),
            Some(custom_id::Parsed::Next { key: 7, shown: 2 })
        );
        assert_eq!(
            custom_id::parse(&custom_id::public(1, 0)),
            Some(custom_id::Parsed::Public { key: 1, shown: 0 })
        );
        assert_eq!(
            custom_id::parse(&custom_id::vote(u64::MAX, false)),
            Some(custom_id::Parsed::Vote {
                answer: u64::MAX,
                helpful: false
            })
        );
        assert_eq!(custom_id::vote(10, true), "summit:vote:000000000000000a:1");
        assert_eq!(custom_id::parse("summit:vote:zz:1"), None);
        assert_eq!(custom_id::parse("summit:vote:0a:2"), None);
        assert_eq!(custom_id::parse("summit:next:x:1"), None);
        assert_eq!(custom_id::parse("other:next:1:1"), None);
    }

    #[test]
    fn oldest_sessions_are_forgotten() {
        let mut s = Sessions::default();
        let response = Arc::new(Response {
            question: String::new(),
            answer: None,
            alternatives: vec![],
        });
        let first = s.store(response.clone());
        for _ in 0..MAX_SESSIONS {
            s.store(response.clone());
        }
        assert!(s.get(first).is_none());
        assert!(s.get(first + 1).is_some());
    }
}
