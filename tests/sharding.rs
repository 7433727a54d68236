//! Sharding against the fake Discord: the IDENTIFY payloads carry exactly the configured
//! `[shard_id, shard_total]` pairs (serenity's `start_shard_range` takes an *inclusive* end, so
//! an off-by-one shows up as one shard too many), and with `shard_total = 0` the bot runs as
//! many shards as `GET /gateway/bot` recommends.
//!
//! serenity boots one shard per 5 s (Discord's IDENTIFY rate), so a shard too many would
//! IDENTIFY about 5 s after the last expected one: each test waits for that with a generous
//! bound and expects it not to happen.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::fake_discord::*;

/// Long enough for every expected shard to boot on a busy machine (5 s apart).
const BOOT_WAIT: Duration = Duration::from_secs(40);
/// serenity's spacing between two shard boots (5 s), with a margin: a shard too many would
/// IDENTIFY within this after the last expected one.
const EXTRA_SHARD_WAIT: Duration = Duration::from_secs(8);

fn identified_shards(fake: &FakeDiscord) -> Vec<Value> {
    let mut shards: Vec<Value> = fake
        .identify_payloads()
        .into_iter()
        .map(|d| d["shard"].clone())
        .collect();
    shards.sort_by_key(|s| s[0].as_u64());
    shards
}

async fn expect_shards(fake: &FakeDiscord, expected: &[Value]) {
    let n = expected.len();
    assert!(
        fake.wait_for_gateway(|s| s.identify_count >= n, BOOT_WAIT)
            .await,
        "expected {n} IDENTIFYs, saw {:?}",
        identified_shards(fake)
    );
    let extra = fake
        .wait_for_gateway(|s| s.identify_count > n, EXTRA_SHARD_WAIT)
        .await;
    assert!(
        !extra,
        "one shard too many: {:?} (expected {expected:?})",
        identified_shards(fake)
    );
    assert_eq!(identified_shards(fake), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_range_identifies_exactly_the_configured_shards() {
    // Shards 1 and 2 of 3: the last shard of the total is included, nothing past it.
    let bot = support::bot::start_bot(|c| {
        c.discord.shard_start = 1;
        c.discord.shard_count = 2;
        c.discord.shard_total = 3;
    })
    .await;
    expect_shards(&bot.fake, &[json!([1, 3]), json!([2, 3])]).await;
    assert!(
        !bot.fake
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/gateway/bot")),
        "a fixed shard range does not ask Discord"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shard_total_zero_runs_the_shards_discord_recommends() {
    let options = FakeOptions {
        recommended_shards: 2,
        ..FakeOptions::default()
    };
    let bot = support::bot::start_bot_with(options, |c| {
        c.discord.shard_start = 0;
        c.discord.shard_count = 0;
        c.discord.shard_total = 0;
    })
    .await;
    assert!(bot
        .fake
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == "/api/v10/gateway/bot"));
    expect_shards(&bot.fake, &[json!([0, 2]), json!([1, 2])]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shard_by_default() {
    let bot = support::bot::start_bot(|_| {}).await;
    expect_shards(&bot.fake, &[json!([0, 1])]).await;
}
