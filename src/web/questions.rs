//! `GET /admin/questions`: the question log searched by text, outcome and guild. Each row
//! shows the question (as text), the answer given (passage id and the start of its text),
//! the votes, and the asker's keyed hash shortened (never a user id).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::auth::Admin;
use super::chart::date_time;
use super::{AdminError, AdminState};
use crate::store::overview::{self as data, Search};

/// Outcomes offered in the filter, as stored, with their labels.
const OUTCOMES: &[(&str, &str)] = &[
    ("answered", "Answered"),
    ("no_answer", "No good answer"),
    ("too_long", "Too long"),
    ("empty", "Empty"),
    ("throttled", "Throttled"),
];

/// The search form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    q: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    guild: String,
}

struct Row {
    at: String,
    question: String,
    outcome: &'static str,
    guild: String,
    passage: String,
    opening: String,
    helpful: u64,
    not_helpful: u64,
    asker: String,
}

#[derive(Template)]
#[template(path = "admin/questions.html")]
struct Page {
    csrf: String,
    active: &'static str,
    q: String,
    outcome: String,
    guild: String,
    outcomes: &'static [(&'static str, &'static str)],
    rows: Vec<Row>,
    limit: usize,
    has_store: bool,
}

/// `GET /admin/questions`.
pub(super) async fn page(
    admin: Admin,
    State(state): State<AdminState>,
    Query(params): Query<Params>,
) -> Result<Html<String>, AdminError> {
    let backend = state.backend()?;
    let outcome = OUTCOMES
        .iter()
        .find(|(value, _)| *value == params.outcome)
        .map(|(value, _)| value.to_string())
        .unwrap_or_default();
    let search = Search {
        text: params.q.chars().take(200).collect(),
        outcome: outcome.clone(),
        guild: params.guild.trim().parse().ok(),
    };
    let found = match &backend.store {
        Some(store) => {
            let search = search.clone();
            store
                .with_db(move |db| Box::pin(async move { data::search(db, &search).await }))
                .await
                .map_err(AdminError::Store)?
        }
        None => Vec::new(),
    };
    let engine = (backend.engine)();
    let rows = found
        .into_iter()
        .map(|r| Row {
            at: date_time(r.at),
            question: r
                .question
                .unwrap_or_else(|| "(text not logged)".to_string()),
            outcome: OUTCOMES
                .iter()
                .find(|(value, _)| *value == r.outcome)
                .map_or("?", |(_, label)| label),
            guild: r.guild.map(|g| g.to_string()).unwrap_or_default(),
            opening: r
                .passage
                .as_deref()
                .and_then(|id| engine.passage(id).ok().flatten())
                .map(|hit| super::opening(&hit.passage.text))
                .unwrap_or_default(),
            passage: r.passage.unwrap_or_default(),
            helpful: r.helpful,
            not_helpful: r.not_helpful,
            asker: super::short_hash(&r.asker).to_string(),
        })
        .collect();
    let page = Page {
        csrf: admin.csrf,
        active: "questions",
        q: search.text,
        outcome,
        guild: search.guild.map(|g| g.to_string()).unwrap_or_default(),
        outcomes: OUTCOMES,
        rows,
        limit: data::SEARCH_LIMIT,
        has_store: backend.store.is_some(),
    };
    Ok(Html(page.render()?))
}
