#![recursion_limit = "256"]
//! Live reload of a running bot (real client against the fake Discord): a file dropped into
//! the articles folder (written to a temporary name, then renamed, as deploy tools do) is
//! answered within seconds while every question asked meanwhile still gets its one reply; a
//! broken file keeps the old answers and is reported with file and line (log, the next admin
//! `/about`, `/reload`); `/reload` is refused to non-admins.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use summit_bot::config::Config;
use support::bot::{start_bot, RunningBot};
use support::fake_discord::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Generous bound for a reload to be seen on a busy machine (it takes well under a second).
const RELOAD_WAIT: Duration = Duration::from_secs(30);
const WAIT: Duration = Duration::from_secs(15);

/// An articles folder holding the shipped article, and a persisted index beside it.
fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    for name in ["summit-article.txt", "summit-article.toml"] {
        std::fs::copy(
            Path::new(ROOT).join("index/articles").join(name),
            articles.join(name),
        )
        .unwrap();
    }
    (dir, articles)
}

fn configure(dir: &Path) -> impl FnOnce(&mut Config) {
    let dir = dir.to_path_buf();
    move |config: &mut Config| {
        config.corpus.articles_dir = Some(dir.join("articles"));
        config.corpus.index_dir = dir.join("idx");
        config.corpus.watch_debounce_ms = 100;
        // Many questions from one user: no flood control in the way.
        config.limits.user_refill_secs = 0.0;
        config.limits.channel_refill_secs = 0.0;
    }
}

/// Writes `text` the way editors and deploy tools do: a temporary file, then a rename.
fn drop_file(folder: &Path, name: &str, text: &str) {
    let temporary = folder.join(format!(".{name}.tmp"));
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, folder.join(name)).unwrap();
}

fn ask(bot: &RunningBot, question: &str) -> u64 {
    ask_as(bot, USER_ID, question)
}

/// Asks as `author`: a person with no earlier exchange starts a conversation of their own.
fn ask_as(bot: &RunningBot, author: u64, question: &str) -> u64 {
    let content = format!("<@{BOT_USER_ID}> {question}");
    let (id, message) =
        bot.fake
            .message_create(CHANNEL_ID, author, &content, true, Some(GUILD_ID), false);
    bot.fake.dispatch("MESSAGE_CREATE", message);
    id
}

/// The text of every reply to message `id` so far.
fn replies_to(fake: &FakeDiscord, id: u64) -> Vec<String> {
    let id = id.to_string();
    fake.requests()
        .into_iter()
        .filter(|r| {
            r.method == "POST" && r.body["message_reference"]["message_id"].as_str() == Some(&id)
        })
        .map(|r| {
            let embed = &r.body["embeds"][0];
            format!(
                "{} {}",
                r.body["content"].as_str().unwrap_or_default(),
                embed["description"].as_str().unwrap_or_default()
            )
            .replace("**", "")
            .replace("__", "")
        })
        .collect()
}

async fn reply_to(fake: &FakeDiscord, id: u64) -> String {
    let wanted = id.to_string();
    fake.wait_for_request(
        |r| {
            r.method == "POST"
                && r.body["message_reference"]["message_id"].as_str() == Some(&wanted)
        },
        WAIT,
    )
    .await
    .unwrap_or_else(|| panic!("no reply to message {id}"));
    replies_to(fake, id).remove(0)
}

async fn callback(fake: &FakeDiscord, interaction: u64) -> Value {
    let path = format!("/api/v10/interactions/{interaction}/");
    fake.wait_for_request(|r| r.method == "POST" && r.path.starts_with(&path), WAIT)
        .await
        .unwrap_or_else(|| panic!("no callback for interaction {interaction}"))
        .body
}

/// The ephemeral follow-up (or callback) content of a deferred command.
async fn deferred_content(fake: &FakeDiscord, interaction: u64, token: &str) -> String {
    let body = callback(fake, interaction).await;
    if body["type"] != json!(5) {
        return body["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
    let path = format!("/api/v10/webhooks/{APPLICATION_ID}/{token}");
    let followed = fake
        .wait_for_request(
            |r| (r.method == "POST" || r.method == "PATCH") && r.path.starts_with(&path),
            RELOAD_WAIT,
        )
        .await
        .expect("the deferred reply was sent");
    followed.body["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const TRANSLATOR: &str = "Does a translator join every call?";
const HOTLINE: &str = "Is there a hotline?";
const HOTLINE_POINT: &str = "and a hotline to address serious security issues";
/// Asks the hotline question while [`USER_ID`] asks about the new article.
const HOTLINE_ASKER: u64 = USER_ID + 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_file_is_answered_within_seconds_and_every_question_meanwhile_is_answered() {
    let (dir, articles) = folder();
    let bot = start_bot(configure(dir.path())).await;
    assert!(reply_to(&bot.fake, ask(&bot, HOTLINE))
        .await
        .contains(HOTLINE_POINT));
    let before = reply_to(&bot.fake, ask(&bot, TRANSLATOR)).await;
    assert!(!before.contains("translator joins every call"), "{before}");

    let dropped_at = Instant::now();
    drop_file(
        &articles,
        "hotline.md",
        &std::fs::read_to_string(Path::new(ROOT).join("tests/fixtures/hotline.md")).unwrap(),
    );
    // Keep asking while the folder is re-indexed: old answers until the swap, new after.
    let mut asked = Vec::new();
    let answered_at = loop {
        assert!(
            dropped_at.elapsed() < RELOAD_WAIT,
            "the dropped article was never answered"
        );
        // Two people: one person's next question would be read as a follow-up of their last.
        let hotline = ask_as(&bot, HOTLINE_ASKER, HOTLINE);
        let translator = ask(&bot, TRANSLATOR);
        asked.push((hotline, translator));
        if reply_to(&bot.fake, translator)
            .await
            .contains("The duty officers rotate every month, and a translator joins every call.")
        {
            break dropped_at.elapsed();
        }
    };
    eprintln!(
        "dropped article answered after {answered_at:?}; {} questions asked meanwhile",
        asked.len()
    );
    // Every question got exactly one reply: the summit answer throughout, and for the new
    // article's question "no good answer" before the swap, its paragraph after.
    for (hotline, translator) in asked {
        for id in [hotline, translator] {
            if replies_to(&bot.fake, id).is_empty() {
                reply_to(&bot.fake, id).await;
            }
        }
        let replies = replies_to(&bot.fake, hotline);
        assert_eq!(replies.len(), 1, "question {hotline}: {replies:?}");
        assert!(replies[0].contains(HOTLINE_POINT), "{replies:?}");
        let replies = replies_to(&bot.fake, translator);
        assert_eq!(replies.len(), 1, "question {translator}: {replies:?}");
        assert!(
            replies[0].starts_with("I found no good answer")
                || replies[0].contains("a translator joins every call"),
            "{replies:?}"
        );
    }
    // The summit article still answers as before.
    assert!(reply_to(&bot.fake, ask_as(&bot, HOTLINE_ASKER, HOTLINE))
        .await
        .contains(HOTLINE_POINT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_file_keeps_the_old_answers_and_is_reported_with_file_and_line() {
    let (dir, articles) = folder();
    let bot = start_bot(configure(dir.path())).await;
    let before = reply_to(&bot.fake, ask(&bot, HOTLINE)).await;
    assert!(before.contains(HOTLINE_POINT));

    drop_file(
        &articles,
        "broken.md",
        "# Broken\n\nA paragraph.\n\nThe translator cites a missing note.[^9]\n",
    );
    // The watch reload fails; the next /about an admin runs says so, with file and line.
    let started = Instant::now();
    let notice = loop {
        assert!(
            started.elapsed() < RELOAD_WAIT,
            "no failed reload was reported"
        );
        let (id, _, interaction) =
            bot.fake
                .slash_command_in(Place::guild(), OWNER_ID, "about", json!([]));
        bot.fake.dispatch("INTERACTION_CREATE", interaction);
        let body = callback(&bot.fake, id).await;
        let fields = body["data"]["embeds"][0]["fields"].clone();
        // Admins always see which model answers, after the notice when there is one.
        let names: Vec<&str> = fields
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(names.last(), Some(&"Model (shown to admins)"), "{fields}");
        if names.len() == 2 {
            assert_eq!(names[0], "Last reload failed (shown to admins)");
            break fields[0]["value"].as_str().unwrap_or_default().to_string();
        }
    };
    let location = format!(
        "{}:5: marker [9] has no footnote definition",
        articles.join("broken.md").display()
    );
    assert_eq!(
        notice,
        format!("reload after file change failed; the previous articles keep serving: {location}")
    );
    // Everyone else's /about shows no notice.
    let (id, _, interaction) = bot.fake.slash_command("about", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let fields = &callback(&bot.fake, id).await["data"]["embeds"][0]["fields"];
    assert!(fields.as_array().is_none_or(|f| f.is_empty()), "{fields}");

    // The old answers keep serving.
    assert_eq!(reply_to(&bot.fake, ask(&bot, HOTLINE)).await, before);

    // /reload by an admin: the same error in the reply.
    let (id, token, interaction) =
        bot.fake
            .slash_command_in(Place::guild(), OWNER_ID, "reload", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    assert_eq!(
        deferred_content(&bot.fake, id, &token).await,
        format!("Reload failed; the previous articles keep serving.\n```\n{location}\n```")
    );

    // Fixed: /reload serves it and the notice is gone.
    drop_file(
        &articles,
        "broken.md",
        "# Fixed\n\nA paragraph.\n\nThe translator cites a note.[^9]\n\n[^9]: The note.\n",
    );
    let (id, token, interaction) =
        bot.fake
            .slash_command_in(Place::guild(), OWNER_ID, "reload", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let content = deferred_content(&bot.fake, id, &token).await;
    assert!(
        content.starts_with("Reloaded: 2 articles, 8 paragraphs, in "),
        "{content}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_is_refused_to_non_admins() {
    let (dir, _articles) = folder();
    let bot = start_bot(configure(dir.path())).await;
    let (id, _, interaction) = bot.fake.slash_command("reload", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = callback(&bot.fake, id).await;
    assert_eq!(
        body["data"]["flags"].as_u64().unwrap_or(0) & 64,
        64,
        "{body}"
    );
    assert_eq!(
        body["data"]["content"],
        json!(summit_bot::bot::admin::REFUSAL)
    );
}
