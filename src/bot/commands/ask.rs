//! Questions: `/ask` and the "Find in article" message context menu.

use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;

use crate::bot::answering::{
    answer_in, count_error, log_answer, new_answer_id, rate_check, reply_in, slow_down_reply,
    Outcome, Question,
};
use crate::bot::conversations::Asked;
use crate::bot::limiter::Verdict;
use crate::bot::reply::send_to_interaction;
use crate::bot::{Context, Error};
use crate::source::Source;

/// Past this, an answer is deferred so Discord's 3-second interaction window is kept.
const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// Ask a question about the 2015 Obama–Xi cyber-espionage agreement
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, in plain words"] question: String,
    #[description = "Show the answer only to you (default: no)"] private: Option<bool>,
) -> Result<(), Error> {
    answer_interaction(ctx, &question, private.unwrap_or(false), Source::Slash).await
}

/// Find the passage of the article that answers this message
#[poise::command(context_menu_command = "Find in article")]
pub async fn find_in_article(
    ctx: Context<'_>,
    #[description = "The message to answer"] message: serenity::Message,
) -> Result<(), Error> {
    answer_interaction(ctx, &message.content, false, Source::ContextMenu).await
}

/// Rate-limits, answers (deferring if slow) and replies to an interaction question. Every
/// interaction gets an initial response, whatever happens: Discord shows "The application did
/// not respond" otherwise. So unlike a chat message, a refused interaction always gets the
/// private "slow down" notice (not only the first in a row), and an error the apology
/// (`error::on_error`).
async fn answer_interaction(
    ctx: Context<'_>,
    question: &str,
    private: bool,
    source: Source,
) -> Result<(), Error> {
    let result = answer_interaction_inner(ctx, question, private, source).await;
    if result.is_err() {
        count_error(source);
    }
    result
}

async fn answer_interaction_inner(
    ctx: Context<'_>,
    question: &str,
    private: bool,
    source: Source,
) -> Result<(), Error> {
    let started = Instant::now();
    let data = ctx.data();
    let mut asked = Question {
        text: question,
        source,
        guild: ctx.guild_id().map(|g| g.get()),
        channel: ctx.channel_id().get(),
        user: ctx.author().id.get(),
        answer_id: None,
    };
    let verdict = rate_check(data, ctx.author().id.get(), ctx.channel_id().get());
    if verdict != Verdict::Allow {
        // `SlowDown` or `Drop` alike: the notice is private, so repeating it bothers nobody.
        send_to_interaction(ctx, &slow_down_reply(true), None).await?;
        log_answer(data, &asked, None, started);
        return Ok(());
    }
    let _answering = data.in_flight.enter();
    // `/ask` continues the asker's conversation in this channel (or the bot's thread) too.
    let place = Asked {
        channel: ctx.channel_id().get(),
        user: ctx.author().id.get(),
        reply_to: [None, None],
    };
    let previous = match source {
        Source::Slash => data.conversations.lock().context(&place, Instant::now()),
        _ => None,
    };
    let work = answer_in(data, question, ctx.channel_id().get(), previous);
    tokio::pin!(work);
    let (outcome, turn) = tokio::select! {
        result = &mut work => result?,
        _ = tokio::time::sleep(DEFER_AFTER) => {
            if private { ctx.defer_ephemeral().await?; } else { ctx.defer().await?; }
            work.await?
        }
    };
    let ephemeral = private || !matches!(&outcome, Outcome::Answered(r) if r.answer.is_some());
    asked.answer_id = new_answer_id(data);
    let (reply, key) = reply_in(data, &outcome, turn.as_ref(), ephemeral, asked.answer_id);
    // Remembered before the reply goes out: the next question may follow it at once.
    if let (Some(turn), Source::Slash) = (turn, source) {
        data.conversations
            .lock()
            .record(&place, &[], turn, Instant::now());
    }
    send_to_interaction(ctx, &reply, key).await?;
    log_answer(data, &asked, Some(&outcome), started);
    Ok(())
}
