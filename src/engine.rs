//! The answer engine: loads the corpus, opens (or builds) the index, and answers questions,
//! point and footnote look-ups. Both front ends (Discord and the command line) call only this.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tracing::{debug, info, warn};

use crate::answer::{compose, Hit, Response};

use crate::config::{Config, DEFAULT_MAX_QUESTION_CHARS};
use crate::indexing::analysis::Analyzer;
use crate::indexing::record::{paragraph_id, point_id, PassageRecord};
use crate::indexing::{IndexError, Readiness, SearchIndex};
use crate::ingest::{ArticleSummary, Corpus, CorpusSummary, IngestError, Source};
use crate::retrieve::decision::Decision;
use crate::retrieve::follow_up::{self, FollowUp, Preference, Turn};
use crate::retrieve::fusion::Mode;
use crate::retrieve::reference::{self, Nth, Reference};
use crate::retrieve::taught::TaughtAnswers;
use crate::retrieve::{answer_type, query, DecisionRule, RankOptions, RankedHit, Retriever};
use crate::semantic::contextual::{self, ContextualModel, ModelChoice, DEFAULT_MODEL_DIR};

/// Coverage at which a passage holds every word of a question (rounding aside).
const FULL_COVERAGE: f32 = 0.999;

/// Why the engine could not start or answer.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// An article is broken.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The index could not be built or read.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A look-up named no article, or several.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// The opt-in transformer (`[semantic] model_dir`) could not be loaded. Not a `source`:
    /// the message already holds the loader's reason, and error chains print each source.
    #[error("semantic.model_dir: {0}")]
    Contextual(crate::semantic::contextual::ContextualError),
    /// The model folder found by default (`[semantic] model_dir` unset) could not be loaded.
    #[error("{} (used because semantic.model_dir is unset; set it to \"\" for no transformer): {error}", dir.display())]
    FoundModel {
        /// The folder found.
        dir: PathBuf,
        /// The loader's reason.
        error: crate::semantic::contextual::ContextualError,
    },
    /// The weights file of `[answer] decision_model` could not be read or is damaged.
    #[error("answer.decision_model {path}: {reason}")]
    Decision {
        /// The file.
        path: PathBuf,
        /// Why (the read error, or what is wrong with its contents).
        reason: String,
    },
}

/// Which model answers: for the start-up log, `/about` (admins), `/healthz` and `summit-bot
/// model status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFacts {
    /// `all-mpnet-base-v2` (the folder's name) or `minilm-static` (no transformer).
    pub name: String,
    /// The transformer's folder, if one is loaded.
    pub dir: Option<PathBuf>,
    /// Why this model: `model_dir`, found by default, or why there is no transformer.
    pub origin: String,
    /// Architecture, e.g. "MPNet, 12 layers, 768 wide".
    pub architecture: String,
    /// Bytes of weights the model holds in memory.
    pub weight_bytes: usize,
}

impl ModelFacts {
    /// One line: "all-mpnet-base-v2 (MPNet, 12 layers, 768 wide; 438 MB) from
    /// models/all-mpnet-base-v2 (found by default)".
    pub fn describe(&self) -> String {
        let size = if self.weight_bytes < 1_000_000 {
            format!("{} KB", self.weight_bytes.div_ceil(1000))
        } else {
            format!("{} MB", (self.weight_bytes + 500_000) / 1_000_000)
        };
        match &self.dir {
            Some(dir) => format!(
                "{} ({}; {size}) from {} ({})",
                self.name,
                self.architecture,
                dir.display(),
                self.origin
            ),
            None => format!(
                "{} ({}; {size}, compiled in): {}",
                self.name, self.architecture, self.origin
            ),
        }
    }
}

/// Facts about the loaded corpus, for `/about`.
#[derive(Debug, Clone, PartialEq)]
pub struct About {
    /// Title of the default article (what look-ups without an article refer to).
    pub title: String,
    /// Its source URL, when known.
    pub source_url: Option<String>,
    /// Its publication date, when known.
    pub published: Option<String>,
    /// Every article, sorted by title.
    pub articles: Vec<ArticleFacts>,
    /// Paragraphs over all articles.
    pub passages: usize,
    /// Agreement points over all articles.
    pub points: usize,
    /// Footnotes over all articles.
    pub footnotes: usize,
}

/// One article's line in `/about`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFacts {
    /// The article id (file stem), the value of the `article` options.
    pub id: String,
    /// The article's title.
    pub title: String,
    /// Where it was published, when known.
    pub source_url: Option<String>,
    /// Publication date, when known.
    pub published: Option<String>,
    /// Paragraphs.
    pub paragraphs: usize,
    /// Enumerated points.
    pub points: usize,
    /// Footnotes.
    pub footnotes: usize,
    /// Whether look-ups without an article use this one.
    pub is_default: bool,
}

/// Why a look-up could not pick an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No article is loaded at all.
    #[error("no articles are loaded")]
    NoArticles,
    /// Nothing matches what was asked for.
    #[error("no article matches \"{0}\"")]
    Unknown(String),
    /// Several titles contain what was asked for.
    #[error("\"{query}\" matches several articles: {}", candidates.join(", "))]
    Ambiguous {
        /// What was asked for.
        query: String,
        /// Ids of some of the matching articles.
        candidates: Vec<String>,
    },
}

/// Where the engine reads from and how it ranks.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Articles folder; `None` uses the compiled-in article.
    pub articles_dir: Option<PathBuf>,
    /// Index folder; `None` keeps the index in memory.
    pub index_dir: Option<PathBuf>,
    /// Ranking knobs.
    pub rank: RankOptions,
    /// Alternatives per answer.
    pub max_alternatives: usize,
    /// The longest question read, in characters: the bot refuses a longer question with a
    /// message, and [`Engine::ask`] reads only this many characters of one.
    pub max_question_chars: usize,
    /// Rebuild the index even if it matches.
    pub force_rebuild: bool,
    /// Show a progress bar on large builds.
    pub show_progress: bool,
    /// Article id (or unique part of a title) that look-ups without an article use; `None`:
    /// the shipped summit article when present, else the first by title.
    pub default_article: Option<String>,
    /// `rank.semantic.model_dir` is the default model folder, found because the config
    /// leaves `model_dir` unset ([`EngineOptions::from_config`]); names it so in messages.
    pub model_found: bool,
    /// A weights file for the learned decision, read at open in place of the compiled-in
    /// one (when the decision is the learned one).
    pub decision_model: Option<PathBuf>,
}

impl Default for EngineOptions {
    /// The compiled-in article, an in-memory index, default ranking, three alternatives.
    fn default() -> Self {
        EngineOptions {
            articles_dir: None,
            index_dir: None,
            rank: RankOptions::default(),
            max_alternatives: 3,
            max_question_chars: DEFAULT_MAX_QUESTION_CHARS,
            force_rebuild: false,
            show_progress: false,
            default_article: None,
            model_found: false,
            decision_model: None,
        }
    }
}

impl EngineOptions {
    /// Options from the configuration (resolving the default articles folder, and the
    /// default model folder when `[semantic] model_dir` is unset: a complete
    /// `models/all-mpnet-base-v2/` is used, as `summit-bot model fetch` installs it).
    pub fn from_config(config: &Config) -> Self {
        let articles_dir = config.corpus.articles_dir.clone().or_else(|| {
            let shipped = PathBuf::from("index/articles");
            shipped.is_dir().then_some(shipped)
        });
        let index_dir = Some(config.corpus.index_dir.clone()).filter(|p| !p.as_os_str().is_empty());
        let mut rank = config.rank_options();
        let choice = contextual::choose(config.semantic.model_dir.as_deref());
        let default_dir = Path::new(DEFAULT_MODEL_DIR);
        if config.semantic.model_dir.is_none()
            && default_dir.exists()
            && choice.dir() != Some(default_dir)
        {
            let missing = contextual::missing_files(default_dir).join(", ");
            warn!(%missing, "the default model folder is incomplete: not used");
        }
        let model_found = matches!(choice, ModelChoice::Found(_));
        if model_found {
            rank.semantic.model_dir = choice.dir().map(Path::to_path_buf);
        }
        EngineOptions {
            articles_dir,
            index_dir,
            rank,
            max_alternatives: config.answer.max_alternatives,
            max_question_chars: config.limits.max_question_chars,
            force_rebuild: false,
            show_progress: false,
            default_article: config.corpus.default_article.clone(),
            model_found,
            decision_model: config.answer.decision_model.clone(),
        }
    }
}

/// The loaded corpus and its searchable index.
pub struct Engine {
    summary: CorpusSummary,
    /// Article id → position in `summary.articles` (look-ups by article in constant time).
    by_id: FxHashMap<String, usize>,
    /// Positions in `summary.articles`, sorted by title (listings, autocomplete).
    by_title: Vec<usize>,
    /// Each article's id and title in lowercase, by position: a look-up by part of a title
    /// scans these without lowercasing a thousand titles per question.
    lowercase: Vec<(String, String)>,
    /// Position of the default article.
    default_article: Option<usize>,
    retriever: Retriever,
    analyzer: Analyzer,
    rank: RankOptions,
    max_alternatives: usize,
    max_question_chars: usize,
    /// Which model answers.
    model: ModelFacts,
    /// Answers an admin taught (shared with the front ends, which replace its contents;
    /// empty unless [`Engine::with_taught`] gave one).
    taught: Arc<TaughtAnswers>,
}

/// The model an engine opened with `options` answers with (`summit-bot model status`): the
/// transformer is loaded to check it, as the engine would.
pub fn model_facts(options: &EngineOptions) -> Result<ModelFacts, EngineError> {
    load_model(options).map(|(_, facts)| facts)
}

/// The transformer `options` ask for (loaded once per process and shared), and the facts
/// about the model that answers.
fn load_model(
    options: &EngineOptions,
) -> Result<(Option<std::sync::Arc<ContextualModel>>, ModelFacts), EngineError> {
    let semantic = &options.rank.semantic;
    let static_facts = |origin: String| ModelFacts {
        name: "minilm-static".into(),
        dir: None,
        origin,
        architecture: "static embeddings distilled from all-MiniLM-L6-v2".into(),
        weight_bytes: crate::semantic::StaticModel::embedded().weight_bytes(),
    };
    let dir = match &semantic.model_dir {
        _ if semantic.mode != Mode::Combined => {
            return Ok((
                None,
                static_facts(format!(
                    "no transformer in {} mode",
                    format!("{:?}", semantic.mode).to_lowercase()
                )),
            ))
        }
        None => {
            return Ok((
                None,
                static_facts(
                    "no transformer: model_dir unset and no complete models/all-mpnet-base-v2 or models/minilm-l6"
                        .into(),
                ),
            ))
        }
        Some(dir) if dir.as_os_str().is_empty() => {
            return Ok((
                None,
                static_facts("no transformer: model_dir is \"\"".into()),
            ))
        }
        Some(dir) => dir,
    };
    let model = ContextualModel::shared(dir).map_err(|error| {
        if options.model_found {
            EngineError::FoundModel {
                dir: dir.clone(),
                error,
            }
        } else {
            EngineError::Contextual(error)
        }
    })?;
    let facts = ModelFacts {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string()),
        dir: Some(dir.clone()),
        origin: if options.model_found {
            "found by default, model_dir unset".into()
        } else {
            "[semantic] model_dir".into()
        },
        architecture: model.architecture(),
        weight_bytes: model.weight_bytes(),
    };
    Ok((Some(model), facts))
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("articles", &self.summary.articles.len())
            .field("passages", &self.summary.passages)
            .field("points", &self.summary.points)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the engine the configuration describes (articles, index folder, ranking, limits):
    /// what both front ends run on, and what a reload builds again.
    pub fn from_config(config: &Config) -> Result<Engine, EngineError> {
        Self::open(&EngineOptions::from_config(config))
    }

    /// Opens the index if it matches the articles, else parses them and builds it.
    pub fn open(options: &EngineOptions) -> Result<Engine, EngineError> {
        let source = match &options.articles_dir {
            Some(dir) => Source::Dir(dir.clone()),
            None => Source::Embedded,
        };
        Self::from_source(&source, options)
    }

    /// Opens or builds the index for an already parsed corpus.
    pub fn with_corpus(corpus: Corpus, options: &EngineOptions) -> Result<Engine, EngineError> {
        Self::from_source(&Source::Parsed(std::sync::Arc::new(corpus)), options)
    }

    /// Opens or builds the index for a source of articles.
    pub fn from_source(source: &Source, options: &EngineOptions) -> Result<Engine, EngineError> {
        let mut rank = options.rank.clone();
        if let (Some(path), DecisionRule::Learned(_)) = (&options.decision_model, &rank.decision) {
            rank.decision = DecisionRule::Learned(std::sync::Arc::new(load_decision(path)?));
        }
        let built = SearchIndex::open_or_build(
            options.index_dir.as_deref(),
            source,
            options.force_rebuild,
            options.show_progress,
        );
        let (index, summary) = match built {
            // An unwritable index folder (read-only checkout, another user's files) must not
            // stop the bot: it answers from an in-memory index and says so.
            Err(IndexError::Io { path, source: err }) => {
                warn!(
                    "cannot write the index folder {}: {err}; answering from an index in memory, \
                     rebuilt at every start (make the folder writable by this user, or point \
                     corpus.index_dir at a writable folder such as /var/lib/summit-bot/index)",
                    path.display()
                );
                SearchIndex::open_or_build(None, source, false, options.show_progress)?
            }
            other => other?,
        };
        match index.readiness() {
            Readiness::Reused => info!(passages = summary.passages, "index reused"),
            Readiness::Built(reason) => info!(passages = summary.passages, %reason, "index built"),
            Readiness::InMemory => info!(passages = summary.passages, "index built in memory"),
        }
        let by_id = summary
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        let mut by_title: Vec<usize> = (0..summary.articles.len()).collect();
        by_title.sort_by(|&a, &b| {
            let (a, b) = (&summary.articles[a], &summary.articles[b]);
            a.title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        let lowercase = summary
            .articles
            .iter()
            .map(|a| (a.id.to_lowercase(), a.title.to_lowercase()))
            .collect();
        let (model, model_facts) = load_model(options)?;
        info!(model = %model_facts.describe(), "model answers");
        let mut engine = Engine {
            summary,
            by_id,
            by_title,
            lowercase,
            default_article: None,
            retriever: match &model {
                Some(model) => Retriever::with_mode(index, options.rank.semantic.mode)?
                    .with_contextual(model.clone()),
                None => Retriever::with_mode(index, options.rank.semantic.mode)?,
            },
            model: model_facts,
            analyzer: Analyzer::new(),
            rank,
            max_alternatives: options.max_alternatives,
            max_question_chars: options.max_question_chars,
            taught: Arc::default(),
        };
        engine.default_article = engine.choose_default(options.default_article.as_deref());
        Ok(engine)
    }

    /// The configured default article if it exists, else the shipped one, else the first by
    /// title. A configured article that is missing (renamed, not yet added) is logged, not
    /// fatal: reloads must keep working while articles come and go.
    fn choose_default(&self, configured: Option<&str>) -> Option<usize> {
        if let Some(wanted) = configured.filter(|w| !w.trim().is_empty()) {
            match self.find(wanted) {
                Ok(i) => return Some(i),
                Err(err) => {
                    warn!(article = wanted, error = %err, "corpus.default_article not used")
                }
            }
        }
        self.by_id
            .get(crate::ingest::SHIPPED_ID)
            .copied()
            .or_else(|| self.by_title.first().copied())
    }

    /// Position of the article with this id, else of the one whose id or title contains
    /// `query` (case-insensitive) when exactly one does.
    fn find(&self, query: &str) -> Result<usize, LookupError> {
        let query = query.trim();
        if let Some(&i) = self.by_id.get(query) {
            return Ok(i);
        }
        let wanted = query.to_lowercase();
        if wanted.is_empty() {
            return Err(LookupError::Unknown(query.to_string()));
        }
        let articles = &self.summary.articles;
        let lowercase = &self.lowercase;
        let matching: Vec<usize> = self
            .by_title
            .iter()
            .copied()
            .filter(|&i| lowercase[i].0.contains(&wanted) || lowercase[i].1.contains(&wanted))
            .collect();
        let exact = |i: &&usize| lowercase[**i].0 == wanted || lowercase[**i].1 == wanted;
        match matching.as_slice() {
            [] => Err(LookupError::Unknown(query.to_string())),
            [one] => Ok(*one),
            many => match many.iter().filter(exact).collect::<Vec<_>>().as_slice() {
                [one] => Ok(**one),
                _ => Err(LookupError::Ambiguous {
                    query: query.to_string(),
                    candidates: many
                        .iter()
                        .take(5)
                        .map(|&i| articles[i].id.clone())
                        .collect(),
                }),
            },
        }
    }

    /// An engine over the compiled-in article with an in-memory index and default ranking.
    pub fn embedded() -> Result<Engine, EngineError> {
        Self::from_source(&Source::Embedded, &EngineOptions::default())
    }

    /// Answers a question with the best passage, or no answer.
    pub fn ask(&self, question: &str) -> Result<Response, EngineError> {
        Ok(self.ask_in(question, None)?.0)
    }

    /// The plan of `question`: its words read against the index (not yet expanded).
    fn plan(&self, searcher: &tantivy::Searcher, question: &str) -> query::QueryPlan {
        query::plan(
            self.retriever.index(),
            searcher,
            &mut self.analyzer.clone(),
            question,
            self.max_question_chars,
        )
    }

    /// Answers a question of a conversation whose previous exchange was `previous`, and
    /// returns the exchange to remember for the next question. A question that stands on its
    /// own is answered exactly as by itself; a follow-up ("who chairs it?", "and the Chinese
    /// side?") is read with the earlier questions' words at a lower weight, preferring the
    /// previous passage and what surrounds it ([`follow_up`]). A follow-up about something no
    /// article knows gets no answer, and one the context does not help is answered alone.
    pub fn ask_in(
        &self,
        question: &str,
        previous: Option<&Turn>,
    ) -> Result<(Response, Turn), EngineError> {
        let searcher = self.retriever.index().searcher();
        let mut plan = self.plan(&searcher, question);
        let lower = plan.text.to_lowercase();
        let words: Vec<&str> = answer_type::words_of(&lower).collect();
        // "What does footnote 3 say?", "what is point 2?": that part of the article the
        // conversation is about, else of the default article, else of the first that has
        // it; no article has it, no answer ("point 7" of a list of four is not paragraph 2).
        if let Some(named) = reference::of_question(&words).filter(|_| !self.is_taught(question)) {
            let conversation = match previous.and_then(|turn| turn.passage.as_deref()) {
                Some(id) => self.place_of_passage(id)?.map(|(article, _)| article),
                None => None,
            };
            let mut answer: Option<Hit> = None;
            for article in conversation
                .or_else(|| self.default_article())
                .into_iter()
                .chain(self.articles())
            {
                answer = self.referenced(article, named)?;
                if answer.is_some() {
                    break;
                }
            }
            // The question names exactly this part: all of it is met.
            if let Some(hit) = &mut answer {
                hit.coverage = 1.0;
            }
            let turn = Turn::new(question, answer.as_ref().map(|hit| hit.passage.id.clone()));
            return Ok((Response::only(question, answer), turn));
        }
        // A question an admin taught is answered as taught, never read as a follow-up.
        // "They" mostly means the article's actors ("what did they agree?"): it leans on the
        // previous exchange only when that answer holds one of the question's topical words
        // ("who did they sell the data to?" after the passage on hackers who sold data).
        let followed = match previous {
            Some(turn)
                if follow_up::is_follow_up(&words, &plan)
                    || follow_up::names_actors(&words)
                        && self.previous_holds_topic(turn, &plan)? =>
            {
                Some(turn)
            }
            _ => None,
        }
        .filter(|_| !self.is_taught(question));

        if let Some(previous) = followed {
            if let Some(hit) = self.item_of_previous_list(&words, previous)? {
                debug!(passage = %hit.passage.id, "follow-up for one item of the previous list");
                let turn = Turn {
                    context_used: true,
                    ..previous.followed_by(question, Some(hit.passage.id.clone()))
                };
                return Ok((Response::only(question, Some(hit)), turn));
            }
            if let Some(answered) = self.ask_follow_up(question, &plan, previous)? {
                return Ok(answered);
            }
        }
        self.retriever.expand(&mut plan, &self.rank);
        let ranked = self.retriever.rank(&searcher, &plan, &self.rank)?;
        let mut response = compose(question, &ranked, self.max_alternatives);
        self.apply_taught(&mut response)?;
        match &response.answer {
            Some(hit) => {
                debug!(score = hit.score, coverage = hit.coverage, passage = %hit.passage.id, "answered")
            }
            None => debug!(terms = plan.terms.len(), "no good answer"),
        }
        let mut turn = Turn::new(
            question,
            response.answer.as_ref().map(|h| h.passage.id.clone()),
        );
        if let (None, Some(previous)) = (&response.answer, followed) {
            // A follow-up left unanswered keeps the conversation's topic for the next one.
            turn = previous.followed_by(question, previous.passage.clone());
        }
        Ok((response, turn))
    }

    /// Whether the previous answer's passage (or its footnotes) holds one of the question's
    /// topical words: a word the index knows, not an everyday one, matched by itself.
    fn previous_holds_topic(
        &self,
        previous: &Turn,
        plan: &query::QueryPlan,
    ) -> Result<bool, EngineError> {
        let Some(id) = previous.passage.as_deref() else {
            return Ok(false);
        };
        let Some(record) = self.retriever.index().record_by_id(id)? else {
            return Ok(false);
        };
        Ok(plan
            .terms
            .iter()
            .filter(|t| !t.common && !t.expanded)
            .flat_map(|t| t.matches.iter().filter(|m| !m.ranking_only))
            .any(|m| record_holds(&record, m.id)))
    }

    /// A follow-up read with `previous`: the answer and its turn, or `None` when the context
    /// finds nothing (the question is then answered alone).
    fn ask_follow_up(
        &self,
        question: &str,
        own: &query::QueryPlan,
        previous: &Turn,
    ) -> Result<Option<(Response, Turn)>, EngineError> {
        let searcher = self.retriever.index().searcher();
        let mut plan = own.clone();
        self.retriever.expand(&mut plan, &self.rank);
        let lower = question.to_lowercase();
        let words: Vec<&str> = answer_type::words_of(&lower).collect();
        follow_up::excuse_action_word(&mut plan, &words);
        if follow_up::is_off_topic(&plan) {
            return Ok(None);
        }
        let turn = |passage: &str| Turn {
            context_used: true,
            ..previous.followed_by(question, Some(passage.to_string()))
        };
        if follow_up::asks_about_previous(own) {
            if let Some(hit) = previous
                .passage
                .as_deref()
                .map(|id| self.passage(id))
                .transpose()?
                .flatten()
            {
                debug!(passage = %hit.passage.id, "follow-up about the previous answer");
                let id = hit.passage.id.clone();
                return Ok(Some((Response::only(question, Some(hit)), turn(&id))));
            }
        }
        let earlier: Vec<query::QueryPlan> = previous
            .questions()
            .map(|q| self.plan(&searcher, q))
            .collect();
        let own_terms = follow_up::add_context(&mut plan, &earlier);
        let previous_record = match &previous.passage {
            Some(id) => self.retriever.index().record_by_id(id)?,
            None => None,
        };
        if let Some(record) = &previous_record {
            follow_up::keep_context_held_by(&mut plan, own_terms, |id| record_holds(record, id));
        }
        let own_text = std::mem::take(&mut plan.text);
        plan.text = previous
            .questions()
            .fold(own_text.clone(), |text, q| text + " " + q);
        let preference = previous_record.map(|r| Preference {
            id: r.id.clone(),
            article: r.article.clone(),
            paragraph: r.paragraph,
            footnotes: r.footnotes.iter().map(|f| f.number).collect(),
        });
        let context = FollowUp {
            own_terms,
            own_text,
            preference,
        };
        let ranked = self
            .retriever
            .rank_in(&searcher, &plan, &self.rank, Some(&context))?;
        let response = compose(question, &ranked, self.max_alternatives);
        let Some(hit) = &response.answer else {
            debug!("follow-up: no good answer with context either");
            return Ok(None);
        };
        if self.stands_alone(&searcher, own, &hit.passage.id)? {
            debug!(follows = %previous.question, "short question its own words answer: answered alone");
            return Ok(None);
        }
        debug!(score = hit.score, passage = %hit.passage.id, follows = %previous.question, "answered a follow-up");
        let turn = turn(&hit.passage.id);
        Ok(Some((response, turn)))
    }

    /// Whether a short question read as a follow-up is answered by its own words after all:
    /// alone, it gets an answer that holds every one of its words, and the passage the
    /// context chose does not ("Is there a hotline?" after a question about the date is about
    /// the hotline, not about the date).
    fn stands_alone(
        &self,
        searcher: &tantivy::Searcher,
        own: &query::QueryPlan,
        context_answer: &str,
    ) -> Result<bool, EngineError> {
        let mut plan = own.clone();
        self.retriever.expand(&mut plan, &self.rank);
        // One ranking serves both sides: `rank` is `rank_all` keeping the accepted candidates
        // in order, so the first accepted one is what the question alone is answered with.
        let candidates = self.retriever.rank_all(searcher, &plan, &self.rank, None)?;
        let holds_every_word = |hit: &RankedHit| hit.coverage >= FULL_COVERAGE;
        if candidates
            .iter()
            .any(|c| c.passage.id == context_answer && holds_every_word(c))
        {
            return Ok(false); // the context's answer holds the question's words too
        }
        Ok(candidates
            .iter()
            .find(|c| c.accepted)
            .is_some_and(|alone| alone.passage.id != context_answer && holds_every_word(alone)))
    }

    /// Consults `taught` from now on (the same set the front ends replace when an admin
    /// teaches; a reloaded engine is given the set its predecessor had).
    pub fn with_taught(mut self, taught: Arc<TaughtAnswers>) -> Engine {
        self.taught = taught;
        self
    }

    /// The taught answers this engine consults.
    pub fn taught(&self) -> &Arc<TaughtAnswers> {
        &self.taught
    }

    /// Whether a taught answer's passage is in this engine's articles (else it is stale).
    pub fn has_passage(&self, id: &str) -> bool {
        self.retriever
            .index()
            .record_by_id(id)
            .ok()
            .flatten()
            .is_some()
    }

    /// Whether a taught answer whose passage exists matches `question`.
    fn is_taught(&self, question: &str) -> bool {
        let set = self.taught.snapshot();
        !set.is_empty()
            && set
                .matches(question)
                .iter()
                .any(|taught| self.has_passage(&taught.passage))
    }

    /// Puts the passage of the first matching taught answer whose passage still exists
    /// first, with its footnotes; the ranked hits follow as alternatives (that passage and
    /// any beyond `max_alternatives` dropped). A question no taught answer matches is
    /// untouched.
    fn apply_taught(&self, response: &mut Response) -> Result<(), IndexError> {
        let set = self.taught.snapshot();
        if set.is_empty() {
            return Ok(());
        }
        for taught in set.matches(&response.question) {
            let Some(plain) = self.passage(&taught.passage)? else {
                continue; // stale: the passage is gone from the articles
            };
            // Ranked too: keep its highlight and scores; else the plain passage.
            let hit = response
                .hits()
                .find(|h| h.passage.id == plain.passage.id)
                .cloned()
                .unwrap_or(plain);
            let mut rest: Vec<Hit> = response
                .answer
                .take()
                .into_iter()
                .chain(std::mem::take(&mut response.alternatives))
                .filter(|h| h.passage.id != hit.passage.id)
                .collect();
            rest.truncate(self.max_alternatives);
            debug!(taught = taught.id, passage = %hit.passage.id, "taught answer");
            response.answer = Some(hit);
            response.alternatives = rest;
            return Ok(());
        }
        Ok(())
    }

    /// Every candidate scored for `question`, best first, each with the answer decision's
    /// signals: the rows `summit-bot eval --features` exports to train the decision. They are
    /// ranked and ordered under the hand-written bar (`accepted` is its verdict), never
    /// under the learned model: rows that depended on the model compiled in would make the
    /// model they train depend on the one before it, and no script could rebuild it.
    pub fn scored_candidates(&self, question: &str) -> Result<Vec<RankedHit>, EngineError> {
        let options = RankOptions {
            decision: DecisionRule::Rules,
            ..self.rank.clone()
        };
        let searcher = self.retriever.index().searcher();
        let mut plan = self.plan(&searcher, question);
        self.retriever.expand(&mut plan, &self.rank);
        Ok(self.retriever.rank_all(&searcher, &plan, &options, None)?)
    }

    /// The longest question read, in characters (see [`EngineOptions::max_question_chars`]).
    pub fn max_question_chars(&self) -> usize {
        self.max_question_chars
    }

    /// Counts and every article's look-up facts.
    pub fn summary(&self) -> &CorpusSummary {
        &self.summary
    }

    /// Every article, sorted by title.
    pub fn articles(&self) -> impl ExactSizeIterator<Item = &ArticleSummary> {
        self.by_title.iter().map(|&i| &self.summary.articles[i])
    }

    /// The article look-ups use when none is named.
    pub fn default_article(&self) -> Option<&ArticleSummary> {
        self.default_article.map(|i| &self.summary.articles[i])
    }

    /// The article named by `query` (an id, or a part of one title), or the default article
    /// when `query` is `None`.
    pub fn article(&self, query: Option<&str>) -> Result<&ArticleSummary, LookupError> {
        match query {
            None => self.default_article().ok_or(LookupError::NoArticles),
            Some(query) => self.find(query).map(|i| &self.summary.articles[i]),
        }
    }

    /// How messages name an article: "the article" when it is the only one, else with its id.
    pub fn article_name(&self, article: &ArticleSummary) -> String {
        if self.summary.articles.len() <= 1 {
            "the article".to_string()
        } else {
            format!("the article {}", article.id)
        }
    }

    /// Point `number` of `article`, as a hit with its footnotes.
    pub fn point(&self, article: &ArticleSummary, number: u32) -> Result<Option<Hit>, EngineError> {
        let Some(point) = article.point(number) else {
            return Ok(None);
        };
        let id = point_id(&article.id, point.paragraph, point.number);
        Ok(self.passage(&id)?)
    }

    /// The part of `article` a question names ([`reference`]): a point, or for a footnote
    /// the shortest passage whose own text cites it (the point that cites it, else the
    /// paragraph), with its footnotes. `None` when the article has no such part.
    fn referenced(
        &self,
        article: &ArticleSummary,
        named: Reference,
    ) -> Result<Option<Hit>, EngineError> {
        match named {
            Reference::Point(which) => {
                let number = match which {
                    Nth::Number(n) => Some(n),
                    Nth::Last => article.points.last().map(|p| p.number),
                };
                match number {
                    Some(number) => self.point(article, number),
                    None => Ok(None),
                }
            }
            Reference::Footnote(which) => {
                // Footnotes go by their own numbers, which may skip ("[^1]", "[^6]").
                let footnote = match which {
                    Nth::Number(n) => article.footnotes.iter().find(|f| f.number == n),
                    Nth::Last => article.footnotes.last(),
                };
                let Some(footnote) = footnote else {
                    return Ok(None);
                };
                let marker = format!("[{}]", footnote.number);
                let mut citing: Option<Hit> = None;
                for paragraph in 1..=article.paragraphs as u32 {
                    let ids = std::iter::once(paragraph_id(&article.id, paragraph)).chain(
                        article
                            .points
                            .iter()
                            .filter(|p| p.paragraph == paragraph)
                            .map(|p| point_id(&article.id, paragraph, p.number)),
                    );
                    for id in ids {
                        let Some(record) = self.retriever.index().record_by_id(&id)? else {
                            continue;
                        };
                        let shorter = citing
                            .as_ref()
                            .is_none_or(|c| record.text.len() < c.passage.text.len());
                        if record.text.contains(&marker) && shorter {
                            citing = Some(Hit::plain(&record));
                        }
                    }
                    if citing.is_some() {
                        break;
                    }
                }
                Ok(citing)
            }
        }
    }

    /// "And the first duty?", "what's the second one?", "the last?" after an answer from a
    /// paragraph that enumerates points (or one of them): that point of its list. The word
    /// the ordinal qualifies, when there is one, must name the list's items (its
    /// introduction holds it: "two duties"; or "one", "point"): "when is the first
    /// meeting?" after the point on the working group asks about something else.
    fn item_of_previous_list(
        &self,
        words: &[&str],
        previous: &Turn,
    ) -> Result<Option<Hit>, EngineError> {
        /// A request for one item is short; a longer question asks about something more.
        const MAX_WORDS: usize = 8;
        let Some((nth, noun)) = reference::ordinal_item(words).filter(|_| words.len() <= MAX_WORDS)
        else {
            return Ok(None);
        };
        let Some(id) = previous.passage.as_deref() else {
            return Ok(None);
        };
        let Some((article, paragraph)) = self.place_of_passage(id)? else {
            return Ok(None);
        };
        let Some(record) = self
            .retriever
            .index()
            .record_by_id(&paragraph_id(&article.id, paragraph))?
        else {
            return Ok(None);
        };
        // The items: the paragraph's points, or else the paragraphs after it that open
        // with "First,", "Second,", … ("They then used two best practices…" followed by a
        // paragraph for each).
        let points: Vec<_> = article
            .points
            .iter()
            .filter(|p| p.paragraph == paragraph)
            .collect();
        let mut introduction = record.text.clone();
        let items: Vec<String> = if points.is_empty() {
            self.paragraphs_listed_after(&article.id, paragraph)?
        } else {
            for point in &points {
                introduction = introduction.replace(point.text.as_str(), " ");
            }
            points
                .iter()
                .map(|p| point_id(&article.id, paragraph, p.number))
                .collect()
        };
        if items.len() < 2 {
            return Ok(None);
        }
        if let Some(noun) = noun.filter(|n| !reference::names_items(n)) {
            let mut analyzer = self.analyzer.clone();
            let wanted = analyzer.terms(noun);
            let held = analyzer.terms(&introduction);
            if wanted.is_empty() || !wanted.iter().all(|w| held.contains(w)) {
                return Ok(None);
            }
        }
        let item = match nth {
            Nth::Number(n) => items.get((n as usize).wrapping_sub(1)),
            Nth::Last => items.last(),
        };
        match item {
            Some(id) => Ok(self.passage(id)?),
            None => Ok(None),
        }
    }

    /// Ids of the paragraphs after `paragraph` of `article` that open with the ordinals of a
    /// list in order ("First, …", "Second, …", "Last, …"), empty when the next one does not
    /// open with "First".
    fn paragraphs_listed_after(
        &self,
        article: &str,
        paragraph: u32,
    ) -> Result<Vec<String>, IndexError> {
        /// A list runs to a dozen items.
        const MOST_ITEMS: u32 = 12;
        let mut items = Vec::new();
        for rank in 1..=MOST_ITEMS {
            let id = paragraph_id(article, paragraph + rank);
            let Some(next) = self.retriever.index().record_by_id(&id)? else {
                break;
            };
            match crate::ingest::points::sentence_rank(&next.text) {
                Some(r) if r == rank => items.push(id),
                Some(u32::MAX) if rank > 1 => {
                    items.push(id);
                    break;
                }
                _ => break,
            }
        }
        Ok(items)
    }

    /// The article and paragraph of the passage or point `id`, when the index holds it.
    fn place_of_passage(&self, id: &str) -> Result<Option<(&ArticleSummary, u32)>, IndexError> {
        let Some(record) = self.retriever.index().record_by_id(id)? else {
            return Ok(None);
        };
        let article = self
            .summary
            .articles
            .iter()
            .find(|a| a.id == record.article);
        Ok(article.map(|a| (a, record.paragraph)))
    }

    /// A passage or point by id, as a plain hit.
    pub fn passage(&self, id: &str) -> Result<Option<Hit>, IndexError> {
        Ok(self
            .retriever
            .index()
            .record_by_id(id)?
            .map(|record| Hit::plain(&record)))
    }

    /// Which model answers.
    pub fn model(&self) -> &ModelFacts {
        &self.model
    }

    /// A passage as an admin names it (teaching): its id as `ask --json` prints it, or
    /// "point N" (or just "N") of the default article. `None` when there is no such passage.
    pub fn named_passage(&self, given: &str) -> Result<Option<Hit>, EngineError> {
        let given = given.trim();
        let number = given
            .strip_prefix("point")
            .map(str::trim)
            .unwrap_or(given)
            .parse::<u32>()
            .ok();
        match number {
            Some(number) => match self.default_article() {
                Some(article) => self.point(article, number),
                None => Ok(None),
            },
            None => Ok(self.passage(given)?),
        }
    }

    /// Questions whose candidates the transformer scored so far (the cascade asks it only
    /// when the other signals are not sure), when one is loaded.
    pub fn contextual_questions(&self) -> Option<usize> {
        self.retriever.contextual_questions()
    }

    /// Corpus facts: the default article and every article's counts.
    pub fn about(&self) -> About {
        let default = self.default_article();
        About {
            title: default.map(|a| a.title.clone()).unwrap_or_default(),
            source_url: default.and_then(|a| a.source_url.clone()),
            published: default.and_then(|a| a.published.clone()),
            articles: self
                .by_title
                .iter()
                .map(|&i| {
                    let a = &self.summary.articles[i];
                    ArticleFacts {
                        id: a.id.clone(),
                        title: a.title.clone(),
                        source_url: a.source_url.clone(),
                        published: a.published.clone(),
                        paragraphs: a.paragraphs,
                        points: a.points.len(),
                        footnotes: a.footnotes.len(),
                        is_default: Some(i) == self.default_article,
                    }
                })
                .collect(),
            passages: self.summary.passages,
            points: self.summary.points,
            footnotes: self.summary.footnotes,
        }
    }

    /// Whether the index was reused or built.
    pub fn readiness(&self) -> &Readiness {
        self.retriever.index().readiness()
    }

    /// The search index (for benchmarks).
    pub fn search_index(&self) -> &SearchIndex {
        self.retriever.index()
    }
}

/// Whether a passage's text or cited footnotes hold the indexed term `id`.
fn record_holds(record: &PassageRecord, id: u32) -> bool {
    record.terms.iter().any(|span| span.term == id) || record.footnote_terms.contains(&id)
}

/// Reads and checks a decision weights file, naming the path in the error.
fn load_decision(path: &std::path::Path) -> Result<Decision, EngineError> {
    let error = |reason: String| EngineError::Decision {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    Decision::from_json(&text).map_err(|e| error(e.to_string()))
}
