//! Answer latency over a fixed question mix, as the bot sees it: one engine opened once,
//! `Engine::ask` timed with `Instant` for every question, several rounds.
//!
//! ```sh
//! cargo run --release --example latency -- --config X.toml \
//!     --questions tests/fixtures/questions.jsonl --questions Q.txt [--rounds 5]
//! ```
//!
//! Question files hold one question per line, or JSON lines with a `"q"` key (the eval
//! format). One untimed warm-up round runs first. Prints the open time, the median, p90, p99
//! and max latency, how many questions found an answer, and the process's resident memory
//! (current and peak, from /proc/self/status) after serving.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use summit_bot::config::Config;
use summit_bot::engine::{Engine, EngineOptions};

fn questions_from(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("{}: bad JSON line: {e}", path.display()))?;
            if let Some(q) = value.get("q").and_then(|q| q.as_str()) {
                out.push(q.to_string());
            }
        } else {
            out.push(line.to_string());
        }
    }
    Ok(out)
}

fn proc_status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn run() -> Result<(), String> {
    let mut config_path: Option<PathBuf> = None;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut rounds = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--config" => config_path = Some(PathBuf::from(value()?)),
            "--questions" => files.push(PathBuf::from(value()?)),
            "--rounds" => rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: latency [--config X.toml] \
                     --questions FILE [--questions FILE …] [--rounds N]"
                ))
            }
        }
    }
    if files.is_empty() {
        files.push(PathBuf::from("tests/fixtures/questions.jsonl"));
    }
    let mut questions = Vec::new();
    for file in &files {
        questions.extend(questions_from(file)?);
    }
    if questions.is_empty() {
        return Err("no questions".into());
    }
    let config = Config::load(config_path.as_deref()).map_err(|e| e.to_string())?;
    let options = EngineOptions::from_config(&config);
    let opened = Instant::now();
    let engine = Engine::open(&options).map_err(|e| e.to_string())?;
    let open_time = opened.elapsed();
    let summary = engine.summary();
    println!(
        "engine: {} passages and points in {} articles, {:?}, opened in {}",
        summary.passages + summary.points,
        summary.articles.len(),
        engine.readiness(),
        ms(open_time)
    );

    let mut answered = 0;
    for q in &questions {
        if engine.ask(q).map_err(|e| e.to_string())?.answer.is_some() {
            answered += 1;
        }
    }
    let mut times = Vec::with_capacity(questions.len() * rounds);
    for _ in 0..rounds {
        for q in &questions {
            let started = Instant::now();
            let response = engine.ask(q).map_err(|e| e.to_string())?;
            times.push(started.elapsed());
            std::hint::black_box(response);
        }
    }
    times.sort_unstable();
    let total: Duration = times.iter().sum();
    println!(
        "latency over {} asks ({} questions x {} rounds; {} of {} answered): \
         median {}, p90 {}, p99 {}, max {}, mean {}",
        times.len(),
        questions.len(),
        rounds,
        answered,
        questions.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 90.0)),
        ms(percentile(&times, 99.0)),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
        ms(total / times.len().max(1) as u32),
    );
    if let (Some(rss), Some(peak)) = (proc_status_kib("VmRSS:"), proc_status_kib("VmHWM:")) {
        println!(
            "memory: RSS {:.1} MiB now, peak {:.1} MiB",
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    Ok(())
}

fn main() {
    if let Err(message) = run() {
        eprintln!("latency: {message}");
        std::process::exit(1);
    }
}
