//! Follow-up questions: the previous exchange of a conversation ([`Turn`]), whether a
//! question leans on it ([`is_follow_up`]: elliptical, a pronoun, "and …", "what about …"),
//! and how it is read with it: the previous questions' indexed words join the plan at a
//! lower weight ([`add_context`]), and the previous passage, its paragraph, the paragraphs
//! beside it and the passages citing its footnotes are preferred ([`Preference`]). A
//! question that stands on its own never reaches this module: the engine answers it exactly
//! as without context. Pure: no Discord, no clock; who keeps turns and for how long is the
//! front ends' business.

use super::fusion::SemanticOptions;
use super::query::{QueryPlan, QueryTerm};
use crate::semantic::StaticModel;

/// One exchange of a conversation: what was asked and which passage answered it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Turn {
    /// The question as asked.
    pub question: String,
    /// Id of the passage that answered it (for a follow-up left unanswered, the passage the
    /// conversation was about, so the topic survives one miss).
    pub passage: Option<String>,
    /// The question before this one, when this one was read as its follow-up: a chain of
    /// follow-ups keeps the last two questions' words ("how often does it meet?" after "did
    /// they set up a working group?").
    pub earlier: Option<String>,
    /// The question that opened this chain of follow-ups, when it is older than `earlier`:
    /// the topic survives a run of follow-ups without words of their own ("what's the first
    /// one?", "and the second?", "and the third?" after "what are the four motives?").
    pub topic: Option<String>,
    /// Whether the previous exchange changed this answer (the reply says so).
    pub context_used: bool,
}

impl Turn {
    /// A turn that followed nothing.
    pub fn new(question: &str, passage: Option<String>) -> Turn {
        Turn {
            question: question.to_string(),
            passage,
            earlier: None,
            topic: None,
            context_used: false,
        }
    }

    /// The next turn of this conversation, for a follow-up `question` read with this one
    /// and answered by `passage`: this question becomes its `earlier`, and the chain keeps
    /// its opening question as the topic.
    pub fn followed_by(&self, question: &str, passage: Option<String>) -> Turn {
        Turn {
            question: question.to_string(),
            passage,
            earlier: Some(self.question.clone()),
            topic: self.topic.clone().or_else(|| self.earlier.clone()),
            context_used: false,
        }
    }

    /// The questions whose words a follow-up of this turn is read with, newest first: this
    /// one, the one it followed, and the chain's opening question.
    pub fn questions(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str())
            .chain(self.earlier.as_deref())
            .chain(self.topic.as_deref())
    }
}

/// Weight of a previous question's word relative to its own weight: the follow-up's own
/// words decide, the earlier ones only fill in what it leaves out.
pub const CONTEXT_WEIGHT: f32 = 0.5;
/// The most the earlier words weigh together, relative to the follow-up's own content
/// words, when it has some.
const CONTEXT_SHARE: f32 = 1.5;
/// Weight, relative to an unknown word's, of a word about the text rather than its topic
/// ("source", "citation", "more") that the articles do not use: like an everyday word.
const META_WORD_FACTOR: f32 = 0.35;

/// Words that point back at something said before ("them" and "their", unlike "they", are
/// rarely the article's actors in a question: "who caught them?", "what are their motives?").
const ANAPHORS: &[&str] = &[
    "it", "its", "it's", "itself", "that", "this", "these", "those", "there", "he", "she", "him",
    "his", "her", "hers", "same", "such", "former", "latter", "one", "ones", "them", "their",
    "theirs",
];
/// First words that continue a conversation ("and the Chinese side?", "so why?").
const OPENERS: &[&str] = &["and", "also", "but", "so", "then", "plus", "or"];
/// Last words that continue a conversation ("who does it then?", "the Chinese side too?").
const CLOSERS: &[&str] = &["then", "too", "instead", "though"];
/// First two words that continue a conversation.
const OPENING_PAIRS: &[[&str; 2]] = &[
    ["what", "about"],
    ["how", "about"],
    ["what", "else"],
    ["anything", "else"],
    ["who", "else"],
    ["tell", "me"],
    ["more", "on"],
    ["more", "about"],
    ["go", "on"],
    ["how", "so"],
    ["why", "not"],
];
/// Words about the text and its sources rather than its topic: a follow-up asking for them
/// ("what's the source for that?") is about the previous passage, not about something the
/// article does not know.
const META_WORDS: &[&str] = &[
    "source",
    "sources",
    "sourced",
    "cite",
    "cites",
    "cited",
    "citation",
    "citations",
    "reference",
    "references",
    "footnote",
    "footnotes",
    "proof",
    "quote",
    "quotes",
    "link",
    "links",
    "elaborate",
    "elaboration",
    "info",
    "more",
    "else",
    "further",
    "context",
    "clarify",
    "backing",
    "wrote",
    "written",
    "writes",
    "author",
    "authors",
    "published",
    "publish",
];
/// Words naming an aspect of what the previous answer is about rather than a new thing
/// ("what is its purpose?", "what's the goal?", "who are its members?"): the passage that
/// introduced it states them in its own words ("to deter…", "co-chair"), so, like the words
/// about the text, they never make a follow-up off-topic however rare they are.
const ASPECT_WORDS: &[&str] = &[
    "purpose",
    "purposes",
    "goal",
    "goals",
    "aim",
    "aims",
    "role",
    "roles",
    "function",
    "functions",
    "mission",
    "mandate",
    "task",
    "tasks",
    "job",
    "objective",
    "objectives",
    "intent",
    "intention",
    "rationale",
    "significance",
    "importance",
    "meaning",
    "outcome",
    "outcomes",
    "result",
    "results",
    "effect",
    "effects",
    "impact",
    "consequence",
    "consequences",
    "status",
    "scope",
    "duty",
    "duties",
    "responsibility",
    "responsibilities",
    "members",
    "membership",
];
/// A question of at most this many words with at most one word of its own that the index
/// knows is elliptical ("the Chinese side?", "how often?").
const SHORT_WORDS: usize = 4;
/// A question with at least this many indexed content words stands on its own even with a
/// pronoun in it.
const CONTENT_OF_ITS_OWN: usize = 3;

/// Whether `question` (its lowercase words `words`, its plan `plan` before context) leans
/// on the previous exchange rather than standing on its own.
pub fn is_follow_up(words: &[&str], plan: &QueryPlan) -> bool {
    if words.is_empty() {
        return false;
    }
    let content = content_words(plan);
    let opener = OPENERS.contains(&words[0])
        || words.len() >= 2
            && OPENING_PAIRS
                .iter()
                .any(|p| p[0] == words[0] && p[1] == words[1]);
    let closer = words.last().is_some_and(|w| CLOSERS.contains(w));
    opener
        || closer
        || content == 0
        || has_anaphor(words) && content < CONTENT_OF_ITS_OWN
        || words.len() <= SHORT_WORDS && content <= 1
}

/// Whether the question names "they": read with the previous exchange only when that
/// answer holds one of its topical words (the engine checks), as "they" mostly means the
/// article's actors (see [`has_anaphor`]).
pub fn names_actors(words: &[&str]) -> bool {
    words.contains(&"they")
}

/// Keeps of the earlier questions' words (the plan's terms past `own_terms`) those the
/// previous answer holds (`held`, by term id): they stand for what that answer was about.
/// One it does not hold would pull the follow-up away from it: "reach" and "agreement" of
/// "when did Obama and Xi reach the agreement?", answered by "…agreed not to engage…", sent
/// "what did they agree not to do?" to the paragraph where a working group might "reach
/// agreement".
pub fn keep_context_held_by(plan: &mut QueryPlan, own_terms: usize, held: impl Fn(u32) -> bool) {
    let mut at = 0;
    plan.terms.retain(|term| {
        at += 1;
        at <= own_terms || term.matches.iter().any(|m| !m.ranking_only && held(m.id))
    });
}

/// Whether a word points back at something said before. "They" is not counted: in questions
/// about an article it mostly means the article's actors ("what did they agree?"), and
/// "there" after a form of "be" only says something exists ("is there a hotline?").
fn has_anaphor(words: &[&str]) -> bool {
    const BE: &[&str] = &[
        "is", "are", "was", "were", "be", "been", "isn't", "aren't", "wasn't",
    ];
    words.iter().enumerate().any(|(i, w)| {
        ANAPHORS.contains(w)
            && !(*w == "there"
                && (i > 0 && BE.contains(&words[i - 1])
                    || words.get(i + 1).is_some_and(|next| BE.contains(next))))
    })
}

/// Distinct words of the question that the index knows and that are more than everyday
/// English: what it is about, in its own words.
fn content_words(plan: &QueryPlan) -> usize {
    plan.terms
        .iter()
        .filter(|t| t.is_matched() && !t.common && !t.expanded)
        .count()
}

fn is_meta(term: &QueryTerm) -> bool {
    META_WORDS.contains(&term.surface.to_lowercase().as_str())
}

fn is_aspect(term: &QueryTerm) -> bool {
    ASPECT_WORDS.contains(&term.surface.to_lowercase().as_str())
}

/// Whether the follow-up (`plan`, its own words after [`Retriever::expand`]) names something
/// of its own that no article knows ("what's its phone number?", "how much did it cost?")
/// and nothing the index does: then the earlier words must not carry it to an answer (an
/// off-topic follow-up still gets none). A word the index knows by a close neighbour in
/// meaning ("legal" → illegal) is not foreign.
///
/// [`Retriever::expand`]: super::Retriever::expand
pub fn is_off_topic(plan: &QueryPlan) -> bool {
    let foreign = plan.terms.iter().any(|t| {
        !t.corrected
            && !t.common
            && !is_meta(t)
            && !is_aspect(t)
            && !has_counting_match(t)
            && !is_everyday(t)
    });
    foreign && content_words(plan) == 0
}

/// Whether a word counts towards coverage through some indexed term: itself, a correction or
/// a neighbour in meaning.
fn has_counting_match(term: &QueryTerm) -> bool {
    term.matches.iter().any(|m| !m.ranking_only)
}

/// An unknown word among the most frequent of English ("side", "up"): it weighs in a
/// follow-up like the everyday words the query already knows ("time", "take").
fn is_everyday(term: &QueryTerm) -> bool {
    StaticModel::embedded()
        .word_rank(&term.surface)
        .is_some_and(|r| r < EVERYDAY_RANK)
}

/// Words among the most frequent of English (by the model's vocabulary: "up", "side",
/// "think") name nothing the article could lack; a rarer unknown word ("phone", "cost")
/// does.
const EVERYDAY_RANK: u32 = 500;

/// Question words asking who did something, when, how or why: with a pronoun for the thing
/// asked about, the word in the verb's place names what was done to it or by it ("who caught
/// them?", "when did it stop?"), not a new thing. "how much/many/long/…" ask for an amount
/// and "what/where …" for a thing or a place the answer must name, so an unknown word there
/// may well be what the article lacks ("how much did it cost?").
const ACTION_QUESTIONS: &[&str] = &["who", "whom", "when", "how", "why"];
/// Words after "how" that ask for an amount or a degree rather than a manner.
const AMOUNT_AFTER_HOW: &[&str] = &[
    "much", "many", "long", "old", "far", "big", "large", "often", "soon", "high", "late",
];
/// Auxiliaries between the question word and the pronoun ("when did they meet?").
const AUXILIARIES: &[&str] = &[
    "did", "does", "do", "is", "was", "are", "were", "will", "would", "can", "could", "has",
    "have", "had", "should", "might", "may", "must",
];
/// Pronouns that stand for the thing asked about, as subject or object of the action.
const STAND_INS: &[&str] = &[
    "it", "that", "this", "these", "those", "he", "she", "him", "her", "they", "them",
];

/// The word in the verb's place of a follow-up asking who, when, how or why about what a
/// pronoun points back to, when it has one: "who caught them?" (question word, verb, pronoun
/// object) and "how did he track them down?" (question word, auxiliary, pronoun subject,
/// verb); or the word after "how" when it asks a degree of what was said ("how fast?", "how
/// strict is it?"). `words` are the question's lowercase words.
fn action_word<'w>(words: &[&'w str]) -> Option<&'w str> {
    let (first, rest) = words.split_first()?;
    if !ACTION_QUESTIONS.contains(first)
        || *first == "how" && rest.first().is_some_and(|w| AMOUNT_AFTER_HOW.contains(w))
    {
        return None;
    }
    match rest {
        // "how fast?", "how strict is it?": a degree of what the previous answer said.
        [degree] if *first == "how" => Some(degree),
        [degree, aux, subject]
            if *first == "how" && AUXILIARIES.contains(aux) && STAND_INS.contains(subject) =>
        {
            Some(degree)
        }
        [verb, object, ..] if STAND_INS.contains(object) && !AUXILIARIES.contains(verb) => {
            Some(verb)
        }
        [aux, subject, verb, ..] if AUXILIARIES.contains(aux) && STAND_INS.contains(subject) => {
            Some(verb)
        }
        _ => None,
    }
}

/// Makes the follow-up's unknown verb (see [`action_word`]) weigh like an everyday word, so
/// it neither makes the follow-up off-topic ([`is_off_topic`]) nor keeps the previous
/// passage, which states the action in its own words ("trace them back", "was solved"),
/// from covering the question. `plan` is the follow-up's own expanded plan; a verb the index
/// knows, itself or by a close neighbour, is left as it is.
pub fn excuse_action_word(plan: &mut QueryPlan, words: &[&str]) {
    let Some(verb) = action_word(words) else {
        return;
    };
    for term in plan.terms.iter_mut() {
        if term.surface.to_lowercase() == verb && !term.common && !has_counting_match(term) {
            term.weight *= META_WORD_FACTOR;
            term.common = true;
        }
    }
}

/// Whether the follow-up only asks about the previous answer as a text ("what's the source
/// for that?", "who wrote it?"): words about the text and nothing the index knows of its
/// own. The previous passage, shown again with its footnotes, is the answer.
pub fn asks_about_previous(plan: &QueryPlan) -> bool {
    content_words(plan) == 0 && plan.terms.iter().any(is_meta)
}

/// Appends to `plan` (a follow-up's own words) the indexed words of the earlier questions'
/// plans at [`CONTEXT_WEIGHT`] of their weight, each once and none the follow-up already
/// has, and makes the follow-up's words about the text ("source") weigh like everyday
/// words. Unknown earlier words are left out: they found nothing then and would only
/// dilute the coverage now. Returns how many of the plan's terms are the follow-up's own.
pub fn add_context(plan: &mut QueryPlan, earlier: &[QueryPlan]) -> usize {
    let own = plan.terms.len();
    for term in plan.terms.iter_mut() {
        if !term.is_matched()
            && !term.common
            && (is_meta(term) || is_aspect(term) || is_everyday(term))
        {
            term.weight *= META_WORD_FACTOR;
            term.common = true;
        }
    }
    for previous in earlier {
        for term in &previous.terms {
            let known: Vec<_> = term
                .matches
                .iter()
                .filter(|m| !m.ranking_only && !term.expanded)
                .cloned()
                .collect();
            if known.is_empty() || plan.terms.iter().any(|t| t.text == term.text) {
                continue;
            }
            if plan.terms.len() >= super::query::MAX_QUERY_TERMS {
                return own;
            }
            plan.terms.push(QueryTerm {
                weight: term.weight * CONTEXT_WEIGHT,
                matches: known,
                name: false,
                other_thing: false,
                ..term.clone()
            });
        }
    }
    // A follow-up with words of its own ("who joins the calls?") is about them: the earlier
    // words together weigh less than those, and only order what they leave tied.
    let content: f32 = plan.terms[..own]
        .iter()
        .filter(|t| t.is_matched() && !t.common && !t.expanded)
        .map(|t| t.weight)
        .sum();
    let context: f32 = plan.terms[own..].iter().map(|t| t.weight).sum();
    if content > 0.0 && context > CONTEXT_SHARE * content {
        let scale = CONTEXT_SHARE * content / context;
        for term in &mut plan.terms[own..] {
            term.weight *= scale;
        }
    }
    own
}

/// Cosine a follow-up needs with a passage that covers most of its words and the earlier
/// ones (the `covered_min_similarity` of single questions is 0.2): a follow-up of three
/// words has little meaning of its own to compare, and its off-topic words are caught by
/// [`is_off_topic`] before ranking.
const COVERED_MIN_SIMILARITY: f32 = 0.1;

/// The semantic answer bar for a follow-up: [`COVERED_MIN_SIMILARITY`], the rest unchanged.
pub fn relaxed(options: &SemanticOptions) -> SemanticOptions {
    SemanticOptions {
        covered_min_similarity: options.covered_min_similarity.min(COVERED_MIN_SIMILARITY),
        ..options.clone()
    }
}

/// Where the previous answer sits, for preferring it and what surrounds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preference {
    /// Its passage id.
    pub id: String,
    /// Its article id.
    pub article: String,
    /// Its paragraph (1-based).
    pub paragraph: u32,
    /// The footnotes it cites.
    pub footnotes: Vec<u32>,
}

/// Ranking bonus of the previous passage itself (a follow-up is most often about it: "why?",
/// "what's the source for that?").
const SAME_PASSAGE_BONUS: f32 = 0.15;
/// Ranking bonus of a passage of the same paragraph (the paragraph of a point, a point of
/// the paragraph) or one citing a footnote the previous passage cites.
const NEAR_BONUS: f32 = 0.1;
/// Ranking bonus of a paragraph beside the previous one.
const BESIDE_BONUS: f32 = 0.05;

impl Preference {
    /// The ranking bonus of a passage: how close it is to the previous answer.
    pub fn bonus(&self, id: &str, article: &str, paragraph: u32, footnotes: &[u32]) -> f32 {
        if id == self.id {
            return SAME_PASSAGE_BONUS;
        }
        if article != self.article {
            return 0.0;
        }
        if paragraph == self.paragraph || footnotes.iter().any(|f| self.footnotes.contains(f)) {
            NEAR_BONUS
        } else if paragraph.abs_diff(self.paragraph) == 1 {
            BESIDE_BONUS
        } else {
            0.0
        }
    }
}

/// A question read as a follow-up: how many of its plan's terms are its own, its own words
/// (for the checks on its form: "how often", "who"), and the previous answer to prefer.
#[derive(Debug, Clone, Default)]
pub struct FollowUp {
    /// The first `own_terms` terms of the plan are the question's own.
    pub own_terms: usize,
    /// The question itself (the plan's text also holds the earlier questions, for meaning).
    pub own_text: String,
    /// The previous answer, when there was one.
    pub preference: Option<Preference>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retrieve::query::TermMatch;

    fn term(text: &str, matched: bool, common: bool) -> QueryTerm {
        QueryTerm {
            text: text.to_string(),
            surface: text.to_string(),
            weight: 1.0,
            matches: if matched {
                vec![TermMatch {
                    term: text.to_string(),
                    id: 1,
                    credit: 1.0,
                    ranking_only: false,
                }]
            } else {
                Vec::new()
            },
            common,
            corrected: false,
            expanded: false,
            other_thing: false,
            name: false,
            ambiguous_typo: false,
            meanings: Vec::new(),
        }
    }

    fn plan(terms: Vec<QueryTerm>) -> QueryPlan {
        QueryPlan {
            terms,
            text: String::new(),
        }
    }

    #[test]
    fn earlier_words_stay_only_where_the_previous_answer_holds_them() {
        let with_id = |text: &str, id: u32| {
            let mut t = term(text, true, false);
            t.matches[0].id = id;
            t
        };
        // Own: "agree" (1); earlier: "obama" (2, held), "reach" (3, not held), an unmatched word.
        let mut p = plan(vec![
            with_id("agree", 1),
            with_id("obama", 2),
            with_id("reach", 3),
            term("when", false, false),
        ]);
        keep_context_held_by(&mut p, 1, |id| id == 2);
        let kept: Vec<&str> = p.terms.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(kept, vec!["agree", "obama"]);
        assert!(names_actors(&["who", "did", "they", "sell"]));
        assert!(!names_actors(&["who", "did", "them", "sell"]));
    }

    fn follows(question: &str, terms: Vec<QueryTerm>) -> bool {
        let lower = question.to_lowercase();
        let words: Vec<&str> = crate::retrieve::answer_type::words_of(&lower).collect();
        is_follow_up(&words, &plan(terms))
    }

    #[test]
    fn pronouns_ellipsis_and_openers_follow_up() {
        assert!(follows("who chairs it?", vec![term("chair", true, false)]));
        assert!(follows(
            "how often does it meet?",
            vec![term("often", false, true), term("meet", false, true)]
        ));
        assert!(follows(
            "and the Chinese side?",
            vec![term("chines", true, false), term("side", false, false)]
        ));
        assert!(follows(
            "what about telecom companies?",
            vec![term("telecom", true, false), term("compani", true, false)]
        ));
        assert!(follows("why?", vec![]));
    }

    #[test]
    fn questions_with_content_of_their_own_stand_alone() {
        assert!(!has_anaphor(&["is", "there", "a", "hotline"]));
        assert!(!has_anaphor(&["what", "did", "they", "agree"]));
        assert!(has_anaphor(&["who", "chairs", "it"]));
        assert!(!follows(
            "Is there a hotline to address security issues?",
            vec![
                term("hotlin", true, false),
                term("address", true, false),
                term("secur", true, false),
                term("issu", true, false),
            ]
        ));
        assert!(!follows(
            "What did they say about economic sanctions?",
            vec![term("econom", true, false), term("sanction", true, false)]
        ));
    }

    #[test]
    fn an_unknown_word_of_its_own_makes_a_follow_up_off_topic() {
        assert!(is_off_topic(&plan(vec![
            term("phone", false, false),
            term("number", false, true)
        ])));
        assert!(!is_off_topic(&plan(vec![
            term("set", false, true),
            term("up", false, false)
        ])));
        assert!(!is_off_topic(&plan(vec![term("source", false, false),])));
        // "what is its purpose?": an aspect of what the previous answer is about.
        assert!(!is_off_topic(&plan(vec![term("purpose", false, false)])));
        assert!(is_off_topic(&plan(vec![term("budget", false, false)])));
        assert!(!is_off_topic(&plan(vec![term("often", false, true)])));
        assert!(asks_about_previous(&plan(vec![term(
            "source", false, false
        )])));
        assert!(!asks_about_previous(&plan(vec![
            term("source", false, false),
            term("telecom", true, false)
        ])));
        assert!(!is_off_topic(&plan(vec![
            term("telecom", true, false),
            term("pizza", false, false)
        ])));
        // "is that legal?": an unknown word standing for a close indexed one ("illegal").
        let mut legal = term("legal", false, false);
        legal.expanded = true;
        legal.matches = term("illeg", true, false).matches;
        assert!(!is_off_topic(&plan(vec![legal.clone()])));
        legal.matches[0].ranking_only = true;
        assert!(is_off_topic(&plan(vec![legal])), "a word that only orders");
    }

    #[test]
    fn an_unknown_verb_about_what_a_pronoun_points_to_is_not_off_topic() {
        let action = |question: &str| {
            let lower = question.to_lowercase();
            let words: Vec<&str> = crate::retrieve::answer_type::words_of(&lower).collect();
            action_word(&words).map(str::to_string)
        };
        assert_eq!(action("who caught them?").as_deref(), Some("caught"));
        assert_eq!(action("Who oversees it?").as_deref(), Some("oversees"));
        assert_eq!(
            action("how did he track them down?").as_deref(),
            Some("track")
        );
        assert_eq!(action("when did it stop?").as_deref(), Some("stop"));
        // A degree of what was said.
        assert_eq!(action("how fast?").as_deref(), Some("fast"));
        assert_eq!(action("how strict is it?").as_deref(), Some("strict"));
        // Amounts, things and places are what the answer must name.
        assert_eq!(action("how much did it cost?"), None);
        assert_eq!(action("how long?"), None);
        assert_eq!(action("how fast is the new chip?"), None);
        assert_eq!(action("what's its phone number?"), None);
        assert_eq!(action("where will they meet?"), None);
        assert_eq!(action("who is the secretary general?"), None);

        let words = ["who", "caught", "them"];
        let mut caught = plan(vec![term("caught", false, false)]);
        assert!(is_off_topic(&caught));
        excuse_action_word(&mut caught, &words);
        assert!(!is_off_topic(&caught));
        assert!(caught.terms[0].common);
        assert_eq!(caught.terms[0].weight, META_WORD_FACTOR);
        // Only the verb's place is excused, and a known verb stays as it is.
        let mut phone = plan(vec![
            term("phone", false, false),
            term("number", false, true),
        ]);
        excuse_action_word(&mut phone, &["what", "s", "its", "phone", "number"]);
        assert!(is_off_topic(&phone));
        let mut known = plan(vec![term("caught", true, false)]);
        excuse_action_word(&mut known, &words);
        assert!(!known.terms[0].common);
    }

    #[test]
    fn context_words_join_at_a_lower_weight_once() {
        let mut own = plan(vec![
            term("often", true, true),
            term("source", false, false),
        ]);
        let earlier = plan(vec![
            term("work", true, false),
            term("chair", true, false),
            term("unknown", false, false),
        ]);
        assert_eq!(add_context(&mut own, &[earlier]), 2);
        let texts: Vec<&str> = own.terms.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["often", "source", "work", "chair"]);
        assert_eq!(own.terms[2].weight, CONTEXT_WEIGHT);
        assert_eq!(own.terms[1].weight, META_WORD_FACTOR);
        // Words of its own keep the earlier ones below them.
        let mut own = plan(vec![term("join", true, false)]);
        let earlier = plan(
            ["hotlin", "answer", "call", "report"]
                .into_iter()
                .map(|w| term(w, true, false))
                .collect(),
        );
        add_context(&mut own, &[earlier]);
        let context: f32 = own.terms[1..].iter().map(|t| t.weight).sum();
        assert!((context - CONTEXT_SHARE).abs() < 1e-6, "{context}");
    }

    #[test]
    fn a_chain_of_follow_ups_keeps_its_opening_question() {
        let opening = Turn::new("what are the four motives?", Some("a:12".into()));
        let first = opening.followed_by("what's the first one?", Some("a:12.1".into()));
        let second = first.followed_by("and the second?", Some("a:12.2".into()));
        let third = second.followed_by("and the third?", None);
        assert_eq!(
            second.questions().collect::<Vec<_>>(),
            [
                "and the second?",
                "what's the first one?",
                "what are the four motives?"
            ]
        );
        assert_eq!(third.earlier.as_deref(), Some("and the second?"));
        assert_eq!(third.topic.as_deref(), Some("what are the four motives?"));
        assert_eq!(first.topic, None, "the opening question is its earlier");
    }

    #[test]
    fn the_previous_passage_and_its_surroundings_are_preferred() {
        let p = Preference {
            id: "a:2.4".into(),
            article: "a".into(),
            paragraph: 2,
            footnotes: vec![2],
        };
        assert_eq!(p.bonus("a:2.4", "a", 2, &[2]), SAME_PASSAGE_BONUS);
        assert_eq!(p.bonus("a:2", "a", 2, &[1, 2]), NEAR_BONUS);
        assert_eq!(p.bonus("a:6", "a", 6, &[2]), NEAR_BONUS);
        assert_eq!(p.bonus("a:3", "a", 3, &[]), BESIDE_BONUS);
        assert_eq!(p.bonus("a:5", "a", 5, &[]), 0.0);
        assert_eq!(p.bonus("b:2", "b", 2, &[2]), 0.0);
    }
}
