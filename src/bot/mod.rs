//! The Discord front end (poise on serenity).

/// Runs the Discord bot until it is told to stop.
pub fn serve(_config: &crate::config::Config) -> anyhow::Result<i32> {
    anyhow::bail!("the Discord front end is not built yet")
}
