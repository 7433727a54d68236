//! What a question asks about (its focus): the words beyond function words and the names
//! the index holds. "What does Obama like to eat?" is about eating; a passage
//! that matches "Obama" alone does not answer it. The focus and the question-level signals
//! the answer decision reads ([`super::decision::Features`]) are computed here; how much of
//! the focus a passage meets is counted while scoring it (`retrieve/mod.rs`).

use super::query::QueryPlan;
use crate::semantic::StaticModel;

/// Words among the most frequent of English ("from", "with") that the stop list leaves in
/// (as in `query.rs`): no focus.
const FUNCTION_WORD_RANK: u32 = 30;

/// The question-level part of the decision's signals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Focus {
    /// Per question word (plan order): whether it is focus.
    pub mask: Vec<bool>,
    /// Share of the question's weight that is focus.
    pub share: f32,
    /// Share of the question's weight in words with no indexed match at all.
    pub unknown_share: f32,
    /// The question names something the index does not hold: a word written as a name or
    /// close to the index's names ([`QueryPlan::has_unknown_name`]), or an unknown rare word.
    pub unknown_name: bool,
    /// The question has a word the index does not know (not even as a typo or a close
    /// meaning) that is no ordinary English word of the model's vocabulary (neither a whole
    /// WordPiece token nor a listed word): a company, a person, a coined term.
    pub unknown_rare: bool,
    /// The question is about something the index does not hold, named by a word close to the
    /// index's names ([`crate::retrieve::query::QueryTerm::other_thing`]: "russia", "Trump",
    /// "ukraine") or by an unknown rare word ("raytheon", "vpn"): no passage answers it.
    pub other_thing: bool,
}

impl Focus {
    /// The focus of `plan`; `is_indexed_name` tells the names the index holds by term id.
    pub fn of_plan(plan: &QueryPlan, is_indexed_name: impl Fn(u32) -> bool) -> Focus {
        let model = StaticModel::embedded();
        let total = plan.total_weight().max(f32::EPSILON);
        let mut focus_weight = 0.0;
        let mut unknown_weight = 0.0;
        let mut unknown_rare = false;
        let mask = plan
            .terms
            .iter()
            .map(|term| {
                let counted: Vec<u32> = term
                    .matches
                    .iter()
                    .filter(|m| !m.ranking_only)
                    .map(|m| m.id)
                    .collect();
                if counted.is_empty() {
                    unknown_weight += term.weight;
                    unknown_rare |= !term.common
                        && !term.ambiguous_typo
                        && term.surface.chars().count() >= 4
                        && term.surface.chars().all(|c| c.is_alphabetic())
                        && !model.is_ordinary_word(&term.surface)
                        && !is_misspelt_word(model, &term.surface);
                }
                let function_word = model
                    .word_rank(&term.surface)
                    .is_some_and(|r| r < FUNCTION_WORD_RANK);
                let number_unknown =
                    counted.is_empty() && term.text.chars().all(|c| c.is_ascii_digit());
                let known_name =
                    !counted.is_empty() && counted.iter().all(|&id| is_indexed_name(id));
                // Everyday words stay: "how old", "what time" are what such questions ask.
                let focus = !function_word && !number_unknown && !known_name;
                if focus {
                    focus_weight += term.weight;
                }
                focus
            })
            .collect();
        Focus {
            mask,
            share: focus_weight / total,
            unknown_share: unknown_weight / total,
            // A question about something else entirely: a name the index does not hold, or
            // a word neither the index nor English knows ("raytheon", "vpn").
            unknown_name: plan.has_unknown_name() || unknown_rare,
            unknown_rare,
            other_thing: unknown_rare
                || plan.terms.iter().any(|t| t.other_thing && !t.is_matched()),
        }
    }
}

/// Whether `word` is one edit (a letter dropped, added, changed or two swapped) from an
/// ordinary English word: a misspelling ("befor"), not a name of something else.
fn is_misspelt_word(model: &StaticModel, word: &str) -> bool {
    let lower: Vec<char> = word.to_lowercase().chars().collect();
    let known = |chars: &[char]| {
        let candidate: String = chars.iter().collect();
        candidate.chars().count() >= 2 && model.word_rank(&candidate).is_some()
    };
    let mut buffer: Vec<char> = Vec::with_capacity(lower.len() + 1);
    for i in 0..=lower.len() {
        if i < lower.len() {
            buffer.clear();
            buffer.extend(
                lower
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, &c)| c),
            );
            if known(&buffer) {
                return true;
            }
            if i + 1 < lower.len() {
                buffer.clear();
                buffer.extend_from_slice(&lower);
                buffer.swap(i, i + 1);
                if known(&buffer) {
                    return true;
                }
            }
        }
        for letter in 'a'..='z' {
            buffer.clear();
            buffer.extend_from_slice(&lower[..i]);
            buffer.push(letter);
            buffer.extend_from_slice(&lower[i..]);
            if known(&buffer) {
                return true;
            }
            if i < lower.len() && lower[i] != letter {
                buffer.clear();
                buffer.extend_from_slice(&lower);
                buffer[i] = letter;
                if known(&buffer) {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_are_told_from_unknown_names() {
        let model = StaticModel::embedded();
        assert!(is_misspelt_word(model, "befor"));
        assert!(is_misspelt_word(model, "agreemnet") || !model.is_ordinary_word("agreemnet"));
        assert!(!is_misspelt_word(model, "raytheon"));
        assert!(model.is_ordinary_word("sanctions"));
        assert!(!model.is_ordinary_word("raytheon"));
    }
}
