//! `summit-bot teach add|list|remove`: answers an admin teaches, kept in the store
//! (`[store] url`), and the loading every front end shares: `ask` and the console read them
//! at start (a missing store means nothing is taught), the bot at start and on every change.

use anyhow::{bail, Context};
use clap::Subcommand;

use crate::config::Config;
use crate::engine::{Engine, EngineOptions};
use crate::retrieve::taught::TaughtAnswer;
use crate::store::db::{Db, Target};
use crate::store::taught;

/// `teach` subcommands.
#[derive(Debug, Subcommand)]
pub enum TeachCommand {
    /// Teach a passage as the answer to a question (and to questions with the same words,
    /// or very close in meaning).
    Add {
        /// The question.
        question: String,
        /// The passage: its id as `ask --json` prints it (e.g. summit-article:2.4), or
        /// "point N" of the default article.
        #[arg(long, value_name = "ID")]
        passage: String,
    },
    /// List the taught answers (stale ones, whose passage is gone, are marked).
    List {
        /// Print a JSON array of {id, question, passage, article, created}.
        #[arg(long)]
        json: bool,
    },
    /// Remove taught answer ID (as `teach list` shows it).
    Remove {
        /// The taught answer's id.
        id: i64,
    },
}

/// Runs a `teach` command; returns what to print.
pub fn run(config: &Config, command: TeachCommand) -> anyhow::Result<String> {
    let target = Target::parse(&config.store.url).context("invalid [store] url")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match command {
        TeachCommand::Add { question, passage } => {
            if question.trim().is_empty() {
                bail!("the question is empty");
            }
            let engine = super::open_engine(&EngineOptions::from_config(config))?;
            let passage = resolve_passage(&engine, &passage)?;
            let added = runtime.block_on(async {
                let mut db = open(&target).await?;
                taught::add(&mut db, &question, &passage)
                    .await
                    .context("cannot write the taught answer")
            })?;
            Ok(format!(
                "taught {}: {:?} → {}\n",
                added.id, added.question, added.passage
            ))
        }
        TeachCommand::List { json } => {
            let answers = if exists(&target) {
                runtime.block_on(async {
                    let mut db = open(&target).await?;
                    taught::list(&mut db)
                        .await
                        .context("cannot read the taught answers")
                })?
            } else {
                Vec::new()
            };
            if json {
                return Ok(serde_json::to_string(&answers)? + "\n");
            }
            if answers.is_empty() {
                return Ok("nothing taught yet\n".to_string());
            }
            let engine = super::open_engine(&EngineOptions::from_config(config))?;
            let mut out = String::new();
            for a in &answers {
                let stale = if engine.has_passage(&a.passage) {
                    ""
                } else {
                    "  (stale: the passage is gone; not applied)"
                };
                out.push_str(&format!(
                    "{:>4}  {:<24} {}{stale}\n",
                    a.id, a.passage, a.question
                ));
            }
            Ok(out)
        }
        TeachCommand::Remove { id } => {
            if !exists(&target) {
                bail!("no taught answer {id}: nothing is taught yet");
            }
            let removed = runtime.block_on(async {
                let mut db = open(&target).await?;
                taught::remove(&mut db, id)
                    .await
                    .context("cannot remove the taught answer")
            })?;
            if !removed {
                bail!("no taught answer {id} (see `summit-bot teach list`)");
            }
            Ok(format!("removed taught answer {id}\n"))
        }
    }
}

/// A passage as an admin names it: an id the articles hold, or "point N" of the default
/// article. The error says what to give instead.
pub fn resolve_passage(engine: &Engine, given: &str) -> anyhow::Result<String> {
    match engine.named_passage(given)? {
        Some(hit) => Ok(hit.passage.id.to_string()),
        None => bail!(
            "no passage {:?} in the articles (give an id as `ask --json` prints it, e.g. summit-article:2.4, or \"point N\")",
            given.trim()
        ),
    }
}

fn exists(target: &Target) -> bool {
    match target {
        Target::Sqlite(path) => path.exists(),
        Target::Postgres(_) => true,
    }
}

async fn open(target: &Target) -> anyhow::Result<Db> {
    Db::connect(target)
        .await
        .context("cannot open the store ([store] url)")
}

/// The taught answers in the configured store, for `ask` and the console: none when the
/// store is off, not created yet, or cannot be read (a warning says why): answering never
/// depends on it.
pub fn load(config: &Config) -> Vec<TaughtAnswer> {
    if !config.store.enabled {
        return Vec::new();
    }
    let Ok(target) = Target::parse(&config.store.url) else {
        return Vec::new();
    };
    if !exists(&target) {
        return Vec::new();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(_) => return Vec::new(),
    };
    let loaded = runtime.block_on(async {
        let mut db = Db::connect(&target).await?;
        taught::list(&mut db).await
    });
    match loaded {
        Ok(answers) => answers,
        Err(error) => {
            tracing::warn!(%error, "cannot read the taught answers; answering without them");
            Vec::new()
        }
    }
}
