//! The framework's error handler: people see plain words (ephemeral), logs get the detail.

use tracing::{debug, error, warn};

use super::reply::send_to_interaction;
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
        poise::FrameworkError::UnknownInteraction { interaction, .. } => {
            debug!(command = %interaction.data.name, "unknown interaction");
        }
        other => {
            warn!(error = %other, "framework error");
        }
    }
}

/// Replies ephemerally, logging (not propagating) a failure to do so.
async fn tell(ctx: poise::Context<'_, Data, Error>, text: &str) {
    if let Err(error) = send_to_interaction(ctx, &Reply::text(text, true), None).await {
        warn!(
            error = format!("{error:#}"),
            "cannot tell the user about an error"
        );
    }
}
