//! Plain terminal text for the console chat and the `ask`, `point`, `points`, `footnote`
//! subcommands.

use crate::answer::{Hit, Response};
use crate::engine::About;
use crate::ingest::{Footnote, Point};
use crate::retrieve::follow_up::Turn;

/// Example questions suggested when nothing matched.
pub const EXAMPLE_QUESTIONS: [&str; 2] = [
    "Is there a hotline?",
    "What tools will the US use against cybercriminals?",
];

/// Where a hit sits: "paragraph 2, point 4".
pub fn location(hit: &Hit) -> String {
    match hit.passage.point {
        Some(point) => format!("paragraph {}, point {}", hit.passage.paragraph, point),
        None => format!("paragraph {}", hit.passage.paragraph),
    }
}

/// A hit as text: heading, verbatim passage, footnotes.
pub fn hit(hit: &Hit) -> String {
    let mut out = format!(
        "{} ({})\n\n{}\n",
        hit.passage.title,
        location(hit),
        hit.passage.text
    );
    if !hit.footnotes.is_empty() {
        out.push('\n');
        for f in hit.footnotes.iter() {
            out.push_str(&footnote(f));
            out.push('\n');
        }
    }
    out
}

/// A footnote line: `[n] text`.
pub fn footnote(f: &Footnote) -> String {
    format!("[{}] {}", f.number, f.text)
}

/// The reply when nothing answers well.
pub fn no_answer() -> String {
    format!(
        "No good answer in the article for that. Try /points, or ask for example \"{}\" or \"{}\"\n",
        EXAMPLE_QUESTIONS[0], EXAMPLE_QUESTIONS[1]
    )
}

/// A full response: the answer with how good it is, or the no-answer note.
pub fn response(response: &Response) -> String {
    match &response.answer {
        None => no_answer(),
        Some(best) => {
            let others = response.alternatives.len();
            let mut out = hit(best);
            out.push_str(&format!(
                "\nmatch {:.0}% of the question · {} other match{}\n",
                best.coverage * 100.0,
                others,
                if others == 1 { "" } else { "es" }
            ));
            out
        }
    }
}

/// The list of agreement points.
pub fn points(points: &[Point]) -> String {
    if points.is_empty() {
        return "The article lists no points.\n".to_string();
    }
    let mut out = String::new();
    for p in points {
        out.push_str(&format!("{}. {}\n", p.number, p.short_title(100)));
    }
    out
}

/// Counts of one article or of all: "6 paragraphs, 4 points, 4 footnotes".
pub fn counts(paragraphs: usize, points: usize, footnotes: usize) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}, {}",
        plural(paragraphs, "paragraph", "paragraphs"),
        plural(points, "point", "points"),
        plural(footnotes, "footnote", "footnotes")
    )
}

/// Corpus facts: the default article, the totals, then every article with its id.
pub fn about(about: &About) -> String {
    let mut out = format!("{}\n", about.title);
    if let Some(url) = &about.source_url {
        out.push_str(&format!("Source: {url}\n"));
    }
    if let Some(date) = &about.published {
        out.push_str(&format!("Published: {date}\n"));
    }
    let n = about.articles.len();
    out.push_str(&format!(
        "{n} article{}, {}\n",
        if n == 1 { "" } else { "s" },
        counts(about.passages, about.points, about.footnotes)
    ));
    if n > 1 {
        out.push_str("\nArticles (id: title, counts; * = used when no --article is given):\n");
        for a in &about.articles {
            out.push_str(&format!(
                "{} {}: {} ({})\n",
                if a.is_default { "*" } else { " " },
                a.id,
                a.title,
                counts(a.paragraphs, a.points, a.footnotes)
            ));
        }
    }
    out
}

/// Help for the console chat.
pub fn console_help() -> String {
    "Ask a question in plain words, or:\n  /point N     show agreement point N\n  /points      list the agreement points\n  /footnote N  show footnote N\n  /about       what the bot knows\n  /new         start a new conversation\n  /help        this help\nA follow-up (\"who chairs it?\", \"and the Chinese side?\") is read with the previous question and answer; /new starts over and the next question is read on its own.\nAfter /points, /point N or /footnote N, an article id or part of its title picks the article.\nCtrl-D quits.\n".to_string()
}

/// The most characters of the earlier question quoted in "following up on: …".
pub const FOLLOWING_UP_CHARS: usize = 80;

/// The note under an answer read with the previous exchange: `following up on: …` and the
/// earlier question, cut at a word (empty when no context was used).
pub fn following_up(turn: &Turn) -> String {
    match (&turn.earlier, turn.context_used) {
        (Some(earlier), true) => format!(
            "following up on: {}\n",
            crate::text::truncate_words(earlier, FOLLOWING_UP_CHARS)
        ),
        _ => String::new(),
    }
}
