//! Signing in to the admin page: the token (from the environment or a file, never printed),
//! compared in constant time; sessions in memory behind an `HttpOnly; SameSite=Strict`
//! cookie; a CSRF token in every form, checked by [`CsrfForm`] before a POST handler runs
//! (the sign-in form's against a cookie of its own); and a limit on failed sign-ins per
//! address (then 429).

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hmac::{KeyInit, Mac};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tracing::{info, warn};

use super::{AdminError, AdminState};

/// The session cookie (path `/admin`).
const SESSION_COOKIE: &str = "summit_admin";
/// The sign-in form's CSRF cookie (double submit: the form carries the same value).
const LOGIN_COOKIE: &str = "summit_admin_login";
/// How long a session lasts after sign-in.
const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Sessions kept at most (the oldest go first).
const MAX_SESSIONS: usize = 256;
/// Failed sign-ins allowed per address within [`FAILURE_WINDOW`]; the next attempt gets 429.
pub const MAX_FAILURES: usize = 5;
/// The window failed sign-ins are counted over.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Addresses tracked at most (older entries are purged first).
const MAX_ADDRESSES: usize = 10_000;
/// Largest form body read.
const MAX_FORM_BYTES: usize = 64 * 1024;
/// Shortest token accepted without a warning.
const MIN_TOKEN_CHARS: usize = 16;

/// Why the admin token could not be read. Messages never contain it.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The file named for it could not be read.
    #[error("cannot read the admin token file {path}: {source}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The variable or file holds only whitespace.
    #[error("the admin token from {0} is empty")]
    Empty(String),
}

/// The sign-in token. `Debug` prints a placeholder.
#[derive(Clone)]
pub struct AdminToken(String);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl AdminToken {
    /// A token from a raw value (trimmed; empty is an error naming `source`).
    pub fn parse(raw: &str, source: &str) -> Result<AdminToken, TokenError> {
        let token = raw.trim();
        if token.is_empty() {
            return Err(TokenError::Empty(source.to_string()));
        }
        if token.chars().count() < MIN_TOKEN_CHARS {
            warn!(
                source,
                "the admin token is shorter than {MIN_TOKEN_CHARS} characters: easy to guess"
            );
        }
        Ok(AdminToken(token.to_string()))
    }

    /// `SUMMIT_ADMIN_TOKEN`, else the file `SUMMIT_ADMIN_TOKEN_FILE` names, else `file`
    /// (`[http] admin_token_file`); `None` when none is set (the page is off).
    pub fn from_env_or_file(file: Option<&Path>) -> Result<Option<AdminToken>, TokenError> {
        if let Some(raw) = std::env::var("SUMMIT_ADMIN_TOKEN")
            .ok()
            .filter(|v| !v.is_empty())
        {
            return AdminToken::parse(&raw, "SUMMIT_ADMIN_TOKEN").map(Some);
        }
        let env_file = std::env::var_os("SUMMIT_ADMIN_TOKEN_FILE")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from);
        match env_file.as_deref().or(file) {
            Some(path) => {
                let raw = std::fs::read_to_string(path).map_err(|source| TokenError::File {
                    path: path.to_path_buf(),
                    source,
                })?;
                AdminToken::parse(&raw, &path.display().to_string()).map(Some)
            }
            None => Ok(None),
        }
    }
}

struct Session {
    csrf: String,
    expires: Instant,
}

/// Sign-in state: the token, a per-process key for comparing secrets, sessions and failures.
pub(super) struct Auth {
    token: AdminToken,
    /// HMAC key: secrets are compared as MACs, in constant time, whatever their lengths.
    key: [u8; 32],
    secure_cookie: bool,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Auth {
    pub(super) fn new(token: AdminToken, secure_cookie: bool) -> Auth {
        Auth {
            token,
            key: random_bytes(),
            secure_cookie,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether two secrets are equal, in time independent of where they differ.
    fn same(&self, given: &str, expected: &str) -> bool {
        let mac = |text: &str| {
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
            mac.update(text.as_bytes());
            mac
        };
        let expected = mac(expected).finalize().into_bytes();
        mac(given).verify_slice(&expected).is_ok()
    }

    /// The session's CSRF token, when `id` names a live session.
    fn session_csrf(&self, id: &str) -> Option<String> {
        let now = Instant::now();
        let sessions = self.sessions.lock();
        sessions
            .get(id)
            .filter(|s| s.expires > now)
            .map(|s| s.csrf.clone())
    }

    /// A new session; returns its id.
    fn open_session(&self) -> String {
        let id = random_hex();
        let now = Instant::now();
        let mut sessions = self.sessions.lock();
        sessions.retain(|_, s| s.expires > now);
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(
            id.clone(),
            Session {
                csrf: random_hex(),
                expires: now + SESSION_TTL,
            },
        );
        id
    }

    fn close_session(&self, id: &str) {
        self.sessions.lock().remove(id);
    }

    /// Whether `address` has used up its failed sign-ins.
    fn locked_out(&self, address: IpAddr) -> bool {
        let now = Instant::now();
        let mut failures = self.failures.lock();
        match failures.get_mut(&address) {
            Some(times) => {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= FAILURE_WINDOW)
                {
                    times.pop_front();
                }
                times.len() >= MAX_FAILURES
            }
            None => false,
        }
    }

    fn record_failure(&self, address: IpAddr) {
        let now = Instant::now();
        let mut failures = self.failures.lock();
        if failures.len() >= MAX_ADDRESSES {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < FAILURE_WINDOW)
            });
        }
        failures.entry(address).or_default().push_back(now);
    }

    fn cookie(&self, name: &str, value: &str, max_age: Option<u64>) -> String {
        let mut cookie = format!("{name}={value}; Path=/admin; HttpOnly; SameSite=Strict");
        if let Some(age) = max_age {
            cookie.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure_cookie {
            cookie.push_str("; Secure");
        }
        cookie
    }
}

/// 32 random bytes from the operating system. Without them no secret can be made: the page
/// would be unsafe, so this is the one place that stops the process.
fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    if let Err(error) = getrandom::getrandom(&mut bytes) {
        panic!("the operating system gave no random bytes for the admin page: {error}");
    }
    bytes
}

fn random_hex() -> String {
    random_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A signed-in admin: a handler taking this never runs signed out. Signed out, a page
/// request is sent to the sign-in form and a form gets 403.
pub struct Admin {
    /// The session's CSRF token, for the page's forms.
    pub csrf: String,
}

impl FromRequestParts<AdminState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AdminState) -> Result<Admin, Response> {
        let csrf = cookie_value(&parts.headers, SESSION_COOKIE)
            .and_then(|id| state.auth().session_csrf(id));
        match csrf {
            Some(csrf) => Ok(Admin { csrf }),
            None if parts.method == Method::GET || parts.method == Method::HEAD => {
                Err(Redirect::to("/admin/login").into_response())
            }
            None => Err(AdminError::Forbidden.into_response()),
        }
    }
}

/// A form whose `csrf` field matched the session's token (or, for the sign-in form, its
/// cookie) before the handler runs; else 403. The rest of the form is `T`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AdminState> for CsrfForm<T> {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AdminState) -> Result<Self, AdminError> {
        let (parts, body) = request.into_parts();
        // The session's token, or (the sign-in form) the value of the form's own cookie.
        let expected: Vec<String> = cookie_value(&parts.headers, SESSION_COOKIE)
            .and_then(|id| state.auth().session_csrf(id))
            .into_iter()
            .chain(
                cookie_value(&parts.headers, LOGIN_COOKIE)
                    .filter(|v| v.len() == 64)
                    .map(str::to_string),
            )
            .collect();
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|e| AdminError::BadRequest(e.to_string()))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AdminError::BadRequest(e.to_string()))?;
        let given = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str());
        if given.is_empty() || !expected.iter().any(|e| state.auth().same(given, e)) {
            return Err(AdminError::Forbidden);
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| AdminError::BadRequest(e.to_string()))
    }
}

/// The client's address (from the listener; unknown in tests without one).
pub(super) struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    message: Option<&'a str>,
}

/// `GET /admin/login`: the form, with a fresh CSRF value in a cookie and a hidden field.
pub(super) async fn login_page(State(state): State<AdminState>) -> Result<Response, AdminError> {
    login_form(&state, StatusCode::OK, None)
}

fn login_form(
    state: &AdminState,
    status: StatusCode,
    message: Option<&str>,
) -> Result<Response, AdminError> {
    let csrf = random_hex();
    let html = LoginPage {
        csrf: &csrf,
        message,
    }
    .render()?;
    let cookie = state.auth().cookie(LOGIN_COOKIE, &csrf, Some(600));
    Ok((status, [(header::SET_COOKIE, cookie)], Html(html)).into_response())
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    token: String,
}

/// `POST /admin/login`: the token, compared in constant time; a session on success.
pub(super) async fn login(
    State(state): State<AdminState>,
    ClientAddress(address): ClientAddress,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AdminError> {
    let auth = state.auth();
    if auth.locked_out(address) {
        warn!(%address, "admin sign-in refused: too many failures");
        let mut response = login_form(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many failed sign-ins from this address: wait a minute."),
        )?;
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(FAILURE_WINDOW.as_secs()),
        );
        return Ok(response);
    }
    if !auth.same(form.token.trim(), &auth.token.0) {
        auth.record_failure(address);
        warn!(%address, "admin sign-in failed: wrong token");
        return login_form(&state, StatusCode::UNAUTHORIZED, Some("Wrong token."));
    }
    let id = auth.open_session();
    info!(%address, "admin signed in");
    let mut response = Redirect::to("/admin").into_response();
    let headers = response.headers_mut();
    let session = auth.cookie(SESSION_COOKIE, &id, Some(SESSION_TTL.as_secs()));
    let clear_login = auth.cookie(LOGIN_COOKIE, "", Some(0));
    for cookie in [session, clear_login] {
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct Empty {}

/// `POST /admin/logout`: ends the session.
pub(super) async fn logout(
    State(state): State<AdminState>,
    _admin: Admin,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    if let Some(id) = cookie_value(&headers, SESSION_COOKIE) {
        state.auth().close_session(id);
    }
    let clear = state.auth().cookie(SESSION_COOKIE, "", Some(0));
    ([(header::SET_COOKIE, clear)], Redirect::to("/admin/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        let auth = Auth::new(
            AdminToken::parse("a long enough token", "test").unwrap(),
            false,
        );
        assert!(auth.same("abc", "abc"));
        assert!(!auth.same("abc", "abd"));
        assert!(!auth.same("", "abc"));
        assert!(!auth.same("abcd", "abc"));
    }

    #[test]
    fn failures_lock_an_address_after_five() {
        let auth = Auth::new(
            AdminToken::parse("a long enough token", "test").unwrap(),
            false,
        );
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(!auth.locked_out(a));
            auth.record_failure(a);
        }
        assert!(auth.locked_out(a));
        assert!(!auth.locked_out(b));
    }

    #[test]
    fn tokens_are_never_printed_and_empty_ones_refused() {
        let token = AdminToken::parse(" secret-secret-secret \n", "env").unwrap();
        assert_eq!(format!("{token:?}"), "AdminToken(<redacted>)");
        assert_eq!(token.0, "secret-secret-secret");
        assert_eq!(
            AdminToken::parse(" \n", "SUMMIT_ADMIN_TOKEN")
                .unwrap_err()
                .to_string(),
            "the admin token from SUMMIT_ADMIN_TOKEN is empty"
        );
    }

    #[test]
    fn cookies_are_http_only_strict_and_scoped_to_admin() {
        let auth = Auth::new(
            AdminToken::parse("a long enough token", "test").unwrap(),
            true,
        );
        assert_eq!(
            auth.cookie(SESSION_COOKIE, "abc", Some(60)),
            "summit_admin=abc; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "x=1; summit_admin=abc; summit_admin_login=def"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie_value(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value(&headers, LOGIN_COOKIE), Some("def"));
    }
}
