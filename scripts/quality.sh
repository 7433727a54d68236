#!/bin/sh
# Prints the table of QUALITY.md's "Summary": questions passed on every eval file, with the
# static engine alone (`[semantic] model_dir = ""`) and with the default (the shipped MiniLM
# as a cascade), each labelled file under an engine over its own article
# (tests/fixtures/labelled/<stem>.toml). The shared files are the copies in tests/fixtures/.
#
#   cargo build --release
#   scripts/quality.sh            # the files we tune on and the shared ones
#   scripts/quality.sh --held     # also the held-out parts: score them once per change
#
# BIN names another build (BIN=target/debug/summit-bot scripts/quality.sh). Run from the
# repository root. Near-miss files also print how many of their off-topic lines (`"none":
# true`) got no answer.
set -eu
BIN=${BIN:-target/release/summit-bot}
HELD=no
[ "${1:-}" = --held ] && HELD=yes
FIXTURES=tests/fixtures
LABELLED=$FIXTURES/labelled
STEMS="summit-article hotline wikipedia-hacker gsa-agile-solicitation gsa-pizza-tracker wikipedia-access-to-information"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '[semantic]\nmodel_dir = ""\n' >"$TMP/static.toml"
: >"$TMP/default.toml"
for stem in $STEMS; do
    cp "$LABELLED/$stem.toml" "$TMP/$stem-default.toml"
    { cat "$LABELLED/$stem.toml"; printf '[semantic]\nmodel_dir = ""\n'; } >"$TMP/$stem-static.toml"
done

# passed CONFIG FILE: "passed" or "passed (declined declined)" for a file with off-topic lines.
passed() {
    "$BIN" --config "$1" eval "$2" >"$TMP/report" 2>/dev/null || true
    n=$(tail -n 1 "$TMP/report" | cut -d' ' -f1)
    off=$(grep -c '"none": *true' "$2" || true)
    if [ "$off" -gt 0 ] && ! grep -q '"dialog"' "$2"; then
        answered=$(grep -c 'expected no answer' "$TMP/report" || true)
        echo "$n ($((off - answered)) declined)"
    else
        echo "$n"
    fi
}

# labelled PART ENGINE: the sum over the articles that have the part.
labelled() {
    total=0
    for stem in $STEMS; do
        file=$LABELLED/$stem.$1.jsonl
        [ -f "$file" ] || continue
        n=$("$BIN" --config "$TMP/$stem-$2.toml" eval "$file" 2>/dev/null | tail -n 1 | cut -d' ' -f1)
        total=$((total + n))
    done
    echo "$total"
}

row() { # label static default
    printf '| %s | %s | %s |\n' "$1" "$2" "$3"
}

echo "| file | static | default |"
echo "| --- | --- | --- |"
for name in questions paraphrases near-misses dialogs probe-paraphrases probe-people probe-dev \
    probe-fresh probe-near-miss issue18-near-misses probe-dialogs probe-near-miss-2 probe-dialogs-2 \
    probe-near-miss-3 probe-dialogs-3; do
    file=$FIXTURES/$name.jsonl
    row "\`$name\`" "$(passed "$TMP/static.toml" "$file")" "$(passed "$TMP/default.toml" "$file")"
done
row "\`probe-dialogs-hotline\`" "$(passed "$TMP/hotline-static.toml" "$FIXTURES/probe-dialogs-hotline.jsonl")" \
    "$(passed "$TMP/hotline-default.toml" "$FIXTURES/probe-dialogs-hotline.jsonl")"
for part in train dialogs.train; do
    row "\`labelled/*.$part\`" "$(labelled "$part" static)" "$(labelled "$part" default)"
done
if [ "$HELD" = yes ]; then
    row "held: \`probe-held\`" "$(passed "$TMP/static.toml" "$FIXTURES/probe-held.jsonl")" \
        "$(passed "$TMP/default.toml" "$FIXTURES/probe-held.jsonl")"
    row "held: \`probe-dialogs-held\`" "$(passed "$TMP/static.toml" "$FIXTURES/probe-dialogs-held.jsonl")" \
        "$(passed "$TMP/default.toml" "$FIXTURES/probe-dialogs-held.jsonl")"
    for part in held dialogs.held dialogs.fresh; do
        row "held: \`labelled/*.$part\`" "$(labelled "$part" static)" "$(labelled "$part" default)"
    done
fi
