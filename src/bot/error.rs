//! The framework's error handler: people see plain words (ephemeral), logs get the detail.
//! Whatever failed, an interaction still gets its one response: a private message for a
//! command, an empty list of choices for an autocomplete.

use poise::serenity_prelude as serenity;
use tracing::{debug, error, warn};

use super::reply::{send_to_interaction, with_retries};
use super::{Data, Error};
use crate::render::embed::Reply;

/// What users see when something broke on our side.
pub const APOLOGY: &str = "Sorry, something went wrong on my side. Please try again in a moment.";

/// Handles every error poise reports.
pub async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Setup { error, .. } => {
            error!(error = format!("{error:#}"), "bot setup failed");
        }
        poise::FrameworkError::Command { error, ctx, .. } => {
            error!(command = %ctx.command().qualified_name, error = format!("{error:#}"), "command failed");
            tell(ctx, APOLOGY).await;
        }
        poise::FrameworkError::CommandPanic { payload, ctx, .. } => {
            error!(command = %ctx.command().qualified_name, payload = payload.as_deref().unwrap_or("?"), "command panicked");
            tell(ctx, APOLOGY).await;
        }
        poise::FrameworkError::ArgumentParse {
            error, input, ctx, ..
        } => {
            debug!(command = %ctx.command().qualified_name, %error, "bad option");
            let shown = input
                .map(|i| format!(" (“{}”)", crate::text::truncate_words(&i, 80)))
                .unwrap_or_default();
            tell(ctx, &format!("I couldn't read that option{shown}. Check the command's options and try again.")).await;
        }
        poise::FrameworkError::CommandStructureMismatch {
            description, ctx, ..
        } => {
            warn!(command = %ctx.command().qualified_name, description, "command registration is out of date");
            tell(
                poise::Context::Application(ctx),
                "This command changed; please try again in a minute.",
            )
            .await;
        }
        poise::FrameworkError::EventHandler { error, event, .. } => {
            error!(
                event = event.snake_case_name(),
                error = format!("{error:#}"),
                "event handler failed"
            );
        }
        poise::FrameworkError::UnknownInteraction {
            interaction,
            framework,
            ..
        } => {
            // A command registered by an older version (registration catches up on start).
            debug!(command = %interaction.data.name, "unknown interaction");
            let response = if interaction.data.autocomplete().is_some() {
                no_choices()
            } else {
                serenity::CreateInteractionResponse::Message(super::reply::interaction_message(
                    &Reply::text(GONE, true),
                    None,
                    0,
                ))
            };
            respond(framework.serenity_context, interaction, response).await;
        }
        other => {
            warn!(error = %other, "framework error");
            if let Some(ctx) = other.ctx() {
                tell(ctx, CANNOT_RUN).await;
            }
        }
    }
}

/// What a command that no longer exists answers.
const GONE: &str = "This command is no longer available; type `/` to see the current ones.";
/// What a command refused by a framework check answers.
const CANNOT_RUN: &str = "I can't run that command here.";

/// An autocomplete response without choices.
fn no_choices() -> serenity::CreateInteractionResponse {
    serenity::CreateInteractionResponse::Autocomplete(serenity::CreateAutocompleteResponse::new())
}

/// Sends `response` as the interaction's response, logging (not propagating) a failure.
async fn respond(
    ctx: &serenity::Context,
    interaction: &serenity::CommandInteraction,
    response: serenity::CreateInteractionResponse,
) {
    if let Err(error) = with_retries("interaction response", || {
        interaction.create_response(&ctx.http, response.clone())
    })
    .await
    {
        warn!(%error, "cannot answer an interaction after an error");
    }
}

/// Replies ephemerally (an autocomplete gets no choices instead), logging (not propagating) a
/// failure to do so.
async fn tell(ctx: poise::Context<'_, Data, Error>, text: &str) {
    if let poise::Context::Application(app) = ctx {
        if app.interaction_type == poise::CommandInteractionType::Autocomplete {
            respond(ctx.serenity_context(), app.interaction, no_choices()).await;
            return;
        }
    }
    if let Err(error) = send_to_interaction(ctx, &Reply::text(text, true), None).await {
        warn!(
            error = format!("{error:#}"),
            "cannot tell the user about an error"
        );
    }
}
