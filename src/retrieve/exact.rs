//! The exact passage: a paragraph that enumerates points ("First, … Second, … Last, …") and
//! each of its points are indexed side by side, and ranking alone tends to prefer the
//! paragraph (it holds more of any question's words, and the footnotes of every point). This
//! step decides, for the best hit, which of the two a reader should get: the one point that
//! holds what the question asks about, with its footnotes, or the whole paragraph when the
//! question is about the list itself ("what did they agree on?", "all the points") or its
//! evidence spreads over several points.
//!
//! Where the evidence lies is read from the question's matched words. The sentences of the
//! paragraph outside every point (the list's introduction, "the leaders agreed on four
//! points[1]") are context each point inherits, as each point already inherits the
//! introduction's footnotes. A point is the answer when, with that context, it explains
//! (nearly) all the evidence the paragraph holds and holds some of it itself; evidence in the
//! context alone, or spread over several points, keeps the paragraph.
//!
//! English only for the list request ([`asks_for_list`]); the rest is word positions.

use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::Candidate;

/// A point with its paragraph context must explain this share of the evidence the whole
/// paragraph holds (question words weighed by IDF) to answer alone: a stray word of another
/// point ("both" of "both countries" in a question about the hotline) does not make the
/// question about the whole list.
const POINT_SHARE: f32 = 0.7;
/// A point explaining this share is chosen over the one closest in meaning, which is chosen
/// over one explaining less ("work" of "will they work on rules…" is in the working group's
/// point; the sentence closest in meaning is the one about norms).
const CLEAR_SHARE: f32 = 0.8;
/// The point closest in meaning is chosen over one explaining more words by up to this share
/// of the evidence.
const MEANING_MARGIN: f32 = 0.15;
/// ...and hold at least this share of it itself (not only the introduction's words with a
/// stray light word of its own).
const OWN_SHARE: f32 = 0.2;
/// Credit, for locating the evidence only, of a word close in meaning that otherwise only
/// orders passages ("crisis" → serious): it says where the question points, not whether the
/// paragraph answers it.
const RANKING_ONLY_LOCATION: f32 = 0.5;

/// A paragraph that enumerates points, with each point's place in its text.
#[derive(Debug)]
pub(super) struct Enumeration {
    /// The paragraph.
    pub paragraph: Arc<Candidate>,
    /// Its flat number among the preloaded passages (the chunk index's passage number).
    pub paragraph_slot: usize,
    /// Each point with the byte range of its text in the paragraph's text and its flat
    /// number, in order.
    pub points: Vec<(Range<usize>, usize, Arc<Candidate>)>,
}

/// Every enumeration of a set of passages, found by paragraph id and by point id.
#[derive(Debug, Default)]
pub(super) struct Enumerations {
    by_id: FxHashMap<String, Arc<Enumeration>>,
}

impl Enumerations {
    /// Groups the points of `candidates` under their paragraphs. A point whose text is not
    /// found verbatim in its paragraph is left out (then the paragraph is never split there).
    pub fn build<'a>(candidates: impl IntoIterator<Item = &'a Arc<Candidate>>) -> Enumerations {
        type Slotted = (usize, Arc<Candidate>);
        let mut paragraphs: FxHashMap<(&str, u32), Slotted> = FxHashMap::default();
        let mut points: FxHashMap<(&str, u32), Vec<Slotted>> = FxHashMap::default();
        for (slot, candidate) in candidates.into_iter().enumerate() {
            let passage = &candidate.passage;
            let key = (passage.article.as_str(), passage.paragraph);
            match passage.point {
                None => {
                    paragraphs.insert(key, (slot, candidate.clone()));
                }
                Some(_) => points
                    .entry(key)
                    .or_default()
                    .push((slot, candidate.clone())),
            }
        }
        let mut by_id = FxHashMap::default();
        for (key, mut items) in points {
            let Some((paragraph_slot, paragraph)) = paragraphs.get(&key) else {
                continue;
            };
            items.sort_by_key(|(_, c)| c.passage.point);
            let text = paragraph.record.text.as_str();
            let mut from = 0;
            let mut located = Vec::with_capacity(items.len());
            for (slot, item) in items {
                let Some(at) = text.get(from..).and_then(|t| t.find(&item.record.text)) else {
                    continue;
                };
                let start = from + at;
                from = start + item.record.text.len();
                located.push((start..from, slot, item));
            }
            if located.is_empty() {
                continue;
            }
            let enumeration = Arc::new(Enumeration {
                paragraph: paragraph.clone(),
                paragraph_slot: *paragraph_slot,
                points: located,
            });
            by_id.insert(paragraph.record.id.clone(), enumeration.clone());
            for (_, _, point) in &enumeration.points {
                by_id.insert(point.record.id.clone(), enumeration.clone());
            }
        }
        Enumerations { by_id }
    }

    /// The enumeration a paragraph or point belongs to.
    pub fn of(&self, id: &str) -> Option<&Arc<Enumeration>> {
        self.by_id.get(id)
    }
}

/// How strongly each question word is found in each part of an enumerating paragraph: the
/// input of [`choose`]. Credits are 0..=1 per question word.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Weight of each question word.
    pub weights: Vec<f32>,
    /// Credit of each word anywhere in the paragraph, its footnotes included.
    pub paragraph: Vec<f32>,
    /// Credit of each word in the paragraph's text outside every point (the introduction).
    pub context: Vec<f32>,
    /// Per point: credit of each word in the point's text.
    pub point_text: Vec<Vec<f32>>,
    /// Per point: credit of each word in the footnotes the point cites (the introduction's
    /// included).
    pub point_footnotes: Vec<Vec<f32>>,
}

/// Which unit of an enumerating paragraph answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The whole paragraph.
    Paragraph,
    /// The point at this position in the paragraph's list (0-based).
    Point(usize),
}

/// Where the evidence lies. A point explains the evidence when, with the paragraph's context,
/// it explains at least [`POINT_SHARE`] of the paragraph's word evidence and holds
/// [`OWN_SHARE`] of it itself. In order: the point holding the paragraph's sentence closest in
/// meaning (`closest`) if it explains the evidence within [`MEANING_MARGIN`] of the point
/// explaining most (meaning decides between points the words explain about equally); the
/// point explaining [`CLEAR_SHARE`] (the one explaining most, then holding most itself, then
/// the earlier); the point the ranking put first (`ranked`), if it holds [`OWN_SHARE`]
/// itself; the closest point, if it holds [`OWN_SHARE`] itself or no word is found at all ("a
/// direct channel for urgent problems" shares no word with the hotline); a point explaining
/// the evidence; else the paragraph. `None` when no question word is found in the paragraph
/// and no point holds its closest sentence: then the ranking's choice stands.
pub fn choose(
    evidence: &Evidence,
    closest: Option<usize>,
    ranked: Option<usize>,
) -> Option<Choice> {
    let words = evidence.weights.len();
    let points = evidence.point_text.len();
    // A word in the footnotes of every point is in the introduction's footnotes: context.
    let context: Vec<f32> = (0..words)
        .map(|w| {
            let shared = evidence
                .point_footnotes
                .iter()
                .map(|f| f[w])
                .fold(f32::INFINITY, f32::min);
            let shared = if shared.is_finite() { shared } else { 0.0 };
            evidence.context[w].max(shared)
        })
        .collect();
    let whole: f32 = (0..words)
        .map(|w| evidence.weights[w] * evidence.paragraph[w])
        .sum();
    // (explained with context, held itself) per point.
    let shares: Vec<(f32, f32)> = (evidence.point_text.iter())
        .zip(&evidence.point_footnotes)
        .map(|(text, footnotes)| {
            let mut explained = 0.0;
            let mut own = 0.0;
            for (w, weight) in evidence.weights.iter().enumerate() {
                let held = text[w].max(footnotes[w]);
                explained += weight * held.max(context[w]);
                own += weight * (held - context[w]).max(0.0);
            }
            (explained, own)
        })
        .collect();
    let holds_enough = |k: usize| whole <= 0.0 || shares[k].1 >= OWN_SHARE * whole;
    let explains =
        |k: usize, share: f32| whole > 0.0 && shares[k].0 >= share * whole && holds_enough(k);
    // Of the points that explain the evidence, the one explaining most, then holding most
    // itself, then the earlier.
    let by_words = |share: f32| {
        (0..points)
            .filter(|&k| explains(k, share))
            .max_by(|&a, &b| {
                let (ea, oa) = shares[a];
                let (eb, ob) = shares[b];
                ea.total_cmp(&eb).then(oa.total_cmp(&ob)).then(b.cmp(&a))
            })
    };
    let most = shares.iter().map(|s| s.0).fold(0.0, f32::max);
    let closest = closest.filter(|&k| k < points);
    let ranked = ranked.filter(|&k| k < points && holds_enough(k));
    let chosen = closest
        .filter(|&k| explains(k, POINT_SHARE) && shares[k].0 >= most - MEANING_MARGIN * whole)
        .or_else(|| by_words(CLEAR_SHARE))
        .or(ranked)
        .or(closest.filter(|&k| holds_enough(k)))
        .or_else(|| by_words(POINT_SHARE));
    if let Some(k) = chosen {
        return Some(Choice::Point(k));
    }
    (whole > 0.0).then_some(Choice::Paragraph)
}

/// The point a follow-up's own words (`evidence` weighs only them) single out, for a
/// conversation about the items of a list: "and participation?" after a question on
/// accountability, "and the code?" after one on pricing, "what's the first one?" after the
/// list. A word's credit in a point (its text or the footnotes it cites) counts beyond what
/// every point holds of it, so the introduction's words ("accountability, participation and
/// efficiency") and footnotes single out none, and a word the introduction shares with one
/// point still singles out that point, unlike in [`choose`], where the introduction is
/// context. Ties go to `previous` (the point the conversation was on) when it is among
/// them, else to the earlier point. `None` when the own words single out no point: the
/// question's other words then decide.
pub fn choose_for_follow_up(evidence: &Evidence, previous: Option<usize>) -> Option<usize> {
    let points = evidence.point_text.len();
    let held = |k: usize, w: usize| evidence.point_text[k][w].max(evidence.point_footnotes[k][w]);
    let scores: Vec<f32> = (0..points)
        .map(|k| {
            (0..evidence.weights.len())
                .map(|w| {
                    let least = (0..points)
                        .map(|j| held(j, w))
                        .fold(f32::INFINITY, f32::min);
                    evidence.weights[w] * (held(k, w) - least)
                })
                .sum()
        })
        .collect();
    let best = scores.iter().copied().fold(0.0, f32::max);
    if best <= 0.0 {
        return None;
    }
    let tied = |k: usize| scores[k] >= best - f32::EPSILON;
    previous
        .filter(|&k| k < points && tied(k))
        .or_else(|| (0..points).find(|&k| tied(k)))
}

/// The evidence of one enumeration for a question, from the question's term lookup
/// (`find`: term id → question word, credit, ranking only).
pub(super) fn evidence(
    enumeration: &Enumeration,
    weights: Vec<f32>,
    find: impl Fn(u32) -> Option<(usize, f32, bool)>,
) -> Evidence {
    let words = weights.len();
    let points = enumeration.points.len();
    let credit = |id: u32| {
        find(id).map(|(word, credit, ranking_only)| {
            let credit = if ranking_only {
                credit * RANKING_ONLY_LOCATION
            } else {
                credit
            };
            (word, credit)
        })
    };
    let mut evidence = Evidence {
        weights,
        paragraph: vec![0.0; words],
        context: vec![0.0; words],
        point_text: vec![vec![0.0; words]; points],
        point_footnotes: vec![vec![0.0; words]; points],
    };
    let record = &enumeration.paragraph.record;
    for span in &record.terms {
        let Some((word, credit)) = credit(span.term) else {
            continue;
        };
        let at = span.start as usize;
        evidence.paragraph[word] = evidence.paragraph[word].max(credit);
        let cell = match enumeration
            .points
            .iter()
            .position(|(r, _, _)| r.contains(&at))
        {
            Some(k) => &mut evidence.point_text[k][word],
            None => &mut evidence.context[word],
        };
        *cell = cell.max(credit);
    }
    for &id in &record.footnote_terms {
        if let Some((word, credit)) = credit(id) {
            evidence.paragraph[word] = evidence.paragraph[word].max(credit);
        }
    }
    for (k, (_, _, point)) in enumeration.points.iter().enumerate() {
        for &id in &point.record.footnote_terms {
            if let Some((word, credit)) = credit(id) {
                let cell = &mut evidence.point_footnotes[k][word];
                *cell = cell.max(credit);
            }
        }
    }
    evidence
}

/// Words that ask for a whole list ("list the commitments", "all the points", "give me
/// everything they agreed").
/// ("summarize" is not one: "summarize what it says about the hotline" asks about one point.)
const LIST_WORDS: &[&str] = &["list", "enumerate", "everything", "rundown", "breakdown"];
/// Number words before a plural noun ("the four points", "three commitments").
/// ("two" and "both" are left out: "the two countries", "both sides" name the parties.)
const COUNTS: &[&str] = &[
    "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];
/// Words after "all" that make it a request for every item ("all the points", "all of it").
const ALL_OF: &[&str] = &["the", "of", "their", "its", "these", "those"];
/// Verbs of a joint commitment: "what did they agree on?" asks for all that was agreed.
const COMMITMENT_VERBS: &[&str] = &[
    "agree",
    "agreed",
    "commit",
    "committed",
    "promise",
    "promised",
    "pledge",
    "pledged",
    "decide",
    "decided",
];
/// Auxiliaries after an object "what" ("what did", "what have").
const AUXILIARIES: &[&str] = &[
    "did", "do", "does", "have", "has", "had", "will", "would", "was", "were", "is", "are",
];
/// Prepositions a commitment verb may end the question with ("agree to", "commit to").
const COMMITMENT_PREPOSITIONS: &[&str] = &["to", "on", "upon"];

/// True when a question asks for a whole list rather than one of its items, from its
/// lowercase words ([`super::answer_type::words_of`] of the lowercased question): a word of
/// listing, "all the …", a count before a plural ("what are the four points"), or "how
/// many" (of items, not of times), or "what" with a commitment verb that ends the question
/// ("what did they agree to?": the object asked for is everything agreed; "what did they
/// agree about the hotline?" names one item).
pub fn asks_for_list(words: &[&str]) -> bool {
    let plural = |w: &str| w.len() > 3 && w.ends_with('s') && !w.ends_with("ss");
    let mut tail = words;
    while let Some((last, rest)) = tail.split_last() {
        if !COMMITMENT_PREPOSITIONS.contains(last) {
            break;
        }
        tail = rest;
    }
    // "what" itself is the object ("what did they…"), not a determiner ("what rules did
    // they commit to?" asks for one item).
    let all_committed = words
        .windows(2)
        .any(|p| p[0] == "what" && AUXILIARIES.contains(&p[1]))
        && tail.last().is_some_and(|w| COMMITMENT_VERBS.contains(w));
    // "how many points", "how many reasons": the count is the list's (not "how many times").
    let how_many = words.windows(2).any(|p| p == ["how", "many"]) && !words.contains(&"times");
    how_many
        || all_committed
        || words.iter().any(|w| LIST_WORDS.contains(w))
        || words.windows(2).any(|p| {
            p[0] == "all" && (ALL_OF.contains(&p[1]) || plural(p[1]))
                // A list runs to a dozen items; "schedule 70 vendors" names no list.
                || (COUNTS.contains(&p[0])
                    || p[0].parse::<u32>().is_ok_and(|n| (3..=12).contains(&n)))
                    && plural(p[1])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower_words(q: &str) -> Vec<String> {
        super::super::answer_type::words_of(&q.to_lowercase())
            .map(str::to_string)
            .collect()
    }

    fn list(q: &str) -> bool {
        let words = lower_words(q);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        asks_for_list(&words)
    }

    #[test]
    fn list_requests_are_told_from_questions_about_one_item() {
        for q in [
            "list the commitments",
            "what are all the points",
            "what are the four points",
            "tell me all of it",
            "what are the 4 things they agreed",
            "give me a rundown of the deal",
            "how many reasons are there",
            "what did they agree to?",
            "so what have the two sides committed to",
            "what did the leaders agree",
        ] {
            assert!(list(q), "{q}");
        }
        for q in [
            "did they agree to a crisis line?",
            "what are the norms of state behavior",
            "do both countries have to respond quickly",
            "did the two sides set up a direct channel",
            "is all hacking banned",
            "how many times a year do they meet",
            "can any company respond or just schedule 70 vendors",
            "what is the first point",
            "summarize what the article says about the hotline",
            "what did they agree about the hotline?",
            "did they agree to a hotline?",
            "what did they agree to do about theft?",
            "What rules of conduct online did they commit to?",
        ] {
            assert!(!list(q), "{q}");
        }
    }

    /// Three words (hotline, agree, both), a paragraph with an introduction and two points.
    fn evidence(context: [f32; 3], one: [f32; 3], two: [f32; 3]) -> Evidence {
        let paragraph = (0..3).map(|w| context[w].max(one[w]).max(two[w])).collect();
        Evidence {
            weights: vec![2.0, 1.0, 0.4],
            paragraph,
            context: context.to_vec(),
            point_text: vec![one.to_vec(), two.to_vec()],
            point_footnotes: vec![vec![0.0; 3], vec![0.0; 3]],
        }
    }

    #[test]
    fn the_point_holding_the_evidence_answers_with_the_introduction_as_context() {
        // "agree" in the introduction, "hotline" in the second point.
        let e = evidence([0.0, 1.0, 0.0], [0.0; 3], [1.0, 0.0, 0.0]);
        assert_eq!(choose(&e, None, None), Some(Choice::Point(1)));
        // A light word of the other point does not make it a list question.
        let e = evidence([0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]);
        assert_eq!(choose(&e, None, None), Some(Choice::Point(1)));
    }

    #[test]
    fn evidence_in_the_introduction_or_over_several_points_keeps_the_paragraph() {
        let e = evidence([0.0, 1.0, 0.0], [0.0; 3], [0.0; 3]);
        assert_eq!(choose(&e, None, None), Some(Choice::Paragraph));
        // Heavy words in both points.
        let e = evidence([0.0; 3], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]);
        assert_eq!(choose(&e, None, None), Some(Choice::Paragraph));
        let e = evidence([0.0; 3], [0.0; 3], [0.0; 3]);
        assert_eq!(
            choose(&e, None, None),
            None,
            "no word found: the ranking's choice stands"
        );
    }

    #[test]
    fn a_footnote_only_one_point_cites_is_that_points_evidence() {
        // "who chairs the dialogue": "chair" only in the second point's own footnote; a word
        // of the footnote every point cites (the introduction's) is context.
        let mut e = evidence([0.0; 3], [0.0; 3], [0.0; 3]);
        e.paragraph = vec![1.0, 1.0, 0.0];
        e.point_footnotes = vec![vec![0.0, 1.0, 0.0], vec![1.0, 1.0, 0.0]];
        assert_eq!(choose(&e, None, None), Some(Choice::Point(1)));
        e.point_footnotes = vec![vec![0.0, 1.0, 0.0], vec![0.0, 1.0, 0.0]];
        e.paragraph = vec![0.0, 1.0, 0.0];
        assert_eq!(choose(&e, None, None), Some(Choice::Paragraph));
    }

    #[test]
    fn a_follow_up_s_own_word_singles_out_its_point_even_when_the_introduction_has_it() {
        // "and participation?": the introduction names every item, the second point holds it.
        let e = evidence([1.0, 0.0, 0.0], [0.0; 3], [1.0, 0.0, 0.0]);
        assert_eq!(choose(&e, None, None), Some(Choice::Paragraph));
        assert_eq!(choose_for_follow_up(&e, None), Some(1));
        // A word every point holds (the introduction's footnote) singles out none.
        let mut e = evidence([0.0; 3], [0.0; 3], [0.0; 3]);
        e.point_footnotes = vec![vec![0.0, 1.0, 0.0], vec![0.0, 1.0, 0.0]];
        assert_eq!(choose_for_follow_up(&e, Some(1)), None);
        // A tie goes to the point the conversation was on, else to the earlier one.
        let e = evidence([0.0; 3], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]);
        assert_eq!(choose_for_follow_up(&e, None), None, "both hold it alike");
        let e = evidence([0.0; 3], [0.0, 0.0, 1.0], [0.0, 1.0, 1.0]);
        assert_eq!(choose_for_follow_up(&e, Some(0)), Some(1));
    }
}
