//! The question log end to end: the store against SQLite and a real PostgreSQL server that
//! the test starts itself (`tests/support/postgres.rs`), the bot recording questions and votes
//! through the fake Discord, `summit-bot report --json` reading them back, and answers going
//! out when the database is unreachable.

mod support;

use std::time::Duration;

use summit_bot::config::StoreConfig;
use summit_bot::source::Source;
use summit_bot::store::db::{Db, Target};
use summit_bot::store::report::{self, Filter};
use summit_bot::store::{Asked, Outcome, Store};

use serde_json::{json, Value};
use support::bot::{mention, start_bot, wait_callback, wait_reply_to, RunningBot};
use support::fake_discord::*;
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

/// Runs `summit-bot report --config CONFIG ARGS…` (with the tests' hash key) and returns
/// what it printed, after checking it succeeded.
fn run_report(config: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_summit-bot"))
        .args(["report", "--config"])
        .arg(config)
        .args(args)
        .env(summit_bot::store::hash::KEY_ENV, "test hash key")
        .output()
        .expect("run report");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
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

/// A message JSON for the bot's reply (built from what it sent), so a button on it can be
/// clicked.
fn reply_message(fake: &FakeDiscord, sent: &Value, flags: u64) -> Value {
    json!({
        "id": fake.next_id().to_string(), "channel_id": CHANNEL_ID.to_string(), "guild_id": GUILD_ID.to_string(),
        "author": bot_user_json(), "content": "", "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": sent["embeds"].clone(), "pinned": false, "type": 0, "flags": flags,
        "components": sent["components"].clone(),
    })
}

/// The id and the text of the passage the bot's engine answers `question` with.
fn answer_passage(bot: &RunningBot, question: &str) -> (String, String) {
    let hit = bot
        .engine
        .ask(question)
        .expect("ask")
        .answer
        .expect("answered");
    (hit.passage.id.to_string(), hit.passage.text.to_string())
}

/// The custom id of the button labelled `label` on a sent message body.
fn button(sent: &Value, label: &str) -> String {
    sent["components"][0]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["label"] == label)
        .and_then(|b| b["custom_id"].as_str())
        .unwrap_or_else(|| panic!("no {label:?} button in {sent}"))
        .to_string()
}

/// Clicks a button; returns the callback the clicker got (checked to be private).
async fn click(bot: &RunningBot, custom_id: &str, message: &Value) -> Value {
    let (id, _, interaction) = bot.fake.button_click(custom_id, message);
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let callback = wait_callback(&bot.fake, id).await;
    assert_eq!(callback["type"], json!(4), "{callback}");
    assert_eq!(
        callback["data"]["flags"].as_u64().unwrap_or(0) & 64,
        64,
        "a vote is acknowledged to the clicker only: {callback}"
    );
    callback
}

/// The report read through the library until `done` holds (the writer works in the
/// background), bounded by a generous timeout.
async fn wait_for_report(url: &str, done: impl Fn(&report::Report) -> bool) -> report::Report {
    let target = Target::parse(url).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let latest = match Db::connect(&target).await {
            Ok(mut db) => report::build(&mut db, &Filter::default()).await.ok(),
            Err(_) => None,
        };
        match latest {
            Some(r) if done(&r) => return r,
            Some(r) if std::time::Instant::now() > deadline => {
                panic!("the log never reached the expected state: {r:?}")
            }
            None if std::time::Instant::now() > deadline => panic!("the log was never readable"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Questions answered and unanswered (mention and /ask), a Not helpful click changed to
/// Helpful on one answer and Not helpful on another, then `summit-bot report --json`.
async fn record_and_report(url: &str) {
    let store_url = url.to_string();
    let bot = start_bot(move |c| {
        c.store.enabled = true;
        c.store.url = store_url;
    })
    .await;

    let (_, hotline_passage) = answer_passage(&bot, "Is there a hotline?");
    let answered = mention(&bot.fake, "Is there a hotline?");
    let answer = wait_reply_to(&bot.fake, answered).await.body;
    let labels: Vec<&str> = answer["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["label"].as_str())
        .collect();
    assert!(labels.ends_with(&["Helpful", "Not helpful"]), "{labels:?}");
    let unanswered = mention(&bot.fake, "What is the best pizza topping?");
    let no_answer = wait_reply_to(&bot.fake, unanswered).await.body;
    assert!(no_answer["components"]
        .as_array()
        .is_none_or(|c| c.is_empty()));

    let (slash, _, interaction) = bot.fake.slash_command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "Who will co-chair the dialogue?"}]),
    );
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let slash_answer = wait_callback(&bot.fake, slash).await["data"].clone();
    let (slash_passage, _) = answer_passage(&bot, "Who will co-chair the dialogue?");

    let chat_reply = reply_message(&bot.fake, &answer, 0);
    let thanks = click(&bot, &button(&answer, "Not helpful"), &chat_reply).await;
    assert!(
        thanks["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Not helpful"),
        "{thanks}"
    );
    let changed = click(&bot, &button(&answer, "Helpful"), &chat_reply).await;
    assert!(
        changed["data"]["content"]
            .as_str()
            .unwrap()
            .contains("**Helpful**"),
        "{changed}"
    );
    let slash_reply = reply_message(&bot.fake, &slash_answer, 0);
    click(&bot, &button(&slash_answer, "Not helpful"), &slash_reply).await;

    wait_for_report(url, |r| {
        r.questions == 3 && r.feedback.helpful == 1 && r.feedback.not_helpful == 1
    })
    .await;

    // /gaps: refused (privately) to a member, the guild's unanswered questions for the owner.
    let (refused, _, interaction) = bot.fake.slash_command("gaps", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let refusal = wait_callback(&bot.fake, refused).await;
    assert_eq!(refusal["data"]["flags"], json!(64), "{refusal}");
    assert_eq!(
        refusal["data"]["content"],
        json!(summit_bot::bot::admin::REFUSAL)
    );
    let (gaps, _, interaction) =
        bot.fake
            .slash_command_in(Place::guild(), OWNER_ID, "gaps", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let shown = wait_callback(&bot.fake, gaps).await;
    assert_eq!(shown["data"]["flags"], json!(64), "{shown}");
    assert_eq!(
        shown["data"]["embeds"][0]["description"],
        json!("1. What is the best pizza topping? · **1×**")
    );
    bot.stop();

    let config = write_config(&format!(
        "[corpus]\nindex_dir = ''\n[store]\nurl = '{url}'\n"
    ));
    let mut report: Value =
        serde_json::from_slice(&run_report(&config, &["--json"])).expect("one JSON object");
    let hours = report["by_hour_utc"].take();
    assert_eq!(
        report,
        json!({
            "questions": 3, "answered": 2, "no_answer": 1,
            "outcomes": {"answered": 2, "no_answer": 1},
            "askers": 1,
            "top_unanswered": [{"question": "What is the best pizza topping?", "count": 1}],
            "feedback": {"helpful": 1, "not_helpful": 1},
            "least_helpful": [{"passage": slash_passage, "not_helpful": 1}],
            "by_hour_utc": null,
        })
    );
    let hours: Vec<u64> = serde_json::from_value(hours).unwrap();
    assert_eq!(hours.len(), 24);
    assert_eq!(hours.iter().sum::<u64>(), 3);

    // The helpful answer and the unanswered question become eval lines for review.
    let export = config.with_file_name("export.jsonl");
    run_report(
        &config,
        &["--export-eval", export.to_str().expect("utf-8 path")],
    );
    let opening: Vec<String> = hotline_passage
        .split_whitespace()
        .take(8)
        .map(str::to_string)
        .collect();
    assert_eq!(
        std::fs::read_to_string(&export).unwrap(),
        format!(
            "{{\"q\":\"Is there a hotline?\",\"any\":[\"{}\"]}}\n{}\n",
            opening.join(" "),
            r#"{"q":"What is the best pizza topping?","none":true,"review":true}"#
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_records_questions_and_votes_in_sqlite_and_report_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    record_and_report(&format!("sqlite://{}/data/summit.db", dir.path().display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_records_questions_and_votes_in_postgres_and_report_shows_them() {
    let Some(pg) = start_postgres("the_bot_records_questions_and_votes_in_postgres") else {
        return;
    };
    set_hash_key();
    record_and_report(&pg.url).await;
}

/// The database cannot be written (a file where its folder should be): every question still
/// gets its answer, with the feedback buttons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_log_never_stops_an_answer() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    answers_go_out(format!("sqlite://{}/summit.db", blocker.display())).await;
}

/// PostgreSQL is configured but nothing listens: every question still gets its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_postgres_never_stops_an_answer() {
    set_hash_key();
    let dir = tempfile::tempdir().unwrap();
    answers_go_out(format!(
        "postgresql:///postgres?user=postgres&host={}",
        dir.path().display()
    ))
    .await;
}

/// The old questions and votes of a log are deleted by the store's own periodic task (its
/// first pass runs when the store starts), the recent ones kept.
#[test]
fn the_store_deletes_rows_past_retention_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/summit.db", dir.path().display());
    let target = Target::parse(&url).unwrap();
    let rt = runtime();
    let mut db = rt.block_on(Db::connect(&target)).expect("open");
    let now = summit_bot::store::db::unix_now();
    let row = |id: &str, at: i64| summit_bot::store::db::QuestionRow {
        id: id.into(),
        at,
        source: "slash",
        outcome: "no_answer",
        guild: None,
        channel: None,
        asker: "h".into(),
        question: Some(id.into()),
        normalised: Some(id.into()),
        passage: None,
        score: None,
        coverage: None,
        latency_us: 1,
    };
    let vote = |answer: &str, at: i64| summit_bot::store::db::VoteRow {
        answer: answer.into(),
        voter: "v".into(),
        helpful: true,
        guild: None,
        at,
    };
    rt.block_on(db.write(
        &[row("old", now - 31 * 86_400), row("recent", now - 86_400)],
        &[vote("old", now - 31 * 86_400), vote("recent", now - 86_400)],
    ))
    .unwrap();
    let _store = Store::start(&StoreConfig {
        url,
        retention_days: 30,
        ..StoreConfig::default()
    })
    .unwrap()
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let left = loop {
        let left = rt
            .block_on(db.query(
                "SELECT id FROM questions UNION ALL SELECT answer FROM votes",
                &[],
            ))
            .unwrap();
        if left.len() < 4 || std::time::Instant::now() > deadline {
            break left;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let recent = vec![summit_bot::store::db::Value::Text("recent".into())];
    assert_eq!(left, vec![recent.clone(), recent]);
}

/// Starts the bot with its question log at `url` (which cannot be written) and checks that
/// four mentions and one /ask are answered anyway, with the feedback buttons.
async fn answers_go_out(url: String) {
    let bot = start_bot(move |c| {
        c.store.enabled = true;
        c.store.url = url;
    })
    .await;
    // Four mentions and one /ask: the user's burst (5) is not exceeded.
    for n in 0..4 {
        let id = mention(&bot.fake, &format!("Is there a hotline? ({n})"));
        let reply = wait_reply_to(&bot.fake, id).await.body;
        assert!(reply["embeds"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("hotline")));
        button(&reply, "Helpful");
    }
    let (slash, _, interaction) = bot.fake.slash_command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "Is there a hotline?"}]),
    );
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let answer = wait_callback(&bot.fake, slash).await;
    assert!(
        answer["data"]["embeds"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("hotline")),
        "{answer}"
    );
}

/// `/gaps` for a member who is not the owner but holds a role listed in
/// `[discord] admin_roles`: shown, privately. The same member without the role is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gaps_is_shown_to_holders_of_an_admin_role() {
    const ADMIN_ROLE: u64 = 1_180_000_000_000_300_001;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/summit.db", dir.path().display());
    let store_url = url.clone();
    let bot = start_bot(move |c| {
        c.store.enabled = true;
        c.store.url = store_url;
        c.discord.admin_roles = vec![ADMIN_ROLE];
    })
    .await;
    let unanswered = mention(&bot.fake, "What is the best pizza topping?");
    wait_reply_to(&bot.fake, unanswered).await;
    wait_for_report(&url, |r| r.questions == 1).await;

    let gaps = |roles: Value| {
        let (id, _, mut interaction) =
            bot.fake
                .slash_command_in(Place::guild(), USER_ID, "gaps", json!([]));
        interaction["member"]["roles"] = roles;
        bot.fake.dispatch("INTERACTION_CREATE", interaction);
        id
    };
    let refused = wait_callback(&bot.fake, gaps(json!([]))).await;
    assert_eq!(
        refused["data"]["content"],
        json!(summit_bot::bot::admin::REFUSAL),
        "{refused}"
    );
    let shown = wait_callback(&bot.fake, gaps(json!([ADMIN_ROLE.to_string()]))).await;
    assert_eq!(shown["data"]["flags"], json!(64), "{shown}");
    assert_eq!(
        shown["data"]["embeds"][0]["description"],
        json!("1. What is the best pizza topping? · **1×**"),
        "{shown}"
    );
}

/// A vote clicked after the bot restarted still counts (its button id carries the answer's
/// id; nothing of the first process is needed), and lands on the answer the first process
/// recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_clicked_after_a_restart_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/summit.db", dir.path().display());
    let with_log = |url: String| {
        move |c: &mut summit_bot::config::Config| {
            c.store.enabled = true;
            c.store.url = url;
        }
    };
    let first = start_bot(with_log(url.clone())).await;
    let asked = mention(&first.fake, "Is there a hotline?");
    let answer = wait_reply_to(&first.fake, asked).await.body;
    let message = reply_message(&first.fake, &answer, 0);
    wait_for_report(&url, |r| r.questions == 1).await;
    first.stop();
    drop(first);

    let second = start_bot(with_log(url.clone())).await;
    click(&second, &button(&answer, "Not helpful"), &message).await;
    let report = wait_for_report(&url, |r| r.feedback.not_helpful == 1).await;
    assert_eq!(report.questions, 1);
    assert_eq!(report.feedback.helpful, 0);
    let (passage, _) = answer_passage(&second, "Is there a hotline?");
    assert_eq!(
        report.least_helpful,
        vec![report::LeastHelpful {
            passage,
            not_helpful: 1
        }]
    );
}

/// A store on a fresh SQLite file (which lives as long as the returned folder), its config
/// changed by `configure`; and the file's URL.
fn sqlite_store(
    configure: impl FnOnce(&mut StoreConfig),
) -> (tempfile::TempDir, String, std::sync::Arc<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/summit.db", dir.path().display());
    let mut config = StoreConfig {
        url: url.clone(),
        ..StoreConfig::default()
    };
    configure(&mut config);
    let store = Store::start(&config).unwrap().unwrap();
    (dir, url, store)
}

/// `summit-bot report --json --since 1d --guild ID` counts only that guild's questions of the
/// last day; without the options, all of them.
#[test]
fn report_since_and_guild_narrow_what_is_counted() {
    let (_dir, url, store) = sqlite_store(|_| {});
    for question in [
        "an old question",
        "a new question",
        "another guild's question",
    ] {
        record(&store, 5, question, Outcome::NoAnswer);
    }
    assert!(store.flush(Duration::from_secs(60)));
    let rt = runtime();
    let mut db = rt
        .block_on(Db::connect(&Target::parse(&url).unwrap()))
        .unwrap();
    let now = summit_bot::store::db::unix_now();
    for (sql, value, question) in [
        (
            "UPDATE questions SET at = ?1 WHERE question = ?2",
            now - 2 * 86_400,
            "an old question",
        ),
        (
            "UPDATE questions SET guild = ?1 WHERE question = ?2",
            2,
            "another guild's question",
        ),
    ] {
        let changed = rt
            .block_on(db.execute(
                sql,
                &[
                    summit_bot::store::db::Param::Int(value),
                    summit_bot::store::db::Param::Text(question.into()),
                ],
            ))
            .unwrap();
        assert_eq!(changed, 1);
    }
    let config = write_config(&format!(
        "[corpus]\nindex_dir = ''\n[store]\nurl = '{url}'\n"
    ));
    let report = |args: &[&str]| -> Value {
        let json: Vec<&str> = ["--json"].iter().chain(args).copied().collect();
        serde_json::from_slice(&run_report(&config, &json)).expect("one JSON object")
    };
    let narrowed = report(&["--since", "1d", "--guild", "1"]);
    assert_eq!(narrowed["questions"], json!(1), "{narrowed}");
    assert_eq!(
        narrowed["top_unanswered"],
        json!([{"question": "a new question", "count": 1}])
    );
    assert_eq!(report(&[])["questions"], json!(3));
    assert_eq!(report(&["--guild", "2"])["questions"], json!(1));
}

/// With `log_question_text = false` questions are counted but neither their text nor its
/// normalised form is stored, so nothing is listed as unanswered.
#[test]
fn without_question_text_only_counts_are_kept() {
    let (_dir, url, store) = sqlite_store(|c| c.log_question_text = false);
    record(
        &store,
        5,
        "What is the best pizza topping?",
        Outcome::NoAnswer,
    );
    record(
        &store,
        6,
        "What is the best pizza topping?",
        Outcome::NoAnswer,
    );
    assert!(store.flush(Duration::from_secs(60)));
    let rt = runtime();
    let mut db = rt
        .block_on(Db::connect(&Target::parse(&url).unwrap()))
        .unwrap();
    let built = rt
        .block_on(report::build(&mut db, &Filter::default()))
        .unwrap();
    assert_eq!((built.questions, built.no_answer, built.askers), (2, 2, 2));
    assert!(built.top_unanswered.is_empty(), "{built:?}");
    let texts = rt
        .block_on(db.query(
            "SELECT COUNT(*) FROM questions WHERE question IS NOT NULL OR normalised IS NOT NULL",
            &[],
        ))
        .unwrap();
    assert_eq!(texts, vec![vec![summit_bot::store::db::Value::Int(0)]]);
}
