#!/usr/bin/env python3
"""Labelled training questions (tests/fixtures/labelled/): the fixed train/held split and a
check that every label is verbatim text of its article.

Standard library only. Run from the repository root:

    # split one article's questions into <stem>.train.jsonl / <stem>.held.jsonl
    python3 scripts/labelled.py split ALL.jsonl tests/fixtures/labelled/<stem>

    # the same for conversations ({"dialog": [turn, ...]} lines; split by the first turn)
    python3 scripts/labelled.py split DIALOGS.jsonl tests/fixtures/labelled/<stem>.dialogs

    # check the files of one article against the article
    python3 scripts/labelled.py check index/articles/summit-article.txt \
        tests/fixtures/labelled/summit-article.train.jsonl \
        tests/fixtures/labelled/summit-article.held.jsonl

The split rule is fixed and depends on nothing but the question's text: a question is held out
when the first four bytes of the SHA-256 of its UTF-8 text, read as a big-endian integer, are 0,
1 or 2 modulo 10 (about 30 %). So adding or reordering questions never moves another one
between the parts, and `check` refuses a file whose lines are on the wrong side. A conversation
line (`{"dialog": [turn, ...]}`) is split by its first turn's question, so a conversation is
never cut in two, and `check` checks each of its turns.

`check` also makes sure that every line is a valid eval case ({"q", "any", "footnotes"} or
{"q", "none": true}), that each `any` phrase occurs in the article's paragraphs (after the same
folding of whitespace and curly quotes as `summit-bot eval`; footnote definitions do not count,
as an answer's passage never holds them), that every labelled footnote is defined and cited by a
paragraph holding one of the phrases, and it prints how many questions are off-topic.
"""

import hashlib
import json
import re
import sys

HELD_BUCKETS = {0, 1, 2}


def is_held(question):
    digest = hashlib.sha256(question.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 10 in HELD_BUCKETS


def normalise(text):
    """The same folding as `eval::normalise` in src/eval/mod.rs."""
    table = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
             "\u2018": "'", "\u2019": "'", "\u2032": "'"}
    return " ".join("".join(table.get(c, c) for c in text).split())


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{number}: not JSON: {e}")
            cases.append((number, case))
    return cases


FOOTNOTE_PLAIN = re.compile(r"^\[(\d+)\]\s")
FOOTNOTE_MD = re.compile(r"^\[\^(\d+)\]:\s")
MARKER = re.compile(r"\[\^?(\d+)\]")


def key(case):
    """The question a line is split by: its own, or a conversation's first."""
    if isinstance(case.get("dialog"), list) and case["dialog"]:
        return case["dialog"][0].get("q", "")
    return case.get("q", "")


def turns(case):
    """The eval cases of a line: the line itself, or each turn of a conversation."""
    if "dialog" in case:
        return case["dialog"] if isinstance(case["dialog"], list) else [None]
    return [case]


def article_blocks(path):
    """Paragraph texts and footnote numbers of an article, split on blank lines. A rough
    reading (front matter, headings and footnote definitions left out), enough to check
    labels; the engine's own parser is src/ingest/parse.rs."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".md") and text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4:]
    paragraphs, footnotes = [], set()
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if not block:
            continue
        defined = FOOTNOTE_PLAIN.match(block) or FOOTNOTE_MD.match(block)
        if defined:
            footnotes.add(int(defined.group(1)))
        elif not block.startswith("#"):
            paragraphs.append(block)
    return paragraphs, footnotes


def check(article, paths):
    paragraphs, defined = article_blocks(article)
    folded = [normalise(p) for p in paragraphs]
    errors, total, off_topic = [], 0, 0
    for path in paths:
        part = "held" if path.endswith(".held.jsonl") else "train" if path.endswith(
            ".train.jsonl") else None
        for number, line in read_cases(path):
            if part is not None and is_held(key(line)) != (part == "held"):
                errors.append(f"{path}:{number}: on the wrong side of the split")
            for turn, case in enumerate(turns(line), 1):
                where = f"{path}:{number}" + (f" turn {turn}" if "dialog" in line else "")
                total += 1
                if not isinstance(case, dict):
                    errors.append(f"{where}: a dialog is a list of questions")
                    continue
                unknown = set(case) - {"q", "any", "footnotes", "none"}
                if unknown or not isinstance(case.get("q"), str) or not case["q"].strip():
                    errors.append(f"{where}: needs a question and only q/any/footnotes/none")
                    continue
                if case.get("none"):
                    off_topic += 1
                    if case.get("any") or case.get("footnotes"):
                        errors.append(f"{where}: none with a label")
                    continue
                phrases = case.get("any", [])
                if not phrases:
                    errors.append(f"{where}: no phrase and not none")
                holders = set()
                for phrase in phrases:
                    found = [i for i, p in enumerate(folded) if normalise(phrase) in p]
                    if not found:
                        errors.append(f"{where}: not in the article's paragraphs: {phrase!r}")
                    holders.update(found)
                for n in case.get("footnotes", []):
                    if n not in defined:
                        errors.append(f"{where}: footnote {n} is not defined")
                    elif not any(str(n) in MARKER.findall(paragraphs[i]) for i in holders):
                        errors.append(f"{where}: no paragraph with the phrase cites footnote {n}")
    for e in errors:
        print(e)
    share = off_topic / total if total else 0.0
    print(f"{total} questions, {off_topic} off-topic ({share:.0%}), {len(errors)} errors")
    return 1 if errors else 0


def split(source, stem):
    parts = {"train": [], "held": []}
    seen = set()
    for number, case in read_cases(source):
        if key(case) in seen:
            sys.exit(f"{source}:{number}: duplicate question {key(case)!r}")
        seen.add(key(case))
        parts["held" if is_held(key(case)) else "train"].append(case)
    for part, cases in parts.items():
        with open(f"{stem}.{part}.jsonl", "w", encoding="utf-8") as f:
            for case in cases:
                f.write(json.dumps(case, ensure_ascii=False) + "\n")
        print(f"{stem}.{part}.jsonl: {len(cases)} questions, "
              f"{sum(1 for c in cases if c.get('none'))} off-topic")
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "split":
        return split(argv[2], argv[3])
    if len(argv) >= 4 and argv[1] == "check":
        return check(argv[2], argv[3:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
