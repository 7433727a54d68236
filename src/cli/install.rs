//! Installing a model folder atomically: the files go into a hidden staging folder beside the
//! target (same parent, so the same disk), are checked (the weights' sha256, then a full
//! load), and the staging folder is renamed to the target at the end. A failure at any step
//! removes the staging folder, so an interrupted or failed install leaves nothing
//! half-written and the next run starts clean.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sha2::Digest;

use crate::semantic::contextual::MODEL_FILES;

/// A staging folder that is removed unless [`Staging::commit`] renamed it into place.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `.{name}.partial-{pid}` beside `target` (and the parent folder if missing).
    pub fn new(target: &Path) -> anyhow::Result<Staging> {
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{} is not a folder name", target.display()))?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| io_error("cannot create", &parent, e))?;
        let dir = parent.join(format!(".{name}.partial-{}", std::process::id()));
        // A staging folder of an earlier run of this process id would be stale.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).map_err(|e| io_error("cannot write in", &parent, e))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// The staging folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Puts `source` into the staging folder as `name`: a hard link when the disk allows
    /// it (the hub's cache is never modified in place), else a copy.
    pub fn link_or_copy(&self, source: &Path, name: &str) -> anyhow::Result<()> {
        let source = source
            .canonicalize()
            .map_err(|e| io_error("cannot read", source, e))?;
        let destination = self.dir.join(name);
        if std::fs::hard_link(&source, &destination).is_ok() {
            return Ok(());
        }
        std::fs::copy(&source, &destination)
            .map_err(|e| io_error("cannot copy to", &self.dir, e))?;
        Ok(())
    }

    /// Writes `bytes` into the staging folder as `name`.
    pub fn write(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        std::fs::write(self.dir.join(name), bytes)
            .map_err(|e| io_error("cannot write", &self.dir, e))
    }

    /// Renames the staging folder to the target. An existing target (incomplete or damaged:
    /// the caller kept a good one) is moved aside first and removed after.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let parent = self.dir.parent().unwrap_or(Path::new("."));
        let old = parent.join(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("model"),
            std::process::id()
        ));
        let replaced = self.target.exists();
        if replaced {
            std::fs::rename(&self.target, &old)
                .map_err(|e| io_error("cannot move aside", &self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if replaced {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(io_error("cannot rename into", &self.target, e));
        }
        self.committed = true;
        if replaced {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// One sentence for a failed file operation; a full disk is named as such.
pub fn io_error(action: &str, path: &Path, error: std::io::Error) -> anyhow::Error {
    match error.kind() {
        std::io::ErrorKind::StorageFull => {
            anyhow::anyhow!("no space left on the disk holding {}", path.display())
        }
        std::io::ErrorKind::ReadOnlyFilesystem => {
            anyhow::anyhow!("{} is on a read-only disk", path.display())
        }
        std::io::ErrorKind::PermissionDenied => {
            anyhow::anyhow!("{action} {}: permission denied", path.display())
        }
        _ => anyhow::anyhow!("{action} {}: {error}", path.display()),
    }
}

/// The sha256 of a file, as lowercase hex.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| io_error("cannot read", path, e))?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|e| io_error("cannot read", path, e))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Fails unless `path` has the sha256 `expected`.
pub fn check_sha256(path: &Path, what: &str, expected: &str) -> anyhow::Result<()> {
    let actual = sha256_file(path)?;
    if actual != expected.to_ascii_lowercase() {
        bail!("{what} has sha256 {actual}, expected {expected}: nothing was installed");
    }
    Ok(())
}

/// Puts the model files of `from` (a folder holding them, or a zip holding them at any
/// depth, such as the one `scripts/fetch_mpnet.sh` unpacks) into the staging folder.
pub fn stage_from(staging: &Staging, from: &Path) -> anyhow::Result<()> {
    let meta = std::fs::metadata(from).map_err(|e| io_error("cannot read", from, e))?;
    if meta.is_dir() {
        for name in MODEL_FILES {
            let source = from.join(name);
            if !source.is_file() {
                bail!("{} has no {name}", from.display());
            }
            staging.link_or_copy(&source, name)?;
        }
        return Ok(());
    }
    let file = std::fs::File::open(from).map_err(|e| io_error("cannot read", from, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        anyhow::anyhow!("{} is neither a folder nor a zip file: {e}", from.display())
    })?;
    for name in MODEL_FILES {
        // The shallowest entry named `name` (a zip may hold the folder itself).
        let entry = (0..archive.len())
            .filter_map(|i| {
                let entry = archive.name_for_index(i)?;
                let depth = entry.matches('/').count();
                (entry == name || entry.ends_with(&format!("/{name}"))).then_some((depth, i))
            })
            .min()
            .map(|(_, i)| i);
        let Some(index) = entry else {
            bail!("{} holds no {name}", from.display());
        };
        let mut entry = archive
            .by_index(index)
            .map_err(|e| anyhow::anyhow!("cannot read {name} in {}: {e}", from.display()))?;
        let destination = staging.path().join(name);
        let mut out = std::fs::File::create(&destination)
            .map_err(|e| io_error("cannot write", staging.path(), e))?;
        std::io::copy(&mut entry, &mut out).map_err(|e| match e.kind() {
            std::io::ErrorKind::StorageFull => io_error("cannot write", staging.path(), e),
            _ => anyhow::anyhow!("cannot unpack {name} from {}: {e}", from.display()),
        })?;
        out.flush()
            .map_err(|e| io_error("cannot write", staging.path(), e))?;
    }
    Ok(())
}
