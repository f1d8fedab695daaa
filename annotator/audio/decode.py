"""Audio files in, as 16 kHz mono float32.

``check_audio_file`` says in one sentence why a path cannot be audio before
anything heavy starts: missing, a directory, empty. ``decode_file`` reads
WAV, FLAC, Ogg (Vorbis, Opus), MP3, AIFF and the other containers libsndfile
knows with libsndfile (soundfile) and resamples with soxr; anything else
(M4A/AAC, WebM, video ...) goes to PyAV (FFmpeg) where it is installed, as it
is with faster-whisper from source. The bundle leaves PyAV out (97 MiB), so
there such a file gets one sentence naming the formats it reads.

libsndfile is handed only files whose first bytes name a container it reads:
handed anything else it may pass the file to libmpg123, which writes
"Note: Illegal Audio-MPEG-Header ..." straight to the process's stderr.
``read_native`` keeps a file's own rate and channels (a fake input device
wants them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.errors import InputError

# Magic numbers of the containers libsndfile decodes itself.
_SNDFILE_MAGIC = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"FORM", b".snd", b"caff")
_BLOCK_FRAMES = 1 << 18
READ_WITHOUT_FFMPEG = "WAV, FLAC, Ogg (Vorbis, Opus), MP3 and AIFF"


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


def _is_mp3(head: bytes) -> bool:
    """An ID3v2 tag, or an MPEG audio frame header (sync bits, layer I-III; not AAC's ADTS)."""
    if head.startswith(b"ID3"):
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


def _sndfile_reads(p: Path) -> bool:
    """Whether the file's first bytes name a container libsndfile reads itself."""
    try:
        with p.open("rb") as f:
            head = f.read(4)
    except OSError as err:
        raise InputError(f"{p} cannot be read ({err.strerror or err}).") from err
    return head in _SNDFILE_MAGIC or _is_mp3(head)


def _read_sndfile(p: Path) -> tuple[np.ndarray, int] | str:
    """(frames x channels float32, rate), or libsndfile's reason when it cannot decode the file.

    Read block by block to the end: a FLAC whose writer was killed (a session's audio after a crash)
    has no length in its header, and libsndfile then reports an absurd frame count."""
    import soundfile as sf

    try:
        with sf.SoundFile(str(p)) as f:
            blocks = []
            while len(block := f.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)):
                blocks.append(block)
            rate, channels = f.samplerate, f.channels
    except sf.LibsndfileError as err:
        return str(err.error_string)
    except (RuntimeError, OSError) as err:
        return str(err)
    data = np.concatenate(blocks) if blocks else np.zeros((0, channels), dtype=np.float32)
    return data, int(rate)


def _to_mono(data: np.ndarray, rate: int, sample_rate: int) -> np.ndarray:
    import soxr

    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    if rate != sample_rate:
        mono = soxr.resample(mono, rate, sample_rate)
    return np.ascontiguousarray(mono, dtype=np.float32)


def decode_file(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole file as mono float32 at ``sample_rate``; ``InputError`` naming
    the file when it is missing, unreadable, not audio, or holds no audio."""
    p = check_audio_file(path)
    reason = None
    if _sndfile_reads(p):
        read = _read_sndfile(p)
        if not isinstance(read, str):
            data, rate = read
            if not len(data):
                raise InputError(f"{p} contains no audio.")
            return _to_mono(data, rate, sample_rate)
        reason = read  # a damaged header or a codec libsndfile lacks: FFmpeg may still read it
    return _decode_ffmpeg(p, sample_rate, reason)


def _decode_ffmpeg(p: Path, sample_rate: int, sndfile_reason: str | None) -> np.ndarray:
    try:
        import av  # PyAV; imported here so commands that never decode stay fast to start
    except ImportError:
        if sndfile_reason:
            raise InputError(
                f"{p} is not an audio file annotator can read ({sndfile_reason[:1].lower()}"
                f"{sndfile_reason[1:].rstrip('.')})."
            ) from None
        raise InputError(
            f"{p} is not an audio file annotator can read (this build reads {READ_WITHOUT_FFMPEG}; "
            "convert it to one of those)."
        ) from None
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
    if _sndfile_reads(p):
        read = _read_sndfile(p)
        if not isinstance(read, str) and len(read[0]):
            return read
    return decode_file(p).reshape(-1, 1), SAMPLE_RATE
