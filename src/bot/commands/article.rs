//! Look-ups that need no search: `/point`, `/points`, `/footnote`, `/about`, `/help`.

use poise::serenity_prelude as serenity;

use super::ask::send;
use crate::bot::{Context, Error};
use crate::render::embed::{self, Reply};

/// Up to 25 autocomplete choices among numbered items whose number starts with, or whose label
/// contains, what the user typed.
fn choices(
    items: impl Iterator<Item = (u32, String)>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let partial = partial.trim().to_lowercase();
    let choices = items
        .filter(|(n, name)| {
            partial.is_empty()
                || n.to_string().starts_with(&partial)
                || name.to_lowercase().contains(&partial)
        })
        .take(25)
        .map(|(n, name)| serenity::AutocompleteChoice::new(name, n))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Autocomplete for point numbers: each point with its short title.
async fn autocomplete_point(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let engine = ctx.data().engine.current();
    let points = engine.points().iter();
    choices(
        points.map(|p| (p.number, embed::point_choice_name(p))),
        partial,
    )
}

/// Autocomplete for footnote numbers: each footnote with the start of its text.
async fn autocomplete_footnote(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let engine = ctx.data().engine.current();
    let footnotes = engine.footnotes().iter();
    choices(
        footnotes.map(|f| (f.number, embed::footnote_choice_name(f))),
        partial,
    )
}

/// Show one point of the agreement, with its sources
#[poise::command(slash_command)]
pub async fn point(
    ctx: Context<'_>,
    #[description = "Which point (1 = first)"]
    #[autocomplete = "autocomplete_point"]
    number: u32,
) -> Result<(), Error> {
    let reply = match ctx.data().engine.current().point(number)? {
        Some(hit) => embed::point_reply(&hit),
        None => Reply::text(
            format!(
                "There is no point {number}: the agreement has {} points. `/points` lists them.",
                ctx.data().engine.current().points().len()
            ),
            true,
        ),
    };
    send(ctx, &reply, None).await
}

/// List the points of the agreement
#[poise::command(slash_command)]
pub async fn points(ctx: Context<'_>) -> Result<(), Error> {
    let engine = ctx.data().engine.current();
    let reply = embed::points_reply(&engine.about().title, engine.points());
    send(ctx, &reply, None).await
}

/// Show one footnote of the article
#[poise::command(slash_command)]
pub async fn footnote(
    ctx: Context<'_>,
    #[description = "Footnote number, as in [2]"]
    #[autocomplete = "autocomplete_footnote"]
    number: u32,
) -> Result<(), Error> {
    let reply = match ctx.data().engine.current().footnote(number) {
        Some(f) => embed::footnote_reply(f),
        None => Reply::text(
            format!(
                "There is no footnote {number}: the article has {}.",
                ctx.data().engine.current().footnotes().len()
            ),
            true,
        ),
    };
    send(ctx, &reply, None).await
}

/// What the bot knows: the article, its source, and how much of it
#[poise::command(slash_command)]
pub async fn about(ctx: Context<'_>) -> Result<(), Error> {
    send(
        ctx,
        &embed::about_reply(&ctx.data().engine.current().about()),
        None,
    )
    .await
}

/// How to ask the bot, with examples
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    send(ctx, &embed::help_reply(), None).await
}
