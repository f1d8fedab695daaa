"""faster-whisper's models as the Settings list shows them: size, language, speed on this machine.

Pure apart from ``installed`` (which looks at the disk). Sizes are the download of the
CTranslate2 weights (float16); speed is an estimate: the offline tiny.en's measured cost on
a 2-core machine (benchmarks/README.md) scaled by each model's parameter count and this
machine's core count, in seconds of work per minute of audio.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TINY_S_PER_MIN = 3.7  # tiny.en, int8, our path, 2 cores: 0.061 x real time (benchmarks/README.md, Transcription 1.)
BENCH_CORES = 2


@dataclass(frozen=True)
class ModelInfo:
    name: str
    repo: str
    size_mb: int
    english_only: bool
    params_m: int  # millions of parameters: the cost relative to tiny (39 M)

    @property
    def language(self) -> str:
        return "English only" if self.english_only else "multilingual"

    def seconds_per_minute(self, cores: int | None = None) -> float:
        """Estimated seconds to transcribe one minute of audio on a machine with ``cores`` cores."""
        n = max(1, cores or os.cpu_count() or 1)
        scale = BENCH_CORES / min(n, 4)  # faster-whisper uses at most 4 threads here
        return TINY_S_PER_MIN * (self.params_m / 39) * scale


def _m(name: str, repo: str, size_mb: int, params_m: int) -> ModelInfo:
    return ModelInfo(name, repo, size_mb, name.endswith(".en"), params_m)


MODELS: tuple[ModelInfo, ...] = (
    _m("tiny.en", "Systran/faster-whisper-tiny.en", 75, 39),
    _m("tiny", "Systran/faster-whisper-tiny", 75, 39),
    _m("base.en", "Systran/faster-whisper-base.en", 145, 74),
    _m("base", "Systran/faster-whisper-base", 145, 74),
    _m("small.en", "Systran/faster-whisper-small.en", 484, 244),
    _m("small", "Systran/faster-whisper-small", 484, 244),
    _m("distil-small.en", "Systran/faster-distil-whisper-small.en", 332, 166),
    _m("medium.en", "Systran/faster-whisper-medium.en", 1530, 769),
    _m("medium", "Systran/faster-whisper-medium", 1530, 769),
    _m("distil-medium.en", "Systran/faster-distil-whisper-medium.en", 789, 394),
    _m("distil-large-v3", "Systran/faster-distil-whisper-large-v3", 1510, 756),
    _m("large-v3-turbo", "mobiuslabsgmbh/faster-whisper-large-v3-turbo", 1620, 809),
    _m("large-v3", "Systran/faster-whisper-large-v3", 3090, 1550),
)

BUNDLED = "tiny.en"  # the offline default: on disk with the app, never downloaded


def model_info(name: str) -> ModelInfo | None:
    return next((m for m in MODELS if m.name == name), None)


def download_dir(cache_dir: Path, name: str) -> Path:
    """Where Settings downloads ``name`` to (``<cache>/<name>/model.bin`` ...)."""
    return cache_dir / name


def installed(name: str, cache_dir: Path) -> bool:
    """``name`` is on disk: the bundled tiny.en, a Settings download, or huggingface_hub's cache
    (where ``--model NAME`` on the command line puts it). Never a network call."""
    if name == BUNDLED:
        return True
    if (download_dir(cache_dir, name) / "model.bin").is_file():
        return True
    info = model_info(name)
    if info is None:
        return False
    hub = cache_dir / ("models--" + info.repo.replace("/", "--")) / "snapshots"
    return hub.is_dir() and any((snap / "model.bin").exists() for snap in hub.iterdir())
