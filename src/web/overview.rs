//! `GET /admin`: the overview. Questions per day with the answered share, Helpful / Not
//! helpful per day, questions by hour (UTC), the most frequent unanswered questions and the
//! passages most often rated Not helpful, for a time range and a guild.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::auth::Admin;
use super::chart::{self, Chart, Layout, Series};
use super::{AdminError, AdminState};
use crate::store::db::unix_now;
use crate::store::overview::{self as data, Day, VoteDay};
use crate::store::report::{self, Filter, Report};

/// Longest run of days a chart draws (older days of an all-time view are left out).
const MAX_DAYS: i64 = 90;

/// The time ranges offered, as `(value, label, seconds)`.
pub(super) const RANGES: &[(&str, &str, Option<i64>)] = &[
    ("1d", "Last 24 hours", Some(86_400)),
    ("7d", "Last 7 days", Some(7 * 86_400)),
    ("30d", "Last 30 days", Some(30 * 86_400)),
    ("90d", "Last 90 days", Some(90 * 86_400)),
    ("all", "All time", None),
];

/// The filter form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    range: String,
    #[serde(default)]
    guild: String,
}

/// A row of the Not helpful table.
struct Rated {
    passage: String,
    opening: String,
    not_helpful: u64,
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct Page {
    csrf: String,
    active: &'static str,
    range: String,
    ranges: Vec<(&'static str, &'static str)>,
    guild: String,
    guilds: Vec<String>,
    report: Report,
    answered_share: String,
    charts: Vec<Chart>,
    least_helpful: Vec<Rated>,
    has_store: bool,
}

/// `GET /admin`.
pub(super) async fn page(
    admin: Admin,
    State(state): State<AdminState>,
    Query(params): Query<Params>,
) -> Result<Html<String>, AdminError> {
    let backend = state.backend()?;
    let range = RANGES
        .iter()
        .find(|(value, _, _)| *value == params.range)
        .unwrap_or(&RANGES[2]);
    let now = unix_now();
    let filter = Filter {
        since: range.2.map(|seconds| now - seconds),
        guild: params.guild.trim().parse().ok(),
    };
    let (built, days, votes, guilds) = match &backend.store {
        Some(store) => store
            .with_db(move |db| {
                Box::pin(async move {
                    Ok((
                        report::build(db, &filter).await?,
                        data::questions_per_day(db, &filter).await?,
                        data::votes_per_day(db, &filter).await?,
                        data::guilds(db).await?,
                    ))
                })
            })
            .await
            .map_err(AdminError::Store)?,
        None => (Report::default(), Vec::new(), Vec::new(), Vec::new()),
    };
    let engine = (backend.engine)();
    let least_helpful = built
        .least_helpful
        .iter()
        .map(|l| Rated {
            opening: engine
                .passage(&l.passage)
                .ok()
                .flatten()
                .map(|hit| super::opening(&hit.passage.text))
                .unwrap_or_else(|| "(no longer in the articles)".to_string()),
            passage: l.passage.clone(),
            not_helpful: l.not_helpful,
        })
        .collect();
    let first_day = filter.since.map(|since| since.div_euclid(86_400));
    let last_day = now.div_euclid(86_400);
    let charts = vec![
        questions_chart(&days, first_day, last_day),
        votes_chart(&votes, first_day, last_day),
        hours_chart(&built.by_hour_utc),
    ];
    let answered_share = if built.questions == 0 {
        "–".to_string()
    } else {
        format!(
            "{:.0} %",
            built.answered as f64 * 100.0 / built.questions as f64
        )
    };
    let page = Page {
        csrf: admin.csrf,
        active: "overview",
        range: range.0.to_string(),
        ranges: RANGES.iter().map(|(v, l, _)| (*v, *l)).collect(),
        guild: filter.guild.map(|g| g.to_string()).unwrap_or_default(),
        guilds: guilds.iter().map(u64::to_string).collect(),
        report: built,
        answered_share,
        charts,
        least_helpful,
        has_store: backend.store.is_some(),
    };
    Ok(Html(page.render()?))
}

/// The days a chart covers: from the range's start (or the first day with data) to today,
/// at most [`MAX_DAYS`].
fn day_span(first_data: Option<i64>, first_day: Option<i64>, last_day: i64) -> Vec<i64> {
    let start = first_day
        .or(first_data)
        .unwrap_or(last_day)
        .max(last_day - MAX_DAYS + 1);
    (start..=last_day).collect()
}

fn questions_chart(days: &[Day], first_day: Option<i64>, last_day: i64) -> Chart {
    let span = day_span(days.first().map(|d| d.day), first_day, last_day);
    let of = |day: i64| days.iter().find(|d| d.day == day);
    Chart::new(
        "Questions per day, and how many were answered",
        "Day (UTC)",
        "Questions",
        span.iter().map(|&d| chart::date(d)).collect(),
        vec![
            Series {
                name: "Asked".into(),
                class: "bar-a",
                values: span
                    .iter()
                    .map(|&d| of(d).map_or(0, |d| d.questions))
                    .collect(),
            },
            Series {
                name: "Answered".into(),
                class: "bar-b",
                values: span
                    .iter()
                    .map(|&d| of(d).map_or(0, |d| d.answered))
                    .collect(),
            },
        ],
        Layout::Overlaid,
    )
    .short_ticks(chart::month_day)
}

fn votes_chart(votes: &[VoteDay], first_day: Option<i64>, last_day: i64) -> Chart {
    let span = day_span(votes.first().map(|d| d.day), first_day, last_day);
    let of = |day: i64| votes.iter().find(|d| d.day == day);
    Chart::new(
        "Helpful and Not helpful votes per day",
        "Day (UTC)",
        "Votes",
        span.iter().map(|&d| chart::date(d)).collect(),
        vec![
            Series {
                name: "Helpful".into(),
                class: "bar-b",
                values: span
                    .iter()
                    .map(|&d| of(d).map_or(0, |d| d.helpful))
                    .collect(),
            },
            Series {
                name: "Not helpful".into(),
                class: "bar-c",
                values: span
                    .iter()
                    .map(|&d| of(d).map_or(0, |d| d.not_helpful))
                    .collect(),
            },
        ],
        Layout::Grouped,
    )
    .short_ticks(chart::month_day)
}

fn hours_chart(by_hour: &[u64; 24]) -> Chart {
    Chart::new(
        "Questions by hour of day (UTC)",
        "Hour (UTC)",
        "Questions",
        (0..24).map(|h| format!("{h:02}")).collect(),
        vec![Series {
            name: "Asked".into(),
            class: "bar-a",
            values: by_hour.to_vec(),
        }],
        Layout::Grouped,
    )
}
