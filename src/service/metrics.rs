//! The process-wide metrics recorder (Prometheus text format) and the metrics we record.
//!
//! [`install`] sets the global `metrics` recorder once, so any module can record with
//! `metrics::counter!` and friends; until it is installed (the console commands, in-process
//! tests) recording is a no-op. The helpers below keep names and label values in one place.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::warn;

use crate::source::Source;

/// Questions by where they came from and how they ended.
pub const QUESTIONS_TOTAL: &str = "summit_questions_total";
/// Seconds from the question's dispatch to the reply being sent.
pub const ANSWER_SECONDS: &str = "summit_answer_seconds";
/// Gateway reconnects by kind (`resume`, `identify`); a shard's first IDENTIFY is not one.
pub const GATEWAY_RECONNECTS_TOTAL: &str = "summit_gateway_reconnects_total";
/// Discord REST calls retried (429, 5xx, connection errors, timeouts).
pub const REST_RETRIES_TOTAL: &str = "summit_discord_rest_retries_total";
/// Documents (passages and points) in the index being served.
pub const INDEX_DOCUMENTS: &str = "summit_index_documents";
/// Always 1, labelled with the version.
pub const BUILD_INFO: &str = "summit_build_info";
/// Question-log rows dropped (queue full, database down or unwritable).
pub const STORE_DROPPED_TOTAL: &str = "summit_store_dropped_total";
/// Questions missed while the bot was away and answered late by the catch-up.
pub const CATCH_UP_ANSWERED_TOTAL: &str = "summit_catch_up_answered_total";
/// Messages (or whole channels) the catch-up left alone, by reason.
pub const CATCH_UP_SKIPPED_TOTAL: &str = "summit_catch_up_skipped_total";

/// Why the catch-up left a message or a channel alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// The bot had already replied to it (its reply references the question).
    Answered,
    /// Edited since it was posted (the asker may have changed the question).
    Edited,
    /// The rate limit did not let it through in time.
    Throttled,
    /// The bot can no longer read the channel (one per channel).
    Unreadable,
    /// The channel had more than `catch_up_limit` messages to read (one per channel).
    Limit,
}

impl Skipped {
    /// Every reason, for zero-initialised series.
    pub const ALL: [Skipped; 5] = [
        Skipped::Answered,
        Skipped::Edited,
        Skipped::Throttled,
        Skipped::Unreadable,
        Skipped::Limit,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Skipped::Answered => "already_answered",
            Skipped::Edited => "edited",
            Skipped::Throttled => "throttled",
            Skipped::Unreadable => "unreadable_channel",
            Skipped::Limit => "limit",
        }
    }
}

/// Histogram buckets for [`ANSWER_SECONDS`]: milliseconds for a search, seconds for a slow
/// or retried reply.
const ANSWER_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How a question ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A passage was sent.
    Answered,
    /// The bot said it has no good answer.
    NoAnswer,
    /// The rate limit stopped it (a "slow down" notice or silence).
    Throttled,
    /// Longer than `limits.max_question_chars`.
    TooLong,
    /// The search or the reply failed.
    Error,
}

impl Outcome {
    /// Every outcome, for zero-initialised series.
    pub const ALL: [Outcome; 5] = [
        Outcome::Answered,
        Outcome::NoAnswer,
        Outcome::Throttled,
        Outcome::TooLong,
        Outcome::Error,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::NoAnswer => "no_answer",
            Outcome::Throttled => "throttled",
            Outcome::TooLong => "too_long",
            Outcome::Error => "error",
        }
    }
}

/// Why a shard connected again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconnect {
    /// The session survived (RESUMED).
    Resume,
    /// A fresh session (READY after the shard's first one).
    Identify,
}

impl Reconnect {
    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Reconnect::Resume => "resume",
            Reconnect::Identify => "identify",
        }
    }
}

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the global Prometheus recorder (once; later calls return the same handle).
/// `None` when another recorder was installed first: recording then goes there, and
/// `/metrics` says it has nothing to show.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(ANSWER_SECONDS.to_string()), ANSWER_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    describe_and_zero();
                    Some(handle)
                }
                Err(error) => {
                    warn!(%error, "cannot install the metrics recorder; /metrics stays empty");
                    None
                }
            }
        })
        .as_ref()
}

/// The installed recorder's handle, if [`install`] succeeded.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE.get().and_then(Option::as_ref)
}

/// Descriptions, the build info, and every counter series at 0, so that rates and ratios
/// (the no-answer rate, reconnect storms) work from the first scrape.
fn describe_and_zero() {
    metrics::describe_counter!(
        QUESTIONS_TOTAL,
        "Questions by source and outcome (button clicks are not questions)."
    );
    metrics::describe_histogram!(
        ANSWER_SECONDS,
        metrics::Unit::Seconds,
        "From the question's dispatch to the reply sent."
    );
    metrics::describe_counter!(
        GATEWAY_RECONNECTS_TOTAL,
        "Gateway reconnects by kind; a shard's first IDENTIFY is not counted."
    );
    metrics::describe_counter!(
        REST_RETRIES_TOTAL,
        "Discord REST calls retried after a 429, 5xx, connection error or timeout."
    );
    metrics::describe_counter!(
        STORE_DROPPED_TOTAL,
        "Question-log rows dropped (queue full, database down or unwritable); answers still went out."
    );
    metrics::describe_counter!(
        CATCH_UP_ANSWERED_TOTAL,
        "Questions posted while the bot was away, answered late after a start or a fresh IDENTIFY."
    );
    metrics::describe_counter!(
        CATCH_UP_SKIPPED_TOTAL,
        "Messages the catch-up left alone by reason (unreadable_channel and limit count channels)."
    );
    metrics::describe_gauge!(INDEX_DOCUMENTS, "Passages and points in the served index.");
    metrics::describe_gauge!(BUILD_INFO, "Always 1, labelled with the version.");
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    for source in Source::ALL.into_iter().filter(|s| s.is_discord()) {
        for outcome in Outcome::ALL {
            metrics::counter!(QUESTIONS_TOTAL, "source" => source.as_str(), "outcome" => outcome.label())
                .absolute(0);
        }
    }
    for kind in [Reconnect::Resume, Reconnect::Identify] {
        metrics::counter!(GATEWAY_RECONNECTS_TOTAL, "kind" => kind.label()).absolute(0);
    }
    metrics::counter!(REST_RETRIES_TOTAL).absolute(0);
    metrics::counter!(STORE_DROPPED_TOTAL).absolute(0);
    metrics::counter!(CATCH_UP_ANSWERED_TOTAL).absolute(0);
    for reason in Skipped::ALL {
        metrics::counter!(CATCH_UP_SKIPPED_TOTAL, "reason" => reason.label()).absolute(0);
    }
}

/// Counts one question; `seconds` (dispatch to reply sent) goes into the histogram when a
/// reply was sent. Questions from the console chat are not counted: it is not the service.
pub fn question(source: Source, outcome: Outcome, seconds: Option<f64>) {
    if !source.is_discord() {
        return;
    }
    metrics::counter!(QUESTIONS_TOTAL, "source" => source.as_str(), "outcome" => outcome.label())
        .increment(1);
    if let Some(seconds) = seconds {
        metrics::histogram!(ANSWER_SECONDS).record(seconds);
    }
}

/// Counts one gateway reconnect.
pub fn gateway_reconnect(kind: Reconnect) {
    metrics::counter!(GATEWAY_RECONNECTS_TOTAL, "kind" => kind.label()).increment(1);
}

/// Counts one retried REST call.
pub fn rest_retry() {
    metrics::counter!(REST_RETRIES_TOTAL).increment(1);
}

/// Question-log rows dropped since start (the store counts them; the bot copies the count).
pub fn store_dropped_total(rows: u64) {
    metrics::counter!(STORE_DROPPED_TOTAL).absolute(rows);
}

/// Counts one question answered late by the catch-up.
pub fn catch_up_answered() {
    metrics::counter!(CATCH_UP_ANSWERED_TOTAL).increment(1);
}

/// Counts one message (or channel) the catch-up left alone.
pub fn catch_up_skipped(reason: Skipped) {
    metrics::counter!(CATCH_UP_SKIPPED_TOTAL, "reason" => reason.label()).increment(1);
}

/// The number of documents in the served index.
pub fn index_documents(documents: u64) {
    metrics::gauge!(INDEX_DOCUMENTS).set(documents as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorder_renders_prometheus_text_with_every_series() {
        let Some(handle) = install() else {
            panic!("no other recorder is installed in the unit tests");
        };
        question(Source::Mention, Outcome::Answered, Some(0.02));
        question(Source::Slash, Outcome::Throttled, None);
        gateway_reconnect(Reconnect::Resume);
        rest_retry();
        index_documents(12);
        store_dropped_total(3);
        catch_up_answered();
        catch_up_skipped(Skipped::Edited);
        let text = handle.render();
        for line in [
            "summit_questions_total{source=\"mention\",outcome=\"answered\"} 1",
            "summit_questions_total{source=\"slash\",outcome=\"throttled\"} 1",
            "summit_questions_total{source=\"dm\",outcome=\"no_answer\"} 0",
            "summit_gateway_reconnects_total{kind=\"resume\"} 1",
            "summit_gateway_reconnects_total{kind=\"identify\"} 0",
            "summit_discord_rest_retries_total 1",
            "summit_store_dropped_total 3",
            "summit_catch_up_answered_total 1",
            "summit_catch_up_skipped_total{reason=\"edited\"} 1",
            "summit_catch_up_skipped_total{reason=\"already_answered\"} 0",
            "summit_questions_total{source=\"catch_up\",outcome=\"answered\"} 0",
            "summit_index_documents 12",
            "summit_answer_seconds_bucket{le=\"0.025\"} 1",
            "summit_answer_seconds_count 1",
            "# TYPE summit_answer_seconds histogram",
        ] {
            assert!(text.contains(line), "{line:?} missing from:\n{text}");
        }
        assert!(text.contains(&format!(
            "summit_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )));
    }
}
