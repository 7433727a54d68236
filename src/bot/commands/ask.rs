//! Questions: `/ask` and the "Find in article" message context menu.

use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use tracing::info;

use crate::bot::answering::{prepare, reply_for, Prepared};
use crate::bot::limiter::Verdict;
use crate::bot::reply::{poise_reply, with_retries, ALREADY_ACKNOWLEDGED};
use crate::bot::{Context, Error};
use crate::render::embed::Reply;

/// Past this, an answer is deferred so Discord's 3-second interaction window is kept.
const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// Ask a question about the 2015 Obama–Xi cyber-espionage agreement
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, in plain words"] question: String,
    #[description = "Show the answer only to you (default: no)"] private: Option<bool>,
) -> Result<(), Error> {
    answer_interaction(ctx, &question, private.unwrap_or(false)).await
}

/// Find the passage of the article that answers this message
#[poise::command(context_menu_command = "Find in article")]
pub async fn find_in_article(
    ctx: Context<'_>,
    #[description = "The message to answer"] message: serenity::Message,
) -> Result<(), Error> {
    answer_interaction(ctx, &message.content, false).await
}

/// Rate-limits, answers (deferring if slow) and replies to an interaction question.
async fn answer_interaction(ctx: Context<'_>, question: &str, private: bool) -> Result<(), Error> {
    let started = Instant::now();
    let verdict = match ctx.data().limiter.lock() {
        Ok(mut limiter) => limiter.check(ctx.author().id.get(), ctx.channel_id().get(), started),
        Err(poisoned) => {
            poisoned
                .into_inner()
                .check(ctx.author().id.get(), ctx.channel_id().get(), started)
        }
    };
    match verdict {
        Verdict::Allow => {}
        Verdict::SlowDown => {
            let reply = Reply::text(
                "Slow down a little: you can ask again in a few seconds.",
                true,
            );
            send(ctx, &reply, None).await?;
            return Ok(());
        }
        Verdict::Drop => return Ok(()),
    }
    let data = ctx.data();
    let _answering = data.in_flight.enter();
    let work = prepare(data, question);
    tokio::pin!(work);
    let prepared = tokio::select! {
        result = &mut work => result?,
        _ = tokio::time::sleep(DEFER_AFTER) => {
            if private { ctx.defer_ephemeral().await?; } else { ctx.defer().await?; }
            work.await?
        }
    };
    let ephemeral = private || !matches!(&prepared, Prepared::Answered(r) if r.answer.is_some());
    let (reply, key) = reply_for(data, &prepared, ephemeral);
    send(ctx, &reply, key).await?;
    if let Prepared::Answered(response) = &prepared {
        match &response.answer {
            Some(hit) => {
                info!(score = hit.score, passage = %hit.passage.id, elapsed_us = started.elapsed().as_micros() as u64, "answered")
            }
            None => info!(
                elapsed_us = started.elapsed().as_micros() as u64,
                "no good answer"
            ),
        }
    }
    Ok(())
}

/// Sends a reply to the command's interaction, retrying on 429/5xx/timeouts.
pub async fn send(ctx: Context<'_>, reply: &Reply, key: Option<u64>) -> Result<(), Error> {
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
