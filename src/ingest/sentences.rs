//! Sentence boundaries inside a paragraph, keeping trailing footnote markers and closing
//! quotes with the sentence they follow (`…issues.[2]`, `…prospectively”. [4]`).

use super::markers::marker_at;
use super::model::Sentence;

/// Abbreviations whose final period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "no", "u.s", "e.g", "i.e", "etc", "inc",
    "gen", "gov", "sen", "rep", "prof", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
];

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

fn ends_with_abbreviation(before: &str) -> bool {
    // Read back at most one character more than the longest abbreviation: scanning a whole
    // space-free run at every period made `a.a.a.…` quadratic.
    let longest = ABBREVIATIONS.iter().map(|a| a.len()).max().unwrap_or(0);
    let mut reversed = Vec::with_capacity(longest + 1);
    for c in before.chars().rev() {
        if c.is_whitespace() || c == '(' || c == '“' || c == '"' {
            break;
        }
        if reversed.len() == longest {
            return false;
        }
        reversed.push(c);
    }
    let word: String = reversed.into_iter().rev().collect();
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

/// Splits `text` into sentences. Every byte of non-space text belongs to exactly one sentence.
pub fn split_sentences(text: &str) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    let mut start = skip_space(text, 0);
    let mut i = start;
    while i < text.len() {
        let c = match text[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        i += c.len_utf8();
        if !matches!(c, '.' | '?' | '!') {
            continue;
        }
        if c == '.' && ends_with_abbreviation(&text[start..i - 1]) {
            continue;
        }
        // Absorb further terminal punctuation, closing quotes and footnote markers,
        // possibly separated from the period by spaces (`”. [4]`).
        let mut end = i;
        loop {
            let rest = &text[end..];
            match rest.chars().next() {
                Some(ch) if matches!(ch, '.' | '?' | '!') || is_closing(ch) => {
                    if ch == ']' {
                        break;
                    }
                    end += ch.len_utf8();
                }
                Some('[') => match marker_at(text, end) {
                    Some(marker) => end = marker.end,
                    None => break,
                },
                Some(ch) if ch.is_whitespace() => {
                    let next = skip_space(text, end);
                    if marker_at(text, next).is_some() {
                        end = next;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        let next = skip_space(text, end);
        // A sentence ends only where the next one visibly starts (or the text ends).
        let starts_new = match text[next..].chars().next() {
            None => true,
            Some(ch) => {
                next > end && (ch.is_uppercase() || ch.is_numeric() || "“\"'‘(".contains(ch))
            }
        };
        if starts_new {
            sentences.push(Sentence { start, end });
            start = next;
            i = next;
        } else {
            i = end;
        }
    }
    let tail_end = text.trim_end().len();
    if start < tail_end {
        sentences.push(Sentence {
            start,
            end: tail_end,
        });
    }
    sentences
}

fn skip_space(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    from + (rest.len() - rest.trim_start().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<&str> {
        split_sentences(text)
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn keeps_markers_with_their_sentence() {
        assert_eq!(
            parts("They agreed.[1] First, a. Last, b issues.[2]"),
            vec!["They agreed.[1]", "First, a.", "Last, b issues.[2]"]
        );
    }

    #[test]
    fn keeps_quote_then_spaced_marker() {
        assert_eq!(
            parts("He said “go after them”. [4] The kit works."),
            vec!["He said “go after them”. [4]", "The kit works."]
        );
    }

    #[test]
    fn abbreviations_and_lowercase_do_not_split() {
        assert_eq!(
            parts("The U.S. indictment of Mr. Smith came. It was 2014.  Then talks."),
            vec![
                "The U.S. indictment of Mr. Smith came.",
                "It was 2014.",
                "Then talks."
            ]
        );
    }

    #[test]
    fn text_without_final_period_is_one_sentence() {
        assert_eq!(parts("  no period here "), vec!["no period here"]);
        assert!(parts("   ").is_empty());
    }
}
