//! All application commands, one file per group: [`ask`] (questions), [`article`]
//! (look-ups of points, footnotes and facts), [`gaps`], [`channel`] and [`teach`] (admins).

pub mod article;
pub mod ask;
pub mod channel;
pub mod gaps;
pub mod teach;

use super::{Data, Error};

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask::ask(),
        ask::find_in_article(),
        article::point(),
        article::points(),
        article::footnote(),
        article::about(),
        article::reload(),
        article::help(),
        gaps::gaps(),
        channel::channel(),
        teach::teach(),
    ]
}
