//! Plain-text helpers every layer may use: they know nothing of articles, indexes, answers or
//! any output medium.

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

/// The parts of `text` inside quotation marks (“…”, "…"), and the rest; each quotation mark
/// becomes a space in both, so no two words join. An unclosed quotation runs to the end.
pub fn split_quoted(text: &str) -> (String, String) {
    let (mut quoted, mut plain) = (String::new(), String::new());
    let mut inside = false;
    for c in text.chars() {
        match c {
            '“' | '”' | '"' => {
                inside = c == '“' || (c == '"' && !inside);
                quoted.push(' ');
                plain.push(' ');
            }
            _ if inside => quoted.push(c),
            _ => plain.push(c),
        }
    }
    (quoted, plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_is_told_from_the_rest() {
        let (quoted, plain) =
            split_quoted("See “China Halts Cooperation,” Bloomberg, and \"Other\" notes.");
        assert_eq!(quoted, " China Halts Cooperation,  Other ");
        assert_eq!(plain, "See    Bloomberg, and    notes.");
        // An unclosed quotation runs to the end.
        assert_eq!(
            split_quoted("a “b c"),
            (" b c".to_string(), "a  ".to_string())
        );
    }

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
}
