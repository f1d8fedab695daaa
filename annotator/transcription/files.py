"""Audio files to chunks (``annotator transcribe``), through the live segmenter
and the same filters as live audio."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.models import Chunk, Utterance
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.utterance import split_utterance, transcribe_utterance

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


def transcribe_file(
    path: str | Path,
    model: WhisperModel,
    *,
    language: str | None = None,
    on_progress: Callable[[float, float], None] | None = None,
    options: TranscribeOptions | None = None,
    source: str = "",
    first_id: int = 1,
    silence_s: float = 0.35,
    max_utterance_s: float = 15.0,
    speaker_of: Callable[[Utterance], str] | None = None,
    turns_of: Callable[[Utterance], Sequence[tuple[float, float, str]]] | None = None,
) -> Iterator[Chunk]:
    """One chunk per utterance of an audio file, through the live segmenter and filters.

    ``on_progress(done_s, total_s)`` after each block. ``InputError`` naming the
    file when it is missing, unreadable or empty.
    """
    from annotator.audio.decode import decode_file
    from annotator.audio.segmenter import Segmenter

    audio = decode_file(path)
    opts = options or TranscribeOptions()
    if language is not None:
        opts = dataclasses.replace(opts, language=language)
    yield from transcribe_samples(
        audio,
        model,
        on_progress=on_progress,
        options=opts,
        source=source,
        first_id=first_id,
        segmenter=Segmenter(source, silence_s=silence_s, max_utterance_s=max_utterance_s),
        speaker_of=speaker_of,
        turns_of=turns_of,
    )


def transcribe_samples(
    audio: np.ndarray,
    model: WhisperModel,
    *,
    segmenter: Any,
    on_progress: Callable[[float, float], None] | None = None,
    options: TranscribeOptions | None = None,
    source: str = "",
    first_id: int = 1,
    block_s: float = 10.0,
    speaker_of: Callable[[Utterance], str] | None = None,
    turns_of: Callable[[Utterance], Sequence[tuple[float, float, str]]] | None = None,
) -> Iterator[Chunk]:
    """``transcribe_file`` on decoded 16 kHz mono samples; ``speaker_of(utterance)`` names each chunk's speaker;
    ``turns_of(utterance)`` instead gives who spoke when in it ((start, end, speaker), session seconds): an
    utterance of two turns (a change of speaker with no pause) becomes two chunks, cut at the word there."""
    opts = options or TranscribeOptions()
    total = len(audio) / SAMPLE_RATE
    block = int(block_s * SAMPLE_RATE)
    next_id = first_id
    for i in range(0, len(audio), block):
        done = min(len(audio), i + block)
        utterances = segmenter.feed(audio[i:done])
        if done == len(audio):
            utterances += segmenter.flush()
        for u in utterances:
            turns = list(turns_of(u)) if turns_of is not None else []
            if len(turns) > 1:
                parts = split_utterance(model, u, [t[0] for t in turns[1:]], opts)
            else:
                text = transcribe_utterance(model, u, opts)
                parts = [(u.start, u.end, text)] if text else []
            for start, end, text in parts:
                if turns:
                    speaker = max(turns, key=lambda t: min(end, t[1]) - max(start, t[0]))[2]
                else:
                    speaker = speaker_of(u) if speaker_of is not None else ""
                if text:
                    yield Chunk(next_id, source or u.source, start, end, text, speaker)
                    next_id += 1
        if on_progress is not None:
            on_progress(done / SAMPLE_RATE, total)
