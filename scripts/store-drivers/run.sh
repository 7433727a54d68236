#!/usr/bin/env bash
# Which SQL crates for the question log: compile time and write throughput of
# rusqlite + tokio-postgres (native/) against sqlx with its Any driver (sqlx/).
# Each program writes 100,000 question rows in transactions of 256 into SQLite (WAL,
# synchronous=NORMAL) and, with PG_URL set, into PostgreSQL. Run as root on Debian with
# PostgreSQL 15 installed (the server is started as the postgres user in a temp folder).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d /tmp/store-drivers.XXXX)
for c in native sqlx; do
  start=$(date +%s.%N)
  (cd "$c" && CARGO_TARGET_DIR="$work/target-$c" cargo build -q)
  echo "$c debug build from scratch: $(echo "$(date +%s.%N) - $start" | bc) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
  (cd "$c" && CARGO_TARGET_DIR="$work/target-$c" cargo build -q --release)
done
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$work/pg" && chown postgres "$work/pg"
runuser -u postgres -- "$bin/initdb" -D "$work/pg/db" -A trust -U postgres >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$work/pg/db" -o "-p 54329 -k $work/pg -c listen_addresses=127.0.0.1" -l "$work/pg/log" -w start >/dev/null
export PG_URL="postgres://postgres@127.0.0.1:54329/postgres"
"$work/target-native/release/native" || true
"$work/target-sqlx/release/sqlxbench" || true
runuser -u postgres -- "$bin/pg_ctl" -D "$work/pg/db" -m fast stop >/dev/null
rm -rf "$work"
