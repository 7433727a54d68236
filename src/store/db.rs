//! The two databases behind one interface: SQLite (a local file, through `rusqlite`) and
//! PostgreSQL (through `tokio-postgres`). The schema, the migrations and every query are one
//! SQL text shared by both (`?N` placeholders, rewritten to `$N` for PostgreSQL); only the
//! driver calls differ.

use std::path::PathBuf;
use std::time::Duration;

use tracing::info;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The store URL is neither `sqlite://…` nor `postgres://…`.
    #[error("store url {0:?} must start with sqlite:// or postgres://")]
    BadUrl(String),
    /// The SQLite file or its folder could not be created or used.
    #[error("sqlite {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The driver's reason.
        source: rusqlite::Error,
    },
    /// The SQLite folder could not be created.
    #[error("cannot create {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// PostgreSQL refused or failed.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// PostgreSQL did not answer in time.
    #[error("postgres did not answer within {}s", .0.as_secs())]
    TimedOut(Duration),
}

/// Where the rows go, parsed from `[store] url`.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// A SQLite file (its folder is created on first use).
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host/db`).
    Postgres(String),
}

impl std::fmt::Debug for Target {
    // A PostgreSQL URL may hold a password: show only the kind.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Sqlite(path) => write!(f, "Sqlite({})", path.display()),
            Target::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

impl Target {
    /// Parses `sqlite://PATH` (relative or absolute: `sqlite:///var/lib/x.db`) or
    /// `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<Target, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::BadUrl(url.to_string()));
            }
            return Ok(Target::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_string()));
        }
        Err(DbError::BadUrl(redact(url)))
    }

    /// The folder a SQLite file lives in.
    pub fn sqlite_folder(&self) -> Option<PathBuf> {
        match self {
            Target::Sqlite(path) => Some(
                path.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), PathBuf::from),
            ),
            Target::Postgres(_) => None,
        }
    }
}

/// A URL with anything after `://` hidden (it may carry a password).
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, _)) => format!("{scheme}://…"),
        None => "…".to_string(),
    }
}

/// Longest wait for one PostgreSQL call.
const PG_TIMEOUT: Duration = Duration::from_secs(10);

/// The migrations, in order; each runs once (recorded in `summit_migrations`). Plain SQL that
/// both databases accept.
const MIGRATIONS: &[&str] = &[
    // 1: questions and votes.
    "CREATE TABLE questions (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        source TEXT NOT NULL,
        outcome TEXT NOT NULL,
        guild BIGINT,
        channel BIGINT,
        asker TEXT NOT NULL,
        question TEXT,
        normalised TEXT,
        passage TEXT,
        score DOUBLE PRECISION,
        coverage DOUBLE PRECISION,
        latency_us BIGINT NOT NULL
    );
    CREATE INDEX questions_at ON questions (at);
    CREATE INDEX questions_guild_at ON questions (guild, at);
    CREATE TABLE votes (
        answer TEXT NOT NULL,
        voter TEXT NOT NULL,
        helpful BIGINT NOT NULL,
        guild BIGINT,
        at BIGINT NOT NULL,
        PRIMARY KEY (answer, voter)
    );
    CREATE INDEX votes_at ON votes (at);",
    // 2: per channel, the newest message seen (catch-up after a restart) and the settings
    // admins make with `/channel`.
    "CREATE TABLE channel_cursors (
        channel BIGINT PRIMARY KEY,
        guild BIGINT,
        last_message BIGINT NOT NULL,
        at BIGINT NOT NULL
    );
    CREATE TABLE channel_settings (
        channel BIGINT PRIMARY KEY,
        guild BIGINT,
        answer_all BIGINT,
        threads BIGINT,
        article TEXT,
        updated_at BIGINT NOT NULL
    );",
    // 3: answers an admin taught (`retrieve::taught`): one passage per question, matched on
    // the question's sorted words (`taught::key`); ids chosen by the insert (`store::taught`).
    "CREATE TABLE taught (
        id BIGINT PRIMARY KEY,
        article TEXT NOT NULL,
        question TEXT NOT NULL,
        words TEXT NOT NULL UNIQUE,
        passage TEXT NOT NULL,
        created BIGINT NOT NULL
    );",
];

const INSERT_QUESTION: &str = "INSERT INTO questions (id, at, source, outcome, guild, channel, asker, question, normalised, passage, score, coverage, latency_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (id) DO NOTHING";
const UPSERT_VOTE: &str = "INSERT INTO votes (answer, voter, helpful, guild, at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (answer, voter) DO UPDATE SET helpful = excluded.helpful, at = excluded.at";

/// One question as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRow {
    /// The answer's id (also in the feedback buttons), 16 hex digits.
    pub id: String,
    /// Unix seconds, UTC.
    pub at: i64,
    /// slash, mention, dm, channel, context_menu, console.
    pub source: &'static str,
    /// answered, no_answer, too_long, empty, throttled.
    pub outcome: &'static str,
    /// Guild id (none in DMs and the console).
    pub guild: Option<i64>,
    /// Channel id.
    pub channel: Option<i64>,
    /// Keyed hash of the asker's user id.
    pub asker: String,
    /// The question as asked (none when `log_question_text` is off).
    pub question: Option<String>,
    /// The question normalised for grouping (likewise).
    pub normalised: Option<String>,
    /// The answer's passage id.
    pub passage: Option<String>,
    /// The answer's score.
    pub score: Option<f64>,
    /// Share of the question the answer covers.
    pub coverage: Option<f64>,
    /// Question received → answer ready, in microseconds.
    pub latency_us: i64,
}

/// One vote as stored (a later vote of the same voter on the same answer replaces it).
#[derive(Debug, Clone, PartialEq)]
pub struct VoteRow {
    /// The answer's id.
    pub answer: String,
    /// Keyed hash of the voter's user id.
    pub voter: String,
    /// "Helpful" (true) or "Not helpful".
    pub helpful: bool,
    /// Guild of the answer.
    pub guild: Option<i64>,
    /// Unix seconds, UTC.
    pub at: i64,
}

impl QuestionRow {
    /// The values of [`INSERT_QUESTION`]'s parameters, in order.
    fn cells(&self) -> [Cell<'_>; 13] {
        [
            Cell::Text(Some(&self.id)),
            Cell::Int(Some(self.at)),
            Cell::Text(Some(self.source)),
            Cell::Text(Some(self.outcome)),
            Cell::Int(self.guild),
            Cell::Int(self.channel),
            Cell::Text(Some(&self.asker)),
            Cell::Text(self.question.as_deref()),
            Cell::Text(self.normalised.as_deref()),
            Cell::Text(self.passage.as_deref()),
            Cell::Float(self.score),
            Cell::Float(self.coverage),
            Cell::Int(Some(self.latency_us)),
        ]
    }
}

impl VoteRow {
    /// The values of [`UPSERT_VOTE`]'s parameters, in order.
    fn cells(&self) -> [Cell<'_>; 5] {
        [
            Cell::Text(Some(&self.answer)),
            Cell::Text(Some(&self.voter)),
            Cell::Int(Some(i64::from(self.helpful))),
            Cell::Int(self.guild),
            Cell::Int(Some(self.at)),
        ]
    }
}

/// One parameter value, borrowed, that either driver takes (`None`: SQL NULL). Rows and query
/// parameters are listed once as cells; only the two conversions below know the drivers.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<&'a str>),
}

impl Cell<'_> {
    fn sqlite(&self) -> &dyn rusqlite::ToSql {
        match self {
            Cell::Int(v) => v,
            Cell::Float(v) => v,
            Cell::Text(v) => v,
        }
    }

    fn postgres(&self) -> &(dyn tokio_postgres::types::ToSql + Sync) {
        match self {
            Cell::Int(v) => v,
            Cell::Float(v) => v,
            Cell::Text(v) => v,
        }
    }
}

/// A query parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// An integer.
    Int(i64),
    /// A text.
    Text(String),
    /// NULL in an integer column (PostgreSQL wants the type even of a NULL).
    NullInt,
    /// NULL in a text column.
    NullText,
}

impl Param {
    fn cell(&self) -> Cell<'_> {
        match self {
            Param::Int(i) => Cell::Int(Some(*i)),
            Param::Text(t) => Cell::Text(Some(t)),
            Param::NullInt => Cell::Int(None),
            Param::NullText => Cell::Text(None),
        }
    }
}

/// A value read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A text.
    Text(String),
}

impl Value {
    /// The integer, or 0.
    pub fn int(&self) -> i64 {
        match self {
            Value::Int(i) => *i,
            Value::Float(f) => *f as i64,
            _ => 0,
        }
    }

    /// The text, if any.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// An open database.
pub enum Db {
    /// SQLite (calls block: used only from the store's own thread or the command line).
    Sqlite(Box<rusqlite::Connection>, PathBuf),
    /// PostgreSQL.
    Postgres(tokio_postgres::Client),
}

impl Db {
    /// Opens (creating the SQLite file and its folder if needed) and migrates.
    pub async fn connect(target: &Target) -> Result<Db, DbError> {
        let mut db = match target {
            Target::Sqlite(path) => {
                if let Some(folder) = target.sqlite_folder() {
                    std::fs::create_dir_all(&folder).map_err(|source| DbError::Folder {
                        path: folder.clone(),
                        source,
                    })?;
                }
                let sqlite = |source| DbError::Sqlite {
                    path: path.clone(),
                    source,
                };
                let conn = rusqlite::Connection::open(path).map_err(sqlite)?;
                conn.busy_timeout(Duration::from_secs(5)).map_err(sqlite)?;
                // WAL: readers (`report`) never block the writer; NORMAL is durable across
                // process crashes, which is what a log of questions needs.
                conn.pragma_update(None, "journal_mode", "WAL")
                    .map_err(sqlite)?;
                conn.pragma_update(None, "synchronous", "NORMAL")
                    .map_err(sqlite)?;
                Db::Sqlite(Box::new(conn), path.clone())
            }
            Target::Postgres(url) => {
                let (client, connection) =
                    timed(tokio_postgres::connect(url, tokio_postgres::NoTls)).await?;
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "postgres connection closed");
                    }
                });
                Db::Postgres(client)
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    fn sqlite_error(path: &std::path::Path, source: rusqlite::Error) -> DbError {
        DbError::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Applies the migrations not yet applied, each in its own transaction.
    async fn migrate(&mut self) -> Result<(), DbError> {
        const LEDGER: &str = "CREATE TABLE IF NOT EXISTS summit_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
        let now = unix_now();
        match self {
            Db::Sqlite(conn, path) => {
                let e = |source| Db::sqlite_error(path, source);
                conn.execute_batch(LEDGER).map_err(e)?;
                // IMMEDIATE: two processes starting at once migrate one after the other.
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(e)?;
                let done: i64 = tx
                    .query_row(
                        "SELECT COALESCE(MAX(version), 0) FROM summit_migrations",
                        [],
                        |r| r.get(0),
                    )
                    .map_err(e)?;
                for (version, sql) in pending(done) {
                    tx.execute_batch(sql).map_err(e)?;
                    tx.execute(
                        "INSERT INTO summit_migrations (version, applied_at) VALUES (?1, ?2)",
                        rusqlite::params![version, now],
                    )
                    .map_err(e)?;
                    info!(version, "store: migrated SQLite");
                }
                tx.commit().map_err(e)?;
            }
            Db::Postgres(client) => {
                timed(client.batch_execute(LEDGER)).await?;
                let tx = timed(client.transaction()).await?;
                // Several processes may start at once: one migrates, the others wait.
                timed(tx.batch_execute("SELECT pg_advisory_xact_lock(5316)")).await?;
                let row = timed(tx.query_one(
                    "SELECT COALESCE(MAX(version), 0)::BIGINT FROM summit_migrations",
                    &[],
                ))
                .await?;
                let done: i64 = row.get(0);
                for (version, sql) in pending(done) {
                    timed(tx.batch_execute(sql)).await?;
                    timed(tx.execute(
                        "INSERT INTO summit_migrations (version, applied_at) VALUES ($1, $2)",
                        &[&version, &now],
                    ))
                    .await?;
                    info!(version, "store: migrated PostgreSQL");
                }
                timed(tx.commit()).await?;
            }
        }
        Ok(())
    }

    /// Writes questions and votes in one transaction.
    pub async fn write(
        &mut self,
        questions: &[QuestionRow],
        votes: &[VoteRow],
    ) -> Result<(), DbError> {
        match self {
            Db::Sqlite(conn, path) => {
                let e = |source| Db::sqlite_error(path, source);
                let tx = conn.transaction().map_err(e)?;
                sqlite_each(
                    &tx,
                    INSERT_QUESTION,
                    questions.iter().map(QuestionRow::cells),
                )
                .map_err(e)?;
                sqlite_each(&tx, UPSERT_VOTE, votes.iter().map(VoteRow::cells)).map_err(e)?;
                tx.commit().map_err(e)?;
            }
            Db::Postgres(client) => {
                let tx = timed(client.transaction()).await?;
                postgres_each(
                    &tx,
                    INSERT_QUESTION,
                    questions.iter().map(QuestionRow::cells),
                )
                .await?;
                postgres_each(&tx, UPSERT_VOTE, votes.iter().map(VoteRow::cells)).await?;
                timed(tx.commit()).await?;
            }
        }
        Ok(())
    }

    /// Deletes questions and votes older than `cutoff` (unix seconds); returns rows deleted.
    pub async fn delete_older_than(&mut self, cutoff: i64) -> Result<u64, DbError> {
        let mut deleted = 0;
        for sql in [
            "DELETE FROM questions WHERE at < ?1",
            "DELETE FROM votes WHERE at < ?1",
        ] {
            deleted += self.execute(sql, &[Param::Int(cutoff)]).await?;
        }
        Ok(deleted)
    }

    /// Runs a statement; returns the rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        match self {
            Db::Sqlite(conn, path) => conn
                .execute(sql, sqlite_params(&cells(params)))
                .map(|n| n as u64)
                .map_err(|source| Db::sqlite_error(path, source)),
            Db::Postgres(client) => {
                let cells = cells(params);
                Ok(timed(client.execute(&postgres_sql(sql), &postgres_params(&cells))).await?)
            }
        }
    }

    /// Runs a statement once per row of parameters, in one transaction.
    pub async fn execute_each(&mut self, sql: &str, rows: &[Vec<Param>]) -> Result<(), DbError> {
        match self {
            Db::Sqlite(conn, path) => {
                let e = |source| Db::sqlite_error(path, source);
                let tx = conn.transaction().map_err(e)?;
                {
                    let mut statement = tx.prepare_cached(sql).map_err(e)?;
                    for row in rows {
                        statement.execute(sqlite_params(&cells(row))).map_err(e)?;
                    }
                }
                tx.commit().map_err(e)?;
            }
            Db::Postgres(client) => {
                let tx = timed(client.transaction()).await?;
                let statement = timed(tx.prepare(&postgres_sql(sql))).await?;
                for row in rows {
                    let cells = cells(row);
                    timed(tx.execute(&statement, &postgres_params(&cells))).await?;
                }
                timed(tx.commit()).await?;
            }
        }
        Ok(())
    }

    /// Runs a query; every row as values in column order.
    pub async fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Vec<Value>>, DbError> {
        match self {
            Db::Sqlite(conn, path) => {
                let e = |source| Db::sqlite_error(path, source);
                let mut statement = conn.prepare_cached(sql).map_err(e)?;
                let columns = statement.column_count();
                let rows = statement
                    .query_map(sqlite_params(&cells(params)), |row| {
                        (0..columns)
                            .map(|i| {
                                Ok(match row.get_ref(i)? {
                                    rusqlite::types::ValueRef::Null => Value::Null,
                                    rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                                    rusqlite::types::ValueRef::Real(f) => Value::Float(f),
                                    rusqlite::types::ValueRef::Text(t) => {
                                        Value::Text(String::from_utf8_lossy(t).into_owned())
                                    }
                                    rusqlite::types::ValueRef::Blob(_) => Value::Null,
                                })
                            })
                            .collect::<Result<Vec<Value>, rusqlite::Error>>()
                    })
                    .map_err(e)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(e)
            }
            Db::Postgres(client) => {
                let cells = cells(params);
                let rows =
                    timed(client.query(&postgres_sql(sql), &postgres_params(&cells))).await?;
                Ok(rows.iter().map(postgres_row).collect())
            }
        }
    }
}

fn pending(done: i64) -> impl Iterator<Item = (i64, &'static str)> {
    MIGRATIONS
        .iter()
        .enumerate()
        .map(|(i, sql)| (i as i64 + 1, *sql))
        .filter(move |(version, _)| *version > done)
}

fn cells(params: &[Param]) -> Vec<Cell<'_>> {
    params.iter().map(Param::cell).collect()
}

fn sqlite_params<'a>(cells: &'a [Cell<'a>]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(cells.iter().map(Cell::sqlite))
}

fn postgres_params<'a>(
    cells: &'a [Cell<'a>],
) -> Vec<&'a (dyn tokio_postgres::types::ToSql + Sync)> {
    cells.iter().map(Cell::postgres).collect()
}

/// Runs `sql` once per row of cells, in the transaction (a statement prepared once).
fn sqlite_each<'a, const N: usize>(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    rows: impl Iterator<Item = [Cell<'a>; N]>,
) -> Result<(), rusqlite::Error> {
    let mut statement = tx.prepare_cached(sql)?;
    for row in rows {
        statement.execute(sqlite_params(&row))?;
    }
    Ok(())
}

/// The same for PostgreSQL (prepared only when there is a row).
async fn postgres_each<'a, const N: usize>(
    tx: &tokio_postgres::Transaction<'_>,
    sql: &str,
    rows: impl Iterator<Item = [Cell<'a>; N]>,
) -> Result<(), DbError> {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let statement = timed(tx.prepare(&postgres_sql(sql))).await?;
    for row in rows {
        timed(tx.execute(&statement, &postgres_params(&row))).await?;
    }
    Ok(())
}

fn postgres_row(row: &tokio_postgres::Row) -> Vec<Value> {
    use tokio_postgres::types::Type;
    (0..row.len())
        .map(|i| {
            let kind = row.columns()[i].type_().clone();
            let value = if kind == Type::INT8 {
                row.try_get::<_, Option<i64>>(i)
                    .ok()
                    .flatten()
                    .map(Value::Int)
            } else if kind == Type::INT4 {
                row.try_get::<_, Option<i32>>(i)
                    .ok()
                    .flatten()
                    .map(|v| Value::Int(v.into()))
            } else if kind == Type::FLOAT8 {
                row.try_get::<_, Option<f64>>(i)
                    .ok()
                    .flatten()
                    .map(Value::Float)
            } else {
                row.try_get::<_, Option<String>>(i)
                    .ok()
                    .flatten()
                    .map(Value::Text)
            };
            value.unwrap_or(Value::Null)
        })
        .collect()
}

/// `?N` placeholders (SQLite) → `$N` (PostgreSQL). Our SQL has no `?` anywhere else.
pub fn postgres_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

async fn timed<T, E>(call: impl std::future::Future<Output = Result<T, E>>) -> Result<T, DbError>
where
    DbError: From<E>,
{
    match tokio::time::timeout(PG_TIMEOUT, call).await {
        Ok(result) => result.map_err(DbError::from),
        Err(_) => Err(DbError::TimedOut(PG_TIMEOUT)),
    }
}

/// Seconds since 1970, UTC.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::block_on;

    #[test]
    fn urls_parse_and_passwords_stay_hidden() {
        assert_eq!(
            Target::parse("sqlite://data/summit.db").unwrap(),
            Target::Sqlite(PathBuf::from("data/summit.db"))
        );
        assert_eq!(
            Target::parse("sqlite:///var/lib/summit.db").unwrap(),
            Target::Sqlite(PathBuf::from("/var/lib/summit.db"))
        );
        assert!(matches!(
            Target::parse("postgresql://u:pw@h/db").unwrap(),
            Target::Postgres(_)
        ));
        let error = Target::parse("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("secret"), "{error}");
        assert_eq!(
            format!("{:?}", Target::parse("postgres://u:secret@h/db").unwrap()),
            "Postgres(..)"
        );
        assert_eq!(postgres_sql("a = ?1 AND b = ?2"), "a = $1 AND b = $2");
    }

    #[test]
    fn an_empty_file_and_a_version_one_file_both_migrate_to_the_latest() {
        let dir = tempfile::tempdir().unwrap();
        let latest = MIGRATIONS.len() as i64;
        let versions = |db: &mut Db| {
            block_on(db.query(
                "SELECT version FROM summit_migrations ORDER BY version",
                &[],
            ))
            .unwrap()
            .iter()
            .map(|r| r[0].int())
            .collect::<Vec<_>>()
        };
        // Empty file.
        let mut fresh = block_on(Db::connect(&Target::Sqlite(dir.path().join("new.db")))).unwrap();
        assert_eq!(versions(&mut fresh), (1..=latest).collect::<Vec<_>>());
        // A file written by a version that knew only migration 1, with a question in it.
        let old = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&old).unwrap();
            conn.execute_batch(
                "CREATE TABLE summit_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            )
            .unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(
                "INSERT INTO summit_migrations VALUES (1, 0);
                 INSERT INTO questions (id, at, source, outcome, asker, latency_us)
                 VALUES ('00000000000000aa', 1, 'mention', 'answered', 'h', 5);",
            )
            .unwrap();
        }
        let mut db = block_on(Db::connect(&Target::Sqlite(old))).unwrap();
        assert_eq!(versions(&mut db), (1..=latest).collect::<Vec<_>>());
        let kept = block_on(db.query("SELECT id FROM questions", &[])).unwrap();
        assert_eq!(kept, vec![vec![Value::Text("00000000000000aa".into())]]);
        let empty = block_on(db.query("SELECT channel FROM channel_cursors", &[])).unwrap();
        assert!(empty.is_empty());
    }
}
