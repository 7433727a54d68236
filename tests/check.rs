//! `summit-bot index --check [DIR]`, the article linter, through the real binary: every
//! problem printed with file and line, exit 1 when there are errors, 0 with only warnings.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_summit-bot");

fn check(dir: &Path) -> Output {
    Command::new(BIN)
        .args(["index", "--check"])
        .arg(dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("runs summit-bot")
}

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn a_clean_folder_passes_quietly() {
    let dir = folder(&[(
        "a.md",
        "---\ntitle: A\n---\n\nFirst, one.[^1] Second, two.\n\n[^1]: A note.\n",
    )]);
    let output = check(dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "1 article file checked: 0 errors, 0 warnings\n"
    );
}

#[test]
fn warnings_print_and_exit_0() {
    let dir = folder(&[
        (
            "a.txt",
            "Title\n\nFirst, one. Second, two.[1]\n\nThird, a stray item.\n\n[1] Cited.\n\n[2] Never cited.\n\nRelated Topics\n",
        ),
        ("orphan.toml", "source = \"https://example.org\"\n"),
    ]);
    let output = check(dir.path());
    assert_eq!(output.status.code(), Some(0));
    let path = |name: &str| dir.path().join(name).display().to_string();
    assert_eq!(
        stdout(&output),
        format!(
            "{a}:5: warning: enumeration could not be numbered: \"Third…\" has no matching \"First, …\" item before it, or the list has one item\n\
             {a}:9: warning: footnote [2] is never cited\n\
             {a}:11: warning: navigation boilerplate left in: \"Related Topics\" (remove it)\n\
             {o}: warning: metadata file without an article of the same name (.txt or .md)\n\
             1 article file checked: 0 errors, 4 warnings\n",
            a = path("a.txt"),
            o = path("orphan.toml"),
        )
    );
}

#[test]
fn errors_exit_1_and_every_one_is_listed() {
    let dir = folder(&[
        (
            "a.txt",
            "Title\n\nCites [1] and [4].\n\n[1] One.\n\n[1] Two.\n",
        ),
        ("b.txt", "Title\n\n.[1]\n\n[1] Note.\n"),
        (
            "b.toml",
            "source = \"https://example.org\"\ndate = \"2015\"\n",
        ),
        ("c.md", "---\ntitle: never closed\n\nBody.\n"),
    ]);
    let output = check(dir.path());
    assert_eq!(output.status.code(), Some(1));
    let path = |name: &str| dir.path().join(name).display().to_string();
    assert_eq!(
        stdout(&output),
        format!(
            "{a}:3: error: marker [4] has no footnote definition\n\
             {a}:7: error: footnote [1] is defined twice (first on line 5)\n\
             {bt}:2: error: unknown field `date`, expected one of `source`, `published`, `title`\n\
             {b}:3: warning: empty paragraph (no words, only markers or punctuation)\n\
             {c}:1: error: front matter is not closed with ---\n\
             3 article files checked: 4 errors, 1 warning\n",
            a = path("a.txt"),
            b = path("b.txt"),
            bt = path("b.toml"),
            c = path("c.md"),
        )
    );
}

#[test]
fn the_shipped_articles_have_no_errors() {
    let output = check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("index/articles"));
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}
