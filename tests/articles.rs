#![recursion_limit = "256"]
//! Many articles: points and footnotes are numbered per article, look-ups take an article
//! (id or unique part of its title) and default to the shipped summit article, answers carry
//! their own article's footnotes and source, and Markdown markers read like plain ones.
//! Two articles with overlapping point and footnote numbers: the shipped summit article (4
//! points, footnotes 1–4) and `tests/fixtures/hotline.md` (2 points, footnotes 1–2), which
//! sorts first by id and by title.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{json, Value};
use summit_bot::engine::{Engine, EngineOptions, LookupError};
use support::bot::start_bot;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_summit-bot");
const PIIE: &str = "https://www.piie.com/blogs/china-economic-watch/what-obama-did-and-did-not-accomplish-cyber-espionage-talks-xi";
const SUMMIT_TITLE: &str = "What Obama did and did not accomplish in cyber-espionage talks with Xi";
const HOTLINE_TITLE: &str = "The Hotline Agreement: How It Works";

/// A folder with both articles (and the summit article's metadata file).
fn two_articles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["summit-article.txt", "summit-article.toml"] {
        std::fs::copy(
            Path::new(ROOT).join("index/articles").join(name),
            dir.path().join(name),
        )
        .unwrap();
    }
    std::fs::copy(
        Path::new(ROOT).join("tests/fixtures/hotline.md"),
        dir.path().join("hotline.md"),
    )
    .unwrap();
    dir
}

fn engine(dir: &Path, default_article: Option<&str>) -> Engine {
    let options = EngineOptions {
        articles_dir: Some(dir.to_path_buf()),
        default_article: default_article.map(str::to_string),
        ..EngineOptions::default()
    };
    Engine::open(&options).expect("engine opens")
}

fn numbers(footnotes: &[summit_bot::ingest::Footnote]) -> Vec<(u32, String)> {
    footnotes
        .iter()
        .map(|f| (f.number, f.text.clone()))
        .collect()
}

#[test]
fn with_two_articles_this_article_names_none_of_them() {
    // One article's lead paragraph answers "what is this article about?"; with two, "this"
    // is ambiguous and the question gets no answer rather than a guess.
    let dir = two_articles();
    let engine = engine(dir.path(), None);
    let response = engine.ask("what is this article about").unwrap();
    assert!(
        response.answer.is_none(),
        "{:?}",
        response.answer.map(|a| a.passage.id.clone())
    );
}

#[test]
fn look_ups_are_per_article_and_default_to_the_summit_article() {
    let dir = two_articles();
    let engine = engine(dir.path(), None);
    let summit = engine.article(None).unwrap();
    assert_eq!(summit.id, "summit-article");
    assert_eq!(summit.points.len(), 4);
    let hotline = engine.article(Some("hotline")).unwrap();
    assert_eq!(hotline.points.len(), 2);

    let summit_1 = engine.point(summit, 1).unwrap().expect("summit point 1");
    assert_eq!(summit_1.passage.id, "summit-article:2.1");
    assert!(summit_1.passage.text.starts_with("First, both countries"));
    assert_eq!(summit_1.footnotes[0].number, 1);
    assert!(summit_1.footnotes[0]
        .text
        .starts_with("Office of the Press Secretary"));
    assert_eq!(summit_1.source_url.as_deref(), Some(PIIE));

    let hotline_1 = engine.point(hotline, 1).unwrap().expect("hotline point 1");
    assert_eq!(hotline_1.passage.id, "hotline:1.1");
    assert_eq!(
        hotline_1.passage.text,
        "First, each side answers a call within twenty minutes."
    );
    assert_eq!(
        numbers(&hotline_1.footnotes),
        [(1, "Ministry statement on the hotline, January 2016.".into())]
    );
    assert!(engine.point(hotline, 3).unwrap().is_none());
    assert!(engine.point(summit, 3).unwrap().is_some());

    assert_eq!(
        hotline.footnote(2).map(|f| f.text.as_str()),
        Some("Report-back rules were added after the first test call.")
    );
    assert!(summit
        .footnote(2)
        .unwrap()
        .text
        .starts_with("Dialogues will be held twice per year"));
    assert!(hotline.footnote(3).is_none());
}

#[test]
fn answers_carry_their_own_article_and_markdown_markers_read_like_plain_ones() {
    let dir = two_articles();
    let engine = engine(dir.path(), None);
    let answer = engine
        .ask("Who reports back on the outcome of a request within a week?")
        .unwrap()
        .answer
        .expect("an answer");
    assert_eq!(answer.passage.id, "hotline:1.2");
    assert_eq!(answer.passage.title, HOTLINE_TITLE);
    assert_eq!(
        answer.passage.text,
        "Second, each side reports back on the outcome of any request within a week.[2]"
    );
    assert_eq!(
        numbers(&answer.footnotes),
        [
            (1, "Ministry statement on the hotline, January 2016.".into()),
            (
                2,
                "Report-back rules were added after the first test call.".into()
            )
        ]
    );
    assert_eq!(
        answer.source_url.as_deref(),
        Some("https://example.org/hotline-agreement")
    );

    let answer = engine
        .ask("Who will co-chair the dialogue?")
        .unwrap()
        .answer
        .expect("an answer");
    assert_eq!(answer.passage.article, "summit-article");
    let cited = numbers(&answer.footnotes);
    assert_eq!(cited.len(), 2, "{cited:?}");
    assert!(cited[0].1.starts_with("Office of the Press Secretary"));
    assert!(cited[1].1.starts_with("Dialogues will be held"));
    assert_eq!(answer.source_url.as_deref(), Some(PIIE));
}

#[test]
fn articles_are_found_by_id_or_a_unique_part_of_the_title() {
    let dir = two_articles();
    let engine = engine(dir.path(), None);
    assert_eq!(
        engine.article(Some("summit-article")).unwrap().title,
        SUMMIT_TITLE
    );
    assert_eq!(
        engine.article(Some("hotline agreement")).unwrap().id,
        "hotline"
    );
    assert_eq!(engine.article(Some("OBAMA")).unwrap().id, "summit-article");
    assert_eq!(
        engine.article(Some("nothing like it")).unwrap_err(),
        LookupError::Unknown("nothing like it".into())
    );
    assert_eq!(
        engine.article(Some("o")).unwrap_err().to_string(),
        "\"o\" matches several articles: hotline, summit-article"
    );
    let about = engine.about();
    let listed: Vec<(&str, usize, usize, usize, bool)> = about
        .articles
        .iter()
        .map(|a| {
            (
                a.id.as_str(),
                a.paragraphs,
                a.points,
                a.footnotes,
                a.is_default,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("hotline", 2, 2, 2, false),
            ("summit-article", 6, 4, 4, true)
        ]
    );

    // `corpus.default_article` picks another default; an unknown one falls back.
    let engine = self::engine(dir.path(), Some("hotline"));
    assert_eq!(engine.article(None).unwrap().id, "hotline");
    let engine = self::engine(dir.path(), Some("no-such-article"));
    assert_eq!(engine.article(None).unwrap().id, "summit-article");

    // Without the shipped article, the first by title is the default.
    std::fs::remove_file(dir.path().join("summit-article.txt")).unwrap();
    std::fs::write(
        dir.path().join("zebra.txt"),
        "A zebra article\n\nZebras have stripes.\n",
    )
    .unwrap();
    let engine = self::engine(dir.path(), None);
    assert_eq!(engine.article(None).unwrap().id, "zebra");
}

/// Runs the binary with a config pointing at `articles` (index in memory).
fn run(articles: &Path, args: &[&str]) -> Output {
    let config = articles.join("config.toml.cfg");
    std::fs::write(
        &config,
        format!(
            "[corpus]\narticles_dir = '{}'\nindex_dir = ''\n",
            articles.display()
        ),
    )
    .unwrap();
    Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(args)
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .env_remove("RUST_LOG")
        .output()
        .expect("runs summit-bot")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn the_command_line_takes_an_article() {
    let dir = two_articles();
    let points = stdout(&run(dir.path(), &["points"]));
    assert_eq!(points.lines().count(), 4, "{points}");
    assert!(
        points.starts_with("1. Both countries will respond"),
        "{points}"
    );
    assert_eq!(
        stdout(&run(dir.path(), &["points", "--article", "hotline"])),
        "1. Each side answers a call within twenty minutes\n\
         2. Each side reports back on the outcome of any request within a week\n"
    );
    assert_eq!(
        stdout(&run(
            dir.path(),
            &["point", "2", "--article", "Hotline Agreement"]
        )),
        format!(
            "{HOTLINE_TITLE} (paragraph 1, point 2)\n\n\
             Second, each side reports back on the outcome of any request within a week.[2]\n\n\
             [1] Ministry statement on the hotline, January 2016.\n\
             [2] Report-back rules were added after the first test call.\n"
        )
    );
    assert_eq!(
        stdout(&run(dir.path(), &["footnote", "1", "--article", "hotline"])),
        "[1] Ministry statement on the hotline, January 2016.\n"
    );
    assert!(stdout(&run(dir.path(), &["footnote", "1"])).starts_with("[1] Office of the Press"));
    assert_eq!(
        stdout(&run(dir.path(), &["about"])),
        format!(
            "{SUMMIT_TITLE}\nSource: {PIIE}\n2 articles, 8 paragraphs, 6 points, 6 footnotes\n\n\
             Articles (id: title, counts; * = used when no --article is given):\n  \
             hotline: {HOTLINE_TITLE} (2 paragraphs, 2 points, 2 footnotes)\n\
             * summit-article: {SUMMIT_TITLE} (6 paragraphs, 4 points, 4 footnotes)\n"
        )
    );

    let failed = run(dir.path(), &["footnote", "3", "--article", "hotline"]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&failed.stderr),
        "summit-bot: no footnote 3: the article hotline has 2 footnotes\n"
    );
    let failed = run(dir.path(), &["points", "--article", "nothing"]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&failed.stderr),
        "summit-bot: no article matches \"nothing\"\n"
    );
}

const WAIT: Duration = Duration::from_secs(10);

async fn callback(fake: &support::fake_discord::FakeDiscord, interaction: u64) -> Value {
    let path = format!("/api/v10/interactions/{interaction}/");
    fake.wait_for_request(|r| r.method == "POST" && r.path.starts_with(&path), WAIT)
        .await
        .unwrap_or_else(|| panic!("no callback for interaction {interaction}"))
        .body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_commands_take_an_article_with_autocomplete() {
    let dir = two_articles();
    let articles: PathBuf = dir.path().to_path_buf();
    let bot = start_bot(move |c| c.corpus.articles_dir = Some(articles)).await;
    let fake = &bot.fake;

    let (id, _, interaction) = fake.autocomplete(
        "points",
        json!([{"name": "article", "type": 3, "value": "hot", "focused": true}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let body = callback(fake, id).await;
    assert_eq!(
        body["data"]["choices"],
        json!([{"name": HOTLINE_TITLE, "value": "hotline"}])
    );

    // Point numbers are completed within the article chosen so far.
    let (id, _, interaction) = fake.autocomplete(
        "point",
        json!([
            {"name": "number", "type": 4, "value": "", "focused": true},
            {"name": "article", "type": 3, "value": "hotline"}
        ]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let body = callback(fake, id).await;
    let names: Vec<&str> = body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "1. Each side answers a call within twenty minutes",
            "2. Each side reports back on the outcome of any request within a week"
        ]
    );

    let (id, _, interaction) = fake.slash_command(
        "point",
        json!([
            {"name": "number", "type": 4, "value": 2},
            {"name": "article", "type": 3, "value": "hotline"}
        ]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let embed = callback(fake, id).await["data"]["embeds"][0].clone();
    assert_eq!(
        embed["title"],
        json!(format!("{HOTLINE_TITLE} · paragraph 1, point 2"))
    );
    assert_eq!(embed["url"], json!("https://example.org/hotline-agreement"));
    assert_eq!(
        embed["description"],
        json!("Second, each side reports back on the outcome of any request within a week.[2]")
    );
    assert_eq!(
        embed["fields"],
        json!([
            {"name": "[1]", "value": "Ministry statement on the hotline, January 2016.", "inline": false},
            {"name": "[2]", "value": "Report-back rules were added after the first test call.", "inline": false}
        ])
    );

    // Without the option: the summit article's footnote 2.
    let (id, _, interaction) = fake.slash_command(
        "footnote",
        json!([{"name": "number", "type": 4, "value": 2}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let body = callback(fake, id).await;
    assert!(body["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Dialogues will be held twice per year"));

    let (id, _, interaction) = fake.slash_command(
        "points",
        json!([{"name": "article", "type": 3, "value": "no such thing"}]),
    );
    fake.dispatch("INTERACTION_CREATE", interaction);
    let body = callback(fake, id).await;
    assert_eq!(body["data"]["flags"].as_u64().unwrap_or(0) & 64, 64);
    assert_eq!(
        body["data"]["content"],
        json!("no article matches \"no such thing\". `/about` lists the articles; the `article` option suggests titles as you type.")
    );

    let (id, _, interaction) = fake.slash_command("about", json!([]));
    fake.dispatch("INTERACTION_CREATE", interaction);
    let embed = callback(fake, id).await["data"]["embeds"][0].clone();
    assert_eq!(embed["title"], json!("2 articles"));
    assert_eq!(
        embed["description"],
        json!(format!(
            "I answer questions with the articles' own words and their footnotes.\n\
             2 articles, 8 paragraphs, 6 agreement points, 6 footnotes.\n\n\
             • [The Hotline Agreement: How It Works](https://example.org/hotline-agreement) · `hotline` · 2 paragraphs, 2 points, 2 footnotes\n\
             • [{SUMMIT_TITLE}]({PIIE}) · `summit-article` · 6 paragraphs, 4 points, 4 footnotes · default"
        ))
    );
}
