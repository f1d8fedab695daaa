"""Store a CTranslate2 Whisper model's weights in int8, as the app loads them anyway.

    python scripts/quantize_model.py SOURCE_DIR TARGET_DIR

The app loads its model with ``compute_type="int8"`` (the ``[transcription]``
default), so CTranslate2 quantizes the float16 weights of the shipped tiny.en
model to int8 every time it starts. This does that once, at build time, with
CTranslate2's own converter code (``ModelSpec.optimize(quantization=
"int8_float16")``: int8 weights with a float32 scale per row for the linear,
convolution and embedding layers, float16 for the rest), and writes the model
to TARGET_DIR with the source's config.json, tokenizer and vocabulary. Only
the build uses it (build.spec); an installed annotator keeps the float16 model.

The model.bin layout read here is the one ``ModelSpec._serialize`` writes
(binary version 6): anything else stops with a message.
"""

from __future__ import annotations

import re
import shutil
import struct
import sys
from pathlib import Path

import numpy as np

BINARY_VERSION = 6
SPEC_NAME = "WhisperSpec"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json", "preprocessor_config.json")
# CTranslate2's type ids (include/ctranslate2/types.h); bfloat16 does not occur in a model we ship
DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str:
        length = self.take("H")
        raw = self.data[self.pos : self.pos + length - 1]
        self.pos += length
        return raw.decode("utf-8")

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def read_model(path: Path) -> tuple[int, dict[str, np.ndarray], dict[str, str]]:
    """(spec revision, variables by name, aliases name -> target) of a model.bin."""
    r = _Reader(path.read_bytes())
    version = r.take("I")
    if version != BINARY_VERSION:
        raise SystemExit(f"{path}: CTranslate2 binary version {version}, this script reads {BINARY_VERSION}")
    name = r.string()
    if name != SPEC_NAME:
        raise SystemExit(f"{path}: a {name}, not a {SPEC_NAME}")
    revision = r.take("I")
    variables = {}
    for _ in range(r.take("I")):
        var = r.string()
        shape = tuple(r.take("I") for _ in range(r.take("B")))
        type_id = r.take("B")
        if type_id not in DTYPES:
            raise SystemExit(f"{path}: variable {var} has type id {type_id}, not one this script reads")
        variables[var] = np.frombuffer(r.raw(r.take("I")), dtype=DTYPES[type_id]).reshape(shape).copy()
    aliases = {}
    for _ in range(r.take("I")):
        alias = r.string()
        aliases[alias] = r.string()
    if r.pos != len(r.data):
        raise SystemExit(f"{path}: {len(r.data) - r.pos} bytes after the aliases")
    return revision, variables, aliases


def quantize(source: Path, target: Path, quantization: str = "int8_float16") -> None:
    from ctranslate2.specs import WhisperSpec
    from ctranslate2.specs.model_spec import NumpyVariable, index_spec

    revision, variables, aliases = read_model(source / "model.bin")
    if any(n.endswith("_scale") for n in variables):
        raise SystemExit(f"{source}: already quantized")

    def layers(side: str) -> int:
        return len({m.group(1) for n in variables if (m := re.match(rf"{side}/layer_(\d+)/", n))})

    spec = WhisperSpec(
        layers("encoder"), int(variables["encoder/num_heads"]), layers("decoder"), int(variables["decoder/num_heads"])
    )
    if spec.revision != revision:
        raise SystemExit(f"{source}: WhisperSpec revision {revision}, this CTranslate2 writes {spec.revision}")
    expected = set(spec.variables())
    # An alias (the decoder's output projection is its embeddings) gets the same weights; optimize()
    # finds the equal variables and writes the alias again, as the converters do.
    for name, value in {**variables, **{a: variables[t] for a, t in aliases.items()}}.items():
        scope, _, attr = name.rpartition("/")
        layer = index_spec(spec, scope)
        if not hasattr(layer, attr):
            raise SystemExit(f"{source}: {name} is not part of a {SPEC_NAME}")
        if value.ndim == 0:
            setattr(layer, attr, value.dtype.type(value))
        else:
            setattr(layer, attr, NumpyVariable(value))
    unset = sorted(n for n, v in spec.variables().items() if v is None and n in expected)
    if unset:
        raise SystemExit(f"{source}: model.bin lacks {', '.join(unset)}")
    vocabulary = source / "vocabulary.txt"
    if vocabulary.is_file():  # validate() checks the embeddings against it
        spec.register_vocabulary(vocabulary.read_text(encoding="utf-8").split("\n")[: spec.get_vocabulary_size()])
    spec.validate()
    spec.optimize(quantization=quantization)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    spec._serialize(str(target / "model.bin"))  # model.bin only: the side files are the source's own
    for side in SIDE_FILES:
        if (source / side).is_file():
            shutil.copy2(source / side, target / side)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    quantize(source, target)
    before = (source / "model.bin").stat().st_size / 2**20
    after = (target / "model.bin").stat().st_size / 2**20
    print(f"quantize_model: {source} -> {target}: model.bin {before:.1f} MiB -> {after:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
