//! Settings from one TOML file (`config/default.toml` documents every key), with defaults for
//! everything, checked once at start. Secrets never live here: the Discord token comes only
//! from the environment.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::retrieve::fusion::SemanticOptions;
use crate::retrieve::{DecisionRule, RankOptions};

/// The longest question read, in characters, unless configured (`[limits] max_question_chars`);
/// also what [`crate::engine::EngineOptions::default`] uses.
pub const DEFAULT_MAX_QUESTION_CHARS: usize = 500;

/// Where the config is read from when `--config` is not given (if the file exists).
pub const DEFAULT_CONFIG_PATH: &str = "config/default.toml";

/// Why the configuration is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read config: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys or wrong types.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A value is out of range.
    #[error("config: {0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where articles and the index live.
    pub corpus: CorpusConfig,
    /// Ranking and answer shape.
    pub answer: AnswerConfig,
    /// Input limits and rate limits.
    pub limits: LimitsConfig,
    /// Discord server-side settings.
    pub discord: DiscordConfig,
    /// Logging.
    pub log: LogConfig,
    /// The question log.
    pub store: StoreConfig,
    /// `summit-bot import`: reading web pages.
    pub import: ImportConfig,
    /// The semantic signal beside BM25.
    pub semantic: SemanticOptions,
    /// The health and metrics endpoint.
    pub http: HttpConfig,
}

/// `[http]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// `IP:PORT` for `/healthz` and `/metrics` while serving (port 0 picks a free port);
    /// unset: no endpoint. `SUMMIT_HTTP_ADDR` wins.
    pub listen: Option<String>,
    /// File holding the admin page's sign-in token (`SUMMIT_ADMIN_TOKEN` or
    /// `SUMMIT_ADMIN_TOKEN_FILE` win). No token: no admin page.
    pub admin_token_file: Option<PathBuf>,
    /// Mark the admin session cookie `Secure` (set it behind a TLS proxy).
    pub admin_cookie_secure: bool,
}

/// `[corpus]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CorpusConfig {
    /// Folder of articles (`*.txt`, `*.md`). Unset: `index/articles` if present, else the
    /// article compiled into the binary.
    pub articles_dir: Option<PathBuf>,
    /// Folder of the persisted tantivy index; empty string keeps the index in memory.
    pub index_dir: PathBuf,
    /// Article (id = file stem, or a unique part of its title) that `/point`, `/points` and
    /// `/footnote` use without an `article` option. Unset: the shipped summit article when
    /// present, else the first article by title.
    pub default_article: Option<String>,
    /// Reload the articles when a file in the articles folder changes (the bot only).
    pub watch: bool,
    /// Quiet time after the last change before reloading, in milliseconds.
    pub watch_debounce_ms: u64,
}

impl Default for CorpusConfig {
    fn default() -> Self {
        CorpusConfig {
            articles_dir: None,
            index_dir: PathBuf::from("index/tantivy"),
            default_article: None,
            watch: true,
            watch_debounce_ms: 500,
        }
    }
}

/// `[answer]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerConfig {
    /// Alternatives returned besides the best passage.
    pub max_alternatives: usize,
    /// Share of a question's (IDF-weighted) words a passage must contain to be an answer.
    pub min_coverage: f32,
    /// BM25 candidates re-ranked per question.
    pub candidates: usize,
    /// How a candidate is judged an answer: the learned model, or the hand-written rules.
    pub decision: DecisionKind,
    /// A weights file for the learned decision (`scripts/train_decision.py`) instead of the
    /// compiled-in `models/answer-decision/weights.json`; loaded once at start.
    pub decision_model: Option<PathBuf>,
}

/// `[answer] decision`
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    /// The logistic regression over the engine's signals (opt-in).
    Learned,
    /// The hand-written thresholds (`[answer] min_coverage`, `[semantic]`).
    #[default]
    Rules,
}

impl Default for AnswerConfig {
    fn default() -> Self {
        let rank = RankOptions::default();
        AnswerConfig {
            max_alternatives: 3,
            min_coverage: rank.min_coverage,
            candidates: rank.candidates,
            decision: DecisionKind::default(),
            decision_model: None,
        }
    }
}

/// `[limits]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// The longest question read, in characters: the bot answers a longer one with a message,
    /// the command line reads only this many characters of it.
    pub max_question_chars: usize,
    /// Questions a user may ask in a burst.
    pub user_burst: u32,
    /// Seconds for one user question to be refilled.
    pub user_refill_secs: f64,
    /// Questions a channel may see in a burst.
    pub channel_burst: u32,
    /// Seconds for one channel question to be refilled.
    pub channel_refill_secs: f64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_question_chars: DEFAULT_MAX_QUESTION_CHARS,
            user_burst: 5,
            user_refill_secs: 3.0,
            channel_burst: 30,
            channel_refill_secs: 0.5,
        }
    }
}

/// `[discord]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordConfig {
    /// Base URL for every REST call (`http://127.0.0.1:PORT`); `DISCORD_API_URL` wins.
    pub api_url: Option<String>,
    /// Channels where every message is treated as a question (needs the Message Content intent).
    pub answer_channels: Vec<u64>,
    /// Guilds to register slash commands in instantly; empty registers globally.
    pub guilds: Vec<u64>,
    /// Role ids whose members may run admin commands (the application owner always may).
    pub admin_roles: Vec<u64>,
    /// First shard this process runs.
    pub shard_start: u32,
    /// How many shards this process runs (at least one; with `shard_total = 0`, 0 lets
    /// Discord recommend how many, all in this process).
    pub shard_count: u32,
    /// Shards over all processes (0: every shard runs in this process).
    pub shard_total: u32,
    /// After a start or a fresh IDENTIFY, questions asked up to this many minutes ago that
    /// the bot missed are answered late (0: no catch-up).
    pub catch_up_minutes: u32,
    /// Messages read per channel at most when catching up.
    pub catch_up_limit: u32,
    /// Seconds between re-reads of the channel settings made with `/channel` (so every
    /// process sharing the store applies another's change within this).
    pub settings_refresh_secs: u32,
    /// Answer a mention or an answer-channel question in a new thread started from it, where
    /// follow-ups need no mention (needs Create Public Threads and Send Messages in Threads,
    /// and the Message Content intent).
    pub threads: bool,
    /// A conversation is forgotten after this many seconds without a question (at least 1).
    pub conversation_idle_secs: u64,
    /// Conversations kept in memory at most; the least recently used go first (at least 1).
    pub max_conversations: usize,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        DiscordConfig {
            api_url: None,
            answer_channels: Vec::new(),
            guilds: Vec::new(),
            admin_roles: Vec::new(),
            shard_start: 0,
            shard_count: 0,
            shard_total: 0,
            catch_up_minutes: 60,
            catch_up_limit: 200,
            settings_refresh_secs: 5,
            threads: false,
            conversation_idle_secs: 600,
            max_conversations: 10_000,
        }
    }
}

/// `[log]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// tracing filter (`info`, `summit_bot=debug,serenity=warn`); `RUST_LOG` wins.
    pub level: String,
    /// `text` for people, `json` (one object per line) for log shippers.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".to_string(),
            format: LogFormat::Text,
        }
    }
}

/// `[store]`: the question log (see `crate::store`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Record questions and votes (the bot and the console chat; never `ask` or `eval`).
    pub enabled: bool,
    /// `sqlite://PATH` (folder created on first use) or `postgres://…`.
    pub url: String,
    /// Rows older than this many days are deleted (0 keeps them forever).
    pub retention_days: u32,
    /// Keep the question text (off: counts only).
    pub log_question_text: bool,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            enabled: true,
            url: "sqlite://data/summit.db".to_string(),
            retention_days: 90,
            log_question_text: true,
        }
    }
}

/// `[import]`: bounds on reading a web page for `summit-bot import`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// Seconds for the whole request (connect, headers, body) of a URL.
    pub timeout_secs: u64,
    /// Largest page read, in bytes (file or URL).
    pub max_bytes: u64,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            timeout_secs: 20,
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

impl Config {
    /// Reads `path`, or `config/default.toml` when present, else the built-in defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from(DEFAULT_CONFIG_PATH)).filter(|p| p.is_file()),
        };
        let config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
                    path: path.clone(),
                    source,
                })?;
                Self::parse(&text).map_err(|message| ConfigError::Parse { path, message })?
            }
            None => Config::default(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().to_string())
    }

    /// Checks ranges once, so the rest of the program can trust the values.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if !(0.0..=1.0).contains(&self.answer.min_coverage) {
            return invalid("answer.min_coverage must be between 0 and 1");
        }
        if self.discord.conversation_idle_secs == 0 {
            return invalid("discord.conversation_idle_secs must be at least 1");
        }
        if self.discord.max_conversations == 0 {
            return invalid("discord.max_conversations must be at least 1");
        }
        if self.answer.max_alternatives > 10 {
            return invalid("answer.max_alternatives must be at most 10");
        }
        if self.answer.candidates == 0 || self.answer.candidates > 1000 {
            return invalid("answer.candidates must be between 1 and 1000");
        }
        if self.answer.decision_model.is_some() && self.answer.decision != DecisionKind::Learned {
            return invalid("answer.decision_model is read only with decision = \"learned\"");
        }
        if self.limits.max_question_chars == 0 || self.limits.max_question_chars > 6000 {
            return invalid("limits.max_question_chars must be between 1 and 6000");
        }
        if self.limits.user_burst == 0 || self.limits.channel_burst == 0 {
            return invalid("limits.user_burst and limits.channel_burst must be at least 1");
        }
        if !(self.limits.user_refill_secs >= 0.0 && self.limits.channel_refill_secs >= 0.0) {
            return invalid("limits refill seconds must not be negative");
        }
        if !(1..=600).contains(&self.import.timeout_secs) {
            return invalid("import.timeout_secs must be between 1 and 600");
        }
        if !(1_024..=1_073_741_824).contains(&self.import.max_bytes) {
            return invalid("import.max_bytes must be between 1024 and 1073741824");
        }
        if !(10..=60_000).contains(&self.corpus.watch_debounce_ms) {
            return invalid("corpus.watch_debounce_ms must be between 10 and 60000");
        }
        if let Some(url) = &self.discord.api_url {
            validate_api_url(url).map_err(ConfigError::Invalid)?;
        }
        let s = &self.semantic;
        let unit = |x: f32| (-1.0..=1.0).contains(&x);
        if !(unit(s.min_similarity)
            && unit(s.similar)
            && unit(s.semantic_only_threshold)
            && unit(s.neighbour_similarity)
            && unit(s.ranking_similarity)
            && unit(s.meaning_only_similarity)
            && unit(s.covered_min_similarity)
            && unit(s.rerank_min_similarity)
            && unit(s.rerank_similar)
            && unit(s.name_similarity)
            && unit(s.proper_name_similarity)
            && unit(s.rerank_sure_similarity)
            && unit(s.rerank_refuse_below))
        {
            return invalid("semantic similarities must be between -1 and 1");
        }
        if !((0.0..=1.0).contains(&s.min_coverage_when_similar)
            && (0.0..=1.0).contains(&s.sufficient_coverage)
            && (0.0..=1.0).contains(&s.rerank_sure_coverage)
            && (0.0..=1.0).contains(&s.footnote_credit)
            && (0.0..=10.0).contains(&s.weight)
            && (0.0..=10.0).contains(&s.rerank_weight))
        {
            return invalid("semantic.min_coverage_when_similar, sufficient_coverage, rerank_sure_coverage and footnote_credit must be between 0 and 1, weight and rerank_weight between 0 and 10");
        }
        if s.candidates > 1000 {
            return invalid("semantic.candidates must be at most 1000");
        }
        if !(1..=1000).contains(&s.rerank_candidates) {
            return invalid("semantic.rerank_candidates must be between 1 and 1000");
        }
        if let Some(listen) = &self.http.listen {
            if listen.trim().parse::<std::net::SocketAddr>().is_err() {
                return Err(ConfigError::Invalid(format!(
                    "http.listen {listen:?} must be IP:PORT, e.g. 127.0.0.1:9091"
                )));
            }
        }
        let d = &self.discord;
        // Checked: huge values must be a config error, not an overflow.
        let end = d.shard_start.checked_add(d.shard_count.max(1));
        if d.shard_total > 0 && end.is_none_or(|end| end > d.shard_total) {
            return invalid("discord.shard_start + shard_count must not exceed shard_total");
        }
        if d.shard_total == 0 && d.shard_start > 0 {
            return invalid("discord.shard_start needs discord.shard_total");
        }
        if d.catch_up_minutes > 10_080 {
            return invalid("discord.catch_up_minutes must be at most 10080 (a week)");
        }
        if !(1..=10_000).contains(&d.catch_up_limit) {
            return invalid("discord.catch_up_limit must be between 1 and 10000");
        }
        if !(1..=3_600).contains(&d.settings_refresh_secs) {
            return invalid("discord.settings_refresh_secs must be between 1 and 3600");
        }
        let url = &self.store.url;
        let known = ["sqlite://", "postgres://", "postgresql://"];
        if !known.iter().any(|p| url.starts_with(p)) || url == "sqlite://" {
            return invalid("store.url must be sqlite://PATH or postgres://…");
        }
        Ok(())
    }

    /// Ranking options for the engine.
    pub fn rank_options(&self) -> RankOptions {
        RankOptions {
            min_coverage: self.answer.min_coverage,
            candidates: self.answer.candidates,
            semantic: self.semantic.clone(),
            decision: match self.answer.decision {
                DecisionKind::Learned => DecisionRule::learned(),
                DecisionKind::Rules => DecisionRule::Rules,
            },
        }
    }
}

/// An API base URL is `http(s)://host[:port]`, with no path (serenity adds `/api/v10`).
pub fn validate_api_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("api url {url:?} must start with http:// or https://"))?;
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.contains('/') {
        return Err(format!(
            "api url {url:?} must be scheme, host and port only (no /api)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_toml_equals_built_in_defaults() {
        let text = include_str!("../config/default.toml");
        let parsed = Config::parse(text).expect("config/default.toml parses");
        assert_eq!(parsed, Config::default());
        parsed.validate().expect("defaults are valid");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_rejected() {
        assert!(Config::parse("[answer]\nmax_alternativs = 2").is_err());
        let config = Config::parse("[answer]\ndecision_model = \"w.json\"").unwrap();
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "config: answer.decision_model is read only with decision = \"learned\""
        );
        let config =
            Config::parse("[answer]\ndecision = \"learned\"\ndecision_model = \"w.json\"").unwrap();
        assert!(config.validate().is_ok());
        let config = Config::parse("[answer]\nmin_coverage = 2.0").unwrap();
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "config: answer.min_coverage must be between 0 and 1"
        );
    }

    #[test]
    fn shard_range_past_u32_is_a_config_error_not_an_overflow() {
        let message = "config: discord.shard_start + shard_count must not exceed shard_total";
        for (start, count, total) in [
            (u32::MAX, 2, 3),
            (4_000_000_000, 4_000_000_000, u32::MAX),
            (1, u32::MAX, u32::MAX),
            (2, 2, 3),
        ] {
            let text = format!(
                "[discord]\nshard_start = {start}\nshard_count = {count}\nshard_total = {total}"
            );
            let config = Config::parse(&text).expect("parses");
            assert_eq!(
                config.validate().unwrap_err().to_string(),
                message,
                "{text}"
            );
        }
        let fits = "[discord]\nshard_start = 4294967294\nshard_count = 1\nshard_total = 4294967295";
        Config::parse(fits)
            .expect("parses")
            .validate()
            .expect("fits");
    }

    #[test]
    fn api_url_is_scheme_host_port() {
        assert!(validate_api_url("http://127.0.0.1:8080").is_ok());
        assert!(validate_api_url("http://127.0.0.1:8080/").is_ok());
        assert!(validate_api_url("http://127.0.0.1:8080/api").is_err());
        assert!(validate_api_url("127.0.0.1:8080").is_err());
    }
}
