//! One question, from any entry point (slash command, context menu, mention, DM, answer
//! channel, edit): the rate check and its "slow down" reply, the length check, the engine call
//! off the async threads, the reply, and the log line, the question log and the metrics.
//! Every entry point goes through these helpers, so the rules are written once.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use tracing::{debug, info};

use super::limiter::Verdict;
use super::Data;
use crate::answer::Response;
use crate::render::embed::{self, Reply};
use crate::retrieve::follow_up::Turn;
use crate::retrieve::markup::strip_discord_markup;
use crate::service::metrics;
use crate::source::Source;
use crate::store;

/// A question and who asked it, from where: what the log line and the question log record.
#[derive(Debug, Clone, Copy)]
pub struct Question<'a> {
    /// The question as asked.
    pub text: &'a str,
    /// How it came in.
    pub source: Source,
    /// Guild (none in DMs).
    pub guild: Option<u64>,
    /// Channel.
    pub channel: u64,
    /// The asker's user id (the question log keeps only a keyed hash of it).
    pub user: u64,
    /// The answer's id in the question log (`None` when the log is off); its feedback buttons
    /// carry it. See [`new_answer_id`].
    pub answer_id: Option<u64>,
}

/// A fresh answer id when the question log is on.
pub fn new_answer_id(data: &Data) -> Option<u64> {
    data.store.as_ref().map(|s| s.new_answer_id())
}

/// What answering a question came to.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Nothing to search (only a mention, markup or spaces).
    Empty,
    /// Over the configured length.
    TooLong {
        /// The question's length in characters.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// Searched (the response may hold no answer).
    Answered(Arc<Response>),
}

/// Takes one question from `user` in `channel` out of their rate buckets.
pub fn rate_check(data: &Data, user: u64, channel: u64) -> Verdict {
    data.limiter.lock().check(user, channel, Instant::now())
}

/// The one notice a flooding user gets before the bot goes quiet for them.
pub fn slow_down_reply(ephemeral: bool) -> Reply {
    Reply::text(
        "Slow down a little: you can ask again in a few seconds.",
        ephemeral,
    )
}

/// Checks the question's length and content, then answers it with the current engine; in a
/// channel with its own default article (`/channel article`) that article's passage comes
/// first when one answers the question.
pub async fn answer_question(data: &Data, question: &str, channel: u64) -> anyhow::Result<Outcome> {
    Ok(answer_in(data, question, channel, None).await?.0)
}

/// [`answer_question`] for a question of a conversation whose last exchange was `previous`;
/// also returns the exchange to remember (none when the question was not searched).
pub async fn answer_in(
    data: &Data,
    question: &str,
    channel: u64,
    previous: Option<Turn>,
) -> anyhow::Result<(Outcome, Option<Turn>)> {
    let engine = data.engine.current();
    let limit = engine.max_question_chars();
    let chars = question.chars().count();
    if chars > limit {
        return Ok((Outcome::TooLong { chars, limit }, None));
    }
    if strip_discord_markup(question).trim().is_empty() {
        return Ok((Outcome::Empty, None));
    }
    let owned = question.to_string();
    // Searching is CPU work: keep it off the threads that drive the gateway.
    let (mut response, turn) =
        tokio::task::spawn_blocking(move || engine.ask_in(&owned, previous.as_ref()))
            .await
            .context("the answer task stopped")??;
    if let Some(article) = data.channels.article(channel) {
        response.prefer_article(&article);
    }
    Ok((Outcome::Answered(Arc::new(response)), Some(turn)))
}

/// The reply for an answered question (see [`reply_for`]), with the footer
/// `following up on: …` when the previous exchange changed the answer.
pub fn reply_in(
    data: &Data,
    outcome: &Outcome,
    turn: Option<&Turn>,
    ephemeral: bool,
    answer_id: Option<u64>,
) -> (Reply, Option<u64>) {
    let (reply, key) = reply_for(data, outcome, ephemeral, answer_id);
    match turn
        .filter(|t| t.context_used)
        .and_then(|t| t.earlier.as_deref())
    {
        Some(earlier) => (embed::with_context_note(reply, earlier), key),
        None => (reply, key),
    }
}

/// The reply for an answered question, and the session key its paging buttons need (if any).
/// With an `answer_id` (the question log is on), an answer also gets feedback buttons.
pub fn reply_for(
    data: &Data,
    outcome: &Outcome,
    ephemeral: bool,
    answer_id: Option<u64>,
) -> (Reply, Option<u64>) {
    match outcome {
        Outcome::Empty => (
            Reply::text(
                format!(
                    "Ask me about the 2015 Obama–Xi cyber-espionage agreement, for example “{}”. `/help` lists what I can do.",
                    crate::render::text::EXAMPLE_QUESTIONS[0]
                ),
                ephemeral,
            ),
            None,
        ),
        Outcome::TooLong { chars, limit } => (
            Reply::text(
                format!("That question is too long ({chars} characters; I read up to {limit}). Please ask it in fewer words."),
                ephemeral,
            ),
            None,
        ),
        Outcome::Answered(response) => {
            if response.answer.is_none() {
                return (embed::no_answer_reply(ephemeral), None);
            }
            let reply = embed::answer_reply(response, 0, ephemeral);
            let key = (!reply.buttons.is_empty()).then(|| {
                let mut sessions = data.sessions.lock();
                let key = sessions.store(response.clone());
                if let Some(id) = answer_id {
                    sessions.set_answer_id(key, id);
                }
                key
            });
            let reply = match answer_id {
                Some(id) => embed::with_feedback(reply, id),
                None => reply,
            };
            (reply, key)
        }
    }
}

/// Counts a question whose answer or reply failed (the user got an apology at most).
pub fn count_error(source: Source) {
    metrics::question(source, metrics::Outcome::Error, None);
}

/// Logs what a question came to, with the time since `started`, records it in the question
/// log when that is on (never waiting, never failing) and counts it in the metrics (with its
/// time to reply, except for a refusal, whose instant notice would only hide slow answers).
/// `outcome` is `None` for a question the rate limiter refused.
pub fn log_answer(
    data: &Data,
    question: &Question<'_>,
    outcome: Option<&Outcome>,
    started: Instant,
) {
    let elapsed = started.elapsed();
    let elapsed_us = elapsed.as_micros() as u64;
    let logged = match outcome {
        Some(Outcome::Answered(response)) => {
            match &response.answer {
                Some(hit) => {
                    info!(score = hit.score, passage = %hit.passage.id, elapsed_us, "answered")
                }
                None => info!(elapsed_us, "no good answer"),
            }
            store::Outcome::of(response)
        }
        Some(Outcome::TooLong { chars, .. }) => {
            info!(chars, "question too long");
            store::Outcome::TooLong
        }
        Some(Outcome::Empty) => {
            debug!("empty question");
            store::Outcome::Empty
        }
        None => {
            debug!(user = question.user, "question refused by the rate limiter");
            store::Outcome::Throttled
        }
    };
    let (counted, seconds) = match &logged {
        store::Outcome::Answered { .. } => (metrics::Outcome::Answered, true),
        // An empty question gets the usage hint: no passage, like a question without one.
        store::Outcome::NoAnswer | store::Outcome::Empty => (metrics::Outcome::NoAnswer, true),
        store::Outcome::TooLong => (metrics::Outcome::TooLong, true),
        store::Outcome::Throttled => (metrics::Outcome::Throttled, false),
    };
    metrics::question(
        question.source,
        counted,
        seconds.then_some(elapsed.as_secs_f64()),
    );
    if let Some(log) = &data.store {
        log.record_question(store::Asked {
            answer_id: question.answer_id.unwrap_or_else(|| log.new_answer_id()),
            source: question.source,
            guild: question.guild,
            channel: Some(question.channel),
            user: question.user,
            question: question.text,
            outcome: logged,
            latency: elapsed,
        });
    }
}
