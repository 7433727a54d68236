//! The admin page served for tests: a real listener on 127.0.0.1 (port 0), a real SQLite
//! question log, the engine over the shipped article, and a small HTTP client that keeps
//! cookies by hand (so every header the page sets is checked, not hidden by a cookie jar).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use summit_bot::config::StoreConfig;
use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::retrieve::taught::TaughtAnswers;
use summit_bot::source::Source;
use summit_bot::store::{Asked, Outcome, Store};
use summit_bot::web::{AdminState, AdminToken, Backend};

/// The token the tests sign in with.
pub const TOKEN: &str = "test-admin-token-0123456789";

/// A running admin page.
pub struct AdminPage {
    pub address: SocketAddr,
    pub store: Arc<Store>,
    pub engine: Arc<Engine>,
    pub taught: Arc<TaughtAnswers>,
    /// The SQLite file of the question log.
    pub db_path: PathBuf,
    /// A config file for `summit-bot` naming the same log (and an in-memory index).
    pub config: PathBuf,
    pub dir: tempfile::TempDir,
}

impl AdminPage {
    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Records a question (and returns its answer id).
    pub fn ask(&self, user: u64, guild: Option<u64>, question: &str) -> u64 {
        let response = self.engine.ask(question).expect("answers");
        let answer_id = self.store.new_answer_id();
        self.store.record_question(Asked {
            answer_id,
            source: Source::Mention,
            guild,
            channel: Some(5),
            user,
            question,
            outcome: Outcome::of(&response),
            latency: Duration::from_millis(3),
        });
        answer_id
    }

    /// Waits until everything recorded is written.
    pub fn flush(&self) {
        assert!(self.store.flush(Duration::from_secs(30)), "log flushed");
    }
}

/// Starts the page (must run inside a multi-threaded tokio runtime).
pub async fn start() -> AdminPage {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = dir.path().join("log/summit.db");
    let url = format!("sqlite://{}", db_path.display());
    let store = Store::start(&StoreConfig {
        url: url.clone(),
        ..StoreConfig::default()
    })
    .expect("store config")
    .expect("store on");
    let taught = Arc::new(TaughtAnswers::default());
    let engine = Arc::new(
        Engine::open(&EngineOptions {
            articles_dir: Some(PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/index/articles"
            ))),
            ..EngineOptions::default()
        })
        .expect("engine opens")
        .with_taught(taught.clone()),
    );
    let state = AdminState::new(AdminToken::parse(TOKEN, "test").unwrap(), false);
    let serving = engine.clone();
    state.attach(Backend {
        store: Some(store.clone()),
        engine: Arc::new(move || serving.clone()),
        taught: taught.clone(),
    });
    let address =
        summit_bot::service::http::start_with("127.0.0.1:0", summit_bot::web::router(state))
            .await
            .expect("listens");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[corpus]\nindex_dir = ''\n[store]\nurl = '{url}'\n"),
    )
    .expect("config written");
    AdminPage {
        address,
        store,
        engine,
        taught,
        db_path,
        config,
        dir,
    }
}

/// A browser stand-in: no redirects followed, cookies kept by name.
pub struct Client {
    http: reqwest::Client,
    pub cookies: Vec<(String, String)>,
}

/// What came back.
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }

    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        let end = start + self.body[start..].find('"').expect("closing quote");
        self.body[start..end].to_string()
    }
}

impl Client {
    pub fn new() -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, request: reqwest::RequestBuilder) -> Page {
        let request = if self.cookies.is_empty() {
            request
        } else {
            request.header("cookie", self.cookie_header())
        };
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        let page = Page {
            status,
            headers,
            body,
        };
        for cookie in page.set_cookies() {
            let pair = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(k, _)| k != name);
                if !value.is_empty() && !cookie.contains("Max-Age=0") {
                    self.cookies.push((name.to_string(), value.to_string()));
                }
            }
        }
        page
    }

    pub async fn get(&mut self, url: &str) -> Page {
        let request = self.http.get(url);
        self.finish(request).await
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).expect("form");
        let request = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.finish(request).await
    }

    /// Signs in with the right token; returns the overview's CSRF token.
    pub async fn sign_in(&mut self, page: &AdminPage) -> String {
        let form = self.get(&page.url("/admin/login")).await;
        let csrf = form.csrf();
        let done = self
            .post(
                &page.url("/admin/login"),
                &[("csrf", &csrf), ("token", TOKEN)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.header("location"), "/admin");
        self.get(&page.url("/admin")).await.csrf()
    }
}
