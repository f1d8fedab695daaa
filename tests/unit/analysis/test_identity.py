"""One identity per contradiction (``analysis.identity``), as the window, the review and the exports use it."""

from __future__ import annotations

from annotator.analysis.identity import first_of_each, identity
from annotator.analysis.review.flags import live_flags
from annotator.formats.writers import export
from annotator.journal.record import SessionRecord
from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment
from annotator.ui.flag import flag_key


def test_rewording_punctuation_and_case_keep_the_identity() -> None:
    assert identity("I migrated our cluster to Kubernetes.", "Never worked with Kubernetes") == identity(
        "i MIGRATED our cluster to kubernetes", "never worked with kubernetes!"
    )
    assert identity("I migrated our cluster", "never worked with Kubernetes") != identity(
        "I migrated our cluster to Kubernetes", "never worked with Kubernetes"
    )
    assert flag_key("A b c", "d e") == (*identity("a B c.", "D e"), False)  # the window's card key is the same
    assert first_of_each(["x", "X.", "y"], lambda s: identity(s, "")) == ["x", "y"]


def test_a_repeated_contradiction_is_one_live_flag_and_one_markdown_entry() -> None:
    chunks = (
        Chunk(1, "C", 0.0, 4.0, "I have never worked with Kubernetes."),
        Chunk(2, "C", 5.0, 9.0, "I migrated our cluster to Kubernetes."),
        Chunk(3, "C", 10.0, 14.0, "It went well."),
    )
    first = Contradiction("I migrated our cluster to Kubernetes", "never worked with Kubernetes", "x")
    again = Contradiction("I migrated our cluster to Kubernetes.", "Never worked with Kubernetes", "y")
    analyses = tuple(
        Analysis((cid,), "", Insight(Sentiment("neutral", 0.0), (c,)), "p", "m") for cid, c in ((2, first), (3, again))
    )
    record = SessionRecord(header={}, chunks=chunks, analyses=analyses)
    flags = live_flags(record)
    assert [(f.number, f.analysis_index, f.contradiction.explanation) for f in flags] == [(1, 0, "x")]
    assert export(record, "md").count("⚠ **Contradiction:**") == 1
