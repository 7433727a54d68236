//! Eight bytes at a time: the escapers (JSON strings, Discord Markdown) skip the long runs of
//! article text that need no escape by testing a whole `u64` block for a special byte, then
//! look at single bytes only in a block that holds one.

/// `0x01` in every byte.
const LOW: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit set in each byte of `x` that is zero (and possibly in bytes above a zero
/// one, so only "none" versus "some" is exact).
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LOW) & !x
}

/// Some byte of `block` is one of `bytes` (exact as a yes/no answer).
pub(crate) fn holds_any(block: u64, bytes: &[u8]) -> bool {
    bytes.iter().fold(0, |found, &b| {
        found | zero_bytes(block ^ (LOW * u64::from(b)))
    }) & HIGH
        != 0
}

/// Some byte of `block` is below `limit` (at most 0x80; exact as a yes/no answer).
pub(crate) fn holds_below(block: u64, limit: u8) -> bool {
    block.wrapping_sub(LOW * u64::from(limit)) & !block & HIGH != 0
}

/// The first position from `at` in steps of eight whose eight-byte block `special` accepts,
/// or the start of the last, shorter block: every block skipped holds no special byte.
pub(crate) fn skip_plain_blocks(
    bytes: &[u8],
    mut at: usize,
    special: impl Fn(u64) -> bool,
) -> usize {
    while let Some(block) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        if special(u64::from_le_bytes(word)) {
            break;
        }
        at += 8;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(bytes: &[u8; 8]) -> u64 {
        u64::from_le_bytes(*bytes)
    }

    #[test]
    fn block_tests_are_exact() {
        assert!(holds_any(block(b"abc*defg"), b"*_"));
        assert!(!holds_any(block(b"abcdefgh"), b"*_"));
        assert!(holds_below(block(b"abc\ndefg"), 0x20));
        assert!(!holds_below(block(b"abc def\x7f"), 0x20));
        // A zero byte next to a 0x01 byte: the borrow must not hide or invent a match.
        assert!(holds_any(block(b"\x01*\x00aaaaa"), b"*"));
        assert!(!holds_any(block(b"\x01\x00\x01aaaaa"), b"*"));
    }

    #[test]
    fn skipping_stops_at_the_block_with_a_special_byte() {
        let text = b"0123456789abcdef*123456789";
        let special = |x: u64| holds_any(x, b"*");
        assert_eq!(skip_plain_blocks(text, 0, special), 16);
        assert_eq!(skip_plain_blocks(b"plain text, no star", 0, special), 16);
        assert_eq!(skip_plain_blocks(b"short", 0, special), 0);
    }
}
