//! The question log end to end: the store against SQLite and a real PostgreSQL server that
//! the test starts itself (`tests/support/postgres.rs`), the bot recording questions and votes
//! through the fake Discord, `summit-bot report --json` reading them back, and answers going
//! out when the database is unreachable.

mod support;

use std::time::Duration;

use summit_bot::config::StoreConfig;
use summit_bot::store::db::{Db, Target};
use summit_bot::store::report::{self, Filter};
use summit_bot::store::{Asked, Outcome, Source, Store};

use support::postgres::Postgres;

/// Every process of a PostgreSQL deployment hashes with the same key; tests use this one.
fn set_hash_key() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::env::set_var(summit_bot::store::hash::KEY_ENV, "test hash key"));
}

fn start_postgres(test: &str) -> Option<Postgres> {
    match Postgres::start() {
        Ok(pg) => Some(pg),
        Err(reason) => {
            println!("skipping {test}: {reason}");
            None
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn record(store: &Store, user: u64, question: &str, outcome: Outcome) -> u64 {
    let answer_id = store.new_answer_id();
    store.record_question(Asked {
        answer_id,
        source: Source::Slash,
        guild: Some(1),
        channel: Some(2),
        user,
        question,
        outcome,
        latency: Duration::from_millis(2),
    });
    answer_id
}

#[test]
fn the_store_writes_reports_and_expires_rows_in_postgres() {
    let Some(pg) = start_postgres("the_store_writes_reports_and_expires_rows_in_postgres") else {
        return;
    };
    set_hash_key();
    let store = Store::start(&StoreConfig {
        url: pg.url.clone(),
        ..StoreConfig::default()
    })
    .expect("config is valid")
    .expect("enabled");
    let answered = Outcome::Answered {
        passage: "summit-article:2.4".into(),
        score: 1.6,
        coverage: 1.0,
    };
    let first = record(&store, 10, "Is there a hotline?", answered);
    record(&store, 11, "Best pizza?", Outcome::NoAnswer);
    record(&store, 12, "best  PIZZA", Outcome::NoAnswer);
    store.record_vote(first, 11, true, Some(1));
    store.record_vote(first, 12, true, Some(1));
    store.record_vote(first, 12, false, Some(1)); // a changed vote
    assert!(store.flush(Duration::from_secs(60)), "rows written in time");
    assert_eq!(store.dropped(), 0);

    let rt = runtime();
    let mut db = rt
        .block_on(Db::connect(&Target::parse(&pg.url).unwrap()))
        .expect("connect");
    let built = rt
        .block_on(report::build(&mut db, &Filter::default()))
        .unwrap();
    assert_eq!(built.questions, 3);
    assert_eq!(built.answered, 1);
    assert_eq!(built.askers, 3);
    assert_eq!(built.top_unanswered.len(), 1);
    assert_eq!(built.top_unanswered[0].count, 2);
    assert_eq!(built.feedback.helpful, 1);
    assert_eq!(built.feedback.not_helpful, 1);
    assert_eq!(built.least_helpful[0].passage, "summit-article:2.4");
    assert_eq!(built.by_hour_utc.iter().sum::<u64>(), 3);

    // Retention: rows older than the cutoff go, the rest stay.
    let now = summit_bot::store::db::unix_now();
    rt.block_on(db.execute(
        "UPDATE questions SET at = ?1 WHERE question = ?2",
        &[
            summit_bot::store::db::Param::Int(now - 100 * 86_400),
            summit_bot::store::db::Param::Text("Best pizza?".into()),
        ],
    ))
    .unwrap();
    let deleted = rt
        .block_on(db.delete_older_than(now - 90 * 86_400))
        .unwrap();
    assert_eq!(deleted, 1);
    let left = rt
        .block_on(report::build(&mut db, &Filter::default()))
        .unwrap();
    assert_eq!(left.questions, 2);
}

#[test]
fn postgres_without_a_hash_key_is_a_configuration_error() {
    // Checked before any connection: no server needed. Run in a child process so the
    // variable set by other tests in this binary does not interfere.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_summit-bot"))
        .args(["chat"])
        .env_remove(summit_bot::store::hash::KEY_ENV)
        .env_remove("DISCORD_TOKEN")
        .arg("--config")
        .arg(write_config(
            "[corpus]\nindex_dir = ''\n[store]\nurl = 'postgresql:///x?host=/nonexistent'\n",
        ))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SUMMIT_HASH_KEY must be set"), "{stderr}");
}

fn write_config(text: &str) -> std::path::PathBuf {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn an_unreachable_postgres_drops_rows_without_blocking() {
    set_hash_key();
    let dir = tempfile::tempdir().unwrap();
    // No server listens in this folder.
    let store = Store::start(&StoreConfig {
        url: format!(
            "postgresql:///postgres?user=postgres&host={}",
            dir.path().display()
        ),
        ..StoreConfig::default()
    })
    .unwrap()
    .unwrap();
    let started = std::time::Instant::now();
    for user in 0..50 {
        record(&store, user, "Is there a hotline?", Outcome::NoAnswer);
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "recording never waits"
    );
    assert!(store.flush(Duration::from_secs(60)));
    assert_eq!(store.dropped(), 50);
}
