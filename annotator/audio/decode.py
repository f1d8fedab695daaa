"""Audio files in: any format PyAV decodes, as 16 kHz mono float32."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from annotator.errors import InputError

SAMPLE_RATE = 16000


def decode_file(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole file as mono float32 at ``sample_rate``; ``InputError`` naming
    the file when it is missing, unreadable, not audio, or holds no audio."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such audio file.")
    import av  # PyAV; imported here so commands that never decode stay fast to start
    from faster_whisper import decode_audio

    try:
        audio = decode_audio(str(p), sampling_rate=sample_rate)
    except (av.FFmpegError, IndexError, ValueError, OSError) as err:
        raise InputError(f"{p} could not be read as audio ({err}).") from err
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if audio.size == 0:
        raise InputError(f"{p} contains no audio.")
    return audio
