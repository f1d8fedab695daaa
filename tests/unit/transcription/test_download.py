"""annotator.transcription.download and catalog: a model fetched from a hub on loopback with
progress, cancelled, failing, or offline; nothing half-downloaded is ever taken for a model."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from annotator.errors import DownloadCancelled, ModelError
from annotator.transcription.catalog import MODELS, installed, model_info
from annotator.transcription.download import download_model
from annotator.transcription.model import load_model
from annotator.transcription.store import resolve_model
from tests.helpers.modelhub import ModelHub, model_hub

__all__ = ["model_hub"]


def test_the_catalog_says_size_language_and_speed() -> None:
    tiny, small = model_info("tiny.en"), model_info("small")
    assert tiny is not None and small is not None
    assert tiny.language == "English only" and small.language == "multilingual"
    assert small.seconds_per_minute(2) > tiny.seconds_per_minute(2) > 0
    assert tiny.seconds_per_minute(4) < tiny.seconds_per_minute(2)
    assert len({m.name for m in MODELS}) == len(MODELS)


def test_a_model_downloads_with_progress_and_then_loads(model_hub: ModelHub, tmp_path: Path) -> None:
    # tiny.en itself is bundled; download it under its hub name to test the path a bigger one takes
    seen: list[tuple[int, int]] = []
    assert not (tmp_path / "tiny.en").exists()
    path = download_model("tiny.en", tmp_path, on_progress=lambda d, t: seen.append((d, t)))
    assert path == tmp_path / "tiny.en" and (path / "model.bin").is_file()
    assert not (path / "README.md").exists()  # only what the model needs
    assert seen and seen[-1][0] == seen[-1][1] > 70_000_000
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))
    assert resolve_model("tiny.en", cache_dir=tmp_path) == str(path)
    model = load_model(str(path))
    assert not model.model.is_multilingual


def test_a_cancelled_download_leaves_nothing(model_hub: ModelHub, tmp_path: Path) -> None:
    cancel = threading.Event()

    def progress(done: int, _total: int) -> None:
        if done > 1_000_000:
            cancel.set()

    with pytest.raises(DownloadCancelled, match="cancelled; the current model is kept"):
        download_model("tiny.en", tmp_path, on_progress=progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []
    assert not installed("small.en", tmp_path)


def test_a_failed_download_says_so_and_leaves_nothing(model_hub: ModelHub, tmp_path: Path) -> None:
    model_hub.fail_with = 503
    with pytest.raises(ModelError, match=r"answered HTTP 503; the current model is kept"):
        download_model("tiny.en", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_offline_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(ModelError, match=r"are you online\? The current model is kept"):
        download_model("base.en", tmp_path, timeout_s=5)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="offline mode is on"):
        download_model("base.en", tmp_path)
