"""The post-session review: [post] config, strict parsing, overlapping parts and merging, the chain
against the loopback fault server (failover, split transcripts, cost estimate against reported usage),
the journal record and the exports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from annotator.analysis.prompt import estimate_tokens
from annotator.analysis.review import (
    InvalidReview,
    build_user_text,
    estimate_review,
    live_flags,
    merge_parts,
    parse_review,
    plan_review,
    review_record,
)
from annotator.analysis.review_model import Review, ReviewProgress
from annotator.config.file import load_config, save_config
from annotator.config.schema import (
    DEFAULT_PROVIDERS,
    POST_PROVIDER_DEFAULTS,
    Config,
    PostConfig,
    ProviderConfig,
    post_providers,
)
from annotator.errors import ConfigError, InputError, JournalError
from annotator.export import export, summary
from annotator.journal.reader import read_journal
from annotator.journal.record import SessionRecord
from annotator.journal.recovery import append_review
from annotator.journal.store import find_unfinished, list_sessions
from annotator.journal.writer import Journal
from annotator.models import Analysis, Chunk, Contradiction, Insight, Outcome, Sentiment
from annotator.replay import read_session
from tests.helpers.faultserver import FaultServer, Reply

# --------------------------------------------------------------------------- helpers

LINE_CHARS = 96


def fit(text: str, n: int = LINE_CHARS) -> str:
    """``text`` padded with filler words to exactly ``n`` characters (same token estimate for every line)."""
    while len(text) < n:
        text += " and so on"
    return text[:n].rstrip() + "." * (n - len(text[:n].rstrip()))


def transcript(n: int, special: dict[int, str] | None = None) -> tuple[Chunk, ...]:
    """``n`` chunks 5 s apart, alternating speakers, every text the same length."""
    special = special or {}
    out = []
    for i in range(n):
        text = special.get(i, f"Line {i:03d}: we went over the roadmap, the hiring plan and the budget")
        out.append(Chunk(i + 1, "Candidate" if i % 2 else "Interviewer", i * 5.0, i * 5.0 + 4.0, fit(text)))
    return tuple(out)


def analysis_with(chunk: Chunk, *contradictions: tuple[str, str]) -> Analysis:
    insight = Insight(Sentiment("neutral", 0.0), tuple(Contradiction(s, e, "They differ.") for s, e in contradictions))
    return Analysis((chunk.id,), chunk.text, insight, "fast", "fast-model")


def review_json(
    confirmed: Sequence[dict[str, Any]] = (),
    rejected: Sequence[dict[str, Any]] = (),
    missed: Sequence[dict[str, Any]] = (),
    points: Sequence[dict[str, Any]] = (),
    claims: Sequence[str] = ("[00:10] Candidate: led payments",),
    summary: str = "They talked about the roadmap.",
    questions: Sequence[str] = ("Which team did you lead?",),
    arc: str = "Calm throughout.",
) -> str:
    return json.dumps(
        {
            "confirmed": list(confirmed),
            "rejected": list(rejected),
            "missed": list(missed),
            "sentiment_arc": {"summary": arc, "turning_points": list(points)},
            "claims": list(claims),
            "summary": summary,
            "follow_up_questions": list(questions),
        }
    )


def pair(statement: str, statement_at: str, earlier: str, earlier_at: str, **extra: Any) -> dict[str, Any]:
    return {"statement": statement, "statement_at": statement_at, "earlier": earlier, "earlier_at": earlier_at, **extra}


def config_for(server: FaultServer, *names: str, post: PostConfig | None = None, **overrides: Any) -> Config:
    providers = tuple(server.provider(n, **{**POST_PROVIDER_DEFAULTS, **overrides}) for n in names)
    base = post or PostConfig()
    return Config(providers=(server.provider("live"),), post=replace(base, providers=providers))


def journaled(directory: Path, chunks: Sequence[Chunk], analyses: Sequence[Analysis] = (), close: bool = True) -> Path:
    journal = Journal.create(directory, header={"model": "tiny.en", "chain": [{"name": "fast", "model": "fast-model"}]})
    for c in chunks:
        journal.write_chunk(c)
    for a in analyses:
        journal.write_analysis(a)
    journal.close()
    if not close:  # as if the process had died: every record but the end one
        lines = journal.path.read_bytes().splitlines(keepends=True)
        journal.path.write_bytes(b"".join(lines[:-1]))
    return journal.path


SMALL = PostConfig(max_request_tokens=2400, overlap_tokens=120)


# --------------------------------------------------------------------------- config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_post_defaults_to_the_live_chain_most_capable_first_with_longer_limits() -> None:
    chain = post_providers(Config())
    assert [p.name for p in chain] == [p.name for p in reversed(DEFAULT_PROVIDERS)]
    assert chain[0].name == "claude"  # the live chain's last entry: its "nuclear option"
    for p in chain:
        assert p.timeout_s == 600.0 and p.first_token_timeout_s == 120.0 and p.max_tokens == 4096
        assert p.allow_slow_model


def test_post_table_parses_its_own_chain_and_allows_reasoning_models(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[post]\ndeadline_s = 300\nmax_request_tokens = 50000\n\n[[post.providers]]\nname = "deep"\n'
            'kind = "openai"\nbase_url = "https://api.deepseek.com/v1"\nmodel = "deepseek-reasoner"\n'
            'api_key_env = "DEEPSEEK_API_KEY"\ntimeout_s = 900\n',
        )
    )
    assert config.post.deadline_s == 300.0 and config.post.max_request_tokens == 50000
    (deep,) = post_providers(config)
    assert deep.model == "deepseek-reasoner" and deep.allow_slow_model
    assert deep.timeout_s == 900.0 and deep.stall_timeout_s == POST_PROVIDER_DEFAULTS["stall_timeout_s"]
    assert config.providers == DEFAULT_PROVIDERS  # the live chain is untouched
    assert load_config(save_config(config, tmp_path / "again.toml")) == replace(config, path=tmp_path / "again.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[post]\ncolour = 1\n", "[post]: unknown key 'colour'"),
        ("[post]\nmax_request_tokens = 100\n", "[post]: max_request_tokens must be a whole number of at least 2000"),
        ("[post]\noverlap_tokens = 9000\n", "[post]: overlap_tokens must be at most a quarter of max_request_tokens"),
        ("post = 3\n", "[post] must be a table"),
        ('[[post.providers]]\nname = "x"\nkind = "openai"\nmodel = "m"\n', "post provider 'x': missing key 'base_url'"),
    ],
)
def test_bad_post_table_is_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_no_usable_review_provider_names_each_reason() -> None:
    record = SessionRecord(header={}, chunks=transcript(3))
    with pytest.raises(
        ConfigError, match=r"no provider is usable for the review.*claude: no key: set \$ANTHROPIC_API_KEY"
    ):
        estimate_review(record, Config(), keys={})


# --------------------------------------------------------------------------- parsing


def test_parse_review_reads_every_field_and_strips_fence_and_think_block() -> None:
    text = review_json(
        confirmed=[pair("eighteen months", "[12:05]", "three years", "02:10", flag=1, reason="Tenure differs.")],
        rejected=[pair("we use Go", "1:00:03", "we use Python", "03:00", flag=2, reason="Two services.")],
        missed=[pair("no on-call", "20:00", "I ran on-call", "05:30", explanation="Both cannot hold.")],
        points=[{"at": "15:00", "label": "negative", "score": -0.6, "why": "Salary came up."}],
        questions=["Which is right: three years or eighteen months?", "  "],
    )
    part = parse_review(f"<think>\nlet me see\n</think>\n```json\n{text}\n```", frozenset({1, 2}))
    (c,) = part.confirmed
    assert (c.flag, c.statement, c.statement_at, c.earlier_at, c.explanation) == (
        1,
        "eighteen months",
        725.0,
        130.0,
        "Tenure differs.",
    )
    assert part.rejected[0].statement_at == 3603.0 and part.rejected[0].flag == 2
    assert part.missed[0].flag is None and part.missed[0].explanation == "Both cannot hold."
    assert part.arc.turning_points[0].at == 900.0 and part.arc.summary == "Calm throughout."
    assert part.questions == ("Which is right: three years or eighteen months?",)
    assert part.claims == ("[00:10] Candidate: led payments",)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("The candidate seemed fine.", "not a JSON object"),
        ("{}", "has no 'confirmed'"),
        (
            review_json(confirmed=[pair("a", "01:00", "b", "00:10", flag=7)]),
            "flag 7 is not one of the live flags given",
        ),
        (
            review_json(
                confirmed=[pair("a", "01:00", "b", "00:10", flag=1)],
                rejected=[pair("a", "01:00", "b", "00:10", flag=1, reason="x")],
            ),
            "live flag 1 is already confirmed",
        ),
        (review_json(rejected=[pair("a", "01:00", "b", "00:10", flag=1)]), "has no 'reason'"),
        (review_json(missed=[pair("a", "soon", "b", "00:10")]), "'soon' is not a time"),
        (review_json(missed=[pair("a", "01:75", "b", "00:10")]), "'01:75' is not a time"),
        (review_json(missed=[pair("", "01:00", "b", "00:10")]), "statement is empty"),
        (review_json(points=[{"at": "01:00", "label": "angry", "score": 0}]), "'angry' is not one of"),
        (review_json(points=[{"at": "01:00", "label": "negative", "score": -3}]), "is not a number from -1 to 1"),
        (review_json(summary=""), "summary is empty"),
        (json.dumps({"sentiment": {"label": "neutral", "score": 0}, "contradictions": []}), "has no 'confirmed'"),
    ],
)
def test_parse_review_is_strict(text: str, reason: str) -> None:
    with pytest.raises(InvalidReview, match=reason) as err:
        parse_review(text, frozenset({1}))
    assert not err.value.truncated


def test_a_cut_off_review_is_truncated_not_invalid() -> None:
    text = review_json(summary="A long summary")
    with pytest.raises(InvalidReview) as err:
        parse_review(text[: len(text) // 2])
    assert err.value.truncated


# --------------------------------------------------------------------------- planning and merging


@pytest.mark.parametrize(
    ("lines", "post"), [(60, SMALL), (200, SMALL), (70, PostConfig(max_request_tokens=2600, overlap_tokens=30))]
)
def test_parts_fit_the_budget_and_every_neighbouring_pair_shares_a_part(lines: int, post: PostConfig) -> None:
    chunks = transcript(lines)
    record = SessionRecord(header={}, chunks=chunks, analyses=(analysis_with(chunks[7], ("x", "y")),))
    plan = plan_review(record, post)
    assert len(plan.parts) >= 3
    covered = [i for part in plan.parts for i in range(part.first, part.end)]
    assert set(covered) == set(range(lines))  # nothing left out
    for i in range(lines - 1):
        assert any(p.first <= i and i + 1 < p.end for p in plan.parts), f"lines {i} and {i + 1} never together"
    for part in plan.parts:  # even with the carried notes at their bound
        user = build_user_text(len(plan.parts), len(plan.parts), part, ["x" * 160] * 20, "x" * 1200)
        assert estimate_tokens(plan.system) + estimate_tokens(user) <= post.max_request_tokens
    assert [f.number for p in plan.parts for f in p.flags][:1] == [1]  # the flag travels with its statement's line


def test_lines_within_the_overlap_share_a_part() -> None:
    chunks = transcript(120)
    plan = plan_review(SessionRecord(header={}, chunks=chunks), SMALL)
    per_line = estimate_tokens(plan.lines[0]) + 1
    reach = SMALL.overlap_tokens // per_line  # this many lines apart still share a part
    assert reach >= 2
    for i in range(len(chunks) - reach):
        assert any(p.first <= i and i + reach < p.end for p in plan.parts)


def test_a_short_session_is_one_part_and_an_empty_one_is_refused() -> None:
    assert len(plan_review(SessionRecord(header={}, chunks=transcript(5)), PostConfig()).parts) == 1
    with pytest.raises(InputError, match="no transcript to review"):
        estimate_review(
            SessionRecord(header={}), Config(providers=(ProviderConfig("l", "openai", "http://127.0.0.1:9/v1", "m"),))
        )


def test_merge_keeps_each_finding_once_and_confirmation_wins() -> None:
    chunks = transcript(40)
    analyses = (
        analysis_with(chunks[10], (chunks[10].text[:30], "we used Python everywhere")),
        analysis_with(chunks[20], (chunks[20].text[:30], "I never managed anyone")),
    )
    flags = live_flags(SessionRecord(header={}, chunks=chunks, analyses=analyses))
    assert [(f.number, f.at) for f in flags] == [(1, 50.0), (2, 100.0)]
    same = pair("I was there three years", "02:30", "I joined last spring", "01:05", explanation="Tenure.")
    again = pair(
        "there three years, I think", "2:31", "joined last spring", "[01:04]"
    )  # the overlap, quoted differently
    flagged = pair("Line 010", "00:50", "we used Python everywhere", "00:05")  # the live pass had it
    parts = [
        parse_review(
            review_json(rejected=[pair("a", "00:50", "b", "00:05", flag=1, reason="No.")], missed=[same]),
            frozenset({1}),
        ),
        parse_review(
            review_json(
                confirmed=[pair("a", "00:50", "b", "00:05", flag=1)],
                missed=[again, flagged],
                points=[{"at": "02:00", "label": "negative", "score": -0.5, "why": "x"}],
                questions=["Which team did you lead?", "Why did you leave?"],
                summary="Whole session.",
            ),
            frozenset({1, 2}),
        ),
    ]
    result = merge_parts(parts, flags)
    assert [c.flag for c in result.confirmed] == [1] and result.rejected == ()
    assert result.unreviewed == (2,)
    assert result.verdicts() == {(0, 0): "confirmed"}
    assert [c.statement for c in result.missed] == ["I was there three years"]
    assert result.questions == ("Which team did you lead?", "Why did you leave?")
    assert result.summary == "Whole session." and len(result.arc.turning_points) == 1


# --------------------------------------------------------------------------- against the fault server


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
        ("strong", Outcome.RATE_LIMITED), ("backup", Outcome.RATE_LIMITED), ("strong", Outcome.OK)]


async def test_all_failing_stops_at_the_failed_part_and_keeps_the_attempts(fault_server: FaultServer) -> None:
    fault_server.set_default(Reply.status(529), "a")
    fault_server.set_default(Reply.truncated_json(), "b")
    record = SessionRecord(header={}, chunks=transcript(60))
    review = await review_record(record, config_for(fault_server, "a", "b", post=SMALL), keys={})
    assert review.result is None and review.provider is None
    assert review.error.startswith(f"part 1 of {review.parts} got no valid review: a: http_error 529")
    assert [a.outcome for a in review.attempts] == [Outcome.HTTP_ERROR, Outcome.CUT]
    assert len(fault_server.requests) == 2  # parts 2.. were not sent


async def test_estimate_matches_the_usage_the_server_reports(fault_server: FaultServer) -> None:
    priced = {"price_in_per_mtok": 3.0, "price_out_per_mtok": 15.0}
    chunks = transcript(30)
    record = SessionRecord(header={}, chunks=chunks, analyses=(analysis_with(chunks[12], ("a", "b")),))
    reply = review_json(summary="A summary " * 40)
    fault_server.set_default(Reply.ok(reply))
    config = config_for(fault_server, "strong", **priced)
    estimate = estimate_review(record, config, keys={})
    assert (estimate.provider, estimate.parts, estimate.live_flags, estimate.priced) == ("strong", 1, 1, True)
    review = await review_record(record, config, keys={})
    (attempt,) = review.attempts
    (request,) = fault_server.requests
    assert (
        attempt.input_tokens == request.size // 4 and attempt.output_tokens == len(reply) // 4
    )  # reported, not guessed
    # the fault server counts the whole JSON body (escapes, field names, stream_options) at 4 bytes a token
    assert abs(estimate.input_tokens - attempt.input_tokens) / attempt.input_tokens < 0.08
    assert attempt.cost_usd == pytest.approx((attempt.input_tokens * 3.0 + attempt.output_tokens * 15.0) / 1e6)
    assert attempt.cost_usd <= estimate.max_cost_usd
    assert attempt.output_tokens <= estimate.max_output_tokens
    assert estimate.cost_usd == pytest.approx((estimate.input_tokens * 3.0 + estimate.output_tokens * 15.0) / 1e6)

    claims = [fit(f"[01:{i:02d}] Candidate: claim number {i} about the payments team", 100) for i in range(20)]
    fault_server.set_default(Reply.ok(review_json(claims=claims, summary="So far " * 80)))  # notes of a typical size
    long = SessionRecord(header={}, chunks=transcript(90))
    config = config_for(fault_server, "strong", post=SMALL, **priced)
    estimate = estimate_review(long, config, keys={})
    review = await review_record(long, config, keys={})
    assert estimate.parts == review.parts > 1
    assert review.input_tokens <= estimate.max_input_tokens
    assert abs(estimate.input_tokens - review.input_tokens) / review.input_tokens < 0.1
    assert review.cost_usd <= estimate.max_cost_usd


# --------------------------------------------------------------------------- journal and exports


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
