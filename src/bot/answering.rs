//! One question, from any entry point (slash command, context menu, mention, DM, answer
//! channel, edit): length check, the engine call off the async threads, and the reply.

use std::sync::Arc;

use anyhow::Context as _;

use super::Data;
use crate::answer::Response;
use crate::render::embed::{self, Reply};
use crate::retrieve::markup::strip_discord_markup;

/// A question, checked and answered.
#[derive(Debug, Clone)]
pub enum Prepared {
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

/// Checks and answers a question.
pub async fn prepare(data: &Data, question: &str) -> anyhow::Result<Prepared> {
    let chars = question.chars().count();
    if chars > data.max_question_chars {
        return Ok(Prepared::TooLong {
            chars,
            limit: data.max_question_chars,
        });
    }
    if strip_discord_markup(question).trim().is_empty() {
        return Ok(Prepared::Empty);
    }
    let engine = data.engine.current();
    let owned = question.to_string();
    // Searching is CPU work: keep it off the threads that drive the gateway.
    let response = tokio::task::spawn_blocking(move || engine.ask(&owned))
        .await
        .context("the answer task stopped")??;
    Ok(Prepared::Answered(Arc::new(response)))
}

/// The reply for a prepared question, and the session key its buttons need (if any).
pub fn reply_for(data: &Data, prepared: &Prepared, ephemeral: bool) -> (Reply, Option<u64>) {
    match prepared {
        Prepared::Empty => (
            Reply::text(
                format!(
                    "Ask me about the 2015 Obama–Xi cyber-espionage agreement, for example “{}”. `/help` lists what I can do.",
                    crate::render::text::EXAMPLE_QUESTIONS[0]
                ),
                ephemeral,
            ),
            None,
        ),
        Prepared::TooLong { chars, limit } => (
            Reply::text(
                format!("That question is too long ({chars} characters; I read up to {limit}). Please ask it in fewer words."),
                ephemeral,
            ),
            None,
        ),
        Prepared::Answered(response) => {
            if response.answer.is_none() {
                return (embed::no_answer_reply(ephemeral), None);
            }
            let reply = embed::answer_reply(response, 0, ephemeral);
            let key = (!reply.buttons.is_empty()).then(|| match data.sessions.lock() {
                Ok(mut sessions) => sessions.store(response.clone()),
                Err(poisoned) => poisoned.into_inner().store(response.clone()),
            });
            (reply, key)
        }
    }
}
