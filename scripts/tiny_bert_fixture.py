"""Writes tests/fixtures/tiny-bert/: a randomly initialised BERT encoder small enough to commit
(hidden size 4, two layers, the full BERT-uncased vocabulary, all-MiniLM-L6-v2's layout and
weight names) and the sentence vectors this numpy forward pass gives for the tokenizer test
texts of tests/fixtures/semantic_vectors.json (their ids come from the reference tokenizer).
The Rust encoder (src/semantic/contextual/bert.rs) must give the same vectors: a check of the
forward pass (absolute positions from 0, token type 0, [CLS] 101 / [SEP] 102, attention, GELU,
layer norms with the config's eps, mean pooling over every token, truncation to 256 tokens)
without the real model. Reproducible: numpy's PCG64 with a fixed seed.

Usage: python3 scripts/tiny_bert_fixture.py   (numpy only)
"""

import json
import math
import struct
from pathlib import Path

import numpy as np

OUT = Path("tests/fixtures/tiny-bert")
VOCAB = 30522
HIDDEN, HEADS, LAYERS, INNER, POSITIONS, TYPES = 4, 2, 2, 8, 512, 2
EPS = 1e-12
CLS, SEP = 101, 102
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2


def weights(rng):
    w = {}

    def normal(name, *shape, scale=0.5):
        w[name] = (rng.standard_normal(shape) * scale).astype(np.float32)

    normal("embeddings.word_embeddings.weight", VOCAB, HIDDEN)
    normal("embeddings.position_embeddings.weight", POSITIONS, HIDDEN)
    normal("embeddings.token_type_embeddings.weight", TYPES, HIDDEN)
    normal("embeddings.LayerNorm.weight", HIDDEN)
    normal("embeddings.LayerNorm.bias", HIDDEN)
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        for name in ("query", "key", "value"):
            normal(p + f"attention.self.{name}.weight", HIDDEN, HIDDEN)
            normal(p + f"attention.self.{name}.bias", HIDDEN)
        normal(p + "attention.output.dense.weight", HIDDEN, HIDDEN)
        normal(p + "attention.output.dense.bias", HIDDEN)
        normal(p + "attention.output.LayerNorm.weight", HIDDEN)
        normal(p + "attention.output.LayerNorm.bias", HIDDEN)
        normal(p + "intermediate.dense.weight", INNER, HIDDEN)
        normal(p + "intermediate.dense.bias", INNER)
        normal(p + "output.dense.weight", HIDDEN, INNER)
        normal(p + "output.dense.bias", HIDDEN)
        normal(p + "output.LayerNorm.weight", HIDDEN)
        normal(p + "output.LayerNorm.bias", HIDDEN)
    return w


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = tensors[name].astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(raw)))
        out.write(raw)
        for blob in blobs:
            out.write(blob)


def layer_norm(x, w, b):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def embed(w, ids):
    ids = [CLS] + list(ids[: MAX_TOKENS - 2]) + [SEP]
    t = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][np.arange(t)]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    d = HIDDEN // HEADS

    def lin(v, name):
        return v @ w[name + ".weight"].T + w[name + ".bias"]

    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        q = lin(x, p + "attention.self.query").reshape(t, HEADS, d).transpose(1, 0, 2)
        k = lin(x, p + "attention.self.key").reshape(t, HEADS, d).transpose(1, 0, 2)
        v = lin(x, p + "attention.self.value").reshape(t, HEADS, d).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = s - s.max(-1, keepdims=True)
        probs = np.exp(s)
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(t, HIDDEN)
        a = layer_norm(
            lin(context, p + "attention.output.dense") + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        inner = gelu(lin(a, p + "intermediate.dense"))
        x = layer_norm(lin(inner, p + "output.dense") + a, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    pooled = x.astype(np.float64).mean(0)
    return pooled / np.linalg.norm(pooled)


def main():
    rng = np.random.Generator(np.random.PCG64(20151926))
    w = weights(rng)
    OUT.mkdir(parents=True, exist_ok=True)
    write_safetensors(OUT / "model.safetensors", w)
    config = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "vocab_size": VOCAB,
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INNER,
        "max_position_embeddings": POSITIONS,
        "type_vocab_size": TYPES,
        "layer_norm_eps": EPS,
    }
    (OUT / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    cases = json.load(open("tests/fixtures/semantic_vectors.json", encoding="utf-8"))["tokenizer"]
    expected = [
        {"text": c["text"], "tokens": len(c["ids"]), "vector": [round(float(v), 6) for v in embed(w, c["ids"])]}
        for c in cases
        if c["ids"]
    ]
    # A text longer than the limit (the first case repeated: WordPiece splits words alone, so
    # joining texts with spaces joins their ids) checks the truncation to 256 tokens.
    first = next(c for c in cases if c["ids"])
    times = MAX_TOKENS // len(first["ids"]) + 2
    long_ids = first["ids"] * times
    expected.append(
        {"text": " ".join([first["text"]] * times), "tokens": len(long_ids), "vector": [round(float(v), 6) for v in embed(w, long_ids)]}
    )
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(expected)} expected vectors")


if __name__ == "__main__":
    main()
