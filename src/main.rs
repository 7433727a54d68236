//! The `summit-bot` binary: parses the command line, reads the config, sets up logging, and
//! hands over to the console/CLI front end or the Discord bot. Errors end here, as one line.

use std::io::IsTerminal;

use anyhow::Context;
use clap::Parser;
use summit_bot::cli::{self, Cli, Command};
use summit_bot::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("summit-bot: {err:#}");
            std::process::exit(1);
        }
    }
}

fn run() -> anyhow::Result<i32> {
    let args = Cli::parse();
    let config = Config::load(args.config.as_deref()).context("invalid configuration")?;
    let token_present = std::env::var_os("DISCORD_TOKEN").is_some()
        || std::env::var_os("DISCORD_TOKEN_FILE").is_some();
    let command = match args.command {
        Some(command) => command,
        None if token_present => Command::Serve,
        None => Command::Chat,
    };
    let serving = matches!(command, Command::Serve);
    // The bot logs at the configured level; the console commands stay quiet unless asked.
    let level = if serving {
        config.log.level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .context("invalid log filter")?;
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a terminal: not in journald, files or pipes.
        .with_ansi(std::io::stderr().is_terminal());
    match config.log.format {
        LogFormat::Text => logs.init(),
        // One object per line, fields at the top level, for log shippers.
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    cli::run(command, &config)
}
