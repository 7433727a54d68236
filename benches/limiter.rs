//! The rate limiter's cost per question, with few and with 100,000 distinct users.
//!
//! `cargo bench --bench limiter`
//!
//! - `limiter/check/1000_users` and `limiter/check/100000_users`: the limiter already holds
//!   that many users' buckets (all asked within the last minute), and each iteration is one
//!   question from the next user in turn, in one of 50 channels. Equal times mean the cost
//!   does not grow with the number of users (before idle buckets were forgotten a generation
//!   at a time, every question past 10,000 users swept all of them).
//! - `limiter/check/new_users`: every question from a user never seen before, so the maps
//!   keep growing and generations turn over (the clock advances one second per question).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use summit_bot::bot::limiter::{BucketConfig, RateLimiter};

fn limiter() -> RateLimiter {
    RateLimiter::new(
        BucketConfig {
            burst: 5,
            refill_secs: 3.0,
        },
        BucketConfig {
            burst: 30,
            refill_secs: 0.0,
        },
    )
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("limiter/check");
    for users in [1_000u64, 100_000] {
        let mut l = limiter();
        let start = Instant::now();
        for user in 0..users {
            l.check(user, user % 50, start);
        }
        let now = start + Duration::from_secs(30);
        let mut next = 0u64;
        group.bench_function(BenchmarkId::from_parameter(format!("{users}_users")), |b| {
            b.iter(|| {
                next = (next + 1) % users;
                black_box(l.check(next, next % 50, now))
            })
        });
    }
    let mut l = limiter();
    let start = Instant::now();
    let mut next = 0u64;
    group.bench_function("new_users", |b| {
        b.iter(|| {
            next += 1;
            black_box(l.check(next, next % 50, start + Duration::from_secs(next)))
        })
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
