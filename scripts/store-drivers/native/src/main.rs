use std::time::Instant;
const N: usize = 100_000;
const BATCH: usize = 256;
const CREATE: &str = "CREATE TABLE IF NOT EXISTS q (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, source TEXT NOT NULL, guild BIGINT, channel BIGINT, asker TEXT NOT NULL, question TEXT, normalised TEXT, passage TEXT, score DOUBLE PRECISION, coverage DOUBLE PRECISION, latency_us BIGINT NOT NULL)";
#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join("store-drivers-native.db");
    let path = path.as_path();
    let _ = std::fs::remove_file(path);
    let mut c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").unwrap();
    c.execute(CREATE, []).unwrap();
    let t = Instant::now();
    for b in 0..N / BATCH {
        let tx = c.transaction().unwrap();
        {
            let mut st = tx.prepare_cached("INSERT INTO q (at, source, guild, channel, asker, question, normalised, passage, score, coverage, latency_us) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)").unwrap();
            for i in 0..BATCH {
                let n = (b * BATCH + i) as i64;
                st.execute(rusqlite::params![n, "slash", 1i64, 2i64, "abcdef0123456789", "Is there a hotline?", "is there a hotline", "summit-article:2.4", 1.5f64, 0.9f64, 1200i64]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let e = t.elapsed();
    println!("sqlite rusqlite: {} rows in {:?} = {:.0} rows/s", N, e, N as f64 / e.as_secs_f64());
    if let Ok(url) = std::env::var("PG_URL") {
        let (mut client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute("DROP TABLE IF EXISTS q").await.unwrap();
        client.batch_execute(&CREATE.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY")).await.unwrap();
        let t = Instant::now();
        for b in 0..N / BATCH {
            let tx = client.transaction().await.unwrap();
            let st = tx.prepare("INSERT INTO q (at, source, guild, channel, asker, question, normalised, passage, score, coverage, latency_us) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)").await.unwrap();
            for i in 0..BATCH {
                let n = (b * BATCH + i) as i64;
                tx.execute(&st, &[&n, &"slash", &1i64, &2i64, &"abcdef0123456789", &"Is there a hotline?", &"is there a hotline", &"summit-article:2.4", &1.5f64, &0.9f64, &1200i64]).await.unwrap();
            }
            tx.commit().await.unwrap();
        }
        let e = t.elapsed();
        println!("postgres tokio-postgres: {} rows in {:?} = {:.0} rows/s", N, e, N as f64 / e.as_secs_f64());
    }
}
