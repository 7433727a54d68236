//! `deploy/summit-bot.service` passes `systemd-analyze verify` with no warning, its
//! `ExecStart` pointed at the binary under test; and it keeps the promises the README makes
//! (a dedicated user, the token as a credential, restart on failure, SIGTERM to stop).

use std::process::Command;

const UNIT: &str = include_str!("../deploy/summit-bot.service");

#[test]
fn the_unit_keeps_the_documented_promises() {
    for line in [
        "DynamicUser=yes",
        "LoadCredential=discord-token:/etc/summit-bot/discord-token",
        "Environment=DISCORD_TOKEN_FILE=%d/discord-token",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
        "ExecStart=/usr/local/bin/summit-bot --config /etc/summit-bot/summit-bot.toml serve",
    ] {
        assert!(UNIT.lines().any(|l| l == line), "the unit lacks {line:?}");
    }
    assert!(
        !UNIT.contains("DISCORD_TOKEN="),
        "the token never goes in the unit"
    );
}

#[test]
fn systemd_analyze_verify_accepts_the_unit() {
    let bin = env!("CARGO_BIN_EXE_summit-bot");
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED systemd_analyze_verify_accepts_the_unit: systemd-analyze is not installed (apt-get install systemd)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = dir.path().join("summit-bot.service");
    std::fs::write(&unit, UNIT.replace("/usr/local/bin/summit-bot", bin)).expect("write unit");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .expect("run systemd-analyze");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {stderr}", out.status);
    // Unknown keys and bad values are only warnings (exit 0): none is allowed.
    assert!(stderr.trim().is_empty(), "systemd-analyze warns:\n{stderr}");
}
