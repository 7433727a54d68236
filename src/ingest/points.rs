//! Enumerated agreement points: sentences that open with ordinal words
//! ("First, … Second, … Third, … Last, …") become addressable, numbered points.

use super::markers::cited_numbers;
use super::model::{Passage, Point};
use super::sentences::split_sentences;

const ORDINALS: &[(&str, u32)] = &[
    ("first", 1),
    ("firstly", 1),
    ("second", 2),
    ("secondly", 2),
    ("third", 3),
    ("thirdly", 3),
    ("fourth", 4),
    ("fourthly", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
];

/// Words that close a list whatever its length.
const CLOSERS: &[&str] = &["last", "lastly", "finally"];

/// Rank of an ordinal word (`First` → 1); closers ("Last", "Finally") rank `u32::MAX`.
pub fn ordinal_rank(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    if CLOSERS.contains(&lower.as_str()) {
        return Some(u32::MAX);
    }
    ORDINALS
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, rank)| *rank)
}

/// The rank of a sentence that opens with an ordinal word followed by a comma or colon.
pub(crate) fn sentence_rank(sentence: &str) -> Option<u32> {
    let end = sentence.find([',', ':'])?;
    let head = sentence[..end].trim();
    if head.contains(char::is_whitespace) {
        return None;
    }
    ordinal_rank(head)
}

/// Finds the enumerations in one paragraph and returns their items as points, numbered
/// from `first_number`.
pub fn extract_points(passage: &Passage, first_number: u32) -> Vec<Point> {
    let text = &passage.text;
    // The passage's own sentences, computed once by the parser; split here only when a
    // caller built a passage without them.
    let split;
    let sentences: &[crate::ingest::model::Sentence] =
        if passage.sentences.is_empty() && !text.trim().is_empty() {
            split = split_sentences(text);
            &split
        } else {
            &passage.sentences
        };
    let ranks: Vec<Option<u32>> = sentences
        .iter()
        .map(|s| sentence_rank(&text[s.start..s.end]))
        .collect();

    let mut points = Vec::new();
    let mut i = 0;
    while i < sentences.len() {
        if ranks[i] != Some(1) {
            i += 1;
            continue;
        }
        // Collect item starts: ordinals in increasing order, a closer ends the list.
        let mut starts = vec![i];
        let mut expected = 2;
        for (j, rank) in ranks.iter().enumerate().skip(i + 1) {
            match rank {
                Some(r) if *r == expected => {
                    starts.push(j);
                    expected += 1;
                }
                Some(u32::MAX) => {
                    starts.push(j);
                    break;
                }
                _ => {}
            }
        }
        if starts.len() < 2 {
            i += 1;
            continue;
        }
        let intro_footnotes = if i > 0 {
            let intro = sentences[i - 1];
            cited_numbers(&text[intro.start..intro.end])
        } else {
            Vec::new()
        };
        for (k, &s) in starts.iter().enumerate() {
            // An item runs to the next item; the last item is its own sentence only.
            let end_sentence = match starts.get(k + 1) {
                Some(&next) => next - 1,
                None => s,
            };
            let start = sentences[s].start;
            let end = sentences[end_sentence].end;
            let item = &text[start..end];
            let mut footnotes = intro_footnotes.clone();
            footnotes.extend(cited_numbers(item));
            footnotes.sort_unstable();
            footnotes.dedup();
            let item_sentences = split_sentences(item);
            points.push(Point {
                number: first_number + points.len() as u32,
                paragraph: passage.paragraph,
                text: item.to_string(),
                footnotes,
                sentences: item_sentences,
            });
        }
        let last = *starts.last().unwrap_or(&i);
        i = last + 1;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(text: &str) -> Passage {
        Passage {
            paragraph: 2,
            text: text.to_string(),
            footnotes: cited_numbers(text),
            sentences: split_sentences(text),
        }
    }

    #[test]
    fn intro_marker_sources_every_point_and_item_markers_stay_with_items() {
        let p = passage(
            "They agreed on three points.[1] First, talk. Second, listen.[5] Last, a hotline.[2] After.",
        );
        let points = extract_points(&p, 1);
        let got: Vec<(u32, &str, Vec<u32>)> = points
            .iter()
            .map(|p| (p.number, p.text.as_str(), p.footnotes.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "First, talk.", vec![1]),
                (2, "Second, listen.[5]", vec![1, 5]),
                (3, "Last, a hotline.[2]", vec![1, 2]),
            ]
        );
    }

    #[test]
    fn items_span_following_sentences_until_next_ordinal() {
        let p = passage("First, one. More on one. Second, two. Finally, three.");
        let texts: Vec<String> = extract_points(&p, 4).into_iter().map(|p| p.text).collect();
        assert_eq!(
            texts,
            vec![
                "First, one. More on one.",
                "Second, two.",
                "Finally, three."
            ]
        );
    }

    #[test]
    fn needs_first_and_a_comma_and_two_items() {
        assert!(
            extract_points(&passage("First use of force is banned. Second, no."), 1).is_empty()
        );
        assert!(extract_points(&passage("Second, a. Third, b."), 1).is_empty());
        assert!(extract_points(&passage("First, only one item here."), 1).is_empty());
        assert!(extract_points(&passage("At first, he hesitated. Last, he left."), 1).is_empty());
    }
}
