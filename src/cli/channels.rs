//! `summit-bot channels`: what the bot does in each channel, worked out as the bot does it:
//! the config's `answer_channels` and `threads`, then the settings admins made with
//! `/channel` (read from the store), and where a catch-up would start reading (the newest
//! message seen).

use anyhow::Context;

use crate::bot::catch_up::snowflake_at;
use crate::bot::channels::{describe, Channels};
use crate::config::Config;
use crate::store::channels::{cursors, settings};
use crate::store::db::{Db, Target};

/// The text to print.
pub fn run(config: &Config) -> anyhow::Result<String> {
    let table = Channels::new(
        config.discord.answer_channels.iter().copied(),
        config.discord.threads,
    );
    let mut out = String::new();
    let found = if config.store.enabled {
        let target = Target::parse(&config.store.url).context("invalid [store] url")?;
        let exists = match &target {
            Target::Sqlite(path) => path.exists(),
            Target::Postgres(_) => true,
        };
        if exists {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            Some(runtime.block_on(async {
                let mut db = Db::connect(&target)
                    .await
                    .context("cannot open the store")?;
                let all = settings(&mut db)
                    .await
                    .context("cannot read the channel settings")?;
                let seen = cursors(&mut db)
                    .await
                    .context("cannot read the channel cursors")?;
                anyhow::Ok((all, seen))
            })?)
        } else {
            out.push_str("(no store yet: the bot writes it when it runs)\n");
            None
        }
    } else {
        out.push_str("(the store is off: [store] enabled = false; only the config applies)\n");
        None
    };
    let seen = match found {
        Some((all, seen)) => {
            table.replace(all);
            seen
        }
        None => Vec::new(),
    };
    out.push_str(&describe(&table.list()));
    out.push('\n');
    if !seen.is_empty() {
        let now = snowflake_at(std::time::SystemTime::now()) >> 22;
        out.push_str("\nNewest message seen (a catch-up after a restart reads on from there):\n");
        for cursor in &seen {
            let minutes = now.saturating_sub(cursor.last_message >> 22) / 60_000;
            out.push_str(&format!(
                "channel {}{}: message {}, {minutes} min ago\n",
                cursor.channel,
                if cursor.guild.is_none() { " (DM)" } else { "" },
                cursor.last_message
            ));
        }
    }
    Ok(out)
}
