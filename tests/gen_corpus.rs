//! `gen-corpus --articles N --paragraphs P` (the many-articles benchmark corpus): N article
//! files, the real one included, each of P paragraphs give or take a quarter, all loadable,
//! and the same bytes for the same arguments.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_gen-corpus");

fn generate(dir: &std::path::Path) {
    let output = Command::new(BIN)
        .args(["--articles", "12", "--paragraphs", "8", "--out"])
        .arg(dir)
        .output()
        .expect("runs gen-corpus");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn writes_n_articles_of_about_p_paragraphs_deterministically() {
    let first = tempfile::tempdir().unwrap();
    generate(first.path());
    let corpus = summit_bot::ingest::load_dir(first.path()).expect("every article loads");
    assert_eq!(corpus.articles.len(), 12);
    assert_eq!(corpus.articles[0].slug, "summit-article");
    for article in &corpus.articles[1..] {
        assert!(
            (6..=10).contains(&article.passages.len()),
            "{}: {} paragraphs",
            article.slug,
            article.passages.len()
        );
    }
    let second = tempfile::tempdir().unwrap();
    generate(second.path());
    for article in &corpus.articles {
        let name = format!("{}.txt", article.slug);
        assert_eq!(
            std::fs::read(first.path().join(&name)).unwrap(),
            std::fs::read(second.path().join(&name)).unwrap(),
            "{name}"
        );
    }
}
