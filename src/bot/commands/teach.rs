//! `/teach` (admins only): teach a passage as the answer to a question, as the admin page
//! and `summit-bot teach add` do. The passage option autocompletes over the passages (the
//! default article's points, and passages matching what was typed); it takes "point N" or a
//! passage id. The answer is stored and applies at once. Others get a private refusal.
//!
//! Also the bot's start-up loading of taught answers from the store.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use tracing::{info, warn};

use crate::bot::admin::require_admin;
use crate::bot::reply::send_to_interaction;
use crate::bot::{Context, Error};
use crate::render::embed::{neutralise_mentions, Reply};
use crate::render::markdown::escape_markdown;
use crate::retrieve::taught::TaughtAnswers;
use crate::store::{taught as stored, Store};

/// Longest autocomplete choice name Discord accepts.
const CHOICE_CHARS: usize = 100;
/// Longest question taught, in characters.
const MAX_QUESTION_CHARS: usize = 500;

/// Loads the taught answers into `taught` in the background (answers go out meanwhile,
/// without them for the first moments).
pub fn load_at_start(store: Arc<Store>, taught: Arc<TaughtAnswers>) {
    tokio::spawn(async move {
        match stored::refresh(&store, &taught).await {
            Ok(n) => info!(taught = n, "taught answers loaded"),
            Err(error) => {
                warn!(%error, "cannot load the taught answers; answering without them")
            }
        }
    });
}

/// Autocomplete for passages: passages matching what was typed, else the default article's
/// points; the value sent back is the passage id.
async fn autocomplete_passage(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let engine = ctx.data().engine.current();
    let partial = partial.trim();
    let mut choices: Vec<serenity::AutocompleteChoice> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut push = |id: &str, name: String| {
        if choices.len() < 25 && !seen.iter().any(|s| s == id) {
            seen.push(id.to_string());
            let name = crate::text::truncate_words(&name, CHOICE_CHARS);
            choices.push(serenity::AutocompleteChoice::new(name, id.to_string()));
        }
    };
    if !partial.is_empty() {
        if let Ok(Some(hit)) = engine.named_passage(partial) {
            push(
                &hit.passage.id,
                format!("{}: {}", hit.passage.id, hit.passage.text),
            );
        }
        // Blocking work (a search) off the async threads.
        let searching = engine.clone();
        let question = partial.to_string();
        if let Ok(Ok(response)) =
            tokio::task::spawn_blocking(move || searching.ask(&question)).await
        {
            for hit in response.hits() {
                push(
                    &hit.passage.id,
                    format!("{}: {}", hit.passage.id, hit.passage.text),
                );
            }
        }
    }
    if let Some(article) = engine.default_article() {
        let wanted = partial.to_lowercase();
        for point in &article.points {
            let Ok(Some(hit)) = engine.point(article, point.number) else {
                continue;
            };
            let name = format!("point {}: {}", point.number, hit.passage.text);
            if wanted.is_empty()
                || name.to_lowercase().contains(&wanted)
                || point.number.to_string() == wanted
            {
                push(&hit.passage.id, name);
            }
        }
    }
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Teach a passage as the answer to a question (admins only)
#[poise::command(slash_command)]
pub async fn teach(
    ctx: Context<'_>,
    #[description = "The question, as people ask it"]
    #[max_length = 500]
    question: String,
    #[description = "The passage that answers it: point N, or a passage id"]
    #[autocomplete = "autocomplete_passage"]
    passage: String,
) -> Result<(), Error> {
    if !require_admin(ctx).await? {
        return Ok(());
    }
    let question = question.trim().to_string();
    if question.is_empty() || question.chars().count() > MAX_QUESTION_CHARS {
        let reply = Reply::text(
            format!("Give the question to teach, in at most {MAX_QUESTION_CHARS} characters."),
            true,
        );
        return send_to_interaction(ctx, &reply, None).await;
    }
    let Some(store) = ctx.data().store.clone() else {
        let reply = Reply::text(
            "The question log is off (`[store] enabled = false`), so nothing can be taught.",
            true,
        );
        return send_to_interaction(ctx, &reply, None).await;
    };
    let engine = ctx.data().engine.current();
    let Some(hit) = engine.named_passage(&passage)? else {
        let reply = Reply::text(
            format!(
                "There is no passage “{}”. Pick one of the suggestions, or give `point N` or an id such as `summit-article:2.4`.",
                neutralise_mentions(&escape_markdown(passage.trim()))
            ),
            true,
        );
        return send_to_interaction(ctx, &reply, None).await;
    };
    let reply = match stored::teach(
        &store,
        engine.taught(),
        question,
        hit.passage.id.to_string(),
    )
    .await
    {
        Ok(added) => {
            info!(id = added.id, passage = %added.passage, "answer taught from Discord");
            Reply::text(
                format!(
                    "Taught (#{}): “{}” now gets `{}` first. `summit-bot teach remove {}` or the admin page undoes it.",
                    added.id,
                    neutralise_mentions(&escape_markdown(&added.question)),
                    added.passage,
                    added.id
                ),
                true,
            )
        }
        Err(error) => {
            warn!(%error, "cannot store a taught answer");
            Reply::text(
                "I cannot write to the question log right now; please try again later.",
                true,
            )
        }
    };
    send_to_interaction(ctx, &reply, None).await
}
