//! The article parser on fixture articles: Markdown with front matter and `[^n]` footnotes,
//! two enumerations in one article, and scraped navigation trailing the footnotes.

use std::path::Path;

use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::ingest::{self, parse_article, Article, Corpus, Footnote, Format};

const MARKDOWN: &str = include_str!("fixtures/markdown-article.md");
const TWO_LISTS: &str = include_str!("fixtures/two-enumerations.txt");
const NAVIGATION: &str = include_str!("fixtures/trailing-navigation.txt");

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn parse(name: &str, text: &str) -> Article {
    let path = fixture(name);
    let format = Format::for_path(&path).expect("an article extension");
    parse_article(&path, text, format).unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
}

fn texts(article: &Article) -> Vec<&str> {
    article.passages.iter().map(|p| p.text.as_str()).collect()
}

fn sentences(text: &str, ranges: &[summit_bot::ingest::Sentence]) -> Vec<String> {
    ranges
        .iter()
        .map(|s| text[s.start..s.end].to_string())
        .collect()
}

fn footnote(number: u32, text: &str) -> Footnote {
    Footnote {
        number,
        text: text.to_string(),
    }
}

#[test]
fn markdown_front_matter_heading_and_caret_footnotes() {
    let article = parse("markdown-article.md", MARKDOWN);
    assert_eq!(article.slug, "markdown-article");
    assert_eq!(article.title, "Hotlines and Working Groups: A Primer");
    assert_eq!(
        article.source_url.as_deref(),
        Some("https://example.org/primer")
    );
    assert_eq!(article.published.as_deref(), Some("2015-10-02"));
    assert_eq!(
        texts(&article),
        [
            "Cyber diplomacy often starts with a hotline.[1] Officials want a channel that works in a crisis, and they want it tested before it is needed.[2]",
            "The working group met twice that year.[2] Its agenda was short.",
            "Critics said the talks settled little, [1] and that the hard questions about sanctions were left for later.",
        ]
    );
    let numbers: Vec<(u32, Vec<u32>)> = article
        .passages
        .iter()
        .map(|p| (p.paragraph, p.footnotes.clone()))
        .collect();
    assert_eq!(numbers, [(1, vec![1, 2]), (2, vec![2]), (3, vec![1])]);
    assert_eq!(
        article.footnotes,
        [
            footnote(
                1,
                "Office of the Press Secretary, \"Factsheet\", September 25, 2015."
            ),
            // A definition wrapped over two lines reads as one line, like a paragraph.
            footnote(
                2,
                "Dialogues will be held twice per year starting at the end of 2015."
            ),
        ]
    );
    let first = &article.passages[0];
    assert_eq!(
        sentences(&first.text, &first.sentences),
        [
            "Cyber diplomacy often starts with a hotline.[1]",
            "Officials want a channel that works in a crisis, and they want it tested before it is needed.[2]",
        ]
    );
    assert!(article.points.is_empty());
}

#[test]
fn markdown_heading_is_the_title_without_front_matter() {
    let article = parse_article(
        Path::new("h.md"),
        "# The heading\n\nA body line\nwrapped.\n",
        Format::Markdown,
    )
    .unwrap();
    assert_eq!(article.title, "The heading");
    assert_eq!(texts(&article), ["A body line wrapped."]);
}

#[test]
fn markdown_wrapped_line_starting_with_a_reference_stays_in_its_paragraph() {
    // `[^1] text` (no colon) at the start of a wrapped line is a reference, not a definition.
    let article = parse_article(
        Path::new("w.md"),
        "# T\n\nThe tool kit is large.\n[^1] It includes sanctions.\n\n[^1]: A note.\n",
        Format::Markdown,
    )
    .unwrap();
    assert_eq!(
        texts(&article),
        ["The tool kit is large. [1] It includes sanctions."]
    );
    assert_eq!(article.footnotes, [footnote(1, "A note.")]);
}

#[test]
fn two_enumerations_number_points_across_the_article() {
    let article = parse("two-enumerations.txt", TWO_LISTS);
    assert_eq!(article.title, "Two lists in one article");
    assert_eq!(article.passages.len(), 3);
    assert_eq!(
        article.passages[1].text,
        "Nothing in the agreement binds either side to act."
    );
    let points: Vec<(u32, u32, &str, Vec<u32>)> = article
        .points
        .iter()
        .map(|p| (p.number, p.paragraph, p.text.as_str(), p.footnotes.clone()))
        .collect();
    assert_eq!(
        points,
        [
            (
                1,
                1,
                "First, they will share information on incidents.",
                vec![1]
            ),
            (2, 1, "Second, they will meet every quarter.", vec![1]),
            (3, 1, "Last, they will publish a joint report.", vec![1]),
            (4, 3, "Firstly, protect hospitals.", vec![]),
            (5, 3, "Secondly, protect power grids.[2]", vec![2]),
            (6, 3, "Thirdly, protect water systems.", vec![]),
            (7, 3, "Fourthly, protect banks.", vec![]),
        ]
    );
    let titles: Vec<String> = article.points.iter().map(|p| p.short_title(100)).collect();
    assert_eq!(
        titles,
        [
            "They will share information on incidents",
            "They will meet every quarter",
            "They will publish a joint report",
            "Protect hospitals",
            "Protect power grids",
            "Protect water systems",
            "Protect banks",
        ]
    );
    assert_eq!(
        article.footnotes,
        [
            footnote(1, "Joint statement, March 3, 2016."),
            footnote(2, "Power grids were added at the last minute."),
        ]
    );
}

#[test]
fn trailing_navigation_lines_are_dropped_even_without_blank_lines() {
    let article = parse("trailing-navigation.txt", NAVIGATION);
    assert_eq!(article.title, "Trailing navigation test");
    assert_eq!(
        texts(&article),
        ["The only paragraph cites a note.[1] It wraps onto a second line."]
    );
    assert_eq!(
        article.footnotes,
        [footnote(
            1,
            "The note, which also wraps onto a second line."
        )]
    );
    assert!(article.points.is_empty());
}

#[test]
fn lowercase_last_line_that_names_a_navigation_word_is_content() {
    let article = parse_article(
        Path::new("c.txt"),
        "T\n\nThe two cases are closely\nrelated\n",
        Format::Plain,
    )
    .unwrap();
    assert_eq!(texts(&article), ["The two cases are closely related"]);
}

#[test]
fn crlf_line_endings_parse_like_lf() {
    let crlf = TWO_LISTS.replace('\n', "\r\n");
    assert_eq!(
        parse("two-enumerations.txt", &crlf),
        parse("two-enumerations.txt", TWO_LISTS)
    );
}

#[test]
fn load_file_reads_fixtures_like_parse_article() {
    for (name, text) in [
        ("markdown-article.md", MARKDOWN),
        ("two-enumerations.txt", TWO_LISTS),
        ("trailing-navigation.txt", NAVIGATION),
    ] {
        let loaded = ingest::load_file(&fixture(name)).expect("loads");
        assert_eq!(loaded, parse(name, text), "{name}");
    }
}

#[test]
fn the_engine_answers_from_fixture_articles() {
    let corpus = Corpus {
        articles: vec![
            parse("markdown-article.md", MARKDOWN),
            parse("two-enumerations.txt", TWO_LISTS),
        ],
    };
    let options = EngineOptions::default();
    let engine =
        Engine::with_corpus(corpus, &options).unwrap_or_else(|e| panic!("engine opens: {e}"));
    let article = engine
        .article(Some("two-enumerations"))
        .expect("found by id");
    assert_eq!(article.points.len(), 7);
    let point = engine.point(article, 5).unwrap().expect("point 5");
    assert_eq!(point.passage.id, "two-enumerations:3.5");
    assert_eq!(point.passage.text, "Secondly, protect power grids.[2]");
    assert_eq!(
        *point.footnotes,
        [footnote(2, "Power grids were added at the last minute.")]
    );
    let answer = engine
        .ask("Was the agenda of the working group short?")
        .unwrap()
        .answer
        .expect("an answer");
    assert_eq!(answer.passage.id, "markdown-article:2");
    let answer = engine
        .ask("Will they protect water systems?")
        .unwrap()
        .answer
        .expect("an answer");
    assert_eq!(answer.passage.id, "two-enumerations:3.6");
}
