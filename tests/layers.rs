//! The dependency rule, checked: a module under `src/` may use only modules in layers below its
//! own. Every `crate::` path (in `use` lines and inline alike, `crate::{a, b}` groups included)
//! and every `super::` chain that climbs to the crate root is read from the source with comments
//! and string literals blanked out, and compared with [`LAYERS`].
//!
//! Adding a top-level module? Put it in the layer it belongs to in [`LAYERS`] (and the table in
//! ARCHITECTURE.md); this test fails, naming the module, until you do.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, lowest layer first. A module may use modules of earlier layers
/// only; modules in one layer are peers and must not use each other. Names not (yet) in the
/// crate are allowed here, so modules planned on other branches can be placed in advance.
const LAYERS: &[&[&str]] = &[
    // Plain helpers (text cutting). Know nothing of articles.
    &["text"],
    // The pure core, in the order data flows.
    &["ingest"],
    &["indexing"],
    &["semantic"],
    &["retrieve"],
    &["answer"],
    // Settings (serde, checked once) and the façade over the core built from them.
    &["config"],
    &["engine"],
    // Output formats and scoring; the last layer without I/O of its own.
    &["render", "eval"],
    // Plain data the service parts share: where a question came from.
    &["source"],
    // Service parts beside the front ends: the question log, health/metrics/HTTP, and the
    // web page importer (a front door to `ingest`).
    &["store", "service", "http", "import"],
    // The admin page: joins the service endpoint, reads the store, started by the bot.
    &["web"],
    // Front ends: Discord, then the command line that starts everything (`serve` runs the bot).
    &["bot"],
    &["cli"],
];

/// Files that are not modules of the library: the binaries sit above every layer, and `lib.rs`
/// only declares the modules.
fn is_exempt(relative: &Path) -> bool {
    relative == Path::new("lib.rs")
        || relative == Path::new("main.rs")
        || relative.starts_with("bin")
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Source text with comments, string literals and character literals replaced by spaces
/// (line breaks kept, so line numbers still match).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if !prev_ident && (c == 'r' || (c == 'b' && next == Some('r'))) && {
            // A raw string: r"…", r#"…"#, br"…".
            let mut j = i + if c == 'b' { 2 } else { 1 };
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            chars.get(j) == Some(&'"')
        } {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while chars[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1; // the opening quote
            let closes = |at: usize| {
                chars[at] == '"' && (1..=hashes).all(|k| chars.get(at + k) == Some(&'#'))
            };
            while j < chars.len() && !closes(j) {
                j += 1;
            }
            let end = (j + 1 + hashes).min(chars.len());
            for &skipped in &chars[i..end] {
                out.push(blank(skipped));
            }
            i = end;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('x', '\n', '\''), not a lifetime ('a).
            let mut j = i + 1;
            if chars[j] == '\\' {
                j += 2;
            } else {
                j += 1;
            }
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            let end = (j + 1).min(chars.len());
            for &skipped in &chars[i..end] {
                out.push(blank(skipped));
            }
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// One top-level module named by a path in a source file.
#[derive(Debug, PartialEq)]
struct Use {
    line: usize,
    /// The path as written, up to the top-level module (`crate::render`, `super::super::bot`).
    path: String,
    /// The top-level module it names.
    module: String,
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier starting at `at` (after spaces), and where it ends.
fn ident_at(chars: &[char], mut at: usize) -> (String, usize) {
    while at < chars.len() && chars[at].is_whitespace() {
        at += 1;
    }
    let start = at;
    while at < chars.len() && is_ident_char(chars[at]) {
        at += 1;
    }
    (chars[start..at].iter().collect(), at)
}

/// `::` after optional spaces at `at`: where it ends.
fn path_sep_at(chars: &[char], mut at: usize) -> Option<usize> {
    while at < chars.len() && chars[at].is_whitespace() {
        at += 1;
    }
    (chars.get(at) == Some(&':') && chars.get(at + 1) == Some(&':')).then_some(at + 2)
}

/// The first segment of every item of a `{ … }` group opening at `at` (nested groups skipped).
fn group_heads(chars: &[char], at: usize) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expect_head = true;
    let mut i = at;
    while i < chars.len() {
        match chars[i] {
            '{' => {
                depth += 1;
                expect_head = depth == 1;
                i += 1;
            }
            '}' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                expect_head = true;
                i += 1;
            }
            c if expect_head && is_ident_char(c) => {
                let (name, end) = ident_at(chars, i);
                heads.push(name);
                expect_head = false;
                i = end;
            }
            _ => i += 1,
        }
    }
    heads
}

/// Every top-level module named by a `crate::` path, or by a `super::` chain reaching the crate
/// root, in the code of a file whose module path is `module_path` (`["bot", "commands", "ask"]`
/// for `src/bot/commands/ask.rs`). Inline `mod name { … }` blocks deepen the path.
fn uses(code: &str, module_path: &[String]) -> Result<Vec<Use>, String> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    let mut braces = 0usize;
    // Inline modules open at a brace depth: (depth inside them).
    let mut inline: Vec<usize> = Vec::new();
    let mut pending_mod = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
        }
        if c == '{' {
            braces += 1;
            if pending_mod {
                inline.push(braces);
                pending_mod = false;
            }
            i += 1;
            continue;
        }
        if c == '}' {
            if inline.last() == Some(&braces) {
                inline.pop();
            }
            braces = braces.saturating_sub(1);
            i += 1;
            continue;
        }
        if c == ';' {
            pending_mod = false;
        }
        let starts_word = i == 0 || !(is_ident_char(chars[i - 1]) || chars[i - 1] == '$');
        if !(starts_word && is_ident_char(c)) {
            i += 1;
            continue;
        }
        let (word, end) = ident_at(&chars, i);
        // `a::crate` or `x.super` cannot occur; a preceding `::` would make it a later segment.
        let after_sep = i >= 2 && chars[i - 1] == ':' && chars[i - 2] == ':';
        match word.as_str() {
            "mod" => {
                let (_, name_end) = ident_at(&chars, end);
                pending_mod = true;
                i = name_end;
            }
            "crate" if !after_sep => {
                if let Some(rest) = path_sep_at(&chars, end) {
                    found.extend(heads_at(&chars, rest, line, "crate"));
                }
                i = end;
            }
            "super" if !after_sep => {
                let depth = module_path.len() + inline.len();
                let mut climbed = 0;
                let mut at = end;
                let mut path = String::new();
                let mut reached_root = false;
                loop {
                    climbed += 1;
                    path.push_str("super::");
                    let Some(rest) = path_sep_at(&chars, at) else {
                        break;
                    };
                    if climbed > depth {
                        return Err(format!("line {line}: `{path}` climbs above the crate root"));
                    }
                    let (next, next_end) = ident_at(&chars, rest);
                    if next == "super" {
                        at = next_end;
                        continue;
                    }
                    if climbed == depth {
                        reached_root = true;
                        at = rest;
                    }
                    break;
                }
                if reached_root {
                    found.extend(heads_at(&chars, at, line, path.trim_end_matches("::")));
                }
                i = at.max(end);
            }
            _ => i = end,
        }
    }
    Ok(found)
}

/// The module (or modules, for a group) right after `prefix::` at `at`.
fn heads_at(chars: &[char], mut at: usize, line: usize, prefix: &str) -> Vec<Use> {
    while at < chars.len() && chars[at].is_whitespace() {
        at += 1;
    }
    let heads = if chars.get(at) == Some(&'{') {
        group_heads(chars, at)
    } else {
        vec![ident_at(chars, at).0]
    };
    heads
        .into_iter()
        .filter(|h| h != "self" && !h.is_empty())
        .map(|module| Use {
            line,
            path: format!("{prefix}::{module}"),
            module,
        })
        .collect()
}

/// `src/a/b.rs` → `["a", "b"]`, `src/a/mod.rs` → `["a"]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().map(String::as_str) == Some("mod") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules `lib.rs` declares.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    let code = code_only(lib);
    code.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let name = l.strip_prefix("mod ")?.trim_end_matches(';').trim();
            Some(name.to_string())
        })
        .collect()
}

/// Everything wrong with the crate at `src`: one line per finding.
fn violations(src: &Path) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let declared = declared_modules(&lib);
    let mut problems = Vec::new();
    for module in &declared {
        if layer_of(module).is_none() {
            problems.push(format!(
                "src/{module}: top-level module `{module}` is in no layer: add it to LAYERS in \
                 tests/layers.rs (lowest layer first; it may use only earlier layers) and to the \
                 table in ARCHITECTURE.md"
            ));
        }
    }
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src").to_path_buf();
        if is_exempt(&relative) {
            continue;
        }
        let shown = format!("src/{}", relative.display());
        let path = module_path(&relative);
        let own = &path[0];
        let source = std::fs::read_to_string(&file).expect("readable source");
        let found = match uses(&code_only(&source), &path) {
            Ok(found) => found,
            Err(problem) => {
                problems.push(format!("{shown}: {problem}"));
                continue;
            }
        };
        for u in found {
            if &u.module == own {
                continue;
            }
            let at = format!("{shown}:{}: `{}`", u.line, u.path);
            match (layer_of(own), layer_of(&u.module)) {
                (_, None) if !declared.contains(&u.module) => problems.push(format!(
                    "{at}: `{}` is not a top-level module; use the module path, not a re-export \
                     at the crate root",
                    u.module
                )),
                (Some(from), Some(to)) if to >= from => problems.push(format!(
                    "{at}: `{own}` (layer {from}) must not use `{}` (layer {to}); a module may \
                     use only lower layers (see LAYERS in tests/layers.rs)",
                    u.module
                )),
                _ => {} // unlayered modules are reported once above
            }
        }
    }
    problems
}

#[test]
fn no_module_uses_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = violations(&src);
    let mut report = String::new();
    for p in &problems {
        let _ = writeln!(report, "  {p}");
    }
    assert!(
        problems.is_empty(),
        "layering broken ({} findings):\n{report}",
        problems.len()
    );
}

#[test]
fn every_layer_name_is_listed_once() {
    let mut seen = BTreeSet::new();
    for name in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(seen.insert(*name), "`{name}` is in LAYERS twice");
    }
}

// The checker itself, on hand-written sources: a check that cannot fail proves nothing.

fn modules_used(source: &str, path: &[&str]) -> Vec<String> {
    let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    uses(&code_only(source), &path)
        .expect("well-formed")
        .into_iter()
        .map(|u| u.module)
        .collect()
}

#[test]
fn reads_use_lines_groups_and_inline_paths() {
    let source = "use crate::answer::Hit;\n\
                  use crate::{render::json, bot::Data, self};\n\
                  fn f() { crate::cli::run(); let x = crate :: store::Log::new(); }\n\
                  pub(crate) fn g() {}\n";
    assert_eq!(
        modules_used(source, &["ingest", "model"]),
        ["answer", "render", "bot", "cli", "store"]
    );
}

#[test]
fn ignores_comments_strings_and_characters() {
    let source = "// use crate::bot;\n/* crate::cli /* nested */ crate::bot */\n\
                  //! see [`crate::render`]\n\
                  const A: &str = \"crate::bot\"; const B: &str = r#\"crate::cli \" \"#;\n\
                  const C: char = '\"'; fn h<'a>(x: &'a str) -> &'a str { x }\n\
                  use crate::text::truncate_words;\n";
    assert_eq!(modules_used(source, &["ingest", "model"]), ["text"]);
}

#[test]
fn follows_super_chains_to_the_crate_root() {
    // In src/ingest/model.rs, `super::` is `ingest`: inside the module, not reported.
    assert!(modules_used("use super::parse::x;", &["ingest", "model"]).is_empty());
    // Two steps up from src/ingest/model.rs is the crate root: `super::super::bot` is `bot`.
    assert_eq!(
        modules_used("use super::super::bot::x;", &["ingest", "model"]),
        ["bot"]
    );
    // In src/text.rs, `super::` is the crate root, except inside an inline module.
    assert_eq!(
        modules_used("use super::{cli, render::x};", &["text"]),
        ["cli", "render"]
    );
    assert!(modules_used(
        "mod tests { use super::*; use super::super::text; }",
        &["text"]
    )
    .iter()
    .all(|m| m == "text"));
    assert!(uses(&code_only("use super::super::x;"), &["text".to_string()]).is_err());
}

#[test]
fn reports_an_upward_use_and_an_unlisted_module() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path();
    std::fs::create_dir(src.join("ingest")).expect("mkdir");
    std::fs::write(
        src.join("lib.rs"),
        "pub mod ingest;\npub mod bot;\npub mod newthing;\n",
    )
    .expect("write");
    std::fs::write(src.join("ingest/mod.rs"), "//! x\nuse crate::bot::Data;\n").expect("write");
    std::fs::write(src.join("bot.rs"), "use crate::ingest::Article;\n").expect("write");
    std::fs::write(src.join("newthing.rs"), "").expect("write");
    let problems = violations(src);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("src/newthing: top-level module `newthing` is in no layer"));
    assert!(problems[1].starts_with(
        "src/ingest/mod.rs:2: `crate::bot`: `ingest` (layer 1) must not use `bot` (layer"
    ));
}
