//! Inline footnote markers: `[3]`, `[^3]` (Markdown) and `[1, 2]`.

/// A marker found in text: its byte range and the footnote numbers it cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// Byte offset of `[`.
    pub start: usize,
    /// Byte offset one past `]`.
    pub end: usize,
    /// Cited footnote numbers.
    pub numbers: Vec<u32>,
}

/// Parses a marker starting exactly at `at` (which must be `[`); returns it if well formed.
pub fn marker_at(text: &str, at: usize) -> Option<Marker> {
    let rest = text.get(at..)?;
    let inner_start = if rest.starts_with("[^") {
        2
    } else if rest.starts_with('[') {
        1
    } else {
        return None;
    };
    // The inside is at most 40 bytes, so `]` is looked for no further (keeps `[[[…` linear).
    let close = rest.as_bytes()[inner_start..]
        .iter()
        .take(41)
        .position(|&b| b == b']')?
        + inner_start;
    let inner = &rest[inner_start..close];
    if inner.is_empty() || inner.len() > 40 {
        return None;
    }
    let mut numbers = Vec::new();
    for part in inner.split(',') {
        let part = part.trim();
        if part.is_empty() || part.len() > 6 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        numbers.push(part.parse().ok()?);
    }
    Some(Marker {
        start: at,
        end: at + close + 1,
        numbers,
    })
}

/// All markers in `text`, in order.
pub fn find_markers(text: &str) -> Vec<Marker> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find('[') {
        let at = from + offset;
        match marker_at(text, at) {
            Some(marker) => {
                from = marker.end;
                found.push(marker);
            }
            None => from = at + 1,
        }
    }
    found
}

/// Sorted, de-duplicated footnote numbers cited in `text`.
pub fn cited_numbers(text: &str) -> Vec<u32> {
    let mut numbers: Vec<u32> = find_markers(text)
        .into_iter()
        .flat_map(|m| m.numbers)
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// `text` with each marker replaced by spaces of the same byte length, so analysis skips the
/// marker numbers (a question "1" must not match every passage citing [1]) while byte
/// offsets still point into the original text.
pub fn blank_markers(text: &str) -> String {
    let mut out = text.to_string();
    for marker in find_markers(text) {
        out.replace_range(
            marker.start..marker.end,
            &" ".repeat(marker.end - marker.start),
        );
    }
    out
}

/// `text` with its markers removed (for labels, not for answers, which stay verbatim).
pub fn without_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for marker in find_markers(text) {
        out.push_str(&text[last..marker.start]);
        last = marker.end;
    }
    out.push_str(&text[last..]);
    out
}

/// `text` with Markdown markers written like the plain ones (`[^2]` → `[2]`), so every
/// article's passages read the same in answers whatever its file format.
pub fn plain_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for marker in find_markers(text) {
        if text[marker.start..].starts_with("[^") {
            out.push_str(&text[last..marker.start]);
            out.push('[');
            last = marker.start + 2;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plain_markdown_and_list_markers() {
        let text = "a.[1] b [^2] c[3, 4] d[x] e[] f[12";
        let numbers: Vec<Vec<u32>> = find_markers(text).into_iter().map(|m| m.numbers).collect();
        assert_eq!(numbers, vec![vec![1], vec![2], vec![3, 4]]);
    }

    #[test]
    fn blanks_markers_keeping_offsets() {
        assert_eq!(blank_markers("a.[12] b[3]"), "a.     b   ");
    }

    #[test]
    fn markdown_markers_become_plain_ones() {
        assert_eq!(
            plain_markers("a.[^1] b[2] c[^3, 4] [^x]"),
            "a.[1] b[2] c[3, 4] [^x]"
        );
    }

    #[test]
    fn strips_markers_for_labels() {
        assert_eq!(without_markers("issues.[2] Next[3]"), "issues. Next");
    }
}
