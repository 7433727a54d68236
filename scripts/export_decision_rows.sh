#!/bin/sh
# Exports the answer decision's training and held-out rows (issue 18): every labelled question
# of our own fixtures through `summit-bot eval FILE --features OUT`, one engine per article
# (the configs of tests/fixtures/labelled/), into OUT/train/ and OUT/held/: once with the static
# engine alone (`model_dir = ""`), and, with MODEL_DIR set (the shipped models/minilm-l6, or a
# folder made by scripts/fetch_mpnet.sh), a second time with that transformer loaded as the
# default loads it (the cascade: only close questions reach it), so the model also learns its
# cosine. Without the explicit `model_dir = ""` the first pass would load whatever model the
# default finds, and the rows would change with the models installed.
#
#   cargo build --release
#   sh scripts/export_decision_rows.sh target/decision-rows
#   MODEL_DIR=models/minilm-l6 sh scripts/export_decision_rows.sh target/decision-rows
#
# Never the shared measuring sets (/work/shared/eval/, tests/fixtures/questions.jsonl,
# paraphrases.jsonl, near-misses.jsonl): they stay honest measurements.
set -eu
OUT=${1:-target/decision-rows}
BIN=${BIN:-target/release/summit-bot}
LABELLED=tests/fixtures/labelled
mkdir -p "$OUT/train" "$OUT/held"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

export_one() { # config rows-file out-file
    "$BIN" --config "$1" eval "$2" --features "$3" >"$TMP/report"
    # Held-out files are scored once, by scripts/train_decision.py with the final model.
    case "$3" in
    */held/*) echo "$(basename "$3"): exported" ;;
    *) echo "$(basename "$3"): $(tail -n 1 "$TMP/report") (the compiled-in decision)" ;;
    esac
}

run() { # suffix extra-config-lines
    for config in "$LABELLED"/*.toml; do
        stem=$(basename "$config" .toml)
        cfg="$TMP/$stem.toml"
        cat "$config" >"$cfg"
        printf '%b' "$2" >>"$cfg"
        [ -f "$LABELLED/$stem.train.jsonl" ] &&
            export_one "$cfg" "$LABELLED/$stem.train.jsonl" "$OUT/train/$stem.train$1.jsonl"
        [ -f "$LABELLED/$stem.held.jsonl" ] &&
            export_one "$cfg" "$LABELLED/$stem.held.jsonl" "$OUT/held/$stem.held$1.jsonl"
        # The older summit probes, written by earlier sessions for the shipped article.
        if [ "$stem" = summit-article ]; then
            for probe in tests/fixtures/probe-*.jsonl; do
                export_one "$cfg" "$probe" "$OUT/train/$(basename "$probe" .jsonl)$1.jsonl"
            done
        fi
    done
}

run "" "\n[semantic]\nmodel_dir = \"\"\n"
if [ -n "${MODEL_DIR:-}" ]; then
    run ".$(basename "$MODEL_DIR")" "\n[semantic]\nmodel_dir = \"$MODEL_DIR\"\n"
fi
