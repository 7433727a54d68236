//! Sending replies: converts rendered replies ([`crate::render::embed`]) into serenity/poise
//! builders, every one with empty `allowed_mentions`, sends them to an interaction or a channel
//! ([`send_to_interaction`], [`send_to_channel`]), and retries REST calls on 429 and 5xx.

use std::future::Future;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, EditMessage,
};
use tracing::{info, warn};

use super::sessions::custom_id;
use super::{Context, Error};
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

/// The button row for a reply showing match `shown` of session `key`. Paging buttons need
/// the session; vote buttons carry their answer id and need nothing else.
pub fn components(reply: &Reply, key: Option<u64>, shown: usize) -> Vec<CreateActionRow> {
    let buttons: Vec<CreateButton> = reply
        .buttons
        .iter()
        .filter_map(|b| match b.action {
            ButtonAction::Next => key.map(|key| {
                CreateButton::new(custom_id::next(key, shown + 1))
                    .label(&b.label)
                    .style(ButtonStyle::Secondary)
            }),
            ButtonAction::PostPublicly => key.map(|key| {
                CreateButton::new(custom_id::public(key, shown))
                    .label(&b.label)
                    .style(ButtonStyle::Primary)
            }),
            ButtonAction::Vote { answer, helpful } => Some(
                CreateButton::new(custom_id::vote(answer, helpful))
                    .label(&b.label)
                    .style(ButtonStyle::Secondary),
            ),
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
        // The question's id as nonce, enforced: if a retry follows an attempt whose answer was
        // lost (timeout, reset), Discord keeps one reply instead of posting two.
        out = out
            .reference_message(message)
            .nonce(serenity::Nonce::String(message.id.get().to_string()))
            .enforce_nonce(true);
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

/// Sends a reply to a command's interaction (slash command, context menu), retrying on
/// 429/5xx/timeouts.
pub async fn send_to_interaction(
    ctx: Context<'_>,
    reply: &Reply,
    key: Option<u64>,
) -> Result<(), Error> {
    match with_retries("interaction reply", || ctx.send(poise_reply(reply, key, 0))).await {
        Ok(_) => Ok(()),
        // An earlier attempt reached Discord but its answer was lost: the reply is out.
        Err(failed)
            if failed.attempts > 1 && failed.error.discord_code() == Some(ALREADY_ACKNOWLEDGED) =>
        {
            info!("interaction reply was delivered by an earlier attempt");
            Ok(())
        }
        Err(failed) => Err(failed.into()),
    }
}

/// Posts a reply to a chat message in its channel, retrying on 429/5xx/timeouts.
pub async fn send_to_channel(
    ctx: &serenity::Context,
    message: &serenity::Message,
    reply: &Reply,
    key: Option<u64>,
) -> Result<serenity::Message, Error> {
    let sent = with_retries("chat reply", || {
        message
            .channel_id
            .send_message(&ctx.http, channel_message(reply, key, Some(message)))
    })
    .await
    .with_context(|| format!("cannot reply in channel {}", message.channel_id))?;
    Ok(sent)
}

/// Posts a reply to a chat question in the thread started from it, retrying on
/// 429/5xx/timeouts (no reference: the question is the thread's starter message).
pub async fn send_to_thread(
    ctx: &serenity::Context,
    thread: serenity::ChannelId,
    reply: &Reply,
    key: Option<u64>,
) -> Result<serenity::Message, Error> {
    let sent = with_retries("thread reply", || {
        thread.send_message(&ctx.http, channel_message(reply, key, None))
    })
    .await
    .with_context(|| format!("cannot reply in thread {thread}"))?;
    Ok(sent)
}

/// Attempts per REST call (first try included).
const ATTEMPTS: u32 = 4;
/// Longest wait for one attempt. serenity's HTTP client has no timeout of its own, so a Discord
/// (or proxy) that accepts a request and never answers would hold the task forever.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a REST call failed for good.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Discord answered with an error, or the request could not be sent.
    #[error("{0}")]
    Discord(#[from] serenity::Error),
    /// No answer within [`ATTEMPT_TIMEOUT`].
    #[error("no answer from Discord within {}s", .0.as_secs())]
    TimedOut(Duration),
}

impl CallError {
    /// Discord's JSON error code, if it answered with one.
    pub fn discord_code(&self) -> Option<isize> {
        match self {
            CallError::Discord(serenity::Error::Http(
                serenity::HttpError::UnsuccessfulRequest(response),
            )) => Some(response.error.code),
            _ => None,
        }
    }

    /// HTTP status, if Discord answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Discord(serenity::Error::Http(
                serenity::HttpError::UnsuccessfulRequest(response),
            )) => Some(response.status_code.as_u16()),
            _ => None,
        }
    }
}

/// A failed call, with how many attempts were made.
#[derive(Debug, thiserror::Error)]
#[error("{what} failed after {attempts} attempt(s): {error}")]
pub struct Failed {
    /// What the call was for (as passed to [`with_retries`]).
    pub what: String,
    /// Attempts made.
    pub attempts: u32,
    /// The last error.
    pub error: CallError,
}

/// Discord's "Interaction has already been acknowledged": on a retry it means an earlier
/// attempt did reach Discord (its answer was lost), so the reply is out.
pub const ALREADY_ACKNOWLEDGED: isize = 40060;

/// What to do after a failed REST call: wait this long and retry, or give up.
///
/// * 429: serenity's own rate limiter (used against Discord itself) already waits out
///   `retry_after` and retries, so a 429 reaching us comes from a proxy/stand-in, and serenity's
///   error type does not carry `retry_after`: back off exponentially from 500 ms instead.
/// * 5xx, a reset connection, a timeout: back off exponentially from 250 ms.
/// * Any other 4xx is final (retrying a bad request only counts against Discord's invalid
///   request limit).
///
/// Every delay gets up to 25 % random jitter so that a burst of failures does not retry in
/// lock step.
fn retry_delay(error: &CallError, attempt: u32) -> Option<Duration> {
    let step = (attempt.max(1) - 1).min(4);
    let base = match error {
        CallError::TimedOut(_) => 250,
        CallError::Discord(serenity::Error::Http(serenity::HttpError::Request(_))) => 250,
        CallError::Discord(_) => match error.status() {
            Some(429) => 500,
            Some(status) if status >= 500 => 250,
            _ => return None,
        },
    };
    let delay = base << step;
    Some(Duration::from_millis(delay + jitter(delay / 4)))
}

/// A pseudo-random number in `0..=max` (clock nanoseconds; good enough to spread retries).
fn jitter(max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    nanos.wrapping_mul(0x9E37_79B9_7F4A_7C15) % (max + 1)
}

/// Runs a REST call, retrying 429, 5xx, connection errors and timeouts with backoff. `what`
/// names it in logs; a final failure is logged here with the attempts made and returned.
pub async fn with_retries<T, F, Fut>(what: &str, mut call: F) -> Result<T, Failed>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut attempt = 1;
    loop {
        let error = match tokio::time::timeout(ATTEMPT_TIMEOUT, call()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => CallError::Discord(error),
            Err(_) => CallError::TimedOut(ATTEMPT_TIMEOUT),
        };
        match retry_delay(&error, attempt) {
            Some(delay) if attempt < ATTEMPTS => {
                warn!(call = what, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying Discord call");
                crate::service::metrics::rest_retry();
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            _ => {
                warn!(call = what, attempts = attempt, error = %error, "Discord call failed");
                return Err(Failed {
                    what: what.to_string(),
                    attempts: attempt,
                    error,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_bounded() {
        let timeout = CallError::TimedOut(ATTEMPT_TIMEOUT);
        let first = retry_delay(&timeout, 1).unwrap();
        let third = retry_delay(&timeout, 3).unwrap();
        assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(313));
        assert!(third >= Duration::from_millis(1000) && third <= Duration::from_millis(1250));
        let late = retry_delay(&timeout, 40).unwrap();
        assert!(late <= Duration::from_millis(5000));
    }

    #[test]
    fn jitter_stays_in_range() {
        for max in [0, 1, 7, 250] {
            assert!(jitter(max) <= max);
        }
    }
}
