//! Article files as arbitrary bytes: decoding and parsing (both formats) must return a
//! result or an error, never panic or hang.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use summit_bot::ingest::parse::decode;
use summit_bot::ingest::{parse_article, Format};

fuzz_target!(|data: &[u8]| {
    // As `ingest::load_file` does: UTF-8 first (errors name the line), then the parser.
    let Ok(text) = decode(Path::new("fuzz.txt"), data) else {
        return;
    };
    for (name, format) in [("fuzz.txt", Format::Plain), ("fuzz.md", Format::Markdown)] {
        if let Ok(article) = parse_article(Path::new(name), &text, format) {
            // Whatever parses must be usable downstream.
            for point in &article.points {
                let _ = point.short_title(100);
            }
            for passage in &article.passages {
                for sentence in &passage.sentences {
                    assert!(passage.text.get(sentence.start..sentence.end).is_some());
                }
            }
        }
    }
});
