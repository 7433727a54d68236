//! Where a question came from (`/ask`, a mention, a DM, a late catch-up, …): one list for the question log's
//! `source` column and the metrics' `source` label. Plain data below the service parts, so
//! the store and the service (peers that may not use each other) share it instead of each
//! keeping a copy.

/// Where a question came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `/ask`.
    Slash,
    /// A message mentioning the bot.
    Mention,
    /// A direct message.
    Dm,
    /// A message in an answer channel.
    Channel,
    /// The "Find in article" message menu.
    ContextMenu,
    /// The console chat (`summit-bot chat`).
    Console,
    /// A mention, DM or answer-channel question posted while the bot was away, answered late
    /// by the catch-up after a restart.
    CatchUp,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 7] = [
        Source::Slash,
        Source::Mention,
        Source::Dm,
        Source::Channel,
        Source::ContextMenu,
        Source::Console,
        Source::CatchUp,
    ];

    /// The name stored in the question log and used as the metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Slash => "slash",
            Source::Mention => "mention",
            Source::Dm => "dm",
            Source::Channel => "channel",
            Source::ContextMenu => "context_menu",
            Source::Console => "console",
            Source::CatchUp => "catch_up",
        }
    }

    /// Whether the question came through Discord. The console chat is a local tool, not the
    /// service: the metrics do not count its questions (the question log does).
    pub fn is_discord(self) -> bool {
        self != Source::Console
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_only_the_console_is_not_discord() {
        let names: std::collections::BTreeSet<&str> =
            Source::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.len(), Source::ALL.len());
        let local: Vec<Source> = Source::ALL
            .into_iter()
            .filter(|s| !s.is_discord())
            .collect();
        assert_eq!(local, vec![Source::Console]);
    }
}
