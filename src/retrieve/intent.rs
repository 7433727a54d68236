//! Requests no article answers, whatever words they share with it: personal advice ("how do
//! I protect my computer?", "which phone should I buy?") and recommendations ("recommend a
//! good book on military history", "what's a good VPN for China?"). An article reports and
//! argues; it does not advise the reader on their own affairs, so such a request gets "no good
//! answer" even when a topic word (military, China, phone) matches a passage. Word and meaning
//! scores cannot tell this on their own: the topic word makes the passage look relevant.
//!
//! English only, like the rest of the question analysis: the cues are the first-person forms
//! of asking for advice and the words of asking for a recommendation.

/// Verbs that, followed by "I", ask how the asker should act ("how do I", "should I").
const ASKING_VERBS: &[&str] = &["do", "can", "could", "should", "would", "shall"];
/// Words that ask for a recommendation.
const RECOMMENDING: &[&str] = &[
    "recommend",
    "recommendation",
    "recommendations",
    "suggest",
    "suggestion",
    "suggestions",
];
/// "what's a good …": the forms of "what is" a question starts a recommendation with
/// (followed by "a good" or "some good"; "what's good about the deal" asks about the article).
const WHAT_IS: &[&[&str]] = &[
    &["what", "s"],
    &["whats"],
    &["what", "is"],
    &["what", "are"],
];
/// After "can I", "what do I": asking to know, not for advice ("can I ask about the hotline?",
/// "what do I need to know about the deal?").
const ASKING_TO_KNOW: &[&str] = &["ask", "know", "understand"];

/// True when a question asks for personal advice or a recommendation, from its lowercase
/// words ([`super::answer_type::words_of`] of the lowercased question).
pub fn is_personal_request(words: &[&str]) -> bool {
    let at = |i: usize| words.get(i).copied().unwrap_or("");
    // "how do I …", "should I …", "where can I …", "which one should I buy": a verb of
    // asking followed by the asker.
    let asks_for_advice = words.iter().enumerate().any(|(i, w)| {
        let wants_to_know = ASKING_TO_KNOW.contains(&at(i + 2))
            || at(i + 2) == "need" && at(i + 3) == "to" && ASKING_TO_KNOW.contains(&at(i + 4));
        ASKING_VERBS.contains(w) && at(i + 1) == "i" && !wants_to_know
    });
    // The asker's own things ("my computer", "my homework").
    let own_affairs = words.contains(&"my");
    let recommendation = words.iter().any(|w| RECOMMENDING.contains(w))
        || WHAT_IS.iter().any(|start| {
            let after = start.len();
            start.iter().enumerate().all(|(i, w)| at(i) == *w)
                && matches!(at(after), "a" | "some")
                && at(after + 1) == "good"
        });
    asks_for_advice || own_affairs || recommendation
}

/// Words that name the text itself rather than its subject.
const THE_TEXT: &[&str] = &[
    "article", "post", "blog", "blogpost", "piece", "text", "story", "page", "writeup",
];
/// Words that ask for an overview of a whole text.
const OVERVIEW: &[&str] = &[
    "summary",
    "summarize",
    "summarise",
    "tldr",
    "gist",
    "overview",
    "synopsis",
];

/// True when a question asks what the text as a whole is about ("what's this article
/// about?", "summarize the post", "tl;dr"), from its lowercase words. A news text answers that
/// itself, in its lead paragraph; word matching cannot, since "article" and "summary" are
/// words about the text, not in it.
pub fn asks_for_overview(words: &[&str]) -> bool {
    let names_the_text = words.iter().any(|w| THE_TEXT.contains(w));
    let tldr = words.windows(2).any(|p| p == ["tl", "dr"]);
    words.iter().any(|w| OVERVIEW.contains(w)) || tldr || names_the_text && words.contains(&"about")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retrieve::answer_type::words_of;

    /// `check` applied to the lowercase words of `question`, as `rank` applies it.
    fn on_words(question: &str, check: fn(&[&str]) -> bool) -> bool {
        let lower = question.to_lowercase();
        check(&words_of(&lower).collect::<Vec<_>>())
    }

    fn overview(question: &str) -> bool {
        on_words(question, asks_for_overview)
    }

    #[test]
    fn questions_about_the_whole_text_ask_for_an_overview() {
        for question in [
            "what's this article about",
            "What is the post about?",
            "summarize the article",
            "tl;dr?",
            "give me the gist",
        ] {
            assert!(overview(question), "{question:?}");
        }
        for question in [
            "what is the agreement about",
            "is there a hotline",
            "what about telecom",
        ] {
            assert!(!overview(question), "{question:?}");
        }
    }

    fn is_personal(question: &str) -> bool {
        on_words(question, is_personal_request)
    }

    #[test]
    fn advice_and_recommendations_are_personal_requests() {
        for question in [
            "how do I protect my computer from viruses",
            "Which programming language should I learn first?",
            "How can I set up a phone line at home?",
            "where can i read more",
            "Can you recommend a laptop for gaming?",
            "recommend a good book on military history",
            "any suggestions for a spy movie?",
            "what's a good VPN for China",
            "whats a good antivirus",
            "What are some good spy novels?",
            "is my data safe",
            "which phone should I buy",
        ] {
            assert!(is_personal(question), "{question}");
        }
    }

    #[test]
    fn questions_about_the_article_are_not() {
        for question in [
            "Did they agree to a crisis line?",
            "How will hackers be identified?",
            "what's good about the deal",
            "Is the agreement a good one?",
            "What should the US do if China breaks the deal?",
            "Who is Xi Jinping?",
            "I wonder when the talks started",
            "tell me about the hotline",
            "can I ask about the working group?",
            "what do i need to know about the summit",
            "should i know who the co-chairs are",
            "what are good points of the deal",
        ] {
            assert!(!is_personal(question), "{question}");
        }
    }
}
