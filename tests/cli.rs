//! Drives the built `summit-bot` binary end to end. Every test gets its own temporary config
//! whose index lives in a temporary folder, so nothing is written into the repository.
//! Outputs are compared as whole strings so a failure shows a readable diff.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_summit-bot");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const TITLE: &str = "What Obama did and did not accomplish in cyber-espionage talks with Xi";
const POINT_2: &str = "Second, neither country will participate or sponsor “cyber-enabled theft of intellectual property, including trade secrets or other confidential business information, with the intent of providing competitive advantages to companies or commercial sectors”.";
const POINT_4: &str = "Last, the two leaders established a high level working group to deter the spread of illegal cyber activity, and a hotline to address serious security issues.[2]";
const FOOTNOTE_1: &str = "Office of the Press Secretary, “Factsheet: President Xi Jinping’s State Visit to the United States,” The White House Immediate Press Releases, September 25, 2015.";
const FOOTNOTE_2: &str = "Dialogues will be held twice per year starting at the end of 2015. The U.S. Secretary of Homeland Security and the U.S. Attorney General will co-chair the dialogue with the ministerial level Chinese officials in Ministry of Public Security, Ministry of State Security, Ministry of Justice and the State Internet and Information.";
const FOOTNOTE_3: &str = "See “China Halts Cybersecurity Cooperation After U.S. Spying Charges,” Bloomberg, May 20, 2014.";

/// A temporary config pointing the index into a temporary folder.
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        let index_dir = dir.path().join("idx");
        std::fs::write(
            &config,
            format!(
                // The static engine: these check the command line, not the shipped transformer
                // (tests/model_fetch.rs checks that it is chosen by default).
                "[corpus]\nindex_dir = '{}'\n[store]\nurl = 'sqlite://{}'\n[semantic]\nmodel_dir = ''\n",
                index_dir.display(),
                dir.path().join("data/summit.db").display()
            ),
        )
        .expect("write config");
        Setup { dir, config }
    }

    fn index_dir(&self) -> PathBuf {
        self.dir.path().join("idx")
    }

    /// Runs the binary from the repository root (so `index/articles` is the corpus) with
    /// no Discord token and no log filter in the environment.
    fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new(BIN)
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .current_dir(ROOT)
            .env_remove("DISCORD_TOKEN")
            .env_remove("DISCORD_TOKEN_FILE")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn summit-bot");
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin).expect("write stdin");
        drop(input);
        child.wait_with_output().expect("wait for summit-bot")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts success and an empty stderr, returning stdout.
fn success(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(output),
        stderr(output)
    );
    assert_eq!(stderr(output), "", "nothing on stderr");
    stdout(output)
}

fn point_4_text() -> String {
    format!("{TITLE} (paragraph 2, point 4)\n\n{POINT_4}\n\n[1] {FOOTNOTE_1}\n[2] {FOOTNOTE_2}\n")
}

#[test]
fn point_4_prints_the_point_with_its_footnotes() {
    let setup = Setup::new();
    let out = success(&setup.run(&["point", "4"], b""));
    assert_eq!(out, point_4_text());
    assert!(
        setup.index_dir().join("meta.json").is_file(),
        "index written to the temp dir"
    );
}

#[test]
fn points_lists_short_titles() {
    let setup = Setup::new();
    let out = success(&setup.run(&["points"], b""));
    assert_eq!(
        out,
        "1. Both countries will respond in a timely manner to requests for information and assistance related…\n\
         2. Neither country will participate or sponsor “cyber-enabled theft of intellectual property,…\n\
         3. China and the United States will strive to identify and endorse proper norms of state behavior in…\n\
         4. The two leaders established a high level working group to deter the spread of illegal cyber…\n"
    );
}

#[test]
fn footnote_3_prints_one_line() {
    let setup = Setup::new();
    let out = success(&setup.run(&["footnote", "3"], b""));
    assert_eq!(out, format!("[3] {FOOTNOTE_3}\n"));
}

#[test]
fn unknown_point_fails_with_one_line() {
    let setup = Setup::new();
    let output = setup.run(&["point", "9"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "summit-bot: no point 9: the article lists 4 points\n"
    );
}

#[test]
fn unknown_footnote_fails_with_one_line() {
    let setup = Setup::new();
    let output = setup.run(&["footnote", "99"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "summit-bot: no footnote 99: the article has 4 footnotes\n"
    );
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn assert_passage_shape(passage: &Value) {
    assert_eq!(
        keys(passage),
        ["article", "id", "paragraph", "point", "text", "title"]
    );
    assert!(passage["id"].is_string());
    assert!(passage["article"].is_string());
    assert!(passage["title"].is_string());
    assert!(passage["paragraph"].is_u64());
    assert!(passage["point"].is_u64() || passage["point"].is_null());
    assert!(passage["text"].is_string());
}

fn assert_response_shape(response: &Value) {
    assert_eq!(keys(response), ["alternatives", "answer", "question"]);
    assert!(response["question"].is_string());
    for alternative in response["alternatives"]
        .as_array()
        .expect("alternatives is an array")
    {
        assert_passage_shape(alternative);
    }
    let answer = &response["answer"];
    if answer.is_null() {
        return;
    }
    // The default (combined) ranking also reports its two parts.
    assert_eq!(
        keys(answer),
        [
            "footnotes",
            "highlight",
            "lexical_score",
            "passage",
            "score",
            "semantic_score"
        ]
    );
    assert!(answer["lexical_score"].is_number());
    assert!(answer["semantic_score"].is_number());
    assert_passage_shape(&answer["passage"]);
    for footnote in answer["footnotes"]
        .as_array()
        .expect("footnotes is an array")
    {
        assert_eq!(keys(footnote), ["number", "text"]);
        assert!(footnote["number"].is_u64());
        assert!(footnote["text"].is_string());
    }
    assert!(answer["score"].is_f64() || answer["score"].is_u64());
    assert!(answer["highlight"].is_string());
}

#[test]
fn ask_json_has_the_exact_shape() {
    let setup = Setup::new();
    let out = success(&setup.run(&["ask", "--json", "Is there a hotline?"], b""));
    assert!(
        out.ends_with('\n') && out.matches('\n').count() == 1,
        "one line: {out:?}"
    );
    let response: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_response_shape(&response);
    assert_eq!(response["question"], "Is there a hotline?");
    let answer = &response["answer"];
    assert_eq!(
        answer["passage"],
        serde_json::json!({
            "id": "summit-article:2.4",
            "article": "summit-article",
            "title": TITLE,
            "paragraph": 2,
            "point": 4,
            "text": POINT_4,
        })
    );
    assert_eq!(
        answer["footnotes"],
        serde_json::json!([
            {"number": 1, "text": FOOTNOTE_1},
            {"number": 2, "text": FOOTNOTE_2},
        ])
    );
    assert_eq!(
        answer["highlight"],
        "Last, the two leaders established a high level working group to deter the spread of illegal cyber activity, and a **hotline** to address serious security issues.[2]"
    );
    let score = answer["score"].as_f64().expect("score is a number");
    assert!(score > 0.0, "score {score}");
}

#[test]
fn ask_json_stdin_writes_one_object_per_line() {
    let setup = Setup::new();
    let mut input = Vec::new();
    input.extend_from_slice(b"Is there a hotline?\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"???\n");
    input.extend_from_slice(b"\xff\xfe\xc3 bytes\n");
    input.extend_from_slice(b"hotline:hotline AND (\n");
    let out = success(&setup.run(&["ask", "--json", "-"], &input));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "one line per input line:\n{out}");
    assert!(out.ends_with('\n'));
    let responses: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("invalid JSON {l:?}: {e}")))
        .collect();
    for response in &responses {
        assert_response_shape(response);
    }
    let answered: Vec<Option<&str>> = responses
        .iter()
        .map(|r| r["answer"]["passage"]["id"].as_str())
        .collect();
    assert_eq!(
        answered,
        [
            Some("summit-article:2.4"),
            None,
            None,
            None,
            Some("summit-article:2.4")
        ]
    );
    assert_eq!(
        lines[1],
        r#"{"question":"","answer":null,"alternatives":[]}"#
    );
    assert_eq!(
        lines[2],
        r#"{"question":"???","answer":null,"alternatives":[]}"#
    );
    assert_eq!(
        lines[3],
        r#"{"question":"��� bytes","answer":null,"alternatives":[]}"#
    );
    assert_eq!(responses[4]["question"], "hotline:hotline AND (");
}

#[test]
fn ask_json_stdin_answers_a_line_over_64_kib_with_an_error_and_goes_on() {
    let setup = Setup::new();
    let mut input = b"???\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 300 * 1024));
    input.extend_from_slice(b"\n???\n");
    // Exactly at the cap: still a question.
    input.extend(std::iter::repeat_n(b'y', 64 * 1024));
    input.push(b'\n');
    // Over the cap by one byte, at the end of input without a newline.
    input.extend(std::iter::repeat_n(b'z', 64 * 1024 + 1));
    let output = setup.run(&["ask", "--json", "-"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "one line per input line");
    let too_long = r#"{"question":"","answer":null,"alternatives":[],"error":"line too long: over 65536 bytes, skipped"}"#;
    let unanswered = r#"{"question":"???","answer":null,"alternatives":[]}"#;
    assert_eq!(lines[0], unanswered);
    assert_eq!(lines[1], too_long);
    assert_eq!(lines[2], unanswered);
    let at_cap: Value = serde_json::from_str(lines[3]).expect("JSON");
    assert_response_shape(&at_cap);
    assert!(at_cap.get("error").is_none(), "{}", &lines[3][..200]);
    assert_eq!(lines[4], too_long);
}

#[test]
fn console_says_a_line_over_64_kib_is_too_long_and_goes_on() {
    let setup = Setup::new();
    let mut input = vec![b'x'; 1 << 20];
    input.extend_from_slice(b"\n/point x\n");
    let output = setup.run(&["chat"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "That line is too long (over 64 KiB), so I skipped it. Ask in fewer words.\n\
         Usage: /point N [article] (a number)\n\n"
    );
}

#[test]
fn ask_json_stdin_without_final_newline_and_crlf() {
    let setup = Setup::new();
    let out = success(&setup.run(&["ask", "--json", "-"], b"???\r\nhello"));
    assert_eq!(
        out,
        "{\"question\":\"???\",\"answer\":null,\"alternatives\":[]}\n\
         {\"question\":\"hello\",\"answer\":null,\"alternatives\":[]}\n"
    );
}

#[test]
fn console_chat_answers_commands_and_questions_then_exits_at_end_of_input() {
    let setup = Setup::new();
    let out = success(&setup.run(&[], b"/point 2\n/help\nIs there a hotline?\n"));
    let expected = format!(
        "{TITLE} (paragraph 2, point 2)\n\n{POINT_2}\n\n[1] {FOOTNOTE_1}\n\n\
         Ask a question in plain words, or:\n  /point N     show agreement point N\n  /points      list the agreement points\n  /footnote N  show footnote N\n  /about       what the bot knows\n  /new         start a new conversation\n  /help        this help\nA follow-up (\"who chairs it?\", \"and the Chinese side?\") is read with the previous question and answer; /new starts over and the next question is read on its own.\nAfter /points, /point N or /footnote N, an article id or part of its title picks the article.\nCtrl-D quits.\n\n\
         {}\nmatch 100% of the question · 0 other matches\n\n",
        point_4_text()
    );
    assert_eq!(out, expected);
}

#[test]
fn the_console_chat_reads_a_follow_up_with_the_previous_question_until_new() {
    let setup = Setup::new();
    let out = success(&setup.run(
        &[],
        b"Did they set up a working group?\nhow often does it meet?\n/new\nhow often does it meet?\n",
    ));
    assert!(
        out.contains("[2] Dialogues will be held twice per year"),
        "the follow-up is answered from the working group's footnote:\n{out}"
    );
    assert!(
        out.contains("following up on: Did they set up a working group?\n"),
        "{out}"
    );
    assert!(
        out.contains("Starting over: the next question is read on its own.\n"),
        "{out}"
    );
    assert!(
        out.ends_with(
            "Starting over: the next question is read on its own.\n\n\
             No good answer in the article for that. Try /points, or ask for example \
             \"Is there a hotline?\" or \"What tools will the US use against cybercriminals?\"\n\n"
        ),
        "after /new the same words alone find nothing:\n{out}"
    );
}

#[test]
fn ask_json_stdin_keeps_conversations_apart_and_plain_lines_independent() {
    let setup = Setup::new();
    let input = b"{\"q\": \"Did they set up a working group?\", \"conversation\": \"a\"}\n\
        {\"q\": \"Is there a hotline?\", \"conversation\": \"b\"}\n\
        {\"q\": \"how often does it meet?\", \"conversation\": \"a\"}\n\
        how often does it meet?\n\
        {\"q\": \"how often does it meet?\"}\n\
        {\"q\": \"how often does it meet?\", \"conversation\": \"c\"}\n";
    let out = success(&setup.run(&["ask", "--json", "-"], input));
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("invalid JSON {l:?}: {e}")))
        .collect();
    assert_eq!(lines.len(), 6, "{out}");
    for line in &lines {
        // One key more when context was used, the rest as always.
        let mut line = line.clone();
        line.as_object_mut().map(|o| o.remove("context_used"));
        assert_response_shape(&line);
    }
    let followed = &lines[2];
    assert_eq!(followed["question"], "how often does it meet?");
    assert_eq!(followed["context_used"], Value::Bool(true), "{followed}");
    assert!(followed["answer"]["footnotes"]
        .as_array()
        .is_some_and(|f| f.iter().any(|f| f["number"] == 2)));
    // Without a conversation, or in a new one, the same words stand alone: no answer, and
    // exactly today's shape.
    for alone in out.lines().skip(3) {
        assert_eq!(
            alone,
            r#"{"question":"how often does it meet?","answer":null,"alternatives":[]}"#
        );
    }
    for line in &lines[..2] {
        assert!(line.get("context_used").is_none(), "{line}");
    }
}

#[test]
fn a_short_question_its_own_words_answer_does_not_drift_to_the_previous_answer() {
    let setup = Setup::new();
    // The same person asks about the date, then about the hotline: short as it is, the second
    // question is about the hotline, and gets exactly the answer it gets on its own.
    let input = b"{\"q\": \"What did Obama and Xi agree to on September 25, 2015?\", \"conversation\": \"a\"}\n\
        {\"q\": \"Is there a hotline?\", \"conversation\": \"a\"}\n\
        Is there a hotline?\n";
    let out = success(&setup.run(&["ask", "--json", "-"], input));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[1], lines[2], "in a conversation and alone");
    let alone: Value = serde_json::from_str(lines[2]).expect("JSON");
    assert_eq!(
        alone["answer"]["passage"]["id"], "summit-article:2.4",
        "{alone}"
    );
}

#[test]
fn eval_scores_every_turn_of_a_dialog() {
    let setup = Setup::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dialog.jsonl");
    std::fs::write(
        &file,
        "{\"dialog\": [{\"q\": \"Did they set up a working group?\", \"any\": [\"working group\"]}, \
         {\"q\": \"how often does it meet?\", \"any\": [\"working group\"], \"footnotes\": [2]}, \
         {\"q\": \"what's the weather in Beijing?\", \"none\": true}, \
         {\"q\": \"who chairs the meetings?\", \"none\": true}]}\n\
         {\"q\": \"how often does it meet?\", \"none\": true}\n",
    )
    .unwrap();
    let out = success(&setup.run(&["eval", file.to_str().unwrap()], b""));
    assert_eq!(
        out,
        "FAIL \"who chairs the meetings? (dialog 1, turn 4)\": expected no answer, got summit-article:2.4\n\
         4 passed, 1 failed\n"
    );
}

#[test]
fn the_console_chat_is_recorded_and_reported_while_ask_and_eval_never_write() {
    let setup = Setup::new();
    let data = setup.dir.path().join("data");
    success(&setup.run(&["ask", "Is there a hotline?"], b""));
    success(&setup.run(&["ask", "--json", "-"], b"Is there a hotline?\n"));
    success(&setup.run(&["eval", "tests/fixtures/questions.jsonl"], b""));
    assert!(
        !data.exists(),
        "ask and eval must not write the question log"
    );

    success(&setup.run(
        &[],
        b"Is there a hotline?\n/points\nWhat is the best pizza topping?\nwhat is the BEST pizza topping\n",
    ));
    let report: serde_json::Value =
        serde_json::from_str(&success(&setup.run(&["report", "--json"], b""))).unwrap();
    assert_eq!(report["questions"], 3, "{report}");
    assert_eq!(report["answered"], 1, "{report}");
    assert_eq!(report["no_answer"], 2, "{report}");
    assert_eq!(
        report["top_unanswered"],
        serde_json::json!([{"question": "What is the best pizza topping?", "count": 2}])
    );
    let hours = report["by_hour_utc"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    assert_eq!(hours.iter().filter_map(|h| h.as_u64()).sum::<u64>(), 3);

    let file = setup.dir.path().join("gaps.jsonl");
    let out = success(&setup.run(&["report", "--export-eval", file.to_str().unwrap()], b""));
    assert!(out.starts_with("wrote 0 helpful and 1 unanswered"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"q\":\"What is the best pizza topping?\",\"none\":true,\"review\":true}\n"
    );
    // The exported file is a valid eval file.
    success(&setup.run(&["eval", file.to_str().unwrap()], b""));
}

#[test]
fn eval_prints_a_summary_last_line() {
    let setup = Setup::new();
    let out = success(&setup.run(&["eval", "tests/fixtures/questions.jsonl"], b""));
    let last = out.lines().last().expect("some output");
    let numbers: Vec<usize> = match last.split(' ').collect::<Vec<_>>().as_slice() {
        [passed, "passed,", failed, "failed"] => {
            vec![passed.parse().unwrap(), failed.parse().unwrap()]
        }
        _ => panic!("last line is not `N passed, N failed`: {last:?}\n{out}"),
    };
    assert_eq!(numbers[0] + numbers[1], 40, "{out}");
    assert!(numbers[0] >= 38, "{out}");
    assert_eq!(
        out.lines().count(),
        1 + numbers[1],
        "one FAIL line per failure:\n{out}"
    );
}

#[test]
fn second_run_reuses_the_index_and_answers_the_same() {
    let setup = Setup::new();
    let first = success(&setup.run(&["index"], b""));
    assert!(
        first.starts_with("index built (no index yet): 10 passages and points in "),
        "{first}"
    );
    let second = success(&setup.run(&["index"], b""));
    assert!(
        second.starts_with("index is up to date: 10 passages and points in "),
        "{second}"
    );
    assert_eq!(success(&setup.run(&["point", "4"], b"")), point_4_text());
}

#[test]
fn concurrent_first_runs_share_one_index_folder() {
    // Shards or a CLI run beside the bot may build the same index at the same moment.
    let setup = Setup::new();
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| setup.run(&["point", "4"], b"")))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for output in &outputs {
        assert_eq!(success(output), point_4_text());
    }
    let again = success(&setup.run(&["index"], b""));
    assert!(again.starts_with("index is up to date"), "{again}");
}

/// A driver that sends one line and waits gets its answer before sending the next, even
/// though piped input is answered in batched writes.
#[test]
fn ask_json_stdin_answers_each_line_while_the_driver_waits() {
    use std::io::{BufRead, BufReader};
    let setup = Setup::new();
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&setup.config)
        .args(["ask", "--json", "-"])
        .current_dir(ROOT)
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_TOKEN_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn summit-bot");
    let mut input = child.stdin.take().expect("stdin");
    let output = child.stdout.take().expect("stdout");
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines() {
            if lines_tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    for (question, id) in [
        ("Is there a hotline?", Some("summit-article:2.4")),
        ("hello", None),
    ] {
        input
            .write_all(format!("{question}\n").as_bytes())
            .expect("write");
        input.flush().expect("flush");
        // The pipe stays open: the answer must come without end of input.
        let line = lines_rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("an answer while stdin is still open");
        let value: Value = serde_json::from_str(&line).expect("one JSON object");
        assert_eq!(value["question"], question);
        assert_eq!(value["answer"]["passage"]["id"].as_str(), id);
    }
    drop(input);
    assert!(child.wait().expect("exit").success());
}
