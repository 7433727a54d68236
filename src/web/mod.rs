//! The admin page, served on the `[http]` listener beside `/healthz` and `/metrics`: an
//! overview of the question log drawn as inline SVG charts, a search over the log, and the
//! taught answers (list, add, remove, and the pairs votes suggest). Off unless a sign-in
//! token is set (`SUMMIT_ADMIN_TOKEN`, `SUMMIT_ADMIN_TOKEN_FILE` or `[http]
//! admin_token_file`).
//!
//! Pages are askama templates (`templates/admin/*.html`), which escape every value: logged
//! questions are user input, and they stay text. No script runs in the page; the
//! Content-Security-Policy forbids any. Sign-in, sessions and CSRF are in [`auth`].
//!
//! Its own layer, above the store and the service endpoint it joins, below the bot that
//! starts it: the engine and the store reach it as plain handles ([`Backend`]), attached once
//! the bot has them (until then pages say the bot is starting).

pub mod auth;
pub mod chart;
mod overview;
mod questions;
mod taught;

use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tracing::error;

use crate::config::Config;
use crate::engine::Engine;
use crate::retrieve::taught::TaughtAnswers;
use crate::store::Store;
pub use auth::AdminToken;

/// The Content-Security-Policy of every admin response: nothing but our own stylesheet and
/// same-origin forms; no script of any origin, no frames.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the page reads and changes, attached when the bot has started.
#[derive(Clone)]
pub struct Backend {
    /// The question log (`None` when `[store] enabled = false`: nothing to show or teach).
    pub store: Option<Arc<Store>>,
    /// The engine serving now (swapped on reload).
    pub engine: Arc<dyn Fn() -> Arc<Engine> + Send + Sync>,
    /// The taught answers every engine consults.
    pub taught: Arc<TaughtAnswers>,
}

/// The admin page's state: the token, the sign-in sessions and the backend.
#[derive(Clone)]
pub struct AdminState {
    inner: Arc<Inner>,
}

struct Inner {
    auth: auth::Auth,
    backend: OnceLock<Backend>,
}

impl AdminState {
    /// A page signing in with `token`; `secure_cookie` marks the session cookie `Secure`.
    pub fn new(token: AdminToken, secure_cookie: bool) -> AdminState {
        AdminState {
            inner: Arc::new(Inner {
                auth: auth::Auth::new(token, secure_cookie),
                backend: OnceLock::new(),
            }),
        }
    }

    /// The page the configuration asks for: `None` when no admin token is set.
    pub fn from_config(config: &Config) -> Result<Option<AdminState>, auth::TokenError> {
        Ok(
            AdminToken::from_env_or_file(config.http.admin_token_file.as_deref())?
                .map(|token| AdminState::new(token, config.http.admin_cookie_secure)),
        )
    }

    /// Gives the page its engine and store (once; later calls are ignored).
    pub fn attach(&self, backend: Backend) {
        let _ = self.inner.backend.set(backend);
    }

    fn auth(&self) -> &auth::Auth {
        &self.inner.auth
    }

    fn backend(&self) -> Result<&Backend, AdminError> {
        self.inner.backend.get().ok_or(AdminError::Starting)
    }
}

/// The admin routes, to merge into the `[http]` listener's router.
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/admin", get(overview::page))
        .route("/admin/login", get(auth::login_page).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/questions", get(questions::page))
        .route("/admin/taught", get(taught::page).post(taught::add))
        .route("/admin/taught/remove", post(taught::remove))
        .route("/admin/style.css", get(stylesheet))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers on every admin response: the CSP, no sniffing, no caching of log contents, no
/// referrer (URLs carry search words), no framing.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../templates/admin/style.css"),
    )
        .into_response()
}

/// Why a page could not be shown. Details go to the log; the page says it in plain words.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A form without the right CSRF token, or a request needing a session without one.
    #[error("forbidden")]
    Forbidden,
    /// A form that could not be read.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The bot has not attached the engine and store yet.
    #[error("the bot is still starting")]
    Starting,
    /// The question log could not be read or written.
    #[error("question log: {0}")]
    Store(String),
    /// A template failed to render.
    #[error("render: {0}")]
    Render(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            AdminError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Forbidden: the form was not sent from this page (reload it and try again).",
            ),
            AdminError::BadRequest(_) => (StatusCode::BAD_REQUEST, "The form could not be read."),
            AdminError::Starting => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The bot is still starting; reload in a moment.",
            ),
            AdminError::Store(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The question log could not be read; the details are in the bot's log.",
            ),
            AdminError::Render(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong; the details are in the bot's log.",
            ),
        };
        if status.is_server_error() {
            error!(error = %self, "admin page");
        }
        let page = ErrorPage {
            status: status.as_u16(),
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message.to_string()).into_response(),
        }
    }
}

/// A user hash shortened for display (the page never shows more of it).
pub fn short_hash(hash: &str) -> &str {
    hash.get(..8).unwrap_or(hash)
}

/// The first words of a passage, for tables.
pub fn opening(text: &str) -> String {
    crate::text::truncate_words(text, 120)
}
