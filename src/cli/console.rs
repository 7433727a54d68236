//! The console chat: the same answers as the Discord bot, on stdin/stdout, no token needed.

use std::io::{BufRead, IsTerminal, Write};

use crate::engine::Engine;
use crate::render::text;

/// Reads questions and slash commands until end of input (Ctrl-D).
pub fn run(engine: &Engine, input: impl BufRead, mut out: impl Write) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        let about = engine.about();
        writeln!(out, "summit-bot: ask about \"{}\".", about.title)?;
        writeln!(
            out,
            "Type a question, /points, /point N, /footnote N or /help. Ctrl-D quits."
        )?;
    }
    let prompt = |out: &mut dyn Write| -> std::io::Result<()> {
        if interactive {
            write!(out, "> ")?;
        }
        out.flush()
    };
    prompt(&mut out)?;
    for line in input.lines() {
        let line = line?;
        let reply = reply(engine, line.trim())?;
        if !reply.is_empty() {
            writeln!(out, "{reply}")?;
        }
        prompt(&mut out)?;
    }
    if interactive {
        writeln!(out)?;
    }
    Ok(())
}

/// The console's reply to one line.
pub fn reply(engine: &Engine, line: &str) -> anyhow::Result<String> {
    if line.is_empty() {
        return Ok(String::new());
    }
    let mut words = line.split_whitespace();
    let command = words.next().unwrap_or("");
    let number = words.next().map(str::parse::<u32>);
    Ok(match (command, number) {
        ("/help" | "/?", _) => text::console_help(),
        ("/points", _) => text::points(engine.points()),
        ("/about", _) => text::about(&engine.about()),
        ("/point", Some(Ok(n))) => match engine.point(n)? {
            Some(hit) => text::hit(&hit),
            None => format!(
                "There is no point {n}; the article lists {}. Try /points.\n",
                engine.points().len()
            ),
        },
        ("/footnote", Some(Ok(n))) => match engine.footnote(n) {
            Some(f) => text::footnote(f) + "\n",
            None => format!(
                "There is no footnote {n}; the article has {}.\n",
                engine.footnotes().len()
            ),
        },
        ("/point" | "/footnote", _) => format!("Usage: {command} N (a number)\n"),
        (c, _) if c.starts_with('/') => format!("Unknown command {c}. Type /help.\n"),
        _ => text::response(&engine.ask(line)?),
    })
}
