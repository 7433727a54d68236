//! Converts rendered replies ([`crate::render::embed`]) into serenity/poise builders, every
//! one with empty `allowed_mentions`, and sends REST calls with retries on 429 and 5xx.

use std::future::Future;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, EditMessage,
};
use tracing::warn;

use super::sessions::custom_id;
use crate::render::embed::{ButtonAction, Embed, Reply};

/// Nobody is ever pinged: no parsed mentions, no users, no roles, no reply ping.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new().replied_user(false)
}

/// An embed builder.
pub fn embed(e: &Embed) -> CreateEmbed {
    let mut out = CreateEmbed::new()
        .title(&e.title)
        .description(&e.description)
        .colour(e.colour);
    if let Some(url) = &e.url {
        out = out.url(url);
    }
    for f in &e.fields {
        out = out.field(&f.name, &f.value, false);
    }
    if let Some(footer) = &e.footer {
        out = out.footer(CreateEmbedFooter::new(footer));
    }
    out
}

/// The button row for a reply showing match `shown` of session `key`.
pub fn components(reply: &Reply, key: Option<u64>, shown: usize) -> Vec<CreateActionRow> {
    let Some(key) = key else {
        return Vec::new();
    };
    let buttons: Vec<CreateButton> = reply
        .buttons
        .iter()
        .map(|b| match b.action {
            ButtonAction::Next => CreateButton::new(custom_id::next(key, shown + 1))
                .label(&b.label)
                .style(ButtonStyle::Secondary),
            ButtonAction::PostPublicly => CreateButton::new(custom_id::public(key, shown))
                .label(&b.label)
                .style(ButtonStyle::Primary),
        })
        .collect();
    if buttons.is_empty() {
        Vec::new()
    } else {
        vec![CreateActionRow::Buttons(buttons)]
    }
}

/// A poise reply (slash and context-menu commands).
pub fn poise_reply(reply: &Reply, key: Option<u64>, shown: usize) -> poise::CreateReply {
    let mut out = poise::CreateReply::default()
        .ephemeral(reply.ephemeral)
        .allowed_mentions(no_mentions())
        .components(components(reply, key, shown));
    if let Some(content) = &reply.content {
        out = out.content(content);
    }
    for e in &reply.embeds {
        out = out.embed(embed(e));
    }
    out
}

/// A channel message replying to `reference`.
pub fn channel_message(
    reply: &Reply,
    key: Option<u64>,
    reference: Option<&serenity::Message>,
) -> CreateMessage {
    let mut out = CreateMessage::new()
        .allowed_mentions(no_mentions())
        .components(components(reply, key, 0))
        .embeds(reply.embeds.iter().map(embed).collect());
    if let Some(content) = &reply.content {
        out = out.content(content);
    }
    if let Some(message) = reference {
        out = out.reference_message(message);
    }
    out
}

/// An edit replacing a chat reply's content (used when the question is edited).
pub fn edit_message(reply: &Reply, key: Option<u64>) -> EditMessage {
    EditMessage::new()
        .content(reply.content.clone().unwrap_or_default())
        .embeds(reply.embeds.iter().map(embed).collect())
        .components(components(reply, key, 0))
        .allowed_mentions(no_mentions())
}

/// An interaction response message (buttons).
pub fn interaction_message(
    reply: &Reply,
    key: Option<u64>,
    shown: usize,
) -> CreateInteractionResponseMessage {
    let mut out = CreateInteractionResponseMessage::new()
        .ephemeral(reply.ephemeral)
        .allowed_mentions(no_mentions())
        .components(components(reply, key, shown))
        .embeds(reply.embeds.iter().map(embed).collect());
    if let Some(content) = &reply.content {
        out = out.content(content);
    }
    out
}

/// Attempts per REST call (first try included).
const ATTEMPTS: u32 = 4;

/// What to do after a failed REST call.
fn retry_delay(error: &serenity::Error, attempt: u32) -> Option<Duration> {
    let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) = error else {
        // Connection-level failures (reset, timeout) are worth one more try too.
        return matches!(
            error,
            serenity::Error::Http(serenity::HttpError::Request(_))
        )
        .then(|| Duration::from_millis(200 * u64::from(attempt)));
    };
    let status = response.status_code.as_u16();
    if status == 429 || status >= 500 {
        // Exponential backoff: 250 ms, 500 ms, 1 s. Discord's retry_after for interaction
        // routes is short; longer waits would outlive the interaction anyway.
        Some(Duration::from_millis(250 << (attempt - 1).min(4)))
    } else {
        None
    }
}

/// Runs a REST call, retrying 429 and 5xx answers with backoff. `what` names it in logs.
pub async fn with_retries<T, F, Fut>(what: &str, mut call: F) -> Result<T, serenity::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(error) => match retry_delay(&error, attempt) {
                Some(delay) if attempt < ATTEMPTS => {
                    warn!(call = what, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying Discord call");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                _ => return Err(error),
            },
        }
    }
}
