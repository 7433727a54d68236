"""Writes tests/fixtures/tiny-mpnet/: a randomly initialised MPNet encoder small enough to
commit (hidden size 4, two layers, the full BERT-uncased vocabulary after MPNet's four special
tokens) and the sentence vectors this numpy forward pass gives for the tokenizer test texts of
tests/fixtures/semantic_vectors.json (their ids come from the reference tokenizer). The Rust
encoder (src/semantic/contextual.rs) must give the same vectors: a check of the forward pass
(relative position buckets, attention, GELU, layer norms, mean pooling) without shipping the
440 MB model. Reproducible: numpy's PCG64 with a fixed seed.

Usage: python3 scripts/tiny_mpnet_fixture.py   (numpy only)
"""

import json
import math
import struct
from pathlib import Path

import numpy as np

OUT = Path("tests/fixtures/tiny-mpnet")
BERT_VOCAB = 30522
SPECIALS = 4  # <s> <pad> </s> <unk>
HIDDEN, HEADS, LAYERS, INNER, BUCKETS, POSITIONS = 4, 2, 2, 8, 32, 514
EPS = 1e-5


def weights(rng):
    w = {}

    def normal(name, *shape, scale=0.5):
        w[name] = (rng.standard_normal(shape) * scale).astype(np.float32)

    normal("embeddings.word_embeddings.weight", BERT_VOCAB + SPECIALS + 1, HIDDEN)
    normal("embeddings.position_embeddings.weight", POSITIONS, HIDDEN)
    normal("embeddings.LayerNorm.weight", HIDDEN)
    normal("embeddings.LayerNorm.bias", HIDDEN)
    normal("encoder.relative_attention_bias.weight", BUCKETS, HEADS)
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        for name in ("q", "k", "v", "o"):
            normal(p + f"attention.attn.{name}.weight", HIDDEN, HIDDEN)
            normal(p + f"attention.attn.{name}.bias", HIDDEN)
        normal(p + "attention.LayerNorm.weight", HIDDEN)
        normal(p + "attention.LayerNorm.bias", HIDDEN)
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


def bucket(relative, buckets=BUCKETS, max_distance=128):
    """transformers' MPNet relative_position_bucket."""
    ret = np.zeros_like(relative)
    n = -relative
    buckets //= 2
    ret += (n < 0).astype(relative.dtype) * buckets
    n = np.abs(n)
    exact = buckets // 2
    small = n < exact
    large = exact + (np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact) * (buckets - exact)).astype(relative.dtype)
    large = np.minimum(large, buckets - 1)
    return ret + np.where(small, n, large)


def gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def embed(w, ids):
    ids = [0] + [i + SPECIALS for i in ids] + [2]
    t = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][np.arange(t) + 2]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    relative = np.arange(t)[None, :] - np.arange(t)[:, None]
    position_bias = w["encoder.relative_attention_bias.weight"][bucket(relative)].transpose(2, 0, 1)
    d = HIDDEN // HEADS

    def lin(v, name):
        return v @ w[name + ".weight"].T + w[name + ".bias"]

    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        q = lin(x, p + "attention.attn.q").reshape(t, HEADS, d).transpose(1, 0, 2)
        k = lin(x, p + "attention.attn.k").reshape(t, HEADS, d).transpose(1, 0, 2)
        v = lin(x, p + "attention.attn.v").reshape(t, HEADS, d).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d) + position_bias
        s = s - s.max(-1, keepdims=True)
        probs = np.exp(s)
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(t, HIDDEN)
        a = layer_norm(lin(context, p + "attention.attn.o") + x, w[p + "attention.LayerNorm.weight"], w[p + "attention.LayerNorm.bias"])
        inner = gelu(lin(a, p + "intermediate.dense"))
        x = layer_norm(lin(inner, p + "output.dense") + a, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    pooled = x.astype(np.float64).mean(0)
    return pooled / np.linalg.norm(pooled)


def main():
    rng = np.random.Generator(np.random.PCG64(20151925))
    w = weights(rng)
    OUT.mkdir(parents=True, exist_ok=True)
    write_safetensors(OUT / "model.safetensors", w)
    config = {
        "model_type": "mpnet",
        "vocab_size": BERT_VOCAB + SPECIALS + 1,
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INNER,
        "max_position_embeddings": POSITIONS,
        "layer_norm_eps": EPS,
        "relative_attention_num_buckets": BUCKETS,
    }
    (OUT / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    cases = json.load(open("tests/fixtures/semantic_vectors.json", encoding="utf-8"))["tokenizer"]
    expected = [
        {"text": c["text"], "vector": [round(float(v), 6) for v in embed(w, c["ids"])]}
        for c in cases
        if c["ids"] and len(c["ids"]) <= 382
    ]
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(expected)} expected vectors")


if __name__ == "__main__":
    main()
