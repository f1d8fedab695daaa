"""Audio files in: any format PyAV decodes, as 16 kHz mono float32.

``check_audio_file`` says in one sentence why a path cannot be audio before
anything heavy starts: missing, a directory, empty. ``decode_file`` decodes
with PyAV (FFmpeg), which reports through exceptions and prints nothing.
``read_native`` keeps a file's own rate and channels (a fake input device
wants them) through libsndfile, but only for containers libsndfile reads
itself: handed anything else it may pass the file to libmpg123, which writes
"Note: Illegal Audio-MPEG-Header ..." straight to the process's stderr.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from annotator.errors import InputError

SAMPLE_RATE = 16000

# Magic numbers of the containers libsndfile decodes without libmpg123.
_SNDFILE_MAGIC = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"FORM", b".snd", b"caff")


def check_audio_file(path: str | Path) -> Path:
    """``path`` as a Path, or ``InputError`` saying why it cannot hold audio."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a directory, not an audio file.")
    if not p.exists():
        raise InputError(f"{p}: no such audio file.")
    if not p.is_file():
        raise InputError(f"{p} is not a regular file; give an audio file.")
    try:
        size = p.stat().st_size
    except OSError as err:
        raise InputError(f"{p} cannot be read ({err.strerror or err}).") from err
    if size == 0:
        raise InputError(f"{p} is empty (0 bytes): there is no audio in it.")
    return p


def decode_file(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole file as mono float32 at ``sample_rate``; ``InputError`` naming
    the file when it is missing, unreadable, not audio, or holds no audio."""
    p = check_audio_file(path)
    import av  # PyAV; imported here so commands that never decode stay fast to start
    from faster_whisper import decode_audio

    try:
        audio = decode_audio(str(p), sampling_rate=sample_rate)
    except av.FFmpegError as err:
        # str(err) is "[Errno 1094995529] Invalid data ...: 'path'": keep the reason only
        reason = err.strerror or type(err).__name__
        raise InputError(f"{p} is not an audio file annotator can read ({reason[:1].lower()}{reason[1:]}).") from err
    except (IndexError, ValueError) as err:
        raise InputError(f"{p} is not an audio file annotator can read (no audio stream in it).") from err
    except OSError as err:
        raise InputError(f"{p} cannot be read ({err.strerror or err}).") from err
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if audio.size == 0:
        raise InputError(f"{p} contains no audio.")
    return audio


def read_native(path: str | Path) -> tuple[np.ndarray, int]:
    """The file at its own rate as (frames x channels float32, rate): libsndfile for the
    containers it reads itself, else ``decode_file`` (16 kHz mono). ``InputError`` as there."""
    p = check_audio_file(path)
    try:
        with p.open("rb") as f:
            head = f.read(4)
    except OSError as err:
        raise InputError(f"{p} cannot be read ({err.strerror or err}).") from err
    if head in _SNDFILE_MAGIC:
        import soundfile as sf

        try:
            data, rate = sf.read(str(p), dtype="float32", always_2d=True)
            if len(data):
                return data, int(rate)
        except (sf.LibsndfileError, RuntimeError, OSError):
            pass  # a damaged header or an odd codec in a known container: let FFmpeg try
    return decode_file(p).reshape(-1, 1), SAMPLE_RATE
