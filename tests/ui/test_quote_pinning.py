"""The window, the Markdown/JSON exports and the review pin a flag's quotes to the same lines
(issue 12): all three ask ``text.quotes``, so a card pinned to the line at 00:40 is the
line the export writes it under and the line the review is told about."""

from __future__ import annotations

from annotator.analysis.review.flags import live_flags
from annotator.formats.contradictions import place_contradictions
from annotator.journal.record import SessionRecord
from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment
from annotator.text.quotes import QuoteIndex
from annotator.ui.session_news import SessionNews

LINES = [
    "I have never worked with Kubernetes, it always felt like overkill.",  # 1
    "I was at the office and it was at the desk that I was told.",  # 2: small words only, for case A
    "The launch there went well.",  # 3
    "I led the backend team at a logistics startup.",  # 4
    "We shipped the billing service in four months.",  # 5
    "We shipped the billing service in four months.",  # 6: the same words again (a tie)
    "Something else entirely.",  # 7
    "Last spring I migrated our whole cluster to Kubernetes.",  # 8
]
CHUNKS = [Chunk(i + 1, "C", i * 10.0, i * 10.0 + 8, t) for i, t in enumerate(LINES)]


def analysis(ids: tuple[int, ...], statement: str, earlier: str) -> Analysis:
    c = Contradiction(statement, earlier, "x")
    return Analysis(ids, "", Insight(Sentiment("neutral", 0.0), (c,)), "p", "m")


ANALYSES = [
    # A: the statement shares only small words with line 2 and one meaningful word with line 3
    analysis((2, 3), "I was there at the launch", "never worked with Kubernetes"),
    # B: a quote cut short at both ends is a phrase of line 4, though line 5 comes later
    analysis((4, 5), "ackend team at a logistics sta", "felt like overkill"),
    # C: two lines hold every word (a tie): the latest wins
    analysis((5, 6), "shipped billing in four months", "led the backend team"),
    # D: nothing matches: the statement falls back to the analysis's last line, the earlier is not found
    analysis((7, 8), "completely unrelated words", "nothing of the kind"),
    # E: the statement is found, the earlier is a paraphrase of line 1 said well before
    analysis((8,), "migrated the whole cluster to Kubernetes", "has never used Kubernetes"),
]


def test_the_window_the_export_and_the_review_pin_each_quote_to_the_same_line() -> None:
    by_id = {c.id: c for c in CHUNKS}
    index = QuoteIndex()
    news = SessionNews()  # what MainWindow.on_analysis asks for its new cards
    window: list[tuple[int | None, int | None]] = []
    for a in ANALYSES:  # as the window sees them: each analysis after its lines arrived
        for c in CHUNKS:
            if c.id <= max(a.chunk_ids):
                index.add(c)
        shown = {i: c for i, c in by_id.items() if i <= max(a.chunk_ids)}
        [flag] = news.flags(a, shown, index)
        window.append((flag.chunk_id, flag.earlier_chunk_id))

    record = SessionRecord(header={}, chunks=list(CHUNKS), analyses=list(ANALYSES))
    under, _ = place_contradictions(record)
    export = {
        p.contradiction.statement: (p.statement.id, None if p.earlier is None else p.earlier.id)
        for pos, placed in under.items()
        for p in placed
    }
    review = {f.contradiction.statement: CHUNKS[f.chunk_index].id for f in live_flags(record)}

    expected = [(3, 1), (4, 1), (6, 4), (8, None), (8, 1)]
    assert window == expected
    assert [export[a.insight.contradictions[0].statement] for a in ANALYSES if a.insight] == expected
    assert [review[a.insight.contradictions[0].statement] for a in ANALYSES if a.insight] == [s for s, _ in expected]
