//! Reading input one line at a time with a cap on a line's length, for `ask --json -` and the
//! console: a line longer than the cap is skipped as it streams past (never held whole), so a
//! huge input without a newline costs at most the cap in memory, and the next line is read as
//! usual.

use std::io::{self, BufRead};

/// The longest line read, in bytes (without its line break): 64 KiB, far beyond any question
/// (the engine reads at most `[limits] max_question_chars` characters of one).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// What one read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// A line, now in the caller's buffer without its `\n`.
    Read,
    /// A line longer than the cap: skipped up to and including its `\n` (or the end of input);
    /// the buffer is empty.
    TooLong,
}

/// Reads the next line into `line` (cleared first), keeping at most `max` bytes of it.
/// Returns `None` at the end of input.
pub fn read_line(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<Line>> {
    line.clear();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            break;
        }
        read_any = true;
        let newline = available.iter().position(|b| *b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        if !too_long {
            if line.len() + chunk.len() > max {
                // Give the memory back: the rest of this line is only counted past.
                too_long = true;
                *line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = newline.map_or(available.len(), |at| at + 1);
        input.consume(used);
        if newline.is_some() {
            break;
        }
    }
    Ok(read_any.then_some(if too_long { Line::TooLong } else { Line::Read }))
}

/// What the console and the plain-text `ask -` say about a line over the cap.
pub fn too_long_message() -> String {
    format!(
        "That line is too long (over {} KiB), so I skipped it. Ask in fewer words.",
        MAX_LINE_BYTES / 1024
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Read};

    fn all_lines(input: impl Read, max: usize) -> Vec<Result<String, Line>> {
        let mut input = BufReader::with_capacity(16, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        while let Some(found) = read_line(&mut input, &mut line, max).expect("read") {
            out.push(match found {
                Line::Read => Ok(String::from_utf8(line.clone()).expect("utf-8")),
                Line::TooLong => Err(Line::TooLong),
            });
        }
        out
    }

    #[test]
    fn reads_lines_up_to_the_cap_and_skips_longer_ones() {
        let input = "short\n12345678\n123456789\n\nlast without newline";
        assert_eq!(
            all_lines(input.as_bytes(), 8),
            [
                Ok("short".to_string()),
                Ok("12345678".to_string()),
                Err(Line::TooLong),
                Ok(String::new()),
                Err(Line::TooLong),
            ]
        );
        assert_eq!(
            all_lines("a\nb".as_bytes(), 8),
            [Ok("a".into()), Ok("b".into())]
        );
        assert!(all_lines("".as_bytes(), 8).is_empty());
    }

    #[test]
    fn a_huge_line_is_never_held_whole() {
        // 16 MiB without a newline, then a normal line.
        let huge = io::repeat(b'x').take(16 << 20);
        let mut input = BufReader::with_capacity(1 << 16, huge.chain(&b"\nnext\n"[..]));
        let mut line = Vec::new();
        let found = read_line(&mut input, &mut line, MAX_LINE_BYTES).expect("read");
        assert_eq!(found, Some(Line::TooLong));
        assert!(line.capacity() <= MAX_LINE_BYTES, "{}", line.capacity());
        let found = read_line(&mut input, &mut line, MAX_LINE_BYTES).expect("read");
        assert_eq!((found, line.as_slice()), (Some(Line::Read), &b"next"[..]));
        assert_eq!(
            read_line(&mut input, &mut line, MAX_LINE_BYTES).expect("read"),
            None
        );
    }
}
