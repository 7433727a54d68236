#!/usr/bin/env python3
"""Writes models/minilm-static/proper-nouns.txt: the words English writes only capitalised
(places, people, peoples, organisations: "Ukraine", "Putin", "Moscow"), lowercased, one per
line, sorted. The engine reads a question word the articles do not hold that is on this list
as a name even when typed in lowercase ("is cyber warfare happening in ukraine?"), so a
question about it is about something the article does not say (`retrieve/fusion.rs`).

Source: the Debian package wamerican 2020.12.07-2 (/usr/share/dict/american-english, a SCOWL
size-50 list by Kevin Atkinson), the list `words.txt` beside it comes from; its copyright and
permission notice is `words-copyright.txt`. Kept: entries starting with a capital letter,
of ASCII letters only (no possessive "'s"), whose lowercase form the list does not also hold
as a word ("China" and "china" are both listed: not kept; "Turkey" and "turkey": not kept).

    apt-get install wamerican=2020.12.07-2
    python3 scripts/proper_nouns.py > models/minilm-static/proper-nouns.txt

Reproduced byte for byte: the output is sorted and depends only on the list, whose sha256
this checks.
"""

import hashlib
import sys

WORDS = "/usr/share/dict/american-english"
WORDS_SHA256 = "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else WORDS
    data = open(path, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != WORDS_SHA256:
        sys.exit(f"{path}: sha256 {digest}, expected {WORDS_SHA256} (wamerican 2020.12.07-2)")
    entries = data.decode("utf-8").split("\n")
    lowercase = {w for w in entries if w and w == w.lower()}
    names = set()
    for word in entries:
        if not (word and word.isascii() and word.isalpha() and word[0].isupper()):
            continue
        if word.lower() in lowercase:
            continue
        names.add(word.lower())
    for name in sorted(names):
        print(name)


if __name__ == "__main__":
    main()
