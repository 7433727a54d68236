//! Per-channel behaviour as the bot applies it: `[discord] answer_channels` is the starting
//! set of answer channels and `[discord] threads` the starting choice of threads in every
//! channel, and the settings admins make with `/channel` (kept in the store) win over them. The
//! table is shared by the commands (which change it at once in this process) and a refresh
//! task that re-reads the store every `[discord] settings_refresh_secs`, so another bot
//! process on the same store (shards on one PostgreSQL) applies a change within that time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use tracing::{debug, warn};

use crate::store::channels::{Change, ChannelSettings};
use crate::store::Store;

/// The answer-channel rule and the channel settings. Locks are held only to read or swap a
/// map, never across `.await`.
#[derive(Debug, Default)]
pub struct Channels {
    configured: HashSet<u64>,
    /// `[discord] threads`: whether a channel without a threads setting answers in threads.
    threads: bool,
    settings: RwLock<HashMap<u64, ChannelSettings>>,
}

/// What applies in one channel, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// The channel.
    pub channel: u64,
    /// Every message is a question there.
    pub answer_all: bool,
    /// `answer_all` was set with `/channel` (else it comes from the config).
    pub answer_all_set: bool,
    /// A new question here is answered in a thread started from it.
    pub threads: bool,
    /// `threads` was set with `/channel` (else it comes from the config).
    pub threads_set: bool,
    /// The channel's default article, when one was set.
    pub article: Option<String>,
}

impl Channels {
    /// The configured answer channels and threads choice (`[discord] threads`), no settings
    /// yet.
    pub fn new(configured: impl IntoIterator<Item = u64>, threads: bool) -> Channels {
        Channels {
            configured: configured.into_iter().collect(),
            threads,
            settings: RwLock::default(),
        }
    }

    /// Whether every message in `channel` is a question: a setting, else the config.
    pub fn answers_all(&self, channel: u64) -> bool {
        self.settings
            .read()
            .get(&channel)
            .and_then(|s| s.answer_all)
            .unwrap_or_else(|| self.configured.contains(&channel))
    }

    /// Whether any channel answers every message (config or setting).
    pub fn any_answers_all(&self) -> bool {
        let settings = self.settings.read();
        settings.values().any(|s| s.answer_all == Some(true))
            || self
                .configured
                .iter()
                .any(|c| settings.get(c).and_then(|s| s.answer_all) != Some(false))
    }

    /// Whether a new question in `channel` is answered in a thread started from it: a
    /// setting, else the config.
    pub fn threads(&self, channel: u64) -> bool {
        self.settings
            .read()
            .get(&channel)
            .and_then(|s| s.threads)
            .unwrap_or(self.threads)
    }

    /// Whether any channel answers in threads (config or setting): follow-ups there mention
    /// nobody, so the bot needs message text.
    pub fn any_threads(&self) -> bool {
        // The config's choice covers every channel without a setting, and there always is one.
        self.threads
            || self
                .settings
                .read()
                .values()
                .any(|s| s.threads == Some(true))
    }

    /// The channel's default article (an article id), if an admin set one.
    pub fn article(&self, channel: u64) -> Option<String> {
        self.settings
            .read()
            .get(&channel)
            .and_then(|s| s.article.clone())
    }

    /// What applies in `channel`.
    pub fn effective(&self, channel: u64) -> Effective {
        let settings = self.settings.read();
        let set = settings.get(&channel);
        let answer_all_set = set.and_then(|s| s.answer_all);
        let threads_set = set.and_then(|s| s.threads);
        Effective {
            channel,
            answer_all: answer_all_set.unwrap_or_else(|| self.configured.contains(&channel)),
            answer_all_set: answer_all_set.is_some(),
            threads: threads_set.unwrap_or(self.threads),
            threads_set: threads_set.is_some(),
            article: set.and_then(|s| s.article.clone()),
        }
    }

    /// Every channel that is configured or has a setting, by channel id.
    pub fn list(&self) -> Vec<Effective> {
        let mut ids: Vec<u64> = self.configured.iter().copied().collect();
        ids.extend(self.settings.read().keys().copied());
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|c| self.effective(c)).collect()
    }

    /// Replaces the settings with those read from the store.
    pub fn replace(&self, all: Vec<ChannelSettings>) {
        let map = all.into_iter().map(|s| (s.channel, s)).collect();
        *self.settings.write() = map;
    }

    /// Applies a change made here (the store has it too; the next refresh reads it back).
    pub fn apply(&self, channel: u64, guild: Option<u64>, change: &Change) {
        let mut settings = self.settings.write();
        let entry = settings.entry(channel).or_insert_with(|| ChannelSettings {
            channel,
            guild,
            ..ChannelSettings::default()
        });
        match change {
            Change::AnswerAll(on) => entry.answer_all = Some(*on),
            Change::Threads(on) => entry.threads = Some(*on),
            Change::Article(article) => entry.article = article.clone(),
        }
    }
}

/// One line per channel for admins (`/about`, `summit-bot channels`): what answers every
/// message, where a default article is set and where questions open threads; a note when
/// nothing is.
pub fn describe(list: &[Effective]) -> String {
    if list.is_empty() {
        return "No answer channels and no channel settings: the bot answers mentions and DMs."
            .to_string();
    }
    list.iter()
        .map(|e| {
            let mut parts = vec![match (e.answer_all, e.answer_all_set) {
                (true, true) => "answers every message (/channel)",
                (false, true) => "only mentions (/channel)",
                (true, false) => "answers every message (config)",
                (false, false) => "only mentions",
            }
            .to_string()];
            if let Some(article) = &e.article {
                parts.push(format!("article `{article}`"));
            }
            match (e.threads, e.threads_set) {
                (true, true) => parts.push("threads on (/channel)".to_string()),
                (false, true) => parts.push("threads off (/channel)".to_string()),
                (true, false) => parts.push("threads on (config)".to_string()),
                (false, false) => {}
            }
            format!("channel {}: {}", e.channel, parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the settings from the store into the table; a failed read keeps those last read.
/// Returns whether the read worked.
pub async fn load(store: &Store, channels: &Channels) -> bool {
    match store.channel_settings().await {
        Ok(all) => {
            channels.replace(all);
            true
        }
        Err(error) => {
            warn!(%error, "cannot read the channel settings; keeping those last read");
            false
        }
    }
}

/// Re-reads the settings every `every` in the background until the store or the table is
/// gone; a failed read keeps those last read (and warns once per spell of failures).
pub fn watch(store: &Arc<Store>, channels: &Arc<Channels>, every: Duration) {
    let store = Arc::downgrade(store);
    let channels = Arc::downgrade(channels);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate: the start already read them
        let mut failing = false;
        loop {
            tick.tick().await;
            let (Some(store), Some(channels)) = (store.upgrade(), channels.upgrade()) else {
                return;
            };
            match store.channel_settings().await {
                Ok(all) => {
                    if failing {
                        debug!("channel settings readable again");
                    }
                    failing = false;
                    channels.replace(all);
                }
                Err(error) => {
                    if !failing {
                        warn!(%error, "cannot re-read the channel settings; keeping those last read");
                    }
                    failing = true;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_wins_over_the_config_either_way() {
        let channels = Channels::new([1, 2], false);
        assert!(channels.answers_all(1) && !channels.answers_all(3));
        channels.apply(1, Some(9), &Change::AnswerAll(false));
        channels.apply(3, Some(9), &Change::AnswerAll(true));
        assert!(!channels.answers_all(1) && channels.answers_all(2) && channels.answers_all(3));
        assert!(channels.any_answers_all());
        channels.apply(2, Some(9), &Change::AnswerAll(false));
        channels.apply(3, Some(9), &Change::AnswerAll(false));
        assert!(!channels.any_answers_all());
        channels.apply(4, None, &Change::Article(Some("b".into())));
        assert_eq!(channels.article(4).as_deref(), Some("b"));
        let listed: Vec<u64> = channels.list().iter().map(|e| e.channel).collect();
        assert_eq!(listed, [1, 2, 3, 4]);
        assert!(channels.list()[0].answer_all_set);
        assert_eq!(
            describe(&channels.list()),
            "channel 1: only mentions (/channel)\nchannel 2: only mentions (/channel)\nchannel 3: only mentions (/channel)\nchannel 4: only mentions, article `b`"
        );
        channels.replace(Vec::new());
        assert!(channels.answers_all(1) && !channels.answers_all(3));
        assert_eq!(channels.article(4), None);
        assert_eq!(
            describe(&channels.list()),
            "channel 1: answers every message (config)\nchannel 2: answers every message (config)"
        );
    }

    #[test]
    fn a_threads_setting_wins_over_the_config_either_way() {
        let off = Channels::new([], false);
        assert!(!off.threads(5) && !off.any_threads());
        off.apply(5, Some(9), &Change::Threads(true));
        assert!(off.threads(5) && !off.threads(6) && off.any_threads());
        assert_eq!(
            describe(&off.list()),
            "channel 5: only mentions, threads on (/channel)"
        );
        off.apply(5, Some(9), &Change::Threads(false));
        assert!(!off.any_threads());

        let on = Channels::new([1], true);
        assert!(on.threads(1) && on.threads(6) && on.any_threads());
        on.apply(6, Some(9), &Change::Threads(false));
        // Off in one channel, still on in every other by the config.
        assert!(!on.threads(6) && on.threads(7) && on.any_threads());
        let here = on.effective(6);
        assert!(!here.threads && here.threads_set);
        assert_eq!(
            describe(&on.list()),
            "channel 1: answers every message (config), threads on (config)\nchannel 6: only mentions, threads off (/channel)"
        );
        // Another setting (answer-all) leaves the config's threads choice in force.
        on.apply(8, Some(9), &Change::AnswerAll(true));
        assert!(on.threads(8) && !on.effective(8).threads_set);
    }
}
