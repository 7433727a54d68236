#!/usr/bin/env python3
"""Writes N questions, one per line, by cycling the questions of an eval file.

    python3 scripts/make_questions.py [EVAL_JSONL] [N] > /tmp/questions-4000.txt

Defaults: /work/shared/eval/questions.jsonl and 4000.
"""
import itertools
import json
import sys


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/eval/questions.jsonl"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    with open(path, encoding="utf-8") as f:
        questions = [json.loads(line)["q"] for line in f if line.strip()]
    # One question per line: a line break inside a question would split it in two.
    questions = [" ".join(q.split()) for q in questions]
    out = sys.stdout
    for question in itertools.islice(itertools.cycle(questions), count):
        out.write(question + "\n")


if __name__ == "__main__":
    main()
