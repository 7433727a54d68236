//! Readability-style extraction of an article from a web page's HTML (parsed by `scraper`,
//! i.e. html5ever, never matched with regular expressions): the title, the paragraphs of the
//! main text, the footnotes with their inline references, and the source and date from the
//! page's meta tags.
//!
//! How the main text is found: site chrome (scripts, navigation, headers and footers, share
//! bars, "More From / Related" blocks, newsletters, comments, sidebars: by tag, ARIA role and
//! class/id words) is skipped; every remaining paragraph with some text scores its parent and
//! grandparent (longer text and commas score more, links less); the best-scoring container,
//! with any sibling that scores nearly as well, is the article. Footnotes are found from their
//! references anywhere on the page: a link to `#id` whose text is a number (`<sup>1</sup>`,
//! `[1]`, Word's `_ftn1` anchors) pointing at a later element (the note); the note's block is
//! then kept out of the paragraphs. Plain `[n] text` paragraphs after the body (a notes list
//! without links) are footnotes too.

use std::collections::{HashMap, HashSet};

use scraper::node::Element;
use scraper::{ElementRef, Html, Node};

/// What was found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The article's title.
    pub title: String,
    /// The original's address (canonical link or `og:url`, else where it was fetched from).
    pub source: Option<String>,
    /// Publication date (`YYYY-MM-DD` when the page gives a full date-time).
    pub published: Option<String>,
    /// The paragraphs in order, footnote references as Markdown markers (`[^1]`).
    pub paragraphs: Vec<String>,
    /// Footnotes by number, in number order.
    pub footnotes: Vec<(u32, String)>,
}

/// Tags whose whole subtree is never article text.
const SKIPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "button",
    "input", "select", "textarea", "label", "nav", "header", "footer", "aside", "menu", "dialog",
    "head", "title", "meta", "link", "object", "embed", "video", "audio", "figure", "map",
];

/// ARIA landmarks and widgets that are site chrome.
const SKIPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "toolbar",
    "alert",
];

/// Class or id words (split on `-`, `_` and spaces) that mark site chrome.
const CHROME_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "share",
    "sharing",
    "sharedaddy",
    "social",
    "related",
    "relatedposts",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "sidebar",
    "widget",
    "footer",
    "header",
    "masthead",
    "colophon",
    "comment",
    "comments",
    "respond",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsor",
    "sponsored",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "banner",
    "popup",
    "modal",
    "tags",
    "topics",
    "byline",
    "author",
    "meta",
    "pagination",
    "pager",
    "rss",
    "teaser",
    "recommended",
    "messages",
];

/// Whole class names of things only screen readers or scripts see.
const CHROME_CLASSES: &[&str] = &[
    "hidden",
    "visually-hidden",
    "visuallyhidden",
    "sr-only",
    "screen-reader-text",
    "skip-link",
    "print-only",
];

/// Class or id fragments that mark site chrome wherever they appear in a word
/// (`jp-relatedposts`, `more-on-this-topic`, `moreFrom`).
const CHROME_FRAGMENTS: &[&str] = &[
    "breadcrumb",
    "newsletter",
    "related",
    "share",
    "social",
    "sidebar",
    "more-from",
    "morefrom",
    "more-on",
    "moreon",
    "subscribe",
    "signup",
    "cookie",
];

/// Headings that start a block of chrome inside the article container: the rest of the
/// container after one of them is not article text.
const CHROME_HEADINGS: &[&str] = &[
    "more from",
    "more on this topic",
    "related topics",
    "related",
    "related articles",
    "related posts",
    "read more",
    "recommended",
    "share",
    "share this",
    "share this:",
    "tags",
    "topics",
    "leave a reply",
    "comments",
    "newsletter",
];

/// Elements that start a new paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "main",
    "hr",
    "address",
    "details",
    "summary",
    "figcaption",
    "center",
];

/// Paragraphs shorter than this (in characters) do not vote for a container.
const MIN_SCORING_CHARS: usize = 25;

/// Extracts the article from a page. `page_url` (where it was fetched from) is the source
/// when the page names no canonical address.
pub fn extract(html: &str, page_url: Option<&str>) -> Extracted {
    let document = Html::parse_document(html);
    let page = Page::new(&document);
    let notes = page.footnotes();
    let title = page.title();
    let mut paragraphs = page.paragraphs(&notes);
    // A paragraph that repeats the title (a second heading, a print header) is not content.
    paragraphs.retain(|p| !p.is_empty() && collapse(&p.text) != title);

    // Assemble: references become `[^n]`; plain `[n] text` paragraphs after the body are
    // notes when the page had no linked notes of that number.
    let mut footnotes: Vec<(u32, String)> = notes.by_number.clone();
    let mut texts = Vec::new();
    for paragraph in &paragraphs {
        if let Some((number, body)) = plain_note(&paragraph.text) {
            if !footnotes.iter().any(|(n, _)| *n == number) {
                footnotes.push((number, body.to_string()));
                continue;
            }
        }
        texts.push(paragraph);
    }
    footnotes.sort_by_key(|(n, _)| *n);
    let defined: HashSet<u32> = footnotes.iter().map(|(n, _)| *n).collect();
    let paragraphs = texts
        .into_iter()
        .map(|p| p.markdown(&defined))
        .filter(|p| !p.is_empty())
        .collect();

    Extracted {
        title,
        source: page
            .meta_url()
            .or_else(|| page_url.filter(|u| is_http_url(u)).map(str::to_string)),
        published: page.published(),
        paragraphs,
        footnotes,
    }
}

/// One paragraph being assembled: text and references, in order.
#[derive(Debug, Default)]
struct Paragraph {
    /// The text so far, whitespace collapsed, with `\u{1}n\u{2}` for a linked reference to
    /// footnote n and `\u{3}n\u{4}` for an unlinked superscript number.
    text: String,
    /// Whether this paragraph is a heading (`## text` in the output).
    heading: bool,
}

impl Paragraph {
    fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    fn push_text(&mut self, text: &str) {
        for c in text.chars() {
            let c = if c == '\u{a0}' { ' ' } else { c };
            if c.is_whitespace() {
                if !self.text.is_empty() && !self.text.ends_with(' ') {
                    self.text.push(' ');
                }
            } else if !c.is_control() {
                self.text.push(c);
            }
        }
    }

    /// The Markdown line: references as `[^n]`, plain `[n]` markers as `[^n]` when footnote
    /// n exists, unlinked superscripts as `[^n]` when it exists, else as the bare number.
    fn markdown(&self, defined: &HashSet<u32>) -> String {
        let mut out = String::with_capacity(self.text.len() + 8);
        let mut rest = self.text.trim();
        while let Some(c) = rest.chars().next() {
            let (close, linked) = match c {
                '\u{1}' => ('\u{2}', true),
                '\u{3}' => ('\u{4}', false),
                '[' => {
                    // A plain `[n]` typed into the text.
                    if let Some((number, len)) = bracket_number(rest) {
                        if defined.contains(&number) {
                            out.push_str(&format!("[^{number}]"));
                        } else {
                            out.push_str(&rest[..len]);
                        }
                        rest = &rest[len..];
                        continue;
                    }
                    out.push('[');
                    rest = &rest[1..];
                    continue;
                }
                _ => {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                    continue;
                }
            };
            let end = rest.find(close).unwrap_or(rest.len());
            let number = &rest[1..end];
            rest = rest.get(end + 1..).unwrap_or("");
            match number.parse::<u32>() {
                Ok(n) if linked || defined.contains(&n) => {
                    // A marker follows text directly or after one space, as written.
                    out.push_str(&format!("[^{n}]"));
                }
                _ => out.push_str(number),
            }
        }
        let out = out.trim().to_string();
        if self.heading && !out.is_empty() {
            format!("## {out}")
        } else {
            out
        }
    }
}

/// `[n]` at the start of `text`: the number and the marker's length in bytes.
fn bracket_number(text: &str) -> Option<(u32, usize)> {
    let inner = text.strip_prefix('[')?;
    let close = inner.find(']')?;
    let digits = &inner[..close];
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, close + 2))
}

/// A paragraph that is a plain footnote definition: `[n] text` or `[n]: text`.
fn plain_note(text: &str) -> Option<(u32, &str)> {
    let text = text.trim();
    let (number, len) = bracket_number(text)?;
    let body = text[len..].trim_start_matches(':');
    if !body.starts_with(' ') {
        return None;
    }
    let body = body.trim();
    (!body.is_empty()).then_some((number, body))
}

/// Footnotes found from their references.
#[derive(Debug, Default)]
struct Notes {
    /// Footnote number and text, in the order found.
    by_number: Vec<(u32, String)>,
    /// Reference elements (the link, or the `<sup>` around it) → footnote number.
    references: HashMap<ego_tree::NodeId, u32>,
    /// Note blocks: never paragraphs.
    blocks: HashSet<ego_tree::NodeId>,
}

/// The parsed page and what is computed once over it.
struct Page<'a> {
    document: &'a Html,
    /// Each node's position in document order.
    order: HashMap<ego_tree::NodeId, usize>,
    /// Elements by `id` and by `<a name>` (Word's anchors), first one wins.
    anchors: HashMap<&'a str, ElementRef<'a>>,
}

impl<'a> Page<'a> {
    fn new(document: &'a Html) -> Self {
        let mut order = HashMap::new();
        let mut anchors = HashMap::new();
        for (i, node) in document.tree.root().descendants().enumerate() {
            order.insert(node.id(), i);
            if let Some(element) = ElementRef::wrap(node) {
                let value = element.value();
                if let Some(id) = value.id() {
                    anchors.entry(id).or_insert(element);
                }
                if value.name() == "a" {
                    if let Some(name) = value.attr("name") {
                        anchors.entry(name).or_insert(element);
                    }
                }
            }
        }
        Page {
            document,
            order,
            anchors,
        }
    }

    fn position(&self, element: &ElementRef<'_>) -> usize {
        self.order.get(&element.id()).copied().unwrap_or(0)
    }

    fn select(&self, selector: &str) -> Vec<ElementRef<'a>> {
        match scraper::Selector::parse(selector) {
            Ok(selector) => self.document.select(&selector).collect(),
            Err(_) => Vec::new(),
        }
    }

    fn meta(&self, selectors: &[&str]) -> Option<String> {
        selectors.iter().find_map(|selector| {
            self.select(selector).into_iter().find_map(|e| {
                let value = e
                    .value()
                    .attr("content")
                    .or_else(|| e.value().attr("href"))?;
                let value = collapse(value);
                (!value.is_empty()).then_some(value)
            })
        })
    }

    /// The canonical address from the page's meta tags.
    fn meta_url(&self) -> Option<String> {
        self.meta(&[
            r#"link[rel="canonical"]"#,
            r#"meta[property="og:url"]"#,
            r#"meta[name="twitter:url"]"#,
        ])
        .filter(|u| is_http_url(u))
    }

    /// The publication date from meta tags, else the article's `<time datetime>`.
    fn published(&self) -> Option<String> {
        let value = self
            .meta(&[
                r#"meta[property="article:published_time"]"#,
                r#"meta[name="article:published_time"]"#,
                r#"meta[itemprop="datePublished"]"#,
                r#"meta[name="citation_publication_date"]"#,
                r#"meta[name="dc.date"]"#,
                r#"meta[name="DC.date.issued"]"#,
                r#"meta[name="date"]"#,
                r#"meta[name="pubdate"]"#,
                r#"meta[property="og:published_time"]"#,
            ])
            .or_else(|| {
                self.select("article time[datetime], main time[datetime], time[datetime]")
                    .into_iter()
                    .find_map(|e| e.value().attr("datetime").map(collapse))
            })?;
        Some(short_date(&value))
    }

    /// The title: the page's main heading when there is one (the `<h1>` that the
    /// `og:title` or `<title>` starts with, else the first inside `article`/`main`, else the
    /// first), else `og:title`, else `<title>` without its site name.
    fn title(&self) -> String {
        let named = self
            .meta(&[
                r#"meta[property="og:title"]"#,
                r#"meta[name="twitter:title"]"#,
            ])
            .or_else(|| {
                self.select("title")
                    .first()
                    .map(|t| collapse(&t.text().collect::<String>()))
            })
            .unwrap_or_default();
        let headings: Vec<String> = self
            .select("h1")
            .into_iter()
            .map(|h| collapse(&h.text().collect::<String>()))
            .filter(|h| !h.is_empty())
            .collect();
        let in_article: Vec<String> = self
            .select("article h1, main h1, [role=main] h1")
            .into_iter()
            .map(|h| collapse(&h.text().collect::<String>()))
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(h) = headings
            .iter()
            .find(|h| !named.is_empty() && named.starts_with(h.as_str()))
        {
            return h.clone();
        }
        if let Some(h) = in_article.first().or(headings.first()) {
            return h.clone();
        }
        without_site_name(&named)
    }

    /// Every footnote with its references: links to `#id` whose text is a number and whose
    /// target comes later in the page.
    fn footnotes(&self) -> Notes {
        let mut notes = Notes::default();
        let mut by_target: HashMap<ego_tree::NodeId, u32> = HashMap::new();
        for link in self.select("a[href]") {
            let Some(fragment) = link.value().attr("href").and_then(|h| h.strip_prefix('#')) else {
                continue;
            };
            let Some(target) = self.anchors.get(fragment).copied() else {
                continue;
            };
            let label = collapse(&link.text().collect::<String>());
            let in_sup = link
                .parent()
                .and_then(ElementRef::wrap)
                .filter(|p| p.value().name() == "sup");
            let number = reference_number(&label);
            if number.is_none() && in_sup.is_none() {
                continue;
            }
            // A back link from the note to its reference points backwards: not a reference.
            if self.position(&target) <= self.position(&link) {
                continue;
            }
            let note = self.note_block(target);
            // The reference must not sit in its own note (a note's self link).
            if link.ancestors().any(|a| a.id() == note.id()) {
                continue;
            }
            let number = match by_target.get(&note.id()) {
                Some(n) => *n,
                None => {
                    let n = number
                        .filter(|n| !notes.by_number.iter().any(|(m, _)| m == n))
                        .unwrap_or_else(|| {
                            notes.by_number.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1
                        });
                    let text = note_text(note);
                    if text.is_empty() {
                        continue;
                    }
                    by_target.insert(note.id(), n);
                    notes.by_number.push((n, text));
                    notes.blocks.insert(note.id());
                    n
                }
            };
            // `<sup><a>1</a></sup>`: the superscript is the reference.
            let element = match in_sup {
                Some(sup) if sup.text().collect::<String>().trim() == label => sup,
                _ => link,
            };
            notes.references.insert(element.id(), number);
        }
        notes
    }

    /// The block holding a note: the target when it is a block (`<li id="fn1">`), else its
    /// nearest block ancestor (`<p>` around Word's `<a name="_ftn1">`), widened to a wrapper
    /// that holds only this note (Word's `<div id="ftn1">` of several paragraphs).
    fn note_block(&self, target: ElementRef<'a>) -> ElementRef<'a> {
        let mut block = target;
        while !is_block(block.value()) {
            match block.parent().and_then(ElementRef::wrap) {
                Some(parent) => block = parent,
                None => return target,
            }
        }
        if block.value().name() == "p" {
            if let Some(parent) = block.parent().and_then(ElementRef::wrap) {
                let id = parent.value().id().unwrap_or("").to_ascii_lowercase();
                if matches!(parent.value().name(), "div" | "li" | "aside" | "section")
                    && (id.contains("ftn") || id.contains("fn") || id.contains("note"))
                {
                    return parent;
                }
            }
        }
        block
    }

    /// Whether an element (and so its subtree) is site chrome.
    fn is_chrome(&self, element: &Element) -> bool {
        let name = element.name();
        if SKIPPED_TAGS.contains(&name) {
            return true;
        }
        if element.attr("hidden").is_some() || element.attr("aria-hidden") == Some("true") {
            return true;
        }
        if let Some(role) = element.attr("role") {
            if SKIPPED_ROLES.contains(&role.to_ascii_lowercase().as_str()) {
                return true;
            }
        }
        if matches!(name, "html" | "body" | "main" | "article") {
            return false;
        }
        let names = format!(
            "{} {}",
            element.attr("class").unwrap_or(""),
            element.id().unwrap_or("")
        )
        .to_ascii_lowercase();
        if names.trim().is_empty() {
            return false;
        }
        // The main text's own wrappers ("entry-content", "article-body") are never chrome.
        let words: Vec<&str> = names
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|w| !w.is_empty())
            .collect();
        let content = names.split_whitespace().any(|class| {
            matches!(
                class,
                "entry-content" | "post-content" | "article-body" | "article-content" | "content"
            )
        });
        if content {
            return false;
        }
        names
            .split_whitespace()
            .any(|class| CHROME_CLASSES.contains(&class))
            || words.iter().any(|w| CHROME_WORDS.contains(w))
            || CHROME_FRAGMENTS.iter().any(|f| names.contains(f))
    }

    fn skipped(&self, element: ElementRef<'_>, notes: &Notes) -> bool {
        notes.blocks.contains(&element.id()) || self.is_chrome(element.value())
    }

    /// The article's paragraphs, in order (readability-style, see the module header).
    fn paragraphs(&self, notes: &Notes) -> Vec<Paragraph> {
        let Some(body) = self.select("body").into_iter().next() else {
            return Vec::new();
        };
        // Score: each paragraph votes for its parent (fully) and grandparent (half).
        let mut scores: HashMap<ego_tree::NodeId, f64> = HashMap::new();
        let mut candidates: Vec<ElementRef<'a>> = Vec::new();
        self.visit(body, notes, &mut |element| {
            let name = element.value().name();
            // A `<div>` holding text and no blocks is a paragraph too (pages built of divs).
            let text_div = name == "div" && !element.child_elements().any(|c| is_block(c.value()));
            if !(text_div || matches!(name, "p" | "pre" | "td" | "dd" | "blockquote")) {
                return;
            }
            let text = collapse(&element.text().collect::<String>());
            let chars = text.chars().count();
            if chars < MIN_SCORING_CHARS {
                return;
            }
            let score = 1.0 + text.matches(',').count() as f64 + (chars as f64 / 100.0).min(3.0);
            let ancestors = element.ancestors().filter_map(ElementRef::wrap).take(2);
            for (level, ancestor) in ancestors.enumerate() {
                let share = if level == 0 { score } else { score / 2.0 };
                let entry = scores.entry(ancestor.id()).or_insert_with(|| {
                    candidates.push(ancestor);
                    0.0
                });
                *entry += share;
            }
        });
        let mut best: Option<(ElementRef<'a>, f64)> = None;
        for candidate in &candidates {
            let score = scores[&candidate.id()] * (1.0 - self.link_density(*candidate, notes));
            scores.insert(candidate.id(), score);
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((*candidate, score));
            }
        }
        let Some((top, top_score)) = best else {
            return Vec::new();
        };
        // Siblings that score nearly as well are part of the article (a body split in two).
        let threshold = (top_score * 0.2).max(10.0);
        let mut parts = vec![top];
        if let Some(parent) = top.parent().and_then(ElementRef::wrap) {
            parts = parent
                .child_elements()
                .filter(|e| {
                    e.id() == top.id()
                        || (!self.skipped(*e, notes)
                            && scores.get(&e.id()).is_some_and(|s| *s >= threshold))
                })
                .collect();
        }
        let mut out = Vec::new();
        let mut current = Paragraph::default();
        let mut stopped = false;
        for part in parts {
            self.flow(part, notes, &mut current, &mut out, &mut stopped);
            flush(&mut current, &mut out);
        }
        out
    }

    /// Visits every element under `element` that is not chrome, in document order.
    fn visit(&self, element: ElementRef<'a>, notes: &Notes, f: &mut impl FnMut(ElementRef<'a>)) {
        for child in element.child_elements() {
            if self.skipped(child, notes) {
                continue;
            }
            f(child);
            self.visit(child, notes, f);
        }
    }

    /// Share of an element's text inside links (references excluded).
    fn link_density(&self, element: ElementRef<'_>, notes: &Notes) -> f64 {
        let total = element.text().map(|t| t.trim().len()).sum::<usize>();
        if total == 0 {
            return 1.0;
        }
        let mut linked = 0;
        for link in element.descendent_elements() {
            if link.value().name() == "a" && !notes.references.contains_key(&link.id()) {
                linked += link.text().map(|t| t.trim().len()).sum::<usize>();
            }
        }
        (linked as f64 / total as f64).min(1.0)
    }

    /// Writes an element's text into paragraphs: a block element starts and ends one.
    fn flow(
        &self,
        element: ElementRef<'a>,
        notes: &Notes,
        current: &mut Paragraph,
        out: &mut Vec<Paragraph>,
        stopped: &mut bool,
    ) {
        for child in element.children() {
            if *stopped {
                return;
            }
            match child.value() {
                Node::Text(text) => current.push_text(text),
                Node::Element(value) => {
                    let Some(child) = ElementRef::wrap(child) else {
                        continue;
                    };
                    if let Some(number) = notes.references.get(&child.id()) {
                        current.text.push_str(&format!("\u{1}{number}\u{2}"));
                        continue;
                    }
                    if self.skipped(child, notes) {
                        continue;
                    }
                    let name = value.name();
                    if name == "br" {
                        current.push_text(" ");
                        continue;
                    }
                    if name == "sup" {
                        let digits = collapse(&child.text().collect::<String>());
                        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                            current.text.push_str(&format!("\u{3}{digits}\u{4}"));
                            continue;
                        }
                    }
                    let heading = matches!(name, "h2" | "h3" | "h4" | "h5" | "h6");
                    if (heading || BLOCK_TAGS.contains(&name))
                        && CHROME_HEADINGS.contains(
                            &collapse(&child.text().collect::<String>())
                                .to_lowercase()
                                .as_str(),
                        )
                    {
                        // "More From", "Related Topics": what follows is not the article.
                        *stopped = true;
                        return;
                    }
                    if name == "h1" {
                        continue;
                    }
                    if BLOCK_TAGS.contains(&name) {
                        flush(current, out);
                        current.heading = heading;
                        self.flow(child, notes, current, out, stopped);
                        flush(current, out);
                    } else {
                        self.flow(child, notes, current, out, stopped);
                    }
                }
                _ => {}
            }
        }
    }
}

fn flush(current: &mut Paragraph, out: &mut Vec<Paragraph>) {
    let paragraph = std::mem::take(current);
    if !paragraph.is_empty() {
        out.push(paragraph);
    }
}

fn is_block(element: &Element) -> bool {
    BLOCK_TAGS.contains(&element.name())
}

/// The footnote number a reference's text shows: `1`, `[1]`, `(1)`, `1)`.
fn reference_number(label: &str) -> Option<u32> {
    let digits = label.trim_matches(|c: char| matches!(c, '[' | ']' | '(' | ')' | ' ' | '^'));
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A note's text without its number label and back links (`[1]`, `1.`, `↩`).
fn note_text(note: ElementRef<'_>) -> String {
    let mut paragraph = Paragraph::default();
    note_flow(note, &mut paragraph);
    let mut text = collapse(&paragraph.text);
    // The label the note starts with.
    if let Some((_, len)) = bracket_number(&text) {
        text = text[len..]
            .trim_start_matches([':', '.'])
            .trim()
            .to_string();
    } else if let Some(rest) = text
        .split_once(['.', ')'])
        .filter(|(n, _)| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
        .map(|(_, rest)| rest)
    {
        text = rest.trim().to_string();
    }
    text.trim_end_matches(['↩', '↑', '\u{fe0e}', '^', ' '])
        .trim()
        .to_string()
}

/// A note's text: links back to `#…` (the back arrow, Word's `[1]` anchor) are left out.
fn note_flow(element: ElementRef<'_>, out: &mut Paragraph) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => out.push_text(text),
            Node::Element(value) => {
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                let name = value.name();
                if matches!(name, "script" | "style") {
                    continue;
                }
                if name == "a" && value.attr("href").is_some_and(|h| h.starts_with('#')) {
                    continue;
                }
                if BLOCK_TAGS.contains(&name) || name == "br" {
                    out.push_text(" ");
                }
                note_flow(child, out);
            }
            _ => {}
        }
    }
}

/// Whitespace collapsed to single spaces (no-break spaces included), trimmed.
pub fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !url.contains(' ')
}

/// `2015-09-28T12:00:00-04:00` → `2015-09-28`; anything else as written.
fn short_date(value: &str) -> String {
    let bytes = value.as_bytes();
    let dated = bytes.len() >= 10
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if dated {
        value[..10].to_string()
    } else {
        value.to_string()
    }
}

/// `<title>` text without a trailing " | Site", " – Site" or " - Site".
fn without_site_name(title: &str) -> String {
    for separator in [" | ", " – ", " — ", " - ", " :: "] {
        if let Some((head, _)) = title.rsplit_once(separator) {
            if head.chars().count() >= 10 {
                return head.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shortened_only_when_they_start_with_a_full_date() {
        assert_eq!(short_date("2015-09-28T12:00:00-04:00"), "2015-09-28");
        assert_eq!(short_date("2015-09-28"), "2015-09-28");
        assert_eq!(short_date("September 28, 2015"), "September 28, 2015");
    }

    #[test]
    fn reference_labels() {
        assert_eq!(reference_number("[12]"), Some(12));
        assert_eq!(reference_number("3"), Some(3));
        assert_eq!(reference_number("(4)"), Some(4));
        assert_eq!(reference_number("Note"), None);
        assert_eq!(reference_number(""), None);
    }

    #[test]
    fn a_page_of_divs_and_pandoc_footnotes() {
        let page = r##"<html><head><title>Divs all the way down</title></head><body>
            <div class="page"><div class="text">
            <div>A first paragraph written in a div, with commas, and enough words.<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a></div>
            <div>A second paragraph, also in a div, with some more words in it.</div>
            </div></div>
            <section class="footnotes" role="doc-endnotes"><hr><ol><li id="fn1"><p>Pandoc's note.<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>
            </body></html>"##;
        let got = extract(page, None);
        assert_eq!(got.title, "Divs all the way down");
        assert_eq!(
            got.paragraphs,
            vec![
                "A first paragraph written in a div, with commas, and enough words.[^1]",
                "A second paragraph, also in a div, with some more words in it."
            ]
        );
        assert_eq!(got.footnotes, vec![(1, "Pandoc's note.".to_string())]);
    }

    #[test]
    fn a_minimal_page() {
        let page = r##"<html><head><title>A title here | Site</title>
            <meta property="article:published_time" content="2020-01-02T03:04:05Z"></head>
            <body><nav><p>Home, About, Contact, and many more links here</p></nav>
            <div class="post"><p>First paragraph, long enough to count as text.<sup><a href="#n1">1</a></sup></p>
            <p>Second paragraph, also long enough, with a [2] plain marker.</p>
            <p>[2] A plain note.</p></div>
            <ol class="notes"><li id="n1">The first note. <a href="#r1">↩</a></li></ol>
            <footer><p>Copyright, all rights reserved, by the site owners.</p></footer></body></html>"##;
        let got = extract(page, Some("https://example.org/a"));
        assert_eq!(
            got,
            Extracted {
                title: "A title here".into(),
                source: Some("https://example.org/a".into()),
                published: Some("2020-01-02".into()),
                paragraphs: vec![
                    "First paragraph, long enough to count as text.[^1]".into(),
                    "Second paragraph, also long enough, with a [^2] plain marker.".into(),
                ],
                footnotes: vec![(1, "The first note.".into()), (2, "A plain note.".into())],
            }
        );
    }
}
