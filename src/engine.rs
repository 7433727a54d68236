//! The answer engine: loads the corpus, opens (or builds) the index, and answers questions,
//! point and footnote look-ups. Both front ends (Discord and the command line) call only this.

use std::path::PathBuf;

use tracing::{debug, info, warn};

use crate::answer::{compose, Hit, Response};
use crate::config::Config;
use crate::indexing::analysis::Analyzer;
use crate::indexing::record::point_id;
use crate::indexing::{IndexError, Readiness, SearchIndex};
use crate::ingest::{Article, Corpus, CorpusSummary, Footnote, IngestError, Point, Source};
use crate::retrieve::{query, RankOptions, Retriever};

/// Why the engine could not start or answer.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// An article is broken.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The index could not be built or read.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Facts about the loaded corpus, for `/about`.
#[derive(Debug, Clone, PartialEq)]
pub struct About {
    /// Title of the primary article.
    pub title: String,
    /// Its source URL, when known.
    pub source_url: Option<String>,
    /// Its publication date, when known.
    pub published: Option<String>,
    /// Articles loaded.
    pub articles: usize,
    /// Paragraphs over all articles.
    pub passages: usize,
    /// Agreement points over all articles.
    pub points: usize,
    /// Footnotes over all articles.
    pub footnotes: usize,
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
    /// Rebuild the index even if it matches.
    pub force_rebuild: bool,
    /// Show a progress bar on large builds.
    pub show_progress: bool,
}

impl Default for EngineOptions {
    /// The compiled-in article, an in-memory index, default ranking, three alternatives.
    fn default() -> Self {
        EngineOptions {
            articles_dir: None,
            index_dir: None,
            rank: RankOptions::default(),
            max_alternatives: 3,
            force_rebuild: false,
            show_progress: false,
        }
    }
}

impl EngineOptions {
    /// Options from the configuration (resolving the default articles folder).
    pub fn from_config(config: &Config) -> Self {
        let articles_dir = config.corpus.articles_dir.clone().or_else(|| {
            let shipped = PathBuf::from("index/articles");
            shipped.is_dir().then_some(shipped)
        });
        let index_dir = Some(config.corpus.index_dir.clone()).filter(|p| !p.as_os_str().is_empty());
        EngineOptions {
            articles_dir,
            index_dir,
            rank: config.rank_options(),
            max_alternatives: config.answer.max_alternatives,
            force_rebuild: false,
            show_progress: false,
        }
    }
}

/// The loaded corpus and its searchable index.
pub struct Engine {
    summary: CorpusSummary,
    retriever: Retriever,
    analyzer: Analyzer,
    rank: RankOptions,
    max_alternatives: usize,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("articles", &self.summary.articles)
            .field("passages", &self.summary.passages)
            .field("points", &self.summary.points)
            .finish_non_exhaustive()
    }
}

impl Engine {
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
                warn!(path = %path.display(), error = %err, "cannot write the index folder; keeping the index in memory");
                SearchIndex::open_or_build(None, source, false, options.show_progress)?
            }
            other => other?,
        };
        match index.readiness() {
            Readiness::Reused => info!(passages = summary.passages, "index reused"),
            Readiness::Built(reason) => info!(passages = summary.passages, %reason, "index built"),
            Readiness::InMemory => info!(passages = summary.passages, "index built in memory"),
        }
        Ok(Engine {
            summary,
            retriever: Retriever::new(index)?,
            analyzer: Analyzer::new(),
            rank: options.rank.clone(),
            max_alternatives: options.max_alternatives,
        })
    }

    /// An engine over the compiled-in article with an in-memory index and default ranking.
    pub fn embedded() -> Result<Engine, EngineError> {
        Self::from_source(&Source::Embedded, &EngineOptions::default())
    }

    /// Answers a question with the best passage, or no answer.
    pub fn ask(&self, question: &str) -> Result<Response, EngineError> {
        let searcher = self.retriever.index().searcher();
        let mut analyzer = self.analyzer.clone();
        let plan = query::plan(
            self.retriever.index(),
            &searcher,
            &mut analyzer,
            question,
            self.rank.max_question_chars,
        );
        let ranked = self.retriever.rank(&searcher, &plan, &self.rank)?;
        let response = compose(question, &ranked, self.max_alternatives);
        match &response.answer {
            Some(hit) => {
                debug!(score = hit.score, coverage = hit.coverage, passage = %hit.passage.id, "answered")
            }
            None => debug!(terms = plan.terms.len(), "no good answer"),
        }
        Ok(response)
    }

    /// Counts and the primary article.
    pub fn summary(&self) -> &CorpusSummary {
        &self.summary
    }

    fn primary(&self) -> Option<&Article> {
        self.summary.primary.as_ref()
    }

    /// The agreement points of the primary article.
    pub fn points(&self) -> &[Point] {
        self.primary().map(|a| a.points.as_slice()).unwrap_or(&[])
    }

    /// Point `number` of the primary article, as a hit with its footnotes.
    pub fn point(&self, number: u32) -> Result<Option<Hit>, EngineError> {
        let Some(article) = self.primary() else {
            return Ok(None);
        };
        let Some(point) = article.point(number) else {
            return Ok(None);
        };
        let id = point_id(&article.slug, point.paragraph, point.number);
        Ok(self.passage(&id)?)
    }

    /// A passage or point by id, as a plain hit.
    pub fn passage(&self, id: &str) -> Result<Option<Hit>, IndexError> {
        Ok(self
            .retriever
            .index()
            .record_by_id(id)?
            .map(|record| Hit::plain(&record)))
    }

    /// Footnote `number` of the primary article.
    pub fn footnote(&self, number: u32) -> Option<&Footnote> {
        self.primary().and_then(|a| a.footnote(number))
    }

    /// All footnotes of the primary article.
    pub fn footnotes(&self) -> &[Footnote] {
        self.primary()
            .map(|a| a.footnotes.as_slice())
            .unwrap_or(&[])
    }

    /// Corpus facts.
    pub fn about(&self) -> About {
        let primary = self.primary();
        About {
            title: primary.map(|a| a.title.clone()).unwrap_or_default(),
            source_url: primary.and_then(|a| a.source_url.clone()),
            published: primary.and_then(|a| a.published.clone()),
            articles: self.summary.articles,
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
