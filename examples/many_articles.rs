//! Many articles: look-ups by article and a live reload after one changed file, timed as the
//! bot runs them.
//!
//! ```sh
//! cargo run --release --bin gen-corpus -- --articles 1000 --paragraphs 20 --out /tmp/k1
//! cargo run --release --example many_articles -- --config X.toml [--rounds 5] [--reloads 3]
//! ```
//!
//! The config names the articles folder (and an index folder). Opens the engine once (built
//! or reused), then:
//! - look-ups by article, every article in turn, for `--rounds` rounds: the article by id
//!   (`/points article:ID`), by a unique part of its title (the CLI's `--article`), its
//!   last point as a hit with footnotes (`/point`), and its last footnote (`/footnote`);
//!   median, p99 and max per kind;
//! - `--reloads` reloads through the bot's own [`EngineHandle::reload_for`] after appending a
//!   sentence to one article file (the file-watch path minus the debounce): time per
//!   reload, and that the changed text is then answered.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use summit_bot::bot::reload::{EngineHandle, Trigger};
use summit_bot::config::Config;
use summit_bot::engine::Engine;

struct Args {
    config: PathBuf,
    rounds: usize,
    reloads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut config = None;
    let mut rounds = 5;
    let mut reloads = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--config" => config = Some(PathBuf::from(value()?)),
            "--rounds" => rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--reloads" => reloads = value()?.parse().map_err(|e| format!("--reloads: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        config: config.ok_or("--config X.toml is required")?,
        rounds,
        reloads,
    })
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<28} n={:<6} median {:>8.1?}  p99 {:>8.1?}  max {:>8.1?}",
        times.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    let config = Config::load(Some(&args.config)).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let engine = Engine::from_config(&config).map_err(|e| e.to_string())?;
    println!(
        "opened: {} articles, {} paragraphs, {} points in {:.2?} ({:?})",
        engine.summary().articles.len(),
        engine.summary().passages,
        engine.summary().points,
        started.elapsed(),
        engine.readiness()
    );

    // Look-ups by article.
    let articles: Vec<(String, String)> = engine
        .articles()
        .map(|a| (a.id.clone(), a.title.clone()))
        .collect();
    let mut by_id = Vec::new();
    let mut by_title = Vec::new();
    let mut point = Vec::new();
    let mut footnote = Vec::new();
    let mut title_lookups = 0;
    for _ in 0..args.rounds {
        for (id, title) in &articles {
            let t = Instant::now();
            let article = engine.article(Some(id)).map_err(|e| e.to_string())?;
            by_id.push(t.elapsed());

            // The whole title is a unique part of it (titles may share any shorter part).
            if engine.articles().filter(|a| a.title == *title).count() == 1 {
                let t = Instant::now();
                let found = engine.article(Some(title)).map_err(|e| e.to_string())?;
                by_title.push(t.elapsed());
                assert_eq!(found.id, *id);
                title_lookups += 1;
            }

            if let Some(last) = article.points.last() {
                let t = Instant::now();
                let hit = engine
                    .point(article, last.number)
                    .map_err(|e| e.to_string())?;
                point.push(t.elapsed());
                assert!(hit.is_some_and(|h| h.passage.article == *id));
            }
            if let Some(last) = article.footnotes.last() {
                let t = Instant::now();
                let found = article.footnote(last.number);
                footnote.push(t.elapsed());
                assert!(found.is_some());
            }
        }
    }
    println!(
        "look-ups over {} articles x {} rounds ({} titles unique):",
        articles.len(),
        args.rounds,
        title_lookups / args.rounds.max(1)
    );
    report("article by id", by_id);
    report("article by title", by_title);
    report("point (hit with footnotes)", point);
    report("footnote", footnote);

    // Reloads after one changed file, through the bot's reload.
    let dir = config
        .corpus
        .articles_dir
        .clone()
        .ok_or("the config must set corpus.articles_dir")?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let handle = Arc::new(EngineHandle::new(Arc::new(engine)));
    for round in 0..args.reloads {
        let file = &files[(files.len() / 2 + round) % files.len()];
        let marker = format!("Zyxwvut{round} quokka marker paragraph for the reload benchmark.");
        let mut text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        // Before the footnote definitions would be neater; at the end it is one more paragraph
        // either way (plain format: definitions are recognised anywhere).
        text.push_str(&format!("\n\n{marker}\n"));
        std::fs::write(file, text).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let reloaded = runtime
            .block_on(handle.reload_for(&config, Trigger::Command))
            .map_err(|f| f.to_string())?;
        let elapsed = t.elapsed();
        let answer = handle
            .current()
            .ask(&format!("zyxwvut{round} quokka"))
            .map_err(|e| e.to_string())?;
        let found = answer.answer.is_some_and(|a| a.passage.text == marker);
        println!(
            "reload {} after changing {}: {:.2?} ({} articles, {} paragraphs); new text answered: {found}",
            round + 1,
            file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
            elapsed,
            reloaded.articles,
            reloaded.passages
        );
    }
    Ok(())
}
