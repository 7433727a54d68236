//! Questions that name a numbered part of the article instead of asking about its content:
//! "what does footnote 3 say?", "what is point 2?", "show me the last point", "and note 4?".
//! People type them in the chat as they would use `/point 2` or `/footnote 3`; word matching
//! cannot serve them (a number is no word of the text, and "footnote" is none either), so
//! they are read here, from the question's lowercase words, and the engine answers with
//! that part: the point, or the passage that cites the footnote, footnote included. English
//! only, like the rest of the question analysis.

/// Which of a numbered series is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nth {
    /// The n-th, from 1.
    Number(u32),
    /// The last one.
    Last,
}

/// A numbered part of an article a question names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// An enumerated point ("point 2", "the second point").
    Point(Nth),
    /// A footnote ("footnote 3", "note 3", "the first footnote").
    Footnote(Nth),
}

/// Words naming a footnote; "note" only with a number after it ("note 3"), since "note
/// that …" is a verb.
const FOOTNOTE_WORDS: &[&str] = &["footnote", "footnotes", "fn"];
/// Words naming an enumerated point.
const POINT_WORDS: &[&str] = &["point", "points", "item", "items", "commitment"];
/// Ordinals and their numbers.
const ORDINALS: &[(&str, u32)] = &[
    ("first", 1),
    ("1st", 1),
    ("second", 2),
    ("2nd", 2),
    ("third", 3),
    ("3rd", 3),
    ("fourth", 4),
    ("4th", 4),
    ("fifth", 5),
    ("5th", 5),
    ("sixth", 6),
    ("6th", 6),
    ("seventh", 7),
    ("7th", 7),
    ("eighth", 8),
    ("8th", 8),
    ("ninth", 9),
    ("9th", 9),
    ("tenth", 10),
    ("10th", 10),
];
/// Cardinal number words after "point"/"footnote" ("point two").
const CARDINALS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
];
/// Words that may stand between an ordinal and the noun ("the second agreed point").
const BETWEEN: &[&str] = &["agreed", "cited", "listed", "main", "one"];

/// The numbered part `words` (a question's lowercase words, as
/// [`super::answer_type::words_of`] splits them) names, if it names exactly one: a noun with
/// a number after it ("footnote 3", "point two") or an ordinal before it ("the third point",
/// "the last footnote"). "How many points…" and "the points" name none.
pub fn of_question(words: &[&str]) -> Option<Reference> {
    let mut found = None;
    for (i, word) in words.iter().enumerate() {
        let footnote = FOOTNOTE_WORDS.contains(word) || *word == "note";
        let point = POINT_WORDS.contains(word);
        if !footnote && !point {
            continue;
        }
        let after = words.get(i + 1).and_then(|w| number_after(w));
        // "note" is a footnote only with its number: "note that …", "a note on …" are not.
        let before = if *word == "note" {
            None
        } else {
            ordinal_before(&words[..i])
        };
        let Some(nth) = after.or(before) else {
            continue;
        };
        let reference = if footnote {
            Reference::Footnote(nth)
        } else {
            Reference::Point(nth)
        };
        // Two different parts ("point 2 and point 3") are a comparison, not a look-up.
        if found.is_some_and(|f| f != reference) {
            return None;
        }
        found = Some(reference);
    }
    found
}

/// An ordinal in `words` (a question's lowercase words) and the word it qualifies, if any
/// ("the first duty" → first, "duty"; "and the second?" → second, none; "the last one" →
/// last, "one"): how a follow-up asks for one item of the list the conversation is about.
pub fn ordinal_item<'w>(words: &[&'w str]) -> Option<(Nth, Option<&'w str>)> {
    let at = words
        .iter()
        .position(|w| matches!(*w, "last" | "final") || ORDINALS.iter().any(|(o, _)| o == w))?;
    let nth = match words[at] {
        "last" | "final" => Nth::Last,
        word => ORDINALS
            .iter()
            .find(|(o, _)| *o == word)
            .map(|&(_, n)| Nth::Number(n))?,
    };
    let mut rest = words[at + 1..].iter().copied();
    let mut noun = rest.next();
    if noun.is_some_and(|w| BETWEEN.contains(&w) && w != "one") {
        noun = rest.next();
    }
    Some((nth, noun))
}

/// Whether `word` names the items of a list in general ("point", "item"), so that any
/// list's n-th item answers "the n-th point".
pub fn names_items(word: &str) -> bool {
    POINT_WORDS.contains(&word) || matches!(word, "one" | "ones")
}

/// The number written after a noun: digits or a cardinal word.
fn number_after(word: &str) -> Option<Nth> {
    if let Ok(n) = word.parse::<u32>() {
        return (1..=99).contains(&n).then_some(Nth::Number(n));
    }
    CARDINALS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|&(_, n)| Nth::Number(n))
}

/// The ordinal just before a noun, skipping a word such as "agreed" ("the second agreed
/// point").
fn ordinal_before(before: &[&str]) -> Option<Nth> {
    let mut rest = before.iter().rev();
    let mut word = rest.next()?;
    if BETWEEN.contains(word) {
        word = rest.next()?;
    }
    if matches!(*word, "last" | "final") {
        return Some(Nth::Last);
    }
    ORDINALS
        .iter()
        .find(|(w, _)| w == word)
        .map(|&(_, n)| Nth::Number(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(question: &str) -> Option<Reference> {
        let lower = question.to_lowercase();
        let words: Vec<&str> = super::super::answer_type::words_of(&lower).collect();
        of_question(&words)
    }

    #[test]
    fn numbered_parts_are_read_from_the_question() {
        use Nth::{Last, Number};
        let cases = [
            (
                "what does footnote 3 say?",
                Some(Reference::Footnote(Number(3))),
            ),
            ("Footnote 2", Some(Reference::Footnote(Number(2)))),
            ("and note 4?", Some(Reference::Footnote(Number(4)))),
            (
                "what's the first footnote",
                Some(Reference::Footnote(Number(1))),
            ),
            ("what is point 2", Some(Reference::Point(Number(2)))),
            ("point two?", Some(Reference::Point(Number(2)))),
            ("show me the last point", Some(Reference::Point(Last))),
            (
                "what is the 3rd point about",
                Some(Reference::Point(Number(3))),
            ),
            ("the second agreed point", Some(Reference::Point(Number(2)))),
            (
                "does point 2 cover theft of trade secrets?",
                Some(Reference::Point(Number(2))),
            ),
        ];
        for (question, expected) in cases {
            assert_eq!(read(question), expected, "{question}");
        }
    }

    #[test]
    fn an_ordinal_and_the_word_it_qualifies_are_read() {
        use Nth::{Last, Number};
        let read = |q: &str| {
            let lower = q.to_lowercase();
            let words: Vec<&str> = super::super::answer_type::words_of(&lower).collect();
            ordinal_item(&words).map(|(nth, noun)| (nth, noun.map(str::to_string)))
        };
        assert_eq!(
            read("and the first duty?"),
            Some((Number(1), Some("duty".into())))
        );
        assert_eq!(read("and the second?"), Some((Number(2), None)));
        assert_eq!(
            read("what about the last one"),
            Some((Last, Some("one".into())))
        );
        assert_eq!(
            read("the third agreed point"),
            Some((Number(3), Some("point".into())))
        );
        assert_eq!(read("who chairs it?"), None);
    }

    #[test]
    fn questions_about_content_name_no_part() {
        for question in [
            "how many points did they agree on?",
            "what are the points",
            "note that the dialogue stopped",
            "what was the point of the summit",
            "what do the footnotes say",
            "compare point 2 and point 3",
            "what happened in 2015",
            "point 0",
        ] {
            assert_eq!(read(question), None, "{question}");
        }
    }
}
