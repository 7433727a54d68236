//! Deterministic synthetic corpus for scale benchmarks.
//!
//! ```sh
//! cargo run --release --bin gen-corpus -- --passages 100000 --out index/generated/100k \
//!     [--seed 42] [--questions index/generated/100k-questions.txt]
//! cargo run --release --bin gen-corpus -- --articles 1000 --paragraphs 20 --out index/generated/1k
//! ```
//!
//! `--articles N --paragraphs P` writes N articles (the real one included) of P paragraphs
//! each, give or take a quarter (many articles: reload and look-up-by-article benchmarks);
//! `--passages` is then not needed.
//!
//! Writes articles in the shipped plain format (title line, blank line, paragraphs with
//! inline `[n]` markers, `[n] text` footnote definitions), 50–200 paragraphs each of 40–120
//! words drawn from an embedded list of 4,000 English words with a Zipf distribution; about
//! one paragraph in eight holds an enumeration ("First, … Second, … Last, …") whose items the
//! parser indexes as points. The real article (`index/articles/summit-article.txt`) is copied
//! in too and stays the primary article (`synthetic-*.txt` sorts after it). `--passages`
//! counts what the index holds: paragraphs plus points, the real article's 10 included.
//! The same arguments always write the same bytes (own splitmix64 PRNG, no clock, no OS
//! randomness). `--questions` also writes a fixed mix of questions: phrases taken from the
//! generated paragraphs (so they have an answer) and word salads (which mostly should not).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

const WORDS: &str = include_str!("words.txt");
const REAL_ARTICLE: &str = include_str!("../../../index/articles/summit-article.txt");
const REAL_NAME: &str = "summit-article.txt";
/// Documents the real article contributes: 6 paragraphs and 4 points.
const REAL_DOCUMENTS: u64 = 10;
/// Words the parser's sentence splitter treats as abbreviations before a period.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "no", "etc", "inc", "gen", "gov", "sen",
    "rep", "prof", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
];
/// Zipf exponent of word ranks.
const ZIPF_S: f64 = 1.0;

/// splitmix64: tiny, fast, good enough for text and reproducible everywhere.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Words with the cumulative Zipf distribution over their ranks.
struct Vocabulary {
    words: Vec<&'static str>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        let words: Vec<&str> = WORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let mut cumulative = Vec::with_capacity(words.len());
        let mut total = 0.0;
        for rank in 1..=words.len() {
            total += 1.0 / (rank as f64).powf(ZIPF_S);
            cumulative.push(total);
        }
        for c in &mut cumulative {
            *c /= total;
        }
        Vocabulary { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> &'static str {
        let u = rng.unit();
        let i = self.cumulative.partition_point(|&c| c <= u);
        self.words[i.min(self.words.len() - 1)]
    }

    /// A word from the rarer half of the list (titles, question salads).
    fn rare_word(&self, rng: &mut Rng) -> &'static str {
        let half = self.words.len() / 2;
        self.words[half + rng.range(0, (self.words.len() - half - 1) as u64) as usize]
    }
}

fn capitalise(word: &str, out: &mut String) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Appends a sentence of `words` words (capitalised, commas after the third word at the
/// earliest, so no sentence opens with "word," like an enumeration item) ending in a period.
fn sentence(vocab: &Vocabulary, rng: &mut Rng, words: u64, out: &mut String) {
    for i in 0..words {
        let mut word = vocab.word(rng);
        // The sentence splitter reads "no." or "dec." as an abbreviation, not an end.
        while i + 1 == words && ABBREVIATIONS.contains(&word) {
            word = vocab.word(rng);
        }
        if i == 0 {
            capitalise(word, out);
        } else {
            out.push(' ');
            out.push_str(word);
        }
        if i >= 2 && i + 2 < words && rng.chance(0.06) {
            out.push(',');
        }
    }
    out.push('.');
}

/// A paragraph of 40–120 words; returns how many points the parser will find in it.
fn paragraph(
    vocab: &Vocabulary,
    rng: &mut Rng,
    footnotes: u32,
    allow_list: bool,
    out: &mut String,
) -> u64 {
    let target = rng.range(40, 120);
    let mut written = 0;
    let mut points = 0;
    let mut first = true;
    let cite = |rng: &mut Rng, out: &mut String| {
        if footnotes > 0 && rng.chance(0.12) {
            let _ = write!(out, "[{}]", rng.range(1, footnotes as u64));
        }
    };
    if allow_list && rng.chance(0.125) {
        // An introduction, then 3–5 items: First, Second, (Third, Fourth,) Last.
        let items = rng.range(3, 5);
        let ordinals = ["First", "Second", "Third", "Fourth"];
        let intro = rng.range(8, 16);
        sentence(vocab, rng, intro, out);
        cite(rng, out);
        written += intro;
        for k in 0..items {
            let ordinal = if k + 1 == items {
                "Last"
            } else {
                ordinals[k as usize]
            };
            let len = rng.range(8, 18);
            let _ = write!(out, " {ordinal}, ");
            let mut body = String::new();
            sentence(vocab, rng, len, &mut body);
            // The item's body continues the sentence: lowercase its first letter.
            out.push_str(&body[..1].to_lowercase());
            out.push_str(&body[1..]);
            cite(rng, out);
            written += len + 1;
        }
        points = items;
        first = false;
    }
    while written < target {
        let len = rng.range(8, 25).min(target - written).max(4);
        if !first {
            out.push(' ');
        }
        first = false;
        sentence(vocab, rng, len, out);
        cite(rng, out);
        written += len;
    }
    points
}

/// Writes one article of up to `budget` documents and `paragraphs` paragraphs (default
/// 50–200); returns the documents it holds.
fn article(
    vocab: &Vocabulary,
    rng: &mut Rng,
    budget: u64,
    paragraphs: Option<(u64, u64)>,
    out: &mut String,
) -> u64 {
    let title_words = rng.range(4, 10);
    for i in 0..title_words {
        if i > 0 {
            out.push(' ');
        }
        let word = if rng.chance(0.5) {
            vocab.rare_word(rng)
        } else {
            vocab.word(rng)
        };
        capitalise(word, out);
    }
    out.push_str("\n\n\n");
    let footnotes = rng.range(2, 10) as u32;
    let (lo, hi) = paragraphs.unwrap_or((50, 200));
    let paragraphs = rng.range(lo, hi);
    let mut documents = 0;
    let mut body = String::new();
    for _ in 0..paragraphs {
        if documents >= budget {
            break;
        }
        // A list adds up to 6 documents (paragraph + 5 points): only when they fit.
        let allow_list = budget - documents >= 6;
        body.clear();
        documents += 1 + paragraph(vocab, rng, footnotes, allow_list, &mut body);
        out.push_str(&body);
        out.push_str("\n\n");
    }
    for n in 1..=footnotes {
        let _ = write!(out, "[{n}] ");
        let len = rng.range(6, 30);
        sentence(vocab, rng, len, out);
        out.push_str("\n\n");
    }
    documents
}

fn question(vocab: &Vocabulary, rng: &mut Rng, article_text: &str) -> String {
    if rng.chance(0.75) {
        // A phrase from a paragraph of this article: 3–8 consecutive words.
        let paragraphs: Vec<&str> = article_text
            .split("\n\n")
            .skip(1)
            .filter(|p| !p.is_empty() && !p.starts_with('['))
            .collect();
        if !paragraphs.is_empty() {
            let p = paragraphs[rng.range(0, paragraphs.len() as u64 - 1) as usize];
            // Words of four letters or more: short ones are mostly stop words.
            let words: Vec<String> = p
                .split_whitespace()
                .map(|w| {
                    w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                })
                .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_lowercase()))
                .collect();
            let len = rng.range(2, 6).min(words.len() as u64) as usize;
            let start = rng.range(0, (words.len() - len) as u64) as usize;
            let phrase = &words[start..start + len];
            return format!("What about {}?", phrase.join(" "));
        }
    }
    let len = rng.range(2, 6);
    let words: Vec<&str> = (0..len).map(|_| vocab.rare_word(rng)).collect();
    format!("Is there {}?", words.join(" "))
}

struct Args {
    passages: u64,
    /// `--articles N --paragraphs P`: N articles of P ± 25 % paragraphs.
    articles: Option<(u64, u64)>,
    out: PathBuf,
    seed: u64,
    questions: Option<PathBuf>,
    question_count: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut passages = None;
    let mut articles: Option<u64> = None;
    let mut paragraphs: Option<u64> = None;
    let mut out = None;
    let mut seed = 42;
    let mut questions = None;
    let mut question_count = 40;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--passages" => {
                passages = Some(value()?.parse().map_err(|e| format!("--passages: {e}"))?)
            }
            "--articles" => {
                articles = Some(value()?.parse().map_err(|e| format!("--articles: {e}"))?)
            }
            "--paragraphs" => {
                paragraphs = Some(value()?.parse().map_err(|e| format!("--paragraphs: {e}"))?)
            }
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--questions" => questions = Some(PathBuf::from(value()?)),
            "--question-count" => {
                question_count = value()?
                    .parse()
                    .map_err(|e| format!("--question-count: {e}"))?
            }
            "-h" | "--help" => {
                return Err(
                    "usage: gen-corpus (--passages N | --articles N --paragraphs P) --out DIR \
                     [--seed S] [--questions FILE] [--question-count K]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let articles = match (articles, paragraphs) {
        (Some(n), Some(p)) if n >= 1 && p >= 1 => Some((n, p)),
        (None, None) => None,
        _ => return Err("--articles N and --paragraphs P (both at least 1) go together".into()),
    };
    Ok(Args {
        passages: match (passages, articles) {
            (Some(p), _) => p,
            (None, Some(_)) => u64::MAX,
            (None, None) => {
                return Err("--passages N (or --articles N --paragraphs P) is required".into())
            }
        },
        articles,
        out: out.ok_or("--out DIR is required")?,
        seed,
        questions,
        question_count,
    })
}

fn run(args: Args) -> std::io::Result<()> {
    let started = std::time::Instant::now();
    let dir = &args.out;
    if dir.exists() {
        // Only article files this tool writes are removed, so a wrong --out loses nothing else.
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == REAL_NAME || (name.starts_with("synthetic-") && name.ends_with(".txt")) {
                std::fs::remove_file(&path)?;
            }
        }
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(REAL_NAME), REAL_ARTICLE)?;
    let vocab = Vocabulary::new();
    let mut rng = Rng(args.seed);
    let mut question_rng = Rng(args.seed ^ 0x5155_4553_5449_4f4e);
    let mut questions = Vec::new();
    let mut documents = REAL_DOCUMENTS.min(args.passages);
    let mut articles = 1u64;
    let mut bytes = REAL_ARTICLE.len() as u64;
    let mut text = String::with_capacity(1 << 20);
    // Expected articles, to spread the questions over the whole corpus.
    let expected_articles = match args.articles {
        Some((n, _)) => n,
        None => (args.passages / 150).max(1),
    };
    let question_every = (expected_articles / args.question_count.max(1)).max(1);
    // Paragraphs per article: P ± 25 % with --articles, else 50–200.
    let paragraphs = args.articles.map(|(_, p)| ((p - p / 4).max(1), p + p / 4));
    while documents < args.passages && args.articles.is_none_or(|(n, _)| articles < n) {
        text.clear();
        documents += article(
            &vocab,
            &mut rng,
            args.passages - documents,
            paragraphs,
            &mut text,
        );
        let path = dir.join(format!("synthetic-{articles:06}.txt"));
        std::fs::write(&path, &text)?;
        if (articles - 1).is_multiple_of(question_every)
            && (questions.len() as u64) < args.question_count
        {
            questions.push(question(&vocab, &mut question_rng, &text));
        }
        bytes += text.len() as u64;
        articles += 1;
    }
    while (questions.len() as u64) < args.question_count {
        questions.push(question(&vocab, &mut question_rng, REAL_ARTICLE));
    }
    if let Some(path) = &args.questions {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        for q in &questions {
            writeln!(file, "{q}")?;
        }
        file.flush()?;
    }
    eprintln!(
        "gen-corpus: {documents} passages and points in {articles} articles, {:.1} MB, into {} in {:.1?}",
        bytes as f64 / 1e6,
        dir.display(),
        started.elapsed()
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("gen-corpus: {message}");
            std::process::exit(2);
        }
    };
    if let Err(err) = run(args) {
        eprintln!("gen-corpus: {err}");
        std::process::exit(1);
    }
}
