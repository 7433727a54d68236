//! What kind of answer a question asks for, and whether a passage holds one: the classic
//! answer-type check of question answering. "When do the talks start?" wants a date, "how
//! often" a frequency, "how tall" a number with a unit, "who" a person or an office, "why" a
//! cause, "what is it for" a purpose, "which report" or "where is that from" a cited source.
//! Word and sentence matching do not see this: a passage that shares the question's words but
//! holds no date is a worse answer to "when" than one that shares them and names a year. The
//! type orders passages (a bonus in the score) and never makes an answer of a passage the
//! other signals refuse; some kinds must be held (`AnswerType::must_be_held`): without
//! them a passage is no answer.
//!
//! English only, like the rest of the question analysis: the cues are wh-words and the
//! forms answers of each kind take (years and month names, "per year", titles of office).

/// The kind of answer a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    /// "when", "what year": a year, a month or a day.
    Time,
    /// "how often": a rate ("twice per year", "annually").
    Frequency,
    /// "how many", "how much": a number.
    Quantity,
    /// "who": a person or an office ("the Secretary of Homeland Security").
    Person,
    /// "which report", "where is that from": a cited source.
    Source,
    /// "why": a cause ("following the indictment").
    Reason,
    /// "what is it for", "what's the purpose of": what something is meant to do ("a hotline
    /// to address serious security issues").
    Purpose,
}

/// Month names: a date in running text.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// Words that say how often something happens.
const RATE_WORDS: &[&str] = &[
    "annually",
    "annual",
    "yearly",
    "monthly",
    "weekly",
    "daily",
    "twice",
    "once",
    "biannual",
    "quarterly",
];
/// Words that name a day relative to now.
const DAY_WORDS: &[&str] = &["today", "tomorrow", "yesterday", "tonight"];
/// Words before a unit of time that make it a time ("this month", "next week", "last year").
const RELATIVE: &[&str] = &["this", "next", "last", "previous", "coming"];
/// Units a rate is counted in ("per year", "a month", "every week").
const RATE_UNITS: &[&str] = &["year", "month", "week", "day", "quarter"];
/// Number words.
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "dozen", "hundred", "thousand", "million", "billion", "twice",
];
/// Titles of office, written capitalised before a name or an office: a person.
const TITLES: &[&str] = &[
    "President",
    "Secretary",
    "Minister",
    "Attorney",
    "General",
    "Chairman",
    "Chairwoman",
    "Director",
    "Ambassador",
    "Senator",
    "Governor",
    "Premier",
    "Chancellor",
    "Mayor",
    "King",
    "Queen",
    "Prince",
    "Judge",
    "Commissioner",
];
/// Words that introduce a cause, or say the text gives one ("the motives … why hackers …").
const CAUSE_WORDS: &[&str] = &[
    "because",
    "following",
    "due",
    "owing",
    "since",
    "why",
    "reason",
    "reasons",
    "motive",
    "motives",
];
/// Question words that ask for a source.
const SOURCE_WORDS: &[&str] = &[
    "source",
    "sources",
    "cite",
    "cites",
    "cited",
    "citation",
    "reference",
    "report",
    "reported",
    "reports",
    "outlet",
    "publication",
    "headline",
];

/// Verbs of reporting: "who" with one of them asks for a source, not a person.
const REPORTING_VERBS: &[&str] = &[
    "report",
    "reported",
    "reports",
    "publish",
    "published",
    "publishes",
];

/// Question words that name the kind of answer asked for rather than what it is about
/// ("on what *date*", "which *story* does it *cite*", "which *outlet*"): the answer itself
/// meets them (a date, a citation), and a text rarely writes them.
const TIME_NOUNS: &[&str] = &["date", "dates", "day", "year", "month", "time", "dated"];
const SOURCE_NOUNS: &[&str] = &[
    "source",
    "sources",
    "sourced",
    "cite",
    "cites",
    "cited",
    "citing",
    "citation",
    "citations",
    "reference",
    "references",
    "referenced",
    "footnote",
    "footnotes",
    "report",
    "reported",
    "reports",
    "reporting",
    "outlet",
    "outlets",
    "publication",
    "published",
    "story",
    "stories",
    "headline",
    "headlines",
    "article",
    "articles",
    "piece",
    "newspaper",
    "paper",
    "document",
];
const FREQUENCY_NOUNS: &[&str] = &["often", "frequently", "frequency"];
/// Question words that ask what something is for ("what's the *purpose* of the hotline",
/// "what is it *supposed* to do"): the answer states the purpose, rarely with these words.
const PURPOSE_NOUNS: &[&str] = &[
    "purpose",
    "purposes",
    "aim",
    "aims",
    "goal",
    "goals",
    "objective",
    "objectives",
    "supposed",
    "meant",
];
/// Phrases that state a purpose in running text (beside an infinitive after the thing named,
/// which only the question can point at: see `Candidate::holds` in `retrieve/mod.rs`). The
/// nouns ("with the same objective") say that there is one, not what it is.
const PURPOSE_PHRASES: &[&[&str]] = &[
    &["in", "order", "to"],
    &["so", "as", "to"],
    &["aimed", "at"],
    &["designed", "to"],
    &["intended", "to"],
];

impl AnswerType {
    /// Whether a question's lowercase `word` names this kind of answer rather than what the
    /// question is about ("date" of "on what date…", "story" and "cite" of "which story does
    /// it cite"): a passage holding this kind of answer meets such a word.
    pub fn is_type_word(self, word: &str) -> bool {
        let nouns: &[&str] = match self {
            AnswerType::Time => TIME_NOUNS,
            AnswerType::Source => SOURCE_NOUNS,
            AnswerType::Frequency => FREQUENCY_NOUNS,
            AnswerType::Purpose => PURPOSE_NOUNS,
            AnswerType::Quantity | AnswerType::Person | AnswerType::Reason => &[],
        };
        nouns.contains(&word)
    }

    /// Whether an answer must hold this kind: a number for "how many", a date for "when", a
    /// citation for "which report". The others are told too loosely from a text (a "who" may be answered by a country,
    /// a "why" without "because"), so they only order passages.
    pub fn must_be_held(self) -> bool {
        matches!(
            self,
            AnswerType::Quantity | AnswerType::Time | AnswerType::Source
        )
    }

    /// The answer type a question asks for, if it asks for one, from its lowercase words
    /// ([`words_of`] of the lowercased question).
    pub fn of_question(words: &[&str]) -> Option<AnswerType> {
        let has = |w: &str| words.contains(&w);
        let pair = |a: &str, b: &[&str]| words.windows(2).any(|p| p[0] == a && b.contains(&p[1]));
        if pair("how", &["often", "frequently"]) || (pair("how", &["many"]) && has("times")) {
            Some(AnswerType::Frequency)
        } else if pair("how", &["many", "much"]) || asks_for_measure(words) {
            Some(AnswerType::Quantity)
        } else if has("when")
            || pair("what", &["year", "date", "day", "month"])
            || pair("which", &["year", "date", "day", "month"])
        {
            Some(AnswerType::Time)
        } else if has("who") && words.iter().any(|w| REPORTING_VERBS.contains(w)) {
            // "Who reported that?", "who published it?": whoever reported is the source.
            Some(AnswerType::Source)
        } else if has("who") || has("whom") || asks_for_named_person(words) {
            // "What's the name of the press secretary?" asks for a person as "who" does.
            Some(AnswerType::Person)
        } else if words.iter().any(|w| SOURCE_WORDS.contains(w)) || has("where") && has("from") {
            Some(AnswerType::Source)
        } else if has("why") {
            Some(AnswerType::Reason)
        } else if asks_for_purpose(words) {
            Some(AnswerType::Purpose)
        } else {
            None
        }
    }

    /// Whether `text` (a passage or a footnote) holds an answer of this type. A source is a
    /// citation, which only the passage's footnotes can tell: see [`AnswerType::passage_holds`].
    pub fn text_holds(self, text: &str) -> bool {
        match self {
            AnswerType::Time => {
                // Month names count capitalised only: "may" is mostly a verb.
                let words: Vec<&str> = words_of(text).collect();
                words.iter().any(|w| {
                    is_year(w)
                        || is_decade(w)
                        || w.starts_with(|c: char| c.is_uppercase())
                            && MONTHS.contains(&w.to_lowercase().as_str())
                        || DAY_WORDS.contains(&w.to_lowercase().as_str())
                }) || words.windows(2).any(|p| {
                    // "by the end of this month", "next week"
                    RELATIVE.contains(&p[0].to_lowercase().as_str())
                        && RATE_UNITS.contains(&p[1].to_lowercase().as_str())
                })
            }
            AnswerType::Frequency => {
                let words = lowercase_words(text);
                words.iter().any(|w| RATE_WORDS.contains(&w.as_str()))
                    || words.windows(2).any(|p| {
                        matches!(p[0].as_str(), "per" | "a" | "an" | "every" | "each")
                            && RATE_UNITS.contains(&p[1].trim_end_matches('s'))
                    })
            }
            AnswerType::Quantity => {
                let words: Vec<&str> = words_of(text).collect();
                (0..words.len()).any(|i| is_count(&words, i))
            }
            AnswerType::Person => words_of(text).any(|w| TITLES.contains(&w)),
            AnswerType::Reason => {
                let words = lowercase_words(text);
                words.iter().any(|w| CAUSE_WORDS.contains(&w.as_str()))
                    || words
                        .windows(3)
                        .any(|p| p[0] == "as" && p[1] == "a" && p[2] == "result")
            }
            AnswerType::Source => {
                let words = lowercase_words(text);
                words
                    .windows(2)
                    .any(|p| p[0] == "according" && p[1] == "to")
            }
            AnswerType::Purpose => {
                let words = lowercase_words(text);
                PURPOSE_PHRASES
                    .iter()
                    .any(|phrase| words.windows(phrase.len()).any(|w| w == *phrase))
            }
        }
    }

    /// Whether a passage, with the footnotes it cites, holds an answer of this type. A
    /// citation's closing date is when the source appeared, not when anything it reports
    /// happened: it holds no time here (see [`AnswerTypes::answers`]).
    pub fn passage_holds(self, text: &str, footnotes: &[&str]) -> bool {
        if self == AnswerType::Source && !footnotes.is_empty() {
            return true;
        }
        self.text_holds(text)
            || footnotes.iter().any(|&f| match self {
                AnswerType::Time => self.text_holds(without_publication_date(f)),
                _ => self.text_holds(f),
            })
    }

    /// Bit of this type in [`AnswerTypes`].
    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// What a question asks for, read once from its lowercase words and checked against each
/// candidate's [`AnswerTypes`]: the kind, and what narrows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    /// The kind of answer.
    pub kind: AnswerType,
    /// A "how much" with a word of cost, pay or worth: an amount of money
    /// ([`asks_for_money`]).
    money: bool,
    /// A "how tall is …", "how old was …": a measure, which a bare count does not give
    /// ([`asks_for_measure`]).
    measure: bool,
    /// A "who" asking for the name of an office's holder ([`asks_for_named_person`]): the
    /// titles it names, as bits of [`TITLES`] (0 when it asks for no holder's name).
    named: u32,
    /// The question asks when something was published, announced, reported or said: a
    /// cited source's date answers it.
    publication: bool,
}

impl Asked {
    /// What the question of lowercase `words` asks for, if it asks for a kind of answer.
    pub fn of_question(words: &[&str]) -> Option<Asked> {
        let kind = AnswerType::of_question(words)?;
        Some(Asked {
            kind,
            money: kind == AnswerType::Quantity && asks_for_money(words),
            measure: kind == AnswerType::Quantity && asks_for_measure(words),
            named: if kind != AnswerType::Person || !asks_for_named_person(words) {
                0
            } else {
                // The names of people of no office: any title before a name answers.
                match titles_named(words) {
                    0 => u32::MAX,
                    titles => titles,
                }
            },
            publication: words
                .iter()
                .any(|w| PUBLICATION_WORDS.contains(w) || AnswerType::Source.is_type_word(w)),
        })
    }

    /// Whether an answer must hold it ([`AnswerType::must_be_held`]): a "who" too when it
    /// asks for the name of an office's holder.
    pub fn must_be_held(self) -> bool {
        self.kind.must_be_held() || self.named != 0
    }
}

/// The answer types a passage holds, as a bit set (computed once per passage), and the
/// titles it writes before a name ("President Barack Obama"), as bits of [`TITLES`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnswerTypes(u16, u32);

// Each title has a bit of a `u32`.
const _: () = assert!(TITLES.len() <= 32);

/// Bit of [`AnswerTypes`] past the kinds: a cited source's publication date.
const PUBLISHED_BIT: u16 = 1 << 7;
/// Bit of [`AnswerTypes`] past the kinds: an amount of money.
const MONEY_BIT: u16 = 1 << 8;
/// Bit of [`AnswerTypes`] past the kinds: a measure (a number with a unit of size, age,
/// distance or weight).
const MEASURE_BIT: u16 = 1 << 9;

/// Nouns for people that a question may ask the names of ("what were the names of the
/// indicted officers?").
const PEOPLE_NOUNS: &[&str] = &[
    "officers",
    "officials",
    "hackers",
    "suspects",
    "people",
    "members",
    "spies",
    "agents",
    "individuals",
    "perpetrators",
    "culprits",
    "negotiators",
    "diplomats",
    "leaders",
];

/// Whether lowercase `words` ask for the name of whoever holds an office: they name a title
/// ("attorney general", "press secretary") and ask "who is/was the …" or for its "name"; or
/// they ask for the names of people ("the names of the indicted officers"). An office the
/// text names without its holder ("the U.S. Attorney General will co-chair") answers "who
/// chairs the talks?", not "who is the attorney general?".
pub fn asks_for_named_person(words: &[&str]) -> bool {
    let who_is = words.windows(2).any(|p| {
        matches!(p[0], "who" | "whos") && matches!(p[1], "is" | "was" | "s" | "are" | "were")
    }) || words.first() == Some(&"whos");
    let asks_name = words.contains(&"name") || words.contains(&"names");
    (who_is || asks_name) && titles_named(words) != 0 || asks_for_peoples_names(words)
}

/// Whether lowercase `words` ask for the names of people of no office ("what were the names
/// of the hackers?", "who were the officials that got indicted?"): any person named after a
/// title answers.
fn asks_for_peoples_names(words: &[&str]) -> bool {
    // "who were the officials that got indicted?", "who are the indicted officers?": the
    // people noun right after "the" or one word later.
    let who_were_they = words.windows(3).enumerate().any(|(at, w)| {
        matches!(w[0], "who" | "whos")
            && matches!(w[1], "are" | "were")
            && w[2] == "the"
            && words[at + 3..]
                .iter()
                .take(2)
                .any(|w| PEOPLE_NOUNS.contains(w))
    });
    words.contains(&"names") && words.iter().any(|w| PEOPLE_NOUNS.contains(w)) || who_were_they
}

/// The titles lowercase `words` name ("attorney general": Attorney and General), as bits of
/// [`TITLES`]; a plural counts ("secretaries" does not, "ministers" does).
fn titles_named(words: &[&str]) -> u32 {
    words.iter().fold(0, |bits, w| {
        let singular = w.strip_suffix('s').unwrap_or(w);
        TITLES
            .iter()
            .enumerate()
            .filter(|(_, t)| t.eq_ignore_ascii_case(w) || t.eq_ignore_ascii_case(singular))
            .fold(bits, |bits, (i, _)| bits | 1 << i)
    })
}

/// The titles `text` writes before a person's name, as bits of [`TITLES`]: a capitalised
/// title followed, after one space, by a capitalised word that is no title ("President
/// Barack Obama": President); "Secretary of Homeland Security", "Attorney General will" and
/// "Press Secretary, “Factsheet" name none.
fn titled_names(text: &str) -> u32 {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    tokens.windows(2).fold(0, |bits, pair| {
        let title = pair[0].trim_start_matches(|c: char| !c.is_alphanumeric());
        let name = pair[1];
        let names = name.starts_with(|c: char| c.is_uppercase())
            && !TITLES.contains(&name.trim_end_matches(|c: char| !c.is_alphanumeric()));
        match TITLES.iter().position(|t| *t == title) {
            Some(i) if names => bits | 1 << i,
            _ => bits,
        }
    })
}

/// Question words that make a "how much" ask for money.
const MONEY_QUESTION_WORDS: &[&str] = &[
    "cost", "costs", "costed", "pay", "paid", "pays", "worth", "earn", "earns", "earned", "price",
    "priced", "money", "spend", "spent", "budget", "salary", "charge", "charges", "fund",
    "funding", "fee", "fees",
];
/// Currency words after a number ("5 million dollars").
const CURRENCY_WORDS: &[&str] = &[
    "dollar", "dollars", "usd", "euro", "euros", "eur", "pound", "pounds", "gbp", "yuan",
    "renminbi", "rmb", "yen", "cents",
];

/// Whether lowercase `words` ask for an amount of money: "how much" with a word of cost,
/// pay or worth ("how much did it cost?", "how much are they paid?").
pub fn asks_for_money(words: &[&str]) -> bool {
    words.windows(2).any(|p| p == ["how", "much"])
        && words.iter().any(|w| MONEY_QUESTION_WORDS.contains(w))
}

/// Units a measure is given in ("two metres", "57 years old", "300 miles").
const MEASURE_UNITS: &[&str] = &[
    "years",
    "old",
    "feet",
    "foot",
    "ft",
    "inches",
    "inch",
    "metres",
    "meters",
    "metre",
    "meter",
    "m",
    "cm",
    "km",
    "kilometres",
    "kilometers",
    "miles",
    "mile",
    "pounds",
    "lbs",
    "kg",
    "kilograms",
    "tons",
    "tonnes",
    "acres",
    "hectares",
    "percent",
    "storeys",
    "stories",
    "floors",
    "degrees",
];

/// Whether `text` holds a measure: a number followed by a unit ("1.8 metres", "five feet",
/// "69 years old", "25%"). "Four points" counts but measures nothing.
fn holds_measure(text: &str) -> bool {
    let percent = text
        .char_indices()
        .any(|(at, c)| c == '%' && text[..at].ends_with(|d: char| d.is_ascii_digit()));
    let words: Vec<String> = lowercase_words(text);
    percent
        || words.windows(2).any(|p| {
            (p[0].bytes().all(|d| d.is_ascii_digit()) || NUMBER_WORDS.contains(&p[0].as_str()))
                && MEASURE_UNITS.contains(&p[1].as_str())
        })
}

/// Whether `text` holds an amount of money: a currency sign before a digit ("$5", "€20") or
/// a currency word after a number ("300 dollars", "five million euros").
fn holds_money(text: &str) -> bool {
    let sign = text.char_indices().any(|(at, c)| {
        "$€£¥".contains(c) && text[at + c.len_utf8()..].starts_with(|d: char| d.is_ascii_digit())
    });
    let words: Vec<String> = lowercase_words(text);
    sign || words.iter().enumerate().any(|(i, w)| {
        CURRENCY_WORDS.contains(&w.as_str())
            && words[i.saturating_sub(3)..i].iter().any(|b| {
                b.bytes().all(|d| d.is_ascii_digit()) || NUMBER_WORDS.contains(&b.as_str())
            })
    })
}

impl AnswerTypes {
    /// Every type `text` with its cited `footnotes` holds.
    pub fn of_passage(text: &str, footnotes: &[&str]) -> AnswerTypes {
        // A footnote marker ("…prospectively”. [4]") is no count.
        let text = &crate::ingest::markers::without_markers(text);
        let all = [
            AnswerType::Time,
            AnswerType::Frequency,
            AnswerType::Quantity,
            AnswerType::Person,
            AnswerType::Source,
            AnswerType::Reason,
            AnswerType::Purpose,
        ];
        let kinds = all
            .into_iter()
            .filter(|t| t.passage_holds(text, footnotes))
            .fold(0, |bits, t| bits | t.bit());
        let published = footnotes.iter().any(|f| AnswerType::Time.text_holds(f));
        let money = holds_money(text) || footnotes.iter().any(|f| holds_money(f));
        let measure = holds_measure(text) || footnotes.iter().any(|f| holds_measure(f));
        // A cited work's title ("“Remarks by President Obama…”") names whom it is about, not
        // who holds an office.
        let titled = footnotes.iter().fold(titled_names(text), |bits, f| {
            bits | titled_names(&crate::text::split_quoted(f).1)
        });
        AnswerTypes(
            kinds
                | if published { PUBLISHED_BIT } else { 0 }
                | if money { MONEY_BIT } else { 0 }
                | if measure { MEASURE_BIT } else { 0 },
            titled,
        )
    }

    /// Whether the set holds `kind`.
    pub fn contains(self, kind: AnswerType) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether a passage with this set answers what a question asks for: as
    /// [`AnswerTypes::contains`] (an amount of money, or a person named after a title the
    /// question names when it asks for an office holder: "President Obama" does not say who
    /// the press secretary was), and a question about when something was published, announced or reported is
    /// also answered by a cited source's date ("when was the factsheet released?"), which
    /// answers no other "when".
    pub fn answers(self, asked: Asked) -> bool {
        if asked.measure {
            return self.0 & MEASURE_BIT != 0;
        }
        if asked.money {
            return self.0 & MONEY_BIT != 0;
        }
        if asked.named != 0 {
            return self.1 & asked.named != 0;
        }
        self.contains(asked.kind) || asked.kind == AnswerType::Time && self.dates_publication(asked)
    }

    /// Whether a cited source's date answers the question: it asks when something was
    /// published, announced, reported or said.
    pub fn dates_publication(self, asked: Asked) -> bool {
        self.0 & PUBLISHED_BIT != 0 && asked.publication
    }
}

/// Words that ask about the present, the time a question is asked rather than the time the
/// text was written ("has anyone been sued yet?", "who is the attorney general rn?"). "Now"
/// and "still" are left out: they mostly ask what the text's own news changed ("is there a
/// hotline now?", "are defense contractors still targets?").
const PRESENT_WORDS: &[&str] = &[
    "yet",
    "rn",
    "anymore",
    "nowadays",
    "currently",
    "presently",
    "today",
];
/// Pairs of words that do the same ("so far", "right now").
const PRESENT_PAIRS: &[[&str; 2]] = &[
    ["so", "far"],
    ["right", "now"],
    ["these", "days"],
    ["to", "date"],
];

/// Whether lowercase `words` ask about the present: what has happened by now, which a dated
/// text says only where it speaks of its own present ([`speaks_of_the_present`]).
pub fn asks_about_the_present(words: &[&str]) -> bool {
    words.iter().any(|w| PRESENT_WORDS.contains(w))
        || words
            .windows(2)
            .any(|p| PRESENT_PAIRS.iter().any(|pair| p == pair))
}

/// Whether `text` speaks of its own present in the words such a question uses ("today there
/// are 100 such laws", "so far"): then it may answer one. ("China now distinguishes …" says
/// what the news changed, not what has happened since.)
pub fn speaks_of_the_present(text: &str) -> bool {
    let words = lowercase_words(text);
    words.iter().any(|w| PRESENT_WORDS.contains(&w.as_str()))
        || words.windows(2).any(|p| {
            PRESENT_PAIRS
                .iter()
                .any(|pair| p[0] == pair[0] && p[1] == pair[1])
        })
}

/// Question words about a text's appearing rather than an event: with them a citation's
/// date answers "when".
const PUBLICATION_WORDS: &[&str] = &[
    "announce",
    "announced",
    "announcement",
    "release",
    "released",
    "issued",
    "publish",
    "statement",
    "factsheet",
    "press",
    "written",
    "wrote",
    "write",
    "say",
    "says",
    "said",
    "talk",
    "talked",
    "speak",
    "spoke",
    "speech",
    "remarks",
    "declare",
    "declared",
];

/// Whether a footnote holds a time other than its closing publication date.
pub fn footnote_holds_time(footnote: &str) -> bool {
    AnswerType::Time.text_holds(without_publication_date(footnote))
}

/// A footnote without the date it closes with, when it closes with one: the last part
/// after a comma or an opening parenthesis, of a few words, holding a year or a month
/// ("…, Bloomberg, May 20, 2014.", "In _Rolling Stone_ (1972)") is a citation's publication
/// date. A date inside the note ("held twice per year starting at the end of 2015. The
/// U.S. …") stays.
fn without_publication_date(footnote: &str) -> &str {
    let body = footnote.trim_end_matches(|c: char| c.is_whitespace() || ".)".contains(c));
    // The date itself may hold a comma ("May 20, 2014"): look back over two parts.
    let cuts: Vec<usize> = body
        .rmatch_indices([',', '('])
        .map(|(at, _)| at)
        .take(2)
        .collect();
    for &cut in cuts.iter().rev() {
        let tail = &body[cut + 1..];
        if words_of(tail).count() <= 4 && AnswerType::Time.text_holds(tail) {
            return &footnote[..cut];
        }
    }
    footnote
}

/// Head nouns after "how many" that name no unit of their own ("how many things did they
/// agree on?", "how many of them").
const GENERIC_COUNTED: &[&str] = &["things", "ones", "items", "times", "of", "kinds", "types"];
/// Words that end the noun phrase a "how many" counts ("how many osce states *have* …").
const COUNTED_ENDS: &[&str] = &[
    "do", "does", "did", "are", "is", "was", "were", "have", "has", "had", "will", "would", "can",
    "could", "should", "in", "of", "for", "at", "on", "to", "with", "by", "from", "that", "which",
    "who", "there", "the", "got", "get",
];
/// Words that count besides numbers ("a pair of Industry Day events").
const COUNT_NOUNS: &[&str] = &[
    "pair",
    "couple",
    "dozens",
    "hundreds",
    "thousands",
    "millions",
];
/// How far before a counted noun its number may stand ("48 of the 56 member states").
const COUNT_REACH: usize = 4;

/// The noun a "how many" question counts, from its lowercase words: the last word of the
/// phrase after "how many" ("how many osce states have…" → "states"), unless it names no
/// unit ("things") or there is none ("how many were there?").
pub fn counted_noun<'w>(words: &[&'w str]) -> Option<&'w str> {
    let at = words.windows(2).position(|p| p == ["how", "many"])? + 2;
    let head = words[at..]
        .iter()
        .take_while(|w| !COUNTED_ENDS.contains(w))
        .last()?;
    (!GENERIC_COUNTED.contains(head)).then_some(*head)
}

/// Whether `before` (a text up to a counted noun) ends with a count within a few words:
/// "two duties", "48 of the 56 member states", "a pair of Industry Day events"; a year is
/// no count, nor is a footnote marker ("[4]").
pub fn count_before(before: &str) -> bool {
    let before = crate::ingest::markers::without_markers(before);
    let words: Vec<&str> = words_of(&before).collect();
    let from = words.len().saturating_sub(COUNT_REACH);
    (from..words.len())
        .any(|i| is_count(&words, i) || COUNT_NOUNS.contains(&words[i].to_lowercase().as_str()))
}

/// Whether `words[i]` is a count: a number word, or digits that are neither a year, the day
/// of a date ("May 20") nor an identifier ("Executive Order 13694").
fn is_count(words: &[&str], i: usize) -> bool {
    let w = words[i];
    let after_capital = i
        .checked_sub(1)
        .is_some_and(|b| words[b].starts_with(|c: char| c.is_uppercase()));
    NUMBER_WORDS.contains(&w.to_lowercase().as_str())
        || w.bytes().any(|b| b.is_ascii_digit()) && !is_year(w) && !after_capital
}

/// Adjectives of size, age and distance that "how … is" asks to measure.
const MEASURES: &[&str] = &[
    "old", "tall", "far", "high", "big", "large", "heavy", "wide", "deep",
];
/// Forms of "be" after a measure ("how old is he", "how high were the tariffs").
const BE_FORMS: &[&str] = &["is", "are", "was", "were"];

/// Whether lowercase `words` ask for a measure: "how old is …", "how big are …" (a number,
/// like "how many"; "how big a deal is this" and "how long will it take" ask for a judgement
/// the text may give in words).
fn asks_for_measure(words: &[&str]) -> bool {
    words
        .windows(3)
        .any(|w| w[0] == "how" && MEASURES.contains(&w[1]) && BE_FORMS.contains(&w[2]))
}

/// Whether `word` is a number written out ("one", "twelve", "dozen"), in any case.
pub fn is_number_word(word: &str) -> bool {
    NUMBER_WORDS.contains(&word.to_lowercase().as_str())
}

/// Whether lowercase `words` ask what something is for: "what is the hotline for", "what's
/// the working group supposed to do", "what is the purpose of the talks". A "what … for" needs
/// a form of "be" ("what did they ask for" asks for a thing).
fn asks_for_purpose(words: &[&str]) -> bool {
    let what_is_for = matches!(words.first(), Some(&"what") | Some(&"whats"))
        && words.last() == Some(&"for")
        && (words.first() == Some(&"whats")
            || words
                .iter()
                .any(|w| matches!(*w, "is" | "are" | "was" | "were" | "s")));
    let supposed = words
        .windows(2)
        .any(|p| matches!(p[0], "supposed" | "meant") && p[1] == "to");
    let named = words
        .windows(2)
        .any(|p| matches!(p[0], "purpose" | "aim" | "goal" | "objective") && p[1] == "of");
    what_is_for || supposed || named
}

/// Whether `text`, right after a word the question names, states its purpose: " to " and a
/// lowercase word ("a hotline| to address serious security issues"), not "to the" or "to
/// China".
pub fn purpose_follows(text: &str) -> bool {
    let Some(rest) = text.strip_prefix(" to ") else {
        return false;
    };
    let next: &str = rest
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    next.starts_with(|c: char| c.is_lowercase())
        && !matches!(
            next,
            "the"
                | "a"
                | "an"
                | "its"
                | "their"
                | "his"
                | "her"
                | "this"
                | "that"
                | "these"
                | "those"
                | "be"
                | "date"
        )
}

/// Words of `text`: runs of letters and digits (so "2015," is "2015", "U.S." is "U", "S").
/// The checks on a question's form ([`AnswerType::of_question`],
/// [`super::intent::is_personal_request`]) read those of the lowercased question.
pub fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

fn lowercase_words(text: &str) -> Vec<String> {
    words_of(text).map(str::to_lowercase).collect()
}

/// A decade: "1960s", "80s".
fn is_decade(word: &str) -> bool {
    word.strip_suffix('s').is_some_and(|digits| {
        (digits.len() == 4 && is_year(digits) || digits.len() == 2)
            && digits.ends_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A year of the last or this millennium written in digits.
fn is_year(word: &str) -> bool {
    word.len() == 4
        && word.bytes().all(|b| b.is_ascii_digit())
        && matches!(word.as_bytes()[0], b'1' | b'2')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_about_the_present_needs_a_text_that_speaks_of_its_own() {
        let asks = |q: &'static str| asks_about_the_present(&words_of(q).collect::<Vec<_>>());
        assert!(asks("has any chinese company been sued yet"));
        assert!(asks("whos been hit with those sanctions so far"));
        assert!(asks("whos the attorney general rn"));
        assert!(!asks("is there a hotline between the us and china now"));
        assert!(!asks("are defense contractors still targets"));
        assert!(!asks("how far does the agreement go"));
        assert!(speaks_of_the_present("Today there are 100 such laws."));
        assert!(!speaks_of_the_present(
            "China now publicly distinguishes between them."
        ));
        assert!(!speaks_of_the_present(
            "Dialogues will be held twice per year."
        ));
    }

    #[test]
    fn question_types_come_from_wh_words() {
        let cases = [
            ("When do the dialogues begin?", Some(AnswerType::Time)),
            ("what year was it set up", Some(AnswerType::Time)),
            (
                "How often will the officials meet?",
                Some(AnswerType::Frequency),
            ),
            (
                "how many times a year do they meet",
                Some(AnswerType::Frequency),
            ),
            (
                "How many points did they agree on?",
                Some(AnswerType::Quantity),
            ),
            ("how old is he", Some(AnswerType::Quantity)),
            ("how big a deal is this", None),
            ("how long will it take", None),
            ("Who leads the talks?", Some(AnswerType::Person)),
            ("who reported that?", Some(AnswerType::Source)),
            ("Who published the story?", Some(AnswerType::Source)),
            ("which news report covered it", Some(AnswerType::Source)),
            ("Where is that quote from?", Some(AnswerType::Source)),
            ("Why was the dialogue shut down?", Some(AnswerType::Reason)),
            ("whats the hotline for", Some(AnswerType::Purpose)),
            (
                "What is the working group supposed to do?",
                Some(AnswerType::Purpose),
            ),
            ("what's the purpose of the talks", Some(AnswerType::Purpose)),
            ("what did they ask for", None),
            ("what is the first point of the agreement", None),
            ("Is there a hotline?", None),
            ("Where is the summit?", None),
        ];
        for (question, expected) in cases {
            let lower = question.to_lowercase();
            let words: Vec<&str> = words_of(&lower).collect();
            assert_eq!(AnswerType::of_question(&words), expected, "{question}");
        }
    }

    #[test]
    fn passages_hold_the_forms_answers_take() {
        let held = AnswerTypes::of_passage(
            "The dialogue was shut down in 2014 following the indictment.",
            &["Dialogues will be held twice per year. The U.S. Attorney General will co-chair."],
        );
        for kind in [
            AnswerType::Time,
            AnswerType::Frequency,
            AnswerType::Quantity,
            AnswerType::Person,
            AnswerType::Source,
            AnswerType::Reason,
        ] {
            assert!(held.contains(kind), "{kind:?}");
        }
        let none = AnswerTypes::of_passage("A hotline to address serious security issues.", &[]);
        assert_eq!(none, AnswerTypes::default());
        let none = AnswerTypes::of_passage("to go after cybercriminals”. [4] The tool kit", &[]);
        assert_eq!(none, AnswerTypes::default());
        // A title only counts capitalised; "general" and "may" in running text are words.
        assert!(!AnswerType::Person.text_holds("the general public"));
        assert!(AnswerType::Time.text_holds("signed on May 20"));
        assert!(!AnswerType::Time.text_holds("they may agree"));
        assert!(AnswerType::Time.text_holds("in the 1960s around MIT"));
        assert!(AnswerType::Time.text_holds("By the end of this month, GSA will"));
        assert!(!AnswerType::Time.text_holds("at the end of the line"));
        assert!(AnswerType::Frequency.text_holds("they meet every week"));
        // A count, not a year, a date's day or an identifier.
        assert!(AnswerType::Quantity.text_holds("four points"));
        assert!(AnswerType::Quantity.text_holds("about 300 firms"));
        assert!(!AnswerType::Quantity.text_holds("in 2013, and on September 25"));
        assert!(!AnswerType::Quantity.text_holds("under Executive Order 13694"));
        assert!(AnswerType::Source.text_holds("According to the White House factsheet"));
        // A text that says it gives the causes holds a reason.
        assert!(AnswerType::Reason.text_holds("Four motives have been proposed for why hackers"));
        assert!(!AnswerType::Reason.text_holds("Hackers break into computers."));
        // A purpose is stated by its phrases, or by an infinitive after the thing the
        // question names (which only the question can point at).
        assert!(AnswerType::Purpose.text_holds("a fund set up in order to help"));
        assert!(!AnswerType::Purpose.text_holds("a dialogue with the same objective"));
        assert!(purpose_follows(" to deter the spread"));
        assert!(!purpose_follows(" to the United States"));
        assert!(!purpose_follows(" to China"));
        assert!(!purpose_follows(" to be identified"));
        assert!(is_number_word("One") && !is_number_word("someone"));
    }

    #[test]
    fn how_much_with_a_word_of_cost_asks_for_money() {
        let words = |q: &'static str| words_of(q).collect::<Vec<_>>();
        assert!(asks_for_money(&words("how much did the hotline cost")));
        assert!(!asks_for_money(&words("how much do they know")));
        let ask = Asked::of_question(&words("how much are they paid")).unwrap();
        let paid = AnswerTypes::of_passage("Officers are paid $4,000 a month.", &[]);
        let counted = AnswerTypes::of_passage("Two officers answer within twenty minutes.", &[]);
        assert_eq!(ask.kind, AnswerType::Quantity);
        assert!(ask.must_be_held());
        assert!(paid.answers(ask));
        assert!(!counted.answers(ask));
        assert!(AnswerTypes::of_passage("a grant of five million euros", &[]).answers(ask));
    }

    #[test]
    fn how_tall_asks_for_a_measure_which_a_count_does_not_give() {
        let words = |q: &'static str| words_of(q).collect::<Vec<_>>();
        let ask = Asked::of_question(&words("how tall is xi jinping")).unwrap();
        assert_eq!(ask.kind, AnswerType::Quantity);
        assert!(!AnswerTypes::of_passage("the leaders agreed on four points", &[]).answers(ask));
        assert!(AnswerTypes::of_passage("He is 1.80 metres tall.", &[]).answers(ask));
        assert!(AnswerTypes::of_passage("a wall five feet high", &[]).answers(ask));
        assert!(AnswerTypes::of_passage("tariffs of 25% on steel", &[]).answers(ask));
        assert!(AnswerTypes::of_passage("at 57 years old", &[]).answers(ask));
        // "How many" still takes any count.
        let many = Asked::of_question(&words("how many points did they agree on")).unwrap();
        assert!(AnswerTypes::of_passage("the leaders agreed on four points", &[]).answers(many));
    }

    #[test]
    fn who_holds_an_office_asks_for_a_name() {
        let words = |q: &'static str| words_of(q).collect::<Vec<_>>();
        let asked = words("who is the attorney general now");
        assert!(asks_for_named_person(&asked));
        let ask = Asked::of_question(&asked).unwrap();
        assert!(ask.must_be_held());
        assert!(!Asked::of_question(&words("who chairs the talks"))
            .unwrap()
            .must_be_held());
        assert!(asks_for_named_person(&words(
            "whats the press secretarys name"
        )));
        assert!(!asks_for_named_person(&words("who chairs the talks")));
        assert!(!asks_for_named_person(&words("whats another name for it")));
        // Who people of no office were asks who they were by name.
        assert!(asks_for_named_person(&words(
            "who were the officials that got indicted"
        )));
        assert!(asks_for_named_person(&words(
            "who are the indicted officers"
        )));
        assert!(!asks_for_named_person(&words("who indicted the officials")));
        let office = AnswerTypes::of_passage(
            "The talks.",
            &["The U.S. Attorney General will co-chair. See \u{201c}Remarks by President Obama\u{201d}, 2015."],
        );
        assert!(office.contains(AnswerType::Person));
        assert!(!office.answers(ask));
        let named = AnswerTypes::of_passage("Attorney General Eric Holder spoke.", &[]);
        assert!(named.answers(ask));
        // A name after another title does not say who holds the one asked about.
        let president =
            AnswerTypes::of_passage("President Barack Obama and President Xi agreed.", &[]);
        assert!(!president.answers(ask));
        let by_name =
            Asked::of_question(&words("whats the name of the homeland security secretary"))
                .unwrap();
        assert_eq!(by_name.kind, AnswerType::Person);
        assert!(by_name.must_be_held());
        assert!(!president.answers(by_name));
        assert!(AnswerTypes::of_passage("Secretary Jeh Johnson", &[]).answers(by_name));
        // The names of people of no office: any person named after a title.
        let people =
            Asked::of_question(&words("what were the names of the indicted officers")).unwrap();
        assert!(people.must_be_held());
        assert!(
            !AnswerTypes::of_passage("the indictment of Chinese military officials", &[])
                .answers(people)
        );
        assert!(AnswerTypes::of_passage("charged General Wang Dong", &[]).answers(people));
        assert!(Asked::of_question(&words("what are the names of the ministries")).is_none());
    }

    #[test]
    fn how_many_counts_a_noun_a_number_stands_before() {
        let counted = |q: &str| {
            let lower = q.to_lowercase();
            let words: Vec<&str> = words_of(&lower).collect();
            counted_noun(&words).map(str::to_string)
        };
        assert_eq!(
            counted("how many osce states have laws?").as_deref(),
            Some("states")
        );
        assert_eq!(
            counted("how many calls have been made").as_deref(),
            Some("calls")
        );
        assert_eq!(counted("how many things did they agree on"), None);
        assert_eq!(counted("how many were there in 1990?"), None);
        assert!(count_before("in the OSCE region 48 of the 56 member "));
        assert!(count_before("they held a pair of Industry Day "));
        assert!(!count_before(
            "answers a call within twenty minutes. The duty "
        ));
        assert!(!count_before("established in 2013 a "));
        assert!(!count_before("under Executive Order 13694, as well as "));
        assert!(!count_before("or prospectively\u{201d}. [4] The tool "));
    }

    #[test]
    fn a_citations_date_answers_only_when_it_was_published() {
        let cited = [
            "See \u{201c}China Halts Cybersecurity Cooperation After U.S. Spying Charges,\u{201d} Bloomberg, May 20, 2014.",
        ];
        let held = AnswerTypes::of_passage("The dialogue was suspended.", &cited);
        assert!(!held.contains(AnswerType::Time));
        let asked = |words: &[&str]| Asked::of_question(words).unwrap();
        assert!(!held.answers(asked(&["when", "did", "the", "dialogue", "stop"])));
        assert!(held.answers(asked(&["when", "was", "that", "story", "published"])));
        assert!(held.answers(asked(&["when", "was", "it", "announced"])));
        // A date inside a note is an event's.
        let inside = ["Dialogues will be held twice per year starting at the end of 2015. The U.S. Attorney General will co-chair."];
        assert!(AnswerTypes::of_passage("A dialogue.", &inside).contains(AnswerType::Time));
        assert_eq!(
            without_publication_date("Stewart Brand, \"Spacewar\" In _Rolling Stone_ (1972)"),
            "Stewart Brand, \"Spacewar\" In _Rolling Stone_ "
        );
        assert_eq!(
            without_publication_date("Ministry statement on the hotline, January 2016."),
            "Ministry statement on the hotline"
        );
        assert_eq!(without_publication_date("RFC 1983"), "RFC 1983");
    }

    #[test]
    fn words_naming_the_kind_of_answer_are_told_from_topic_words() {
        assert!(AnswerType::Time.is_type_word("date"));
        assert!(AnswerType::Source.is_type_word("story"));
        assert!(AnswerType::Source.is_type_word("cite"));
        assert!(AnswerType::Source.is_type_word("outlet"));
        assert!(!AnswerType::Source.is_type_word("bloomberg"));
        assert!(!AnswerType::Time.is_type_word("story"));
        assert!(!AnswerType::Person.is_type_word("chairs"));
    }
}
