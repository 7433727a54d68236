//! The labelled training questions in `tests/fixtures/labelled/` stay true to their articles:
//! each `<stem>.toml` builds an engine over exactly its one article, every expected phrase is
//! verbatim text of a passage or point of that article as the engine parses it (after eval's
//! folding), every expected footnote is defined and cited where the phrase is, at least a
//! third of each article's questions are off-topic, and every question sits on the side of the
//! fixed train/held split its text decides (SHA-256, see the folder's README).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use summit_bot::config::Config;
use summit_bot::eval::{normalise, parse_cases, Case};
use summit_bot::ingest::{self, Article};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const STEMS: &[&str] = &[
    "summit-article",
    "hotline",
    "wikipedia-hacker",
    "gsa-agile-solicitation",
    "gsa-pizza-tracker",
    "wikipedia-access-to-information",
];

fn labelled(name: &str) -> PathBuf {
    Path::new(ROOT).join("tests/fixtures/labelled").join(name)
}

/// The one article the stem's config points at.
fn article(stem: &str) -> Article {
    let path = labelled(&format!("{stem}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let config = Config::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    config.validate().unwrap();
    assert_eq!(
        config.corpus.index_dir,
        PathBuf::new(),
        "{stem}: index in memory"
    );
    let dir = Path::new(ROOT).join(config.corpus.articles_dir.expect("articles_dir is set"));
    let mut corpus = ingest::load_dir(&dir).unwrap_or_else(|e| panic!("{stem}: {e}"));
    assert_eq!(
        corpus.articles.len(),
        1,
        "{stem}: one article in {}",
        dir.display()
    );
    corpus.articles.remove(0)
}

fn is_held(question: &str) -> bool {
    let digest = Sha256::digest(question.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 10 < 3
}

/// Why a case does not fit its article, if it does not.
fn problem(case: &Case, article: &Article) -> Option<String> {
    if case.none {
        return (!case.any.is_empty() || !case.footnotes.is_empty())
            .then(|| "off-topic with a label".to_string());
    }
    if case.any.is_empty() {
        return Some("neither a phrase nor none".to_string());
    }
    // Every unit an answer can be, with the footnotes it carries.
    let units: Vec<(String, &[u32])> = article
        .passages
        .iter()
        .map(|p| (normalise(&p.text), p.footnotes.as_slice()))
        .chain(
            article
                .points
                .iter()
                .map(|p| (normalise(&p.text), p.footnotes.as_slice())),
        )
        .collect();
    let mut holders = Vec::new();
    for phrase in &case.any {
        let phrase = normalise(phrase);
        let found: Vec<_> = units.iter().filter(|(t, _)| t.contains(&phrase)).collect();
        if found.is_empty() {
            return Some(format!("{phrase:?} is not in the article"));
        }
        holders.extend(found);
    }
    for n in &case.footnotes {
        if article.footnote(*n).is_none() {
            return Some(format!("footnote {n} is not defined"));
        }
        if !holders.iter().any(|(_, cited)| cited.contains(n)) {
            return Some(format!("no passage with the phrase cites footnote {n}"));
        }
    }
    None
}

#[test]
fn labels_are_the_articles_words_and_the_split_is_the_fixed_rule() {
    for stem in STEMS {
        let article = article(stem);
        let (mut total, mut off_topic) = (0, 0);
        for part in ["train", "held"] {
            let name = format!("{stem}.{part}.jsonl");
            let cases = parse_cases(&std::fs::read_to_string(labelled(&name)).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!cases.is_empty(), "{name} is empty");
            for case in &cases {
                assert_eq!(
                    is_held(&case.q),
                    part == "held",
                    "{name}: {:?} is on the wrong side of the split",
                    case.q
                );
                if let Some(why) = problem(case, &article) {
                    panic!("{name}: {:?}: {why}", case.q);
                }
            }
            total += cases.len();
            off_topic += cases.iter().filter(|c| c.none).count();
        }
        assert!(
            3 * off_topic >= total,
            "{stem}: {off_topic} of {total} questions off-topic, fewer than a third"
        );
    }
}

#[test]
fn a_phrase_outside_the_article_is_caught() {
    let article = article("hotline");
    let case = |any: &[&str], footnotes: &[u32]| Case {
        q: "q".to_string(),
        any: any.iter().map(|s| s.to_string()).collect(),
        footnotes: footnotes.to_vec(),
        none: false,
    };
    assert_eq!(
        problem(&case(&["within twenty minutes"], &[1]), &article),
        None
    );
    assert!(problem(&case(&["within ten minutes"], &[]), &article).is_some());
    // The rotation paragraph cites no footnote.
    assert!(problem(&case(&["rotate every month"], &[1]), &article).is_some());
    assert!(problem(&case(&["within twenty minutes"], &[9]), &article).is_some());
}
