//! Discord Markdown for answers: the passage with the question's words in `**bold**` and the
//! best sentence of a multi-sentence passage in `__…__`, article text escaped so it shows
//! verbatim. Used by the embeds and the JSON `highlight`.

use crate::answer::Hit;
use crate::render::scan;

/// The hit's passage as Markdown, marked where [`Hit::marks`] says.
pub fn highlighted(hit: &Hit) -> String {
    highlight(&hit.passage.text, &hit.marks.matched, hit.marks.sentence)
}

/// Escapes characters Discord Markdown would interpret.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_markdown_into(&mut out, text);
    out
}

/// Appends `text` to `out` escaped like [`escape_markdown`], copying runs between special
/// characters whole (they are all ASCII, so byte positions are character boundaries). Eight
/// bytes are checked per step: article text rarely holds one of these characters.
fn escape_markdown_into(out: &mut String, text: &str) {
    let special = |block: u64| scan::holds_any(block, b"\\*_~`|");
    let bytes = text.as_bytes();
    let mut from = 0;
    let mut at = 0;
    while at < bytes.len() {
        at = scan::skip_plain_blocks(bytes, at, special);
        for (i, &byte) in bytes[at..(at + 8).min(bytes.len())].iter().enumerate() {
            if matches!(byte, b'\\' | b'*' | b'_' | b'~' | b'`' | b'|') {
                out.push_str(&text[from..at + i]);
                out.push('\\');
                from = at + i;
            }
        }
        at += 8;
    }
    out.push_str(&text[from..]);
}

/// Marks matched words bold (adjacent ones as one run) and the best sentence underlined,
/// escaping the text between the marks.
pub fn highlight(
    text: &str,
    matched: &[(usize, usize)],
    sentence: Option<(usize, usize)>,
) -> String {
    let mut spans: Vec<(usize, usize)> = matched
        .iter()
        .copied()
        .filter(|(s, e)| {
            s < e && *e <= text.len() && text.is_char_boundary(*s) && text.is_char_boundary(*e)
        })
        .collect();
    spans.sort_unstable();
    // Merge spans separated only by spaces so "trade secrets" is one bold run.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match runs.last_mut() {
            Some(last)
                if start <= last.1 || text[last.1..start].chars().all(char::is_whitespace) =>
            {
                last.1 = last.1.max(end);
            }
            _ => runs.push((start, end)),
        }
    }
    // Events at one offset sort as: close bold (0), sentence mark (1), open bold (2), so
    // marks nest properly; bold runs are split at the sentence edges.
    let edges: Vec<usize> = sentence.map(|(s, e)| vec![s, e]).unwrap_or_default();
    let mut events: Vec<(usize, u8, &str)> = edges.iter().map(|at| (*at, 1, "__")).collect();
    for (start, end) in runs {
        let mut from = start;
        for edge in edges
            .iter()
            .copied()
            .filter(|edge| start < *edge && *edge < end)
        {
            events.push((from, 2, "**"));
            events.push((edge, 0, "**"));
            from = edge;
        }
        events.push((from, 2, "**"));
        events.push((end, 0, "**"));
    }
    events.sort_by_key(|(at, rank, _)| (*at, *rank));
    let mut out = String::with_capacity(text.len() + events.len() * 2);
    let mut last = 0;
    for (at, _, mark) in events {
        escape_markdown_into(&mut out, &text[last..at]);
        out.push_str(mark);
        last = at;
    }
    escape_markdown_into(&mut out, &text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bolds_matched_words_and_merges_neighbours() {
        let text = "extract trade secrets through cyber espionage.";
        let got = highlight(text, &[(8, 13), (14, 21), (36, 45)], None);
        assert_eq!(
            got,
            "extract **trade secrets** through cyber **espionage**."
        );
    }

    #[test]
    fn underlines_the_best_sentence_around_bold_words() {
        let text = "One here. Two hotline here.";
        let got = highlight(text, &[(14, 21)], Some((10, 27)));
        assert_eq!(got, "One here. __Two **hotline** here.__");
    }

    #[test]
    fn escapes_markdown_in_the_article_text() {
        assert_eq!(highlight("a *b* _c_", &[], None), "a \\*b\\* \\_c\\_");
    }

    #[test]
    fn escaping_matches_a_byte_by_byte_escape() {
        let plain = |text: &str| {
            let mut out = String::new();
            for c in text.chars() {
                if matches!(c, '\\' | '*' | '_' | '~' | '`' | '|') {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        };
        let mut texts = vec![String::new(), "“quoted” café 北京 🙂".to_string()];
        // Every ASCII byte at every offset of an eight-byte word, alone and doubled.
        for b in 0u8..0x80 {
            for offset in 0..10 {
                let c = b as char;
                texts.push(format!("{}{c}é tail", "x".repeat(offset)));
                texts.push(format!("{}{c}{c}", "é".repeat(offset)));
            }
        }
        for text in &texts {
            assert_eq!(escape_markdown(text), plain(text), "{text:?}");
        }
    }
}
