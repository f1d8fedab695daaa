"""Lines: the fragments of one speaker's sentence joined for display."""

from __future__ import annotations

from annotator.models import Chunk
from annotator.text.lines import JOIN_GAP_S, MAX_LINE_S, continues, join_lines, joined_text, split_text

JFK = [
    Chunk(1, "", 0.03, 2.50, "And so my fellow Americans."),
    Chunk(2, "", 3.04, 4.61, "Ask not"),
    Chunk(3, "", 5.15, 7.87, "What your country can do for you."),
    Chunk(4, "", 7.94, 10.75, "ask what you can do for your country"),
]


def test_jfk_reads_as_two_lines() -> None:
    lines = join_lines(JFK)
    assert [line.text for line in lines] == [
        "And so my fellow Americans.",
        "Ask not what your country can do for you, ask what you can do for your country",
    ]
    assert lines[1].ids == (2, 3, 4) and (lines[1].start, lines[1].end) == (3.04, 10.75)
    assert lines[1].as_chunk() == Chunk(2, "", 3.04, 10.75, lines[1].text)


def test_a_sentence_end_a_long_pause_or_another_speaker_starts_a_new_line() -> None:
    a = Chunk(1, "You", 0.0, 2.0, "We moved to Postgres")
    assert continues(a, Chunk(2, "You", 2.5, 4.0, "last year."))
    assert not continues(a, Chunk(2, "You", 2.0 + JOIN_GAP_S + 0.1, 5.0, "last year."))
    assert not continues(a, Chunk(2, "Them", 2.5, 4.0, "last year."))
    assert not continues(a, Chunk(2, "You", 2.5, 4.0, "last year.", speaker="S2"))
    done = Chunk(1, "You", 0.0, 2.0, "We moved to Postgres.")
    assert not continues(done, Chunk(2, "You", 2.5, 4.0, "It went well."))
    assert continues(done, Chunk(2, "You", 2.5, 4.0, "last year."))  # lower case: the full stop was a pause
    assert not continues(a, Chunk(2, "You", 2.5, MAX_LINE_S + 1, "and on"), line_start=0.0)


def test_joined_text_fixes_what_the_model_did_to_a_fragment() -> None:
    assert joined_text("Ask not", "What your country") == "Ask not what your country"
    assert joined_text("I migrated it to", "Kubernetes.") == "I migrated it to Kubernetes."
    assert joined_text("for you.", "ask what") == "for you, ask what"
    assert joined_text("I said", "I would") == "I said I would"


def test_a_short_fragment_the_model_closed_joins_a_sentence_that_goes_on() -> None:
    ask = Chunk(2, "", 3.04, 4.54, "Ask not!")
    nxt = Chunk(3, "", 5.15, 7.81, "What your country can do for you.")
    assert continues(ask, nxt)
    assert joined_text(ask.text, nxt.text) == "Ask not what your country can do for you."
    long = Chunk(1, "", 0.0, 2.4, "And so my fellow Americans.")
    assert not continues(long, ask)  # five words and a full stop: a sentence
    assert not continues(Chunk(1, "", 0.0, 1.0, "Really?"), nxt)  # a question is one
    assert not continues(Chunk(1, "", 0.0, 1.0, "Sure."), Chunk(2, "", 1.5, 3.0, "I led the team."))


def test_an_edited_line_is_cut_back_into_its_chunks() -> None:
    parts = ["Ask not!", "What your country can do for you.", "ask what you can do for your country"]
    line = "Ask not what your country can do for you, ask what you can do for your country"
    assert split_text(parts, line) == ["Ask not", "what your country can do for you,", parts[2]]
    edited = "Ask not what your country can do for you, but ask what you can do for your country."
    assert split_text(parts, edited) == [
        "Ask not",
        "what your country can do for you, but",
        "ask what you can do for your country.",
    ]
    assert split_text(["We moved to", "Cuban eats."], "We moved to Kubernetes.") == ["We moved to", "Kubernetes."]
    assert split_text(["Um", "we moved."], "we moved.") == ["", "we moved."]
