//! `/admin/taught`: the taught answers (stale ones marked: their passage is gone, so they are
//! not applied), a form to teach one (the passage by id or "point N", with a search over
//! the passages), removal, and the question–passage pairs the votes suggest teaching.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::{Admin, CsrfForm};
use super::chart::date_time;
use super::{AdminError, AdminState, Backend};
use crate::retrieve::taught::key;
use crate::store::taught as stored;

/// Passages listed in the search results at most.
const SEARCH_RESULTS: usize = 20;
/// Longest question taught, in characters.
const MAX_QUESTION_CHARS: usize = 500;

/// The page's query: a passage search, a question to prefill, what just happened.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    search: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    added: Option<i64>,
    #[serde(default)]
    removed: Option<i64>,
}

struct Taught {
    id: i64,
    question: String,
    passage: String,
    opening: String,
    created: String,
    stale: bool,
}

struct Choice {
    id: String,
    label: String,
    opening: String,
}

struct Suggested {
    question: String,
    passage: String,
    opening: String,
    helpful: u64,
}

#[derive(Template)]
#[template(path = "admin/taught.html")]
struct Page {
    csrf: String,
    active: &'static str,
    taught: Vec<Taught>,
    choices: Vec<Choice>,
    search: String,
    results: Vec<Choice>,
    searched: bool,
    suggestions: Vec<Suggested>,
    question: String,
    passage: String,
    notice: String,
    error: String,
    has_store: bool,
}

/// `GET /admin/taught`.
pub(super) async fn page(
    admin: Admin,
    State(state): State<AdminState>,
    Query(params): Query<Params>,
) -> Result<Html<String>, AdminError> {
    let backend = state.backend()?;
    let notice = match (params.added, params.removed) {
        (Some(id), _) => format!("Taught answer {id} saved: it applies from the next question."),
        (_, Some(id)) => format!("Taught answer {id} removed."),
        _ => String::new(),
    };
    let page = build(
        backend,
        admin.csrf,
        Form {
            question: params.question,
            passage: String::new(),
        },
        &params.search,
        notice,
        String::new(),
    )
    .await?;
    Ok(Html(page.render()?))
}

async fn build(
    backend: &Backend,
    csrf: String,
    form: Form,
    search: &str,
    notice: String,
    error: String,
) -> Result<Page, AdminError> {
    let (taught, suggestions) = match &backend.store {
        Some(store) => store
            .with_db(|db| {
                Box::pin(
                    async move { Ok((stored::list(db).await?, stored::suggestions(db).await?)) },
                )
            })
            .await
            .map_err(AdminError::Store)?,
        None => (Vec::new(), Vec::new()),
    };
    let engine = (backend.engine)();
    let opening = |id: &str| {
        engine
            .passage(id)
            .ok()
            .flatten()
            .map(|hit| super::opening(&hit.passage.text))
    };
    let taught_keys: Vec<String> = taught.iter().map(|t| key(&t.question)).collect();
    let suggestions = suggestions
        .into_iter()
        .filter(|s| !taught_keys.contains(&key(&s.question)))
        .filter_map(|s| {
            Some(Suggested {
                opening: opening(&s.passage)?,
                question: s.question,
                passage: s.passage,
                helpful: s.helpful,
            })
        })
        .collect();
    let taught = taught
        .into_iter()
        .map(|t| {
            let text = opening(&t.passage);
            Taught {
                id: t.id,
                stale: text.is_none(),
                opening: text.unwrap_or_else(|| "(no longer in the articles)".to_string()),
                question: t.question,
                passage: t.passage,
                created: date_time(t.created),
            }
        })
        .collect();
    // The points of the default article: what the passage field offers before any search.
    let mut choices = Vec::new();
    if let Some(article) = engine.default_article() {
        for point in &article.points {
            if let Ok(Some(hit)) = engine.point(article, point.number) {
                choices.push(Choice {
                    id: hit.passage.id.to_string(),
                    label: format!("point {}", point.number),
                    opening: super::opening(&hit.passage.text),
                });
            }
        }
    }
    let search = search.trim();
    let mut results: Vec<Choice> = Vec::new();
    if !search.is_empty() {
        if let Ok(Some(hit)) = engine.named_passage(search) {
            results.push(Choice {
                id: hit.passage.id.to_string(),
                label: hit.passage.id.to_string(),
                opening: super::opening(&hit.passage.text),
            });
        }
        if let Ok(response) = engine.ask(search) {
            for hit in response.hits() {
                if results.iter().all(|r| r.id != *hit.passage.id) {
                    results.push(Choice {
                        id: hit.passage.id.to_string(),
                        label: hit.passage.id.to_string(),
                        opening: super::opening(&hit.passage.text),
                    });
                }
            }
        }
        results.truncate(SEARCH_RESULTS);
    }
    Ok(Page {
        csrf,
        active: "taught",
        taught,
        choices,
        search: search.to_string(),
        searched: !search.is_empty(),
        results,
        suggestions,
        question: form.question,
        passage: form.passage,
        notice,
        error,
        has_store: backend.store.is_some(),
    })
}

/// The teach form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Form {
    #[serde(default)]
    question: String,
    #[serde(default)]
    passage: String,
}

/// `POST /admin/taught`: teaches, then back to the list; a form that cannot be taught is
/// shown again with the reason.
pub(super) async fn add(
    admin: Admin,
    State(state): State<AdminState>,
    CsrfForm(form): CsrfForm<Form>,
) -> Result<Response, AdminError> {
    let backend = state.backend()?;
    let question = form.question.trim().to_string();
    let problem = if question.is_empty() {
        Some("Write the question to teach.".to_string())
    } else if question.chars().count() > MAX_QUESTION_CHARS {
        Some(format!(
            "The question is longer than {MAX_QUESTION_CHARS} characters."
        ))
    } else {
        None
    };
    let passage = match problem {
        Some(_) => None,
        None => (backend.engine)()
            .named_passage(&form.passage)
            .ok()
            .flatten()
            .map(|hit| hit.passage.id.to_string()),
    };
    let Some(store) = &backend.store else {
        return refuse(
            backend,
            admin.csrf,
            form,
            "The question log is off ([store] enabled = false): nothing can be taught.".into(),
        )
        .await;
    };
    let Some(passage) = passage else {
        let message = problem.unwrap_or_else(|| {
            "No such passage: give an id such as summit-article:2.4, or \"point N\".".to_string()
        });
        return refuse(backend, admin.csrf, form, message).await;
    };
    let added = stored::teach(store, &backend.taught, question, passage)
        .await
        .map_err(AdminError::Store)?;
    tracing::info!(id = added.id, passage = %added.passage, "admin page: answer taught");
    Ok(Redirect::to(&format!("/admin/taught?added={}", added.id)).into_response())
}

async fn refuse(
    backend: &Backend,
    csrf: String,
    form: Form,
    message: String,
) -> Result<Response, AdminError> {
    let page = build(backend, csrf, form, "", String::new(), message).await?;
    Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
}

/// The remove form.
#[derive(Debug, Deserialize)]
pub(super) struct RemoveForm {
    id: String,
}

/// `POST /admin/taught/remove`.
pub(super) async fn remove(
    _admin: Admin,
    State(state): State<AdminState>,
    CsrfForm(form): CsrfForm<RemoveForm>,
) -> Result<Response, AdminError> {
    let backend = state.backend()?;
    let id: i64 =
        form.id.trim().parse().map_err(|_| {
            AdminError::BadRequest(format!("not a taught answer id: {:?}", form.id))
        })?;
    let store = backend.store.as_ref().ok_or(AdminError::Starting)?;
    stored::forget(store, &backend.taught, id)
        .await
        .map_err(AdminError::Store)?;
    tracing::info!(id, "admin page: taught answer removed");
    Ok(Redirect::to(&format!("/admin/taught?removed={id}")).into_response())
}
