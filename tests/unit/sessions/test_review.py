"""A review into its session's journal (a closed journal stays closed, an unfinished one is recovered first,
one being written is refused) and out through the exports; ``review_session`` and the estimate line."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from annotator.analysis.review.run import review_record
from annotator.analysis.review_model import Review, ReviewEstimate
from annotator.errors import InputError, JournalError
from annotator.formats.readers import read_session
from annotator.formats.summary import summary
from annotator.formats.writers import export
from annotator.journal.reader import read_journal
from annotator.journal.record import SessionRecord
from annotator.journal.recovery import append_review
from annotator.journal.store import find_unfinished, list_sessions
from annotator.journal.writer import Journal
from annotator.sessions.review import format_estimate, review_session
from tests.helpers.faultserver import FaultServer, Reply
from tests.unit.analysis.review.helpers import analysis_with, config_for, journaled, pair, review_json, transcript


async def reviewed(server: FaultServer, record: SessionRecord, reply: str, **price: float) -> Review:
    server.set_default(Reply.ok(reply))
    return await review_record(record, config_for(server, "strong", **price), keys={})


async def test_review_record_keeps_a_closed_journal_closed(fault_server: FaultServer, tmp_path: Path) -> None:
    chunks = transcript(8)
    path = journaled(tmp_path, chunks, [analysis_with(chunks[5], ("Line 005", "Line 001"))])
    before = read_journal(path)
    review = await reviewed(
        fault_server,
        before,
        review_json(confirmed=[pair("Line 005", "00:25", "Line 001", "00:05", flag=1)]),
        price_in_per_mtok=2.0,
    )
    after = append_review(path, review)
    assert after.closed_cleanly and after.review == review and after.chunks == before.chunks
    assert after.warnings == () and find_unfinished(tmp_path) == [] and list_sessions(tmp_path)[0].closed
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["type"] for r in records[-3:]] == ["end", "review", "end"]
    assert [r["seq"] for r in records] == list(range(len(records)))
    assert records[-1]["reason"] == "closed"
    again = append_review(path, review)  # a second review appends another
    assert len(again.reviews) == 2 and again.closed_cleanly and find_unfinished(tmp_path) == []
    assert summary(after)["cost_usd"] == pytest.approx(summary(before)["cost_usd"] + review.cost_usd)
    assert review.cost_usd > 0


async def test_an_unfinished_journal_is_recovered_before_the_review(fault_server: FaultServer, tmp_path: Path) -> None:
    path = journaled(tmp_path, transcript(4), close=False)
    assert find_unfinished(tmp_path) == [path]
    review = await reviewed(fault_server, read_journal(path), review_json())
    after = append_review(path, review)
    assert after.end_reason == "recovered" and after.review == review and find_unfinished(tmp_path) == []


async def test_a_journal_being_written_is_refused_and_write_review_is_the_way(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    journal = Journal.create(tmp_path, header={})
    journal.write_chunk(transcript(1)[0])
    review = await reviewed(fault_server, SessionRecord(header={}, chunks=transcript(1)), review_json())
    try:
        with pytest.raises(JournalError, match="is being written by a running annotator"):
            append_review(journal.path, review)
        journal.write_review(review)
    finally:
        journal.close()
    record = read_journal(journal.path)
    assert record.review == review and record.closed_cleanly


async def test_markdown_and_json_exports_carry_the_review(fault_server: FaultServer, tmp_path: Path) -> None:
    chunks = transcript(10)
    analyses = [
        analysis_with(chunks[4], ("Line 004", "Line 001")),
        analysis_with(chunks[8], ("Line 008", "Line 002"), ("Line 008 again", "Line 003")),
    ]
    path = journaled(tmp_path, chunks, analyses)
    reply = review_json(
        confirmed=[pair("Line 004", "00:20", "Line 001", "00:05", flag=1, reason="Really conflicts.")],
        rejected=[pair("Line 008", "00:40", "Line 002", "00:10", flag=2, reason="Different <b>teams</b>.")],
        missed=[pair("Line 009", "00:45", "Line 000", "00:00", explanation="Missed *this*.")],
        points=[{"at": "00:30", "label": "negative", "score": -0.4, "why": "Budget cuts."}],
        questions=["Which year did you join?"],
        summary="A calm [talk](http://x).",
    )
    review = await reviewed(fault_server, read_journal(path), reply, price_in_per_mtok=1.0, price_out_per_mtok=5.0)
    record = append_review(path, review)
    md = export(record, "md")
    section = md[md.index("## Review") : md.index("## Transcript")]
    assert "by strong (fault-model) from the whole transcript (1 part, 3 live flags)" in section
    assert "**Summary.** A calm \\[talk\\](http://x)." in section
    assert (
        "### Live flags confirmed\n\n- [00:20] “Line 004” conflicts with [00:05] “Line 001”. Really conflicts."
        in section
    )
    assert (
        "### Live flags rejected (not a contradiction)\n\n- [00:40] “Line 008” vs [00:10] “Line 002”. "
        "Different \\<b\\>teams\\</b\\>." in section
    )
    assert "### Live flags the review did not judge\n\n- [00:40] “Line 008 again”" in section
    assert "- [00:45] “Line 009” conflicts with [00:00] “Line 000”. Missed \\*this\\*." in section
    assert "| 00:30 | negative | -0.40 | Budget cuts. |" in section
    assert "1. Which year did you join?" in section
    assert "The totals include the post-session review:" in md
    table = md[md.index("## Providers and cost") : md.index("## Review")]
    assert f"| strong | fault-model | 1 | 1 | {review.input_tokens:,} | {review.output_tokens:,} |" in table

    data = json.loads(export(record, "json"))
    assert data["reviews"][0]["result"]["rejected"][0]["flag"] == 2
    assert data["summary"]["review"]["cost_usd"] == pytest.approx(review.cost_usd)
    exported = tmp_path / "session.json"
    exported.write_text(export(record, "json"), encoding="utf-8")
    assert read_session(exported).reviews == record.reviews


def test_a_failed_review_shows_why_in_markdown(tmp_path: Path) -> None:
    review = Review(None, None, None, parts=2, error="part 1 of 2 got no valid review: a: http_error 503")
    record = replace(SessionRecord(header={}, chunks=transcript(2)), reviews=(review,))
    assert "*Review unavailable* (after the session): part 1 of 2 got no valid review: a: http\\_error 503" in export(
        record, "md"
    )


async def test_an_interrupted_earlier_append_is_dropped_not_kept_torn(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    path = journaled(tmp_path, transcript(4))
    review = await reviewed(fault_server, read_journal(path), review_json())
    line = json.dumps({"type": "review", "seq": 6, **review.to_dict()})
    with path.open("ab") as f:
        f.write(line[: len(line) // 2].encode())  # the process died halfway through writing the review
    assert find_unfinished(tmp_path) == [path]
    after = append_review(path, review)
    assert after.warnings == () and after.closed_cleanly and after.reviews == (review,)
    assert find_unfinished(tmp_path) == []
    records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [r["seq"] for r in records] == list(range(len(records)))


# --------------------------------------------------------------------------- review_session and the estimate line


def test_the_estimate_line_names_provider_parts_tokens_and_cost() -> None:
    estimate = ReviewEstimate("strong", "big-model", 2, 1, 12_345, 14_000, 660, 8192, 0.0469, 0.1651, True)
    assert format_estimate(estimate) == (
        "review by strong (big-model), 2 requests (the transcript is split), 1 live flag: "
        "~12,345 tokens in, ~660 out (at most 8,192); estimated cost $0.0469 (at most $0.1651)"
    )
    free = replace(estimate, parts=1, live_flags=0, priced=False)
    assert format_estimate(free).endswith(
        "1 request, 0 live flags: ~12,345 tokens in, ~660 out (at most 8,192); "
        "no price configured for it ($0 estimated)"
    )


async def test_review_session_appends_to_a_closed_journal_or_writes_through_an_open_one(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.set_default(Reply.ok(review_json(summary="Reviewed.")))
    config = config_for(fault_server, "strong")
    path = journaled(tmp_path, transcript(4))
    review = await review_session(path, config, keys={})
    assert review.result is not None and read_journal(path).review == review and read_journal(path).closed_cleanly

    journal = Journal.create(tmp_path, header={})
    journal.write_chunk(transcript(1)[0])
    record = SessionRecord(header={}, chunks=transcript(1))
    try:
        written = await review_session(journal.path, config, keys={}, journal=journal, record=record)
    finally:
        journal.close()
    assert read_journal(journal.path).review == written


async def test_review_session_refuses_what_is_not_a_journal_before_sending(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("[00:01] hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="this is not one"):
        await review_session(text, config_for(fault_server, "strong"), keys={})
    assert fault_server.requests == []
