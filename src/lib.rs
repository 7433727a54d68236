//! summit-bot: answers questions about the September 2015 Obama–Xi cyber-espionage summit
//! with the article's own words.
//!
//! Data flows one way: [`ingest`] (article files → passages, footnotes, points) →
//! [`indexing`] (tantivy schema, build, persist) → [`retrieve`] (question → ranked hits) →
//! [`answer`] (hits → answer) → [`render`] (answer → text, JSON, embed). [`engine`] ties the
//! core together; [`cli`] and [`bot`] are the two front ends. Nothing before `render` knows
//! about Discord.

pub mod answer;
pub mod bot;
pub mod cli;
pub mod config;
pub mod engine;
pub mod eval;
pub mod fxhash;
pub mod indexing;
pub mod ingest;
pub mod render;
pub mod retrieve;
pub mod store;

pub use answer::{Hit, PassageRef, Response};
pub use config::Config;
pub use engine::{Engine, EngineError, EngineOptions};
