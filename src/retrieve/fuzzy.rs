//! Typo tolerance: a bounded edit distance (insertions, deletions, substitutions and
//! adjacent transpositions each cost one) used to map an unknown question term to the
//! closest indexed terms.

/// Edit distance between `a` and `b` if it is at most `limit`, else `None`.
pub fn bounded_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        // Bytes are characters: no decoding, no allocation for the words.
        return bounded_distance_of(a.as_bytes(), b.as_bytes(), limit);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    bounded_distance_of(&a, &b, limit)
}

/// Rows up to this width live on the stack.
const STACK_ROW: usize = 48;

fn bounded_distance_of<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    if width <= STACK_ROW {
        let mut rows = [[0usize; STACK_ROW]; 3];
        let [before, previous, current] = &mut rows;
        distance_rows(
            a,
            b,
            limit,
            &mut before[..width],
            &mut previous[..width],
            &mut current[..width],
        )
    } else {
        let mut rows = vec![0usize; 3 * width];
        let (before, rest) = rows.split_at_mut(width);
        let (previous, current) = rest.split_at_mut(width);
        distance_rows(a, b, limit, before, previous, current)
    }
}

/// The dynamic programme over three rolling rows of `b.len() + 1` cells: two back (for
/// transpositions), previous, current.
fn distance_rows<'r, T: PartialEq>(
    a: &[T],
    b: &[T],
    limit: usize,
    mut before: &'r mut [usize],
    mut previous: &'r mut [usize],
    mut current: &'r mut [usize],
) -> Option<usize> {
    before.fill(0);
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = j;
    }
    current.fill(0);
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= limit).then_some(distance)
}

/// How many edits a term of this many characters may carry: none for one- and two-letter
/// words, one for short and ordinary words, two for long ones. Short words have many false
/// friends (help/held, life/lift), so their single correction must also be unambiguous
/// (see [`SHORT_WORD_CHARS`]).
pub fn allowed_edits(chars: usize) -> usize {
    match chars {
        0..=2 => 0,
        3..=4 => 1,
        5..=7 => 1,
        _ => 2,
    }
}

/// Words up to this many characters are corrected only when exactly one indexed term is
/// closest.
pub const SHORT_WORD_CHARS: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_of_edit_once() {
        assert_eq!(bounded_distance("hotlin", "hotlin", 1), Some(0));
        assert_eq!(bounded_distance("hotln", "hotlin", 1), Some(1));
        assert_eq!(bounded_distance("sanctoin", "sanction", 1), Some(1));
        assert_eq!(bounded_distance("exectu", "execut", 1), Some(1));
        assert_eq!(bounded_distance("northrop", "northrup", 1), Some(1));
        assert_eq!(bounded_distance("abcd", "wxyz", 2), None);
        assert_eq!(bounded_distance("a", "abcd", 2), None);
        assert_eq!(bounded_distance("café", "cafe", 1), Some(1));
        assert_eq!(bounded_distance("naïve", "naive", 1), Some(1));
    }
}
