//! The console chat: the same answers as the Discord bot, on stdin/stdout, no token needed.
//! It is one conversation: each question is read with the previous exchange (a follow-up
//! such as "who chairs it?" leans on it), until `/new` starts over.

use std::io::{BufRead, IsTerminal, Write};

use crate::answer::Response;
use crate::cli::lines::{read_line, too_long_message, Line, MAX_LINE_BYTES};
use crate::engine::Engine;
use crate::render::text;
use crate::retrieve::follow_up::Turn;
use crate::source::Source;
use crate::store::{Asked, Outcome, Store};

/// Reads questions and slash commands until end of input (Ctrl-D). Questions (not slash
/// commands) are recorded in `store` when given, as source `console`.
pub fn run(
    engine: &Engine,
    store: Option<&Store>,
    mut input: impl BufRead,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        let about = engine.about();
        writeln!(out, "summit-bot: ask about \"{}\".", about.title)?;
        writeln!(
            out,
            "Type a question (a follow-up builds on the last answer; /new starts over), /points, /point N, /footnote N or /help. Ctrl-D quits."
        )?;
    }
    let prompt = |out: &mut dyn Write| -> std::io::Result<()> {
        if interactive {
            write!(out, "> ")?;
        }
        out.flush()
    };
    prompt(&mut out)?;
    let mut bytes = Vec::new();
    let mut previous: Option<Turn> = None;
    while let Some(read) = read_line(&mut input, &mut bytes, MAX_LINE_BYTES)? {
        if read == Line::TooLong {
            writeln!(out, "{}", too_long_message())?;
            prompt(&mut out)?;
            continue;
        }
        // Invalid UTF-8 is replaced, so a stray byte never ends the chat.
        let line = String::from_utf8_lossy(&bytes);
        let started = std::time::Instant::now();
        let (reply, response) = answer_line(engine, line.trim(), &mut previous)?;
        if let (Some(store), Some(response)) = (store, &response) {
            store.record_question(Asked {
                answer_id: store.new_answer_id(),
                source: Source::Console,
                guild: None,
                channel: None,
                user: 0,
                question: &response.question,
                outcome: Outcome::of(response),
                latency: started.elapsed(),
            });
        }
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

/// The console's reply to one line, the first of a conversation.
pub fn reply(engine: &Engine, line: &str) -> anyhow::Result<String> {
    Ok(answer_line(engine, line, &mut None)?.0)
}

/// The console's reply to one line, and the engine's response when the line was a question.
/// `previous` is the conversation's last exchange: a question is read with it and replaces
/// it, `/new` forgets it.
fn answer_line(
    engine: &Engine,
    line: &str,
    previous: &mut Option<Turn>,
) -> anyhow::Result<(String, Option<Response>)> {
    if line.is_empty() {
        return Ok((String::new(), None));
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
    let reply = match (command, number) {
        ("/help" | "/?", _) => text::console_help(),
        ("/new", _) => {
            *previous = None;
            "Starting over: the next question is read on its own.\n".to_string()
        }
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
        _ => {
            let (response, turn) = engine.ask_in(line, previous.as_ref())?;
            let mut reply = text::response(&response);
            if turn.context_used {
                reply.push_str(&text::following_up(&turn));
            }
            *previous = Some(turn);
            return Ok((reply, Some(response)));
        }
    };
    Ok((reply, None))
}

/// The message with its first letter in upper case.
fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
