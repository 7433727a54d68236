//! Cutting text to a length without breaking words or Markdown: used for Discord's limits
//! (description 4,096, field 1,024, content 2,000 characters) and for short labels.

use crate::text::truncate_words;

/// Cuts Markdown to `max_chars` like [`truncate_words`], then closes any `**`, `__`, `*`,
/// `_`, `~~` or `` ` `` left open so the cut text renders as intended.
pub fn truncate_markdown(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    // Reserve room for closing marks (at most "**__~~`" = 7 chars).
    let mut cut = truncate_words(text, max_chars.saturating_sub(7).max(1));
    if cut.ends_with('\\') {
        cut.pop();
    }
    let body = cut.trim_end_matches('…').to_string();
    let mut open: Vec<&str> = Vec::new();
    let mut rest = body.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            rest = &rest[1..];
            if let Some(next) = rest.chars().next() {
                rest = &rest[next.len_utf8()..];
            }
            continue;
        }
        let mark = ["**", "__", "~~", "`", "*", "_"]
            .into_iter()
            .find(|m| rest.starts_with(m));
        match mark {
            Some(m) => {
                if open.last() == Some(&m) {
                    open.pop();
                } else {
                    open.push(m);
                }
                rest = &rest[m.len()..];
            }
            None => rest = &rest[c.len_utf8()..],
        }
    }
    let mut out = body.trim_end().to_string();
    // A dangling opening mark right at the end is dropped rather than closed on nothing.
    while let Some(m) = open.last() {
        if out.ends_with(m) {
            out.truncate(out.len() - m.len());
            open.pop();
            out = out.trim_end().to_string();
        } else {
            break;
        }
    }
    out.push('…');
    for m in open.iter().rev() {
        out.push_str(m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closes_open_markdown() {
        let text = "__start **bold words that go on** and on and on for a long while__";
        let cut = truncate_markdown(text, 30);
        assert_eq!(cut, "__start **bold words…**__");
        assert!(cut.chars().count() <= 30);
    }
}
