//! Answers → what people read: terminal text, JSON lines, and Discord embeds (as plain
//! data the bot converts), each within its medium's limits.

pub mod embed;
pub mod json;
pub mod limits;
pub mod markdown;
mod scan;
pub mod text;
