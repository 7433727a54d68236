//! One question, from any entry point (slash command, context menu, mention, DM, answer
//! channel, edit): the rate check and its "slow down" reply, the length check, the engine call
//! off the async threads, the reply, and the log line. Every entry point goes through these
//! helpers, so the rules are written once.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use tracing::{debug, info};

use super::limiter::Verdict;
use super::Data;
use crate::answer::Response;
use crate::render::embed::{self, Reply};
use crate::retrieve::markup::strip_discord_markup;

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

/// Checks the question's length and content, then answers it with the current engine.
pub async fn answer_question(data: &Data, question: &str) -> anyhow::Result<Outcome> {
    let engine = data.engine.current();
    let limit = engine.max_question_chars();
    let chars = question.chars().count();
    if chars > limit {
        return Ok(Outcome::TooLong { chars, limit });
    }
    if strip_discord_markup(question).trim().is_empty() {
        return Ok(Outcome::Empty);
    }
    let owned = question.to_string();
    // Searching is CPU work: keep it off the threads that drive the gateway.
    let response = tokio::task::spawn_blocking(move || engine.ask(&owned))
        .await
        .context("the answer task stopped")??;
    Ok(Outcome::Answered(Arc::new(response)))
}

/// The reply for an answered question, and the session key its buttons need (if any).
pub fn reply_for(data: &Data, outcome: &Outcome, ephemeral: bool) -> (Reply, Option<u64>) {
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
            let key = (!reply.buttons.is_empty())
                .then(|| data.sessions.lock().store(response.clone()));
            (reply, key)
        }
    }
}

/// Logs what a question came to, with the time since `started`.
pub fn log_answer(outcome: &Outcome, started: Instant) {
    let elapsed_us = started.elapsed().as_micros() as u64;
    match outcome {
        Outcome::Answered(response) => match &response.answer {
            Some(hit) => {
                info!(score = hit.score, passage = %hit.passage.id, elapsed_us, "answered")
            }
            None => info!(elapsed_us, "no good answer"),
        },
        Outcome::TooLong { chars, .. } => info!(chars, "question too long"),
        Outcome::Empty => debug!("empty question"),
    }
}
