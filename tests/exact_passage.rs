//! The exact passage: a question about one point of an enumerated paragraph gets that point
//! with its footnotes, a question about the list gets the whole paragraph, and a question
//! about a cited source gets the passage citing it, footnote included. On the shipped article
//! and on an article of two other lists (`fixtures/two-enumerations.txt`), whose points are
//! found by the parser alone: nothing here is written for one article. Follow-ups get the
//! item of the previous list they name, and ask for their kind of answer (an amount, a date)
//! as a question alone does.

use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::eval::{parse_cases, run};
use summit_bot::render::text;

const TWO_ENUMERATIONS: &str = include_str!("fixtures/two-enumerations.txt");

/// An engine over one article, `text` written as `file_name` in a temporary folder (kept
/// alive by the returned guard).
fn engine_over(file_name: &str, text: &str) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    std::fs::write(articles.join(file_name), text).unwrap();
    let engine = Engine::open(&EngineOptions {
        articles_dir: Some(articles),
        ..EngineOptions::default()
    })
    .expect("engine opens");
    (dir, engine)
}

/// Id of the passage a response answers with.
fn id(response: &summit_bot::answer::Response) -> Option<String> {
    response.answer.as_ref().map(|hit| hit.passage.id.clone())
}

fn answer_id(engine: &Engine, question: &str) -> Option<String> {
    id(&engine.ask(question).expect("search runs"))
}

#[test]
fn a_question_about_one_point_gets_that_point_with_its_footnotes() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    let response = engine.ask("did they agree to a hotline?").expect("answers");
    assert_eq!(
        text::response(&response),
        "What Obama did and did not accomplish in cyber-espionage talks with Xi (paragraph 2, \
         point 4)\n\n\
         Last, the two leaders established a high level working group to deter the spread of \
         illegal cyber activity, and a hotline to address serious security issues.[2]\n\n\
         [1] Office of the Press Secretary, “Factsheet: President Xi Jinping’s State Visit to \
         the United States,” The White House Immediate Press Releases, September 25, 2015.\n\
         [2] Dialogues will be held twice per year starting at the end of 2015. The U.S. \
         Secretary of Homeland Security and the U.S. Attorney General will co-chair the \
         dialogue with the ministerial level Chinese officials in Ministry of Public Security, \
         Ministry of State Security, Ministry of Justice and the State Internet and \
         Information.\n\n\
         match 56% of the question · 0 other matches\n"
    );
    for (question, point) in [
        // No word shared with the point: its sentence is the paragraph's closest in meaning.
        (
            "Did the two sides set up a direct channel for urgent problems?",
            "summit-article:2.4",
        ),
        ("what is the third point", "summit-article:2.3"),
        (
            "did both countries agree to respond to requests for help",
            "summit-article:2.1",
        ),
        // The office is named in the footnote only the hotline's point cites itself.
        ("who chairs the dialogue", "summit-article:2.4"),
    ] {
        assert_eq!(
            answer_id(&engine, question).as_deref(),
            Some(point),
            "{question}"
        );
    }
}

#[test]
fn a_question_about_the_list_gets_the_whole_paragraph() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    for question in [
        "what are the four points",
        "what are all the points they agreed on",
        "how many things did the leaders agree on",
    ] {
        assert_eq!(
            answer_id(&engine, question).as_deref(),
            Some("summit-article:2"),
            "{question}"
        );
    }
}

#[test]
fn a_question_about_a_cited_source_gets_the_citing_passage_and_its_footnote() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    let response = engine
        .ask("which bloomberg story does the article cite")
        .expect("answers");
    let best = response.answer.expect("the citing paragraph answers");
    assert_eq!(best.passage.id, "summit-article:5");
    assert_eq!(
        text::footnote(&best.footnotes[0]),
        "[3] See “China Halts Cybersecurity Cooperation After U.S. Spying Charges,” Bloomberg, \
         May 20, 2014."
    );
}

#[test]
fn points_of_any_article_are_answered_exactly() {
    let (_dir, engine) = engine_over("two-enumerations.txt", TWO_ENUMERATIONS);
    let response = engine
        .ask("how often will the ministers meet?")
        .expect("answers");
    assert_eq!(
        text::response(&response),
        "Two lists in one article (paragraph 1, point 2)\n\n\
         Second, they will meet every quarter.\n\n\
         [1] Joint statement, March 3, 2016.\n\n\
         match 49% of the question · 0 other matches\n"
    );
    for (question, id) in [
        ("are water systems protected?", Some("two-enumerations:3.6")),
        ("what are the three steps", Some("two-enumerations:1")),
        ("list the priorities", Some("two-enumerations:3")),
    ] {
        assert_eq!(answer_id(&engine, question).as_deref(), id, "{question}");
    }
}

#[test]
fn eval_fails_a_whole_paragraph_when_the_expected_phrase_is_one_point() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    let cases = parse_cases(concat!(
        r#"{"q": "what are the four points", "any": ["hotline to address serious security issues"]}"#,
        "\n",
        r#"{"q": "what are the four points", "any": ["four points with respect"]}"#,
        "\n",
        r#"{"q": "did they agree to a hotline?", "any": ["hotline to address"], "footnotes": [2]}"#,
    ))
    .expect("cases parse");
    let report = run(&engine, &cases).expect("eval runs");
    assert_eq!(
        report.render(),
        "FAIL \"what are the four points\": got the whole of summit-article:2 where item 4 of \
         its list holds \"hotline to address serious security issues\"\n\
         2 passed, 1 failed\n"
    );
}

#[test]
fn a_question_naming_a_point_or_a_footnote_gets_that_part() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    let response = engine.ask("what does footnote 3 say?").expect("answers");
    assert_eq!(
        text::response(&response),
        "What Obama did and did not accomplish in cyber-espionage talks with Xi (paragraph 5)\n\n\
         The establishment of high level working group represents a replay of a prior \
         initiative.\u{a0} The two countries established a joint dialogue with the same objective \
         in 2013, but that dialogue was shut down in 2014 following the U.S. indictment of Chinese \
         military officials.[3] Absent such tensions, this time around the working group might \
         not only agree on a sharper distinction between military and commercial cyber \
         espionage, but also reach agreement on defining and prohibiting the first use of cyber \
         warfare (for example, creating chaos in the banking system). Optimistically, US-China \
         agreement on such matters could provide the basis for a wider international accord.\n\n\
         [3] See “China Halts Cybersecurity Cooperation After U.S. Spying Charges,” Bloomberg, \
         May 20, 2014.\n\n\
         match 100% of the question · 0 other matches\n"
    );
    assert_eq!(
        answer_id(&engine, "what is point 2").as_deref(),
        Some("summit-article:2.2")
    );
    // A part the article does not have is no answer, not the paragraph of the list.
    assert_eq!(answer_id(&engine, "point 7"), None);
    assert_eq!(answer_id(&engine, "what does footnote 9 say"), None);

    // Another article's parts, found by the parser alone: the shortest passage whose own
    // text cites the footnote (a point, or the paragraph whose introduction cites it).
    let (_dir, engine) = engine_over("two-enumerations.txt", TWO_ENUMERATIONS);
    for (question, expected) in [
        ("what does footnote 2 say?", Some("two-enumerations:3.5")),
        ("footnote 1", Some("two-enumerations:1")),
        ("show me the last point", Some("two-enumerations:3.7")),
        ("what's point 2", Some("two-enumerations:1.2")),
        ("point 9", None),
    ] {
        assert_eq!(
            answer_id(&engine, question).as_deref(),
            expected,
            "{question}"
        );
    }
}

#[test]
fn a_request_for_the_whole_list_gets_the_paragraph_that_enumerates() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    // Paragraphs 5 and 6 use "agreement"; paragraph 2 lists the four points the leaders
    // "agreed" on.
    assert_eq!(
        answer_id(&engine, "what exactly is in the agreement, all of it").as_deref(),
        Some("summit-article:2")
    );
}

#[test]
fn a_follow_up_for_one_item_of_the_previous_list_gets_that_item() {
    let (_dir, engine) = engine_over("hotline.md", include_str!("fixtures/hotline.md"));
    let (duties, turn) = engine
        .ask_in("what do the hotline officials have to do?", None)
        .expect("answers");
    assert_eq!(id(&duties).as_deref(), Some("hotline:1"));
    // "first" is also a word of the second point's footnote ("after the first test call"):
    // the ordinal picks the item, not the words.
    let (first, first_turn) = engine
        .ask_in("and the first duty?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&first).as_deref(), Some("hotline:1.1"));
    assert!(first_turn.context_used);
    let (last, _) = engine
        .ask_in("and the last one?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&last).as_deref(), Some("hotline:1.2"));
    // An ordinal of something the list's introduction does not name is no item of it.
    let (call, _) = engine
        .ask_in("when was the first test call?", Some(&turn))
        .expect("answers");
    assert_ne!(id(&call).as_deref(), Some("hotline:1.1"));
}

#[test]
fn a_follow_up_for_one_item_gets_the_paragraph_that_opens_with_its_ordinal() {
    let text = "# The tracker\n\n\
        The team kept the cost of the tracker low. They used two practices to save money.\n\n\
        First, they wrote the requirements as tests before any code.\n\n\
        Second, two volunteers built a working prototype of the tracker.\n\n\
        The tracker went live in the spring.\n";
    let (_dir, engine) = engine_over("tracker.md", text);
    let (practices, turn) = engine
        .ask_in("how did the team keep the cost of the tracker low?", None)
        .expect("answers");
    assert_eq!(id(&practices).as_deref(), Some("tracker:1"));
    let (first, first_turn) = engine
        .ask_in("what was the first one?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&first).as_deref(), Some("tracker:2"));
    assert!(first_turn.context_used);
    let (last, _) = engine
        .ask_in("and the last practice?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&last).as_deref(), Some("tracker:3"));
    // No third item: the paragraph after the list opens with no ordinal.
    let (third, _) = engine
        .ask_in("and the third one?", Some(&turn))
        .expect("answers");
    assert_ne!(id(&third).as_deref(), Some("tracker:4"));
}

#[test]
fn a_question_about_a_cited_story_gets_the_passage_citing_it() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    // "Bloomberg" is in footnote 3 alone, and no sentence paraphrases a headline: the
    // passage citing it answers, footnote included, whatever the transformer's cosine.
    let response = engine
        .ask("what was the bloomberg headline?")
        .expect("answers");
    let hit = response.answer.expect("an answer");
    assert_eq!(hit.passage.id, "summit-article:5");
    assert_eq!(
        hit.footnotes.iter().map(|f| f.number).collect::<Vec<_>>(),
        [3]
    );
}

#[test]
fn a_cited_title_s_words_count_in_full_only_for_a_question_about_the_source() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    // "charge" is in paragraph 5 only as the "Charges" of the Bloomberg headline it cites
    // (footnote 3); the working group's co-chairs are in footnote 2, cited by point 4.
    assert_eq!(
        answer_id(&engine, "who's in charge of the new working group").as_deref(),
        Some("summit-article:2.4")
    );
    // Asked about the story, the headline's words are the question's.
    assert_eq!(
        answer_id(&engine, "which story reported the spying charges?").as_deref(),
        Some("summit-article:5")
    );
}

#[test]
fn a_follow_up_asking_for_an_amount_needs_one_like_a_question_asked_alone() {
    let text = "# The tracker\n\n\
        Two volunteers built a prototype of the tracker. The prototype showed a progress bar \
        that advanced and retreated based on test data.\n\n\
        The tracker was launched in May 2015, after three weeks of tests.\n";
    let (_dir, engine) = engine_over("tracker.md", text);
    let (prototype, turn) = engine
        .ask_in("what did the prototype show?", None)
        .expect("answers");
    assert_eq!(id(&prototype).as_deref(), Some("tracker:1"));
    // The article says nothing of money: the prototype's paragraph, which the follow-up
    // leans on, is no answer to "how much".
    let (paid, _) = engine
        .ask_in("how much did the city pay for it?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&paid), None);
    assert_eq!(
        answer_id(&engine, "how much did the city pay for the prototype?"),
        None
    );
    // A follow-up asking for what the passage does hold is still answered in context.
    let (launch, launch_turn) = engine
        .ask_in("and when was it launched?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&launch).as_deref(), Some("tracker:2"));
    assert!(launch_turn.context_used);
}

#[test]
fn they_leans_on_the_previous_answer_when_that_answer_holds_the_question_s_words() {
    let text = "# The case\n\n\
        In 1986 a group of hackers broke into military computers. They sold data from these \
        machines to a foreign secret service.\n\n\
        Criminals steal, exploit and sell data for money.\n\n\
        The case went to court in 1990.\n";
    let (_dir, engine) = engine_over("case.md", text);
    let (case, turn) = engine
        .ask_in("what did the hackers in the 1986 case do?", None)
        .expect("answers");
    assert_eq!(id(&case).as_deref(), Some("case:1"));
    // Alone, the shorter paragraph holding "sell data" wins; after the case, "they" are its
    // hackers.
    assert_eq!(
        answer_id(&engine, "who did they sell the data to?").as_deref(),
        Some("case:2")
    );
    let (sold, sold_turn) = engine
        .ask_in("who did they sell the data to?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&sold).as_deref(), Some("case:1"));
    assert!(sold_turn.context_used);
}

#[test]
fn the_earlier_question_s_words_count_only_where_the_previous_answer_holds_them() {
    let engine = Engine::embedded().expect("the shipped article indexes");
    let (date, turn) = engine
        .ask_in("When did Obama and Xi reach the agreement?", None)
        .expect("answers");
    assert_eq!(id(&date).as_deref(), Some("summit-article:1"));
    // "reach" and "agreement" are the earlier question's words that paragraph 1 does not use
    // ("agreed"); paragraph 5 does ("reach agreement"), and must not win the follow-up.
    let (promise, _) = engine
        .ask_in("what did they agree not to do?", Some(&turn))
        .expect("answers");
    assert_eq!(id(&promise).as_deref(), Some("summit-article:1"));
}
