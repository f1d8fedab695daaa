"""scripts/quantize_model.py: the bundle's int8 copy of the offline model, made with CTranslate2's converter code."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import jiwer
import pytest

from annotator.audio.decode import decode_file
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.model import load_model
from annotator.transcription.store import resolve_model
from annotator.transcription.utterance import transcribe_audio
from tests.helpers.whisper import ljspeech_clips, normalise

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "quantize_model.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quantize_model", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def int8_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("model") / "int8"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), resolve_model(None), str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "model.bin 72.0 MiB -> 37.1 MiB" in done.stdout
    return target


def test_the_copy_is_int8_with_the_sources_side_files(int8_model: Path) -> None:
    source = Path(resolve_model(None))
    _revision, variables, aliases = _script().read_model(int8_model / "model.bin")
    linear = variables["encoder/layer_0/ffn/linear_0/weight"]
    assert str(linear.dtype) == "int8" and "encoder/layer_0/ffn/linear_0/weight_scale" in variables
    assert str(variables["decoder/embeddings/weight"].dtype) == "int8"
    assert aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    for side in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (int8_model / side).read_bytes() == (source / side).read_bytes()


def test_the_copy_transcribes_as_well_as_the_source(int8_model: Path) -> None:
    options = TranscribeOptions(beam_size=1, language="en")
    models = {"source": load_model(None), "int8": load_model(str(int8_model))}
    refs, said = [], {name: [] for name in models}
    for wav, ref in ljspeech_clips():
        audio = decode_file(wav)
        refs.append(normalise(ref))
        for name, model in models.items():
            said[name].append(normalise(transcribe_audio(model, audio, options)))
    assert jiwer.wer(refs, said["int8"]) <= jiwer.wer(refs, said["source"])


def test_an_already_quantized_model_is_refused(int8_model: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(int8_model), str(tmp_path / "again")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and done.stderr.strip().endswith("already quantized")
    assert not (tmp_path / "again").exists()
