#!/usr/bin/env python3
"""Writes models/minilm-static/country-names.txt: the names of the world's countries, one
country per line, lowercased and separated by tabs: its alpha-3 code, then its name forms (the
short name, the official name, the common name when ISO gives one):

    usa<TAB>united states<TAB>united states of america

The engine reads a question word that names a country by a form the article does not use
("america", "usa") as that country when the article holds another of its forms ("United
States"): the same thing, not another country (`retrieve/fusion.rs`).

Source: ISO 3166-1 as the Debian package iso-codes 4.15.0-1 ships it
(/usr/share/iso-codes/json/iso_3166-1.json, LGPL-2.1-or-later; notice in
`country-names-copyright.txt`).

    apt-get install iso-codes=4.15.0-1
    python3 scripts/country_names.py > models/minilm-static/country-names.txt

Reproduced byte for byte: the output is sorted and depends only on the file, whose sha256
this checks.
"""

import hashlib
import json
import sys

ISO_3166_1 = "/usr/share/iso-codes/json/iso_3166-1.json"
ISO_3166_1_SHA256 = "f01b812b57fba9f31ff621bf33e7c7570a01964dbeb5be2167e94decf538c89f"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else ISO_3166_1
    data = open(path, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != ISO_3166_1_SHA256:
        sys.exit(f"{path}: sha256 {digest}, expected {ISO_3166_1_SHA256} (iso-codes 4.15.0-1)")
    lines = []
    for country in json.loads(data)["3166-1"]:
        forms = [country["alpha_3"].lower()]
        for key in ("name", "official_name", "common_name"):
            form = country.get(key, "").lower()
            if form and form not in forms:
                forms.append(form)
        lines.append("\t".join(forms))
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main()
