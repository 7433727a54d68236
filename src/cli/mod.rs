//! The command line (clap): the console chat, one-shot look-ups, JSON lines for other
//! programs, index maintenance and evaluation. A thin front end over [`crate::engine`].

pub mod channels;
pub mod console;
pub mod hub;
pub mod install;
pub mod lines;
pub mod model;
pub mod report;
pub mod teach;

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::engine::{Engine, EngineOptions};
use crate::eval;
use crate::render::{json, text};
use crate::retrieve::follow_up::Turn;

/// summit-bot answers questions about the September 2015 Obama–Xi cyber-espionage summit with
/// the article's own words. With no command: the Discord bot if DISCORD_TOKEN (or
/// DISCORD_TOKEN_FILE) is set, else a console chat.
#[derive(Debug, Parser)]
#[command(name = "summit-bot", version)]
pub struct Cli {
    /// Config file (default: config/default.toml when present, else built-in defaults).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer a question ("-" reads one question per line from stdin).
    Ask {
        /// Print one JSON object per question instead of text.
        #[arg(long)]
        json: bool,
        /// The question, or "-" for stdin.
        #[arg(required = true, num_args = 1..)]
        question: Vec<String>,
    },
    /// Show agreement point N with its footnotes.
    Point {
        /// Point number (1-based).
        number: u32,
        /// Article: its id (file name without extension) or a unique part of its title.
        #[arg(long, value_name = "ID")]
        article: Option<String>,
    },
    /// List the agreement points.
    Points {
        /// Article: its id (file name without extension) or a unique part of its title.
        #[arg(long, value_name = "ID")]
        article: Option<String>,
    },
    /// Show footnote N.
    Footnote {
        /// Footnote number.
        number: u32,
        /// Article: its id (file name without extension) or a unique part of its title.
        #[arg(long, value_name = "ID")]
        article: Option<String>,
    },
    /// Show what the bot knows (title, counts).
    About,
    /// Build the search index (only if the articles changed, unless --force), or with
    /// --check lint the articles instead (exit 1 on errors, 0 with only warnings).
    Index {
        /// Rebuild even if the index is up to date.
        #[arg(long, conflicts_with = "check")]
        force: bool,
        /// Lint the articles (markers without definitions, uncited footnotes, duplicate
        /// numbers, empty paragraphs, unnumbered enumerations, navigation left in); build nothing.
        #[arg(long)]
        check: bool,
        /// Articles folder to check (default: the configured one).
        #[arg(requires = "check", value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Turn a saved web page (or a URL) of an article into a Markdown article file:
    /// title, paragraphs, footnotes, source and date; site navigation left out.
    Import {
        /// A saved page (.html) or an http(s) URL.
        input: String,
        /// Folder to write into (the file is named after the title), or a .md file
        /// (default: the configured articles folder).
        #[arg(long, value_name = "DIR|FILE.md")]
        out: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Score answers against a JSON-lines file of questions.
    Eval {
        /// File with one {"q", "any", "footnotes"} or {"q", "none": true} per line, or a
        /// conversation {"dialog": [question, …]} whose turns are asked in order with context.
        file: PathBuf,
        /// Also write each question's scored candidates with the answer decision's signals
        /// and labels, one JSON line per question asked alone, for
        /// `scripts/train_decision.py`.
        #[arg(long, value_name = "OUT.jsonl")]
        features: Option<PathBuf>,
    },
    /// What people asked (from the question log): counts, gaps, feedback, hours of day.
    Report {
        /// Only the last 7d, 24h, 30m, … (default: all time).
        #[arg(long, value_name = "AGE")]
        since: Option<String>,
        /// Only this guild (default: all guilds).
        #[arg(long, value_name = "ID")]
        guild: Option<u64>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Write questions rated helpful and unanswered ones as eval lines, for review.
        #[arg(long, value_name = "FILE.jsonl")]
        export_eval: Option<PathBuf>,
    },
    /// The transformer re-ranker: fetch all-mpnet-base-v2, or say which model answers.
    Model {
        /// What to do.
        #[command(subcommand)]
        command: model::ModelCommand,
    },
    /// What the bot does in each channel: answer channels (config, then /channel settings
    /// from the store), default articles, and the newest message seen (catch-up).
    Channels,
    /// Answers an admin teaches: a question (and questions with the same words or
    /// very close to them) get a chosen passage first. Kept in the store ([store] url).
    Teach {
        /// add, list or remove.
        #[command(subcommand)]
        command: teach::TeachCommand,
    },
    /// Interactive console chat (the default without a Discord token).
    Chat,
    /// Run the Discord bot (needs DISCORD_TOKEN or DISCORD_TOKEN_FILE).
    Serve,
}

/// Opens the engine with the reason a failure stops the command.
fn open_engine(options: &EngineOptions) -> anyhow::Result<Engine> {
    Engine::open(options).context("cannot load the articles and index")
}

/// The engine consulting the taught answers of the configured store (none when there is
/// no store): what `ask` and the console answer with, as the bot does.
fn with_taught(engine: Engine, config: &Config) -> Engine {
    let taught = crate::retrieve::taught::TaughtAnswers::new(teach::load(config));
    engine.with_taught(std::sync::Arc::new(taught))
}

/// Runs a command (the Discord bot for `serve`) and returns the process exit code.
pub fn run(command: Command, config: &Config) -> anyhow::Result<i32> {
    let options = EngineOptions::from_config(config);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        Command::Ask {
            json: as_json,
            question,
        } => {
            let engine = with_taught(open_engine(&options)?, config);
            if question.len() == 1 && question[0] == "-" {
                let mut input = BufReader::with_capacity(1 << 16, std::io::stdin().lock());
                let mut buffered = BufWriter::with_capacity(1 << 16, &mut out);
                ask_stream(&engine, as_json, &mut input, &mut buffered)?;
            } else {
                let question = question.join(" ");
                let response = engine.ask(&question)?;
                let rendered = if as_json {
                    json::to_json_line(&response) + "\n"
                } else {
                    text::response(&response)
                };
                out.write_all(rendered.as_bytes())?;
            }
        }
        Command::Point { number, article } => {
            let engine = open_engine(&options)?;
            let article = engine.article(article.as_deref())?;
            match engine.point(article, number)? {
                Some(hit) => out.write_all(text::hit(&hit).as_bytes())?,
                None => bail!(
                    "no point {number}: {} lists {} points",
                    engine.article_name(article),
                    article.points.len()
                ),
            }
        }
        Command::Points { article } => {
            let engine = open_engine(&options)?;
            let article = engine.article(article.as_deref())?;
            out.write_all(text::points(&article.points).as_bytes())?;
        }
        Command::Footnote { number, article } => {
            let engine = open_engine(&options)?;
            let article = engine.article(article.as_deref())?;
            match article.footnote(number) {
                Some(f) => writeln!(out, "{}", text::footnote(f))?,
                None => bail!(
                    "no footnote {number}: {} has {} footnotes",
                    engine.article_name(article),
                    article.footnotes.len()
                ),
            }
        }
        Command::About => {
            let engine = open_engine(&options)?;
            out.write_all(text::about(&engine.about()).as_bytes())?;
        }
        Command::Index {
            check: true, dir, ..
        } => {
            let dir = match dir.or_else(|| EngineOptions::from_config(config).articles_dir) {
                Some(dir) => dir,
                None => bail!("no articles folder to check: pass DIR or set corpus.articles_dir"),
            };
            let report = crate::ingest::lint::lint_dir(&dir)?;
            for finding in &report.findings {
                writeln!(out, "{finding}")?;
            }
            let errors = report.count(crate::ingest::lint::Severity::Error);
            let warnings = report.count(crate::ingest::lint::Severity::Warning);
            writeln!(
                out,
                "{} article file{} checked: {errors} error{}, {warnings} warning{}",
                report.files,
                if report.files == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            )?;
            return Ok(if errors > 0 { 1 } else { 0 });
        }
        Command::Index { force, .. } => {
            let started = std::time::Instant::now();
            let engine = open_engine(&EngineOptions {
                force_rebuild: force,
                show_progress: true,
                ..options
            })?;
            let documents = engine.summary().passages + engine.summary().points;
            let what = match engine.readiness() {
                crate::indexing::Readiness::Reused => "index is up to date".to_string(),
                crate::indexing::Readiness::Built(reason) => format!("index built ({reason})"),
                crate::indexing::Readiness::InMemory => {
                    "index built in memory (no index_dir)".to_string()
                }
            };
            writeln!(
                out,
                "{what}: {documents} passages and points in {:.1?}",
                started.elapsed()
            )?;
        }
        Command::Import {
            input,
            out: target,
            force,
        } => {
            let target = target
                .or_else(|| options.articles_dir.clone())
                .unwrap_or_else(|| PathBuf::from("index/articles"));
            let text = import_article(&input, &target, force, config)?;
            out.write_all(text.as_bytes())?;
        }
        Command::Eval { file, features } => {
            let engine = open_engine(&options)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let items = eval::parse_items(&text).with_context(|| format!("{}", file.display()))?;
            let report = eval::run_items(&engine, &items)?;
            if let Some(scored) = engine.contextual_questions() {
                // Before the summary, which scripts read as the last line.
                writeln!(
                    out,
                    "transformer scored {scored} of {} questions",
                    report.passed + report.failures.len()
                )?;
            }
            out.write_all(report.render().as_bytes())?;
            if let Some(path) = features {
                // Questions asked alone: a dialog's turns are read with their context.
                let cases: Vec<eval::Case> = items
                    .iter()
                    .filter_map(|item| match item {
                        eval::Item::Single(case) => Some(case.clone()),
                        eval::Item::Dialog(_) => None,
                    })
                    .collect();
                let mut lines = String::new();
                for row in eval::feature_rows(&engine, &cases)? {
                    lines.push_str(&serde_json::to_string(&row)?);
                    lines.push('\n');
                }
                std::fs::write(&path, lines)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Command::Report {
            since,
            guild,
            json,
            export_eval,
        } => {
            let options = report::Options {
                since,
                guild,
                json,
                export_eval,
            };
            out.write_all(report::run(config, &options)?.as_bytes())?;
        }
        Command::Model { command } => return model::run(command, config, &mut out),
        Command::Channels => {
            out.write_all(channels::run(config)?.as_bytes())?;
        }
        Command::Teach { command } => {
            out.write_all(teach::run(config, command)?.as_bytes())?;
        }
        Command::Chat => {
            let engine = with_taught(open_engine(&options)?, config);
            let store = crate::store::Store::start(&config.store)
                .context("cannot start the question log ([store])")?;
            drop(out);
            console::run(
                &engine,
                store.as_deref(),
                std::io::stdin().lock(),
                std::io::stdout().lock(),
            )?;
            if let Some(store) = store {
                store.flush(crate::store::FLUSH_LIMIT);
            }
        }
        Command::Serve => {
            drop(out);
            return crate::bot::serve(config);
        }
    }
    Ok(0)
}

/// `summit-bot import`: reads the page, converts it, writes the file; returns what to print.
fn import_article(
    input: &str,
    out: &std::path::Path,
    force: bool,
    config: &Config,
) -> anyhow::Result<String> {
    use crate::import;
    let limits = import::Limits {
        timeout: std::time::Duration::from_secs(config.import.timeout_secs),
        max_bytes: config.import.max_bytes,
    };
    let page = if import::is_url(input) {
        // One request: a small runtime of its own, only for this command.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the HTTP client")?;
        runtime.block_on(import::fetch::fetch(input, &limits))?
    } else {
        import::read_file(std::path::Path::new(input), &limits)?
    };
    let imported = import::convert(&page, out)?;
    import::write(&imported.path, &imported.markdown, force)?;
    let mut text = import::summary(&imported);
    text.push_str(&format!("wrote {}\n", imported.path.display()));
    // What the linter would say, so a CI check holds no surprise.
    let findings = crate::ingest::lint::lint_file(&imported.path);
    for finding in &findings {
        text.push_str(&format!("{finding}\n"));
    }
    Ok(text)
}

/// Conversations `ask --json -` remembers at once (each is one question and a passage id).
const MAX_CONVERSATIONS: std::num::NonZeroUsize = match std::num::NonZeroUsize::new(10_000) {
    Some(n) => n,
    None => unreachable!(),
};

/// A JSON input line of `ask --json -`: a question, of a conversation when it names one.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationLine {
    q: String,
    #[serde(default)]
    conversation: Option<String>,
}

impl ConversationLine {
    /// The line as a JSON turn, or `None` for a plain question.
    fn parse(line: &str) -> Option<ConversationLine> {
        let trimmed = line.trim();
        if !trimmed.starts_with('{') {
            return None;
        }
        serde_json::from_str(trimmed).ok()
    }
}

/// Answers one question per input line, writing exactly one output per line, so another
/// program can drive the bot line by line. With `--json`, a line may be a JSON object
/// `{"q": "...", "conversation": "ID"}`: lines with the same id are one conversation, each
/// read with the previous exchange (the answer then says `"context_used": true` when that
/// changed it); plain lines stay independent. Output is flushed whenever no further input is
/// already waiting: a driver that sends a line and waits always gets its answer at once,
/// while a piped file is answered in large writes instead of one syscall per line.
pub fn ask_stream<R: Read>(
    engine: &Engine,
    as_json: bool,
    input: &mut BufReader<R>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    let mut json_line = Vec::new();
    // The last exchange of each conversation id; the least recently used go first.
    let mut conversations: lru::LruCache<String, Turn> = lru::LruCache::new(MAX_CONVERSATIONS);
    let mut context_used = false;
    loop {
        let read = lines::read_line(input, &mut bytes, lines::MAX_LINE_BYTES)
            .context("cannot read stdin")?;
        match read {
            None => break,
            Some(lines::Line::TooLong) => {
                // Still exactly one output for the line, and on to the next.
                tracing::warn!(
                    max_bytes = lines::MAX_LINE_BYTES,
                    "input line too long, skipped"
                );
                let rendered = if as_json {
                    json::error_line(
                        "",
                        &format!(
                            "line too long: over {} bytes, skipped",
                            lines::MAX_LINE_BYTES
                        ),
                    )
                } else {
                    lines::too_long_message()
                };
                out.write_all(rendered.as_bytes())?;
                out.write_all(b"\n")?;
                if input.buffer().is_empty() {
                    out.flush()?;
                }
                continue;
            }
            Some(lines::Line::Read) => {}
        }
        // Invalid UTF-8 is replaced, never fatal: every input line gets an output line.
        let raw = String::from_utf8_lossy(&bytes);
        let line = raw.trim_end_matches('\r');
        // `{"q": "...", "conversation": "ID"}`: a turn of a conversation; anything else is
        // a question on its own, as it always was.
        let turn_line = as_json.then(|| ConversationLine::parse(line)).flatten();
        let question = turn_line.as_ref().map_or(line, |t| t.q.as_str());
        let previous = turn_line
            .as_ref()
            .and_then(|t| t.conversation.as_ref())
            .and_then(|id| conversations.get(id))
            .cloned();
        let response = if question.trim().is_empty() {
            None
        } else {
            match engine.ask_in(question, previous.as_ref()) {
                Ok((response, turn)) => {
                    if let Some(id) = turn_line.as_ref().and_then(|t| t.conversation.clone()) {
                        context_used = turn.context_used;
                        conversations.put(id, turn);
                    } else {
                        context_used = false;
                    }
                    Some(response)
                }
                Err(err) => {
                    tracing::error!(error = %err, "question failed");
                    None
                }
            }
        };
        match (&response, as_json) {
            (Some(r), true) => {
                // One buffer for every line: no allocation, no UTF-8 check of 2 KB per answer.
                json_line.clear();
                json::write_json_line(&mut json_line, r);
                if context_used && r.answer.is_some() {
                    json::mark_context_used(&mut json_line);
                }
                out.write_all(&json_line)?;
            }
            (None, true) => out.write_all(json::null_line(question).as_bytes())?,
            (Some(r), false) => out.write_all(text::response(r).as_bytes())?,
            (None, false) => out.write_all(text::no_answer().as_bytes())?,
        }
        out.write_all(b"\n")?;
        if input.buffer().is_empty() {
            out.flush()?;
        }
    }
    out.flush()?;
    Ok(())
}
