//! The persisted index: built once, reused while the articles are unchanged, and rebuilt —
//! never trusted — when the articles change or the files on disk are missing, damaged or
//! half-written. Broken articles stop the engine with an error naming the file and line.

use std::path::{Path, PathBuf};

use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::indexing::Readiness;

const ARTICLE: &str = include_str!("../index/articles/summit-article.txt");
const ARTICLE_NAME: &str = "summit-article.txt";

/// Articles and index in one temporary folder.
struct Corpus {
    dir: tempfile::TempDir,
}

impl Corpus {
    fn new() -> Corpus {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("articles")).unwrap();
        std::fs::write(dir.path().join("articles").join(ARTICLE_NAME), ARTICLE).unwrap();
        Corpus { dir }
    }

    fn articles(&self) -> PathBuf {
        self.dir.path().join("articles")
    }

    fn index(&self) -> PathBuf {
        self.dir.path().join("idx")
    }

    fn options(&self) -> EngineOptions {
        EngineOptions {
            articles_dir: Some(self.articles()),
            index_dir: Some(self.index()),
            ..EngineOptions::default()
        }
    }

    fn open(&self) -> Engine {
        match Engine::open(&self.options()) {
            Ok(engine) => engine,
            Err(err) => panic!("engine does not open: {err}"),
        }
    }

    fn open_err(&self) -> String {
        match Engine::open(&self.options()) {
            Ok(_) => panic!("engine opened over broken articles"),
            Err(err) => err.to_string(),
        }
    }
}

fn built(engine: &Engine) -> String {
    match engine.readiness() {
        Readiness::Built(reason) => reason.clone(),
        other => panic!("expected a build, got {other:?}"),
    }
}

fn assert_reused(engine: &Engine) {
    assert_eq!(engine.readiness(), &Readiness::Reused);
}

/// The engine answers as it should over the shipped article.
fn assert_answers(engine: &Engine) {
    let response = engine.ask("Is there a hotline?").expect("ask");
    let answer = response.answer.expect("an answer");
    assert_eq!(answer.passage.id, "summit-article:2.4");
    let footnotes: Vec<u32> = answer.footnotes.iter().map(|f| f.number).collect();
    assert_eq!(footnotes, [1, 2]);
    let response = engine.ask("What is Executive Order 13694?").expect("ask");
    assert!(response
        .answer
        .expect("an answer")
        .passage
        .text
        .contains("Executive Order 13694"));
    assert!(engine
        .ask("Who won the 2018 FIFA World Cup?")
        .unwrap()
        .answer
        .is_none());
    let point = engine
        .point(engine.article(None).unwrap(), 4)
        .expect("point look-up")
        .expect("point 4");
    assert!(point.passage.text.starts_with("Last, the two leaders"));
    assert_eq!(
        engine.article(None).unwrap().footnote(3).map(|f| f.number),
        Some(3)
    );
}

/// Files of the index folder whose names end with one of `suffixes`.
fn files_ending(dir: &Path, suffixes: &[&str]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            suffixes.iter().any(|s| name.ends_with(s))
        })
        .collect();
    found.sort();
    found
}

fn staging(index: &Path) -> PathBuf {
    summit_bot::indexing::staging_dir(index)
}

#[test]
fn first_open_builds_second_reuses() {
    let corpus = Corpus::new();
    let first = corpus.open();
    assert_eq!(built(&first), "no index yet");
    assert_answers(&first);
    drop(first);
    assert!(corpus.index().join("meta.json").is_file());
    assert!(
        !staging(&corpus.index()).exists(),
        "staging folder swapped away"
    );
    let second = corpus.open();
    assert_reused(&second);
    assert_answers(&second);
}

#[test]
fn reuse_while_another_engine_is_open() {
    let corpus = Corpus::new();
    let first = corpus.open();
    let second = corpus.open();
    assert_reused(&second);
    assert_answers(&first);
    assert_answers(&second);
}

#[test]
fn changed_article_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    let changed = ARTICLE.replace("a hotline to address", "a red telephone to address");
    assert_ne!(changed, ARTICLE);
    std::fs::write(corpus.articles().join(ARTICLE_NAME), &changed).unwrap();
    let engine = corpus.open();
    assert_eq!(built(&engine), "articles changed");
    let point = engine
        .point(engine.article(None).unwrap(), 4)
        .unwrap()
        .unwrap();
    assert!(
        point.passage.text.contains("a red telephone"),
        "{}",
        point.passage.text
    );
    let answer = engine
        .ask("Is there a red telephone?")
        .unwrap()
        .answer
        .unwrap();
    assert_eq!(answer.passage.id, "summit-article:2.4");
    drop(engine);
    assert_reused(&corpus.open());
}

#[test]
fn added_article_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    std::fs::write(
        corpus.articles().join("zz-extra.md"),
        "# Extra\n\nPandas eat bamboo in Sichuan.\n",
    )
    .unwrap();
    let engine = corpus.open();
    assert_eq!(built(&engine), "articles changed");
    let answer = engine.ask("What do pandas eat?").unwrap().answer.unwrap();
    assert_eq!(answer.passage.id, "zz-extra:1");
    assert_answers(&engine);
}

#[test]
fn force_rebuild_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    let mut options = corpus.options();
    options.force_rebuild = true;
    let engine = Engine::open(&options).unwrap_or_else(|e| panic!("opens: {e}"));
    assert_eq!(built(&engine), "forced rebuild");
    assert_answers(&engine);
}

#[test]
fn deleted_index_dir_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    std::fs::remove_dir_all(corpus.index()).unwrap();
    let engine = corpus.open();
    assert_eq!(built(&engine), "no index yet");
    assert_answers(&engine);
}

#[test]
fn emptied_index_dir_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    for entry in std::fs::read_dir(corpus.index()).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let engine = corpus.open();
    assert_eq!(built(&engine), "no index yet");
    assert_answers(&engine);
}

#[test]
fn garbage_meta_json_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    std::fs::write(corpus.index().join("meta.json"), "{ this is not json").unwrap();
    let engine = corpus.open();
    let reason = built(&engine);
    assert!(reason.starts_with("index unusable"), "{reason}");
    assert_answers(&engine);
    drop(engine);
    assert_reused(&corpus.open());
}

#[test]
fn deleted_meta_json_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    std::fs::remove_file(corpus.index().join("meta.json")).unwrap();
    let engine = corpus.open();
    assert!(built(&engine).starts_with("index unusable"));
    assert_answers(&engine);
}

#[test]
fn garbage_manifest_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    std::fs::write(
        corpus.index().join("summit-manifest.json"),
        "\u{0}\u{1}garbage",
    )
    .unwrap();
    let engine = corpus.open();
    assert_eq!(built(&engine), "no index yet");
    assert_answers(&engine);
}

#[test]
fn manifest_with_wrong_document_count_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    let path = corpus.index().join("summit-manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest["documents"] = serde_json::json!(3);
    std::fs::write(&path, manifest.to_string()).unwrap();
    let engine = corpus.open();
    assert!(built(&engine).starts_with("index unusable"));
    assert_answers(&engine);
}

#[test]
fn index_of_an_older_record_format_rebuilds() {
    // Schema 5 stored bincode records, 6 postcard ones with their terms, 7 added the order
    // field, 8 stores records without terms (read back through summit-words.bin), 9 reads
    // irregular past forms as their verbs. An index written by an older binary must be
    // rebuilt, never decoded with the new format or searched with another analyzer.
    let corpus = Corpus::new();
    drop(corpus.open());
    let path = corpus.index().join("summit-manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(manifest["schema_version"], serde_json::json!(9));
    manifest["schema_version"] = serde_json::json!(8);
    std::fs::write(&path, manifest.to_string()).unwrap();
    let engine = corpus.open();
    assert_eq!(built(&engine), "index was built by another version");
    assert_answers(&engine);
    drop(engine);
    assert_reused(&corpus.open());
}

#[test]
fn a_missing_or_damaged_word_table_rebuilds() {
    // The records' terms are read back through summit-words.bin: without it, or with a
    // flipped byte, the index must be rebuilt rather than read with wrong or missing terms.
    type Damage = fn(&std::path::Path);
    let damage: [(&str, Damage); 3] = [
        ("missing", |path| std::fs::remove_file(path).unwrap()),
        ("flipped", |path| {
            let mut bytes = std::fs::read(path).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x01;
            std::fs::write(path, bytes).unwrap();
        }),
        ("truncated", |path| {
            let bytes = std::fs::read(path).unwrap();
            std::fs::write(path, &bytes[..bytes.len() - 3]).unwrap();
        }),
    ];
    for (what, damage) in damage {
        let corpus = Corpus::new();
        drop(corpus.open());
        damage(&corpus.index().join("summit-words.bin"));
        let engine = corpus.open();
        let reason = built(&engine);
        assert!(reason.starts_with("index unusable"), "{what}: {reason}");
        assert_answers(&engine);
        drop(engine);
        assert_reused(&corpus.open());
    }
}

#[test]
fn truncated_segment_files_rebuild_and_answers_stay_correct() {
    for suffix in [".idx", ".store", ".term"] {
        let corpus = Corpus::new();
        drop(corpus.open());
        let files = files_ending(&corpus.index(), &[suffix]);
        assert!(!files.is_empty(), "no {suffix} file in the index");
        for file in &files {
            let len = std::fs::metadata(file).unwrap().len();
            let handle = std::fs::OpenOptions::new().write(true).open(file).unwrap();
            handle.set_len(len / 2).unwrap();
        }
        let engine = corpus.open();
        let reason = built(&engine);
        assert!(reason.starts_with("index unusable"), "{suffix}: {reason}");
        assert_answers(&engine);
        drop(engine);
        assert_reused(&corpus.open());
    }
}

#[test]
fn corrupted_segment_bytes_rebuild() {
    let corpus = Corpus::new();
    drop(corpus.open());
    for file in files_ending(&corpus.index(), &[".store", ".term", ".idx", ".pos"]) {
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&file, bytes).unwrap();
    }
    let engine = corpus.open();
    assert!(built(&engine).starts_with("index unusable"));
    assert_answers(&engine);
}

#[test]
fn deleted_segment_file_rebuilds() {
    let corpus = Corpus::new();
    drop(corpus.open());
    let files = files_ending(&corpus.index(), &[".store"]);
    std::fs::remove_file(&files[0]).unwrap();
    let engine = corpus.open();
    assert!(built(&engine).starts_with("index unusable"));
    assert_answers(&engine);
}

#[test]
fn leftover_staging_dir_beside_a_healthy_index_is_harmless() {
    let corpus = Corpus::new();
    drop(corpus.open());
    let staging = staging(&corpus.index());
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("meta.json"), "half written").unwrap();
    std::fs::write(staging.join("0123.store"), [0u8; 10]).unwrap();
    let engine = corpus.open();
    assert_reused(&engine);
    assert_answers(&engine);
}

#[test]
fn killed_mid_build_staging_dir_without_index_rebuilds() {
    // A kill -9 after the old index was removed but before the staged one was renamed:
    // only `<dir>.building` exists, possibly half written.
    let corpus = Corpus::new();
    drop(corpus.open());
    let staging = staging(&corpus.index());
    std::fs::rename(corpus.index(), &staging).unwrap();
    let files = files_ending(&staging, &[".store"]);
    std::fs::remove_file(&files[0]).unwrap();
    let engine = corpus.open();
    assert_eq!(built(&engine), "no index yet");
    assert_answers(&engine);
    assert!(!staging.exists(), "staging folder swapped away");
    drop(engine);
    assert_reused(&corpus.open());
}

#[test]
fn killed_mid_build_while_articles_changed_rebuilds() {
    // A kill -9 during a rebuild for changed articles: the old index (old manifest) stays,
    // a half-written staging folder sits beside it.
    let corpus = Corpus::new();
    drop(corpus.open());
    let staging = staging(&corpus.index());
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join(".tantivy-writer.lock"), "").unwrap();
    std::fs::write(staging.join("meta.json"), "{").unwrap();
    let changed = ARTICLE.replace("a hotline to address", "a red telephone to address");
    std::fs::write(corpus.articles().join(ARTICLE_NAME), changed).unwrap();
    let engine = corpus.open();
    assert_eq!(built(&engine), "articles changed");
    assert!(engine
        .point(engine.article(None).unwrap(), 4)
        .unwrap()
        .unwrap()
        .passage
        .text
        .contains("a red telephone"));
    assert!(!staging.exists());
}

fn broken(name: &str, bytes: &[u8]) -> (Corpus, String) {
    let corpus = Corpus::new();
    std::fs::write(corpus.articles().join(name), bytes).unwrap();
    let path = corpus.articles().join(name).display().to_string();
    (corpus, path)
}

#[test]
fn undefined_marker_names_file_and_line() {
    let (corpus, path) = broken(
        "broken.txt",
        b"A title\n\nFine paragraph.\n\nSecond line one\nthen a bad marker.[7]\n",
    );
    assert_eq!(
        corpus.open_err(),
        format!("{path}:6: marker [7] has no footnote definition")
    );
}

#[test]
fn duplicate_footnote_names_file_and_both_lines() {
    let (corpus, path) = broken(
        "broken.md",
        b"# Title\n\nCites.[^1]\n\n[^1]: one\n\n[^1]: again\n",
    );
    assert_eq!(
        corpus.open_err(),
        format!("{path}:7: footnote [1] is defined twice (first on line 5)")
    );
}

#[test]
fn empty_article_names_file() {
    let (corpus, path) = broken("empty.txt", b"");
    assert_eq!(
        corpus.open_err(),
        format!("{path}: empty article (no title and paragraphs)")
    );
}

#[test]
fn non_utf8_article_names_file_and_line() {
    let (corpus, path) = broken("latin1.txt", b"Title\n\nCaf\xe9 paragraph.\n");
    assert_eq!(corpus.open_err(), format!("{path}:3: not valid UTF-8"));
}

#[test]
fn unclosed_front_matter_names_file_and_line() {
    let (corpus, path) = broken("open.md", b"---\ntitle: x\n\nBody.\n");
    assert_eq!(
        corpus.open_err(),
        format!("{path}:1: front matter is not closed with ---")
    );
}

#[test]
fn broken_article_does_not_touch_the_existing_index() {
    let corpus = Corpus::new();
    drop(corpus.open());
    let meta = std::fs::read(corpus.index().join("meta.json")).unwrap();
    std::fs::write(corpus.articles().join("bad.txt"), "T\n\nBad.[9]\n").unwrap();
    assert!(corpus
        .open_err()
        .ends_with("bad.txt:3: marker [9] has no footnote definition"));
    assert_eq!(
        std::fs::read(corpus.index().join("meta.json")).unwrap(),
        meta
    );
    std::fs::remove_file(corpus.articles().join("bad.txt")).unwrap();
    assert_reused(&corpus.open());
}

#[test]
fn articles_dir_without_articles_is_an_error() {
    let corpus = Corpus::new();
    std::fs::remove_file(corpus.articles().join(ARTICLE_NAME)).unwrap();
    std::fs::write(corpus.articles().join("notes.rst"), "not an article").unwrap();
    assert_eq!(
        corpus.open_err(),
        format!(
            "{}: no articles (*.txt or *.md) found",
            corpus.articles().display()
        )
    );
}

#[test]
fn rebuild_while_another_engine_is_open() {
    let corpus = Corpus::new();
    let old = corpus.open();
    let mut options = corpus.options();
    options.force_rebuild = true;
    let new = Engine::open(&options).unwrap_or_else(|e| panic!("rebuilds: {e}"));
    assert_eq!(built(&new), "forced rebuild");
    assert_answers(&old);
    assert_answers(&new);
}

#[test]
fn concurrent_first_opens_all_succeed() {
    // Several processes (shards) sharing one index folder may start at the same moment.
    let corpus = Corpus::new();
    let options = corpus.options();
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| match Engine::open(&options) {
                    Ok(engine) => {
                        assert_answers(&engine);
                        Ok(())
                    }
                    Err(err) => Err(err.to_string()),
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for result in results {
        result.expect("every concurrent open succeeds");
    }
    assert_reused(&corpus.open());
}

#[test]
fn unwritable_index_folder_falls_back_to_memory() {
    let corpus = Corpus::new();
    // A regular file where a folder should be: creating the index under it fails even as root.
    let blocker = corpus.dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let mut options = corpus.options();
    options.index_dir = Some(blocker.join("idx"));
    let engine = Engine::open(&options).expect("answers from memory");
    assert_eq!(engine.readiness(), &Readiness::InMemory);
    assert_answers(&engine);
}

/// The service case: the install folder belongs to root and the bot runs as an unprivileged
/// user, so the index folder cannot be written (not even its lock file). Permissions do not
/// bite root, so the binary runs as `nobody` (`runuser`); skipped, with the reason printed,
/// when the suite does not run as root.
#[test]
fn a_read_only_index_folder_for_a_service_user_falls_back_to_memory() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    let bin = env!("CARGO_BIN_EXE_summit-bot");
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if !root_user {
        eprintln!("SKIPPED a_read_only_index_folder_for_a_service_user_falls_back_to_memory: needs root to run the binary as nobody");
        return;
    }
    let runs_as_nobody = Command::new("runuser")
        .args(["-u", "nobody", "--", bin, "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs_as_nobody {
        eprintln!("SKIPPED a_read_only_index_folder_for_a_service_user_falls_back_to_memory: runuser is missing or nobody cannot run {bin}");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let ask_as_nobody = |index_dir: &Path| {
        let config = root.join(format!(
            "{}.toml",
            index_dir.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(
            &config,
            format!(
                "[corpus]\nindex_dir = {:?}\n",
                index_dir.display().to_string()
            ),
        )
        .unwrap();
        (
            config.clone(),
            Command::new("runuser")
                .args(["-u", "nobody", "--", bin, "--config"])
                .arg(&config)
                .args(["ask", "Is there a hotline?"])
                .current_dir(root)
                .env_remove("RUST_LOG")
                .output()
                .expect("run summit-bot as nobody"),
        )
    };
    // An index built by root at install time, and a folder with no index yet.
    let built = root.join("built");
    let (config, out) = {
        let config = root.join("build.toml");
        std::fs::write(
            &config,
            format!("[corpus]\nindex_dir = {:?}\n", built.display().to_string()),
        )
        .unwrap();
        let out = Command::new(bin)
            .arg("--config")
            .arg(&config)
            .arg("index")
            .current_dir(root)
            .output()
            .unwrap();
        (config, out)
    };
    assert!(out.status.success(), "{config:?}: {out:?}");
    let missing = root.join("missing");
    // Readable by everyone, writable by root only.
    for path in std::iter::once(root.to_path_buf()).chain(
        std::fs::read_dir(&built)
            .unwrap()
            .map(|e| e.unwrap().path())
            .chain([built.clone()]),
    ) {
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    for index_dir in [&built, &missing] {
        let (_, out) = ask_as_nobody(index_dir);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{}: {}\n{stderr}",
            index_dir.display(),
            out.status
        );
        assert!(stdout.to_lowercase().contains("hotline"), "{stdout}");
        assert_eq!(stderr.lines().count(), 1, "one warning line: {stderr}");
        assert!(
            stderr.contains("cannot write the index folder")
                && stderr.contains("in memory")
                && stderr.contains("corpus.index_dir"),
            "{stderr}"
        );
        assert!(!stderr.contains("Lockfile"), "{stderr}");
        eprintln!("READ-ONLY {}: {}", index_dir.display(), stderr.trim());
    }
}
