"""faster-whisper's model, loaded with the encoder input trimmed for short audio.

``load_model`` is what every caller uses; ``ModelError`` with one sentence when
the model cannot be loaded.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from annotator.errors import ModelError
from annotator.transcription.store import resolve_model

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

ENCODER_PAD_FRAMES = 100  # 1 s of the padding kept after the audio when the encoder input is trimmed


def _short_model_class() -> type:
    """``WhisperModel`` that encodes fewer than 30 s of frames for short audio (built lazily: the
    faster-whisper import is slow and commands that never transcribe should not pay for it)."""
    from faster_whisper import WhisperModel as _Base

    class ShortInputWhisperModel(_Base):  # type: ignore[misc]
        """faster-whisper's model, with ``encode`` trimming the zero padding that ``transcribe``
        adds up to 30 s: at most ``min_encoder_frames`` (100 per second) plus 1 s are kept.

        Every call otherwise pays for a 30 s encoder pass (~0.43 s of 0.6 s on 2 cores with
        tiny.en); CTranslate2 accepts shorter inputs. Below ~10 s of frames the word error rate
        gets worse (utterances are dropped or cut: measured in benchmarks/README.md), so that is
        the floor. ``min_encoder_frames = None`` restores the plain behaviour.
        """

        min_encoder_frames: int | None = 1000

        def encode(self, features: np.ndarray) -> Any:
            floor = self.min_encoder_frames
            if floor is not None and features.ndim == 2:
                used = np.flatnonzero(np.any(features != 0, axis=0))
                n = int(used[-1]) + 1 if used.size else features.shape[-1]
                n = max(floor, n + ENCODER_PAD_FRAMES)
                n += n % 2  # the encoder's convolution has stride 2
                if n < features.shape[-1]:
                    features = np.ascontiguousarray(features[:, :n])
            return super().encode(features)

    return ShortInputWhisperModel


def load_model(
    name_or_path: str | None,
    device: str = "cpu",
    compute_type: str = "int8",
    cpu_threads: int = 0,
    encoder_min_s: float | None = 10.0,
) -> WhisperModel:
    """A ready ``WhisperModel``; ``ModelError`` with one sentence when it cannot be loaded.

    ``encoder_min_s``: encode only the frames short audio needs, but at least this many
    seconds (None: always the full 30 s window, as plain faster-whisper does).
    """
    path = resolve_model(name_or_path)
    cls = _short_model_class()
    try:
        model = cls(
            path,
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads or min(4, os.cpu_count() or 1),
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as err:
        raise ModelError(f"The model at {path} could not be loaded on {device} ({compute_type}): {err}") from err
    model.min_encoder_frames = None if encoder_min_s is None else int(encoder_min_s * 100)
    _import_live_audio()
    return model


def check_language(model: WhisperModel, language: str | None, label: str | None) -> None:
    """``ModelError`` naming a model to use when ``language`` (other than English) is asked
    of an English-only model, instead of hearing every language as English."""
    from annotator.config.validation import multilingual_hint

    if language is None or language == "en" or model.model.is_multilingual:
        return
    name = label or "tiny.en"
    raise ModelError(
        f"Language {language!r} cannot be heard with the English-only model {name}: {multilingual_hint(name)}."
    )


def _import_live_audio() -> None:
    """Import the live audio path (onnxruntime for the voice-activity model, soxr,
    soundfile: about 250 ms) now, in the thread loading the model, rather than when
    Record is pressed: an import holds the GIL for tens of ms at a time (loading a
    shared library, and PySide's import hook reads every new module's source), which
    froze the window at the start of each first session."""
    import annotator.audio.capture
    import annotator.audio.recording
    import annotator.audio.segmenter  # noqa: F401
