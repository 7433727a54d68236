//! Reading the question log back: the numbers behind `summit-bot report` and `/gaps`, and the
//! rows `report --export-eval` turns into regression questions. One set of SQL for both
//! databases.

use serde::Serialize;

use super::db::{Db, DbError, Param, Value};

/// Rows reported in the "top" lists.
pub const TOP: usize = 10;

/// Which rows a report covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only rows at or after this time (unix seconds); `None`: all time.
    pub since: Option<i64>,
    /// Only this guild; `None`: all guilds (and DMs, and the console).
    pub guild: Option<u64>,
}

impl Filter {
    /// ` AND …` conditions on `alias.at` / `alias.guild`, with their parameters.
    pub(super) fn scope(&self, alias: &str) -> (String, Vec<Param>) {
        let mut sql = String::new();
        let mut params = Vec::new();
        if let Some(since) = self.since {
            params.push(Param::Int(since));
            sql.push_str(&format!(" AND {alias}.at >= ?{}", params.len()));
        }
        if let Some(guild) = self.guild {
            params.push(Param::Int(guild as i64));
            sql.push_str(&format!(" AND {alias}.guild = ?{}", params.len()));
        }
        (sql, params)
    }
}

/// Parses `7d`, `24h`, `30m` (also `s` and `w`) into seconds.
pub fn parse_since(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?}: add a unit, e.g. 7d, 24h or 30m"))?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a number and a unit, e.g. 7d, 24h or 30m"))?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("{text:?}: the unit must be m, h, d (or s, w)")),
    };
    number
        .checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too long"))
}

/// A frequent question the bot could not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unanswered {
    /// The question as one asker wrote it.
    pub question: String,
    /// How often it was asked (grouped by normalised text).
    pub count: u64,
}

/// Helpful / Not helpful votes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Feedback {
    /// "Helpful" votes.
    pub helpful: u64,
    /// "Not helpful" votes.
    pub not_helpful: u64,
}

/// A passage rated "Not helpful".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeastHelpful {
    /// Passage id.
    pub passage: String,
    /// "Not helpful" votes on answers with it.
    pub not_helpful: u64,
}

/// Everything `summit-bot report` shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Questions received, whatever their outcome.
    pub questions: u64,
    /// Answered with a passage.
    pub answered: u64,
    /// Not answered (no good passage, too long, empty, or throttled).
    pub no_answer: u64,
    /// Questions per outcome (answered, no_answer, too_long, empty, throttled).
    pub outcomes: std::collections::BTreeMap<String, u64>,
    /// Distinct askers (by keyed hash).
    pub askers: u64,
    /// The most frequent questions without a good passage.
    pub top_unanswered: Vec<Unanswered>,
    /// Votes.
    pub feedback: Feedback,
    /// Passages most often rated "Not helpful".
    pub least_helpful: Vec<LeastHelpful>,
    /// Questions per hour of day, UTC (index 0 = 00:00–00:59).
    pub by_hour_utc: [u64; 24],
}

fn count(v: &Value) -> u64 {
    v.int().max(0) as u64
}

/// The most frequent unanswered questions (`limit` at most).
pub async fn top_unanswered(
    db: &mut Db,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<Unanswered>, DbError> {
    let (scope, params) = filter.scope("q");
    let rows = db
        .query(
            &format!(
                "SELECT q.normalised, MIN(q.question), COUNT(*) AS n FROM questions q \
                 WHERE q.outcome = 'no_answer' AND q.normalised IS NOT NULL AND q.normalised <> ''{scope} \
                 GROUP BY q.normalised ORDER BY n DESC, q.normalised LIMIT {limit}"
            ),
            &params,
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Unanswered {
            question: r[1].text().or(r[0].text()).unwrap_or_default().to_string(),
            count: count(&r[2]),
        })
        .collect())
}

/// Builds the whole report.
pub async fn build(db: &mut Db, filter: &Filter) -> Result<Report, DbError> {
    let (scope, params) = filter.scope("q");
    let mut outcomes = std::collections::BTreeMap::new();
    for row in db
        .query(
            &format!(
                "SELECT q.outcome, COUNT(*) FROM questions q WHERE 1 = 1{scope} GROUP BY q.outcome"
            ),
            &params,
        )
        .await?
    {
        outcomes.insert(row[0].text().unwrap_or("?").to_string(), count(&row[1]));
    }
    let questions: u64 = outcomes.values().sum();
    let answered = outcomes.get("answered").copied().unwrap_or(0);
    let askers = db
        .query(
            &format!("SELECT COUNT(DISTINCT q.asker) FROM questions q WHERE 1 = 1{scope}"),
            &params,
        )
        .await?
        .first()
        .map_or(0, |r| count(&r[0]));
    let mut by_hour_utc = [0u64; 24];
    for row in db
        .query(
            &format!("SELECT (q.at / 3600) % 24 AS h, COUNT(*) FROM questions q WHERE 1 = 1{scope} GROUP BY h"),
            &params,
        )
        .await?
    {
        if let Some(slot) = usize::try_from(row[0].int()).ok().and_then(|h| by_hour_utc.get_mut(h)) {
            *slot += count(&row[1]);
        }
    }
    let (vote_scope, vote_params) = filter.scope("v");
    let mut feedback = Feedback::default();
    for row in db
        .query(
            &format!("SELECT v.helpful, COUNT(*) FROM votes v WHERE 1 = 1{vote_scope} GROUP BY v.helpful"),
            &vote_params,
        )
        .await?
    {
        if row[0].int() != 0 {
            feedback.helpful += count(&row[1]);
        } else {
            feedback.not_helpful += count(&row[1]);
        }
    }
    let least_helpful = db
        .query(
            &format!(
                "SELECT q.passage, COUNT(*) AS n FROM votes v JOIN questions q ON q.id = v.answer \
                 WHERE v.helpful = 0 AND q.passage IS NOT NULL{vote_scope} \
                 GROUP BY q.passage ORDER BY n DESC, q.passage LIMIT {TOP}"
            ),
            &vote_params,
        )
        .await?
        .iter()
        .map(|r| LeastHelpful {
            passage: r[0].text().unwrap_or_default().to_string(),
            not_helpful: count(&r[1]),
        })
        .collect();
    Ok(Report {
        questions,
        answered,
        no_answer: questions - answered,
        outcomes,
        askers,
        top_unanswered: top_unanswered(db, filter, TOP).await?,
        feedback,
        least_helpful,
        by_hour_utc,
    })
}

/// Questions for `--export-eval`: those rated helpful (more helpful than not-helpful votes)
/// with their passage id, and the distinct unanswered ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportRows {
    /// (question, passage id), one per distinct normalised question.
    pub helpful: Vec<(String, String)>,
    /// Unanswered questions, one per distinct normalised question.
    pub unanswered: Vec<String>,
}

/// Reads the rows `--export-eval` writes.
pub async fn export_rows(db: &mut Db, filter: &Filter) -> Result<ExportRows, DbError> {
    let (scope, params) = filter.scope("q");
    let helpful = db
        .query(
            &format!(
                "SELECT q.normalised, MIN(q.question), MIN(q.passage) FROM questions q JOIN votes v ON v.answer = q.id \
                 WHERE q.passage IS NOT NULL AND q.question IS NOT NULL{scope} \
                 GROUP BY q.normalised, q.passage HAVING SUM(v.helpful) * 2 > COUNT(*) \
                 ORDER BY q.normalised"
            ),
            &params,
        )
        .await?
        .iter()
        .filter_map(|r| Some((r[1].text()?.to_string(), r[2].text()?.to_string())))
        .collect();
    let unanswered = db
        .query(
            &format!(
                "SELECT q.normalised, MIN(q.question) FROM questions q \
                 WHERE q.outcome = 'no_answer' AND q.question IS NOT NULL AND q.normalised <> ''{scope} \
                 GROUP BY q.normalised ORDER BY COUNT(*) DESC, q.normalised"
            ),
            &params,
        )
        .await?
        .iter()
        .filter_map(|r| r[1].text().map(str::to_string))
        .collect();
    Ok(ExportRows {
        helpful,
        unanswered,
    })
}

/// The report as text for a terminal.
pub fn render_text(report: &Report, scope: &str) -> String {
    let mut out = format!("Questions received ({scope}): {}\n", report.questions);
    let share = if report.questions == 0 {
        0.0
    } else {
        report.answered as f64 * 100.0 / report.questions as f64
    };
    out.push_str(&format!(
        "Answered: {} ({share:.0}%) · not answered: {}",
        report.answered, report.no_answer
    ));
    let others: Vec<String> = report
        .outcomes
        .iter()
        .filter(|(k, _)| k.as_str() != "answered")
        .map(|(k, v)| format!("{} {v}", k.replace('_', " ")))
        .collect();
    if !others.is_empty() {
        out.push_str(&format!(" ({})", others.join(", ")));
    }
    out.push_str(&format!("\nDistinct askers: {}\n", report.askers));
    out.push_str("\nMost frequent unanswered questions:\n");
    if report.top_unanswered.is_empty() {
        out.push_str("  (none)\n");
    }
    for u in &report.top_unanswered {
        out.push_str(&format!("  {:>5}  {}\n", u.count, u.question));
    }
    out.push_str(&format!(
        "\nFeedback: {} helpful, {} not helpful\n",
        report.feedback.helpful, report.feedback.not_helpful
    ));
    out.push_str("Answers most often rated \"Not helpful\":\n");
    if report.least_helpful.is_empty() {
        out.push_str("  (none)\n");
    }
    for l in &report.least_helpful {
        out.push_str(&format!("  {:>5}  {}\n", l.not_helpful, l.passage));
    }
    out.push_str("\nQuestions per hour of day (UTC):\n");
    let most = report.by_hour_utc.iter().copied().max().unwrap_or(0).max(1);
    for (hour, n) in report.by_hour_utc.iter().enumerate() {
        let bar = "#".repeat(((n * 40).div_ceil(most)) as usize);
        let line = format!("  {hour:02}  {n:>6}  {bar}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_minutes_hours_days() {
        assert_eq!(parse_since("30m"), Ok(1800));
        assert_eq!(parse_since("24h"), Ok(86_400));
        assert_eq!(parse_since("7d"), Ok(604_800));
        assert!(parse_since("7").is_err());
        assert!(parse_since("d").is_err());
        assert!(parse_since("3y").is_err());
        assert!(parse_since("99999999999999999999d").is_err());
    }
}
