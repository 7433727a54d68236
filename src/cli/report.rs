//! `summit-bot report`: what people asked, read from the question log (`[store] url`), as
//! text or one JSON object; `--export-eval FILE.jsonl` turns rated and unanswered questions
//! into eval lines for a person to review.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::config::Config;
use crate::retrieve::taught::TaughtAnswer;
use crate::store::db::{unix_now, Db, Target};
use crate::store::report::{self, Filter};

/// Words of a passage's opening used as the expected phrase of an exported question.
const OPENING_WORDS: usize = 8;

/// The command line's options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--since 7d`.
    pub since: Option<String>,
    /// `--guild ID`.
    pub guild: Option<u64>,
    /// `--json`.
    pub json: bool,
    /// `--export-eval FILE`.
    pub export_eval: Option<PathBuf>,
}

/// Runs the report; returns what to print.
pub fn run(config: &Config, options: &Options) -> anyhow::Result<String> {
    let since = options
        .since
        .as_deref()
        .map(report::parse_since)
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("invalid --since")?;
    let filter = Filter {
        since: since.map(|age| unix_now() - age),
        guild: options.guild,
    };
    let target = Target::parse(&config.store.url).context("invalid [store] url")?;
    if let Target::Sqlite(path) = &target {
        if !path.exists() {
            bail!(
                "no question log at {} yet (the bot and the console chat write it when [store] enabled = true)",
                path.display()
            );
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let mut db = Db::connect(&target)
            .await
            .context("cannot open the question log")?;
        if let Some(file) = &options.export_eval {
            let rows = report::export_rows(&mut db, &filter)
                .await
                .context("cannot read the question log")?;
            let taught = crate::store::taught::list(&mut db)
                .await
                .context("cannot read the taught answers")?;
            return export(config, &rows, &taught, file);
        }
        let built = report::build(&mut db, &filter)
            .await
            .context("cannot read the question log")?;
        if options.json {
            return Ok(serde_json::to_string(&built)? + "\n");
        }
        let mut scope = match &options.since {
            Some(age) => format!("last {age}"),
            None => "all time".to_string(),
        };
        match options.guild {
            Some(guild) => scope.push_str(&format!(", guild {guild}")),
            None => scope.push_str(", all guilds"),
        }
        Ok(report::render_text(&built, &scope))
    })
}

/// An exported question rated helpful: its passage must open with these words.
#[derive(serde::Serialize)]
struct HelpfulLine<'a> {
    q: &'a str,
    any: [String; 1],
}

/// An exported unanswered question: expected to stay unanswered until a person decides.
#[derive(serde::Serialize)]
struct UnansweredLine<'a> {
    q: &'a str,
    none: bool,
    review: bool,
}

/// Writes the eval lines; returns the summary line.
fn export(
    config: &Config,
    rows: &report::ExportRows,
    taught: &[TaughtAnswer],
    file: &PathBuf,
) -> anyhow::Result<String> {
    let engine = super::open_engine(&crate::engine::EngineOptions::from_config(config))?;
    let mut lines = String::new();
    let mut helpful = 0;
    let mut missing = 0;
    // Taught answers first: an admin decided them, so they are expected answers as they stand.
    let mut taught_lines = 0;
    for answer in taught {
        let Some(hit) = engine.passage(&answer.passage)? else {
            missing += 1; // stale: the passage is gone
            continue;
        };
        lines.push_str(&serde_json::to_string(&HelpfulLine {
            q: &answer.question,
            any: [opening(&hit.passage.text)],
        })?);
        lines.push('\n');
        taught_lines += 1;
    }
    for (question, passage) in &rows.helpful {
        let Some(hit) = engine.passage(passage)? else {
            missing += 1; // the article changed since: nothing to check against
            continue;
        };
        lines.push_str(&serde_json::to_string(&HelpfulLine {
            q: question,
            any: [opening(&hit.passage.text)],
        })?);
        lines.push('\n');
        helpful += 1;
    }
    for question in &rows.unanswered {
        lines.push_str(&serde_json::to_string(&UnansweredLine {
            q: question,
            none: true,
            review: true,
        })?);
        lines.push('\n');
    }
    let mut out =
        std::fs::File::create(file).with_context(|| format!("cannot write {}", file.display()))?;
    out.write_all(lines.as_bytes())
        .with_context(|| format!("cannot write {}", file.display()))?;
    let mut summary = format!(
        "wrote {helpful} helpful and {} unanswered question(s) to {}; review them before adding them to an eval file\n",
        rows.unanswered.len(),
        file.display()
    );
    if taught_lines > 0 {
        summary.push_str(&format!(
            "also wrote {taught_lines} taught answer(s) (see summit-bot teach list)\n"
        ));
    }
    if missing > 0 {
        summary.push_str(&format!(
            "skipped {missing} helpful question(s) or taught answer(s) whose passage is no longer in the articles\n"
        ));
    }
    Ok(summary)
}

/// The first words of a passage: the expected phrase of an exported question.
fn opening(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(OPENING_WORDS).collect();
    words.join(" ")
}
