#!/usr/bin/env python3
"""Writes models/irregular-verbs/forms.tsv: the irregular past forms of English verbs ("sold"
-> "sell", "caught" -> "catch", "met" -> "meet") that the Snowball stemmer leaves apart from
their verb, so that the analyzer can index and ask them as the verb ("who did they sell the
data to?" meets "They sold data").

Source: the lexicon of LemmInflect 0.2.3 (PyPI `lemminflect`, MIT licence, Brad Jascob; built
from the SPECIALIST Lexicon). Kept: the past tense and past participle (VBD, VBN) of every verb
in its lookup table that are not the verb's regular forms (verb + "ed", "d", doubled final
consonant + "ed", "y" -> "ied") and that the lexicon reads as that one verb only: a form that is
also another word ("left" the adjective, "found" the verb of its own, "saw" the noun) is left
alone. Forms with characters other than lowercase ASCII letters are skipped.

    pip install lemminflect==0.2.3
    python3 scripts/irregular_verbs.py > models/irregular-verbs/forms.tsv

Reproduced byte for byte: the output is sorted and depends only on the package's data.
"""

import lemminflect


def regular(lemma, form):
    """Whether `form` is a regular past of `lemma` (the stemmer already unites those)."""
    candidates = {lemma + "ed", lemma + "d"}
    if lemma.endswith("y"):
        candidates.add(lemma[:-1] + "ied")
    candidates.add(lemma + lemma[-1] + "ed")
    return form in candidates


def main():
    lookup = lemminflect.Inflections()
    lemmatizer = lemminflect.Lemmatizer()
    pairs = set()
    # The lemma table: every lemma the lexicon inflects, by part of speech.
    for lemma in sorted(lookup._getInflDict().keys()):
        if not (lemma.isascii() and lemma.isalpha() and lemma.islower()):
            continue
        inflections = lookup.getAllInflections(lemma, upos="VERB")
        for tag in ("VBD", "VBN"):
            for form in inflections.get(tag, ()):
                if form == lemma or not (form.isascii() and form.isalpha() and form.islower()):
                    continue
                if regular(lemma, form):
                    continue
                # The form must read as this verb and nothing else.
                if lemmatizer.getAllLemmas(form) != {"VERB": (lemma,)}:
                    continue
                pairs.add((form, lemma))
    # A form of two verbs ("ground" of grind and of ground) is skipped above; one verb per form.
    for form, lemma in sorted(pairs):
        print(f"{form}\t{lemma}")


if __name__ == "__main__":
    main()
