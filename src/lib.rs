//! summit-bot: answers questions about the September 2015 Obama–Xi cyber-espionage summit
//! with the article's own words.
//!
//! Data flows one way: [`ingest`] (article files → passages, footnotes, points) →
//! [`indexing`] (tantivy schema, build, persist) → [`semantic`] (sentence and word vectors) →
//! [`retrieve`] (question → ranked hits) →
//! [`answer`] (hits → answer) → [`render`] (answer → text, JSON, embed). [`config`] holds the
//! settings and [`engine`] ties the core together; [`eval`] scores answers; [`store`] (the
//! question log), [`service`] (health, metrics, the HTTP endpoint) and [`import`] (web pages →
//! article files, a front door to [`ingest`]) sit beside the front ends (the first two share
//! [`source`], where a question came from), [`bot`] (Discord) and
//! [`cli`] (which also starts the bot). [`text`] holds plain text helpers every layer may use.
//!
//! What holds, and is checked by `tests/layers.rs` (see ARCHITECTURE.md): no module uses a
//! module of a higher layer. The core ([`ingest`], [`indexing`], [`semantic`], [`retrieve`],
//! [`answer`], [`engine`]) uses no Discord types and produces nothing Discord-specific; its one piece of
//! Discord knowledge is question normalisation, [`retrieve::markup`], which removes chat markup
//! (mentions, emoji, formatting) from the text of a question. [`config`] carries the
//! `[discord]` settings as plain data, [`render`] writes Discord's Markdown and message shapes
//! as plain data, and the Discord libraries (serenity, poise) are used only in [`bot`].

pub mod answer;
pub mod bot;
pub mod cli;
pub mod config;
pub mod engine;
pub mod eval;
pub mod import;
pub mod indexing;
pub mod ingest;
pub mod render;
pub mod retrieve;
pub mod semantic;
pub mod service;
pub mod source;
pub mod store;
pub mod text;
pub mod web;

pub use answer::{Hit, Response};
pub use config::Config;
pub use engine::{Engine, EngineError, EngineOptions};
pub use ingest::PassageRef;
