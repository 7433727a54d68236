//! Answers → Discord message content as plain data (no Discord types): an embed with title,
//! description, footnote fields and footer, plus buttons, all within Discord's limits and
//! with anything that would render as a mention neutralised. The bot converts this to
//! serenity builders; tests compare it whole.

use crate::answer::{Hit, Response};
use crate::engine::About;
use crate::ingest::{Footnote, Point};
use crate::render::limits::truncate_markdown;
use crate::render::markdown;
use crate::render::text::{location, EXAMPLE_QUESTIONS};
use crate::text::truncate_words;

/// Discord's limits on one message.
pub mod limit {
    /// Embed title.
    pub const TITLE: usize = 256;
    /// Embed description.
    pub const DESCRIPTION: usize = 4096;
    /// Field name.
    pub const FIELD_NAME: usize = 256;
    /// Field value.
    pub const FIELD_VALUE: usize = 1024;
    /// Fields per embed.
    pub const FIELDS: usize = 25;
    /// Footer text.
    pub const FOOTER: usize = 2048;
    /// All text of all embeds in a message.
    pub const EMBED_TOTAL: usize = 6000;
    /// Message content.
    pub const CONTENT: usize = 2000;
    /// Choice names in autocomplete and option choices.
    pub const CHOICE_NAME: usize = 100;
    /// Button label.
    pub const BUTTON_LABEL: usize = 80;
}

/// Accent colour of answer embeds.
pub const ANSWER_COLOUR: u32 = 0x2b6cb0;

/// One embed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Field value.
    pub value: String,
}

/// An embed as plain data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Embed {
    /// Title.
    pub title: String,
    /// Link on the title.
    pub url: Option<String>,
    /// Body.
    pub description: String,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// Footer text.
    pub footer: Option<String>,
    /// Side colour.
    pub colour: u32,
}

impl Embed {
    /// Characters Discord counts towards the 6,000 per-message total.
    pub fn total_chars(&self) -> usize {
        let count = |s: &str| s.chars().count();
        count(&self.title)
            + count(&self.description)
            + self.footer.as_deref().map_or(0, count)
            + self
                .fields
                .iter()
                .map(|f| count(&f.name) + count(&f.value))
                .sum::<usize>()
    }
}

/// What a button does when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    /// Show the next match of the answer stored under this key.
    Next,
    /// Post the shown match in the channel for everyone.
    PostPublicly,
    /// Rate the answer with this id (from the question log): helpful or not.
    Vote {
        /// The answer's id.
        answer: u64,
        /// "Helpful" (true) or "Not helpful".
        helpful: bool,
    },
}

/// A button under a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// What it does.
    pub action: ButtonAction,
    /// Its label.
    pub label: String,
}

/// A whole reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// Plain content (≤ 2,000 chars).
    pub content: Option<String>,
    /// Embeds.
    pub embeds: Vec<Embed>,
    /// Buttons in one row.
    pub buttons: Vec<Button>,
    /// Visible only to the asker (slash commands only).
    pub ephemeral: bool,
}

impl Reply {
    /// A short text-only reply.
    pub fn text(content: impl Into<String>, ephemeral: bool) -> Reply {
        Reply {
            content: Some(truncate_words(
                &neutralise_mentions(&content.into()),
                limit::CONTENT,
            )),
            ephemeral,
            ..Reply::default()
        }
    }
}

/// Breaks anything Discord would render or parse as a mention: `@everyone`, `@here`, and
/// `<@…>`, `<@&…>`, `<#…>` forms get a zero-width space after the `@`/`<`.
pub fn neutralise_mentions(text: &str) -> String {
    const ZWSP: &str = "\u{200b}";
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        out.push(c);
        let rest = &text[i + c.len_utf8()..];
        match c {
            '@' if rest.starts_with("everyone") || rest.starts_with("here") => out.push_str(ZWSP),
            '<' if rest.starts_with('@') || rest.starts_with('#') => out.push_str(ZWSP),
            _ => {}
        }
    }
    out
}

/// Heading of a hit: "Title · paragraph 2, point 4", within the title limit.
fn hit_title(hit: &Hit) -> String {
    let suffix = format!(" · {}", location(hit));
    let room = limit::TITLE.saturating_sub(suffix.chars().count());
    format!("{}{}", truncate_words(&hit.passage.title, room), suffix)
}

/// Footnote fields: `[n]` and the text, at most 25, within the field limits.
fn footnote_fields(footnotes: &[Footnote]) -> Vec<Field> {
    let mut fields: Vec<Field> = footnotes
        .iter()
        .map(|f| Field {
            name: format!("[{}]", f.number),
            value: truncate_words(&neutralise_mentions(&f.text), limit::FIELD_VALUE),
        })
        .collect();
    if fields.len() > limit::FIELDS {
        let hidden = fields.len() - (limit::FIELDS - 1);
        fields.truncate(limit::FIELDS - 1);
        fields.push(Field {
            name: "More footnotes".to_string(),
            value: format!("{hidden} more not shown"),
        });
    }
    fields
}

/// Keeps an embed within the 6,000-character message total by shortening fields, then the
/// description.
fn fit_total(mut embed: Embed) -> Embed {
    while embed.total_chars() > limit::EMBED_TOTAL && embed.fields.len() > 1 {
        let hidden = embed.fields.len();
        embed.fields.truncate(embed.fields.len() / 2);
        let shown = embed.fields.len();
        embed.fields.push(Field {
            name: "More footnotes".to_string(),
            value: format!("{} more not shown", hidden - shown),
        });
        if embed.fields.len() >= hidden {
            break;
        }
    }
    let over = embed.total_chars().saturating_sub(limit::EMBED_TOTAL);
    if over > 0 {
        let keep = embed.description.chars().count().saturating_sub(over);
        embed.description = truncate_markdown(&embed.description, keep);
    }
    embed
}

/// The embed for one hit. `position` is (shown, total) for paging answers; `None` for a
/// looked-up point.
pub fn hit_embed(hit: &Hit, footer: Option<String>) -> Embed {
    let description = truncate_markdown(
        &neutralise_mentions(&markdown::highlighted(hit)),
        limit::DESCRIPTION,
    );
    fit_total(Embed {
        title: hit_title(hit),
        url: hit.source_url.clone(),
        description,
        fields: footnote_fields(&hit.footnotes),
        footer: footer.map(|f| truncate_words(&f, limit::FOOTER)),
        colour: ANSWER_COLOUR,
    })
}

/// Footer for match `shown` (0-based) of a response: how good it is, how many others exist.
pub fn match_footer(response: &Response, shown: usize) -> String {
    let total = response.hits().count();
    let hit = response.hits().nth(shown);
    let quality = hit.map_or(0.0, |h| h.coverage * 100.0);
    let others = total.saturating_sub(1);
    let label = if quality >= 85.0 {
        "strong match"
    } else if quality >= 60.0 {
        "good match"
    } else {
        "partial match"
    };
    if shown == 0 {
        format!(
            "{label} ({quality:.0}% of your question) · {others} other match{}",
            if others == 1 { "" } else { "es" }
        )
    } else {
        format!(
            "{label} ({quality:.0}% of your question) · match {} of {total}",
            shown + 1
        )
    }
}

/// The reply to a question: match `shown` of the response (0 = the answer), or the
/// no-answer note. Private replies carry "Post publicly".
pub fn answer_reply(response: &Response, shown: usize, ephemeral: bool) -> Reply {
    let total = response.hits().count();
    let Some(hit) = response.hits().nth(shown % total.max(1)) else {
        return no_answer_reply(ephemeral);
    };
    let shown = shown % total;
    let mut buttons = Vec::new();
    if total > 1 {
        buttons.push(Button {
            action: ButtonAction::Next,
            label: format!("Next match ({}/{total})", (shown + 1) % total + 1),
        });
    }
    if ephemeral {
        buttons.push(Button {
            action: ButtonAction::PostPublicly,
            label: "Post publicly".to_string(),
        });
    }
    Reply {
        content: None,
        embeds: vec![hit_embed(hit, Some(match_footer(response, shown)))],
        buttons,
        ephemeral,
    }
}

/// Says under an answer that it was read with the previous exchange: the footer gains
/// `following up on: <earlier question>` (cut at a word; the question is user text, so its
/// mentions are broken like every other). A reply without an embed is left as it is.
pub fn with_context_note(mut reply: Reply, earlier: &str) -> Reply {
    if let Some(embed) = reply.embeds.first_mut() {
        let note = format!(
            "following up on: {}",
            neutralise_mentions(&truncate_words(
                earlier,
                crate::render::text::FOLLOWING_UP_CHARS
            ))
        );
        let footer = match embed.footer.take() {
            Some(footer) => format!("{footer} · {note}"),
            None => note,
        };
        embed.footer = Some(truncate_words(&footer, limit::FOOTER));
    }
    reply
}

/// Adds "Helpful" / "Not helpful" buttons for the answer `answer` (a no-answer or text reply
/// is left as it is: there is no passage to rate).
pub fn with_feedback(mut reply: Reply, answer: u64) -> Reply {
    if reply.embeds.is_empty() {
        return reply;
    }
    for (helpful, label) in [(true, "Helpful"), (false, "Not helpful")] {
        reply.buttons.push(Button {
            action: ButtonAction::Vote { answer, helpful },
            label: label.to_string(),
        });
    }
    reply
}

/// Adds a field (cut to Discord's limits, mentions neutralised) to a reply's first embed.
pub fn with_field(mut reply: Reply, name: &str, value: &str) -> Reply {
    if let Some(first) = reply.embeds.first_mut() {
        if first.fields.len() < limit::FIELDS {
            first.fields.push(Field {
                name: truncate_words(name, limit::FIELD_NAME),
                value: truncate_words(&neutralise_mentions(value), limit::FIELD_VALUE),
            });
            *first = fit_total(std::mem::take(first));
        }
    }
    reply
}

/// The note on a reply to a question asked while the bot was away (the catch-up).
pub const LATE_NOTE: &str = "Answered late: I was offline when this was asked.";

/// Marks a reply as late: [`LATE_NOTE`] leads the first embed's footer, or follows a text
/// reply as a line of Discord's small print (`-# `).
pub fn late(mut reply: Reply) -> Reply {
    if let Some(first) = reply.embeds.first_mut() {
        let footer = match first.footer.take() {
            Some(footer) => format!("{LATE_NOTE} · {footer}"),
            None => LATE_NOTE.to_string(),
        };
        first.footer = Some(truncate_words(&footer, limit::FOOTER));
        *first = fit_total(std::mem::take(first));
    } else if let Some(content) = &mut reply.content {
        let note = format!("\n-# {LATE_NOTE}");
        let room = limit::CONTENT.saturating_sub(note.chars().count());
        *content = format!("{}{note}", truncate_words(content, room));
    }
    reply
}

/// What the clicker alone sees after a vote.
pub fn vote_thanks(helpful: bool) -> Reply {
    Reply::text(
        if helpful {
            "Thanks: you marked this answer **Helpful**. Click the other button to change your vote."
        } else {
            "Thanks: you marked this answer **Not helpful**; that tells the admins what to improve. Click the other button to change your vote."
        },
        true,
    )
}

/// The `/gaps` reply (private): the most frequent questions without a good answer, as
/// (question, times asked).
pub fn gaps_reply(gaps: &[(String, u64)]) -> Reply {
    if gaps.is_empty() {
        return Reply::text(
            "No unanswered questions recorded in this server (within the log's retention).",
            true,
        );
    }
    let lines: Vec<String> = gaps
        .iter()
        .enumerate()
        .map(|(i, (question, count))| {
            let question = markdown::escape_markdown(&truncate_words(question, 200));
            format!("{}. {question} · **{count}×**", i + 1)
        })
        .collect();
    Reply {
        embeds: vec![Embed {
            title: "Questions the article could not answer".to_string(),
            description: truncate_markdown(
                &neutralise_mentions(&lines.join("\n")),
                limit::DESCRIPTION,
            ),
            footer: Some(
                "Most asked first. `summit-bot report --export-eval FILE` turns them into eval questions for review.".to_string(),
            ),
            colour: ANSWER_COLOUR,
            ..Embed::default()
        }],
        ephemeral: true,
        ..Reply::default()
    }
}

/// The short reply when nothing in the article answers the question.
pub fn no_answer_reply(ephemeral: bool) -> Reply {
    Reply::text(
        format!(
            "I found no good answer to that in the article. Try `/points` for the agreement's points, or ask for example “{}” or “{}”",
            EXAMPLE_QUESTIONS[0], EXAMPLE_QUESTIONS[1]
        ),
        ephemeral,
    )
}

/// The reply for a looked-up point.
pub fn point_reply(hit: &Hit) -> Reply {
    Reply {
        embeds: vec![hit_embed(hit, None)],
        ..Reply::default()
    }
}

/// The list of points as one embed.
pub fn points_reply(title: &str, points: &[Point]) -> Reply {
    if points.is_empty() {
        return Reply::text("The article lists no agreement points.", true);
    }
    let lines: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "**{}.** {}",
                p.number,
                markdown::escape_markdown(&p.short_title(200))
            )
        })
        .collect();
    let description =
        truncate_markdown(&neutralise_mentions(&lines.join("\n")), limit::DESCRIPTION);
    Reply {
        embeds: vec![Embed {
            title: truncate_words(&format!("Agreement points · {title}"), limit::TITLE),
            description,
            footer: Some("Show one with /point number".to_string()),
            colour: ANSWER_COLOUR,
            ..Embed::default()
        }],
        ..Reply::default()
    }
}

/// The reply for a footnote.
pub fn footnote_reply(footnote: &Footnote) -> Reply {
    Reply {
        embeds: vec![Embed {
            title: format!("Footnote [{}]", footnote.number),
            description: truncate_words(&neutralise_mentions(&footnote.text), limit::DESCRIPTION),
            colour: ANSWER_COLOUR,
            ..Embed::default()
        }],
        ..Reply::default()
    }
}

/// Articles listed by `/about` before "and N more".
pub const ABOUT_LISTED: usize = 15;

/// The reply for `/about`: with one article its title, source and counts; with several the
/// first [`ABOUT_LISTED`] by title (linked to their sources) and the total. `notice` (for
/// admins: a failed reload) and `model` (for admins: which model answers) are shown as fields.
pub fn about_reply(about: &About, notice: Option<&str>, model: Option<&str>) -> Reply {
    let n = about.articles.len();
    let mut description = format!(
        "I answer questions with the articles' own words and their footnotes.\n{n} article{}, {} paragraphs, {} agreement points, {} footnotes.",
        if n == 1 { "" } else { "s" },
        about.passages,
        about.points,
        about.footnotes
    );
    let title;
    let url;
    if n <= 1 {
        title = about.title.clone();
        url = about.source_url.clone();
        if let Some(source) = &about.source_url {
            description.push_str(&format!("\nSource: {source}"));
        }
        if let Some(date) = &about.published {
            description.push_str(&format!("\nPublished: {date}"));
        }
    } else {
        title = format!("{n} articles");
        url = None;
        description.push('\n');
        for a in about.articles.iter().take(ABOUT_LISTED) {
            let name = markdown::escape_markdown(&truncate_words(&a.title, 120));
            let name = match &a.source_url {
                Some(source) => format!("[{name}]({source})"),
                None => name,
            };
            description.push_str(&format!(
                "\n• {name} · `{}` · {}{}",
                a.id,
                crate::render::text::counts(a.paragraphs, a.points, a.footnotes),
                if a.is_default { " · default" } else { "" }
            ));
        }
        if n > ABOUT_LISTED {
            description.push_str(&format!(
                "\n… and {} more. The `article` option of `/point`, `/points` and `/footnote` finds any of them by title.",
                n - ABOUT_LISTED
            ));
        }
    }
    let fields = notice
        .map(|text| Field {
            name: "Last reload failed (shown to admins)".to_string(),
            value: truncate_words(&neutralise_mentions(text), limit::FIELD_VALUE),
        })
        .into_iter()
        .chain(model.map(|text| Field {
            name: "Model (shown to admins)".to_string(),
            value: truncate_words(&neutralise_mentions(text), limit::FIELD_VALUE),
        }))
        .collect();
    Reply {
        embeds: vec![fit_total(Embed {
            title: truncate_words(&title, limit::TITLE),
            url,
            description: truncate_markdown(&neutralise_mentions(&description), limit::DESCRIPTION),
            fields,
            colour: ANSWER_COLOUR,
            ..Embed::default()
        })],
        ..Reply::default()
    }
}

/// The ephemeral reply to a successful `/reload`: what is served now.
pub fn reload_done(articles: usize, passages: usize, elapsed: std::time::Duration) -> Reply {
    Reply::text(
        format!(
            "Reloaded: {articles} article{}, {passages} paragraphs, in {:.1} s.",
            if articles == 1 { "" } else { "s" },
            elapsed.as_secs_f64()
        ),
        true,
    )
}

/// The ephemeral reply to a failed `/reload`: why (file and line), and that the previous
/// articles keep serving.
pub fn reload_failed(message: &str) -> Reply {
    let head = "Reload failed; the previous articles keep serving.\n";
    let room = limit::CONTENT - head.chars().count() - 8;
    let message = truncate_words(&neutralise_mentions(&message.replace('`', "'")), room);
    Reply::text(format!("{head}```\n{message}\n```"), true)
}

/// The reply for `/help`.
pub fn help_reply() -> Reply {
    Reply {
        embeds: vec![Embed {
            title: "How to ask".to_string(),
            description: format!(
                "Ask in plain words: `/ask`, mention me, or DM me. I answer with the article's best passage and its footnotes.\n\
                 `/ask question:<text> [private]` — answer a question\n\
                 `/point number:<n> [article]` — one agreement point\n\
                 `/points [article]` — all agreement points\n\
                 `/footnote number:<n> [article]` — one footnote\n\
                 `/about` — what I know (the articles)\n\
                 Right-click a message → Apps → **Find in article** to answer it.\n\
                 Examples: “{}”, “{}”",
                EXAMPLE_QUESTIONS[0], EXAMPLE_QUESTIONS[1]
            ),
            colour: ANSWER_COLOUR,
            ..Embed::default()
        }],
        ephemeral: true,
        ..Reply::default()
    }
}

/// Autocomplete/choice label for a footnote: "[2] Dialogues will be held …" (≤ 100 chars).
pub fn footnote_choice_name(footnote: &Footnote) -> String {
    let prefix = format!("[{}] ", footnote.number);
    let room = limit::CHOICE_NAME - prefix.chars().count();
    format!("{prefix}{}", truncate_words(&footnote.text, room))
}

/// Autocomplete/choice label for an article: its title (≤ 100 chars).
pub fn article_choice_name(article: &crate::ingest::ArticleSummary) -> String {
    truncate_words(&article.title, limit::CHOICE_NAME)
}

/// Autocomplete/choice label for a point: "2. Neither country will …" (≤ 100 chars).
pub fn point_choice_name(point: &Point) -> String {
    let prefix = format!("{}. ", point.number);
    let room = limit::CHOICE_NAME - prefix.chars().count();
    format!("{prefix}{}", point.short_title(room))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_reply_says_so_in_its_footer_or_small_print() {
        let text = late(Reply::text("No good answer.", false));
        assert_eq!(
            text.content.as_deref(),
            Some("No good answer.\n-# Answered late: I was offline when this was asked.")
        );
        let answer = late(Reply {
            embeds: vec![Embed {
                title: "t".into(),
                footer: Some("strong match".into()),
                ..Embed::default()
            }],
            ..Reply::default()
        });
        assert_eq!(
            answer.embeds[0].footer.as_deref(),
            Some("Answered late: I was offline when this was asked. · strong match")
        );
        let long = late(Reply::text("word ".repeat(500), false));
        let content = long.content.unwrap();
        assert!(content.chars().count() <= limit::CONTENT);
        assert!(content.ends_with(LATE_NOTE));
    }
    use crate::answer::Marks;
    use crate::ingest::PassageRef;

    fn hit(text: &str, marks: Marks, footnotes: Vec<Footnote>) -> Hit {
        Hit::new(
            PassageRef {
                id: "a:2.4".into(),
                article: "a".into(),
                title: "Talks".into(),
                paragraph: 2,
                point: Some(4),
                text: text.into(),
            },
            footnotes,
            1.2,
            0.9,
            Some("https://example.org/talks".into()),
            marks,
        )
    }

    fn response(hits: Vec<Hit>) -> Response {
        let mut hits = hits.into_iter();
        Response {
            question: "q".into(),
            answer: hits.next(),
            alternatives: hits.collect(),
        }
    }

    #[test]
    fn answer_embed_has_title_passage_footnotes_and_footer() {
        let h = hit(
            "Last, a hotline.[2]",
            Marks {
                matched: vec![(8, 15)],
                sentence: None,
            },
            vec![Footnote {
                number: 2,
                text: "Dialogues twice per year.".into(),
            }],
        );
        let reply = answer_reply(&response(vec![h.clone(), h]), 0, false);
        assert_eq!(
            reply,
            Reply {
                content: None,
                embeds: vec![Embed {
                    title: "Talks · paragraph 2, point 4".into(),
                    url: Some("https://example.org/talks".into()),
                    description: "Last, a **hotline**.[2]".into(),
                    fields: vec![Field {
                        name: "[2]".into(),
                        value: "Dialogues twice per year.".into()
                    }],
                    footer: Some("strong match (90% of your question) · 1 other match".into()),
                    colour: ANSWER_COLOUR,
                }],
                buttons: vec![Button {
                    action: ButtonAction::Next,
                    label: "Next match (2/2)".into()
                }],
                ephemeral: false,
            }
        );
    }

    #[test]
    fn private_answer_offers_post_publicly_and_paging_wraps() {
        let h = hit("x", Marks::default(), vec![]);
        let reply = answer_reply(&response(vec![h.clone(), h]), 3, true);
        let labels: Vec<&str> = reply.buttons.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, vec!["Next match (1/2)", "Post publicly"]);
        assert_eq!(
            reply.embeds[0].footer.as_deref(),
            Some("strong match (90% of your question) · match 2 of 2")
        );
    }

    #[test]
    fn feedback_buttons_follow_the_answer_buttons_and_skip_text_replies() {
        let h = hit("x", Marks::default(), vec![]);
        let reply = with_feedback(answer_reply(&response(vec![h.clone(), h]), 0, true), 9);
        let labels: Vec<&str> = reply.buttons.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "Next match (2/2)",
                "Post publicly",
                "Helpful",
                "Not helpful"
            ]
        );
        assert_eq!(
            reply.buttons[3].action,
            ButtonAction::Vote {
                answer: 9,
                helpful: false
            }
        );
        assert_eq!(
            with_feedback(no_answer_reply(false), 9),
            no_answer_reply(false)
        );
    }

    #[test]
    fn gaps_list_questions_with_counts_privately() {
        let reply = gaps_reply(&[("Best *pizza*? @everyone".into(), 3), ("why".into(), 1)]);
        assert!(reply.ephemeral);
        assert_eq!(
            reply.embeds[0].description,
            "1. Best \\*pizza\\*? @\u{200b}everyone · **3×**\n2. why · **1×**"
        );
        assert!(gaps_reply(&[]).ephemeral);
    }

    #[test]
    fn long_passage_is_cut_at_a_word_with_markdown_closed() {
        let word = "espionage ";
        let text = word.repeat(600).trim_end().to_string();
        // "__" + 300 words + "**" + 300 words + "**__".
        let marks = Marks {
            matched: vec![(300 * word.len(), text.len())],
            sentence: Some((0, text.len())),
        };
        let embed = hit_embed(&hit(&text, marks, vec![]), None);
        let count = embed.description.chars().count();
        assert!(count <= limit::DESCRIPTION, "{count}");
        assert!(
            embed.description.ends_with("espionage…**__"),
            "{}",
            &embed.description[embed.description.len() - 30..]
        );
        assert_eq!(embed.description.matches("**").count() % 2, 0);
        assert_eq!(embed.description.matches("__").count() % 2, 0);
    }

    #[test]
    fn many_long_footnotes_stay_within_field_and_message_limits() {
        let footnotes: Vec<Footnote> = (1..=40)
            .map(|n| Footnote {
                number: n,
                text: format!("source {n} ").repeat(200),
            })
            .collect();
        let embed = hit_embed(
            &hit("p", Marks::default(), footnotes),
            Some("footer".into()),
        );
        assert!(embed.fields.len() <= limit::FIELDS);
        assert!(embed
            .fields
            .iter()
            .all(|f| f.value.chars().count() <= limit::FIELD_VALUE));
        assert!(
            embed.total_chars() <= limit::EMBED_TOTAL,
            "{}",
            embed.total_chars()
        );
        assert_eq!(embed.fields[0].name, "[1]");
        assert_eq!(
            embed.fields.last().map(|f| f.name.as_str()),
            Some("More footnotes")
        );
    }

    #[test]
    fn mentions_in_passages_and_footnotes_are_neutralised() {
        let h = hit(
            "@everyone see <@123> and <@&456> in <#789> @here",
            Marks::default(),
            vec![Footnote {
                number: 1,
                text: "ping @everyone".into(),
            }],
        );
        let embed = hit_embed(&h, None);
        assert_eq!(
            embed.description,
            "@\u{200b}everyone see <\u{200b}@123> and <\u{200b}@&456> in <\u{200b}#789> @\u{200b}here"
        );
        assert_eq!(embed.fields[0].value, "ping @\u{200b}everyone");
        assert_eq!(
            Reply::text("hi @here", false).content.as_deref(),
            Some("hi @\u{200b}here")
        );
    }

    #[test]
    fn point_choice_names_fit_discord() {
        let point = Point {
            number: 2,
            paragraph: 2,
            text: format!(
                "Second, neither country will {}.",
                "participate ".repeat(20)
            ),
            footnotes: vec![1],
            sentences: vec![],
        };
        let name = point_choice_name(&point);
        assert!(name.chars().count() <= limit::CHOICE_NAME);
        assert!(
            name.starts_with("2. Neither country will participate"),
            "{name}"
        );
    }
}
