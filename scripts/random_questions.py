#!/usr/bin/env python3
"""Writes N random questions made of an article's words, one per line, for checking that a
change keeps every answer byte-identical (`ask --json -` before and after, then md5sum).

    python3 scripts/random_questions.py [ARTICLE] [N] [SEED] > /tmp/questions-random.txt

Defaults: index/articles/summit-article.txt, 3000, 7. Each question takes 1-7 words of the
article, some with a deleted, swapped or accented letter, some with Markdown characters or a
question mark, so typo correction, markup stripping and "no good answer" are all exercised.
"""
import random
import re
import sys


def mangle(word: str, rng: random.Random) -> str:
    roll = rng.random()
    if len(word) > 4 and roll < 0.1:
        at = rng.randrange(len(word))
        return word[:at] + word[at + 1:]
    if len(word) > 4 and roll < 0.2:
        at = rng.randrange(len(word) - 1)
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    if roll < 0.25:
        return word.replace("e", "é", 1)
    if roll < 0.3:
        return "**" + word + "**"
    return word


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "index/articles/summit-article.txt"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    with open(path, encoding="utf-8") as f:
        words = re.findall(r"[A-Za-z][A-Za-z'-]*", f.read())
    for _ in range(count):
        picked = [mangle(rng.choice(words), rng) for _ in range(rng.randint(1, 7))]
        question = " ".join(picked) + ("?" if rng.random() < 0.5 else "")
        sys.stdout.write(question + "\n")


if __name__ == "__main__":
    main()
