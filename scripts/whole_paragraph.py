#!/usr/bin/env python3
"""Counts one-point questions answered with the whole enumerating paragraph.

A one-point question is an answerable eval case whose expected phrases, where they occur in
an enumerating paragraph, all lie inside a single point (the rule `summit-bot eval` enforces;
see src/eval/mod.rs). Works with any build of summit-bot, so an older binary can be measured
against the same rule:

    python3 scripts/whole_paragraph.py target/debug/summit-bot \
        index/articles/summit-article.txt tests/fixtures/probe-*.jsonl
    python3 scripts/whole_paragraph.py --config tests/fixtures/labelled/hotline.toml \
        target/debug/summit-bot tests/fixtures/articles/hotline/hotline.md \
        tests/fixtures/labelled/hotline.train.jsonl

The article file gives each enumerating paragraph's whole text (blocks split at blank lines).

Prints, per file and in total: the one-point questions, how many were answered with a point,
with the whole paragraph, or otherwise (another passage or none). Standard library only.
"""

import argparse
import json
import re
import subprocess


def normalise(text):
    text = text.translate(str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"',
                                         "‘": "'", "’": "'", "′": "'"}))
    return " ".join(text.split())


def points(command, article):
    """Point texts and the text of their paragraph, by paragraph number: the points read with
    `summit-bot point N` until it fails, the paragraph from the article file (the block of
    text that holds its first point)."""
    blocks = [normalise(b) for b in open(article, encoding="utf-8").read().split("\n\n")]
    found = {}
    number = 1
    while True:
        run = subprocess.run(command + ["point", str(number)], capture_output=True, text=True)
        if run.returncode != 0:
            return {p: (next(b for b in blocks if texts[0] in b), texts)
                    for p, texts in found.items()}
        head, _, rest = run.stdout.partition("\n\n")
        paragraph = int(re.search(r"paragraph (\d+), point", head).group(1))
        text = rest.split("\n\n")[0]
        found.setdefault(paragraph, []).append(normalise(text))
        number += 1


def one_point(case, paragraph_points):
    """The paragraph whose single point holds every expected phrase found in it, if any."""
    for paragraph, (whole, texts) in paragraph_points.items():
        holders = set()
        for phrase in map(normalise, case.get("any", [])):
            if phrase not in whole:
                continue
            inside = [k for k, t in enumerate(texts) if phrase in t]
            holders.add(inside[0] if len(inside) == 1 else None)
        if len(holders) == 1 and None not in holders:
            return paragraph
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="summit-bot config file (an article folder)")
    parser.add_argument("binary")
    parser.add_argument("article")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    command = [args.binary] + (["--config", args.config] if args.config else [])
    paragraph_points = points(command, args.article)
    files = args.files
    totals = [0, 0, 0, 0]
    for name in files:
        cases = [json.loads(line) for line in open(name) if line.strip()]
        asked = [c for c in cases if not c.get("none") and one_point(c, paragraph_points)]
        run = subprocess.run(command + ["ask", "--json", "-"], input="".join(
            c["q"] + "\n" for c in asked), capture_output=True, text=True, check=True)
        counts = [len(asked), 0, 0, 0]
        for case, line in zip(asked, run.stdout.splitlines()):
            answer = json.loads(line).get("answer")
            passage = answer["passage"] if answer else None
            if passage and passage["paragraph"] == one_point(case, paragraph_points):
                counts[1 if passage.get("point") else 2] += 1
            else:
                counts[3] += 1
        totals = [a + b for a, b in zip(totals, counts)]
        print(f"{name}: {counts[0]} one-point questions: {counts[1]} point, "
              f"{counts[2]} whole paragraph, {counts[3]} other or none")
    print(f"total: {totals[0]} one-point questions: {totals[1]} point, "
          f"{totals[2]} whole paragraph, {totals[3]} other or none")


if __name__ == "__main__":
    main()
