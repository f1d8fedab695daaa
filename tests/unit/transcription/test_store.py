"""The model store: the offline default, local directories, named models."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import ModelError
from annotator.transcription.store import resolve_model


def test_default_model_is_the_offline_one() -> None:
    path = Path(resolve_model(None))
    assert (path / "model.bin").is_file()
    assert resolve_model(str(path)) == str(path)


def test_model_errors_are_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match=r"no model\.bin"):
        resolve_model(str(tmp_path))
    with pytest.raises(ModelError, match=r"Unknown model 'tiny\.klingon'"):
        resolve_model("tiny.klingon")
    # HF_HUB_OFFLINE=1 (tests/conftest.py): a name not in the cache says what to do, without a network call
    with pytest.raises(ModelError, match=r"not downloaded.*local model directory"):
        resolve_model("base.en", cache_dir=tmp_path / "cache")


def test_a_named_model_already_in_the_cache_is_used_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the Hugging Face cache layout under paths.model_cache_dir(): refs/main names the snapshot
    monkeypatch.setenv("ANNOTATOR_CACHE_DIR", str(tmp_path))
    repo = tmp_path / "models" / "models--Systran--faster-whisper-tiny.en"
    snapshot = repo / "snapshots" / "0123abc"
    snapshot.mkdir(parents=True)
    (snapshot / "model.bin").write_bytes(b"")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abc")
    # HF_HUB_OFFLINE=1 (tests/conftest.py): found without a network call
    assert Path(resolve_model("tiny.en")) == snapshot
