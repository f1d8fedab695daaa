"""Running a review against the loopback fault server: split transcripts merged, failover, stopping at a
failed part, a rate-limit window waited out."""

from __future__ import annotations

import pytest

from annotator.analysis.review.plan import plan_review
from annotator.analysis.review.run import review_record
from annotator.analysis.review_model import ReviewProgress
from annotator.journal.record import SessionRecord
from annotator.models import Outcome
from tests.helpers.faultserver import FaultServer, Reply
from tests.unit.analysis.review.helpers import SMALL, analysis_with, config_for, pair, review_json, transcript


async def test_long_transcript_is_split_merged_and_keeps_the_pair_across_the_boundary(
    fault_server: FaultServer,
) -> None:
    def session(b1: int, o23: int) -> SessionRecord:
        chunks = transcript(
            60,
            {
                b1 - 1: "Candidate: I have led the payments team for about three years now",
                b1: "Candidate: I actually joined the company eighteen months ago",
                o23: "Candidate: we never had an on-call rotation for the payments team",
                o23 + 1: "Candidate: the on-call rotation I ran for payments was hard on us",
            },
        )
        flag = analysis_with(chunks[o23 + 1], ("the on-call rotation I ran", "we never had an on-call rotation"))
        return SessionRecord(header={}, chunks=chunks, analyses=(flag,))

    b1, o23 = 10, 30  # where the split falls depends on where the flag is: settle both
    for _ in range(5):
        plan = plan_review(session(b1, o23), SMALL)
        placed = plan.parts[0].end, plan.parts[2].first  # first line not in part 1; first line parts 2 and 3 share
        if placed == (b1, o23):
            break
        b1, o23 = placed
    assert (plan.parts[0].end, plan.parts[2].first) == (b1, o23)
    record = session(b1, o23)
    chunks = record.chunks

    def at(i: int) -> str:
        return f"{i * 5 // 60:02d}:{i * 5 % 60:02d}"

    boundary = pair(
        "joined the company eighteen months ago",
        at(b1),
        "led the payments team for about three years",
        at(b1 - 1),
        explanation="Three years cannot fit in eighteen months.",
    )
    flag = pair("the on-call rotation I ran", at(o23 + 1), "we never had an on-call rotation", at(o23), flag=1)
    replies = [review_json(summary="Part one.")] * len(plan.parts)
    replies[1] = review_json(missed=[boundary], confirmed=[flag], summary="Parts one and two.")
    replies[2] = review_json(
        missed=[dict(boundary, statement="I joined eighteen months ago")],
        confirmed=[flag],
        summary="Parts one to three.",
    )
    replies[-1] = review_json(summary="The whole session.", questions=["Three years or eighteen months?"])
    fault_server.script("big", *[Reply.ok(r) for r in replies])
    progress: list[ReviewProgress] = []
    review = await review_record(
        record, config_for(fault_server, "big", post=SMALL), keys={}, on_progress=progress.append
    )

    sent = [r.body["messages"][-1]["content"] for r in fault_server.requests_for("big")]
    assert len(sent) == len(plan.parts) >= 4
    together = [i for i, text in enumerate(sent) if chunks[b1 - 1].text in text and chunks[b1].text in text]
    assert together, "the two statements either side of the first split were never sent together"
    assert "Parts one and two." in sent[2] and "led payments" in sent[2]  # the notes carried forward
    assert ['"flag": 1' in text for text in sent] == [False, True, True] + [False] * (len(sent) - 3)
    assert review.result is not None and review.parts == len(plan.parts)
    assert [c.statement for c in review.result.missed] == ["joined the company eighteen months ago"]
    assert [(c.flag, c.analysis_index, c.contradiction_index) for c in review.result.confirmed] == [(1, 0, 0)]
    assert review.result.summary == "The whole session."
    assert [(p.part, p.done) for p in progress] == [(i // 2 + 1, bool(i % 2)) for i in range(2 * len(plan.parts))]


@pytest.mark.parametrize("first", [Reply.status(503), Reply.prose(), Reply.ok('{"confirmed": [], "summary": "x"}')])
async def test_post_chain_fails_over_to_the_next_provider(fault_server: FaultServer, first: Reply) -> None:
    fault_server.script("strong", first)
    fault_server.script("backup", Reply.ok(review_json(summary="From the backup.")))
    record = SessionRecord(header={}, chunks=transcript(6))
    review = await review_record(record, config_for(fault_server, "strong", "backup"), keys={})
    assert review.result is not None and review.result.summary == "From the backup."
    assert (review.provider, review.model) == ("backup", "fault-model")
    outcomes = [(a.provider, a.outcome) for a in review.attempts]
    expected = Outcome.HTTP_ERROR if first.fault == "status" else Outcome.INVALID_REPLY
    assert outcomes == [("strong", expected), ("backup", Outcome.OK)]
    assert fault_server.requests_for("live") == []  # the live chain is not the review's


async def test_a_rate_limit_window_is_waited_out_not_a_failed_review(fault_server: FaultServer) -> None:
    # issue 19: both review providers rate-limit for 1 s; the review waits for the first to be back
    fault_server.script("strong", Reply.status(429, retry_after="1"))
    fault_server.script("backup", Reply.status(429, retry_after="1"))
    fault_server.set_default(Reply.ok(review_json(summary="After the wait.")))
    record = SessionRecord(header={}, chunks=transcript(6))
    review = await review_record(record, config_for(fault_server, "strong", "backup"), keys={})
    assert review.result is not None and review.result.summary == "After the wait.", review.error
    assert [(a.provider, a.outcome) for a in review.attempts] == [
        ("strong", Outcome.RATE_LIMITED),
        ("backup", Outcome.RATE_LIMITED),
        ("strong", Outcome.OK),
    ]


async def test_all_failing_stops_at_the_failed_part_and_keeps_the_attempts(fault_server: FaultServer) -> None:
    fault_server.set_default(Reply.status(529), "a")
    fault_server.set_default(Reply.truncated_json(), "b")
    record = SessionRecord(header={}, chunks=transcript(60))
    review = await review_record(record, config_for(fault_server, "a", "b", post=SMALL), keys={})
    assert review.result is None and review.provider is None
    assert review.error.startswith(f"part 1 of {review.parts} got no valid review: a: http_error 529")
    assert [a.outcome for a in review.attempts] == [Outcome.HTTP_ERROR, Outcome.CUT]
    assert len(fault_server.requests) == 2  # parts 2.. were not sent
