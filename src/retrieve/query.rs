//! From a question to a weighted set of index terms: strip markup, analyse like the index,
//! weight each term by its rarity (IDF), and map unknown words to close indexed terms.
//!
//! User text never reaches a query parser: `title:x AND (` is just the words `titl`, `x`.

use tantivy::Searcher;

use super::fuzzy::{allowed_edits, bounded_distance, SHORT_WORD_CHARS};
use super::markup::strip_discord_markup;
use crate::indexing::analysis::Analyzer;
use crate::indexing::SearchIndex;
use crate::semantic::StaticModel;

/// Distinct terms taken from one question; the rest is ignored (spam, pasted essays).
pub const MAX_QUERY_TERMS: usize = 32;
/// Unknown words corrected per question, to bound the cost of typo search.
const MAX_FUZZY_TERMS: usize = 8;
/// Closest indexed terms kept for one misspelt word.
const MAX_EXPANSIONS: usize = 3;
/// Credit for a typo-corrected match relative to an exact one, so exact matches rank first.
pub const FUZZY_FACTOR: f32 = 0.8;

/// An indexed term standing for a question word.
#[derive(Debug, Clone, PartialEq)]
pub struct TermMatch {
    /// The indexed term.
    pub term: String,
    /// Its dense id in the index vocabulary.
    pub id: u32,
    /// Credit relative to an exact match (1 exact, [`FUZZY_FACTOR`] if corrected).
    pub credit: f32,
    /// A word close in meaning to a word the question already matches or may be about
    /// ("important" → significant): it orders passages but does not count towards the
    /// coverage an answer needs, so a near-miss cannot pass on borrowed words.
    pub ranking_only: bool,
}

/// One distinct word of the question.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    /// The analysed word as typed.
    pub text: String,
    /// The word as written in the question (before stemming), for word-level meaning.
    pub surface: String,
    /// Its weight in coverage: the IDF of what it matches, or of a rare word if nothing.
    pub weight: f32,
    /// Indexed terms that count as this word, with their credit (1 exact, less if corrected).
    pub matches: Vec<TermMatch>,
    /// An everyday English word ("time", "take"): weak evidence of what the question is about.
    pub common: bool,
    /// The word is a typo its matches correct.
    pub corrected: bool,
    /// The word is unknown and its matches are words close in meaning (weaker evidence:
    /// they never make a question on topic by themselves).
    pub expanded: bool,
    /// Written capitalised inside the question ("France", not "What" or "US"): a name.
    pub name: bool,
    /// A name of something the index does not hold: unknown, and close in meaning to the
    /// names it does hold ("russia", "Ukraine": `SemanticState::expand` in `fusion.rs`). A
    /// question about it is about something the articles do not say.
    pub other_thing: bool,
    /// A short unknown word one edit from several indexed words ("lasw": last or law?):
    /// probably a typo that cannot be resolved, so it is left unknown, and its word pieces
    /// ("law" + "##t") must not bring one of the guesses back as a neighbour in meaning.
    pub ambiguous_typo: bool,
    /// Indexed terms somewhat close in meaning (term id, cosine), below the neighbours of
    /// `matches`: they neither rank nor count towards coverage, and only tell whether a
    /// passage meets what the question asks about ([`super::focus`]: "culprits" is met by
    /// "perpetrators", "career" by nothing in a passage on telecom espionage).
    pub meanings: Vec<(u32, f32)>,
}

/// Share of the unknown-word weight left to an everyday English word the articles do not
/// use ("take", "place", "happen"): it says little about whether the question is on topic,
/// unlike an unknown rare word ("pizza", "password").
const COMMON_WORD_FACTOR: f32 = 0.35;

/// Everyday English words, a background vocabulary standing in for a general corpus's
/// document frequencies. Only consulted for words the index does not know.
const COMMON_ENGLISH: &[&str] = &[
    "take",
    "place",
    "make",
    "get",
    "go",
    "come",
    "see",
    "look",
    "want",
    "give",
    "use",
    "find",
    "ask",
    "work",
    "seem",
    "feel",
    "try",
    "leave",
    "call",
    "good",
    "new",
    "old",
    "great",
    "big",
    "small",
    "long",
    "little",
    "right",
    "high",
    "different",
    "large",
    "next",
    "early",
    "young",
    "important",
    "few",
    "bad",
    "same",
    "able",
    "time",
    "year",
    "people",
    "way",
    "day",
    "man",
    "thing",
    "woman",
    "part",
    "case",
    "week",
    "question",
    "number",
    "fact",
    "month",
    "lot",
    "kind",
    "end",
    "idea",
    "back",
    "others",
    "result",
    "change",
    "reason",
    "moment",
    "happen",
    "like",
    "really",
    "actually",
    "stuff",
    "mean",
    "think",
    "need",
    "put",
    "keep",
    "let",
    "begin",
    "help",
    "show",
    "hear",
    "run",
    "move",
    "live",
    "believe",
    "hold",
    "bring",
    "write",
    "provide",
    "stand",
    "lose",
    "pay",
    "meet",
    "include",
    "continue",
    "set",
    "learn",
    "lead",
    "understand",
    "follow",
    "stop",
    "create",
    "speak",
    "read",
    "allow",
    "add",
    "grow",
    "open",
    "win",
    "offer",
    "remember",
    "consider",
    "appear",
    "wait",
    "serve",
    "send",
    "expect",
    "build",
    "stay",
    "fall",
    "cut",
    "reach",
    "remain",
    "suggest",
    "raise",
    "pass",
    "require",
    "report",
    "decide",
    "pull",
    "say",
    "said",
    "says",
    "told",
    "going",
    "done",
    "made",
    "got",
    "gave",
    "given",
    "went",
    "came",
    "exactly",
    "main",
    "full",
    "whole",
    "real",
    "sure",
    "true",
    "deal",
    "current",
    "currently",
    "recent",
    "recently",
    "later",
    "now",
    "today",
    "still",
    "ever",
    "never",
    "always",
    "often",
    "again",
    "already",
    "yet",
    "soon",
    "maybe",
    "probably",
    "much",
    "many",
    "more",
    "most",
    "less",
    "least",
    "other",
    "another",
    "each",
    "every",
    "both",
    "either",
    "neither",
    "all",
    "only",
    "own",
    "such",
    "same",
    "well",
    "even",
    "way",
    "thing",
    "things",
    "something",
    "anything",
    "nothing",
    "everything",
    "someone",
    "anyone",
    "everyone",
    "somebody",
    "anybody",
    "everybody",
    "stuff",
    "kind",
    "sort",
    "type",
    "example",
    "detail",
    "details",
    "summary",
    "summarize",
    "explain",
    "describe",
    "mention",
    "mentioned",
    "talk",
    "talked",
    "discuss",
    "discussed",
    "happened",
    "happening",
    "result",
    "outcome",
    "main",
    "key",
    "important",
    "overall",
    "basically",
    "exact",
    "specific",
    "general",
    "okay",
    "ok",
];

fn is_common_english(term: &str) -> bool {
    static COMMON: std::sync::OnceLock<rustc_hash::FxHashMap<String, ()>> =
        std::sync::OnceLock::new();
    COMMON
        .get_or_init(|| {
            let mut analyzer = Analyzer::new();
            COMMON_ENGLISH
                .iter()
                .flat_map(|w| analyzer.terms(w))
                .map(|t| (t, ()))
                .collect()
        })
        .contains_key(term)
}

/// A question ready to search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryPlan {
    /// Distinct words in question order.
    pub terms: Vec<QueryTerm>,
    /// The question with Discord markup stripped, for sentence-level meaning.
    pub text: String,
}

impl QueryPlan {
    /// Sum of all term weights: the denominator of coverage.
    pub fn total_weight(&self) -> f32 {
        self.terms.iter().map(|t| t.weight).sum()
    }

    /// True when the question has no searchable word.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when some word the index knows is more than everyday English: without one
    /// ("what time is it" only matches "timely"), no passage is really about the question.
    pub fn has_topical_match(&self) -> bool {
        self.terms
            .iter()
            .any(|t| t.is_matched() && !t.common && !t.expanded)
    }
}

impl QueryPlan {
    /// True when the question names something the index does not know ("Who is the president
    /// of France?"): it is about that, so a passage sharing only its other words is no answer.
    pub fn has_unknown_name(&self) -> bool {
        self.terms.iter().any(|t| t.name && !t.is_matched())
    }
}

impl QueryTerm {
    /// True when some indexed term counts as this word for coverage (exactly, as a typo
    /// correction, or as an unknown word's close neighbour).
    pub fn is_matched(&self) -> bool {
        self.matches.iter().any(|m| !m.ranking_only)
    }
}

/// BM25's inverse document frequency.
pub fn idf(doc_freq: u64, docs: u64) -> f32 {
    let n = docs as f32;
    let df = doc_freq as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Cuts `text` to at most `max_chars` characters.
fn prefix_chars(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// Words the index does not know share their weight: k unknown words weigh together what
/// sqrt(k) would alone. Each one still says the question may be about something else, but
/// three unknown words of a paraphrase ("what legal basis exists for sanctions") must not
/// outweigh the one rare word that matches.
fn share_unknown_weight(terms: &mut [QueryTerm]) {
    let unknown = terms.iter().filter(|t| t.matches.is_empty()).count();
    if unknown > 1 {
        let share = 1.0 / (unknown as f32).sqrt();
        for term in terms.iter_mut().filter(|t| t.matches.is_empty()) {
            term.weight *= share;
        }
    }
}

/// Words among the most frequent of English ("from", "with", "were") that the stop-word list
/// leaves in: they match almost any passage and say nothing of its topic.
const FUNCTION_WORD_RANK: u32 = 30;

/// Derivational suffixes that make a noun of a verb ("agree" → "agreement"), longest first.
const DERIVATIONS: &[&str] = &["ments", "ment", "ations", "ation", "ions", "ion"];
/// Inflected forms of a root (without its final "e") that the stemmer may index.
const INFLECTIONS: &[&str] = &["", "e", "es", "ed", "ing", "s"];
/// A root's form must be at least this close in meaning to the derived word (static
/// vectors): "agreement" and "agreed" are (0.20); "statement" and "state" (0.10), "station"
/// and "state" (0.08), "department" and "depart" (0.11) are other words.
const DERIVATION_SIMILARITY: f32 = 0.15;
/// Credit of a root's form when the index also holds the derived word itself.
const KNOWN_WORD_DERIVATION_CREDIT: f32 = 0.5;

/// The stems of the root forms of a derived noun `surface` ("agreement" → the stem of
/// "agree", "agreed", …): each form close enough in meaning, the root keeping four letters
/// without its final "e". Empty for a word with no derivational suffix.
fn root_forms(surface: &str, model: &StaticModel, analyzer: &mut Analyzer) -> Vec<String> {
    let lower = surface.to_lowercase();
    let Some(root) = DERIVATIONS
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
        .map(|root| root.strip_suffix('e').unwrap_or(root))
        .filter(|root| root.chars().count() >= 4)
    else {
        return Vec::new();
    };
    let Some(derived) = model.embed(&lower) else {
        return Vec::new();
    };
    // A bare root that is a common word ("agree", "state") must be close too: "stated" is
    // near "statement", but its stem is also that of the noun "state", which is not.
    let with_e = format!("{root}e");
    let base = [with_e.as_str(), root]
        .into_iter()
        .find(|w| model.word_rank(w).is_some());
    let base_far = base.is_some_and(|base| {
        model
            .embed(base)
            .is_none_or(|v| crate::semantic::dot(&v, &derived) < DERIVATION_SIMILARITY)
    });
    if base_far {
        return Vec::new();
    }
    let mut stems: Vec<String> = Vec::new();
    for inflection in INFLECTIONS {
        let form = format!("{root}{inflection}");
        let close = model
            .embed(&form)
            .is_some_and(|v| crate::semantic::dot(&v, &derived) >= DERIVATION_SIMILARITY);
        if !close {
            continue;
        }
        for stem in analyzer.terms(&form) {
            if !stems.contains(&stem) {
                stems.push(stem);
            }
        }
    }
    stems
}
/// Weight of such a word, relative to its IDF.
const FUNCTION_WORD_FACTOR: f32 = 0.35;

/// Abbreviations of months and weekdays people type ("in sept 2015"), lowercase, with the
/// word they stand for. Those that are English words of their own ("mar", "wed", "sat",
/// "sun") are left out.
const CALENDAR_ABBREVIATIONS: &[(&str, &str)] = &[
    ("jan", "January"),
    ("feb", "February"),
    ("apr", "April"),
    ("jun", "June"),
    ("jul", "July"),
    ("aug", "August"),
    ("sep", "September"),
    ("sept", "September"),
    ("oct", "October"),
    ("nov", "November"),
    ("dec", "December"),
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("tues", "Tuesday"),
    ("thu", "Thursday"),
    ("thur", "Thursday"),
    ("thurs", "Thursday"),
    ("fri", "Friday"),
];

/// `text` with each abbreviated month or weekday written out ("sept 2015" → "September
/// 2015"): the articles write them in full, and an unknown "sept" would read as a name of
/// something else.
fn expand_calendar_abbreviations(text: &str) -> std::borrow::Cow<'_, str> {
    let full = |word: &str| {
        let lower = word.to_lowercase();
        CALENDAR_ABBREVIATIONS
            .iter()
            .find(|(short, _)| *short == lower)
            .map(|(_, full)| *full)
    };
    if !text
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| full(word).is_some())
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() {
            word.push(c);
            continue;
        }
        out.push_str(full(&word).unwrap_or(&word));
        word.clear();
        out.push(c);
    }
    out.pop();
    std::borrow::Cow::Owned(out)
}

/// Builds the plan for `question`, reading at most `max_chars` of it.
pub fn plan(
    index: &SearchIndex,
    searcher: &Searcher,
    analyzer: &mut Analyzer,
    question: &str,
    max_chars: usize,
) -> QueryPlan {
    let cleaned = strip_discord_markup(prefix_chars(question, max_chars));
    let cleaned = match expand_calendar_abbreviations(&cleaned) {
        std::borrow::Cow::Owned(expanded) => std::borrow::Cow::Owned(expanded),
        std::borrow::Cow::Borrowed(_) => cleaned,
    };
    let mut words: Vec<(String, String, bool)> = Vec::new();
    for analysed in analyzer.analyze(&cleaned) {
        if !words.iter().any(|(w, _, _)| *w == analysed.term) {
            let surface = cleaned
                .get(analysed.start..analysed.end)
                .unwrap_or_default();
            let at_start = cleaned
                .get(..analysed.start)
                .is_none_or(|before| before.trim().is_empty());
            let name = !at_start
                && surface.chars().next().is_some_and(char::is_uppercase)
                && surface.chars().any(char::is_lowercase);
            words.push((analysed.term, surface.to_string(), name));
            if words.len() == MAX_QUERY_TERMS {
                break;
            }
        }
    }
    let docs = searcher.num_docs().max(1);
    // An unknown word weighs like a word found in 30% of passages. That keeps the weight on
    // the same scale at any corpus size (IDF depends on df/N), lets one rare matched word carry
    // a question padded with other words, and leaves questions whose only matches are
    // common words (China, cyber) below the coverage bar.
    let unknown_weight = idf((docs * 3 / 10).max(1), docs);
    let vocabulary = index.vocabulary();
    let model = StaticModel::embedded();
    let doc_freq = |term: &str| vocabulary.stats(term).map_or(0, |s| s.doc_freq);
    let mut fuzzy_budget = MAX_FUZZY_TERMS;
    let terms = words
        .into_iter()
        .map(|(word, surface, name)| {
            let common = is_common_english(&word);
            let rank = model.word_rank(&surface);
            // The forms of the root of a derived noun ("agreed" for "agreement"), which the
            // stemmer keeps apart: they count, a little below the word itself.
            let derived: Vec<TermMatch> = root_forms(&surface, model, analyzer)
                .into_iter()
                .filter(|stem| *stem != word)
                .filter_map(|stem| {
                    let stats = vocabulary.stats(&stem).filter(|s| s.doc_freq > 0)?;
                    Some(TermMatch {
                        id: stats.id,
                        term: stem,
                        credit: FUZZY_FACTOR,
                        ranking_only: false,
                    })
                })
                .collect();
            if let Some(stats) = vocabulary.stats(&word).filter(|s| s.doc_freq > 0) {
                let function_word = rank.is_some_and(|r| r < FUNCTION_WORD_RANK);
                let factor = if function_word {
                    FUNCTION_WORD_FACTOR
                } else {
                    1.0
                };
                let mut matches = vec![TermMatch {
                    term: word.clone(),
                    id: stats.id,
                    credit: 1.0,
                    ranking_only: false,
                }];
                // Beside the word itself its root's forms are weaker evidence: the passages
                // that use the word are about it.
                matches.extend(derived.into_iter().map(|m| TermMatch {
                    credit: KNOWN_WORD_DERIVATION_CREDIT,
                    ..m
                }));
                return QueryTerm {
                    weight: idf(stats.doc_freq, docs) * factor,
                    matches,
                    text: word,
                    surface,
                    common,
                    corrected: false,
                    expanded: false,
                    name,
                    other_thing: false,
                    ambiguous_typo: false,
                    meanings: Vec::new(),
                };
            }
            let chars = word.chars().count();
            let edits = allowed_edits(chars);
            // An ordinary English word the articles do not use ("list", "words", or an
            // inflection of one: "cheats") is not a typo of one they do use ("last", "work",
            // "creat"): it is left unknown (and may find its meaning through the semantic
            // signal instead).
            let correctable = edits > 0
                && fuzzy_budget > 0
                && !model.is_ordinary_word(&surface)
                && !word.chars().any(|c| c.is_ascii_digit());
            let mut expansions: Vec<(usize, String)> = Vec::new();
            if correctable {
                fuzzy_budget -= 1;
                // Only words with the same first letter: typos rarely hit it, and requiring it
                // keeps unrelated words of similar shape apart.
                let first = word.chars().next().unwrap_or_default();
                for candidate in vocabulary.near(first, chars, edits) {
                    if let Some(d) = bounded_distance(&word, candidate, edits) {
                        expansions.push((d, candidate.to_string()));
                    }
                }
            }
            let closest = expansions.iter().map(|(d, _)| *d).min();
            let mut matches: Vec<TermMatch> = expansions
                .into_iter()
                .filter(|(d, _)| Some(*d) == closest)
                .map(|(_, term)| TermMatch {
                    id: vocabulary.id(&term),
                    term,
                    credit: FUZZY_FACTOR,
                    ranking_only: false,
                })
                .collect();
            // A derived noun the articles only use as a verb ("indictment" of "indicted") is
            // that verb, not a typo of another word.
            let derived_only = !derived.is_empty();
            if derived_only {
                matches = derived;
            }
            let ambiguous_typo = chars <= SHORT_WORD_CHARS && matches.len() > 1;
            if chars <= SHORT_WORD_CHARS && matches.len() != 1 {
                // An ambiguous short word ("sae": safe or same?) is better left unknown.
                matches.clear();
            }
            matches.sort_by(|a, b| a.term.cmp(&b.term));
            matches.truncate(MAX_EXPANSIONS);
            let weight = matches
                .iter()
                .map(|m| idf(doc_freq(&m.term), docs))
                .fold(None, |acc: Option<f32>, w| {
                    Some(acc.map_or(w, |a| a.max(w)))
                })
                // A number the articles do not use ("2" of "hotline~2", a year) says as little
                // about the topic as an everyday word.
                .unwrap_or(if common || word.chars().all(|c| c.is_ascii_digit()) {
                    unknown_weight * COMMON_WORD_FACTOR
                } else {
                    unknown_weight
                });
            QueryTerm {
                text: word,
                surface,
                weight,
                corrected: !matches.is_empty() && !derived_only,
                expanded: false,
                name,
                other_thing: false,
                ambiguous_typo,
                matches,
                common,
                meanings: Vec::new(),
            }
        })
        .collect();
    let mut terms: Vec<QueryTerm> = terms;
    share_unknown_weight(&mut terms);
    QueryPlan {
        terms,
        text: cleaned.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviated_months_and_weekdays_are_written_out() {
        assert_eq!(
            expand_calendar_abbreviations("what did they agree to in Sept. 2015?"),
            "what did they agree to in September. 2015?"
        );
        assert_eq!(
            expand_calendar_abbreviations("dec 1 or thurs"),
            "December 1 or Thursday"
        );
        // Words of their own, and words that only begin like one, stay.
        for text in ["a sat phone on wed", "september", "decent septic"] {
            assert_eq!(expand_calendar_abbreviations(text), text);
        }
    }

    #[test]
    fn a_derived_noun_reaches_its_roots_forms_close_in_meaning() {
        let (model, mut analyzer) = (StaticModel::embedded(), Analyzer::new());
        let stem = |word: &str| Analyzer::new().terms(word).remove(0);
        assert!(root_forms("agreement", model, &mut analyzer).contains(&stem("agreed")));
        assert!(root_forms("Indictment", model, &mut analyzer).contains(&stem("indicted")));
        // Other words of the same letters are too far in meaning.
        assert!(!root_forms("statement", model, &mut analyzer).contains(&stem("state")));
        assert!(!root_forms("department", model, &mut analyzer).contains(&stem("depart")));
        // No derivational suffix, or too short a root: nothing.
        assert!(root_forms("agreed", model, &mut analyzer).is_empty());
        assert!(root_forms("nation", model, &mut analyzer).is_empty());
    }
}
