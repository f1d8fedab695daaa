"""Playing a transcript line's stretch of a session's saved audio (sounddevice output).

A session's audio sits beside its journal: ``<stem>.flac`` for the first
source, ``<stem>.<source>.flac`` for another (``audio.recording``), on the
session's clock (second 0 is the session's start). ``LinePlayer.play`` reads
only the stretch asked for (a seek in the FLAC) and starts it playing without
waiting; a new line stops the one before. The output is injected
(``sounddevice`` by default: anything with ``play(data, samplerate)`` and
``stop()``), so tests listen without a sound card.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from annotator.audio.recording import recording_path
from annotator.audio.suffixes import RECORDING_SUFFIXES
from annotator.errors import AudioError

log = logging.getLogger(__name__)

PAD_S = 0.15  # a little before and after the line, so its first and last sounds are not clipped


def line_audio(journal: Path, source: str) -> Path | None:
    """The saved audio holding ``source``'s lines of the session at ``journal``, if any."""
    for suffix in RECORDING_SUFFIXES:
        first = journal.with_suffix(suffix)
        other = recording_path(first, source, first=False) if source else None
        if other is not None and other.is_file():
            return other
        if first.is_file():
            return first
    return None


class LinePlayer:
    """Plays stretches of audio files (see the module docstring)."""

    def __init__(self, output: Any = None) -> None:
        if output is None:
            import sounddevice

            output = sounddevice
        self.output = output

    def read(self, path: Path, start: float, end: float) -> tuple[Any, int]:
        """The samples of ``path`` from ``start`` to ``end`` seconds (padded a little), and the rate."""
        import soundfile

        try:
            with soundfile.SoundFile(str(path)) as f:
                rate = int(f.samplerate)
                first = max(0, int((start - PAD_S) * rate))
                last = min(f.frames, int((end + PAD_S) * rate))
                if first >= last:
                    raise AudioError(f"{path}: holds no audio at {start:.1f} s (it is {f.frames / rate:.1f} s long)")
                f.seek(first)
                data = f.read(last - first, dtype="float32")
        except (RuntimeError, OSError) as err:  # soundfile's LibsndfileError is a RuntimeError
            raise AudioError(f"{path}: cannot read the session's audio ({err})") from err
        return data, rate

    def play(self, path: Path, start: float, end: float) -> float:
        """Start playing the stretch (returns at once); its length in seconds."""
        data, rate = self.read(path, start, end)
        self.stop()
        try:
            self.output.play(data, rate)
        except Exception as err:  # PortAudio's errors: no output device, device busy
            raise AudioError(f"the line's audio cannot be played ({err}); check the output device") from err
        return len(data) / rate

    def stop(self) -> None:
        try:
            self.output.stop()
        except Exception:  # nothing was playing, or the device is gone: nothing to stop
            log.debug("stopping the line's audio", exc_info=True)
