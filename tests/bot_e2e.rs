#![recursion_limit = "256"]
//! The Discord bot end to end: the real serenity/poise client connects to the fake Discord
//! on 127.0.0.1 (REST + gateway) and we assert on the REST calls it makes.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::bot::{start_bot, wait_callback, wait_reply_to};
use support::fake_discord::*;

const WAIT: Duration = Duration::from_secs(10);

fn messages_path(channel: u64) -> String {
    format!("/api/v10/channels/{channel}/messages")
}

fn assert_no_mentions(body: &Value) {
    let allowed = &body["allowed_mentions"];
    assert_eq!(allowed["parse"], json!([]), "{body}");
    assert_eq!(allowed["users"], json!([]), "{body}");
    assert_eq!(allowed["roles"], json!([]), "{body}");
}

fn embed_text(embed: &Value) -> String {
    let mut text = embed["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for field in embed["fields"].as_array().into_iter().flatten() {
        text.push('\n');
        text.push_str(field["name"].as_str().unwrap_or_default());
        text.push(' ');
        text.push_str(field["value"].as_str().unwrap_or_default());
    }
    // Compare words, not highlighting.
    text.replace("**", "").replace("__", "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_every_command_with_descriptions() {
    let bot = start_bot(|_| {}).await;
    let commands = bot.fake.registered_commands(None);
    let mut names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        vec![
            "Find in article",
            "about",
            "ask",
            "channel",
            "footnote",
            "gaps",
            "help",
            "point",
            "points",
            "reload",
            "teach"
        ]
    );
    for command in &commands {
        if command["type"] == json!(1) {
            let description = command["description"].as_str().unwrap_or_default();
            assert!(!description.is_empty(), "{command}");
        }
        for option in command["options"].as_array().into_iter().flatten() {
            assert!(
                !option["description"]
                    .as_str()
                    .unwrap_or_default()
                    .is_empty(),
                "{option}"
            );
        }
    }
    let point = commands
        .iter()
        .find(|c| c["name"] == "point")
        .expect("point");
    assert_eq!(point["options"][0]["autocomplete"], json!(true));
    let ask = commands.iter().find(|c| c["name"] == "ask").expect("ask");
    let options: Vec<&str> = ask["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(options, vec!["question", "private"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_in_configured_guilds() {
    let bot = start_bot(|c| c.discord.guilds = vec![GUILD_ID]).await;
    let path = format!("/api/v10/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands");
    assert!(bot.fake.requests().iter().any(|r| r.is("PUT", &path)));
    assert_eq!(bot.fake.registered_commands(Some(GUILD_ID)).len(), 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_a_mention_with_passage_and_footnote_and_pings_nobody() {
    let bot = start_bot(|_| {}).await;
    let content = format!("<@{BOT_USER_ID}> who will co-chair the dialogue? @everyone");
    let (id, message) =
        bot.fake
            .message_create(CHANNEL_ID, USER_ID, &content, true, Some(GUILD_ID), false);
    bot.fake.dispatch("MESSAGE_CREATE", message);
    let reply = wait_reply_to(&bot.fake, id).await;
    assert_eq!(reply.path, messages_path(CHANNEL_ID));
    assert_no_mentions(&reply.body);
    assert_eq!(reply.body["allowed_mentions"]["replied_user"], json!(false));
    let embed = &reply.body["embeds"][0];
    let text = embed_text(embed);
    assert!(
        text.contains("a hotline to address serious security issues"),
        "{text}"
    );
    assert!(
        text.contains("[2] Dialogues will be held twice per year"),
        "{text}"
    );
    assert!(text.contains("will co-chair the dialogue"), "{text}");
    assert_eq!(
        embed["title"],
        json!("What Obama did and did not accomplish in cyber-espionage talks with Xi · paragraph 2, point 4")
    );
    assert!(
        embed["footer"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("match"),
        "{embed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_dms_ignores_bots_and_unaddressed_chatter() {
    let bot = start_bot(|_| {}).await;
    let (from_bot, m1) = bot.fake.message_create(
        CHANNEL_ID,
        OTHER_BOT_ID,
        &format!("<@{BOT_USER_ID}> is there a hotline?"),
        true,
        Some(GUILD_ID),
        true,
    );
    bot.fake.dispatch("MESSAGE_CREATE", m1);
    let (chatter, m2) = bot.fake.message_create(
        CHANNEL_ID,
        USER_ID,
        "is there a hotline?",
        false,
        Some(GUILD_ID),
        false,
    );
    bot.fake.dispatch("MESSAGE_CREATE", m2);
    let (dm, m3) = bot.fake.message_create(
        DM_CHANNEL_ID,
        USER_ID,
        "What is Executive Order 13694?",
        false,
        None,
        false,
    );
    bot.fake.dispatch("MESSAGE_CREATE", m3);
    let reply = wait_reply_to(&bot.fake, dm).await;
    assert!(embed_text(&reply.body["embeds"][0]).contains("Executive Order 13694"));
    support::bot::sentinel_answered(&bot.fake, Duration::from_millis(300)).await;
    let replies_to = |id: u64| {
        let id = id.to_string();
        bot.fake
            .requests()
            .iter()
            .filter(|r| r.body["message_reference"]["message_id"].as_str() == Some(&id))
            .count()
    };
    assert_eq!(replies_to(from_bot), 0, "replied to a bot");
    assert_eq!(
        replies_to(chatter),
        0,
        "replied to a message not addressed to it"
    );
    assert_eq!(replies_to(dm), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_channel_mode_answers_without_mention() {
    let bot = start_bot(|c| c.discord.answer_channels = vec![CHANNEL_ID]).await;
    let identify = &bot.fake.identify_payloads()[0];
    let intents = identify["intents"].as_u64().unwrap_or_default();
    assert_ne!(
        intents & (1 << 15),
        0,
        "answer channels need the Message Content intent"
    );
    let (id, message) = bot.fake.message_create(
        CHANNEL_ID,
        USER_ID,
        "Can the US impose economic sanctions?",
        false,
        Some(GUILD_ID),
        false,
    );
    bot.fake.dispatch("MESSAGE_CREATE", message);
    let reply = wait_reply_to(&bot.fake, id).await;
    assert!(embed_text(&reply.body["embeds"][0]).contains("Executive Order 13694"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mention_mode_does_not_request_message_content() {
    let bot = start_bot(|_| {}).await;
    let intents = bot.fake.identify_payloads()[0]["intents"]
        .as_u64()
        .unwrap_or_default();
    assert_eq!(intents & (1 << 15), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_question_edits_the_reply() {
    let bot = start_bot(|_| {}).await;
    let (id, message) = bot.fake.message_create(
        CHANNEL_ID,
        USER_ID,
        &format!("<@{BOT_USER_ID}> is there a hotline?"),
        true,
        Some(GUILD_ID),
        false,
    );
    bot.fake.dispatch("MESSAGE_CREATE", message.clone());
    wait_reply_to(&bot.fake, id).await;
    let edited = bot.fake.message_update(
        &message,
        &format!("<@{BOT_USER_ID}> What is Executive Order 13694?"),
    );
    bot.fake.dispatch("MESSAGE_UPDATE", edited);
    let patch = bot
        .fake
        .wait_for_request(
            |r| r.method == "PATCH" && r.path.starts_with(&messages_path(CHANNEL_ID)),
            WAIT,
        )
        .await
        .expect("the reply was edited");
    assert_no_mentions(&patch.body);
    assert!(embed_text(&patch.body["embeds"][0]).contains("Executive Order 13694"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_ask_answers_with_embed_and_off_topic_is_ephemeral() {
    let bot = start_bot(|_| {}).await;
    let (id, _, interaction) =
        bot.fake.slash_command("ask", json!([{"name": "question", "type": 3, "value": "What tools will the US use against cybercriminals?"}]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    assert_eq!(body["type"], json!(4));
    assert_no_mentions(&body["data"]);
    let text = embed_text(&body["data"]["embeds"][0]);
    assert!(
        text.contains("whatever tools we have in our tool kit"),
        "{text}"
    );
    assert!(text.contains("[4] Office of the Press Secretary"), "{text}");
    assert_eq!(
        body["data"]["flags"].as_u64().unwrap_or(0) & 64,
        0,
        "answers are public"
    );

    let (id, _, interaction) = bot.fake.slash_command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "What is the best pizza topping?"}]),
    );
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    assert_eq!(
        body["data"]["flags"].as_u64().unwrap_or(0) & 64,
        64,
        "no-answer is ephemeral"
    );
    let content = body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        content.contains("no good answer") && content.contains("/points"),
        "{content}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_match_pages_and_private_answers_can_be_posted() {
    let bot = start_bot(|_| {}).await;
    let (id, _, interaction) = bot.fake.slash_command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "what did china promise?"}, {"name": "private", "type": 5, "value": true}]),
    );
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    assert_eq!(
        body["data"]["flags"].as_u64().unwrap_or(0) & 64,
        64,
        "private answers are ephemeral"
    );
    let buttons = &body["data"]["components"][0]["components"];
    let labels: Vec<&str> = buttons
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["label"].as_str())
        .collect();
    assert_eq!(labels.len(), 2, "{buttons}");
    assert!(labels[0].starts_with("Next match"), "{labels:?}");
    assert_eq!(labels[1], "Post publicly");
    let first = embed_text(&body["data"]["embeds"][0]);

    let mut message = json!({
        "id": bot.fake.next_id().to_string(), "channel_id": CHANNEL_ID.to_string(), "guild_id": GUILD_ID.to_string(),
        "author": bot_user_json(), "content": "", "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": body["data"]["embeds"].clone(), "pinned": false, "type": 0, "flags": 64,
        "components": body["data"]["components"].clone(),
    });
    let next_id = buttons[0]["custom_id"].as_str().unwrap().to_string();
    let (click, _, interaction) = bot.fake.button_click(&next_id, &message);
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let update = wait_callback(&bot.fake, click).await;
    assert_eq!(update["type"], json!(7), "Next match updates the message");
    let second = embed_text(&update["data"]["embeds"][0]);
    assert_ne!(first, second);
    assert_no_mentions(&update["data"]);

    message["embeds"] = update["data"]["embeds"].clone();
    let public_id = update["data"]["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (click, _, interaction) = bot.fake.button_click(&public_id, &message);
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let posted = wait_callback(&bot.fake, click).await;
    assert_eq!(posted["type"], json!(4));
    assert_eq!(
        posted["data"]["flags"].as_u64().unwrap_or(0) & 64,
        0,
        "posted publicly"
    );
    assert_eq!(embed_text(&posted["data"]["embeds"][0]), second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_lookup_autocomplete_and_unknown_point() {
    let bot = start_bot(|_| {}).await;
    let (id, _, interaction) = bot
        .fake
        .slash_command("point", json!([{"name": "number", "type": 4, "value": 2}]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    let embed = &body["data"]["embeds"][0];
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .starts_with("Second, neither country will participate"),
        "{embed}"
    );
    assert_eq!(embed["fields"][0]["name"], json!("[1]"));
    assert_eq!(embed["title"], json!("What Obama did and did not accomplish in cyber-espionage talks with Xi · paragraph 2, point 2"));

    let (id, _, interaction) = bot
        .fake
        .slash_command("point", json!([{"name": "number", "type": 4, "value": 9}]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    assert_eq!(body["data"]["flags"].as_u64().unwrap_or(0) & 64, 64);
    assert_eq!(
        body["data"]["content"],
        json!("There is no point 9: the agreement has 4 points. `/points` lists them.")
    );

    let (id, _, interaction) = bot.fake.autocomplete(
        "point",
        json!([{"name": "number", "type": 4, "value": "", "focused": true}]),
    );
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    assert_eq!(body["type"], json!(8));
    let choices = body["data"]["choices"].as_array().expect("choices");
    assert_eq!(choices.len(), 4);
    assert_eq!(choices[1]["value"], json!(2));
    for choice in choices {
        let name = choice["name"].as_str().unwrap();
        assert!(name.chars().count() <= 100, "{name}");
    }
    assert!(
        choices[3]["name"]
            .as_str()
            .unwrap()
            .starts_with("4. The two leaders established"),
        "{choices:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_footnote_about_and_context_menu() {
    let bot = start_bot(|_| {}).await;
    let (id, _, interaction) = bot.fake.slash_command("points", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    let description = body["data"]["embeds"][0]["description"].as_str().unwrap();
    assert_eq!(description.lines().count(), 4, "{description}");

    let (id, _, interaction) = bot.fake.slash_command(
        "footnote",
        json!([{"name": "number", "type": 4, "value": 3}]),
    );
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    assert_eq!(
        body["data"]["embeds"][0]["description"],
        json!("See “China Halts Cybersecurity Cooperation After U.S. Spying Charges,” Bloomberg, May 20, 2014.")
    );

    let (id, _, interaction) = bot.fake.slash_command("about", json!([]));
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    let about = body["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        about.contains("6 paragraphs, 4 agreement points, 4 footnotes"),
        "{about}"
    );

    let (_, target) = bot.fake.message_create(
        CHANNEL_ID,
        USER_ID,
        "Will China extradite hackers to the US?",
        false,
        Some(GUILD_ID),
        false,
    );
    let (id, _, interaction) = bot.fake.message_context_menu("Find in article", &target);
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    assert!(embed_text(&body["data"]["embeds"][0]).contains("extradite perpetrators"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_passages_and_footnotes_respect_discord_limits() {
    let dir = tempfile::tempdir().unwrap();
    let long_paragraph =
        "The hotline agreement text goes on and on with @everyone and <@&123> mentions. "
            .repeat(90);
    let long_note = "A very long source note about the hotline. ".repeat(60);
    let mut article = format!("Long article\n\n{long_paragraph}[1][2][3]\n\n");
    for n in 1..=3 {
        article.push_str(&format!("[{n}] {long_note}\n\n"));
    }
    std::fs::write(dir.path().join("long.txt"), article).unwrap();
    let articles = dir.path().to_path_buf();
    let bot = start_bot(move |c| c.corpus.articles_dir = Some(articles)).await;
    let (id, _, interaction) = bot.fake.slash_command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "hotline agreement"}]),
    );
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    let body = wait_callback(&bot.fake, id).await;
    let embed = &body["data"]["embeds"][0];
    let chars = |v: &Value| v.as_str().unwrap_or_default().chars().count();
    assert!(chars(&embed["description"]) <= 4096);
    let fields = embed["fields"].as_array().unwrap();
    assert!(fields.iter().all(|f| chars(&f["value"]) <= 1024));
    let total = chars(&embed["title"])
        + chars(&embed["description"])
        + chars(&embed["footer"]["text"])
        + fields
            .iter()
            .map(|f| chars(&f["name"]) + chars(&f["value"]))
            .sum::<usize>();
    assert!(total <= 6000, "{total}");
    let description = embed["description"].as_str().unwrap();
    assert!(
        description.ends_with('…')
            || description.ends_with("…**")
            || description.ends_with("…__")
            || description.ends_with("…**__"),
        "{}",
        &description[description.len() - 20..]
    );
    assert!(
        !description.contains("@everyone"),
        "mentions are neutralised"
    );
    assert!(!description.contains("<@&123>"));
    assert_no_mentions(&body["data"]);
}
