"""The two audio suffix lists, through the code that asks each question."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.audio.suffixes import KNOWN_AUDIO_SUFFIXES, RECORDING_SUFFIXES
from annotator.formats.readers import kind_of
from annotator.journal.store import list_sessions
from annotator.journal.writer import Journal


@pytest.mark.parametrize("suffix", sorted(KNOWN_AUDIO_SUFFIXES))
def test_a_known_audio_suffix_is_taken_for_audio_without_opening_the_file(suffix: str, tmp_path: Path) -> None:
    assert kind_of(tmp_path / f"missing{suffix.upper()}") == "audio"


@pytest.mark.parametrize("suffix", RECORDING_SUFFIXES)
def test_a_sessions_recording_is_found_beside_its_journal_and_replays_as_audio(suffix: str) -> None:
    journal = Journal.create(header={})
    journal.close()
    journal.path.with_suffix(suffix).write_bytes(b"")
    [info] = list_sessions()
    assert info.audio_path == journal.path.with_suffix(suffix)
    assert kind_of(info.audio_path) == "audio"


def test_flac_is_the_recording_looked_for_first() -> None:
    journal = Journal.create(header={})
    journal.close()
    for suffix in (".wav", ".flac"):
        journal.path.with_suffix(suffix).write_bytes(b"")
    [info] = list_sessions()
    assert info.audio_path == journal.path.with_suffix(".flac")
