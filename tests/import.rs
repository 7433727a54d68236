//! `summit-bot import FILE.html|URL`, through the real binary: the shipped article wrapped in
//! two kinds of blog chrome (a Drupal-style page with Word `_ftn` footnotes; a WordPress-style
//! page with `<sup>` references and a notes list) imports as the shipped article (same
//! paragraphs, footnotes, points, and the same answer passage for every eval question); URLs
//! are read from a real HTTP server on 127.0.0.1 with the content-type, size and time bounds;
//! an existing file is replaced only with `--force`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use summit_bot::engine::{Engine, EngineOptions};
use summit_bot::ingest::{load_file, Article};

const BIN: &str = env!("CARGO_BIN_EXE_summit-bot");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const QUESTIONS: &str = include_str!("fixtures/questions.jsonl");
const PIIE: &str = "https://www.piie.com/blogs/china-economic-watch/what-obama-did-and-did-not-accomplish-cyber-espionage-talks-xi";
const SLUG: &str = "what-obama-did-and-did-not-accomplish-in-cyber-espionage-talks-with-xi";

fn fixture(name: &str) -> PathBuf {
    Path::new(ROOT).join("tests/fixtures").join(name)
}

fn import(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("import")
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("runs summit-bot")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shipped() -> Article {
    load_file(&Path::new(ROOT).join("index/articles/summit-article.txt")).unwrap()
}

/// What `import` prints for the shipped article, from the shipped article's own points.
fn expected_summary(source: &str, written: &Path) -> String {
    let article = shipped();
    let mut out = format!(
        "title: {}\nsource: {source}\npublished: 2015-09-28\nparagraphs: 6\nfootnotes: 4 (1, 2, 3, 4)\npoints: 4\n",
        article.title
    );
    for point in &article.points {
        out.push_str(&format!(
            "  {}. (paragraph {}) {}\n",
            point.number,
            point.paragraph,
            point.short_title(70)
        ));
    }
    out.push_str(&format!("wrote {}\n", written.display()));
    out
}

/// The imported article reads as the shipped one: title, every paragraph (whitespace
/// aside: HTML collapses the text's double spaces), footnotes and points.
fn assert_same_article(imported: &Article, source: &str) {
    let shipped = shipped();
    assert_eq!(imported.title, shipped.title);
    assert_eq!(imported.source_url.as_deref(), Some(source));
    assert_eq!(imported.published.as_deref(), Some("2015-09-28"));
    let paragraphs = |a: &Article| -> Vec<(u32, String, Vec<u32>)> {
        a.passages
            .iter()
            .map(|p| (p.paragraph, collapse(&p.text), p.footnotes.clone()))
            .collect()
    };
    assert_eq!(paragraphs(imported), paragraphs(&shipped));
    assert_eq!(imported.footnotes, shipped.footnotes);
    let points = |a: &Article| -> Vec<(u32, u32, String, Vec<u32>)> {
        a.points
            .iter()
            .map(|p| {
                (
                    p.number,
                    p.paragraph,
                    collapse(&p.text),
                    p.footnotes.clone(),
                )
            })
            .collect()
    };
    assert_eq!(points(imported), points(&shipped));
}

#[test]
fn a_drupal_page_with_word_footnotes_imports_as_the_shipped_article() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture("summit-blog-word.html");
    let output = import(&[
        page.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let written = dir.path().join(format!("{SLUG}.md"));
    assert_eq!(text(&output.stderr), "");
    assert_eq!(text(&output.stdout), expected_summary(PIIE, &written));
    assert_eq!(output.status.code(), Some(0));
    assert_same_article(&load_file(&written).unwrap(), PIIE);
}

#[test]
fn a_wordpress_page_with_sup_footnotes_imports_as_the_shipped_article() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture("summit-blog-sup.html");
    let output = import(&[
        page.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let written = dir.path().join(format!("{SLUG}.md"));
    let source = "https://blog.example.org/2015/09/28/obama-xi-cyber-talks/";
    assert_eq!(text(&output.stderr), "");
    assert_eq!(text(&output.stdout), expected_summary(source, &written));
    assert_eq!(output.status.code(), Some(0));
    let article = load_file(&written).unwrap();
    assert_same_article(&article, source);
    // Chrome with article-like text (teasers, comment notes, widgets) never became a paragraph.
    for chrome in [
        "commentators asked",
        "Leave a Reply",
        "monthly digest",
        "Click to share",
    ] {
        let markdown = std::fs::read_to_string(&written).unwrap();
        assert!(!markdown.contains(chrome), "{chrome} in:\n{markdown}");
    }
}

/// Every eval question gets the same answer passage (id, text, footnotes) from the imported
/// page as from the shipped text file, and the eval passes as well.
#[test]
fn imported_pages_answer_the_eval_questions_with_the_same_passages() {
    let shipped_engine = Engine::open(&EngineOptions {
        articles_dir: Some(Path::new(ROOT).join("index/articles")),
        ..EngineOptions::default()
    })
    .unwrap();
    let cases = summit_bot::eval::parse_cases(QUESTIONS).unwrap();
    let shipped_report = summit_bot::eval::run(&shipped_engine, &cases).unwrap();
    for page in ["summit-blog-word.html", "summit-blog-sup.html"] {
        let dir = tempfile::tempdir().unwrap();
        // Imported under the shipped article's id, so passage ids compare directly.
        let target = dir.path().join("summit-article.md");
        let output = import(&[
            fixture(page).to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let engine = Engine::open(&EngineOptions {
            articles_dir: Some(dir.path().to_path_buf()),
            ..EngineOptions::default()
        })
        .unwrap();
        let mut compared = 0;
        for case in &cases {
            let want = shipped_engine.ask(&case.q).unwrap();
            let got = engine.ask(&case.q).unwrap();
            let answer = |r: &summit_bot::Response| {
                r.answer.as_ref().map(|hit| {
                    (
                        hit.passage.id.clone(),
                        collapse(&hit.passage.text),
                        hit.footnotes.to_vec(),
                    )
                })
            };
            assert_eq!(answer(&got), answer(&want), "{page}: {:?}", case.q);
            compared += 1;
        }
        assert_eq!(compared, 40);
        let report = summit_bot::eval::run(&engine, &cases).unwrap();
        assert_eq!(report.passed, shipped_report.passed, "{page}");
        assert!(report.passed >= 38, "{page}: {}", report.render());
    }
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture("summit-blog-word.html");
    let out = dir.path().to_str().unwrap();
    assert_eq!(
        import(&[page.to_str().unwrap(), "--out", out])
            .status
            .code(),
        Some(0)
    );
    let written = dir.path().join(format!("{SLUG}.md"));
    let imported = std::fs::read_to_string(&written).unwrap();
    std::fs::write(&written, "edited by hand\n").unwrap();

    let refused = import(&[page.to_str().unwrap(), "--out", out]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(text(&refused.stdout), "");
    assert_eq!(
        text(&refused.stderr),
        format!(
            "summit-bot: {} exists; pass --force to replace it\n",
            written.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&written).unwrap(),
        "edited by hand\n"
    );

    let forced = import(&[page.to_str().unwrap(), "--out", out, "--force"]);
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), imported);
    // Only the article is left in the folder (no temporary file).
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![format!("{SLUG}.md")]);
}

#[test]
fn a_page_without_article_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("menu.html");
    std::fs::write(
        &page,
        "<html><head><title>Home</title></head><body><nav><ul><li><a href=/>Home</a></li></ul></nav>\
         <footer><p>Copyright 2015, all rights reserved, by the site owners.</p></footer></body></html>",
    )
    .unwrap();
    let output = import(&[
        page.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        format!(
            "summit-bot: {}: no article text found (no paragraphs outside the site's navigation)\n",
            page.display()
        )
    );
}

/// A real HTTP/1.1 server on 127.0.0.1 (port 0: the OS picks a free port, never reused):
/// each connection gets its own thread; routes as in `respond`.
struct Server {
    base: String,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || respond(stream));
            }
        });
        Server { base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn respond(mut stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let page = std::fs::read(fixture("summit-blog-word.html")).unwrap();
    let plain = b"<html><head><title>A plain page | Site</title></head><body><div><p>One paragraph of an article, with enough words to be text.</p></div></body></html>".to_vec();
    let (status, content_type, body, chunked) = match path.as_str() {
        "/post" => ("200 OK", "text/html; charset=utf-8", page, false),
        "/plain" => ("200 OK", "text/html", plain, false),
        "/redirect" => {
            let _ = stream.write_all(
                b"HTTP/1.1 301 Moved Permanently\r\nLocation: /plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        }
        "/pdf" => ("200 OK", "application/pdf", b"%PDF-1.4".to_vec(), false),
        "/big" => ("200 OK", "text/html", page, false),
        "/big-chunked" => ("200 OK", "text/html", page, true),
        "/slow" => {
            // Never answers: the client's timeout must end the wait. The connection stays
            // open until the client gives up (a read that returns when it closes).
            let mut rest = Vec::new();
            let _ = std::io::Read::read_to_end(&mut reader, &mut rest);
            return;
        }
        _ => ("404 Not Found", "text/html", b"<p>no</p>".to_vec(), false),
    };
    let mut response =
        format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nConnection: close\r\n")
            .into_bytes();
    if chunked {
        response.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        for piece in body.chunks(1000) {
            response.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            response.extend_from_slice(piece);
            response.extend_from_slice(b"\r\n");
        }
        response.extend_from_slice(b"0\r\n\r\n");
    } else {
        response.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        response.extend_from_slice(&body);
    }
    let _ = stream.write_all(&response);
}

/// A config file with small bounds for the URL tests.
fn small_limits(dir: &Path) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, "[import]\ntimeout_secs = 2\nmax_bytes = 4096\n").unwrap();
    path
}

#[test]
fn a_url_is_imported_from_a_local_http_server() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("articles");
    let output = import(&[&server.url("/post"), "--out", out.to_str().unwrap()]);
    let written = out.join(format!("{SLUG}.md"));
    assert_eq!(text(&output.stderr), "");
    assert_eq!(text(&output.stdout), expected_summary(PIIE, &written));
    assert_same_article(&load_file(&written).unwrap(), PIIE);

    // A page naming no canonical address records where it was fetched (after redirects).
    let output = import(&[&server.url("/redirect"), "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let markdown = std::fs::read_to_string(out.join("a-plain-page.md")).unwrap();
    assert_eq!(
        markdown,
        format!(
            "---\ntitle: A plain page\nsource: {}\n---\n# A plain page\n\nOne paragraph of an article, with enough words to be text.\n",
            server.url("/plain")
        )
    );
}

#[test]
fn urls_that_are_not_pages_too_large_slow_or_missing_are_refused() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let config = small_limits(dir.path());
    let out = dir.path().join("articles");
    let refused = |path: &str| {
        let url = server.url(path);
        let output = import(&[
            "--config",
            config.to_str().unwrap(),
            &url,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        assert_eq!(text(&output.stdout), "", "{path}");
        (url, text(&output.stderr))
    };
    let (url, stderr) = refused("/pdf");
    assert_eq!(
        stderr,
        format!("summit-bot: {url} is not a web page (Content-Type: application/pdf); expected text/html\n")
    );
    for path in ["/big", "/big-chunked"] {
        let (url, stderr) = refused(path);
        assert_eq!(
            stderr,
            format!("summit-bot: {url} is larger than 4096 bytes; not read\n")
        );
    }
    let (url, stderr) = refused("/missing");
    assert_eq!(
        stderr,
        format!("summit-bot: cannot fetch {url}: HTTP status 404\n")
    );
    let (url, stderr) = refused("/slow");
    assert!(
        stderr.starts_with(&format!("summit-bot: cannot fetch {url}: "))
            && stderr.contains("timed out"),
        "{stderr}"
    );
    // Nothing was written.
    assert!(!out.exists());
}
