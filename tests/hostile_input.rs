//! Hostile input never panics: the question path (`Engine::ask`), the article parser and the
//! Discord markup stripper take arbitrary text — random Unicode up to 6,000 characters and
//! targeted shapes (query syntax, unbalanced quotes, long runs of one character, thousands of
//! words, bidi and zero-width marks, combining marks, emoji, mention and Markdown spam).
//! No timing asserts; case counts stay modest so debug builds finish quickly.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::ingest::{self, parse_article, Format};
use summit_bot::render::{json, text};
use summit_bot::retrieve::markup::strip_discord_markup;

const MAX_CHARS: usize = 6000;

/// One engine for all cases, reading up to the configurable maximum of 6,000 characters.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let options = EngineOptions {
            max_question_chars: MAX_CHARS,
            ..EngineOptions::default()
        };
        Engine::with_corpus(ingest::embedded_corpus(), &options)
            .unwrap_or_else(|e| panic!("engine opens: {e}"))
    })
}

/// Every text the engine may answer with: the article's paragraphs and points, verbatim.
fn article_texts() -> &'static Vec<String> {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let corpus = ingest::embedded_corpus();
        let article = &corpus.articles[0];
        article
            .passages
            .iter()
            .map(|p| p.text.clone())
            .chain(article.points.iter().map(|p| p.text.clone()))
            .collect()
    })
}

/// Asks, and checks what comes back is well formed.
fn ask_and_check(question: &str) -> Result<(), TestCaseError> {
    let response = engine()
        .ask(question)
        .map_err(|e| TestCaseError::fail(format!("ask failed: {e}")))?;
    prop_assert_eq!(&response.question, question);
    let mut ids = Vec::new();
    for hit in response.hits() {
        prop_assert!(
            article_texts().contains(&hit.passage.text),
            "answer is not verbatim article text: {:?}",
            hit.passage.text
        );
        prop_assert!(
            hit.score.is_finite() && hit.score >= 0.0,
            "score {}",
            hit.score
        );
        prop_assert!(
            (0.0..=1.0).contains(&hit.coverage),
            "coverage {}",
            hit.coverage
        );
        prop_assert!(!ids.contains(&hit.passage.id), "{} twice", hit.passage.id);
        ids.push(hit.passage.id.clone());
    }
    if response.answer.is_none() {
        prop_assert!(response.alternatives.is_empty());
    }
    prop_assert!(response.alternatives.len() <= 3);
    let line = json::to_json_line(&response);
    prop_assert!(!line.contains('\n'));
    let value: serde_json::Value = serde_json::from_str(&line)
        .map_err(|e| TestCaseError::fail(format!("invalid JSON {line:?}: {e}")))?;
    prop_assert_eq!(value["question"].as_str(), Some(question));
    let _ = text::response(&response);
    Ok(())
}

/// Parses in both formats; a parsed article must be internally consistent.
fn parse_and_check(input: &str) -> Result<(), TestCaseError> {
    for (name, format) in [("x.txt", Format::Plain), ("x.md", Format::Markdown)] {
        let Ok(article) = parse_article(Path::new(name), input, format) else {
            continue;
        };
        prop_assert!(!article.title.is_empty());
        prop_assert!(!article.passages.is_empty());
        for (i, passage) in article.passages.iter().enumerate() {
            prop_assert_eq!(passage.paragraph as usize, i + 1);
            prop_assert!(!passage.text.is_empty());
            for s in &passage.sentences {
                prop_assert!(s.start < s.end && s.end <= passage.text.len());
                prop_assert!(passage.text.is_char_boundary(s.start));
                prop_assert!(passage.text.is_char_boundary(s.end));
            }
            for n in &passage.footnotes {
                prop_assert!(article.footnote(*n).is_some(), "[{}] undefined", n);
            }
        }
        for window in article.footnotes.windows(2) {
            prop_assert!(window[0].number < window[1].number);
        }
        for (i, point) in article.points.iter().enumerate() {
            prop_assert_eq!(point.number as usize, i + 1);
            let passage = &article.passages[point.paragraph as usize - 1];
            prop_assert!(passage.text.contains(&point.text));
            for n in &point.footnotes {
                prop_assert!(article.footnote(*n).is_some());
            }
            let _ = point.short_title(100);
        }
    }
    Ok(())
}

fn strip_and_check(input: &str) -> Result<(), TestCaseError> {
    let stripped = strip_discord_markup(input);
    prop_assert!(
        !stripped.contains(['*', '_', '~', '|', '`', '>']),
        "{stripped:?}"
    );
    Ok(())
}

/// Cuts to at most `MAX_CHARS` characters.
fn capped(text: String) -> String {
    match text.char_indices().nth(MAX_CHARS) {
        Some((at, _)) => text[..at].to_string(),
        None => text,
    }
}

/// Arbitrary Unicode scalar values, up to 6,000 of them.
fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..=MAX_CHARS).prop_map(String::from_iter)
}

/// Mostly printable text with newlines, where parsers have structure to trip over. (Mapped
/// from random numbers: a per-character `prop_oneof!` is slow to generate in debug builds.)
fn textish() -> impl Strategy<Value = String> {
    const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyzetaoinshrdluABCDEFGHIJKLMNOPQRSTUVWXYZ      \n\n.,:?![]^#-\"“”123é";
    prop::collection::vec((any::<u8>(), any::<char>()), 0..=MAX_CHARS).prop_map(|picks| {
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        picks
            .into_iter()
            .map(|(pick, other)| alphabet.get(pick as usize % 100).copied().unwrap_or(other))
            .collect()
    })
}

const ARTICLE_WORDS: &[&str] = &[
    "hotline",
    "sanctions",
    "Obama",
    "Xi",
    "China",
    "cyber",
    "espionage",
    "working",
    "group",
    "Executive",
    "Order",
    "13694",
    "telecom",
    "Northrop",
    "trade",
    "secrets",
    "dialogue",
    "First,",
    "Second,",
    "Last,",
    "accord",
    "tool",
    "kit",
];

const QUERY_SYNTAX: &[&str] = &[
    "title:x AND (",
    "title:hotline AND (",
    "\"unbalanced",
    "body:",
    "id:summit-article:2",
    "*",
    "?",
    "~2",
    "^3",
    "OR",
    "NOT",
    "AND",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "-",
    "+",
    "\\",
    "/",
    "IN [a b]",
    "field:[1 TO 5]",
    "\"",
    "''",
    "&&",
    "||",
    "!",
    ":",
    "\"a\"~3",
    "hotl*",
];

const INVISIBLES: &[&str] = &[
    "\u{200F}", "\u{202E}", "\u{202D}", "\u{200E}", "\u{2066}", "\u{2069}", "\u{200B}", "\u{FEFF}",
    "\u{200D}", "\u{00AD}", "\u{2060}",
];

const EMOJI: &[&str] = &[
    "😀",
    "👍🏽",
    "👨‍👩‍👧‍👦",
    "🇨🇳",
    "🇺🇸",
    "🏳️‍🌈",
    "❤️",
    "🔥",
    "☎️",
    "🤖",
    "🫠",
];

const MENTIONS: &[&str] = &[
    "<@123>",
    "<@!456>",
    "<@&789>",
    "<#1011>",
    "<:pog:1234>",
    "<a:dance:55>",
    "<t:1600000000:R>",
    "<t:-1>",
    "<@",
    "<@123",
    "<@>",
    "<#>",
    "<::1>",
    "<a::>",
    "<t:>",
    "<@99999999999999999999999999999>",
    "<<@1>>",
    "@everyone",
    "@here",
];

const MARKDOWN: &[&str] = &[
    "**",
    "__",
    "~~",
    "||",
    "`",
    "```",
    "> ",
    ">>> ",
    "# ",
    "- ",
    "* ",
    "[link](http://x)",
    "\\",
    "\\*",
    "*_*_",
    "```rust\n",
    "\n",
    "||spoiler||",
    "~~gone~~",
];

fn fragment(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(list).prop_map(str::to_string)
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![fragment(ARTICLE_WORDS), "[a-z]{1,12}"]
}

/// Fragments of one kind mixed with article words and spaces, capped at 6,000 characters.
fn soup(special: impl Strategy<Value = String> + 'static, max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(
        prop_oneof![3 => special, 2 => word(), 1 => Just(" ".to_string())],
        0..max,
    )
    .prop_map(|parts| capped(parts.concat()))
    .boxed()
}

fn combining_marks() -> impl Strategy<Value = String> {
    (
        prop::char::range('a', 'z'),
        prop::collection::vec(prop::char::range('\u{0300}', '\u{036F}'), 1..40),
    )
        .prop_map(|(base, marks)| std::iter::once(base).chain(marks).collect())
}

/// The targeted shapes, each up to 6,000 characters.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        soup(fragment(QUERY_SYNTAX), 400),
        soup(fragment(INVISIBLES), 1500),
        soup(combining_marks(), 300),
        soup(fragment(EMOJI), 1500),
        soup(fragment(MENTIONS), 1500),
        soup(fragment(MARKDOWN), 1500),
        // Long runs of one character.
        (any::<char>(), 1..=MAX_CHARS).prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
        (
            prop::sample::select(vec!['a', 'x', '.', '<', '[', '*', '"', ' ', '\n', '9']),
            1..=MAX_CHARS
        )
            .prop_map(|(c, n)| std::iter::repeat_n(c, n).collect()),
        // Short patterns repeated: `a.a.a.`, `<@1<@1`, `[1[1`, `First, a. `.
        (
            prop::sample::select(vec![
                "a.",
                "<@1",
                "[1",
                "[^",
                "First, a. ",
                "Mr. ",
                "hotline? ",
                "e\u{301}"
            ]),
            1usize..3000
        )
            .prop_map(|(p, n)| capped(p.repeat(n))),
        // Thousands of distinct terms.
        prop::collection::vec("[a-z]{1,12}", 1000..3000).prop_map(|w| capped(w.join(" "))),
        (1000usize..3000).prop_map(|n| capped(
            (0..n)
                .map(|i| format!("w{i}x"))
                .collect::<Vec<_>>()
                .join(" ")
        )),
    ]
}

/// Article-shaped text: a title, paragraphs with markers, definitions, navigation.
fn article_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => prop::collection::vec(word(), 1..20).prop_map(|w| w.join(" ") + "."),
        2 => (1u32..6).prop_map(|n| format!("[{n}] A note.")),
        1 => (1u32..6).prop_map(|n| format!("[^{n}]: A note.")),
        2 => (1u32..6, prop::collection::vec(word(), 1..8)).prop_map(|(n, w)| format!("{}.[{n}]", w.join(" "))),
        1 => fragment(&["First, one.", "Second, two.", "Last, three.", "Finally, done."]),
        1 => fragment(&["More From", "Related Topics", "Share", "---", "# Heading", "title: T", ""]),
        1 => fragment(QUERY_SYNTAX),
        1 => fragment(INVISIBLES),
    ];
    prop::collection::vec((line, prop::bool::ANY), 0..60).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(l, blank)| if blank { l + "\n\n" } else { l + "\n" })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn ask_survives_arbitrary_unicode(question in any_text()) {
        ask_and_check(&question)?;
    }

    #[test]
    fn ask_survives_targeted_hostile_input(question in hostile()) {
        ask_and_check(&question)?;
    }

    #[test]
    fn parser_survives_arbitrary_unicode(text in any_text()) {
        parse_and_check(&text)?;
    }

    #[test]
    fn parser_survives_text_with_structure(text in textish()) {
        parse_and_check(&text)?;
    }

    #[test]
    fn parser_survives_hostile_input(text in hostile()) {
        parse_and_check(&text)?;
    }

    #[test]
    fn strip_discord_markup_survives_anything(text in prop_oneof![any_text(), hostile()]) {
        strip_and_check(&text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parser_survives_article_shaped_text(text in article_like()) {
        parse_and_check(&text)?;
    }

    #[test]
    fn ask_survives_short_arbitrary_strings(question in any::<String>()) {
        ask_and_check(&question)?;
    }
}

/// The named shapes from the brief, once each, deterministically.
#[test]
fn named_hostile_questions() {
    let thousands: String = (0..3000)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let letters: String = (0..3000)
        .map(|mut n: u32| {
            (0..6)
                .map(|_| {
                    let c = (b'a' + (n % 26) as u8) as char;
                    n /= 26;
                    c
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let questions = [
        String::new(),
        "title:x AND (".to_string(),
        "\"unbalanced".to_string(),
        "a".repeat(MAX_CHARS),
        "a".repeat(MAX_CHARS * 3),
        "<".repeat(MAX_CHARS),
        "[".repeat(MAX_CHARS),
        thousands,
        letters,
        "\u{200F}\u{202E}hotline\u{200B}\u{FEFF}".repeat(300),
        "e\u{301}\u{302}\u{303}".repeat(1500),
        "👨‍👩‍👧‍👦".repeat(800),
        "<@123> ".repeat(900),
        "**__~~||``".repeat(600),
        "\u{0}\u{1}\u{7f}".repeat(100),
    ];
    for question in &questions {
        if let Err(e) = ask_and_check(question) {
            panic!("{e} for a question of {} chars", question.chars().count());
        }
        parse_and_check(question).unwrap();
        strip_and_check(question).unwrap();
    }
}

/// Zero-width and bidi marks inside a word still find the word's passage (or at least no
/// wrong one): "hot\u{200B}line" must not answer about something else.
#[test]
fn invisible_marks_around_words_keep_answers() {
    let plain = engine().ask("Is there a hotline?").unwrap();
    let marked = engine()
        .ask("\u{202E}Is there a \u{200F}hotline\u{FEFF}?\u{200B}")
        .unwrap();
    assert_eq!(
        plain.answer.map(|h| h.passage.id.clone()),
        marked.answer.map(|h| h.passage.id.clone())
    );
}
