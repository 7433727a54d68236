//! Cutting text to a length without breaking words or Markdown: used for Discord's limits
//! (description 4,096, field 1,024, content 2,000 characters) and for short labels.

/// Cuts `text` to at most `max_chars` characters, at a sentence or word boundary, ending
/// with "…" when anything was removed.
pub fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    if max_chars == 0 {
        return String::new();
    }
    let budget = max_chars - 1; // room for the ellipsis
    let cut = text
        .char_indices()
        .nth(budget)
        .map(|(at, _)| at)
        .unwrap_or(text.len());
    let head = &text[..cut];
    // Prefer a sentence end in the last third, else a word boundary, else a hard cut.
    let sentence_end = head
        .rmatch_indices(['.', '!', '?'])
        .map(|(at, _)| at + 1)
        .find(|at| *at >= cut * 2 / 3 && head[*at..].starts_with(char::is_whitespace));
    let word_end = head.rfind(char::is_whitespace).filter(|at| *at > 0);
    let end = sentence_end.or(word_end).unwrap_or(cut);
    let mut out = head[..end].trim_end().to_string();
    if out.ends_with(['.', '!', '?']) {
        out.push(' ');
    }
    out.push('…');
    out
}

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
    fn short_text_is_unchanged() {
        assert_eq!(truncate_words("short", 10), "short");
    }

    #[test]
    fn cuts_at_word_boundary_with_ellipsis() {
        assert_eq!(truncate_words("alpha beta gamma delta", 13), "alpha beta…");
    }

    #[test]
    fn prefers_sentence_end_near_the_limit() {
        assert_eq!(
            truncate_words("One two three four. Five six.", 24),
            "One two three four. …"
        );
    }

    #[test]
    fn never_exceeds_the_limit_even_for_one_long_word() {
        let cut = truncate_words(&"x".repeat(50), 10);
        assert_eq!(cut.chars().count(), 10);
    }

    #[test]
    fn closes_open_markdown() {
        let text = "__start **bold words that go on** and on and on for a long while__";
        let cut = truncate_markdown(text, 30);
        assert_eq!(cut, "__start **bold words…**__");
        assert!(cut.chars().count() <= 30);
    }
}
