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
