//! Look-ups that need no search: `/point`, `/points`, `/footnote`, `/about`, `/help`; and
//! `/reload` (admins) to read the articles folder again.
//! Points and footnotes are numbered per article: each look-up takes an optional `article`
//! (autocompleted over titles, value = article id); without it, the default article.

use poise::serenity_prelude as serenity;

use crate::bot::reply::send_to_interaction;
use crate::bot::{Context, Error};
use crate::engine::{Engine, LookupError};
use crate::ingest::ArticleSummary;
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

/// The `article` option already filled in the command being typed (for autocompleting
/// numbers within that article).
fn article_option(ctx: Context<'_>) -> Option<String> {
    let poise::Context::Application(app) = ctx else {
        return None;
    };
    app.interaction
        .data
        .options
        .iter()
        .find(|o| o.name == "article")
        .and_then(|o| o.value.as_str())
        .filter(|v| !v.trim().is_empty())
        .map(str::to_string)
}

/// The article an autocomplete refers to: the one chosen so far, else the channel's, else the
/// default.
fn chosen_article<'e>(ctx: Context<'_>, engine: &'e Engine) -> Option<&'e ArticleSummary> {
    pick(ctx, engine, article_option(ctx).as_deref()).ok()
}

/// The article a look-up means: the one asked for, else the channel's default article (set
/// with `/channel article`; one since removed from the folder falls back), else the index's.
fn pick<'e>(
    ctx: Context<'_>,
    engine: &'e Engine,
    asked: Option<&str>,
) -> Result<&'e ArticleSummary, LookupError> {
    if asked.is_some() {
        return engine.article(asked);
    }
    let channel = ctx.data().channels.article(ctx.channel_id().get());
    channel
        .and_then(|id| engine.article(Some(&id)).ok())
        .map_or_else(|| engine.article(None), Ok)
}

/// Autocomplete for articles: titles containing what was typed (or ids starting with it);
/// the value sent back is the article id.
pub async fn autocomplete_article(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let engine = ctx.data().engine.current();
    let partial = partial.trim().to_lowercase();
    let choices = engine
        .articles()
        .filter(|a| {
            partial.is_empty()
                || a.id.to_lowercase().starts_with(&partial)
                || a.title.to_lowercase().contains(&partial)
        })
        .take(25)
        .map(|a| serenity::AutocompleteChoice::new(embed::article_choice_name(a), a.id.clone()))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Autocomplete for point numbers: each point of the chosen article with its short title.
async fn autocomplete_point(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let engine = ctx.data().engine.current();
    let points = chosen_article(ctx, &engine)
        .map(|a| a.points.as_slice())
        .unwrap_or(&[]);
    choices(
        points
            .iter()
            .map(|p| (p.number, embed::point_choice_name(p))),
        partial,
    )
}

/// Autocomplete for footnote numbers: each footnote of the chosen article with its start.
async fn autocomplete_footnote(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let engine = ctx.data().engine.current();
    let footnotes = chosen_article(ctx, &engine)
        .map(|a| a.footnotes.as_slice())
        .unwrap_or(&[]);
    choices(
        footnotes
            .iter()
            .map(|f| (f.number, embed::footnote_choice_name(f))),
        partial,
    )
}

/// The ephemeral reply when the `article` option matches no article, or several.
fn unknown_article(err: &LookupError) -> Reply {
    Reply::text(
        format!(
            "{err}. `/about` lists the articles; the `article` option suggests titles as you type."
        ),
        true,
    )
}

/// The private reply when an article has no point or footnote `number`. The article is named
/// only when several are loaded (`only`: what to call it when it is the only one); `has` says
/// how many there are ("5 points").
fn missing(
    engine: &Engine,
    article: &ArticleSummary,
    only: &str,
    what: &str,
    number: u32,
    has: &str,
) -> Reply {
    let whose = if engine.summary().articles.len() <= 1 {
        only.to_string()
    } else {
        format!("“{}”", article.title)
    };
    Reply::text(
        format!("There is no {what} {number}: {whose} has {has}."),
        true,
    )
}

/// Show one point of an article (the agreement's, unless you pick another article)
#[poise::command(slash_command)]
pub async fn point(
    ctx: Context<'_>,
    #[description = "Which point (1 = first)"]
    #[autocomplete = "autocomplete_point"]
    number: u32,
    #[description = "Article to look in (default: the main article)"]
    #[autocomplete = "autocomplete_article"]
    article: Option<String>,
) -> Result<(), Error> {
    let engine = ctx.data().engine.current();
    let reply = match pick(ctx, &engine, article.as_deref()) {
        Err(err) => unknown_article(&err),
        Ok(a) => match engine.point(a, number)? {
            Some(hit) => embed::point_reply(&hit),
            None => missing(
                &engine,
                a,
                "the agreement",
                "point",
                number,
                &format!("{} points. `/points` lists them", a.points.len()),
            ),
        },
    };
    send_to_interaction(ctx, &reply, None).await
}

/// List the points of an article (the agreement's, unless you pick another article)
#[poise::command(slash_command)]
pub async fn points(
    ctx: Context<'_>,
    #[description = "Article to look in (default: the main article)"]
    #[autocomplete = "autocomplete_article"]
    article: Option<String>,
) -> Result<(), Error> {
    let engine = ctx.data().engine.current();
    let reply = match pick(ctx, &engine, article.as_deref()) {
        Err(err) => unknown_article(&err),
        Ok(a) => embed::points_reply(&a.title, &a.points),
    };
    send_to_interaction(ctx, &reply, None).await
}

/// Show one footnote of an article (the summit article's, unless you pick another)
#[poise::command(slash_command)]
pub async fn footnote(
    ctx: Context<'_>,
    #[description = "Footnote number, as in [2]"]
    #[autocomplete = "autocomplete_footnote"]
    number: u32,
    #[description = "Article to look in (default: the main article)"]
    #[autocomplete = "autocomplete_article"]
    article: Option<String>,
) -> Result<(), Error> {
    let engine = ctx.data().engine.current();
    let reply = match pick(ctx, &engine, article.as_deref()) {
        Err(err) => unknown_article(&err),
        Ok(a) => match a.footnote(number) {
            Some(f) => embed::footnote_reply(f),
            None => missing(
                &engine,
                a,
                "the article",
                "footnote",
                number,
                &a.footnotes.len().to_string(),
            ),
        },
    };
    send_to_interaction(ctx, &reply, None).await
}

/// What the bot knows: the articles, their sources, and how much of each
#[poise::command(slash_command)]
pub async fn about(ctx: Context<'_>) -> Result<(), Error> {
    let (about, model) = {
        let engine = ctx.data().engine.current();
        (engine.about(), engine.model().describe())
    };
    // A failed reload (say, a broken file dropped into the folder), the model that answers
    // and the channel settings are news for admins only.
    let admin = crate::bot::admin::author_is_admin(ctx).await;
    let failure = ctx
        .data()
        .engine
        .last_failure()
        .filter(|_| admin)
        .map(|f| f.to_string());
    let model = admin.then_some(model);
    let mut reply = embed::about_reply(&about, failure.as_deref(), model.as_deref());
    let channels = ctx.data().channels.list();
    if admin && !channels.is_empty() {
        let listed = crate::bot::channels::describe(&channels);
        reply = embed::with_field(reply, "Channels (shown to admins)", &listed);
    }
    send_to_interaction(ctx, &reply, None).await
}

/// Read the articles folder again now (admins only)
#[poise::command(slash_command)]
pub async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    if !crate::bot::admin::require_admin(ctx).await? {
        return Ok(());
    }
    // Indexing a large folder can take longer than Discord's 3 s to acknowledge.
    ctx.defer_ephemeral().await?;
    let data = ctx.data();
    let reply = match data
        .engine
        .reload_for(&data.config, crate::bot::reload::Trigger::Command)
        .await
    {
        Ok(done) => embed::reload_done(done.articles, done.passages, done.elapsed),
        Err(failure) => embed::reload_failed(&failure.message),
    };
    send_to_interaction(ctx, &reply, None).await
}

/// How to ask the bot, with examples
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    send_to_interaction(ctx, &embed::help_reply(), None).await
}
