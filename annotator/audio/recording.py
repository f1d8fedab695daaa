"""The captured audio saved beside a session's journal, written as it comes.

A live session keeps its 16 kHz mono audio in a FLAC file next to the
journal (``<session>.flac``; a second source goes to
``<session>.<source>.flac``) so it can be transcribed again later with a
bigger model. Blocks are encoded as they arrive and the file is flushed about
once a second: a killed process leaves a file that decoders read up to the
last flush, less at most one FLAC frame (4096 samples, 0.26 s) that the
encoder still held; FLAC marks the length as unknown until the file is closed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import numpy as np
import soundfile

from annotator import paths
from annotator.audio import SAMPLE_RATE
from annotator.errors import AudioError


def recording_path(journal_audio_path: Path, source: str, first: bool) -> Path:
    """Where one source's audio goes: the journal's audio path for the first
    source, ``<stem>.<source>.flac`` for any other."""
    if first:
        return journal_audio_path
    tag = "".join(ch for ch in source.lower() if ch.isalnum()) or "source"
    return journal_audio_path.with_name(f"{journal_audio_path.stem}.{tag}{journal_audio_path.suffix}")


class AudioRecording:
    """Appends 16 kHz mono float32 blocks to a FLAC (or WAV) file.

    ``write()`` may be called from any one thread at a time (the segmenting
    thread in practice; never the event loop). ``close()`` is idempotent.
    A write the disk refuses raises ``AudioError`` once and the recording
    stops; the transcript and journal go on.
    """

    def __init__(self, path: Path, *, flush_interval_s: float = 1.0) -> None:
        self.path = path
        self.flush_interval_s = flush_interval_s
        self.samples = 0
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        fmt = "FLAC" if path.suffix.lower() == ".flac" else "WAV"
        try:
            paths.private_dir(path.parent)
            paths.private_file(path)  # 0600 before libsndfile opens it: recorded speech is private
            self._file: soundfile.SoundFile | None = soundfile.SoundFile(
                str(path), mode="w", samplerate=SAMPLE_RATE, channels=1, format=fmt, subtype="PCM_16"
            )
        except (OSError, RuntimeError, soundfile.LibsndfileError) as err:
            raise AudioError(
                f"{path}: cannot save the session's audio ({err}); the transcript is still journaled."
            ) from err

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE

    def write(self, block: np.ndarray) -> None:
        with self._lock:
            if self._file is None:
                return
            try:
                self._file.write(np.clip(np.asarray(block, dtype=np.float32), -1.0, 1.0))
                self.samples += len(block)
                now = time.monotonic()
                if now - self._last_flush >= self.flush_interval_s:
                    self._file.flush()
                    self._last_flush = now
            except (OSError, RuntimeError, soundfile.LibsndfileError) as err:
                self._abandon()
                raise AudioError(
                    f"{self.path}: saving the session's audio failed ({err}); the transcript is still journaled."
                ) from err

    def _abandon(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            # the write already failed and was reported
            with contextlib.suppress(OSError, RuntimeError, soundfile.LibsndfileError):
                f.close()

    def close(self) -> None:
        with self._lock:
            f, self._file = self._file, None
            if f is not None:
                f.close()
