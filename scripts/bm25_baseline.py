#!/usr/bin/env python3
"""A plain BM25 baseline for whole-process comparison with `summit-bot ask --json -`.

Reads the article's paragraphs (the blocks between the title and the footnote definitions),
indexes them with rank_bm25's BM25Okapi (lowercased \\w+ tokens, no stemming, no stop words),
then answers each stdin line with the best paragraph as one JSON line, flushed per line like
the bot:

    python3 scripts/bm25_baseline.py [ARTICLE] < /tmp/questions-4000.txt

Default ARTICLE: index/articles/summit-article.txt. Needs `pip install rank_bm25`.
"""
import json
import re
import sys

from rank_bm25 import BM25Okapi

TOKEN = re.compile(r"\w+")
FOOTNOTE_DEFINITION = re.compile(r"^\[\d+\]\s")


def tokenize(text: str) -> list:
    return TOKEN.findall(text.lower())


def paragraphs(path: str) -> list:
    with open(path, encoding="utf-8-sig") as f:
        blocks = [b.strip() for b in re.split(r"\n\s*\n", f.read()) if b.strip()]
    body = []
    for block in blocks[1:]:  # the first block is the title
        if FOOTNOTE_DEFINITION.match(block):
            break  # footnote definitions, then site navigation
        body.append(block)
    return body


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "index/articles/summit-article.txt"
    texts = paragraphs(path)
    bm25 = BM25Okapi([tokenize(t) for t in texts])
    out = sys.stdout
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        tokens = tokenize(question)
        answer = None
        if tokens:
            scores = bm25.get_scores(tokens)
            best = max(range(len(texts)), key=lambda i: scores[i])
            if scores[best] > 0:
                answer = {"paragraph": best + 1, "text": texts[best], "score": round(float(scores[best]), 3)}
        out.write(json.dumps({"question": question, "answer": answer}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
