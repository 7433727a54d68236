//! `/teach` through the fake Discord: a member gets a private refusal, the passage option
//! autocompletes, the owner teaches and the next question with the same words gets the
//! taught passage; `summit-bot teach list --json` reads it back from the same store, and
//! `teach remove` removes it.

mod support;

use serde_json::{json, Value};
use support::bot::{mention, start_bot, wait_callback, wait_reply_to};
use support::fake_discord::*;

const QUESTION: &str = "What is the best pizza topping?";

fn teach(question: &str, passage: &str) -> Value {
    json!([
        {"name": "question", "type": 3, "value": question},
        {"name": "passage", "type": 3, "value": passage}
    ])
}

fn summit_bot(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_summit-bot"))
        .arg("--config")
        .arg(config)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .output()
        .expect("summit-bot runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_teach_from_discord_and_the_next_question_gets_the_passage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/log.db", dir.path().display());
    let store_url = url.clone();
    let bot = start_bot(move |c| {
        c.store.enabled = true;
        c.store.url = store_url;
    })
    .await;
    let fake = &bot.fake;

    // Unanswered first.
    let asked = mention(fake, QUESTION);
    let before = wait_reply_to(fake, asked).await.body;
    assert!(
        !before.to_string().contains("hotline to address"),
        "{before}"
    );

    // A member is refused, privately, and nothing is taught.
    let (refused, _, interaction) = fake.slash_command("teach", teach(QUESTION, "point 4"));
    fake.dispatch("INTERACTION_CREATE", interaction);
    let refusal = wait_callback(fake, refused).await;
    assert_eq!(refusal["data"]["flags"], json!(64), "{refusal}");
    assert_eq!(
        refusal["data"]["content"],
        json!(summit_bot::bot::admin::REFUSAL)
    );
    assert!(bot.engine.taught().snapshot().is_empty());

    // The passage option completes over passages.
    let (id, _, interaction) = fake.autocomplete(
        "teach",
        json!([
            {"name": "question", "type": 3, "value": QUESTION},
            {"name": "passage", "type": 3, "value": "hotline", "focused": true}
        ]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let choices = wait_callback(fake, id).await["data"]["choices"].clone();
    let values: Vec<&str> = choices
        .as_array()
        .expect("choices")
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert_eq!(values.first(), Some(&"summit-article:2.4"), "{choices}");

    // The owner teaches; the reply is private.
    let (taught, _, interaction) = fake.slash_command_in(
        Place::guild(),
        OWNER_ID,
        "teach",
        teach(QUESTION, "summit-article:2.4"),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let done = wait_callback(fake, taught).await;
    assert_eq!(done["data"]["flags"], json!(64), "{done}");
    assert_eq!(
        done["data"]["content"],
        json!("Taught (#1): “What is the best pizza topping?” now gets `summit-article:2.4` first. `summit-bot teach remove 1` or the admin page undoes it.")
    );

    // At once: the same words in another order get the passage.
    let asked = mention(fake, "the BEST pizza topping, what is it?");
    let reply = wait_reply_to(fake, asked).await.body;
    assert!(
        !reply.to_string().contains("hotline to address"),
        "\"it\" makes it another question: {reply}"
    );
    let asked = mention(fake, "pizza topping: what is the best?");
    let reply = wait_reply_to(fake, asked).await.body;
    assert!(
        reply
            .to_string()
            .contains("hotline to address serious security issues"),
        "{reply}"
    );
    bot.stop();

    // The command line reads the same store.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[corpus]\nindex_dir = ''\n[store]\nurl = '{url}'\n"),
    )
    .expect("config");
    let listed = summit_bot(&config, &["teach", "list", "--json"]);
    assert!(listed.status.success());
    let mut list: Value = serde_json::from_slice(&listed.stdout).expect("a JSON array");
    let created = list[0]["created"].take();
    assert!(
        created.as_i64().is_some_and(|t| t > 1_700_000_000),
        "{created}"
    );
    assert_eq!(
        list,
        json!([{"id": 1, "question": QUESTION, "passage": "summit-article:2.4",
                "article": "summit-article", "created": null}])
    );
    let asked = summit_bot(&config, &["ask", "--json", QUESTION]);
    let answer: Value = serde_json::from_slice(&asked.stdout).expect("JSON");
    assert_eq!(
        answer["answer"]["passage"]["id"],
        json!("summit-article:2.4")
    );
    let removed = summit_bot(&config, &["teach", "remove", "1"]);
    assert_eq!(
        String::from_utf8_lossy(&removed.stdout),
        "removed taught answer 1\n"
    );
    let asked = summit_bot(&config, &["ask", "--json", QUESTION]);
    let answer: Value = serde_json::from_slice(&asked.stdout).expect("JSON");
    assert_eq!(answer["answer"], Value::Null);
    let empty = summit_bot(&config, &["teach", "list"]);
    assert_eq!(
        String::from_utf8_lossy(&empty.stdout),
        "nothing taught yet\n"
    );
}

/// The taught-answer table and the admin page's queries on a real PostgreSQL server (the
/// same SQL text as SQLite; skipped, with the reason, where PostgreSQL is not installed).
#[test]
fn taught_answers_and_the_page_queries_work_in_postgres() {
    use std::time::Duration;
    use summit_bot::config::StoreConfig;
    use summit_bot::source::Source;
    use summit_bot::store::report::Filter;
    use summit_bot::store::{overview, taught, Asked, Outcome, Store};

    let pg = match support::postgres::Postgres::start() {
        Ok(pg) => pg,
        Err(reason) => {
            println!("skipping taught_answers_and_the_page_queries_work_in_postgres: {reason}");
            return;
        }
    };
    std::env::set_var(summit_bot::store::hash::KEY_ENV, "test hash key");
    let store = Store::start(&StoreConfig {
        url: pg.url.clone(),
        ..StoreConfig::default()
    })
    .expect("config is valid")
    .expect("enabled");
    let hotline = Outcome::Answered {
        passage: "summit-article:2.4".into(),
        score: 1.6,
        coverage: 1.0,
    };
    let mut ids = Vec::new();
    for (user, question, outcome) in [
        (1, "Is there a hotline?", hotline.clone()),
        (2, "is there a HOTLINE", hotline),
        (3, "100% _pizza_?", Outcome::NoAnswer),
    ] {
        let answer_id = store.new_answer_id();
        store.record_question(Asked {
            answer_id,
            source: Source::Slash,
            guild: Some(4),
            channel: Some(5),
            user,
            question,
            outcome,
            latency: Duration::from_millis(2),
        });
        ids.push(answer_id);
    }
    store.record_vote(ids[0], 8, true, Some(4));
    store.record_vote(ids[1], 9, true, Some(4));
    assert!(store.flush(Duration::from_secs(60)), "rows written in time");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let set = summit_bot::retrieve::taught::TaughtAnswers::default();
        let first = taught::teach(&store, &set, "Who met?".into(), "summit-article:1".into())
            .await
            .expect("taught");
        assert_eq!(first.id, 1);
        let again = taught::teach(&store, &set, "met, who".into(), "summit-article:3".into())
            .await
            .expect("taught again");
        assert_eq!((again.id, again.passage.as_str()), (1, "summit-article:3"));
        let second = taught::teach(&store, &set, "Pizza?".into(), "summit-article:2.4".into())
            .await
            .expect("taught");
        assert_eq!(second.id, 2);
        assert_eq!(set.snapshot().len(), 2);
        assert!(taught::forget(&store, &set, 1).await.expect("removed"));
        assert!(!taught::forget(&store, &set, 1).await.expect("gone already"));
        assert_eq!(set.snapshot().answers(), [second]);
        let (suggested, days, votes, found, guilds) = store
            .with_db(|db| {
                Box::pin(async move {
                    let filter = Filter::default();
                    Ok((
                        taught::suggestions(db).await?,
                        overview::questions_per_day(db, &filter).await?,
                        overview::votes_per_day(db, &filter).await?,
                        overview::search(
                            db,
                            &overview::Search {
                                text: "0% _PIZZA".into(),
                                ..Default::default()
                            },
                        )
                        .await?,
                        overview::guilds(db).await?,
                    ))
                })
            })
            .await
            .expect("queries run");
        assert_eq!(suggested.len(), 1, "{suggested:?}");
        assert_eq!(suggested[0].passage, "summit-article:2.4");
        assert_eq!(suggested[0].helpful, 2);
        assert_eq!((days[0].questions, days[0].answered), (3, 2));
        assert_eq!((votes[0].helpful, votes[0].not_helpful), (2, 0));
        assert_eq!(found.len(), 1, "% and _ are plain characters: {found:?}");
        assert_eq!(found[0].question.as_deref(), Some("100% _pizza_?"));
        assert_eq!(found[0].asker.len(), 32);
        assert_eq!(guilds, [4]);
    });
}
