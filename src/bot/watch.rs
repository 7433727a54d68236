//! Watching the articles folder: a file dropped in, edited, renamed or removed reloads the
//! articles (see [`super::reload`]). Events are debounced (editors and deploy tools write a
//! temporary file and rename it, producing bursts), and only article and metadata files
//! count, so a temporary `x.md.tmp` or `.x.md.swp` triggers nothing until it is renamed.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};
use tracing::{info, warn};

use super::reload::{EngineHandle, Trigger};
use crate::config::Config;

/// The running watcher; watching stops when it is dropped.
pub type ArticleWatcher = Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>;

/// Whether a changed path can change what the bot answers.
pub fn is_article_file(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'));
    let relevant = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "txt" | "md" | "markdown" | "toml"
        )
    });
    relevant && !hidden
}

/// Starts watching `dir`; each debounced burst of relevant changes reloads the articles.
/// Returns `None` (with a warning) when the folder cannot be watched: the bot still runs, and
/// `/reload` and SIGHUP still work.
pub fn watch_articles(
    dir: &Path,
    debounce: Duration,
    handle: Arc<EngineHandle>,
    config: Config,
) -> Option<ArticleWatcher> {
    // One pending reload is enough: changes during a rebuild are picked up by the next one.
    let (changed_tx, mut changed) = tokio::sync::mpsc::channel::<()>(1);
    let mut debouncer =
        match new_debouncer(debounce, move |result: DebounceEventResult| match result {
            Ok(events) if events.iter().any(|e| is_article_file(&e.path)) => {
                let _ = changed_tx.try_send(());
            }
            Ok(_) => {}
            Err(error) => warn!(%error, "watching the articles folder failed"),
        }) {
            Ok(debouncer) => debouncer,
            Err(error) => {
                warn!(%error, "cannot watch the articles folder; use /reload or SIGHUP");
                return None;
            }
        };
    if let Err(error) = debouncer.watcher().watch(dir, RecursiveMode::NonRecursive) {
        warn!(dir = %dir.display(), %error, "cannot watch the articles folder; use /reload or SIGHUP");
        return None;
    }
    info!(dir = %dir.display(), "watching the articles folder");
    tokio::spawn(async move {
        while changed.recv().await.is_some() {
            info!("articles changed: reloading");
            let _ = handle.reload_for(&config, Trigger::Watch).await;
        }
    });
    Some(debouncer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_article_and_metadata_files_count() {
        assert!(is_article_file(Path::new("a/x.md")));
        assert!(is_article_file(Path::new("a/x.TXT")));
        assert!(is_article_file(Path::new("a/x.toml")));
        assert!(!is_article_file(Path::new("a/x.md.tmp")));
        assert!(!is_article_file(Path::new("a/.x.md.swp")));
        assert!(!is_article_file(Path::new("a/.hidden.md")));
        assert!(!is_article_file(Path::new("a/notes")));
    }
}
