#!/usr/bin/env python3
"""Scores the plain BM25 baseline (scripts/bm25_baseline.py) on an eval file by the rule
`summit-bot eval` applies, so QUALITY.md can show a peer measured the same way:

    python3 scripts/bm25_eval.py EVAL.jsonl [ARTICLE]

A line `{"q", "any": [...], "footnotes": [...]}` passes when the best paragraph contains one of
the phrases (whitespace runs and curly quotes folded, as `eval::normalise` does) and cites every
listed footnote (its `[n]` markers); `{"q", "none": true}` passes when no paragraph scores above
zero. Prints `N passed, N failed` like `summit-bot eval`. Default ARTICLE:
index/articles/summit-article.txt (the baseline reads the plain-text format only). Needs
`pip install rank_bm25`.
"""
import json
import re
import sys

from rank_bm25 import BM25Okapi

from bm25_baseline import paragraphs, tokenize

FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"', "‘": "'", "’": "'", "′": "'"})
MARKER = re.compile(r"\[(\d+)\]")


def normalise(text: str) -> str:
    return " ".join(text.translate(FOLD).split())


def main() -> None:
    eval_path = sys.argv[1]
    article = sys.argv[2] if len(sys.argv) > 2 else "index/articles/summit-article.txt"
    texts = paragraphs(article)
    bm25 = BM25Okapi([tokenize(t) for t in texts])
    passed = failed = 0
    with open(eval_path, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    for case in cases:
        tokens = tokenize(case["q"])
        best = None
        if tokens:
            scores = bm25.get_scores(tokens)
            i = max(range(len(texts)), key=lambda k: scores[k])
            if scores[i] > 0:
                best = texts[i]
        if case.get("none"):
            ok = best is None
        elif best is None:
            ok = False
        else:
            text = normalise(best)
            phrases = case.get("any", [])
            cited = {int(n) for n in MARKER.findall(best)}
            ok = (not phrases or any(normalise(p) in text for p in phrases)) and set(
                case.get("footnotes", [])
            ) <= cited
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {case['q']!r}")
    print(f"{passed} passed, {failed} failed")


if __name__ == "__main__":
    main()
