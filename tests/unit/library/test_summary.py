"""Who spoke, as the library lists a session: the name given to a speaker, else input and id."""

from __future__ import annotations

from annotator.library.summary import speakers_of
from annotator.models import Chunk


def test_named_speakers_are_listed_by_name() -> None:
    chunks = (
        Chunk(1, "You", 0, 1, "Hello.", "S1"),
        Chunk(2, "You", 1, 2, "Hi.", "S2", "Candidate"),
        Chunk(3, "Them", 2, 3, "Hey."),
    )
    assert speakers_of(chunks) == ("You (S1)", "Candidate", "Them")
