//! Keyed hashing of Discord user ids, so the store can count distinct askers and keep one
//! vote per user without holding any raw id. The key is `SUMMIT_HASH_KEY` (required for
//! PostgreSQL, so that every process hashes alike) or, for SQLite only, a random key generated
//! once into the database's folder (`hash.key`, readable by its owner only).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use hmac::{KeyInit, Mac};

/// The environment variable holding the key.
pub const KEY_ENV: &str = "SUMMIT_HASH_KEY";
/// The generated key's file name, beside the SQLite database.
pub const KEY_FILE: &str = "hash.key";

/// Why no key is available.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// PostgreSQL needs the key from the environment.
    #[error("{KEY_ENV} must be set when the store is PostgreSQL (every process must hash user ids alike)")]
    Missing,
    /// The key file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The operating system gave no random bytes.
    #[error("no random bytes for a new hash key: {0}")]
    Random(String),
}

/// Hashes user ids with a secret key (HMAC-SHA-256, first 16 bytes as hex).
#[derive(Clone)]
pub struct Hasher {
    mac: hmac::Hmac<sha2::Sha256>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher(..)")
    }
}

impl Hasher {
    /// A hasher with this key.
    pub fn new(key: &[u8]) -> Hasher {
        Hasher {
            mac: hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length")),
        }
    }

    /// The keyed hash of a user id (32 hex digits).
    pub fn user(&self, id: u64) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"user:");
        mac.update(&id.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        hex(&digest[..16])
    }
}

/// Lowercase hex digits of `bytes`, into one string (no allocation per byte).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// The key: `SUMMIT_HASH_KEY` when set; else, with a SQLite folder, the key file there
/// (created with mode 0600 on first use); else an error.
pub fn load_key(
    env_key: Option<String>,
    sqlite_folder: Option<&Path>,
) -> Result<Vec<u8>, KeyError> {
    if let Some(key) = env_key.filter(|k| !k.trim().is_empty()) {
        return Ok(key.into_bytes());
    }
    let folder = sqlite_folder.ok_or(KeyError::Missing)?;
    let path = folder.join(KEY_FILE);
    let io = |source| KeyError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    std::fs::create_dir_all(folder).map_err(|source| KeyError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = hex(&bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(key.as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(key.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path).map_err(io)?;
            Ok(text.trim().as_bytes().to_vec())
        }
        Err(e) => Err(io(e)),
    }
}

/// A random key for this process only (the key file could not be made: nothing can be
/// written there anyway, and hashes must still never be raw ids).
pub fn ephemeral_key() -> Vec<u8> {
    let mut bytes = [0u8; 32];
    if getrandom::getrandom(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes[..16].copy_from_slice(&nanos.to_le_bytes());
    }
    bytes.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_two_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn hashes_depend_on_the_key_and_never_show_the_id() {
        let a = Hasher::new(b"key one");
        let b = Hasher::new(b"key two");
        assert_eq!(a.user(42), a.user(42));
        assert_ne!(a.user(42), a.user(43));
        assert_ne!(a.user(42), b.user(42));
        assert_eq!(a.user(42).len(), 32);
        assert!(!a.user(123456789).contains("123456789"));
    }

    #[test]
    fn key_file_is_generated_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_key(None, Some(dir.path())).unwrap();
        let second = load_key(None, Some(dir.path())).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            load_key(Some("from env".into()), Some(dir.path())).unwrap(),
            b"from env"
        );
        assert!(matches!(load_key(None, None), Err(KeyError::Missing)));
    }
}
