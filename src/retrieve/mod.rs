//! Question → ranked hits. tantivy's BM25 picks candidates; each candidate is then scored on
//! how much of the question it covers (IDF-weighted, footnotes counted at a discount), on its
//! best single sentence, and on BM25. Beside them, sentence vectors ([`fusion`]) add
//! candidates by meaning and a semantic score; the two signals are fused for ranking and
//! must agree for an answer (see [`fusion::is_answer`]). With `[semantic] model_dir` a
//! sentence transformer also scores every candidate and joins the decision
//! ([`fusion::is_contextual_answer`]).

pub mod answer_type;
pub mod cutoff;
pub mod decision;
pub mod exact;
pub mod focus;
pub mod follow_up;
pub mod fusion;
pub mod fuzzy;
pub mod intent;
pub mod markup;
pub mod query;
pub mod reference;
mod small;
pub mod taught;

use std::sync::Arc;

use tantivy::query::Bm25StatisticsProvider;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::Field;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use crate::indexing::record::PassageRecord;
use crate::indexing::{IndexError, SearchIndex, Vocabulary};
use crate::ingest::{Footnote, PassageRef};
use crate::semantic::chunks::ChunkMatch;
use crate::semantic::contextual::{ContextualModel, ContextualScorer};
use answer_type::{AnswerType, AnswerTypes, Asked};
use decision::{Decision, Features};
use focus::Focus;
use follow_up::FollowUp;
use fusion::{Mode, SemanticOptions, SemanticState};
use query::QueryPlan;

/// Knobs of ranking, from the `[answer]` config section.
#[derive(Debug, Clone, PartialEq)]
pub struct RankOptions {
    /// Fewest share of the question's weight a passage must cover to be an answer.
    pub min_coverage: f32,
    /// How many candidates BM25 hands to re-ranking.
    pub candidates: usize,
    /// The semantic signal (`[semantic]`).
    pub semantic: SemanticOptions,
    /// How a candidate is judged an answer.
    pub decision: DecisionRule,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            min_coverage: 0.4,
            candidates: 16,
            semantic: SemanticOptions::default(),
            decision: DecisionRule::default(),
        }
    }
}

/// How a candidate is judged an answer (`[answer] decision`), after the rules that hold
/// whatever decides (see [`Retriever::rank_all`]: no number or date where one is asked
/// for, something named that the index does not hold).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum DecisionRule {
    /// The learned model over the engine's signals ([`decision`]), the transformer's cosine
    /// among them, opt-in: in cross-validation on our labelled questions it declines 34 more
    /// off-topic questions of 244 with the MiniLM cascade and loses 20 on-topic answers
    /// (`models/answer-decision/README.md`).
    Learned(Arc<Decision>),
    /// The hand-written bar ([`fusion::is_answer`], [`fusion::is_contextual_answer`]).
    #[default]
    Rules,
}

impl DecisionRule {
    /// The compiled-in learned model.
    pub fn learned() -> Self {
        DecisionRule::Learned(Arc::new(Decision::embedded().clone()))
    }
}

/// Credit for a word found only in a cited footnote, relative to one in the passage text.
const FOOTNOTE_CREDIT: f32 = 0.75;
/// Credit of a word found only in the quoted title of a cited work ("…Spying Charges,"
/// Bloomberg), relative to the same word elsewhere, unless the question asks about a source:
/// the title is what the source says, not the passage ("who's in charge of the working
/// group?" is not met by the "Charges" of a cited headline).
const CITED_TITLE_CREDIT: f32 = 0.5;
/// Weight of the best sentence's coverage in the final score.
const SENTENCE_WEIGHT: f32 = 0.4;
/// Weight of normalised BM25 in the final score.
const BM25_WEIGHT: f32 = 0.25;
/// Credit, for ranking, of a word that is also in the article title: such words (Obama, Xi,
/// cyber-espionage) say which article a question is about, not which passage answers it.
const TITLE_WORD_CREDIT: f32 = 0.5;
/// Lexical score added to a passage that holds the kind of answer the question asks for (a
/// date for "when", a title of office for "who": see [`answer_type`]). About a third of what
/// a passage covering every question word scores: enough to choose between passages that
/// share the question's words, not to lift one that shares none.
const ANSWER_TYPE_BONUS: f32 = 0.5;
/// Share of a question's focus a passage must meet not to be carried by names alone: a
/// stray close meaning of one word ("like" of "what does Obama like to eat?") is not meeting
/// it, nor is one word of several ("is obama still married?" on "still" alone).
const FOCUS_MET_MIN: f32 = 0.35;
/// The same for a passage holding the asked kind of answer (a date for "when"), which says
/// more than its words: "when did Obama and Xi reach the agreement?" meets "agreement" in
/// paragraph 1 only by the close "agreed", and its date is the answer.
const FOCUS_MET_MIN_WITH_TYPE: f32 = 0.1;
/// Focus coverage at which a candidate is about what the question asks. A passage holding the
/// asked kind of answer (a date) with the question's names but none of its focus answers when
/// no candidate meets the focus ("when did Obama and Xi meet?": the summit's date); when one
/// does, the date belongs to something else ("when did Obama sign executive order 13694?":
/// paragraph 6 names the order and gives no date, paragraph 1's date is the summit's).
const FOCUS_MET_ELSEWHERE: f32 = 0.5;
/// The transformer's cosine at which a passage meeting the question by names alone is still
/// an answer (people's own words for what it says).
const NAMES_ALONE_CONTEXTUAL: f32 = 0.5;
/// Up to this many documents, every stored record is decoded once at open.
const PRELOAD_LIMIT: u64 = 50_000;

/// A scored candidate passage.
#[derive(Debug, Clone)]
pub struct RankedHit {
    /// The stored passage.
    pub record: Arc<PassageRecord>,
    /// Where it sits and its text, shared (not copied) into answers.
    pub passage: Arc<PassageRef>,
    /// Its footnotes, shared into answers.
    pub footnotes: Arc<[Footnote]>,
    /// Final ranking score (lexical, semantic or fused, by mode).
    pub score: f32,
    /// The lexical score alone (coverage, best sentence, BM25).
    pub lexical_score: f32,
    /// Best sentence or footnote cosine, when the semantic signal is on.
    pub semantic_score: Option<f32>,
    /// Share of the question's weight found in the passage or its footnotes (0..=1).
    pub coverage: f32,
    /// Index of the best-matching sentence.
    pub best_sentence: Option<usize>,
    /// Byte ranges of matched words in the passage text.
    pub matched: Vec<(usize, usize)>,
    /// The signals the answer decision read.
    pub features: Features,
    /// Whether the learned decision may accept it: the hand-written bar
    /// ([`fusion::is_answer`], [`fusion::is_contextual_answer`]) takes it and the question
    /// names nothing the index does not hold.
    pub eligible: bool,
    /// Whether the decision took it for an answer ([`Retriever::rank`] returns only these).
    pub accepted: bool,
}

/// A stored passage ready for scoring: its record (whose terms are vocabulary ids, so
/// matching a question compares integers instead of hashing strings) and what answers share.
#[derive(Debug)]
struct Candidate {
    record: Arc<PassageRecord>,
    passage: Arc<PassageRef>,
    footnotes: Arc<[Footnote]>,
    /// Kinds of answer the passage and its footnotes hold.
    answer_types: AnswerTypes,
    /// Per sentence of the text: whether it holds a date.
    dated_sentences: Vec<bool>,
    /// Whether a cited footnote holds a date other than a citation's closing one.
    footnote_time: bool,
}

impl Candidate {
    fn new(record: PassageRecord) -> Candidate {
        let footnote_texts: Vec<&str> = record.footnotes.iter().map(|f| f.text.as_str()).collect();
        Candidate {
            dated_sentences: record
                .sentences
                .iter()
                .map(|s| {
                    record
                        .text
                        .get(s.start..s.end)
                        .is_some_and(|text| AnswerType::Time.text_holds(text))
                })
                .collect(),
            footnote_time: footnote_texts
                .iter()
                .any(|f| answer_type::footnote_holds_time(f)),
            answer_types: AnswerTypes::of_passage(&record.text, &footnote_texts),
            passage: Arc::new(record.passage_ref()),
            footnotes: record.footnotes.clone().into(),
            record: Arc::new(record),
        }
    }

    /// Whether the passage holds the kind of answer a question (lowercase `words`, term
    /// lookup `lookup`) asks for. A time must stand where the question is: in a sentence
    /// holding a word it asks (or one close to it), in the passage's opening sentence (which
    /// dates all that follows: "On September 25, 2015, …"), or in a footnote's own text;
    /// "when did they reach the agreement?" is not answered by a paragraph whose only years
    /// date another event, nor by a citation's date unless it asks when something was
    /// published or said. A follow-up ("when?", "on what date?") asks about its previous
    /// passage as a whole: any time in it counts.
    ///
    /// A "how many" naming what it counts (`counted`: that word's index in the plan) is
    /// answered by a number standing before that word or one close to it ("how many duties?"
    /// by "two duties", not by "twenty minutes"). A "what is it for" is answered by a purpose
    /// stated in so many words or by an infinitive right after a word it asks ("a hotline to
    /// address …").
    fn holds(
        &self,
        asked: Asked,
        lookup: &Lookup,
        follow_up: bool,
        counted: Option<usize>,
    ) -> bool {
        if let (AnswerType::Quantity, Some(counted), false) = (asked.kind, counted, follow_up) {
            return self.record.terms.iter().any(|span| {
                lookup
                    .find(span.term)
                    .is_some_and(|(word, _, _)| word == counted)
                    && self
                        .record
                        .text
                        .get(..span.start as usize)
                        .is_some_and(answer_type::count_before)
            });
        }
        if let (AnswerType::Purpose, false) = (asked.kind, follow_up) {
            return self.answer_types.answers(asked)
                || self.record.terms.iter().any(|span| {
                    lookup.find(span.term).is_some()
                        && self
                            .record
                            .text
                            .get(span.end as usize..)
                            .is_some_and(answer_type::purpose_follows)
                });
        }
        if asked.kind != AnswerType::Time || follow_up {
            return self.answer_types.answers(asked);
        }
        let dated_match = || {
            self.record.terms.iter().any(|span| {
                self.dated_sentences
                    .get(span.sentence as usize)
                    .copied()
                    .unwrap_or(false)
                    && lookup.find(span.term).is_some()
            })
        };
        let opening_date = self.dated_sentences.first().copied().unwrap_or(false);
        self.footnote_time
            || self.answer_types.dates_publication(asked)
            || opening_date
            || dated_match()
    }
}

/// Searches one index. Holds the candidates of small corpora decoded, so re-ranking does no
/// I/O and no decoding.
pub struct Retriever {
    index: SearchIndex,
    preloaded: Option<Vec<Vec<Arc<Candidate>>>>,
    /// Flat number of each preloaded document in segment order (the chunk index's passage
    /// numbers), by segment.
    segment_starts: Vec<usize>,
    /// Address of each preloaded document, by flat number.
    slots: Vec<DocAddress>,
    semantic: Option<SemanticState>,
    /// The opt-in transformer that re-ranks candidates (`[semantic] model_dir`).
    contextual: Option<ContextualScorer>,
    /// Index-wide totals for BM25, read once (an engine never sees its index change).
    totals: Totals,
    /// The postings of a tiny index, scored without a tantivy search when the whole index
    /// fits the candidate cutoff ([`small`]).
    small: Option<small::SmallPostings>,
    /// The first paragraph of the only article, when the (preloaded) index holds one: the
    /// answer to "what is this article about?".
    lead: Option<Arc<Candidate>>,
    /// Paragraphs that enumerate points, with their points (preloaded corpora only): where
    /// the exact passage is chosen ([`exact`]).
    enumerations: exact::Enumerations,
}

/// Token and document totals of the index, as tantivy's own BM25 statistics compute them.
#[derive(Debug, Clone, Copy)]
struct Totals {
    body: Field,
    body_tokens: u64,
    docs: u64,
}

/// BM25 statistics for one question: totals read at open and document frequencies from the
/// vocabulary read at open, the same numbers tantivy's searcher would compute, without
/// looking each question term up in the term dictionary a second time.
struct Statistics<'a> {
    totals: Totals,
    vocabulary: &'a Vocabulary,
    searcher: &'a Searcher,
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if field == self.totals.body {
            Ok(self.totals.body_tokens)
        } else {
            self.searcher.total_num_tokens(field)
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.totals.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        match term.value().as_str() {
            Some(text) if term.field() == self.totals.body => {
                Ok(self.vocabulary.stats(text).map_or(0, |s| s.doc_freq))
            }
            _ => self.searcher.doc_freq(term),
        }
    }
}

impl Retriever {
    /// Wraps an opened index, with the semantic signal on.
    pub fn new(index: SearchIndex) -> Result<Self, IndexError> {
        Self::with_mode(index, Mode::Combined)
    }

    /// Wraps an opened index; `Mode::Lexical` skips embedding the corpus.
    pub fn with_mode(index: SearchIndex, mode: Mode) -> Result<Self, IndexError> {
        let searcher = index.searcher();
        let preloaded = if searcher.num_docs() <= PRELOAD_LIMIT {
            let mut segments = Vec::new();
            for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                let mut candidates = Vec::with_capacity(segment.max_doc() as usize);
                for doc in 0..segment.max_doc() {
                    let record = index.record(&searcher, DocAddress::new(ord as u32, doc))?;
                    candidates.push(Arc::new(Candidate::new(record)));
                }
                segments.push(candidates);
            }
            Some(segments)
        } else {
            None
        };
        let lead = preloaded.as_ref().and_then(|segments| {
            let mut all = segments.iter().flatten();
            let article = &all.clone().next()?.passage.article;
            if all.clone().any(|c| c.passage.article != *article) {
                return None;
            }
            all.find(|c| c.passage.paragraph == 1 && c.passage.point.is_none())
                .cloned()
        });
        let enumerations = preloaded
            .as_ref()
            .map(|segments| exact::Enumerations::build(segments.iter().flatten()))
            .unwrap_or_default();
        let mut segment_starts = Vec::new();
        let mut slots = Vec::new();
        for (ord, segment) in preloaded.iter().flatten().enumerate() {
            segment_starts.push(slots.len());
            slots.extend((0..segment.len() as u32).map(|doc| DocAddress::new(ord as u32, doc)));
        }
        let semantic = (mode != Mode::Lexical).then(|| {
            let records = preloaded.as_ref().map(|segments| {
                segments
                    .iter()
                    .flatten()
                    .map(|c| c.record.as_ref())
                    .collect()
            });
            SemanticState::build(index.vocabulary(), records)
        });
        let totals = Totals {
            body: index.schema.body,
            body_tokens: searcher.total_num_tokens(index.schema.body)?,
            docs: searcher.total_num_docs()?,
        };
        let small = small::SmallPostings::read(
            &searcher,
            totals.body,
            index.vocabulary(),
            totals.body_tokens,
            totals.docs,
        )?;
        Ok(Retriever {
            small,
            lead,
            enumerations,
            totals,
            index,
            preloaded,
            segment_starts,
            slots,
            semantic,
            contextual: None,
        })
    }

    /// Re-ranks candidates with a sentence transformer too (combined mode only).
    /// Small corpora have their passages embedded ahead of questions.
    pub fn with_contextual(mut self, model: Arc<ContextualModel>) -> Self {
        let scorer = ContextualScorer::new(model);
        if let Some(segments) = &self.preloaded {
            // Detached: the thread ends with its last text, or soon after a reload drops
            // this retriever.
            drop(scorer.warm_up(segments.iter().flatten().map(|c| c.record.as_ref())));
        }
        self.contextual = Some(scorer);
        self
    }

    /// Questions whose candidates the transformer scored, when one is loaded.
    pub fn contextual_questions(&self) -> Option<usize> {
        self.contextual.as_ref().map(ContextualScorer::questions)
    }

    /// Lets unknown question words stand for close indexed words (no-op in lexical mode).
    pub fn expand(&self, plan: &mut QueryPlan, options: &RankOptions) {
        if let Some(semantic) = &self.semantic {
            if options.semantic.mode != Mode::Lexical {
                semantic.expand(plan, &options.semantic);
            }
        }
    }

    /// The underlying index.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    fn candidate(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<Arc<Candidate>, IndexError> {
        if let Some(segments) = &self.preloaded {
            if let Some(candidate) = segments
                .get(address.segment_ord as usize)
                .and_then(|s| s.get(address.doc_id as usize))
            {
                return Ok(candidate.clone());
            }
        }
        let record = self.index.record(searcher, address)?;
        Ok(Arc::new(Candidate::new(record)))
    }

    /// The best `limit` documents by BM25 for the asked words, from a tantivy search.
    fn tantivy_candidates<'p>(
        &self,
        searcher: &Searcher,
        asked: impl Iterator<Item = &'p query::TermMatch>,
        limit: usize,
    ) -> Result<Vec<cutoff::Scored>, IndexError> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = asked
            .map(|m| {
                let query = TermQuery::new(
                    Term::from_field_text(self.index.schema.body, &m.term),
                    IndexRecordOption::WithFreqs,
                );
                // Only corrected terms need a boost below one.
                let clause: Box<dyn Query> = if m.credit == 1.0 {
                    Box::new(query)
                } else {
                    Box::new(BoostQuery::new(Box::new(query), m.credit))
                };
                (Occur::Should, clause)
            })
            .collect();
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let statistics = Statistics {
            totals: self.totals,
            vocabulary: self.index.vocabulary(),
            searcher,
        };
        Ok(searcher.search_with_statistics_provider(
            &BooleanQuery::new(clauses),
            &cutoff::TopCandidates::new(limit),
            &statistics,
        )?)
    }

    /// Ranks passages for a planned question, best first. Only hits that pass the answer
    /// bar are returned; an empty list means "no good answer".
    pub fn rank(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        options: &RankOptions,
    ) -> Result<Vec<RankedHit>, IndexError> {
        self.rank_in(searcher, plan, options, None)
    }

    /// [`Retriever::rank`] for a question read as a follow-up: `plan` also holds the earlier
    /// questions' words ([`follow_up::add_context`]), the checks on the question's form read
    /// its own words, and the previous answer and what surrounds it rank higher.
    pub fn rank_in(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        options: &RankOptions,
        follow_up: Option<&FollowUp>,
    ) -> Result<Vec<RankedHit>, IndexError> {
        let mut hits = self.rank_all(searcher, plan, options, follow_up)?;
        hits.retain(|h| h.accepted);
        Ok(hits)
    }

    /// Every scored candidate, best first, each with its decision's signals and verdict
    /// (what `summit-bot eval --features` exports to train the decision). Questions refused
    /// before scoring (personal advice, no word the index knows) have none.
    pub fn rank_all(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        options: &RankOptions,
        follow_up: Option<&FollowUp>,
    ) -> Result<Vec<RankedHit>, IndexError> {
        // The question's lowercase words, split once for the checks on its form.
        let lower = follow_up
            .map_or(plan.text.as_str(), |f| f.own_text.as_str())
            .to_lowercase();
        let words: Vec<&str> = answer_type::words_of(&lower).collect();
        // Personal advice and recommendations are no article's to give, whatever words match.
        if intent::is_personal_request(&words) {
            return Ok(Vec::new());
        }
        // A follow-up's words are few ("who chairs it?"), so its meaning says little; the
        // earlier words it is read with must be covered instead (see `follow_up`).
        let relaxed;
        let semantic_options = match follow_up {
            Some(_) => {
                relaxed = follow_up::relaxed(&options.semantic);
                &relaxed
            }
            None => &options.semantic,
        };
        let mode = semantic_options.mode;
        // "What is this article about?": the lead paragraph says, in the article's words.
        if mode != Mode::Semantic && !plan.has_topical_match() && intent::asks_for_overview(&words)
        {
            if let Some(lead) = &self.lead {
                return Ok(vec![RankedHit {
                    record: lead.record.clone(),
                    passage: lead.passage.clone(),
                    footnotes: lead.footnotes.clone(),
                    score: 0.0,
                    lexical_score: 0.0,
                    semantic_score: None,
                    coverage: 0.0,
                    best_sentence: None,
                    matched: Vec::new(),
                    features: Features::default(),
                    eligible: true,
                    accepted: true,
                }]);
            }
        }
        let semantic = self.semantic.as_ref().filter(|_| mode != Mode::Lexical);
        let question = semantic.and_then(|s| s.question_vector(plan));
        let total = plan.total_weight();
        let words_ok = !plan.is_empty() && total > 0.0;
        let topical = words_ok && plan.has_topical_match();
        // Without a topical word the words alone never answer; in combined mode the
        // meaning may still carry a question whose words the index only knows by
        // neighbours ("prosecution" → indictment), at a higher cosine.
        let meaning_only = !topical && words_ok && mode == Mode::Combined && question.is_some();
        let unknown_name = mode == Mode::Combined && plan.has_unknown_name();
        if mode == Mode::Semantic && question.is_none()
            || mode != Mode::Semantic && !topical && !meaning_only
        {
            return Ok(Vec::new());
        }
        // Ranking-only neighbours do not fetch candidates: BM25 stays on the asked words.
        let asked = || {
            plan.terms
                .iter()
                .flat_map(|t| &t.matches)
                .filter(|m| !m.ranking_only)
        };
        // Equal scores at the cutoff go to the earlier passage, whatever the index layout.
        let top = match &self.small {
            Some(small) if small.docs() <= options.candidates as u64 => {
                let clauses: Vec<small::Clause> = asked()
                    .map(|m| small::Clause {
                        id: m.id,
                        boost: m.credit,
                    })
                    .collect();
                small.search(&clauses)
            }
            _ => self.tantivy_candidates(searcher, asked(), options.candidates)?,
        };
        let best_bm25 = top
            .first()
            .map(|s| s.score)
            .unwrap_or(1.0)
            .max(f32::EPSILON);
        let mut candidates: Vec<(DocAddress, f32)> = top
            .into_iter()
            .map(|s| (s.address, s.score / best_bm25))
            .collect();

        // Sentence-level meaning over every preloaded passage: the best ones join BM25's.
        let chunk_scores: Option<Vec<Option<ChunkMatch>>> =
            match (semantic.and_then(|s| s.chunks.as_ref()), &question) {
                (Some(chunks), Some(q)) => {
                    Some(chunks.best_per_passage(q, semantic_options.footnote_credit))
                }
                _ => None,
            };
        if let Some(scores) = &chunk_scores {
            let wanted = if mode == Mode::Semantic {
                semantic_options.candidates.max(options.candidates)
            } else {
                semantic_options.candidates
            };
            let mut by_meaning: Vec<(usize, f32)> = scores
                .iter()
                .enumerate()
                .filter_map(|(slot, m)| m.map(|m| (slot, m.score)))
                .collect();
            // Ties (a paragraph and its point share a footnote chunk) break on the passage
            // id, not the slot: slots follow the segment layout, which a multi-threaded
            // build does not fix, and answers must not change from one build to the next.
            by_meaning.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| self.id_at(a.0).cmp(self.id_at(b.0)))
            });
            for &(slot, _) in by_meaning.iter().take(wanted) {
                let address = self.slots[slot];
                if !candidates.iter().any(|(a, _)| *a == address) {
                    candidates.push((address, 0.0));
                }
            }
        }

        // A follow-up: the previous answer and what surrounds it are candidates too.
        let preference = follow_up.and_then(|f| f.preference.as_ref());
        if let Some(preference) = preference {
            for (slot, &address) in self.slots.iter().enumerate() {
                let near = self.candidate_at(slot).is_some_and(|c| {
                    preference.bonus(
                        &c.record.id,
                        &c.passage.article,
                        c.passage.paragraph,
                        &c.record
                            .footnotes
                            .iter()
                            .map(|f| f.number)
                            .collect::<Vec<_>>(),
                    ) > 0.0
                });
                if near && !candidates.iter().any(|(a, _)| *a == address) {
                    candidates.push((address, 0.0));
                }
            }
        }

        // term id → (question word index, credit, ranking only); a handful of entries,
        // scanned linearly. Matches that count for coverage go first, so a word asked for
        // is never claimed by another word's neighbour.
        let focus = Focus::of_plan(plan, |id| semantic.is_some_and(|s| s.is_indexed_name(id)));
        let mut lookup = Lookup::default();
        for ranking_only in [false, true] {
            for (i, term) in plan.terms.iter().enumerate() {
                for m in term
                    .matches
                    .iter()
                    .filter(|m| m.ranking_only == ranking_only)
                {
                    let kind = if ranking_only {
                        Kind::Ranking
                    } else {
                        Kind::Counts
                    };
                    lookup.insert(m.id, i, m.credit, kind);
                }
            }
        }
        // Meanings only tell whether a focus word is met; any other claim on an id wins.
        for (i, term) in plan.terms.iter().enumerate() {
            if focus.mask.get(i).copied().unwrap_or(false) {
                for &(id, similarity) in &term.meanings {
                    lookup.insert(id, i, similarity, Kind::Focus);
                }
            }
        }

        let asked = Asked::of_question(&words).filter(|_| mode != Mode::Semantic);
        let wanted = asked.map(|a| a.kind);
        // Whether an answer must hold that kind (a number for "how many", a named person for
        // "who is the attorney general?"): read once, checked per candidate.
        let must_hold = asked.is_some_and(Asked::must_be_held);
        let asks_present = answer_type::asks_about_the_present(&words);
        // The question word a "how many" counts, when the plan holds it.
        let counted = answer_type::counted_noun(&words).and_then(|noun| {
            plan.terms
                .iter()
                .position(|t| t.surface.to_lowercase() == noun)
        });
        // "How many …" counts something, which may be no list of the article's.
        let wants_list = mode != Mode::Semantic
            && wanted != Some(AnswerType::Quantity)
            && exact::asks_for_list(&words);
        // A request for the whole list ("all the points", "list the commitments") is met by
        // a paragraph that enumerates: the kind of answer asked for.
        let enumerates = |id: &str| {
            wants_list
                && self
                    .enumerations
                    .of(id)
                    .is_some_and(|e| e.paragraph.record.id == id)
        };
        // Words naming the kind of answer ("date", "story", "cite") that the index does not
        // hold: a passage holding that kind of answer meets them.
        let type_words: Vec<bool> = plan
            .terms
            .iter()
            .map(|t| {
                wanted.is_some_and(|kind| kind.is_type_word(&t.surface.to_lowercase()))
                    && !t.matches.iter().any(|m| !m.ranking_only && m.credit >= 1.0)
            })
            .collect();
        // Every candidate with the other signals' decision and whether the question is
        // about a name the index does not know; the transformer, when loaded, comes after.
        let mut scored = Vec::with_capacity(candidates.len());
        let mut scratch = Vec::new();
        for (address, bm25_normalised) in candidates {
            let candidate = self.candidate(searcher, address)?;
            let holds_type =
                asked.is_some_and(|a| candidate.holds(a, &lookup, follow_up.is_some(), counted));
            let mut hit = score_candidate(
                &candidate,
                plan,
                &lookup,
                total.max(f32::EPSILON),
                bm25_normalised,
                holds_type.then_some(type_words.as_slice()),
                &focus.mask,
                wanted == Some(AnswerType::Source),
                &mut scratch,
            );
            if holds_type {
                hit.lexical_score += ANSWER_TYPE_BONUS;
            }
            let similarity = match (&chunk_scores, semantic, &question) {
                (Some(scores), _, _) => Some(
                    self.slot(address)
                        .and_then(|slot| scores.get(slot).copied().flatten())
                        .map_or(0.0, |m| m.score),
                ),
                (None, Some(state), Some(q)) => Some(state.record_similarity(
                    q,
                    &candidate.record,
                    semantic_options.footnote_credit,
                )),
                _ => None,
            };
            hit.semantic_score = similarity;
            hit.score = fusion::fused_score(hit.lexical_score, similarity, semantic_options);
            if let Some(preference) = preference {
                let footnotes: Vec<u32> = candidate.footnotes.iter().map(|f| f.number).collect();
                hit.score += preference.bonus(
                    &candidate.record.id,
                    &candidate.passage.article,
                    candidate.passage.paragraph,
                    &footnotes,
                );
            }
            let carried_by_meaning = !meaning_only
                || hit.coverage > 0.0
                    && similarity.unwrap_or(0.0) >= semantic_options.meaning_only_similarity;
            // A question about a name the index does not know needs the full word coverage:
            // meaning alone would pass "Who is the president of France?" on "President Obama".
            let name_ok = !unknown_name || hit.coverage >= options.min_coverage;
            // A question about a cited source is met by the citation, whose title no
            // sentence of the question paraphrases ("which bloomberg story does the post
            // cite?"): the words decide, not the cosine.
            let source_by_words = topical
                && wanted == Some(AnswerType::Source)
                && holds_type
                && hit.coverage >= options.min_coverage;
            // A passage meeting most of what the question asks about (`sufficient_coverage`
            // of its focus) by words, with the question's words at `min_coverage`, needs only
            // the cosine of a covered passage: an unknown word of the question ("who chairs
            // the talks for washington?") lowers the sentence cosine, not the match.
            let focus_by_words = mode == Mode::Combined
                && hit.features.focus_coverage >= semantic_options.sufficient_coverage
                && hit.coverage >= options.min_coverage
                && similarity.unwrap_or(0.0) >= semantic_options.covered_min_similarity;
            let accepted = carried_by_meaning
                && name_ok
                && (source_by_words
                    || focus_by_words
                    || fusion::is_answer(
                        hit.coverage,
                        similarity,
                        options.min_coverage,
                        semantic_options,
                    ));
            scored.push((candidate, hit, accepted, name_ok, holds_type));
        }
        // Whether some candidate meets at least half of what the question asks about: then a
        // passage holding only the asked kind of answer and the names dates something else.
        let focus_met_elsewhere = scored
            .iter()
            .any(|(_, hit, _, _, _)| hit.features.focus_coverage >= FOCUS_MET_ELSEWHERE);
        // The hard rules below refuse a candidate whatever the transformer says but for the
        // names-alone rule's cosine: not a sure answer.
        for (candidate, hit, accepted, _, holds_type) in &mut scored {
            let vetoed = mode == Mode::Combined
                && follow_up.is_none()
                && (must_hold && !*holds_type
                    || focus.other_thing
                    || carried_by_names_alone(
                        &focus,
                        hit,
                        *holds_type || enumerates(&candidate.record.id),
                        *holds_type && !focus_met_elsewhere,
                    ));
            *accepted &= !vetoed;
        }

        // The transformer (tens of milliseconds for a question vector): only in combined
        // mode, only when there is a candidate, and only when the other signals' decision
        // is close ([`fusion::needs_contextual`]); a sure answer or a sure refusal stands.
        // It scores the best `rerank_candidates`; the others keep the other signals' score
        // and decision.
        let contextual = self
            .contextual
            .as_ref()
            .filter(|_| mode == Mode::Combined && !scored.is_empty())
            // A follow-up's meaning lives in the previous exchange, which the transformer
            // only sees as the questions' texts joined: its cosine, at `rerank_weight`,
            // would outweigh the preference for the previous passage and its footnotes
            // ("and the Chinese side?" after a question on who co-chairs the dialogue got
            // the paragraph on the 2013 dialogue). The words and static vectors decide.
            .filter(|_| follow_up.is_none())
            .filter(|_| {
                fusion::needs_contextual(
                    scored.iter().map(|(_, hit, accepted, _, _)| {
                        (*accepted, hit.coverage, hit.semantic_score.unwrap_or(0.0))
                    }),
                    semantic_options,
                )
            })
            .and_then(|scorer| {
                // The best `rerank_candidates` by the other signals' score (ties as answers
                // are ordered; never a time budget: answers must not depend on the load).
                // Each text not embedded yet costs the transformer milliseconds to tens of
                // milliseconds, and at a million passages most are new.
                let mut best: Vec<usize> = (0..scored.len()).collect();
                best.sort_by(|&a, &b| {
                    let (a, b) = (&scored[a].1, &scored[b].1);
                    b.score
                        .total_cmp(&a.score)
                        .then(a.record.text.len().cmp(&b.record.text.len()))
                        .then(a.record.id.cmp(&b.record.id))
                });
                best.truncate(semantic_options.rerank_candidates);
                let records: Vec<&PassageRecord> =
                    best.iter().map(|&i| &*scored[i].0.record).collect();
                let found =
                    scorer.similarities(&plan.text, &records, semantic_options.footnote_credit)?;
                let mut cosines = vec![None; scored.len()];
                for (i, cosine) in best.into_iter().zip(found) {
                    cosines[i] = Some(cosine);
                }
                Some(cosines)
            });
        let mut hits = Vec::with_capacity(scored.len());
        // Scored but refused: a point of an accepted paragraph may still be its exact part.
        let mut refused = Vec::new();
        for (at, (_, mut hit, mut accepted, name_ok, holds_type)) in scored.into_iter().enumerate()
        {
            let similarity = hit.semantic_score;
            let contextual_cosine = contextual.as_ref().and_then(|cosines| cosines[at]);
            if let Some(cosine) = contextual_cosine {
                hit.score += semantic_options.rerank_weight * cosine;
                // A question about a cited source whose words the passage holds in its
                // footnotes alone stands whatever the cosine, at the coverage that makes it an
                // answer without the transformer (`source_by_words`): "what was the bloomberg
                // headline?" meets the cited story's note, which no sentence paraphrases.
                let sure_by_words = topical
                    && accepted
                    && wanted == Some(AnswerType::Source)
                    && holds_type
                    && hit.coverage >= options.min_coverage
                    && hit.features.best_sentence == 0.0;
                accepted = sure_by_words
                    || fusion::is_contextual_answer(accepted, cosine, name_ok, semantic_options);
            }
            let features = &mut hit.features;
            features.cosine = similarity.unwrap_or(0.0);
            features.focus_share = focus.share;
            features.unknown_share = focus.unknown_share;
            features.unknown_name = f32::from(u8::from(focus.unknown_name));
            features.unknown_rare = f32::from(u8::from(focus.unknown_rare));
            features.answer_type = f32::from(u8::from(holds_type));
            features.meaning_only = f32::from(u8::from(meaning_only));
            features.contextual = contextual_cosine.unwrap_or(0.0);
            features.has_contextual = f32::from(u8::from(contextual_cosine.is_some()));
            // Whatever decides, a passage without the number or the date a question asks for
            // is no answer ("how much are they paid?", "when did it start?"), nor is any
            // passage to a question about something the index does not hold, named in
            // lowercase ("does russia have a pact like this?") or by a word no English list
            // knows ("what does raytheon build?"): the article does not say it, however many
            // of its other words match. (A capitalised unknown name needs the full coverage
            // above: "American", "Beijing" often stand for a name the article holds.) A
            // follow-up asks for its kind of answer in its own words ("how much did they pay
            // for it?"): the previous passage without a number answers it no more than alone.
            let type_missing = must_hold && !holds_type;
            // Nor, to a question about the present ("has anyone been sued yet?"), a passage
            // that does not speak of its own: a dated text cannot say what happened since.
            let present_missing = asks_present
                && !answer_type::speaks_of_the_present(&hit.record.text)
                && !hit
                    .footnotes
                    .iter()
                    .any(|f| answer_type::speaks_of_the_present(&f.text));
            // Nor is a passage that meets the question only by the names it shares with it
            // ("what does Obama like to eat?" on the paragraph naming Obama): what the
            // question asks about must be met by words or close meanings (more than one word
            // of several: `FOCUS_MET_MIN`, less for a passage holding the asked kind of answer
            // or the list asked for), or the transformer's cosine at
            // `NAMES_ALONE_CONTEXTUAL` (above `rerank_similar`: MiniLM finds a leader's
            // breakfast 0.42 from the agreement he made). Holding the asked kind of answer
            // excuses it only while no candidate meets the focus (`FOCUS_MET_ELSEWHERE`).
            let names_alone = carried_by_names_alone(
                &focus,
                &hit,
                holds_type || enumerates(&hit.record.id),
                holds_type && !focus_met_elsewhere,
            ) && contextual_cosine.is_none_or(|c| c < NAMES_ALONE_CONTEXTUAL);
            // A follow-up's other words are few and read with the earlier ones: for the
            // other two rules the bar its context sets stays.
            if mode == Mode::Combined
                && (type_missing
                    || present_missing
                    || follow_up.is_none() && (focus.other_thing || names_alone))
            {
                accepted = false;
            }
            // The learned decision judges what that lets through, and never a question about
            // a capitalised name the index does not hold either.
            hit.eligible = accepted && !focus.unknown_name;
            if let DecisionRule::Learned(model) = &options.decision {
                // In combined mode the model decides; the other modes keep their one signal.
                // A follow-up keeps the bar its context sets: the model learnt from questions
                // asked alone, and the earlier words change every signal it reads.
                if mode == Mode::Combined && follow_up.is_none() {
                    accepted = hit.eligible && model.accepts(&hit.features);
                }
            }
            hit.accepted = accepted;
            if accepted {
                hits.push(hit);
            } else {
                refused.push(hit);
            }
        }
        // A request for the whole list ("all the points", "list the commitments") is
        // answered by a paragraph that enumerates, when one is an answer, before any passage
        // that only shares more of its words.
        hits.sort_by(|a, b| {
            enumerates(&b.record.id)
                .cmp(&enumerates(&a.record.id))
                .then(b.score.total_cmp(&a.score))
                .then(a.record.text.len().cmp(&b.record.text.len()))
                .then(a.record.id.cmp(&b.record.id))
        });
        let semantic_of = |slot: usize| {
            chunk_scores
                .as_ref()
                .and_then(|scores| scores.get(slot).copied().flatten())
                .map(|m| m.score)
        };
        // The exact passage goes first; it answers because its paragraph (or a point of it)
        // passed the bar, so it comes from the accepted hits, the refused ones, or is scored
        // here.
        let unit = hits
            .first()
            .and_then(|top| self.exact_unit(top, plan, follow_up, &lookup, &words, semantic_of));
        if let Some(unit) = unit {
            let hit = match hits.iter().position(|h| h.record.id == unit.record.id) {
                Some(at) => hits.remove(at),
                None => match refused.iter().position(|h| h.record.id == unit.record.id) {
                    Some(at) => refused.remove(at),
                    None => {
                        let holds_type = asked
                            .is_some_and(|a| unit.holds(a, &lookup, follow_up.is_some(), counted));
                        score_candidate(
                            &unit,
                            plan,
                            &lookup,
                            total.max(f32::EPSILON),
                            0.0,
                            holds_type.then_some(type_words.as_slice()),
                            &focus.mask,
                            wanted == Some(AnswerType::Source),
                            &mut scratch,
                        )
                    }
                },
            };
            hits.insert(
                0,
                RankedHit {
                    eligible: true,
                    accepted: true,
                    ..hit
                },
            );
        }
        // The refused follow, for the callers of `rank_all` (training rows); `rank` keeps
        // only the accepted.
        refused.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.record.text.len().cmp(&b.record.text.len()))
                .then(a.record.id.cmp(&b.record.id))
        });
        hits.extend(refused);
        Ok(hits)
    }

    /// The exact passage, when it is not the best hit `top` itself: when `top` is a
    /// paragraph that enumerates points or one of its points, the unit [`exact`] chooses for
    /// the question (one point, or the whole paragraph for a question about the list).
    fn exact_unit(
        &self,
        top: &RankedHit,
        plan: &QueryPlan,
        follow_up: Option<&FollowUp>,
        lookup: &Lookup,
        words: &[&str],
        semantic_of: impl Fn(usize) -> Option<f32>,
    ) -> Option<Arc<Candidate>> {
        let enumeration = self.enumerations.of(&top.record.id)?;
        let choice = if exact::asks_for_list(words) {
            Some(exact::Choice::Paragraph)
        } else {
            // "each other", "one another" are pronouns: no word of them says where.
            let reciprocal = |surface: &str| {
                let surface = surface.to_lowercase();
                words.windows(2).any(|p| {
                    matches!(p, ["each", "other"] | ["one", "another"])
                        && p.contains(&surface.as_str())
                })
            };
            let weights: Vec<f32> = plan
                .terms
                .iter()
                .map(|t| {
                    if reciprocal(&t.surface) {
                        0.0
                    } else {
                        t.weight
                    }
                })
                .collect();
            // Meanings only tell whether the focus is met; they are no evidence of a point.
            let evidence_of = |weights: Vec<f32>, ranking: bool| {
                exact::evidence(enumeration, weights, |id| {
                    lookup
                        .find(id)
                        .filter(|&(_, _, kind)| {
                            kind == Kind::Counts || ranking && kind == Kind::Ranking
                        })
                        .map(|(word, credit, kind)| (word, credit, kind == Kind::Ranking))
                })
            };
            // A follow-up's own words, where they single out a point, say which item it
            // asks about ("and the code?" after a question about pricing is about the
            // point on code, not about the list both are in); the earlier words only
            // decide for a follow-up without such words ("why?").
            if let Some(follow_up) = follow_up {
                let mut own = weights.clone();
                own.iter_mut()
                    .skip(follow_up.own_terms)
                    .for_each(|w| *w = 0.0);
                let previous = follow_up.preference.as_ref().and_then(|p| {
                    enumeration
                        .points
                        .iter()
                        .position(|(_, _, point)| point.record.id == p.id)
                });
                // Only words that count: a neighbour in meaning of "US" is in every point.
                let own = evidence_of(own, false);
                if let Some(k) = exact::choose_for_follow_up(&own, previous) {
                    let unit = &enumeration.points[k].2;
                    return (unit.record.id != top.record.id).then(|| unit.clone());
                }
            }
            let evidence = evidence_of(weights, true);
            // The point whose sentence is the paragraph's closest in meaning: it scores
            // what the paragraph scores (the same sentence, the same vector).
            let closest = semantic_of(enumeration.paragraph_slot).and_then(|best| {
                enumeration
                    .points
                    .iter()
                    .position(|&(_, slot, _)| semantic_of(slot) == Some(best))
            });
            let ranked = enumeration
                .points
                .iter()
                .position(|(_, _, point)| point.record.id == top.record.id);
            exact::choose(&evidence, closest, ranked)
        };
        let unit = match choice? {
            exact::Choice::Paragraph => &enumeration.paragraph,
            exact::Choice::Point(k) => &enumeration.points[k].2,
        };
        (unit.record.id != top.record.id).then(|| unit.clone())
    }

    /// Passage id of a preloaded document by flat number ("" when not preloaded).
    fn id_at(&self, slot: usize) -> &str {
        self.candidate_at(slot).map_or("", |c| c.record.id.as_str())
    }

    /// A preloaded document by flat number.
    fn candidate_at(&self, slot: usize) -> Option<&Arc<Candidate>> {
        let address = self.slots.get(slot)?;
        self.preloaded
            .as_ref()?
            .get(address.segment_ord as usize)?
            .get(address.doc_id as usize)
    }

    /// Flat number of a preloaded document.
    fn slot(&self, address: DocAddress) -> Option<usize> {
        let start = *self.segment_starts.get(address.segment_ord as usize)?;
        let slot = start + address.doc_id as usize;
        (self.slots.get(slot) == Some(&address)).then_some(slot)
    }
}

/// The question's term ids (asked words, corrections, neighbours) with, for each, the
/// question word it stands for, its credit and whether it only orders passages. A 1,024-bit
/// filter over the ids rejects almost every other word of a passage with one shift (a
/// question has a few dozen ids, so a 64-bit one let most words through to the list scan).
#[derive(Debug, Default)]
struct Lookup {
    entries: Vec<(u32, usize, f32, Kind)>,
    filter: [u64; 16],
}

/// What a term id found in a passage does for its question word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Counts towards coverage (and ranks).
    Counts,
    /// Only orders passages.
    Ranking,
    /// Only meets the word's focus by meaning ([`query::QueryTerm::meanings`]).
    Focus,
}

impl Lookup {
    /// Adds an id unless present: the first claim wins.
    fn insert(&mut self, id: u32, word: usize, credit: f32, kind: Kind) {
        if !self.entries.iter().any(|e| e.0 == id) {
            self.entries.push((id, word, credit, kind));
            self.filter[(id as usize >> 6) & 15] |= 1 << (id & 63);
        }
    }

    /// Question word, credit and kind of a term id, if the question has it.
    #[inline]
    fn find(&self, id: u32) -> Option<(usize, f32, Kind)> {
        if self.filter[(id as usize >> 6) & 15] >> (id & 63) & 1 == 0 {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.0 == id)
            .map(|&(_, w, c, r)| (w, c, r))
    }
}

/// Whether a candidate meets the question only by names: the question has focus words (beyond
/// function words and the names the index holds) and the passage meets little of them, by
/// word, correction or close meaning (under `FOCUS_MET_MIN` of their weight, or
/// `FOCUS_MET_MIN_WITH_TYPE` when it `holds_asked`: the kind of answer or the list asked
/// for), unless `excused`.
fn carried_by_names_alone(
    focus: &Focus,
    hit: &RankedHit,
    holds_asked: bool,
    excused: bool,
) -> bool {
    let bar = if holds_asked {
        FOCUS_MET_MIN_WITH_TYPE
    } else {
        FOCUS_MET_MIN
    };
    focus.share > 0.0 && hit.features.focus_coverage < bar && hit.coverage > 0.0 && !excused
}

/// Scores one candidate against the question. `type_met` marks the question words a
/// passage holding the asked kind of answer meets (see [`AnswerType::is_type_word`]), when
/// this one holds it: they count as found in its text for coverage. `source_asked`: the
/// question asks about a cited source, whose quoted title then counts in full.
// The masks and totals are per question, the rest per candidate: a struct for them would only
// move the same nine values one step away.
#[allow(clippy::too_many_arguments)]
fn score_candidate(
    candidate: &Candidate,
    plan: &QueryPlan,
    lookup: &Lookup,
    total: f32,
    bm25_normalised: f32,
    type_met: Option<&[bool]>,
    focus: &[bool],
    source_asked: bool,
    scratch: &mut Vec<f32>,
) -> RankedHit {
    let record = &candidate.record;
    let find = |id: u32| lookup.find(id);
    let words = plan.terms.len();
    let sentence_count = record.sentences.len().max(1);
    // Credits per question word found in the text and in the footnotes (for coverage, and
    // with ranking-only neighbours for ranking), in each sentence, plus the ranking weights:
    // one buffer for all of them, reused from candidate to candidate.
    scratch.clear();
    scratch.resize(words * (6 + sentence_count), 0.0);
    let (in_text, rest) = scratch.split_at_mut(words);
    let (meant, rest) = rest.split_at_mut(words);
    let (in_footnotes, rest) = rest.split_at_mut(words);
    let (ranked_text, rest) = rest.split_at_mut(words);
    let (ranked_footnotes, rest) = rest.split_at_mut(words);
    let (weights, per_sentence) = rest.split_at_mut(words);
    let mut matched = Vec::new();
    for span in &record.terms {
        if let Some((word, credit, kind)) = find(span.term) {
            if kind == Kind::Focus {
                meant[word] = meant[word].max(credit);
                continue;
            }
            let ranking_only = kind == Kind::Ranking;
            ranked_text[word] = ranked_text[word].max(credit);
            let s = (span.sentence as usize).min(sentence_count - 1);
            let cell = &mut per_sentence[s * words + word];
            *cell = cell.max(credit);
            if !ranking_only {
                in_text[word] = in_text[word].max(credit);
                matched.push((span.start as usize, span.end as usize));
            }
        }
    }
    for &id in &record.footnote_terms {
        if let Some((word, mut credit, kind)) = find(id) {
            if !source_asked && record.cited_title_terms.contains(&id) {
                credit *= CITED_TITLE_CREDIT;
            }
            if kind == Kind::Focus {
                meant[word] = meant[word].max(credit);
                continue;
            }
            ranked_footnotes[word] = ranked_footnotes[word].max(credit);
            if kind == Kind::Counts {
                in_footnotes[word] = in_footnotes[word].max(credit);
            }
        }
    }
    for (credit, _) in in_text
        .iter_mut()
        .zip(type_met.unwrap_or_default())
        .filter(|(_, met)| **met)
    {
        *credit = 1.0;
    }
    let mut text_weight = 0.0;
    let mut footnote_only_weight = 0.0;
    for (i, term) in plan.terms.iter().enumerate() {
        if in_text[i] > 0.0 {
            text_weight += term.weight * in_text[i];
            if in_footnotes[i] > in_text[i] {
                footnote_only_weight += term.weight * (in_footnotes[i] - in_text[i]);
            }
        } else {
            footnote_only_weight += term.weight * in_footnotes[i];
        }
    }
    let coverage = ((text_weight + footnote_only_weight) / total).min(1.0);
    // The focus is met by its words, corrections or close meanings (ranking neighbours
    // included: "pact" is met by "agreement"), in the text or a footnote.
    let mut focus_total = 0.0;
    let mut focus_met = 0.0;
    let mut focus_missing = 0.0f32;
    for (i, term) in plan.terms.iter().enumerate() {
        if focus.get(i).copied().unwrap_or(false) {
            let met = ranked_text[i]
                .max(ranked_footnotes[i])
                .max(meant[i])
                .min(1.0);
            focus_total += term.weight;
            focus_met += term.weight * met;
            // Everyday words ("say", "make") frame many questions: their absence says little.
            if met == 0.0 && !term.common {
                focus_missing = focus_missing.max(term.weight / total);
            }
        }
    }
    // A question with no focus (all names and everyday words) has nothing left to meet.
    let focus_coverage = if focus_total > 0.0 {
        focus_met / focus_total
    } else {
        1.0
    };
    // Ranking discounts title words; the coverage bar above does not (they do show the
    // question is on topic).
    for (weight, term) in weights.iter_mut().zip(&plan.terms) {
        let in_title = term
            .matches
            .iter()
            .any(|m| !m.ranking_only && record.title_terms.contains(&m.id));
        *weight = if in_title {
            term.weight * TITLE_WORD_CREDIT
        } else {
            term.weight
        };
    }
    let mut ranked_weight = 0.0;
    for i in 0..words {
        let footnote_extra = (ranked_footnotes[i] - ranked_text[i]).max(0.0);
        ranked_weight += weights[i] * (ranked_text[i] + FOOTNOTE_CREDIT * footnote_extra);
    }
    let ranked_coverage = ranked_weight / total;
    let (best_sentence, sentence_score) = per_sentence
        .chunks(words.max(1))
        .take(sentence_count)
        .enumerate()
        .map(|(s, credits)| {
            let weight: f32 = credits
                .iter()
                .zip(weights.iter())
                .map(|(credit, w)| credit * w)
                .sum();
            (s, weight / total)
        })
        .fold((None, 0.0f32), |best, (s, score)| {
            if score > best.1 {
                (Some(s), score)
            } else {
                best
            }
        });
    let score = ranked_coverage + SENTENCE_WEIGHT * sentence_score + BM25_WEIGHT * bm25_normalised;
    // The focus one sentence meets: an answer says what is asked in one place, a near miss
    // gathers the question's words from all over a paragraph.
    let focus_sentence = if focus_total > 0.0 {
        per_sentence
            .chunks(words.max(1))
            .take(sentence_count)
            .map(|credits| {
                credits
                    .iter()
                    .zip(&plan.terms)
                    .zip(focus)
                    .filter(|(_, &is_focus)| is_focus)
                    .map(|((credit, term), _)| credit.min(1.0) * term.weight)
                    .sum::<f32>()
            })
            .fold(0.0f32, f32::max)
            / focus_total
    } else {
        1.0
    };
    RankedHit {
        record: record.clone(),
        passage: candidate.passage.clone(),
        footnotes: candidate.footnotes.clone(),
        score,
        lexical_score: score,
        semantic_score: None,
        coverage,
        best_sentence,
        matched,
        features: Features {
            coverage,
            best_sentence: sentence_score,
            bm25: bm25_normalised,
            focus_coverage,
            focus_missing,
            focus_sentence,
            ..Features::default()
        },
        eligible: false,
        accepted: false,
    }
}
