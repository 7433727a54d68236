//! Ranked hits → the answer: the passage verbatim with its place in the article, its
//! footnotes, a score, where the question's words and the best sentence are in it (byte
//! ranges; marking them up is [`crate::render::markdown`]'s job), and the alternatives.

use std::sync::Arc;

use crate::indexing::record::PassageRecord;
use crate::ingest::{Footnote, PassageRef};
use crate::retrieve::RankedHit;

/// One answer candidate, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The passage (shared with the index's preloaded copy: composing copies no text).
    pub passage: Arc<PassageRef>,
    /// The footnotes the passage cites, with their text.
    pub footnotes: Arc<[Footnote]>,
    /// Ranking score (higher is better; about 0..1.65).
    pub score: f32,
    /// Share of the question the passage covers (0..=1).
    pub coverage: f32,
    /// The lexical part of the score, when the question was ranked.
    pub lexical_score: Option<f32>,
    /// Best sentence or footnote cosine with the question, when the semantic signal is on.
    pub semantic_score: Option<f32>,
    /// The article's source URL, when known.
    pub source_url: Option<String>,
    /// Where the question's words and the best sentence are in the passage text.
    pub marks: Marks,
}

/// What to mark in a passage when showing it: byte ranges into its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// Words of the question found in the passage.
    pub matched: Vec<(usize, usize)>,
    /// The best-matching sentence of a passage with several sentences.
    pub sentence: Option<(usize, usize)>,
}

/// The result of asking one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The question as asked.
    pub question: String,
    /// The best passage, or `None` when nothing answers the question well.
    pub answer: Option<Hit>,
    /// Further good passages, best first.
    pub alternatives: Vec<Hit>,
}

impl Response {
    /// A response whose answer is `hit` alone, or none: a part the question names, or the
    /// previous passage a follow-up asks about again.
    pub fn only(question: &str, hit: Option<Hit>) -> Response {
        Response {
            question: question.to_string(),
            answer: hit,
            alternatives: Vec::new(),
        }
    }

    /// Every hit, best first (the answer then the alternatives).
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.answer.iter().chain(self.alternatives.iter())
    }

    /// Puts the best passage of `article` (an article id) first when one of the good passages
    /// is from it (a channel's default article); the others keep their order. A response
    /// without an answer stays without one.
    pub fn prefer_article(&mut self, article: &str) {
        if self
            .answer
            .as_ref()
            .is_none_or(|hit| hit.passage.article == article)
        {
            return;
        }
        if let Some(i) = self
            .alternatives
            .iter()
            .position(|hit| hit.passage.article == article)
        {
            let preferred = self.alternatives.remove(i);
            if let Some(previous) = self.answer.replace(preferred) {
                self.alternatives.insert(0, previous);
            }
        }
    }
}

impl Hit {
    /// A hand-built hit (renderer tests, hand-built replies).
    pub fn new(
        passage: PassageRef,
        footnotes: Vec<Footnote>,
        score: f32,
        coverage: f32,
        source_url: Option<String>,
        marks: Marks,
    ) -> Hit {
        Hit {
            passage: Arc::new(passage),
            footnotes: footnotes.into(),
            score,
            coverage,
            lexical_score: None,
            semantic_score: None,
            source_url,
            marks,
        }
    }

    /// A hit for a passage shown without a question (a looked-up point): no highlight marks.
    pub fn plain(record: &PassageRecord) -> Hit {
        Hit {
            passage: Arc::new(record.passage_ref()),
            footnotes: record.footnotes.clone().into(),
            score: 0.0,
            coverage: 0.0,
            lexical_score: None,
            semantic_score: None,
            source_url: record.source_url.clone(),
            marks: Marks::default(),
        }
    }

    /// A hit for a ranked passage, highlighted.
    pub fn ranked(hit: &RankedHit) -> Hit {
        let record = &hit.record;
        let sentence = hit
            .best_sentence
            .filter(|_| record.sentences.len() > 1)
            .and_then(|s| record.sentences.get(s))
            .map(|s| (s.start, s.end));
        Hit {
            passage: hit.passage.clone(),
            footnotes: hit.footnotes.clone(),
            score: round3(hit.score),
            coverage: hit.coverage,
            lexical_score: Some(round3(hit.lexical_score)),
            semantic_score: hit.semantic_score.map(round3),
            source_url: record.source_url.clone(),
            marks: Marks {
                matched: hit.matched.clone(),
                sentence,
            },
        }
    }
}

/// Rounded to three decimals: scores are shown, and more digits are noise.
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// Picks the answer and up to `max_alternatives` others, skipping passages whose text
/// contains or is contained in one already chosen (a point and its own paragraph).
pub fn compose(question: &str, ranked: &[RankedHit], max_alternatives: usize) -> Response {
    let mut chosen: Vec<&RankedHit> = Vec::new();
    for hit in ranked {
        if chosen.len() > max_alternatives {
            break;
        }
        let text = &hit.record.text;
        let overlaps = chosen.iter().any(|c| {
            let other = c.record.text.as_str();
            contains_text(other, text) || contains_text(text, other)
        });
        if !overlaps {
            chosen.push(hit);
        }
    }
    let mut hits = chosen.into_iter().map(Hit::ranked);
    let answer = hits.next();
    Response {
        question: question.to_string(),
        answer,
        alternatives: hits.collect(),
    }
}

/// `haystack.contains(needle)`, answered cheaply when it is false (the usual case: two
/// unrelated passages): a longer needle never fits, and otherwise only the places where the
/// needle's first character occurs are compared (found word-at-a-time by `str::find`), which
/// skips setting up a substring searcher per pair. After a few false starts (repetitive
/// text) the general search takes over, so the cost stays linear.
fn contains_text(haystack: &str, needle: &str) -> bool {
    const FALSE_STARTS: usize = 8;
    if needle.len() > haystack.len() {
        return false;
    }
    let Some(first) = needle.chars().next() else {
        return true;
    };
    let last_start = haystack.len() - needle.len();
    let mut from = 0;
    for _ in 0..FALSE_STARTS {
        let Some(found) = haystack.get(from..).and_then(|rest| rest.find(first)) else {
            return false;
        };
        let at = from + found;
        if at > last_start {
            return false;
        }
        if haystack.as_bytes()[at..].starts_with(needle.as_bytes()) {
            return true;
        }
        from = at + first.len_utf8();
    }
    haystack
        .get(from..)
        .is_some_and(|rest| rest.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: &str, article: &str) -> Hit {
        Hit::new(
            PassageRef {
                id: id.to_string(),
                article: article.to_string(),
                title: article.to_string(),
                paragraph: 1,
                point: None,
                text: String::new(),
            },
            Vec::new(),
            1.0,
            1.0,
            None,
            Marks::default(),
        )
    }

    fn ids(response: &Response) -> Vec<&str> {
        response.hits().map(|h| h.passage.id.as_str()).collect()
    }

    #[test]
    fn a_preferred_article_comes_first_only_among_good_passages() {
        let mut response = Response {
            question: "q".into(),
            answer: Some(hit("a:1", "a")),
            alternatives: vec![hit("a:2", "a"), hit("b:1", "b"), hit("b:2", "b")],
        };
        response.prefer_article("b");
        assert_eq!(ids(&response), ["b:1", "a:1", "a:2", "b:2"]);
        response.prefer_article("b");
        assert_eq!(ids(&response), ["b:1", "a:1", "a:2", "b:2"]);
        response.prefer_article("c");
        assert_eq!(ids(&response), ["b:1", "a:1", "a:2", "b:2"]);
        let mut none = Response {
            question: "q".into(),
            answer: None,
            alternatives: vec![hit("b:1", "b")],
        };
        none.prefer_article("b");
        assert!(none.answer.is_none());
    }

    #[test]
    fn contains_text_agrees_with_contains() {
        let long =
            "Last, the two leaders established a high level working group to deter the spread";
        let texts = [
            "",
            "a",
            "Last",
            "two leaders",
            long,
            "café “quoted” text",
            "“quoted”",
            "é",
        ];
        for haystack in texts.iter().copied().chain([
            long,
            &long[5..],
            "x café “quoted” text y",
            "aaaaaaaaaaaaaaaaaaaaab",
            "ababababababababababababababac",
        ]) {
            for needle in texts.iter().copied().chain([
                &long[..40],
                &long[1..],
                "café “quoted” tex",
                "aaaaaaaaab",
                "aaaaaaaaaaaaaaaaaaaaac",
                "abababababababac",
                "abababababababad",
                "b",
            ]) {
                assert_eq!(
                    contains_text(haystack, needle),
                    haystack.contains(needle),
                    "{haystack:?} / {needle:?}"
                );
            }
        }
    }
}
