//! The real `summit-bot` binary as a child process against the fake Discord: start it with a
//! config and environment, wait until it is ready, signal it, read its log; and a token whose
//! every part must never reach a log.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::fake_discord::FakeDiscord;

/// How long start-up and each awaited event may take.
pub const WAIT: Duration = Duration::from_secs(30);
/// Liveness bound for leaving after SIGTERM (the bot's own limits: 6 s for the shards, 3 s for
/// questions in flight).
pub const EXIT_WITHIN: Duration = Duration::from_secs(12);

/// A `summit-bot serve` process; killed on drop.
pub struct Bot {
    pub child: Child,
    /// Where its stderr (the log) goes.
    pub stderr: PathBuf,
    /// Its working folder (config, index, the default question log `data/summit.db`).
    pub dir: tempfile::TempDir,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Config sections after `[corpus]` for [`spawn_bot`]: limits high enough for bursts.
pub const HIGH_LIMITS: &str = "[limits]\nuser_burst = 1000\nchannel_burst = 1000\n";

/// Starts the binary with `token`, `DISCORD_API_URL=api_url`, `RUST_LOG=rust_log` and
/// [`HIGH_LIMITS`], its index in a temp folder.
pub fn spawn_bot(token: &str, api_url: &str, rust_log: &str) -> Bot {
    spawn_bot_with(token, api_url, rust_log, HIGH_LIMITS, &[])
}

/// [`spawn_bot`] with `config_tail` (TOML sections after `[corpus]`) and extra environment
/// variables.
pub fn spawn_bot_with(
    token: &str,
    api_url: &str,
    rust_log: &str,
    config_tail: &str,
    envs: &[(&str, &str)],
) -> Bot {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        format!(
            "[corpus]\nindex_dir = {:?}\n\n{config_tail}",
            dir.path().join("idx").display().to_string()
        ),
    )
    .expect("config");
    let stderr = dir.path().join("stderr.log");
    let child = Command::new(env!("CARGO_BIN_EXE_summit-bot"))
        .arg("--config")
        .arg(&config)
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", token)
        .env("DISCORD_API_URL", api_url)
        .env("RUST_LOG", rust_log)
        .env_remove("DISCORD_TOKEN_FILE")
        .env_remove("SUMMIT_HTTP_ADDR")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("spawn summit-bot");
    Bot { child, stderr, dir }
}

/// Sends SIGTERM to the process.
pub fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// Waits for the process to end (at most `limit`); returns its status and how long it took.
pub async fn wait_exit(child: &mut Child, limit: Duration) -> Option<(ExitStatus, Duration)> {
    let t = Instant::now();
    while t.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some((status, t.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// The file's text (empty if missing).
pub fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// Waits until *this* bot process is ready: the fake saw an IDENTIFY and the command
/// registration, and the process's own log says it registered them (so a SIGTERM now reaches
/// a running bot, not one still building its index).
pub async fn wait_ready(fake: &FakeDiscord, bot: &Bot) {
    assert!(
        fake.wait_for_identify(WAIT).await,
        "the bot never identified:\n{}",
        read(&bot.stderr)
    );
    assert!(fake
        .wait_for_request(|r| r.method == "PUT" && r.path.ends_with("/commands"), WAIT)
        .await
        .is_some());
    let deadline = Instant::now() + WAIT;
    while !read(&bot.stderr).contains("registered commands") {
        assert!(
            Instant::now() < deadline,
            "the bot never logged its command registration:\n{}",
            read(&bot.stderr)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ----- secrets -----------------------------------------------------------------------------

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A well-formed token whose every part is distinctive, and the strings that must never be
/// logged: the token, each part, and the decoded first part (the bot's user id in real tokens).
pub fn secret_token() -> (String, Vec<String>) {
    let decoded_id = "987654321098765432";
    let first = base64(decoded_id.as_bytes());
    let second = "GqRsTu";
    let third = "zS3cr3tTokenPartNeverLogged_0123456789xy";
    let token = format!("{first}.{second}.{third}");
    let forbidden = vec![
        token.clone(),
        first,
        format!("{second}.{third}"),
        third.to_string(),
        decoded_id.to_string(),
    ];
    (token, forbidden)
}

pub fn assert_no_secret(log: &str, forbidden: &[String], what: &str) {
    for secret in forbidden {
        assert!(
            !log.contains(secret.as_str()),
            "{what}: the log contains {secret:?}"
        );
    }
}
