//! The evaluation files keep their scores: each has a floor (the constants below) at what the
//! engine scores today, so a regression fails `cargo test`. The shared copies
//! (`questions.jsonl`, `paraphrases.jsonl`, `near-misses.jsonl`: copies of
//! `../shared/eval/`, measured, never tuned on) and our own chat-style files (`probe-*.jsonl`:
//! which were tuned on and which held out is in QUALITY.md, "The files") are scored with the
//! static engine, over the compiled-in article and over `index/articles` with an index on
//! disk; `near-misses.jsonl` also counts its off-topic questions left unanswered. The
//! default engine of a plain `summit-bot` (the shipped MiniLM transformer as a cascade) has
//! floors of its own on our six chat-style files. Every score counts the exact passage
//! (`eval`'s point rule): a whole enumerating paragraph fails where the expected phrase is one
//! of its points. Where a floor went down, QUALITY.md's section on that change says which
//! question was lost and why. The probe files are also among the learned decision's training
//! questions (`models/answer-decision/`, opt-in); the shared copies are not.

use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::eval::{parse_cases, parse_items, run, run_items, Case, Report};

const QUESTIONS: &str = include_str!("fixtures/questions.jsonl");
const MIN_PASSED: usize = 39;
const PARAPHRASES: &str = include_str!("fixtures/paraphrases.jsonl");
const MIN_PARAPHRASES_PASSED: usize = 26;
const NEAR_MISSES: &str = include_str!("fixtures/near-misses.jsonl");
const MIN_NEAR_MISSES_PASSED: usize = 45;
const MIN_NEAR_MISSES_DECLINED: usize = 28;
const PROBES: &str = include_str!("fixtures/probe-paraphrases.jsonl");
const MIN_PROBES_PASSED: usize = 55;
const PEOPLE: &str = include_str!("fixtures/probe-people.jsonl");
const MIN_PEOPLE_PASSED: usize = 41;
const DEV: &str = include_str!("fixtures/probe-dev.jsonl");
const MIN_DEV_PASSED: usize = 68;
const FRESH: &str = include_str!("fixtures/probe-fresh.jsonl");
const MIN_FRESH_PASSED: usize = 33;
const NEAR_MISS: &str = include_str!("fixtures/probe-near-miss.jsonl");
const MIN_NEAR_MISS_PASSED: usize = 25;
const HELD: &str = include_str!("fixtures/probe-held.jsonl");
const MIN_HELD_PASSED: usize = 38;
/// Written on 2026-12-07 (eighth session) before that session's changes, scored then at 33
/// (static) and 36 (default), and used to choose between them.
const NEAR_MISS_2: &str = include_str!("fixtures/probe-near-miss-2.jsonl");
const MIN_NEAR_MISS_2_PASSED: usize = 38;
/// Written on 2026-12-08 (ninth session) by a helper that had not read the shared files (30
/// off-topic near misses, 15 controls), scored then at 26 (static) and 28 (default), and used
/// to choose that session's changes.
const NEAR_MISS_3: &str = include_str!("fixtures/probe-near-miss-3.jsonl");
const MIN_NEAR_MISS_3_PASSED: usize = 28;

/// Fails with the report when fewer than `floor` questions pass.
fn assert_passes(report: &Report, floor: usize) {
    assert!(
        report.passed >= floor,
        "only {} passed (need {floor}):\n{}",
        report.passed,
        report.render()
    );
}

/// How many of the off-topic questions (`none`) get no answer.
fn declined(engine: &Engine, cases: &[Case]) -> usize {
    cases
        .iter()
        .filter(|c| c.none)
        .filter(|c| engine.ask(&c.q).expect("answers").answer.is_none())
        .count()
}

fn check(engine: &Engine) {
    let cases = parse_cases(QUESTIONS).expect("fixture parses");
    assert_eq!(cases.len(), 40, "the fixture holds 40 questions");
    let report = run(engine, &cases).expect("eval runs");
    assert_passes(&report, MIN_PASSED);
    assert_eq!(report.passed + report.failures.len(), cases.len());
}

#[test]
fn embedded_engine_passes_the_eval() {
    check(&Engine::embedded().expect("embedded engine opens"));
}

#[test]
fn engine_over_index_articles_with_persisted_index_passes_the_eval() {
    let tmp = tempfile::tempdir().unwrap();
    let options = EngineOptions {
        articles_dir: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/index/articles").into()),
        index_dir: Some(tmp.path().join("idx")),
        ..EngineOptions::default()
    };
    check(&Engine::open(&options).expect("engine opens"));
    // Reopened from disk, it answers the same.
    check(&Engine::open(&options).expect("engine reopens"));
}

#[test]
fn paraphrased_questions_pass_and_off_topic_ones_get_no_answer() {
    let engine = Engine::embedded().expect("embedded engine opens");
    let cases = parse_cases(PARAPHRASES).expect("fixture parses");
    assert_eq!(cases.len(), 32, "the fixture holds 32 questions");
    let report = run(&engine, &cases).expect("eval runs");
    assert_passes(&report, MIN_PARAPHRASES_PASSED);
    for case in cases.iter().filter(|c| c.none) {
        let response = engine.ask(&case.q).expect("answers");
        assert!(
            response.answer.is_none(),
            "off-topic {:?} got an answer",
            case.q
        );
    }
}

#[test]
fn near_misses_sharing_a_name_or_word_get_no_answer() {
    let engine = Engine::embedded().expect("embedded engine opens");
    let cases = parse_cases(NEAR_MISSES).expect("fixture parses");
    assert_eq!(cases.len(), 60, "the fixture holds 60 questions");
    let report = run(&engine, &cases).expect("eval runs");
    assert_passes(&report, MIN_NEAR_MISSES_PASSED);
    let off_topic = cases.iter().filter(|c| c.none).count();
    assert_eq!(off_topic, 40);
    let declined = declined(&engine, &cases);
    assert!(
        declined >= MIN_NEAR_MISSES_DECLINED,
        "only {declined} of {off_topic} off-topic questions declined (need {MIN_NEAR_MISSES_DECLINED})"
    );
}

/// Off-topic questions of the kinds issue 18 lists (a leader's family, what he did later,
/// another country's pact, a later office-holder, what a named contractor makes, an older
/// hotline, another breach, later tariffs, a VPN, a price), written for this file from the
/// issue's text alone, with four on-topic questions in the same style
/// (`issue18-near-misses.jsonl`, 22 questions, 18 off-topic). Main before issue 18's rules:
/// 7 passed, 4 declined. The static engine now: at least 15, with at least 12 declined (9 and 6
/// before a match carried by names alone stopped being an answer, 11 and 8 before "how many",
/// "how much", a measure and the holder of an office needed their number or name); the opt-in
/// learned decision (`[answer] decision = "learned"`, with the MiniLM transformer the config
/// finds in `models/minilm-l6`): at least 18, with at least 14 (15 and 11 before the fourth
/// session's rules and the weights retrained on them; 18 and 15 with the weights
/// trained before the transformer's rows, which lost more on-topic answers on most summit files:
/// QUALITY.md, "The learned decision with the transformer's cosine"; 16 and 12 before the rows were
/// exported again for the third session's rules, whose retrained weights score better in
/// cross-validation and on the held-out rows but answer one more off-topic question here).
const ISSUE_NEAR_MISSES: &str = include_str!("fixtures/issue18-near-misses.jsonl");

#[test]
fn near_misses_of_the_issue_kinds_get_no_answer() {
    let learned: summit_bot::config::Config =
        toml::from_str("[answer]\ndecision = \"learned\"\n").expect("config parses");
    let mut options = EngineOptions::from_config(&learned);
    options.articles_dir = None;
    options.index_dir = None;
    let cases = parse_cases(ISSUE_NEAR_MISSES).expect("fixture parses");
    assert_eq!(cases.len(), 22, "the fixture holds 22 questions");
    for (engine, passed_floor, declined_floor) in [
        (Engine::embedded().expect("embedded engine opens"), 15, 12),
        (Engine::open(&options).expect("engine opens"), 18, 14),
    ] {
        let report = run(&engine, &cases).expect("eval runs");
        assert_passes(&report, passed_floor);
        let declined = declined(&engine, &cases);
        assert!(
            declined >= declined_floor,
            "only {declined} of 18 off-topic questions declined (need {declined_floor})"
        );
    }
}

#[test]
fn held_out_paraphrases_keep_their_score() {
    let engine = Engine::embedded().expect("embedded engine opens");
    let cases = parse_cases(PROBES).expect("fixture parses");
    assert_eq!(cases.len(), 74, "the fixture holds 74 questions");
    let report = run(&engine, &cases).expect("eval runs");
    assert_passes(&report, MIN_PROBES_PASSED);
}

#[test]
fn questions_typed_like_chat_keep_their_score() {
    let engine = Engine::embedded().expect("embedded engine opens");
    for (fixture, count, floor) in [
        (PEOPLE, 54, MIN_PEOPLE_PASSED),
        (DEV, 89, MIN_DEV_PASSED),
        (FRESH, 57, MIN_FRESH_PASSED),
        (NEAR_MISS, 40, MIN_NEAR_MISS_PASSED),
        (HELD, 49, MIN_HELD_PASSED),
        (NEAR_MISS_2, 55, MIN_NEAR_MISS_2_PASSED),
        (NEAR_MISS_3, 45, MIN_NEAR_MISS_3_PASSED),
    ] {
        let cases = parse_cases(fixture).expect("fixture parses");
        assert_eq!(cases.len(), count, "the fixture holds {count} questions");
        let report = run(&engine, &cases).expect("eval runs");
        assert_passes(&report, floor);
    }
}

/// Conversations: `dialogs.jsonl` is a copy of `../shared/eval/dialogs.jsonl` (14
/// conversations, 40 turns; measured, never read to write rules); `probe-dialogs.jsonl` is
/// our own (29 conversations over the summit article, written before tuning and tuned on);
/// `probe-dialogs-held.jsonl` (5 conversations) was written with it and scored once.
/// Floors are today's scores (`dialogs.jsonl` 29 -> 28 when `eval` began to count the exact
/// passage: one follow-up about one point got the whole list; 28 -> 29 when a follow-up's own
/// words began to pick the item of a list, see QUALITY.md "Conversations"; 29 -> 28 for this
/// static engine when a match carried by names alone stopped being an answer: one turn read alone is
/// now declined here, while the default engine, whose transformer meets it, still passes 29 and
/// every file of our own kept or raised its score, QUALITY.md "Names alone"; 28 -> 29 with the
/// answer types of QUALITY.md "Counts, amounts and lists of paragraphs"; 29 -> 30 when "they"
/// began to lean on a previous answer holding the question's words, and the earlier question's
/// words to count only where that answer holds them, QUALITY.md "They, and the earlier words
/// that count"; 30 -> 31 with the static engine when a cited title's words began to count at
/// half, QUALITY.md "Words of a cited title", where the default's 30 -> 29 is explained).
const DIALOGS: &str = include_str!("fixtures/dialogs.jsonl");
const MIN_DIALOG_TURNS_PASSED: usize = 31;
const PROBE_DIALOGS: &str = include_str!("fixtures/probe-dialogs.jsonl");
const MIN_PROBE_DIALOG_TURNS_PASSED: usize = 73;
const HELD_DIALOGS: &str = include_str!("fixtures/probe-dialogs-held.jsonl");
const MIN_HELD_DIALOG_TURNS_PASSED: usize = 11;
/// Written on 2026-12-07 (eighth session) before that session's changes (12 conversations, 37
/// turns; 25 passed then, after one label was mended), and tuned on.
const PROBE_DIALOGS_2: &str = include_str!("fixtures/probe-dialogs-2.jsonl");
const MIN_PROBE_DIALOG_2_TURNS_PASSED: usize = 23;
/// Written with `probe-near-miss-3` (12 conversations, 38 turns; 25 passed then with the
/// static engine, 28 with the default), and tuned on.
const PROBE_DIALOGS_3: &str = include_str!("fixtures/probe-dialogs-3.jsonl");
const MIN_PROBE_DIALOG_3_TURNS_PASSED: usize = 30;

#[test]
fn conversations_keep_their_score() {
    let engine = Engine::embedded().expect("embedded engine opens");
    for (fixture, turns, floor) in [
        (DIALOGS, 40, MIN_DIALOG_TURNS_PASSED),
        (PROBE_DIALOGS, 79, MIN_PROBE_DIALOG_TURNS_PASSED),
        (HELD_DIALOGS, 12, MIN_HELD_DIALOG_TURNS_PASSED),
        (PROBE_DIALOGS_2, 37, MIN_PROBE_DIALOG_2_TURNS_PASSED),
        (PROBE_DIALOGS_3, 38, MIN_PROBE_DIALOG_3_TURNS_PASSED),
    ] {
        let items = parse_items(fixture).expect("fixture parses");
        let report = run_items(&engine, &items).expect("eval runs");
        assert_eq!(report.passed + report.failures.len(), turns);
        assert_passes(&report, floor);
    }
}

/// Plain lines are asked alone: an eval file without dialogs scores the same through
/// `run_items` as through `run`, answer for answer.
#[test]
fn plain_lines_are_never_read_with_context() {
    let engine = Engine::embedded().expect("embedded engine opens");
    for fixture in [
        QUESTIONS,
        PARAPHRASES,
        PROBES,
        PEOPLE,
        DEV,
        FRESH,
        NEAR_MISS,
        HELD,
        NEAR_MISS_2,
        NEAR_MISS_3,
    ] {
        let cases = parse_cases(fixture).expect("fixture parses");
        let items = parse_items(fixture).expect("fixture parses");
        assert_eq!(
            run(&engine, &cases).expect("eval runs"),
            run_items(&engine, &items).expect("eval runs")
        );
    }
}

/// Conversations over two articles (`hotline.md` beside the summit article).
#[test]
fn conversations_over_two_articles_keep_their_score() {
    let tmp = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    for file in [
        "index/articles/summit-article.txt",
        "tests/fixtures/hotline.md",
    ] {
        let from = std::path::Path::new(root).join(file);
        std::fs::copy(&from, tmp.path().join(from.file_name().unwrap())).unwrap();
    }
    let engine = Engine::open(&EngineOptions {
        articles_dir: Some(tmp.path().to_path_buf()),
        ..EngineOptions::default()
    })
    .expect("engine opens");
    let items = parse_items(include_str!("fixtures/probe-dialogs-hotline.jsonl")).unwrap();
    let report = run_items(&engine, &items).expect("eval runs");
    assert!(report.passed >= 6, "{}", report.render());
}

/// Conversations over the other fixture articles (`tests/fixtures/labelled/<stem>.dialogs.
/// {train,held}.jsonl`, written from each article's text alone before any engine answered
/// them; split by `scripts/labelled.py` on the first question, held-out part scored once),
/// each article under an engine of its own, as its labelled questions are, and the fresh
/// held-out part (`{stem}.dialogs.fresh.jsonl`, four of the articles) written before the
/// second round of follow-up work. Floors are the scores of 2026-12-07 (training 36 before
/// the issue-20 quality work, 39 after its first round, 40 after the second; held-out 41
/// before and after both; fresh 31 before the second round, 32 after; QUALITY.md
/// "Conversations"). A third round of conversations (31, over the summit article, the
/// hotline, the pizza story and the access page, written by the third session's data
/// engineer from the articles alone) joined both parts by the same split, the hotline's
/// article with them: training 77 of 107, held-out 75 of 102, scored once at the end of
/// that session's work (QUALITY.md "Dates, named parts, lists and sources"). Training 82 -> 83
/// when a follow-up began to need the kind of answer it asks for (QUALITY.md "Follow-ups ask
/// in their own words"), 84 when irregular past forms began to meet their verb (QUALITY.md
/// "Irregular verbs"), 86 with "they" read in context (QUALITY.md "They, and the earlier words
/// that count"), 88 when a number word stopped standing for another (QUALITY.md "Office
/// holders, purposes and number words").
const ARTICLE_DIALOGS: &[(&str, &str)] = &[
    (
        "wikipedia-hacker",
        "tests/fixtures/articles/wikipedia-hacker",
    ),
    (
        "gsa-pizza-tracker",
        "tests/fixtures/articles/gsa-pizza-tracker",
    ),
    (
        "wikipedia-access-to-information",
        "tests/fixtures/articles/wikipedia-access-to-information",
    ),
    (
        "gsa-agile-solicitation",
        "tests/fixtures/articles/gsa-agile-solicitation",
    ),
    ("summit-article", "index/articles"),
    ("hotline", "tests/fixtures/articles/hotline"),
];
const ARTICLE_DIALOG_PARTS: [&str; 3] = ["train", "held", "fresh"];
const ARTICLE_DIALOG_TURNS: [usize; 3] = [107, 102, 37];
/// The training turns' floor went 88 -> 87 on 2026-12-08: a question about the present needs a
/// passage speaking of its own ("hows the pilot going so far?" lost, QUALITY.md "What has
/// happened since").
const MIN_ARTICLE_DIALOG_TURNS_PASSED: [usize; 3] = [87, 74, 33];

#[test]
fn conversations_over_other_articles_keep_their_score() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (i, part) in ARTICLE_DIALOG_PARTS.into_iter().enumerate() {
        let (mut passed, mut turns, mut rendered) = (0, 0, String::new());
        for (stem, dir) in ARTICLE_DIALOGS {
            let path = root.join(format!(
                "tests/fixtures/labelled/{stem}.dialogs.{part}.jsonl"
            ));
            if part == "fresh" && !path.exists() {
                continue; // the fresh part covers four of the five articles
            }
            let engine = Engine::open(&EngineOptions {
                articles_dir: Some(root.join(dir)),
                ..EngineOptions::default()
            })
            .expect("engine opens");
            let items = parse_items(&std::fs::read_to_string(&path).expect("fixture reads"))
                .expect("fixture parses");
            let report = run_items(&engine, &items).expect("eval runs");
            passed += report.passed;
            turns += report.passed + report.failures.len();
            rendered += &format!("{stem}:\n{}\n", report.render());
        }
        assert_eq!(turns, ARTICLE_DIALOG_TURNS[i], "{part}");
        assert!(
            passed >= MIN_ARTICLE_DIALOG_TURNS_PASSED[i],
            "{part}: only {passed} passed:\n{rendered}"
        );
    }
}

/// The default engine of a plain `summit-bot` (the shipped int8 all-MiniLM-L6-v2 of
/// `models/minilm-l6/` re-ranking as a cascade) keeps its score on our own chat-style files.
/// The floors above measure the static engine (`Engine::embedded`); these are the default's
/// scores today (those of QUALITY.md's "The shipped transformer" table, with the same
/// questions reaching the transformer: 163 of 363), so a regression of the transformer or of
/// the cascade fails. Practical in a debug build since its forward pass is compiled optimised
/// there (`crates/contextual-ops`): about 5 s.
const MINILM_FLOORS: [(&str, &str, usize, usize); 8] = [
    ("probe-paraphrases", PROBES, 74, MIN_MINILM_PROBES_PASSED),
    ("probe-people", PEOPLE, 54, MIN_MINILM_PEOPLE_PASSED),
    ("probe-dev", DEV, 89, MIN_MINILM_DEV_PASSED),
    ("probe-fresh", FRESH, 57, MIN_MINILM_FRESH_PASSED),
    (
        "probe-near-miss",
        NEAR_MISS,
        40,
        MIN_MINILM_NEAR_MISS_PASSED,
    ),
    ("probe-held", HELD, 49, MIN_MINILM_HELD_PASSED),
    (
        "probe-near-miss-2",
        NEAR_MISS_2,
        55,
        MIN_MINILM_NEAR_MISS_2_PASSED,
    ),
    (
        "probe-near-miss-3",
        NEAR_MISS_3,
        45,
        MIN_MINILM_NEAR_MISS_3_PASSED,
    ),
];
const MIN_MINILM_PROBES_PASSED: usize = 62;
const MIN_MINILM_PEOPLE_PASSED: usize = 42;
const MIN_MINILM_DEV_PASSED: usize = 71;
const MIN_MINILM_FRESH_PASSED: usize = 39;
const MIN_MINILM_NEAR_MISS_PASSED: usize = 26;
const MIN_MINILM_HELD_PASSED: usize = 39;
const MIN_MINILM_NEAR_MISS_2_PASSED: usize = 41;
const MIN_MINILM_NEAR_MISS_3_PASSED: usize = 30;

#[test]
fn the_shipped_transformer_keeps_its_score() {
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(summit_bot::semantic::contextual::SHIPPED_MODEL_DIR);
    let mut options = EngineOptions::default();
    options.rank.semantic.model_dir = Some(model);
    let engine = Engine::from_source(&summit_bot::ingest::Source::Embedded, &options)
        .expect("the engine opens with models/minilm-l6");
    let mut reached = 0;
    for (name, fixture, count, floor) in MINILM_FLOORS {
        let cases = parse_cases(fixture).expect("fixture parses");
        assert_eq!(cases.len(), count, "{name} holds {count} questions");
        let before = engine
            .contextual_questions()
            .expect("the transformer is loaded");
        let report = run(&engine, &cases).expect("eval runs");
        let scored = engine
            .contextual_questions()
            .expect("the transformer is loaded")
            - before;
        eprintln!(
            "{name}: {} of {count} passed, {scored} reached the transformer",
            report.passed
        );
        reached += scored;
        assert_passes(&report, floor);
    }
    // The cascade: some questions reach the transformer, not all.
    let total: usize = MINILM_FLOORS.iter().map(|(_, _, count, _)| count).sum();
    assert!(
        reached > 0 && reached < total,
        "{reached} of {total} reached the transformer"
    );
}
