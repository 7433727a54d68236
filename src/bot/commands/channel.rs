//! `/channel` (admins only): how the bot behaves in the channel it is used in, set from
//! Discord instead of the config file. `answer-all on|off` makes every message a question (or
//! only mentions), `threads on|off` answers each new question in a thread started from it
//! (or in the channel), `article <id>` gives the channel its own default article, `show`
//! says what applies. Settings are saved in the store and applied at once here; other bot
//! processes on the same store read them within `[discord] settings_refresh_secs`. The reply
//! is private and says what changed.

use crate::bot::admin::require_admin;
use crate::bot::commands::article::autocomplete_article;
use crate::bot::reply::send_to_interaction;
use crate::bot::{Context, Error};
use crate::render::embed::Reply;
use crate::store::channels::Change;

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum Switch {
    /// On.
    #[name = "on"]
    On,
    /// Off.
    #[name = "off"]
    Off,
}

/// Set how the bot answers in this channel (admins only)
#[poise::command(
    slash_command,
    guild_only,
    subcommands("answer_all", "threads", "article", "show"),
    subcommand_required
)]
pub async fn channel(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Answer every message in this channel, or only mentions (admins only)
#[poise::command(slash_command, guild_only, rename = "answer-all")]
pub async fn answer_all(
    ctx: Context<'_>,
    #[description = "on: every message here is a question; off: only mentions"] state: Switch,
) -> Result<(), Error> {
    if !require_admin(ctx).await? {
        return Ok(());
    }
    let on = state == Switch::On;
    let before = ctx.data().channels.effective(ctx.channel_id().get());
    if !save(ctx, Change::AnswerAll(on)).await? {
        return Ok(());
    }
    let data = ctx.data();
    let was = match (before.answer_all, before.answer_all_set) {
        (true, true) => "it was on",
        (false, true) => "it was off",
        (true, false) => "it was on by the config's answer_channels",
        (false, false) => "it was off",
    };
    let mut text = if on {
        format!("Answer-all is now **on** in this channel ({was}): every message here is read as a question, and answered when the article answers it or when it is clearly a question.")
    } else {
        format!("Answer-all is now **off** in this channel ({was}): only mentions of the bot are answered here.")
    };
    if on && !data.message_content {
        // Without the intent Discord sends the bot no message text: say so, do not pretend.
        text.push_str(if data.message_content_granted {
            "\n\n**Not yet in effect:** Discord sends message text only to a bot that asks for it when it connects (the Message Content intent), and this bot did not ask at its last start because no channel answered every message or answered in threads then. Restart the bot to apply it; until then only mentions are answered here."
        } else {
            "\n\n**Not in effect:** the Message Content intent is not enabled for this application, so Discord sends the bot no message text and only mentions can be answered. Enable it in the Developer Portal (Bot → Privileged Gateway Intents → Message Content Intent), then restart the bot."
        });
    }
    send_to_interaction(ctx, &Reply::text(text, true), None).await
}

/// Answer questions here in a thread started from each, or in the channel (admins only)
#[poise::command(slash_command, guild_only)]
pub async fn threads(
    ctx: Context<'_>,
    #[description = "on: each new question gets a thread where follow-ups need no mention; off: answers in the channel"]
    state: Switch,
) -> Result<(), Error> {
    if !require_admin(ctx).await? {
        return Ok(());
    }
    let on = state == Switch::On;
    let channel = ctx.channel_id().get();
    let before = ctx.data().channels.effective(channel);
    if !save(ctx, Change::Threads(on)).await? {
        return Ok(());
    }
    let data = ctx.data();
    if on {
        // An admin turning threads on may just have granted the permission a refusal showed
        // missing: try again here instead of waiting for a restart.
        data.no_threads.lock().remove(&channel);
    }
    let was = match (before.threads, before.threads_set) {
        (true, true) => "it was on",
        (false, true) => "it was off",
        (true, false) => "it was on by the config's `threads`",
        (false, false) => "it was off",
    };
    let mut text = if on {
        format!("Threads are now **on** in this channel ({was}): a question for the bot here is answered in a new thread started from it and named after it, where follow-ups need no mention; `/ask` still answers in place. The bot needs Create Public Threads and Send Messages in Threads here, else it answers in the channel.")
    } else {
        format!("Threads are now **off** in this channel ({was}): questions are answered here, in the channel.")
    };
    if on && !data.message_content {
        // Questions open threads at once, but without message text a follow-up in a thread
        // reaches the bot only when it mentions it: say so, do not pretend.
        text.push_str(if data.message_content_granted {
            "\n\n**Follow-ups without a mention not yet read:** Discord sends message text only to a bot that asks for it when it connects (the Message Content intent), and this bot did not ask at its last start because no channel answered every message or answered in threads then. Restart the bot to apply it; until then a follow-up in a thread must mention the bot."
        } else {
            "\n\n**Follow-ups without a mention not read:** the Message Content intent is not enabled for this application, so Discord sends the bot no message text and a follow-up in a thread must mention the bot. Enable it in the Developer Portal (Bot → Privileged Gateway Intents → Message Content Intent), then restart the bot."
        });
    }
    send_to_interaction(ctx, &Reply::text(text, true), None).await
}

/// Give this channel its own default article for look-ups and questions (admins only)
#[poise::command(slash_command, guild_only)]
pub async fn article(
    ctx: Context<'_>,
    #[description = "The article (autocompletes over titles); leave empty for the default"]
    #[autocomplete = "autocomplete_article"]
    id: Option<String>,
) -> Result<(), Error> {
    if !require_admin(ctx).await? {
        return Ok(());
    }
    let engine = ctx.data().engine.current();
    let chosen = match id.as_deref().map(|id| engine.article(Some(id))) {
        None => None,
        Some(Ok(article)) => Some((article.id.clone(), article.title.clone())),
        Some(Err(error)) => {
            let reply = Reply::text(
                format!("{error}. `/about` lists the articles; the `id` option suggests titles as you type. Nothing changed."),
                true,
            );
            return send_to_interaction(ctx, &reply, None).await;
        }
    };
    let before = ctx.data().channels.article(ctx.channel_id().get());
    if !save(
        ctx,
        Change::Article(chosen.as_ref().map(|(id, _)| id.clone())),
    )
    .await?
    {
        return Ok(());
    }
    let was = match before {
        Some(id) => format!("it was `{id}`"),
        None => "it was the default article".to_string(),
    };
    let text = match chosen {
        Some((id, title)) => format!(
            "This channel's default article is now “{title}” (`{id}`; {was}): `/point`, `/points` and `/footnote` without `article` look there, and questions asked here get its passages first when it answers them."
        ),
        None => {
            let default = engine
                .default_article()
                .map_or_else(|| "none".to_string(), |a| format!("“{}”", a.title));
            format!("This channel now uses the default article, {default} ({was}).")
        }
    };
    send_to_interaction(ctx, &Reply::text(text, true), None).await
}

/// Show how the bot behaves in this channel (admins only)
#[poise::command(slash_command, guild_only)]
pub async fn show(ctx: Context<'_>) -> Result<(), Error> {
    if !require_admin(ctx).await? {
        return Ok(());
    }
    let data = ctx.data();
    let here = data.channels.effective(ctx.channel_id().get());
    let answer_all = match (here.answer_all, here.answer_all_set) {
        (true, true) => "on (set with `/channel answer-all`)",
        (false, true) => "off (set with `/channel answer-all`)",
        (true, false) => "on (the config's `answer_channels`)",
        (false, false) => "off: only mentions are answered",
    };
    let threads = match (here.threads, here.threads_set) {
        (true, true) => "on (set with `/channel threads`)",
        (false, true) => "off (set with `/channel threads`)",
        (true, false) => "on (the config's `threads`)",
        (false, false) => "off: answers go in the channel",
    };
    let article = match &here.article {
        Some(id) => format!("`{id}` (set with `/channel article`)"),
        None => "the default article".to_string(),
    };
    let content = if data.message_content {
        "received (the Message Content intent is requested)"
    } else if data.message_content_granted {
        "not received: the bot asks for it at its next start once a channel answers every message or answers in threads"
    } else {
        "not received: the Message Content intent is not enabled for this application"
    };
    let text = format!(
        "In this channel:\n• answer every message: {answer_all}\n• answer in threads: {threads}\n• default article: {article}\n• message text from Discord: {content}\n{}",
        if data.store.is_some() {
            "Settings are kept in the store and apply to every bot process using it."
        } else {
            "The store is off (`[store] enabled = false`): settings cannot be changed."
        }
    );
    send_to_interaction(ctx, &Reply::text(text, true), None).await
}

/// Saves a change for the command's channel and applies it here. Replies privately and
/// returns `false` when it could not be saved.
async fn save(ctx: Context<'_>, change: Change) -> Result<bool, Error> {
    let data = ctx.data();
    let channel = ctx.channel_id().get();
    let guild = ctx.guild_id().map(|g| g.get());
    let Some(store) = &data.store else {
        let reply = Reply::text(
            "Channel settings are kept in the store, and it is off (`[store] enabled = false`). Use `answer_channels` in the config file instead. Nothing changed.",
            true,
        );
        send_to_interaction(ctx, &reply, None).await?;
        return Ok(false);
    };
    if let Err(error) = store.change_channel(channel, guild, change.clone()).await {
        tracing::warn!(%error, channel, "cannot save a channel setting");
        let reply = Reply::text(
            "I cannot save channel settings right now (the store did not answer); nothing changed. Please try again later.",
            true,
        );
        send_to_interaction(ctx, &reply, None).await?;
        return Ok(false);
    }
    data.channels.apply(channel, guild, &change);
    tracing::info!(channel, ?change, user = %ctx.author().id, "channel setting changed");
    Ok(true)
}
