//! The documents cannot drift from the program. Every `summit-bot` command (also written
//! `cargo run --release -- …` or `target/release/summit-bot …`) and every `gen-corpus` command
//! that a Markdown document of the repository shows in a command-line code block (```` ```sh ````,
//! `bash`, `shell`, or a `$ ` line of a `console` or unlabelled block) names only subcommands
//! and flags that the built binary's own `--help` lists for that subcommand. And the version the
//! binary prints is the newest release of `CHANGELOG.md`. The `Exec…=` lines of the systemd
//! units under `deploy/` are checked the same way.
//!
//! Only names are checked, not values: documents show placeholders (`N`, `FILE.jsonl`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The binaries a document may show, by the name a command line calls them.
fn binary(name: &str) -> Option<&'static str> {
    match name {
        "summit-bot" => Some(env!("CARGO_BIN_EXE_summit-bot")),
        "gen-corpus" => Some(env!("CARGO_BIN_EXE_gen-corpus")),
        _ => None,
    }
}

/// What one `--help` page lists.
#[derive(Debug, Default)]
struct Help {
    /// Long and short option names (`--json`, `-h`) and whether each takes a value.
    options: HashMap<String, bool>,
    /// Subcommand names.
    commands: BTreeSet<String>,
}

/// Reads clap's help layout: `Commands:` / `Options:` sections, one entry per line indented
/// by two (options without a short form by six); deeper lines continue a description. A
/// page without an `Options:` section is one usage line (gen-corpus's): every `--name` in it,
/// taking a value when a placeholder follows.
fn parse_help(text: &str) -> Help {
    let mut help = Help::default();
    if !text.lines().any(|l| l == "Options:") {
        let cleaned: String = text
            .chars()
            .map(|c| if "[]()|".contains(c) { ' ' } else { c })
            .collect();
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            if word.starts_with('-') && word.len() > 1 {
                let takes_value = words.get(i + 1).is_some_and(|next| !next.starts_with('-'));
                help.options.insert(word.to_string(), takes_value);
            }
        }
        help.options.insert("--help".to_string(), false);
        return help;
    }
    let mut section = "";
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line.trim_end_matches(':');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let entry = line.trim_start();
        match section {
            "Commands" if indent == 2 => {
                if let Some(name) = entry.split_whitespace().next() {
                    help.commands.insert(name.to_string());
                }
            }
            "Options" if indent <= 6 && entry.starts_with('-') => {
                // "-h, --help  Print help" or "--config <PATH>  Config file …"
                let head = entry.split("  ").next().unwrap_or(entry);
                let takes_value = head.contains('<');
                for word in head.split([',', ' ']) {
                    if word.starts_with('-') {
                        help.options.insert(word.to_string(), takes_value);
                    }
                }
            }
            _ => {}
        }
    }
    help
}

/// `--help` pages by binary and subcommand path, each read once.
#[derive(Default)]
struct Helps(HashMap<(String, Vec<String>), Help>);

impl Helps {
    fn get(&mut self, program: &str, path: &[String]) -> &Help {
        self.0
            .entry((program.to_string(), path.to_vec()))
            .or_insert_with(|| {
                let bin = binary(program).expect("a known binary");
                let output = Command::new(bin)
                    .args(path)
                    .arg("--help")
                    .output()
                    .expect("run --help");
                // gen-corpus prints its one usage line on stderr; clap prints help on stdout.
                let text = match output.stdout.is_empty() {
                    true => String::from_utf8_lossy(&output.stderr),
                    false => String::from_utf8_lossy(&output.stdout),
                };
                assert!(
                    text.to_lowercase().contains("usage"),
                    "`{program} {} --help` printed no usage: {text}",
                    path.join(" "),
                );
                parse_help(&text)
            })
    }
}

/// Splits a shell line into words, honouring quotes; `|`, `;`, `&&`, `||`, redirections and
/// `#` comments outside quotes end a word. Redirections and their targets are dropped, and the
/// line is cut into the separate commands it runs.
fn shell_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut skip_next = false;
    let mut chars = line.chars().peekable();
    let finish =
        |word: &mut String, in_word: &mut bool, skip: &mut bool, cmds: &mut Vec<Vec<String>>| {
            if *in_word {
                if *skip {
                    *skip = false;
                } else if let Some(last) = cmds.last_mut() {
                    last.push(std::mem::take(word));
                }
            }
            word.clear();
            *in_word = false;
        };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            '#' if !in_word => break,
            '|' | ';' | '&' => {
                finish(&mut word, &mut in_word, &mut skip_next, &mut commands);
                while matches!(chars.peek(), Some('|' | '&')) {
                    chars.next();
                }
                commands.push(Vec::new());
            }
            '<' | '>' => {
                // `2>` or `>` (and `>&1`, `>>`): the redirection's target is no argument.
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                finish(&mut word, &mut in_word, &mut skip_next, &mut commands);
                while matches!(chars.peek(), Some('>' | '&')) {
                    chars.next();
                }
                if matches!(chars.peek(), Some(' ') | None) {
                    skip_next = true;
                } else {
                    // attached target (`>/dev/null`, `2>&1`): read it as a word and drop it
                    skip_next = true;
                    in_word = true;
                }
            }
            c if c.is_whitespace() => {
                finish(&mut word, &mut in_word, &mut skip_next, &mut commands)
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    finish(&mut word, &mut in_word, &mut skip_next, &mut commands);
    commands.retain(|c| !c.is_empty());
    commands
}

/// The program and arguments a command runs, when it is one of ours: `summit-bot …`,
/// `…/summit-bot …`, `gen-corpus …`, or `cargo run [--release] [--bin NAME] [--] …`.
/// Commands given as one quoted argument (hyperfine's) are found too.
fn our_invocations(words: &[String]) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    // Quoted words holding commands (hyperfine's arguments, `$(…)` substitutions) are commands
    // of their own.
    for word in words.iter().filter(|w| w.contains(' ')) {
        let inner: Vec<&str> = match word.contains("$(") {
            true => word
                .split("$(")
                .skip(1)
                .map(|piece| piece.split(')').next().unwrap_or(piece))
                .collect(),
            false => vec![word.as_str()],
        };
        for text in inner {
            for command in shell_commands(text) {
                found.extend(our_invocations(&command));
            }
        }
    }
    // The program is the first word after variable assignments, shell keywords and wrappers
    // (`/usr/bin/time -v`, `nice -n 19`, `taskset -c 0`) with their options; a binary's name
    // anywhere else is an argument (`whole_paragraph.py target/debug/summit-bot …`).
    let mut i = 0;
    let mut wrapped = false;
    while let Some(word) = words.get(i) {
        let wrapper = [
            "do",
            "then",
            "else",
            "!",
            "time",
            "/usr/bin/time",
            "nice",
            "taskset",
            "sudo",
            "exec",
            "env",
            "nohup",
        ]
        .contains(&word.as_str());
        let assignment = !word.starts_with('-') && word.contains('=');
        let wrapper_option = wrapped
            && (word.starts_with('-')
                || word
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ',' || c == '-'));
        if !(wrapper || assignment || wrapper_option) {
            break;
        }
        wrapped |= wrapper;
        i += 1;
    }
    let Some(word) = words.get(i) else {
        return found;
    };
    let name = word.rsplit('/').next().unwrap_or(word);
    if binary(name).is_some() {
        found.push((name.to_string(), words[i + 1..].to_vec()));
    } else if word == "cargo" && words.get(i + 1).map(String::as_str) == Some("run") {
        // `cargo build --bin summit-bot`, `cargo test …` run no binary of ours
        let rest = &words[i + 2..];
        let split = rest.iter().position(|w| w == "--").unwrap_or(rest.len());
        let cargo_args = &rest[..split];
        let program = match cargo_args.iter().position(|w| w == "--bin") {
            Some(at) => cargo_args.get(at + 1).cloned().unwrap_or_default(),
            None if cargo_args.iter().any(|w| w == "--example") => return found,
            None => "summit-bot".to_string(),
        };
        if binary(&program).is_some() {
            found.push((program, rest.get(split + 1..).unwrap_or(&[]).to_vec()));
        }
    }
    found
}

/// `summit-bot report`: the program and the subcommands walked so far.
fn shown(program: &str, path: &[String]) -> String {
    std::iter::once(program)
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks one invocation against the help pages; the problem in words, if any.
fn check(helps: &mut Helps, program: &str, args: &[String]) -> Option<String> {
    let mut path: Vec<String> = Vec::new();
    let mut positional_seen = false;
    let mut i = 0;
    while i < args.len() {
        // usage notation: `[--since AGE]` is the option --since
        let arg = &args[i]
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let help = helps.get(program, &path);
        if arg == "--" {
            return None;
        }
        if arg.starts_with("--") || (arg.starts_with('-') && arg.len() == 2 && arg != "--") {
            let name = arg.split('=').next().unwrap_or(arg);
            match help.options.get(name) {
                None => {
                    return Some(format!(
                        "`{}` has no option {name} (its --help lists: {})",
                        shown(program, &path),
                        help.options
                            .keys()
                            .cloned()
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join(" ")
                    ))
                }
                Some(true) if !arg.contains('=') => i += 1,
                Some(_) => {}
            }
        } else if arg.starts_with('-') && arg != "-" {
            return Some(format!("`{program}`: cannot read the option {arg}"));
        } else if !help.commands.is_empty() && !positional_seen {
            if !help.commands.contains(arg.as_str()) {
                return Some(format!(
                    "`{}` has no subcommand {arg:?} (its --help lists: {})",
                    shown(program, &path),
                    help.commands.iter().cloned().collect::<Vec<_>>().join(" ")
                ));
            }
            path.push(arg.clone());
        } else {
            positional_seen = true;
        }
        i += 1;
    }
    None
}

/// The command lines shown in a Markdown text, with their line numbers.
fn shown_commands(markdown: &str) -> Vec<(usize, String)> {
    let mut shown = Vec::new();
    let mut fence: Option<String> = None;
    let mut pending = String::new();
    let mut pending_line = 0;
    for (n, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(rest.trim().to_string()),
            };
            continue;
        }
        let Some(lang) = fence.as_deref() else {
            continue;
        };
        let command = match lang {
            "sh" | "bash" | "shell" => Some(trimmed.strip_prefix("$ ").unwrap_or(trimmed)),
            "console" | "" => trimmed.strip_prefix("$ "),
            _ => None,
        };
        let continuing = !pending.is_empty();
        let Some(command) = (if continuing { Some(trimmed) } else { command }) else {
            continue;
        };
        if !continuing {
            pending_line = n + 1;
        }
        match command.strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head);
                pending.push(' ');
            }
            None => {
                pending.push_str(command);
                shown.push((pending_line, std::mem::take(&mut pending)));
            }
        }
    }
    shown
}

/// The commands a systemd unit runs (`ExecStart=`, `ExecReload=`, …), with their line numbers.
fn unit_commands(unit: &str) -> Vec<(usize, String)> {
    unit.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let (key, value) = line.split_once('=')?;
            key.starts_with("Exec").then(|| {
                (
                    n + 1,
                    value.trim_start_matches(['-', '@', '+', '!']).to_string(),
                )
            })
        })
        .collect()
}

/// The repository's Markdown documents and systemd units (test fixtures, build output and the fuzz corpus aside).
fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.')
                    && !["target", "fixtures", "index"].contains(&name.as_str())
                {
                    walk(&path, out);
                }
            } else if name.ends_with(".md") || name.ends_with(".service") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new(ROOT), &mut out);
    out.sort();
    out
}

#[test]
fn every_command_a_document_shows_is_one_the_binary_accepts() {
    let mut helps = Helps::default();
    let mut problems = Vec::new();
    let mut checked = 0;
    for document in documents() {
        let text = std::fs::read_to_string(&document).expect("read document");
        let name = document
            .strip_prefix(ROOT)
            .unwrap_or(&document)
            .display()
            .to_string();
        let commands = match name.ends_with(".service") {
            true => unit_commands(&text),
            false => shown_commands(&text),
        };
        for (line, shown) in commands {
            for words in shell_commands(&shown) {
                for (program, args) in our_invocations(&words) {
                    checked += 1;
                    if std::env::var_os("SUMMIT_DOCS_LIST").is_some() {
                        eprintln!("{name}:{line}: {program} {}", args.join(" "));
                    }
                    if let Some(problem) = check(&mut helps, &program, &args) {
                        problems.push(format!("{name}:{line}: {shown}\n    {problem}"));
                    }
                }
            }
        }
    }
    eprintln!("{checked} commands checked");
    assert!(
        checked >= 10,
        "only {checked} commands found: is the parser still reading the documents?"
    );
    assert!(
        problems.is_empty(),
        "documents show commands the binary does not accept:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_binary_prints_the_newest_changelog_version() {
    let output = Command::new(binary("summit-bot").expect("binary"))
        .arg("--version")
        .output()
        .expect("run --version");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("summit-bot {}\n", env!("CARGO_PKG_VERSION"))
    );
    let changelog =
        std::fs::read_to_string(Path::new(ROOT).join("CHANGELOG.md")).expect("read CHANGELOG.md");
    let newest = changelog
        .lines()
        .filter_map(|l| l.strip_prefix("## ["))
        .filter_map(|l| l.split(']').next())
        .find(|v| *v != "Unreleased");
    assert_eq!(
        newest,
        Some(env!("CARGO_PKG_VERSION")),
        "CHANGELOG.md's newest release"
    );
}

#[test]
fn the_parsers_read_what_they_must() {
    let help = parse_help(
        "Usage: x [OPTIONS] [COMMAND]\n\nCommands:\n  ask    Answer a question\n         (wrapped)\n  help   Print this\n\nOptions:\n      --config <PATH>  Config file\n          wrapped --not-an-option\n  -h, --help           Print help\n",
    );
    assert_eq!(
        help.commands.iter().cloned().collect::<Vec<_>>(),
        ["ask", "help"]
    );
    assert_eq!(help.options.get("--config"), Some(&true));
    assert_eq!(help.options.get("-h"), Some(&false));
    assert_eq!(help.options.get("--help"), Some(&false));
    assert_eq!(help.options.get("--not-an-option"), None);
    let usage = parse_help("usage: gen-corpus (--passages N | --articles N --paragraphs P) --out DIR [--seed S] [--json]");
    assert_eq!(usage.options.get("--out"), Some(&true));
    assert_eq!(usage.options.get("--seed"), Some(&true));
    assert_eq!(usage.options.get("--json"), Some(&false));
    assert_eq!(usage.options.get("--help"), Some(&false));

    let words = |s: &str| shell_commands(s);
    assert_eq!(
        words("echo \"Is there a hotline?\" | summit-bot --config x.toml ask --json - < q.txt > /dev/null 2>&1 # note"),
        [vec!["echo", "Is there a hotline?"], vec!["summit-bot", "--config", "x.toml", "ask", "--json", "-"]]
    );
    assert_eq!(
        our_invocations(&words("DISCORD_TOKEN=... cargo run --release")[0]),
        [("summit-bot".to_string(), Vec::<String>::new())]
    );
    assert_eq!(
        our_invocations(&words("cargo run --release --bin gen-corpus -- --passages 10")[0]),
        [(
            "gen-corpus".to_string(),
            vec!["--passages".to_string(), "10".to_string()]
        )]
    );
    assert_eq!(
        our_invocations(
            &words("hyperfine --runs 2 'target/release/summit-bot ask --json - < q > /dev/null'")
                [0]
        ),
        [(
            "summit-bot".to_string(),
            vec!["ask".to_string(), "--json".to_string(), "-".to_string()]
        )]
    );
    assert_eq!(
        our_invocations(
            &words("python3 scripts/whole_paragraph.py target/debug/summit-bot a.txt")[0]
        ),
        []
    );
    assert_eq!(
        our_invocations(&words("/usr/bin/time -v nice -n 19 target/release/summit-bot index")[0]),
        [("summit-bot".to_string(), vec!["index".to_string()])]
    );
    assert_eq!(
        our_invocations(&words("echo \"x: $(summit-bot --config c.toml eval $f | tail -1)\"")[0]),
        [(
            "summit-bot".to_string(),
            vec![
                "--config".to_string(),
                "c.toml".to_string(),
                "eval".to_string(),
                "$f".to_string()
            ]
        )]
    );
    assert_eq!(
        unit_commands("[Service]\nExecStart=/usr/local/bin/summit-bot serve\nExecReload=/bin/kill -HUP $MAINPID\n"),
        [(2, "/usr/local/bin/summit-bot serve".to_string()), (3, "/bin/kill -HUP $MAINPID".to_string())]
    );
    assert_eq!(
        shown_commands("```sh\nsummit-bot a \\\n  --b\n```\n```console\n$ summit-bot c\noutput\n```\n```json\n{}\n```\n"),
        [(2, "summit-bot a  --b".to_string()), (6, "summit-bot c".to_string())]
    );
}
