//! A throwaway PostgreSQL server for tests: `initdb` and `pg_ctl` into a temporary folder,
//! run as the unprivileged `postgres` user when the tests run as root (initdb refuses root),
//! listening only on a Unix socket inside that folder (no TCP port to race for). When the
//! binaries are absent, [`Postgres::start`] returns `None` and the caller prints why it skips.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running server; dropping it stops the server and removes its folder.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
    /// Connection URL (`postgresql:///postgres?user=postgres&host=<socket folder>`).
    pub url: String,
}

/// The folder holding `initdb` and `pg_ctl`: `SUMMIT_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout), else the `PATH`.
fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SUMMIT_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .find(|p| p.join("initdb").is_file() && p.join("pg_ctl").is_file())
        })
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The `postgres` user's uid and gid.
fn postgres_ids() -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, "postgres"]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}

impl Postgres {
    /// Starts a server, or explains (`Err`) why it cannot: missing binaries or user.
    pub fn start() -> Result<Postgres, String> {
        let bin = find_bin().ok_or("PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql (Debian: apt-get install postgresql) or set SUMMIT_PG_BIN")?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("summit-pg")
            .tempdir_in("/tmp") // short: a Unix socket path must stay under 108 bytes
            .map_err(|e| format!("temp folder: {e}"))?;
        if as_postgres {
            let (uid, gid) = postgres_ids()
                .ok_or("running as root but there is no `postgres` user to run initdb as")?;
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.path().display()))?;
        }
        let server = Postgres {
            url: format!(
                "postgresql:///postgres?user=postgres&host={}",
                dir.path().display()
            ),
            dir,
            bin,
            as_postgres,
        };
        let data = server.data_dir();
        server.run(
            "initdb",
            &[
                "-D",
                data.to_str().ok_or("temp path is not UTF-8")?,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off",
            server.dir.path().display()
        );
        let log = server.dir.path().join("server.log");
        server.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap_or_default(),
                "-w",
                "-t",
                "120",
                "start",
            ],
        )?;
        Ok(server)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("db")
    }

    /// The socket folder (for building other URLs).
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Stops the server now (fast shutdown); also done on drop.
    pub fn stop(&self) {
        let data = self.data_dir();
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
