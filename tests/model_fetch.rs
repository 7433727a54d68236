//! `summit-bot model fetch` end to end, against a local HTTP server that answers like the
//! Hugging Face Hub (`/{repo}/resolve/{revision}/{file}`, the `ETag`, `X-Repo-Commit` and
//! `Content-Range` headers hf-hub reads, byte ranges for resuming) and serves the tiny random
//! MPNet of `fixtures/tiny-mpnet`, reached through `HF_ENDPOINT`. The tiny model is not the
//! pinned one, so every fetch names its repository, commit and sha256 (`--repo`,
//! `--revision`, `--sha256`: the options a mirror of another build would use).
//!
//! Then the folder detection: with `[semantic] model_dir` unset, a complete
//! `models/all-mpnet-base-v2/` under the working folder is the model that answers
//! (`summit-bot model status`, and the engine behind `ask`), an incomplete one is not, and
//! `model_dir = ""` means no transformer whatever the folder holds.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_summit-bot");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-mpnet");
const REPO: &str = "test/tiny-mpnet";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// The tiny model's files as a model folder holds them.
fn model_files() -> Vec<(&'static str, Vec<u8>)> {
    let bert = include_str!("../models/minilm-static/vocab.txt");
    vec![
        (
            "config.json",
            std::fs::read(Path::new(FIXTURE).join("config.json")).unwrap(),
        ),
        (
            "vocab.txt",
            format!("<s>\n<pad>\n</s>\n<unk>\n{bert}<mask>\n").into_bytes(),
        ),
        (
            "model.safetensors",
            std::fs::read(Path::new(FIXTURE).join("model.safetensors")).unwrap(),
        ),
    ]
}

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn weights_sha256() -> String {
    sha256(&model_files()[2].1)
}

/// How the fake hub behaves.
#[derive(Default)]
struct HubState {
    /// Serve only this many bytes of a full `model.safetensors` body, then close.
    cut_weights_at: Option<usize>,
    /// Accept connections and never answer.
    silent: bool,
    /// `path range` of every request.
    requests: Vec<String>,
}

struct Hub {
    endpoint: String,
    state: Arc<Mutex<HubState>>,
}

impl Hub {
    fn start() -> Hub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(HubState::default()));
        let files: Arc<HashMap<String, Vec<u8>>> = Arc::new(
            model_files()
                .into_iter()
                .map(|(name, bytes)| (format!("/{REPO}/resolve/{COMMIT}/{name}"), bytes))
                .collect(),
        );
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (state, files) = (shared.clone(), files.clone());
                std::thread::spawn(move || serve(stream, &state, &files));
            }
        });
        Hub { endpoint, state }
    }
}

fn serve(stream: TcpStream, state: &Mutex<HubState>, files: &HashMap<String, Vec<u8>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let (silent, cut) = {
        let mut state = state.lock().unwrap();
        state
            .requests
            .push(format!("{path} {}", range.as_deref().unwrap_or("-")));
        (state.silent, state.cut_weights_at)
    };
    let mut stream = stream;
    if silent {
        // Hold the connection open without a byte until the client gives up.
        let mut sink = [0u8; 1];
        let _ = stream.read(&mut sink);
        return;
    }
    let Some(body) = files.get(&path) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let size = body.len();
    let (start, end) = match range.as_deref().and_then(|r| r.strip_prefix("bytes=")) {
        Some(spec) => {
            let (a, b) = spec.split_once('-').unwrap();
            let a: usize = a.parse().unwrap();
            let b: usize = if b.is_empty() {
                size - 1
            } else {
                b.parse().unwrap()
            };
            (a, b.min(size - 1))
        }
        None => (0, size - 1),
    };
    let part = &body[start..=end];
    let head = format!(
        "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{end}/{size}\r\nETag: \"{}\"\r\nX-Repo-Commit: {COMMIT}\r\nConnection: close\r\n\r\n",
        part.len(),
        sha256(body),
    );
    let _ = stream.write_all(head.as_bytes());
    let served = match cut {
        Some(at) if path.ends_with("/model.safetensors") && part.len() > 1 => &part[..at],
        _ => part,
    };
    let _ = stream.write_all(served);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// A working folder (the command's current directory), a hub cache and the target.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cache(&self) -> PathBuf {
        self.dir.path().join("hf")
    }

    fn target(&self) -> PathBuf {
        self.dir.path().join("models/tiny")
    }

    fn command(&self, endpoint: &str, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .current_dir(self.dir.path())
            .env("HF_ENDPOINT", endpoint)
            .env("HF_HOME", self.cache())
            .env_remove("RUST_LOG")
            .args(["model", "fetch"])
            .args(args);
        command
    }

    fn fetch(&self, endpoint: &str, sha: &str, extra: &[&str]) -> Output {
        let target = self.target();
        let mut args = vec![
            "--dir",
            target.to_str().unwrap(),
            "--repo",
            REPO,
            "--revision",
            COMMIT,
            "--sha256",
            sha,
        ];
        args.extend_from_slice(extra);
        self.command(endpoint, &args).output().unwrap()
    }

    /// Names in the target's parent folder (a staging folder left behind would show).
    fn parent_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path().join("models"))
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// The plain progress lines of a download of every file (stderr is not a terminal; a line
/// per tenth is only for files of 10 MB or more).
fn progress_lines() -> String {
    model_files()
        .iter()
        .map(|(name, bytes)| format!("fetching {name} ({} bytes)\n", bytes.len()))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn installed_message(target: &Path, endpoint: &str) -> String {
    format!(
        "installed MPNet, 2 layers, 4 wide into {} ({} bytes; downloaded from {endpoint}/{REPO} at {COMMIT}); the bot uses it from its next start\n\
         set [semantic] model_dir = \"{}\" for the bot to use this folder\n",
        target.display(),
        model_files()[2].1.len(),
        target.display()
    )
}

fn assert_installed(target: &Path) {
    for (name, bytes) in model_files() {
        assert_eq!(std::fs::read(target.join(name)).unwrap(), bytes, "{name}");
    }
    let provenance = std::fs::read_to_string(target.join("PROVENANCE.txt")).unwrap();
    assert!(
        provenance.contains(&weights_sha256()),
        "provenance names the checksum: {provenance}"
    );
}

#[test]
fn a_good_fetch_installs_the_model_and_a_second_run_keeps_it() {
    let hub = Hub::start();
    let setup = Setup::new();
    let out = setup.fetch(&hub.endpoint, &weights_sha256(), &[]);
    assert_eq!(text(&out.stderr), progress_lines());
    assert_eq!(
        text(&out.stdout),
        installed_message(&setup.target(), &hub.endpoint)
    );
    assert!(out.status.success());
    assert_installed(&setup.target());
    assert_eq!(setup.parent_entries(), ["tiny"]);
    // The hub's cache layout: the files stay there for the next fetch.
    let snapshot = setup
        .cache()
        .join(format!("hub/models--test--tiny-mpnet/snapshots/{COMMIT}"));
    assert!(snapshot.join("model.safetensors").exists());

    let again = setup.fetch(&hub.endpoint, &weights_sha256(), &[]);
    assert_eq!(
        text(&again.stdout),
        format!(
            "{} already holds a complete model (MPNet, 2 layers, 4 wide): kept. Remove the folder to fetch it again.\n",
            setup.target().display()
        )
    );
    assert!(again.status.success());
}

#[test]
fn a_checksum_mismatch_installs_nothing_and_forgets_the_download() {
    let hub = Hub::start();
    let setup = Setup::new();
    let wrong = "0".repeat(64);
    let out = setup.fetch(&hub.endpoint, &wrong, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "{}summit-bot: model.safetensors from {} has sha256 {}, expected {wrong}: nothing was installed\n",
            progress_lines(),
            hub.endpoint,
            weights_sha256()
        )
    );
    assert!(!setup.target().exists());
    assert_eq!(setup.parent_entries(), Vec::<String>::new());
    // The bad file is not served from the cache next time: the weights are downloaded again.
    let before = hub.state.lock().unwrap().requests.len();
    let out = setup.fetch(&hub.endpoint, &weights_sha256(), &[]);
    assert!(out.status.success(), "{out:?}");
    let requests = hub.state.lock().unwrap().requests[before..].join("\n");
    assert!(
        requests.contains("/model.safetensors bytes=0-"),
        "weights fetched again: {requests}"
    );
    assert_installed(&setup.target());
}

#[test]
fn a_connection_cut_halfway_installs_nothing_and_the_next_run_resumes() {
    let hub = Hub::start();
    let setup = Setup::new();
    let half = model_files()[2].1.len() / 2;
    hub.state.lock().unwrap().cut_weights_at = Some(half);
    let out = setup.fetch(&hub.endpoint, &weights_sha256(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = text(&out.stderr);
    let error = stderr.strip_prefix(&progress_lines()).unwrap_or(&stderr);
    assert!(
        error
            .starts_with("summit-bot: the connection broke off while fetching model.safetensors (")
            && error.ends_with("); run the command again to resume\n")
            && error.lines().count() == 1,
        "one sentence after the progress lines: {stderr}"
    );
    assert!(!setup.target().exists());
    assert_eq!(setup.parent_entries(), Vec::<String>::new());

    hub.state.lock().unwrap().cut_weights_at = None;
    let out = setup.fetch(&hub.endpoint, &weights_sha256(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert_installed(&setup.target());
    let requests = hub.state.lock().unwrap().requests.join("\n");
    assert!(
        requests.contains(&format!("/model.safetensors bytes={half}-")),
        "the second run asks for the rest only: {requests}"
    );
}

#[test]
fn an_unreachable_or_silent_hub_is_one_sentence() {
    let setup = Setup::new();
    // A port nothing listens on: bound, then closed.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let out = setup.fetch(&closed, &weights_sha256(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "summit-bot: cannot download config.json from {closed}: "
        )) && stderr.lines().count() == 1,
        "{stderr}"
    );

    let hub = Hub::start();
    hub.state.lock().unwrap().silent = true;
    let started = std::time::Instant::now();
    let out = setup.fetch(&hub.endpoint, &weights_sha256(), &["--timeout", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "summit-bot: no data from {} for 1 s: the download timed out (files already fetched stay in the cache and resume next time)\n",
            hub.endpoint
        )
    );
    // A stall is cut after the timeout, not after minutes (a generous bound).
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(!setup.target().exists());
}

#[test]
fn an_incomplete_folder_is_replaced() {
    let hub = Hub::start();
    let setup = Setup::new();
    std::fs::create_dir_all(setup.target()).unwrap();
    std::fs::write(setup.target().join("config.json"), "{}").unwrap();
    let out = setup.fetch(&hub.endpoint, &weights_sha256(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        text(&out.stdout),
        format!(
            "replaced {} (it had no vocab.txt, model.safetensors)\n{}",
            setup.target().display(),
            installed_message(&setup.target(), &hub.endpoint)
        )
    );
    assert_installed(&setup.target());
    assert_eq!(setup.parent_entries(), ["tiny"]);
}

#[cfg(unix)]
#[test]
fn a_read_only_target_is_one_sentence() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let hub = Hub::start();
    let setup = Setup::new();
    let models = setup.dir.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    // Others may enter the working folder and write the cache (the command may run as
    // another user, below); the models folder itself is read-only.
    std::fs::set_permissions(setup.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(setup.cache()).unwrap();
    std::fs::set_permissions(setup.cache(), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&models, std::fs::Permissions::from_mode(0o555)).unwrap();
    let target = setup.target();
    let sha = weights_sha256();
    let mut command = setup.command(
        &hub.endpoint,
        &[
            "--dir",
            target.to_str().unwrap(),
            "--repo",
            REPO,
            "--revision",
            COMMIT,
            "--sha256",
            &sha,
        ],
    );
    // Permissions do not bind root: then the command runs as `nobody`, for whom they do.
    if std::fs::write(models.join("probe"), b"").is_ok() {
        std::fs::remove_file(models.join("probe")).unwrap();
        command.uid(65534).gid(65534);
    }
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        format!(
            "summit-bot: cannot write in {}: permission denied\n",
            models.display()
        )
    );
    assert!(!target.exists());
    assert_eq!(
        hub.state.lock().unwrap().requests.len(),
        0,
        "nothing downloaded for a target that cannot be written"
    );
}

#[test]
fn from_a_folder_and_from_a_zip() {
    let setup = Setup::new();
    let source = setup.dir.path().join("made-elsewhere");
    std::fs::create_dir_all(&source).unwrap();
    for (name, bytes) in model_files() {
        std::fs::write(source.join(name), bytes).unwrap();
    }
    let target = setup.target();
    let sha = weights_sha256();
    let out = Command::new(BIN)
        .current_dir(setup.dir.path())
        .args(["model", "fetch", "--from", source.to_str().unwrap()])
        .args(["--dir", target.to_str().unwrap(), "--sha256", &sha])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        text(&out.stdout),
        format!(
            "installed MPNet, 2 layers, 4 wide into {} ({} bytes; installed from {}); the bot uses it from its next start\n\
             set [semantic] model_dir = \"{}\" for the bot to use this folder\n",
            target.display(),
            model_files()[2].1.len(),
            source.display(),
            target.display()
        )
    );
    assert_installed(&target);

    // A zip holding the folder, as the PyPI parts of scripts/fetch_mpnet.sh unpack to.
    let zip_path = setup.dir.path().join("model.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.add_directory("all-mpnet-base-v2/", options).unwrap();
        for (name, bytes) in model_files() {
            zip.start_file(format!("all-mpnet-base-v2/{name}"), options)
                .unwrap();
            zip.write_all(&bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    let zipped_target = setup.dir.path().join("models/from-zip");
    let out = Command::new(BIN)
        .current_dir(setup.dir.path())
        .args(["model", "fetch", "--from", zip_path.to_str().unwrap()])
        .args(["--dir", zipped_target.to_str().unwrap(), "--sha256", &sha])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_installed(&zipped_target);

    // The pinned checksum (all-mpnet-base-v2's) refuses the tiny model.
    let other = setup.dir.path().join("models/refused");
    let out = Command::new(BIN)
        .current_dir(setup.dir.path())
        .args(["model", "fetch", "--from", zip_path.to_str().unwrap()])
        .args(["--dir", other.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "summit-bot: model.safetensors of {} has sha256 {sha}, expected 78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658: nothing was installed\n",
            zip_path.display()
        )
    );
    assert!(!other.exists());
    assert_eq!(setup.parent_entries(), ["from-zip", "tiny"]);
}

/// `summit-bot [--config FILE] model status` run in `dir`.
fn status(dir: &Path, config: Option<&str>) -> Output {
    let mut command = Command::new(BIN);
    command.current_dir(dir).env_remove("RUST_LOG");
    if let Some(config) = config {
        std::fs::write(dir.join("config.toml"), config).unwrap();
        command.args(["--config", "config.toml"]);
    }
    command.args(["model", "status"]).output().unwrap()
}

const STATIC_MEMORY: &str = "memory: the static table only (18 MB, part of the binary); `summit-bot model fetch` installs all-mpnet-base-v2\n";

#[test]
fn the_default_folder_is_used_when_it_holds_a_complete_model() {
    let setup = Setup::new();
    let dir = setup.dir.path();
    let out = status(dir, None);
    assert_eq!(
        text(&out.stdout),
        format!(
            "answers with: minilm-static (static embeddings distilled from all-MiniLM-L6-v2; 18 MB, compiled in): no transformer: model_dir unset and no complete models/all-mpnet-base-v2 or models/minilm-l6\n{STATIC_MEMORY}"
        ),
        "{out:?}"
    );

    // An incomplete folder is not used.
    let folder = dir.join("models/all-mpnet-base-v2");
    std::fs::create_dir_all(&folder).unwrap();
    let files = model_files();
    std::fs::write(folder.join(files[0].0), &files[0].1).unwrap();
    let out = status(dir, None);
    assert!(
        text(&out.stdout).starts_with("answers with: minilm-static "),
        "{out:?}"
    );

    for (name, bytes) in &files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    let out = status(dir, None);
    // The memory counts the dense layers' weights as packed for the product (each padded to
    // a multiple of 16 outputs: 2,560 bytes for this tiny model).
    assert_eq!(
        text(&out.stdout),
        "answers with: all-mpnet-base-v2 (MPNet, 2 layers, 4 wide; 501 KB) from models/all-mpnet-base-v2 (found by default, model_dir unset)\n\
         memory: 500880 bytes of weights once loaded, plus about 3 KB per passage sentence or footnote embedded\n",
        "{out:?}"
    );
    // The engine behind `ask` loads it too, and its start-up log says so.
    let asked = Command::new(BIN)
        .current_dir(dir)
        .env("RUST_LOG", "summit_bot=info")
        .args(["ask", "--json", "Did they agree to a hotline?"])
        .output()
        .unwrap();
    assert!(asked.status.success(), "{asked:?}");
    let log = text(&asked.stderr);
    assert!(
        log.contains("model answers model=all-mpnet-base-v2 (MPNet, 2 layers, 4 wide; 501 KB) from models/all-mpnet-base-v2 (found by default, model_dir unset)"),
        "{log}"
    );

    // `model_dir = ""`: no transformer, whatever the folder holds.
    let out = status(dir, Some("[semantic]\nmodel_dir = \"\"\n"));
    assert_eq!(
        text(&out.stdout),
        format!(
            "answers with: minilm-static (static embeddings distilled from all-MiniLM-L6-v2; 18 MB, compiled in): no transformer: model_dir is \"\"\n{STATIC_MEMORY}"
        )
    );

    // A damaged folder is a readable error naming it.
    std::fs::write(folder.join("config.json"), "{ not json").unwrap();
    let out = status(dir, None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(
            "summit-bot: models/all-mpnet-base-v2 (used because semantic.model_dir is unset; set it to \"\" for no transformer): models/all-mpnet-base-v2/config.json: "
        ) && stderr.lines().count() == 1,
        "{stderr}"
    );
}

/// Without `model_dir` and without a complete all-mpnet-base-v2 folder, the transformer
/// shipped in the repository (`models/minilm-l6`) answers; an installed MPNet comes first.
#[test]
fn the_shipped_minilm_answers_when_no_mpnet_is_installed() {
    let setup = Setup::new();
    let dir = setup.dir.path();
    let shipped = dir.join("models/minilm-l6");
    std::fs::create_dir_all(&shipped).unwrap();
    let tiny_bert = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-bert");
    for name in ["config.json", "model.safetensors"] {
        std::fs::copy(tiny_bert.join(name), shipped.join(name)).unwrap();
    }
    std::fs::write(
        shipped.join("vocab.txt"),
        include_str!("../models/minilm-static/vocab.txt"),
    )
    .unwrap();
    let out = status(dir, None);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("answers with: minilm-l6 (BERT, 2 layers, 4 wide; ")
            && stdout.contains(" from models/minilm-l6 (found by default, model_dir unset)\n"),
        "{out:?}"
    );

    let folder = dir.join("models/all-mpnet-base-v2");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, bytes) in &model_files() {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    let out = status(dir, None);
    assert!(
        text(&out.stdout).starts_with("answers with: all-mpnet-base-v2 (MPNet, "),
        "{out:?}"
    );

    let out = status(dir, Some("[semantic]\nmodel_dir = \"\"\n"));
    assert!(
        text(&out.stdout).starts_with("answers with: minilm-static "),
        "{out:?}"
    );
}
