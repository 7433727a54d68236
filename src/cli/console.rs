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
    let rest: Vec<&str> = words.collect();
    // `/point 2 hotline`, `/points hotline`: anything after the number names the article.
    let (number, article) = match (command, rest.split_first()) {
        ("/point" | "/footnote", Some((n, tail))) => (Some(n.parse::<u32>()), tail.join(" ")),
        _ => (None, rest.join(" ")),
    };
    let article = Some(article.as_str()).filter(|a| !a.is_empty());
    let looked_up = || engine.article(article);
    Ok(match (command, number) {
        ("/help" | "/?", _) => text::console_help(),
        ("/about", _) => text::about(&engine.about()),
        ("/points", _) => match looked_up() {
            Ok(a) => text::points(&a.points),
            Err(err) => format!(
                "{}. /about lists the articles.\n",
                capitalise(&err.to_string())
            ),
        },
        ("/point", Some(Ok(n))) => match looked_up() {
            Ok(a) => match engine.point(a, n)? {
                Some(hit) => text::hit(&hit),
                None => format!(
                    "There is no point {n}; {} lists {}. Try /points.\n",
                    engine.article_name(a),
                    a.points.len()
                ),
            },
            Err(err) => format!(
                "{}. /about lists the articles.\n",
                capitalise(&err.to_string())
            ),
        },
        ("/footnote", Some(Ok(n))) => match looked_up() {
            Ok(a) => match a.footnote(n) {
                Some(f) => text::footnote(f) + "\n",
                None => format!(
                    "There is no footnote {n}; {} has {}.\n",
                    engine.article_name(a),
                    a.footnotes.len()
                ),
            },
            Err(err) => format!(
                "{}. /about lists the articles.\n",
                capitalise(&err.to_string())
            ),
        },
        ("/point" | "/footnote", _) => format!("Usage: {command} N [article] (a number)\n"),
        (c, _) if c.starts_with('/') => format!("Unknown command {c}. Type /help.\n"),
        _ => text::response(&engine.ask(line)?),
    })
}

/// The message with its first letter in upper case.
fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
