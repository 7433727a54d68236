//! Catch-up: questions posted while the bot was away are answered late, each once.
//!
//! A RESUME replays what the gateway missed; a fresh IDENTIFY (a start, a crash, a failed
//! resume) does not. So on every READY, and only then, each channel this shard serves that
//! has a cursor in the store (the newest message seen there: answer channels, mentions, DMs)
//! is read forward with `GET /channels/{id}/messages?after=…&limit=100`, from a little before
//! the cursor (a question in flight when the process died is older than the newest message
//! seen) but never from before `[discord] catch_up_minutes` ago, up to `catch_up_limit`
//! messages. Discord returns each page newest first even with `after`: pages are sorted by id
//! and the next one starts after the largest id. Then, oldest first, every message
//! [`events::answer_message`] would answer goes through it (same filters, rate limits, log
//! and metrics; the reply says it is late), except messages the bot already replied to (its
//! replies reference their question, or it started a thread from the question), edited ones (the question may have changed; a deleted
//! one is simply not there) and those posted after the READY (the gateway delivers those).
//! The reply's enforced nonce (the question's id) keeps a crash between reading and
//! recording from posting twice. A channel the bot can no longer read is skipped with one
//! log line.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use poise::serenity_prelude as serenity;
use serenity::{GetMessages, MessageId};
use tracing::{debug, info, warn};

use super::events::{self, Handled, Via};
use super::reply::with_retries;
use super::{Data, Error};
use crate::service::metrics::{self, Skipped};
use crate::store::channels::Cursor;

/// How far before a channel's cursor the catch-up starts reading: a question still being
/// answered when the process died can be older than the newest message seen, by at most the
/// time an answer takes with its retries.
const REWIND: Duration = Duration::from_secs(120);

/// Messages per page (Discord's maximum).
const PAGE: u32 = 100;

/// Milliseconds from the Unix epoch to Discord's (2015-01-01).
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// The smallest snowflake of a moment: ids above it were made after it.
pub fn snowflake_at(time: SystemTime) -> u64 {
    let ms = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    ms.saturating_sub(DISCORD_EPOCH_MS) << 22
}

/// A snowflake moved back by `by` (never below 0).
fn rewind(id: u64, by: Duration) -> u64 {
    id.saturating_sub((by.as_millis() as u64) << 22)
}

/// Whether a channel of `guild` is served by shard `shard` of `total` (Discord's rule; DMs
/// go to shard 0).
pub fn on_shard(guild: Option<u64>, shard: u32, total: u32) -> bool {
    match guild {
        Some(guild) => (guild >> 22) % u64::from(total.max(1)) == u64::from(shard),
        None => shard == 0,
    }
}

/// What one channel's catch-up came to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    answered: u32,
    skipped: u32,
}

/// Called on every READY: catches up this shard's channels (see the module header).
pub async fn on_ready(
    framework: poise::FrameworkContext<'_, Data, Error>,
    ready: &serenity::Ready,
) {
    let data = framework.user_data().await;
    let minutes = data.config.discord.catch_up_minutes;
    if minutes == 0 {
        return;
    }
    let Some(store) = &data.store else {
        debug!("no catch-up: the store is off ([store] enabled = false)");
        return;
    };
    let now = SystemTime::now();
    // Messages after this came (or come) through the gateway.
    let until = snowflake_at(now);
    let since = snowflake_at(now - Duration::from_secs(u64::from(minutes) * 60));
    let (shard, total) = ready.shard.map_or((0, 1), |s| (s.id.0, s.total));
    let cursors = match store.cursors().await {
        Ok(cursors) => cursors,
        Err(error) => {
            warn!(%error, "no catch-up: cannot read the channel cursors");
            return;
        }
    };
    let ctx = framework.serenity_context;
    let bot_id = ready.user.id;
    let mut total_tally = Tally::default();
    let mut channels = 0;
    for cursor in cursors
        .into_iter()
        .filter(|c| on_shard(c.guild, shard, total))
    {
        let start = rewind(cursor.last_message, REWIND).max(since);
        if start >= until {
            continue;
        }
        channels += 1;
        let tally = catch_up_channel(ctx, data, bot_id, cursor, start, until).await;
        total_tally.answered += tally.answered;
        total_tally.skipped += tally.skipped;
    }
    info!(
        shard,
        channels,
        answered = total_tally.answered,
        skipped = total_tally.skipped,
        "catch-up done"
    );
}

/// Reads one channel from `start` and answers what was missed before `until`.
async fn catch_up_channel(
    ctx: &serenity::Context,
    data: &Data,
    bot_id: serenity::UserId,
    cursor: Cursor,
    start: u64,
    until: u64,
) -> Tally {
    let channel = serenity::ChannelId::new(cursor.channel);
    let limit = data.config.discord.catch_up_limit as usize;
    let mut tally = Tally::default();
    let mut messages: Vec<serenity::Message> = Vec::new();
    let mut after = start;
    loop {
        let want = (limit - messages.len()).min(PAGE as usize) as u8;
        let page = with_retries("catch-up read", || {
            channel.messages(
                &ctx.http,
                GetMessages::new()
                    .after(MessageId::new(after.max(1)))
                    .limit(want),
            )
        })
        .await;
        let page = match page {
            Ok(page) => page,
            Err(failed) => {
                if messages.is_empty() {
                    // Gone, or no longer readable (403, 404): one line, and on to the next.
                    warn!(channel = cursor.channel, error = %failed.error, "catch-up: cannot read the channel; skipped");
                    metrics::catch_up_skipped(Skipped::Unreadable);
                    return tally;
                }
                warn!(channel = cursor.channel, error = %failed.error, "catch-up: stopped reading the channel early");
                break;
            }
        };
        let got = page.len();
        // Newest first, even with `after`: go on after the largest id, not the last one.
        let Some(newest) = page.iter().map(|m| m.id.get()).max() else {
            break;
        };
        messages.extend(page);
        if newest <= after {
            break; // a page that does not move forward would loop
        }
        after = newest;
        if got < usize::from(want) {
            break;
        }
        if messages.len() >= limit {
            info!(
                channel = cursor.channel,
                limit,
                "catch-up: the channel has more messages than catch_up_limit; later ones left"
            );
            metrics::catch_up_skipped(Skipped::Limit);
            break;
        }
    }
    messages.sort_by_key(|m| m.id);
    messages.dedup_by_key(|m| m.id);
    // Answered: a bot message in the channel references the question, or the bot started a
    // thread from it (`[discord] threads`: the answer is in the thread, not in these pages).
    let replied: HashSet<u64> = messages
        .iter()
        .filter(|m| m.author.id == bot_id)
        .filter_map(|m| m.message_reference.as_ref()?.message_id)
        .map(|id| id.get())
        .chain(
            messages
                .iter()
                .filter(|m| {
                    m.thread
                        .as_ref()
                        .is_some_and(|t| t.owner_id == Some(bot_id))
                })
                .map(|m| m.id.get()),
        )
        .collect();
    let newest = messages.last().map(|m| m.id.get());
    for mut message in messages {
        let id = message.id.get();
        if id <= start || id >= until {
            continue;
        }
        // REST messages carry no guild id; the answer path tells DMs by its absence.
        message.guild_id = cursor.guild.map(serenity::GuildId::new);
        if events::question_for_bot(&message, bot_id, data).is_none() {
            continue;
        }
        if replied.contains(&id) {
            metrics::catch_up_skipped(Skipped::Answered);
            tally.skipped += 1;
            continue;
        }
        if message.edited_timestamp.is_some() {
            metrics::catch_up_skipped(Skipped::Edited);
            tally.skipped += 1;
            continue;
        }
        match events::answer_message(ctx, &message, bot_id, data, Via::CatchUp).await {
            Ok(Handled::Replied) => {
                metrics::catch_up_answered();
                tally.answered += 1;
            }
            Ok(Handled::Throttled) => {
                metrics::catch_up_skipped(Skipped::Throttled);
                tally.skipped += 1;
            }
            Ok(Handled::Ignored | Handled::Quiet) => {}
            Err(error) => {
                warn!(
                    channel = cursor.channel,
                    message = id,
                    error = format!("{error:#}"),
                    "catch-up: cannot answer a missed question"
                );
            }
        }
    }
    if let (Some(newest), Some(store)) = (newest, &data.store) {
        store.record_cursor(Cursor {
            last_message: newest,
            ..cursor
        });
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes_follow_time_and_rewind_by_time() {
        // Discord's documented example: 175928847299117063 was made at 1462015105796 ms.
        let made = UNIX_EPOCH + Duration::from_millis(1_462_015_105_796);
        let id: u64 = 175_928_847_299_117_063;
        assert_eq!(snowflake_at(made), id >> 22 << 22);
        assert!(snowflake_at(made + Duration::from_millis(1)) > id);
        assert_eq!(rewind(id, Duration::from_secs(2)) >> 22, (id >> 22) - 2000);
        assert_eq!(rewind(5, Duration::from_secs(1)), 0);
    }

    #[test]
    fn channels_go_to_the_shard_of_their_guild_and_dms_to_shard_zero() {
        let guild = (3u64 << 22) | 5;
        assert_eq!((guild >> 22) % 2, 1);
        assert!(on_shard(Some(guild), 1, 2) && !on_shard(Some(guild), 0, 2));
        assert!(on_shard(Some(guild), 0, 1));
        assert!(on_shard(None, 0, 4) && !on_shard(None, 1, 4));
    }
}
