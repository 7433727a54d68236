//! Downloading a model's files from the Hugging Face Hub with `hf-hub` (its sync, rustls
//! client): the pinned repository and revision, the hub's cache (`HF_HOME`, else
//! `~/.cache/huggingface`; `--cache` overrides), `HF_ENDPOINT` for a mirror. This is the only
//! user of the hub: the bot never downloads anything at start.
//!
//! `hf-hub` has no timeout of its own, so the download runs on a thread of its own and is
//! abandoned when no byte arrived for the configured time. Its files stay in the cache
//! (`.part` files resume on the next run); nothing is installed from here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use hf_hub::api::sync::{ApiBuilder, ApiError};
use hf_hub::api::Progress;
use hf_hub::{Cache, Repo, RepoType};
use indicatif::{ProgressBar, ProgressStyle};

/// The public hub, when `HF_ENDPOINT` is unset.
const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// What to download: a repository at a commit.
#[derive(Debug, Clone)]
pub struct Source {
    /// `owner/name` on the hub.
    pub repo: String,
    /// A commit id (a branch name would make the checksum meaningless).
    pub revision: String,
    /// The hub's cache folder; `None`: `HF_HOME/hub`, else `~/.cache/huggingface/hub`.
    pub cache: Option<PathBuf>,
    /// Give up after this long without a byte.
    pub idle_timeout: Duration,
}

/// The endpoint downloads come from.
pub fn endpoint() -> String {
    std::env::var("HF_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string())
}

/// The cache folder `source` uses.
pub fn cache_dir(source: &Source) -> anyhow::Result<PathBuf> {
    let cache = match &source.cache {
        Some(dir) => Cache::new(dir.clone()),
        // hf-hub's default cache needs a home folder (and panics without one).
        None if std::env::var_os("HF_HOME").is_none() && std::env::var_os("HOME").is_none() => {
            anyhow::bail!("no cache folder for the download: set HF_HOME or pass --cache DIR")
        }
        None => Cache::from_env(),
    };
    Ok(cache.path().clone())
}

/// Downloads `files` of `source` into the hub's cache (files already there are not fetched
/// again) and returns their paths, in order.
pub fn download(source: &Source, files: &[&str]) -> anyhow::Result<Vec<PathBuf>> {
    let cache_path = cache_dir(source)?;
    let endpoint = endpoint();
    let cache = Cache::new(cache_path);
    let api = ApiBuilder::from_cache(cache.clone())
        .with_endpoint(endpoint.clone())
        .with_progress(false)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot set up the download client: {e}"))?;
    let repo = Repo::with_revision(
        source.repo.clone(),
        RepoType::Model,
        source.revision.clone(),
    );
    let activity = Arc::new(Activity::new());
    let (sender, receiver) = mpsc::channel();
    let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
    let worker_activity = activity.clone();
    let worker_endpoint = endpoint.clone();
    std::thread::Builder::new()
        .name("model-download".into())
        .spawn(move || {
            let api_repo = api.repo(repo.clone());
            let cached = cache.repo(repo);
            let mut paths = Vec::new();
            for file in &files {
                worker_activity.touch();
                let result = match cached.get(file) {
                    Some(path) => Ok(path),
                    None => api_repo
                        .download_with_progress(file, Reporter::new(worker_activity.clone())),
                };
                match result {
                    Ok(path) => paths.push(path),
                    Err(error) => {
                        let _ = sender.send(Err(sentence(&error, file, &worker_endpoint)));
                        return;
                    }
                }
            }
            let _ = sender.send(Ok(paths));
        })
        .map_err(|e| anyhow::anyhow!("cannot start the download: {e}"))?;
    loop {
        let idle = activity.idle();
        let wait = source.idle_timeout.saturating_sub(idle);
        if wait.is_zero() {
            anyhow::bail!(
                "no data from {endpoint} for {} s: the download timed out (files already fetched stay in the cache and resume next time)",
                source.idle_timeout.as_secs()
            );
        }
        match receiver.recv_timeout(wait) {
            Ok(result) => return result.map_err(anyhow::Error::msg),
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the download stopped without a result")
            }
        }
    }
}

/// One sentence for a failed download of `file`.
fn sentence(error: &ApiError, file: &str, endpoint: &str) -> String {
    match error {
        ApiError::RequestError(inner) => match inner.as_ref() {
            ureq::Error::Status(code, response) => format!(
                "{endpoint} answered HTTP {code} for {file} ({})",
                response.get_url()
            ),
            ureq::Error::Transport(transport) => {
                let reason = [
                    transport.message().map(str::to_string),
                    std::error::Error::source(transport).map(|source| source.to_string()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
                let reason = if reason.is_empty() {
                    transport.kind().to_string()
                } else {
                    reason.join(": ")
                };
                format!("cannot download {file} from {endpoint}: {reason}")
            }
        },
        ApiError::IoError(io) => io_sentence(io, file),
        ApiError::TooManyRetries(inner) => sentence(inner, file, endpoint),
        ApiError::MissingHeader(header) => format!(
            "{endpoint} does not answer like a Hugging Face Hub: no {header} header for {file}"
        ),
        other => format!("cannot download {file} from {endpoint}: {other}"),
    }
}

fn io_sentence(io: &std::io::Error, file: &str) -> String {
    match io.kind() {
        std::io::ErrorKind::StorageFull => {
            format!("no space left on the disk of the download cache while fetching {file}")
        }
        std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::ConnectionAborted
        | std::io::ErrorKind::BrokenPipe => format!(
            "the connection broke off while fetching {file} ({io}); run the command again to resume"
        ),
        _ => format!("cannot fetch {file}: {io}"),
    }
}

/// Files at least this large get a progress line per tenth when stderr is not a terminal.
const LINE_PROGRESS_BYTES: usize = 10_000_000;

/// When the download last made progress.
struct Activity {
    start: Instant,
    /// Milliseconds after `start`.
    last: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let now = self.start.elapsed().as_millis() as u64;
        self.last.store(now, Ordering::SeqCst);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(Ordering::SeqCst));
        self.start.elapsed().saturating_sub(last)
    }
}

/// hf-hub's progress callbacks: a bar on a terminal, plain lines otherwise; every
/// callback also tells the watchdog that bytes arrive.
struct Reporter {
    activity: Arc<Activity>,
    bar: Option<ProgressBar>,
    file: String,
    size: usize,
    done: usize,
    /// Tenths already printed as lines.
    tenths: usize,
}

impl Reporter {
    fn new(activity: Arc<Activity>) -> Reporter {
        Reporter {
            activity,
            bar: None,
            file: String::new(),
            size: 0,
            done: 0,
            tenths: 0,
        }
    }
}

impl Progress for Reporter {
    fn init(&mut self, size: usize, filename: &str) {
        self.activity.touch();
        self.size = size;
        self.done = 0;
        // hf-hub calls `init` again when it (re)starts a request: keep one bar per file.
        if self.file == filename {
            if let Some(bar) = &self.bar {
                bar.set_position(0);
            }
            return;
        }
        self.file = filename.to_string();
        self.tenths = 0;
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(size as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{msg:>20} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(filename.to_string());
            self.bar = Some(bar);
        } else {
            eprintln!("fetching {filename} ({})", megabytes(size));
        }
    }

    fn update(&mut self, size: usize) {
        self.activity.touch();
        self.done += size;
        match &self.bar {
            Some(bar) => bar.set_position(self.done as u64),
            // Lines for large files only: a small one is done before a line would help.
            None if self.size >= LINE_PROGRESS_BYTES => {
                let tenths = (self.done * 10 / self.size).min(10);
                if tenths > self.tenths {
                    self.tenths = tenths;
                    eprintln!("{}: {}0 %", self.file, tenths);
                }
            }
            None => {}
        }
    }

    fn finish(&mut self) {
        self.activity.touch();
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// `438 MB`, `571 bytes`.
pub fn megabytes(bytes: usize) -> String {
    if bytes < 1_000_000 {
        format!("{bytes} bytes")
    } else {
        format!("{} MB", (bytes + 500_000) / 1_000_000)
    }
}

/// Removes a cached file and the blob it points to (a file that failed its checksum must
/// not be found in the cache next time).
pub fn forget_cached(path: &Path) {
    if let Ok(blob) = path.canonicalize() {
        let _ = std::fs::remove_file(blob);
    }
    let _ = std::fs::remove_file(path);
}
