#!/usr/bin/env bash
# Scale benchmark: for each size given (passages + points), generate a corpus, build its index,
# and measure build time, disk size, peak build RSS, answer latency, serving RSS and cold start.
#
#   scripts/scale.sh 1000 10000            # sizes are explicit; nothing runs by default
#   scripts/scale.sh 100000 1000000        # large: ~1 GB of disk at 1M, minutes of CPU
#
# Everything goes under index/generated/ (git-ignored): <N>/ articles, <N>-index/ the index,
# <N>.toml the config, <N>-questions.txt the generated questions, <N>-*.log the raw outputs.
# Needs /usr/bin/time (Debian package `time`). Env: SEED (42), ROUNDS (5), COLD_RUNS (5).
set -euo pipefail

cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
if [ ! -x /usr/bin/time ]; then
    echo "scale.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
    exit 1
fi
SEED=${SEED:-42}
ROUNDS=${ROUNDS:-5}
COLD_RUNS=${COLD_RUNS:-5}
OUT=index/generated
mkdir -p "$OUT"

cargo build --release --bin summit-bot --bin gen-corpus --example latency >&2
BOT=target/release/summit-bot
GEN=target/release/gen-corpus
LAT=target/release/examples/latency
FIXED=tests/fixtures/questions.jsonl

max_rss_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

for n in "$@"; do
    case "$n" in
        '' | *[!0-9]*) echo "scale.sh: size must be a number, got $n" >&2; exit 2 ;;
    esac
    dir="$OUT/$n"
    index="$OUT/$n-index"
    config="$OUT/$n.toml"
    questions="$OUT/$n-questions.txt"
    log="$OUT/$n"
    echo "== $n passages ==" >&2

    # 1. Corpus (deterministic: the same bytes for the same size and seed).
    "$GEN" --passages "$n" --out "$dir" --seed "$SEED" --questions "$questions" 2> "$log-gen.log"
    cat "$log-gen.log" >&2
    printf '[corpus]\narticles_dir = "%s"\nindex_dir = "%s"\n' "$dir" "$index" > "$config"

    # 2. Build: the CLI prints the elapsed time; time -v the peak RSS.
    /usr/bin/time -v "$BOT" --config "$config" index --force > "$log-build.out" 2> "$log-build.time"
    cat "$log-build.out" >&2
    build_line=$(cat "$log-build.out")
    build_rss=$(max_rss_mib "$log-build.time")
    build_secs=$(echo "$build_line" | sed -E 's/.* in ([0-9.]+)(ms|s)$/\1 \2/' |
        awk '{ if ($2 == "ms") print $1 / 1000; else print $1 }')
    rate=$(awk -v n="$n" -v s="$build_secs" 'BEGIN { printf "%.0f", n / s }')
    articles_size=$(du -sh "$dir" | cut -f1)
    index_size=$(du -sh "$index" | cut -f1)

    # 3. Latency and serving RSS: one engine, the fixed mix (eval questions + generated ones).
    /usr/bin/time -v "$LAT" --config "$config" --questions "$FIXED" --questions "$questions" \
        --rounds "$ROUNDS" > "$log-latency.out" 2> "$log-latency.time"
    cat "$log-latency.out" >&2
    median=$(sed -nE 's/.*median ([0-9.]+ ms).*/\1/p' "$log-latency.out")
    p99=$(sed -nE 's/.*p99 ([0-9.]+ ms).*/\1/p' "$log-latency.out")
    serve_rss=$(max_rss_mib "$log-latency.time")

    # Serving RSS of the real CLI answering a stream (every question, ROUNDS times).
    stream=$(mktemp)
    for _ in $(seq "$ROUNDS"); do
        sed -nE 's/.*"q": *"([^"]*)".*/\1/p' "$FIXED"
        cat "$questions"
    done > "$stream"
    /usr/bin/time -v "$BOT" --config "$config" ask --json - < "$stream" > /dev/null 2> "$log-stream.time"
    stream_rss=$(max_rss_mib "$log-stream.time")
    rm -f "$stream"

    # 4. Cold start: process start to first answer with the persisted index (no rebuild:
    #    the log must say "index reused"). Page cache warm (the index was just used).
    cold=()
    for _ in $(seq "$COLD_RUNS"); do
        start=$(date +%s.%N)
        echo "Is there a hotline?" | RUST_LOG=summit_bot=info "$BOT" --config "$config" ask --json - \
            > "$log-cold.out" 2> "$log-cold.err"
        end=$(date +%s.%N)
        if ! grep -q "index reused" "$log-cold.err"; then
            echo "scale.sh: the cold start did not reuse the index:" >&2
            cat "$log-cold.err" >&2
            exit 1
        fi
        cold+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
    done
    cold_sorted=$(printf '%s\n' "${cold[@]}" | sort -n | tr '\n' ' ')
    cold_median=$(printf '%s\n' "${cold[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')

    {
        echo "### $n passages"
        echo
        echo "| figure | value |"
        echo "| --- | --- |"
        echo "| articles on disk | $articles_size |"
        echo "| build | ${build_secs} s, $rate passages/s (\`$build_line\`) |"
        echo "| index on disk | $index_size |"
        echo "| peak RSS, building | $build_rss MiB |"
        echo "| answer latency | median $median, p99 $p99 |"
        echo "| serving RSS (latency tool / \`ask --json -\` stream) | $serve_rss MiB / $stream_rss MiB |"
        echo "| cold start, persisted index | median ${cold_median} s (runs: ${cold_sorted% }) |"
        echo
    } | tee "$log-summary.md"
done
