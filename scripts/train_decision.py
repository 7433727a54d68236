#!/usr/bin/env python3
"""Trains the answer decision (issue 18): a logistic regression over the engine's own signals
that says whether a scored candidate passage is an answer.

The features are computed only by the engine (`retrieve/mod.rs`, `retrieve/focus.rs`) and
exported with labels by `summit-bot eval FILE --features OUT.jsonl`: one JSON line per
question with every scored candidate, best first, its feature vector in the order of
`retrieve::decision::FEATURES`, whether the engine's hard rules let the decision see it
(`eligible`) and whether answering with it would pass the case (`label`). This script never
computes a feature; it refuses rows whose feature names differ from the ones it was given.

What it does, all deterministic (numpy only, fixed seed, no threads needed):
1. Reads the training rows (`--train`, files of several articles) and the held-out rows
   (`--held`, scored once at the end and never used to choose anything).
2. Chooses the L2 strength and the threshold by 5-fold cross-validation grouped by question
   (seed 18) on the training rows, maximising the question-level score: a question passes
   when its answer (the first eligible candidate, in the engine's order, at p >= threshold) is
   labelled right, or when it gets none and should: what `summit-bot eval` counts (ties go
   to fewer wrong answers). Also chosen: how many candidates per question it learns from.
3. Leave-one-article-out: for each article, trains on the others (same L2 strength and
   threshold) and scores that article's training questions: the decision on an article it
   never saw.
4. Fits on all training rows, scores the held-out rows once, writes
   `models/answer-decision/weights.json`, `models/answer-decision/README.md` (data, split,
   scores, features) and `tests/fixtures/decision_cases.json` (feature vectors with the
   probability and decision this script computes from the written, rounded weights, for
   `tests/decision_model.rs`).

Rows exported with a transformer (`probe-dev.minilm-l6.jsonl`) count as the same question as
the static rows of that file: cross-validation keeps both in one fold, and the scores are
reported per engine.

Exact command (from the repository root, after exporting the rows with
`MODEL_DIR=models/minilm-l6 sh scripts/export_decision_rows.sh target/decision-rows`, which
names the release binary and the files):

    OPENBLAS_NUM_THREADS=1 python3 scripts/train_decision.py \
        --rows target/decision-rows \
        --out models/answer-decision --cases tests/fixtures/decision_cases.json

Python 3.11.7, numpy 2.4.6 (`pip install numpy==2.4.6`). Reproduced byte for byte: run twice, the
outputs compare equal (`diff -r`).
"""

import argparse
import json
import os
import sys

import numpy as np

FEATURES = [
    "coverage",
    "best_sentence",
    "bm25",
    "cosine",
    "focus_coverage",
    "focus_share",
    "focus_missing",
    "focus_sentence",
    "unknown_share",
    "unknown_name",
    "unknown_rare",
    "answer_type",
    "meaning_only",
    "contextual",
    "has_contextual",
]
SEED = 18
FOLDS = 5
L2_GRID = [0.01, 0.1, 1.0, 10.0]
THRESHOLDS = [round(0.05 * i, 2) for i in range(2, 19)]
# Candidates per question the model learns from: the first eligible ones, in the engine's
# order (the answer is the first it accepts; the ones far down never become answers).
# Chosen with the rest by cross-validation.
TOP_GRID = [1, 3]
TOP = 1


def load(path):
    """Questions of one rows file: (article, set, engine, question, none, candidates). A
    file exported with a transformer loaded is named after it (`probe-dev.minilm-l6.jsonl`):
    its set is the questions' file (`probe-dev`), its engine the model (`minilm-l6`)."""
    stem = os.path.basename(path)
    stem = stem[: -len(".jsonl")] if stem.endswith(".jsonl") else stem
    parts = stem.split(".")
    kept = [parts[0]] + [p for p in parts[1:] if p in ("train", "held")]
    engine = ".".join(p for p in parts[1:] if p not in ("train", "held")) or "static"
    stem = ".".join(kept)
    questions = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            cands = [
                (c["passage"], int(c["label"]), bool(c["eligible"]), c["features"])
                for c in row["candidates"]
            ]
            for c in cands:
                if len(c[3]) != len(FEATURES):
                    sys.exit(f"{path}: a row has {len(c[3])} features, expected {len(FEATURES)}")
            questions.append(
                {
                    "article": row["article"],
                    "set": stem,
                    "engine": engine,
                    "q": row["q"],
                    "none": bool(row["none"]),
                    "cands": cands,
                }
            )
    return questions


def matrix(questions):
    """The first TOP eligible candidates of each question as (X, y, question index)."""
    xs, ys, qs = [], [], []
    for i, q in enumerate(questions):
        eligible = [c for c in q["cands"] if c[2]][:TOP]
        for _, label, _, feats in eligible:
            xs.append(feats)
            ys.append(label)
            qs.append(i)
    x = np.array(xs, dtype=np.float64).reshape(-1, len(FEATURES))
    return x, np.array(ys, dtype=np.float64), np.array(qs, dtype=np.int64)


def standardise(x):
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    # A feature constant in the data (the transformer's, without its rows) gets scale 1 and
    # weight 0: it cannot move the decision it was never trained on.
    scale = np.where(scale > 1e-9, scale, 1.0)
    return mean, scale


def fit(x, y, l2):
    """Logistic regression by Newton's method (deterministic, 50 steps), L2 on weights only.
    Classes are weighted to balance: most candidates of an answerable question are wrong."""
    mean, scale = standardise(x)
    z = (x - mean) / scale
    constant = np.isclose(x.std(axis=0), 0.0)
    n, d = z.shape
    a = np.hstack([np.ones((n, 1)), z])
    pos = max(y.sum(), 1.0)
    neg = max(n - y.sum(), 1.0)
    sw = np.where(y > 0, n / (2 * pos), n / (2 * neg))
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (sw * (p - y)) + reg * w
        hess = (a * (sw * p * (1 - p))[:, None]).T @ a + np.diag(reg) + 1e-9 * np.eye(d + 1)
        w = w - np.linalg.solve(hess, grad)
    weights = w[1:]
    weights[constant] = 0.0
    return {"mean": mean, "scale": scale, "weights": weights, "bias": w[0]}


def probability(model, feats):
    x = (np.asarray(feats, dtype=np.float64) - model["mean"]) / model["scale"]
    zz = model["bias"] + x @ model["weights"]
    return 1.0 / (1.0 + np.exp(-zz))


def outcome(model, q, threshold):
    """'pass', 'missed' (no answer, one was wanted) or 'wrong' (answered wrongly)."""
    for _, label, eligible, feats in q["cands"]:
        if eligible and probability(model, feats) >= threshold:
            return "pass" if label == 1 else "wrong"
    return "pass" if q["none"] else "missed"


def score(model, questions, threshold):
    res = {"pass": 0, "missed": 0, "wrong": 0, "off": 0, "off_declined": 0}
    for q in questions:
        o = outcome(model, q, threshold)
        res[o] += 1
        if q["none"]:
            res["off"] += 1
            res["off_declined"] += o == "pass"
    res["n"] = len(questions)
    return res


def utility(res):
    """What `summit-bot eval` counts (questions passed); then fewer wrong answers."""
    return (res["pass"], -res["wrong"])


def folds(questions, k, seed):
    """Folds of question indices, grouped by question: the rows of one question exported with
    and without the transformer always fall in the same fold."""
    keys = list(dict.fromkeys((q["set"], q["q"]) for q in questions))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(keys))
    fold_of = {keys[j]: i % k for i, j in enumerate(order)}
    return [
        [n for n, q in enumerate(questions) if fold_of[(q["set"], q["q"])] == i] for i in range(k)
    ]


def train_on(questions, l2):
    x, y, _ = matrix(questions)
    return fit(x, y, l2)


def choose(questions):
    """Candidates per question, L2 strength and threshold by grouped cross-validation."""
    global TOP
    parts = folds(questions, FOLDS, SEED)
    best = None
    for top, l2 in [(t, l) for t in TOP_GRID for l in L2_GRID]:
        TOP = top
        models = []
        for part in parts:
            held = set(part)
            models.append(train_on([q for i, q in enumerate(questions) if i not in held], l2))
        for t in THRESHOLDS:
            total = {"pass": 0, "missed": 0, "wrong": 0, "off": 0, "off_declined": 0, "n": 0}
            for model, part in zip(models, parts):
                r = score(model, [questions[i] for i in part], t)
                for key in total:
                    total[key] += r[key]
            key = (utility(total), -top, -l2, -abs(t - 0.5))
            if best is None or key > best[0]:
                best = (key, top, l2, t, total)
    TOP = best[1]
    return best[2], best[3], best[4]


def by_engine(model, questions, threshold):
    """Scores per engine the rows were exported with (`static`, or the transformer's name)."""
    return [
        (e, score(model, [q for q in questions if q["engine"] == e], threshold))
        for e in sorted({q["engine"] for q in questions})
    ]


def cross_validated(questions, l2, threshold):
    """The chosen setting's cross-validation scores, per engine."""
    parts = folds(questions, FOLDS, SEED)
    totals = {}
    for part in parts:
        held = set(part)
        model = train_on([q for i, q in enumerate(questions) if i not in held], l2)
        for e, r in by_engine(model, [questions[i] for i in part], threshold):
            total = totals.setdefault(e, dict.fromkeys(r, 0))
            for key in r:
                total[key] += r[key]
    return sorted(totals.items())


def fmt(res):
    return (
        f"{res['pass']}/{res['n']} pass ({100 * res['pass'] / max(res['n'], 1):.0f} %), "
        f"{res['wrong']} wrong answers, {res['missed']} missed, "
        f"{res['off_declined']}/{res['off']} off-topic declined"
    )


def rounded(model):
    return {
        "mean": [round(float(v), 6) for v in model["mean"]],
        "scale": [round(float(v), 6) for v in model["scale"]],
        "weights": [round(float(v), 6) for v in model["weights"]],
        "bias": round(float(model["bias"]), 6),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", required=True, help="folder of exported rows (train/ and held/)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", required=True)
    args = ap.parse_args()

    def files(sub):
        d = os.path.join(args.rows, sub)
        return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".jsonl"))

    train = [q for p in files("train") for q in load(p)]
    held = [q for p in files("held") for q in load(p)]
    l2, threshold, cv = choose(train)
    cv_by_engine = cross_validated(train, l2, threshold)
    final = rounded(train_on(train, l2))
    model = {k: np.array(v) if isinstance(v, list) else v for k, v in final.items()}
    engines = sorted({q["engine"] for q in train})

    articles = sorted({q["article"] for q in train})
    loao = []
    for article in articles:
        rest = [q for q in train if q["article"] != article]
        own = [q for q in train if q["article"] == article]
        left_out = train_on(rest, l2)
        for e, r in by_engine(left_out, own, threshold):
            loao.append((article, e, r, [q for q in own if q["engine"] == e]))
    train_score = score(model, train, threshold)
    held_by_set = [
        (s, e, score(model, [q for q in held if q["set"] == s and q["engine"] == e], threshold))
        for s in sorted({q["set"] for q in held})
        for e in sorted({q["engine"] for q in held})
    ]

    weights = {
        "format": 1,
        "features": FEATURES,
        **final,
        "threshold": threshold,
        "provenance": {
            "script": "scripts/train_decision.py",
            "train": sorted({q["set"] for q in train}),
            "held": sorted({q["set"] for q in held}),
            "engines": engines,
            "l2": l2,
            "top": TOP,
        },
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "weights.json"), "w", encoding="utf-8") as f:
        json.dump(weights, f, indent=1)
        f.write("\n")

    # Fixture: a spread of real rows (every 7th eligible candidate of the training data) and
    # the ten the model is least sure of accepting (so both decisions are there whatever the
    # threshold), with what the rounded weights give. Features rounded to 4 decimals: the
    # transformer's cosines move in the 7th decimal when its arithmetic is reordered for
    # speed, and the fixture should not change with them.
    x, _, _ = matrix(train)
    lowest = sorted(range(len(x)), key=lambda i: (float(probability(model, x[i])), i))[:10]
    cases = []
    for feats in list(x[::7][:50]) + [x[i] for i in lowest]:
        feats = [round(float(v), 4) for v in feats]
        p = float(probability(model, feats))
        cases.append(
            {
                "features": feats,
                "probability": round(p, 9),
                "accepts": bool(p >= threshold),
            }
        )
    with open(args.cases, "w", encoding="utf-8") as f:
        json.dump({"threshold": threshold, "cases": cases}, f, indent=1)
        f.write("\n")

    lines = []
    lines.append(f"- cross-validation ({FOLDS} folds by question, seed {SEED}, training files, both engines): {fmt(cv)}")
    for e, r in cv_by_engine:
        lines.append(f"  - rows of the {e} engine: {fmt(r)} (the bar and the hard rules alone: {fmt(score(model, [q for q in train if q['engine'] == e], 0.0))})")
    lines.append(f"- chosen: first {TOP} eligible candidate(s) per question, L2 {l2}, threshold {threshold}")
    lines.append(f"- training questions, final model: {fmt(train_score)}")
    report = "\n".join(lines)
    table = [
        "| left-out article | engine | the model, trained on the other articles | the bar and the hard rules alone |",
        "| --- | --- | --- | --- |",
    ]
    for article, e, r, own in loao:
        # Threshold 0 accepts every eligible candidate: the bar and the unknown-name rule.
        table.append(f"| {article} | {e} | {fmt(r)} | {fmt(score(model, own, 0.0))} |")
    held_table = [
        "| held-out file | engine | the model | the bar and the hard rules alone |",
        "| --- | --- | --- | --- |",
    ]
    for s, e, r in held_by_set:
        bar = score(model, [q for q in held if q["set"] == s and q["engine"] == e], 0.0)
        held_table.append(f"| {s} | {e} | {fmt(r)} | {fmt(bar)} |")
    for e in sorted({q["engine"] for q in held}):
        own = [q for q in held if q["engine"] == e]
        held_table.append(f"| all | {e} | {fmt(score(model, own, threshold))} | {fmt(score(model, own, 0.0))} |")
    sets = {}
    for q in train:
        entry = sets.setdefault((q["set"], q["article"]), [0, 0, set()])
        entry[2].add(q["engine"])
        # Each question counted once, whatever engines exported it.
        if q["engine"] == engines[0]:
            entry[0] += 1
            entry[1] += q["none"]
    data = [
        "| rows file | article | questions | off-topic | exported with |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (s, a), (n, off, exported) in sorted(sets.items()):
        data.append(f"| {s} | {a} | {n} | {off} | {', '.join(sorted(exported))} |")
    text = README.format(
        report=report,
        loao="\n".join(table),
        held="\n".join(held_table),
        data="\n".join(data),
        features="\n".join(
            f"| `{name}` | {w:+.3f} |" for name, w in zip(FEATURES, final["weights"])
        ),
        bias=final["bias"],
        threshold=threshold,
    )
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(report)
    print("\n".join(table))
    print("held-out scores: in the README")


README = """# answer-decision: the learned "is this passage an answer?" (issue 18)

`weights.json` is a logistic regression over the engine's own signals for one scored candidate
passage: `p = sigmoid(bias + sum(w * (x - mean) / scale))`, an answer at `p >= threshold`.
`retrieve/decision.rs` reads it (compiled in; `[answer] decision_model` names another file). It
decides only with `[answer] decision = "learned"`: the default is the hand-written bar, because
the model still loses on-topic answers for the off-topic ones it declines, with the shipped
MiniLM transformer too, and the floors of `tests/eval.rs` (the summit probes, the sample files)
may not go down (QUALITY.md, "The learned decision with the transformer's cosine"). It is
trained on the rows of both engines the default can run: the static one (`model_dir = ""`) and
the shipped MiniLM cascade, where the questions the cascade finds close carry the transformer's
cosine (`has_contextual` = 1). Written by `scripts/train_decision.py`; this README is written by
the same run.

## Features (computed only in Rust; the file's names must equal `FEATURES`)

| feature | weight (standardised) |
| --- | --- |
{features}

bias {bias:+.3f}, threshold {threshold}.

- `coverage`: share of the question's IDF weight the passage or its footnotes hold.
- `best_sentence`: the best single sentence's share.
- `bm25`: BM25 relative to the best candidate's (0 for one found by meaning only).
- `cosine`: best sentence or footnote cosine of the static vectors.
- `focus_coverage`: share of the question's focus (its words beyond function words, everyday
  words and the names the index holds) met by the passage's words or close meanings.
- `focus_share`: share of the question's weight that is focus.
- `unknown_share`: share of the question's weight the index does not know at all.
- `unknown_name`: the question names something the index does not hold (capitalised, or a
  lowercase word whose static vector sits beside the index's own names).
- `answer_type`: the passage holds the kind of answer the question asks for.
- `meaning_only`: no topical question word matched, only close meanings.
- `contextual`, `has_contextual`: the transformer's best sentence or footnote cosine, and
  whether it scored the candidate (a transformer is loaded and the cascade found the question
  close); 0 and 0 otherwise.

Before the model, hard rules still apply: personal requests and questions with no word the
index knows get no candidates; a question naming something the index does not hold needs
`min_coverage`; a question carried only by close meanings needs `meaning_only_similarity`; a
passage without the number or date a question asks for ("how many", "when") is no answer, nor
is any passage to a question about something named in lowercase beside the index's names or by
a word no English list knows. The model sees only what passes them (`eligible`), and never a
question with a capitalised name the index does not hold. The rows are ranked under the bar
(`Engine::scored_candidates`), never under the model compiled in: a fresh export and this
script rebuild these files byte for byte.

## Data and split

Training rows come from `scripts/export_decision_rows.sh`: our own labelled questions
(`tests/fixtures/labelled/*.train.jsonl`, one engine per article, and the older summit probes
`tests/fixtures/probe-*.jsonl`), never the shared measuring sets of `/work/shared/eval/` or
their copies (`questions.jsonl`, `paraphrases.jsonl`, `near-misses.jsonl`). A candidate's
label is whether `summit-bot eval` would pass the question with that passage as the answer.
Held-out rows (`tests/fixtures/labelled/*.held.jsonl`, split by a fixed hash of the question,
see that folder's README) were scored once, with the final model.

{data}

## Scores

{report}

### Leave one article out

{loao}

### Held out (scored once)

{held}
"""

if __name__ == "__main__":
    main()
