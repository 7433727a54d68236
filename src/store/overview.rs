//! The admin page's reads of the question log: questions and votes per day, the guilds seen,
//! and a search over the questions. One SQL text for both databases, like [`super::report`]
//! (whose totals, hours, gaps and Not helpful passages the page shows too).

use serde::Serialize;

use super::db::{Db, DbError, Param};
use super::report::Filter;

/// Rows a question search returns at most.
pub const SEARCH_LIMIT: usize = 100;

/// Questions on one day (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Day {
    /// Days since 1970-01-01.
    pub day: i64,
    /// Questions asked.
    pub questions: u64,
    /// Of those, answered with a passage.
    pub answered: u64,
}

/// Votes on one day (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VoteDay {
    /// Days since 1970-01-01.
    pub day: i64,
    /// "Helpful" votes.
    pub helpful: u64,
    /// "Not helpful" votes.
    pub not_helpful: u64,
}

fn count(v: &super::db::Value) -> u64 {
    v.int().max(0) as u64
}

/// Questions and answered questions per day, oldest first (days without questions left out).
pub async fn questions_per_day(db: &mut Db, filter: &Filter) -> Result<Vec<Day>, DbError> {
    let (scope, params) = filter.scope("q");
    Ok(db
        .query(
            &format!(
                "SELECT q.at / 86400 AS d, COUNT(*), \
                 SUM(CASE WHEN q.outcome = 'answered' THEN 1 ELSE 0 END) \
                 FROM questions q WHERE 1 = 1{scope} GROUP BY d ORDER BY d"
            ),
            &params,
        )
        .await?
        .iter()
        .map(|r| Day {
            day: r[0].int(),
            questions: count(&r[1]),
            answered: count(&r[2]),
        })
        .collect())
}

/// Helpful and Not helpful votes per day, oldest first.
pub async fn votes_per_day(db: &mut Db, filter: &Filter) -> Result<Vec<VoteDay>, DbError> {
    let (scope, params) = filter.scope("v");
    Ok(db
        .query(
            &format!(
                "SELECT v.at / 86400 AS d, \
                 SUM(CASE WHEN v.helpful <> 0 THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN v.helpful = 0 THEN 1 ELSE 0 END) \
                 FROM votes v WHERE 1 = 1{scope} GROUP BY d ORDER BY d"
            ),
            &params,
        )
        .await?
        .iter()
        .map(|r| VoteDay {
            day: r[0].int(),
            helpful: count(&r[1]),
            not_helpful: count(&r[2]),
        })
        .collect())
}

/// Guilds that asked something, most questions first (100 at most), for the guild filter.
pub async fn guilds(db: &mut Db) -> Result<Vec<u64>, DbError> {
    Ok(db
        .query(
            "SELECT q.guild, COUNT(*) AS n FROM questions q WHERE q.guild IS NOT NULL \
             GROUP BY q.guild ORDER BY n DESC, q.guild LIMIT 100",
            &[],
        )
        .await?
        .iter()
        .map(|r| r[0].int() as u64)
        .collect())
}

/// What a question search looks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Words the question contains (case-insensitive, as typed; empty: any).
    pub text: String,
    /// Stored outcome (`answered`, `no_answer`, …; empty: any).
    pub outcome: String,
    /// Guild (`None`: any).
    pub guild: Option<u64>,
}

/// A logged question as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionRow {
    /// Unix seconds, UTC.
    pub at: i64,
    /// The question (`None` when its text was not logged).
    pub question: Option<String>,
    /// Stored outcome.
    pub outcome: String,
    /// Guild, if any.
    pub guild: Option<u64>,
    /// The passage answered with.
    pub passage: Option<String>,
    /// The asker's keyed hash (never the id).
    pub asker: String,
    /// "Helpful" votes on the answer.
    pub helpful: u64,
    /// "Not helpful" votes on the answer.
    pub not_helpful: u64,
}

/// The newest questions matching `search` ([`SEARCH_LIMIT`] at most).
pub async fn search(db: &mut Db, search: &Search) -> Result<Vec<QuestionRow>, DbError> {
    let mut conditions = String::new();
    let mut params = Vec::new();
    if !search.text.trim().is_empty() {
        // LIKE with our own escape character: the user's % and _ are plain characters.
        let pattern = search
            .text
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        params.push(Param::Text(format!("%{pattern}%")));
        conditions.push_str(&format!(
            " AND LOWER(q.question) LIKE ?{} ESCAPE '\\'",
            params.len()
        ));
    }
    if !search.outcome.is_empty() {
        params.push(Param::Text(search.outcome.clone()));
        conditions.push_str(&format!(" AND q.outcome = ?{}", params.len()));
    }
    if let Some(guild) = search.guild {
        params.push(Param::Int(guild as i64));
        conditions.push_str(&format!(" AND q.guild = ?{}", params.len()));
    }
    Ok(db
        .query(
            &format!(
                "SELECT q.at, q.question, q.outcome, q.guild, q.passage, q.asker, \
                 (SELECT COUNT(*) FROM votes v WHERE v.answer = q.id AND v.helpful <> 0), \
                 (SELECT COUNT(*) FROM votes v WHERE v.answer = q.id AND v.helpful = 0) \
                 FROM questions q WHERE 1 = 1{conditions} \
                 ORDER BY q.at DESC, q.id LIMIT {SEARCH_LIMIT}"
            ),
            &params,
        )
        .await?
        .iter()
        .map(|r| QuestionRow {
            at: r[0].int(),
            question: r[1].text().map(str::to_string),
            outcome: r[2].text().unwrap_or_default().to_string(),
            guild: match r[3] {
                super::db::Value::Null => None,
                ref v => Some(v.int() as u64),
            },
            passage: r[4].text().map(str::to_string),
            asker: r[5].text().unwrap_or_default().to_string(),
            helpful: count(&r[6]),
            not_helpful: count(&r[7]),
        })
        .collect())
}
