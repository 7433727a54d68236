//! What the store keeps per Discord channel, beside the question log: the newest message the
//! bot has seen there (its catch-up cursor, so questions asked while it was down are answered
//! after a restart) and the settings admins make with `/channel` (answer every message, a
//! default article, threads). One set of SQL for both databases, like [`super::report`].
//! Ids are Discord snowflakes, which fit in a signed 64-bit column (they stay below 2^63).

use super::db::{Db, DbError, Param, Value};

/// Keeps the larger message id: a late write of an older id never moves a cursor back.
const UPSERT_CURSOR: &str = "INSERT INTO channel_cursors (channel, guild, last_message, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel) DO UPDATE SET last_message = excluded.last_message, guild = excluded.guild, at = excluded.at WHERE excluded.last_message > channel_cursors.last_message";

/// Where the bot stopped reading a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The channel.
    pub channel: u64,
    /// Its guild (`None`: a DM).
    pub guild: Option<u64>,
    /// The newest message seen there.
    pub last_message: u64,
}

/// Moves each channel's cursor forward to the message given (never back), in one transaction.
pub async fn advance_cursors(db: &mut Db, cursors: &[Cursor], at: i64) -> Result<(), DbError> {
    if cursors.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<Param>> = cursors
        .iter()
        .map(|c| {
            vec![
                Param::Int(c.channel as i64),
                c.guild.map_or(Param::NullInt, |g| Param::Int(g as i64)),
                Param::Int(c.last_message as i64),
                Param::Int(at),
            ]
        })
        .collect();
    db.execute_each(UPSERT_CURSOR, &rows).await
}

/// Every cursor, by channel.
pub async fn cursors(db: &mut Db) -> Result<Vec<Cursor>, DbError> {
    let rows = db
        .query(
            "SELECT channel, guild, last_message FROM channel_cursors ORDER BY channel",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Cursor {
            channel: r[0].int() as u64,
            guild: id_or_none(&r[1]),
            last_message: r[2].int() as u64,
        })
        .collect())
}

/// An admin's settings for one channel; `None` leaves the configuration's choice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelSettings {
    /// The channel.
    pub channel: u64,
    /// Its guild.
    pub guild: Option<u64>,
    /// Answer every message (`[discord] answer_channels` is the starting set).
    pub answer_all: Option<bool>,
    /// Answer in a thread started from the question.
    pub threads: Option<bool>,
    /// The channel's default article (an article id).
    pub article: Option<String>,
    /// When it last changed (unix seconds).
    pub updated_at: i64,
}

/// One change `/channel` makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `/channel answer-all on|off`.
    AnswerAll(bool),
    /// `/channel threads on|off`.
    Threads(bool),
    /// `/channel article <id>`; `None` goes back to the index's default article.
    Article(Option<String>),
}

/// Applies one change to a channel's settings (creating its row).
pub async fn change(
    db: &mut Db,
    channel: u64,
    guild: Option<u64>,
    change: &Change,
    at: i64,
) -> Result<(), DbError> {
    // One statement per column: the column name is never built from input.
    let (sql, value) = match change {
        Change::AnswerAll(on) => (
            "INSERT INTO channel_settings (channel, guild, answer_all, updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel) DO UPDATE SET answer_all = excluded.answer_all, guild = excluded.guild, updated_at = excluded.updated_at",
            Param::Int(i64::from(*on)),
        ),
        Change::Threads(on) => (
            "INSERT INTO channel_settings (channel, guild, threads, updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel) DO UPDATE SET threads = excluded.threads, guild = excluded.guild, updated_at = excluded.updated_at",
            Param::Int(i64::from(*on)),
        ),
        Change::Article(article) => (
            "INSERT INTO channel_settings (channel, guild, article, updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel) DO UPDATE SET article = excluded.article, guild = excluded.guild, updated_at = excluded.updated_at",
            article.clone().map_or(Param::NullText, Param::Text),
        ),
    };
    let params = [
        Param::Int(channel as i64),
        guild.map_or(Param::NullInt, |g| Param::Int(g as i64)),
        value,
        Param::Int(at),
    ];
    db.execute(sql, &params).await?;
    Ok(())
}

/// Every channel with a setting, by channel.
pub async fn settings(db: &mut Db) -> Result<Vec<ChannelSettings>, DbError> {
    let rows = db
        .query(
            "SELECT channel, guild, answer_all, threads, article, updated_at FROM channel_settings ORDER BY channel",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ChannelSettings {
            channel: r[0].int() as u64,
            guild: id_or_none(&r[1]),
            answer_all: flag(&r[2]),
            threads: flag(&r[3]),
            article: r[4].text().map(str::to_string),
            updated_at: r[5].int(),
        })
        .collect())
}

fn id_or_none(value: &Value) -> Option<u64> {
    match value {
        Value::Null => None,
        v => Some(v.int() as u64),
    }
}

fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Null => None,
        v => Some(v.int() != 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::block_on;
    use crate::store::db::Target;

    #[test]
    fn cursors_only_move_forward_and_settings_change_one_column_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Sqlite(dir.path().join("c.db"));
        block_on(async {
            let mut db = Db::connect(&target).await.unwrap();
            let c = |channel, last_message| Cursor {
                channel,
                guild: Some(9),
                last_message,
            };
            advance_cursors(&mut db, &[c(1, 100), c(2, 50)], 1)
                .await
                .unwrap();
            advance_cursors(&mut db, &[c(1, 90), c(2, 70)], 2)
                .await
                .unwrap();
            let dm = Cursor {
                channel: 3,
                guild: None,
                last_message: 5,
            };
            advance_cursors(&mut db, &[dm], 3).await.unwrap();
            assert_eq!(
                cursors(&mut db).await.unwrap(),
                vec![c(1, 100), c(2, 70), dm]
            );

            change(&mut db, 1, Some(9), &Change::AnswerAll(true), 10)
                .await
                .unwrap();
            change(&mut db, 1, Some(9), &Change::Article(Some("b".into())), 11)
                .await
                .unwrap();
            change(&mut db, 2, None, &Change::Threads(false), 12)
                .await
                .unwrap();
            let all = settings(&mut db).await.unwrap();
            assert_eq!(
                all,
                vec![
                    ChannelSettings {
                        channel: 1,
                        guild: Some(9),
                        answer_all: Some(true),
                        threads: None,
                        article: Some("b".into()),
                        updated_at: 11,
                    },
                    ChannelSettings {
                        channel: 2,
                        guild: None,
                        answer_all: None,
                        threads: Some(false),
                        article: None,
                        updated_at: 12,
                    },
                ]
            );
            change(&mut db, 1, Some(9), &Change::Article(None), 13)
                .await
                .unwrap();
            change(&mut db, 1, Some(9), &Change::AnswerAll(false), 14)
                .await
                .unwrap();
            let one = &settings(&mut db).await.unwrap()[0];
            assert_eq!(
                (one.answer_all, one.article.as_deref()),
                (Some(false), None)
            );
        });
    }
}
