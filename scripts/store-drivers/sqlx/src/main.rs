use std::time::Instant;
use sqlx::Connection;
const N: usize = 100_000;
const BATCH: usize = 256;
const CREATE: &str = "CREATE TABLE IF NOT EXISTS q (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, source TEXT NOT NULL, guild BIGINT, channel BIGINT, asker TEXT NOT NULL, question TEXT, normalised TEXT, passage TEXT, score DOUBLE PRECISION, coverage DOUBLE PRECISION, latency_us BIGINT NOT NULL)";
const INSERT: &str = "INSERT INTO q (at, source, guild, channel, asker, question, normalised, passage, score, coverage, latency_us) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)";
async fn run(url: &str, create: &'static str, label: &str) {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query("DROP TABLE IF EXISTS q").execute(&mut c).await.unwrap();
    sqlx::query(create).execute(&mut c).await.unwrap();
    let t = Instant::now();
    for b in 0..N / BATCH {
        let mut tx = c.begin().await.unwrap();
        for i in 0..BATCH {
            let n = (b * BATCH + i) as i64;
            sqlx::query(INSERT).bind(n).bind("slash").bind(1i64).bind(2i64).bind("abcdef0123456789").bind("Is there a hotline?").bind("is there a hotline").bind("summit-article:2.4").bind(1.5f64).bind(0.9f64).bind(1200i64).execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let e = t.elapsed();
    println!("{label}: {} rows in {:?} = {:.0} rows/s", N, e, N as f64 / e.as_secs_f64());
}
#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join("store-drivers-sqlx.db");
    let _ = std::fs::remove_file(&path);
    let url: &'static str = Box::leak(format!("sqlite://{}?mode=rwc", path.display()).into_boxed_str());
    run(url, CREATE, "sqlite sqlx(any)").await;
    if let Ok(url) = std::env::var("PG_URL") {
        run(&url, Box::leak(CREATE.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY").into_boxed_str()), "postgres sqlx(any)").await;
    }
}
