"""A second pass over a session's saved audio with a stronger model (``annotator retranscribe``).

The design keeps expensive models for after the meeting; this does the same for speech. Each
chunk of the session is heard again from the audio saved beside its journal (or, for a replayed
audio file, from that file), over the same span, with the session's vocabulary and a wider beam.
Chunks keep their ids, sources, speakers and times, so the live analyses, marks and the review
still point at the same statements; the new text is appended to the journal as a ``revision``
record (the live text stays in it), and every reader then shows the revision (exports, review,
the window). No Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from annotator.audio import SAMPLE_RATE
from annotator.config.schema import TranscriptionConfig
from annotator.errors import InputError
from annotator.journal.record import Revision, SessionRecord
from annotator.models import Chunk

PAD_S = 0.25  # audio kept either side of a chunk's span: the live segmenter cuts close to the speech
SECOND_PASS_BEAM = 5  # measured in benchmarks/README.md: better terms than beam 1, time is not pressing here


@dataclass(frozen=True)
class SessionAudio:
    """Where each source of a session was saved (source -> audio file)."""

    files: dict[str, Path]

    def missing(self, chunks: Sequence[Chunk]) -> list[str]:
        return sorted({c.source for c in chunks if c.source not in self.files})


def session_audio(record: SessionRecord) -> SessionAudio:
    """The audio files of ``record``: a live session's recordings beside its journal (the first
    input in ``<id>.flac``, another in ``<id>.<source>.flac``), or the file a replay played.
    ``InputError`` saying why when there is none."""
    from annotator.audio.recording import recording_path

    path = record.path
    if path is None:
        raise InputError("Only a session journal can be re-transcribed (it has the saved audio).")
    header = record.header
    mode = header.get("mode")
    if mode == "replay":
        source = header.get("source")
        if not source or Path(str(source)).suffix.lower() in (".txt", ".srt", ".vtt"):
            raise InputError(f"{path}: was replayed from a transcript, so it has no audio to transcribe again.")
        if not Path(str(source)).is_file():
            raise InputError(f"{path}: the audio file it replayed, {source}, is no longer there.")
        return SessionAudio({"": Path(str(source))})
    devices = header.get("devices") or [{"source": ""}]
    base = path.with_suffix(".flac")
    files: dict[str, Path] = {}
    for i, device in enumerate(devices):
        src = str(device.get("source", "")) if isinstance(device, dict) else ""
        candidate = recording_path(base, src, first=i == 0)
        if candidate.is_file():
            files[src] = candidate
    if not files:
        raise InputError(
            f"{path}: no audio was saved with this session (expected {base.name} beside it; "
            "[audio] save_audio = false or listen --no-audio keep none), so it cannot be transcribed again."
        )
    return SessionAudio(files)


def next_revision_number(record: SessionRecord) -> int:
    return (record.revision.number if record.revision is not None else 1) + 1


def retranscribe(
    record: SessionRecord,
    whisper: Any,
    *,
    model_label: str,
    transcription: TranscriptionConfig,
    vocabulary: tuple[str, ...] = (),
    on_progress: Callable[[int, int], None] | None = None,
    beam_size: int = SECOND_PASS_BEAM,
) -> Revision:
    """Each chunk of ``record`` heard again by ``whisper``: the ``Revision`` to append.

    ``vocabulary``: the session's (its header's) and the config's terms. A chunk the model now
    hears nothing in keeps its live text (the second pass only ever improves words, never drops
    what was said). ``on_progress(done, total)`` after each chunk.
    """
    from annotator.audio.decode import decode_file
    from annotator.transcription.filters import TranscribeOptions
    from annotator.transcription.utterance import transcribe_audio
    from annotator.transcription.vocabulary import merge_vocabulary

    audio = session_audio(record)
    chunks = record.live_chunks if record.live_chunks is not None else record.chunks
    missing = audio.missing(chunks)
    if missing:
        names = ", ".join(repr(m) for m in missing)
        raise InputError(f"{record.path}: no saved audio for the source(s) {names}; cannot transcribe them again.")
    terms = merge_vocabulary(tuple(str(t) for t in record.header.get("vocabulary") or ()), vocabulary)
    options = TranscribeOptions(beam_size=beam_size, language=transcription.language, vocabulary=terms)
    decoded: dict[str, np.ndarray] = {}
    texts: dict[int, str] = {}
    for done, chunk in enumerate(chunks, 1):
        samples = decoded.get(chunk.source)
        if samples is None:
            samples = decoded[chunk.source] = decode_file(audio.files[chunk.source])
        a = max(0, int((chunk.start - PAD_S) * SAMPLE_RATE))
        b = min(len(samples), int((chunk.end + PAD_S) * SAMPLE_RATE))
        text = transcribe_audio(whisper, samples[a:b], options) if b > a else ""
        texts[chunk.id] = text or chunk.text
        if on_progress is not None:
            on_progress(done, len(chunks))
    return Revision(next_revision_number(record), model_label, texts, terms)


def save_revision(path: Path, revision: Revision) -> SessionRecord:
    """Append ``revision`` to the (closed) journal at ``path``; the journal as read afterwards."""
    from annotator.journal.recovery import append_records

    return append_records(path, [("revision", revision.to_dict())], what="the new transcript", when="re-transcribe it")


@dataclass(frozen=True)
class SecondPass:
    """What a finished second pass did: the journal as read afterwards, and how many chunks changed."""

    record: SessionRecord
    revision: Revision
    changed: int

    def sentence(self) -> str:
        name = self.record.path.name if self.record.path is not None else "the session"
        return (
            f"Revision {self.revision.number} of {name} by {self.revision.model}: {self.changed} of "
            f"{len(self.record.chunks)} chunks changed; the live text stays in the journal."
        )


def second_pass(
    path: Path,
    transcription: TranscriptionConfig,
    model: str | None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    on_loading: Callable[[str], None] | None = None,
) -> SecondPass:
    """Blocking: hear the session at ``path`` again with ``model`` (None: the bundled tiny.en) and
    append the revision. ``InputError`` when there is no audio or transcript; ``ModelError`` when
    the model cannot be loaded. ``on_loading(model)`` before the (slow) model load."""
    from annotator.journal.reader import read_journal
    from annotator.transcription.model import check_language, load_model

    record = read_journal(path)
    session_audio(record)  # no audio: said before the model loads
    if not record.chunks:
        raise InputError(f"{path}: has no transcript to improve.")
    if on_loading is not None:
        on_loading(model or "tiny.en")
    whisper = load_model(model, transcription.device, transcription.compute_type, encoder_min_s=None)
    check_language(whisper, transcription.language, model)
    revision = retranscribe(
        record,
        whisper,
        model_label=model or "tiny.en",
        transcription=transcription,
        vocabulary=transcription.vocabulary,
        on_progress=on_progress,
    )
    saved = save_revision(path, revision)
    changed = sum(1 for a, b in zip(record.chunks, saved.chunks, strict=True) if a.text != b.text)
    return SecondPass(saved, revision, changed)
