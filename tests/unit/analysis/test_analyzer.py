"""Analyzer: differential requests, session rules across chunks, local fallback."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from annotator.analysis.analyzer import Analyzer, build_analyzer, check_provider
from annotator.analysis.prompt import estimate_tokens
from annotator.config.schema import AnalysisConfig, Config, ProviderConfig
from annotator.models import LOCAL_PROVIDER, Chunk, Insight, Outcome, Sentiment
from tests.helpers.faultserver import FaultServer, Reply, insight_json


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


class Clock:
    """time.monotonic plus an offset the test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def chunk(i: int, text: str, source: str = "Candidate") -> Chunk:
    return Chunk(i, source, float(i), float(i) + 1, text)


def analyzer_for(server: FaultServer, client: httpx.AsyncClient, names: tuple[str, ...], **kw: object) -> Analyzer:
    config = Config(
        analysis=AnalysisConfig(**kw.pop("analysis", {})), providers=tuple(server.provider(n) for n in names)
    )  # type: ignore[arg-type]
    return build_analyzer(config, client=client, keys={}, **kw)  # type: ignore[arg-type]


async def test_answer_names_provider_and_contradiction_memory_is_sent(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("a", Reply.ok(insight_json(claims=["Candidate led backend team for three years"])))
    fault_server.script(
        "a", Reply.ok(insight_json("negative", -0.3, [("eighteen months", "three years", "Tenure differs.")]))
    )
    analyzer = analyzer_for(fault_server, client, ("a",))
    first = await analyzer.analyze([chunk(1, "I have led the backend team for about three years.")], None)
    second = await analyzer.analyze([chunk(2, "In my eighteen months there, we shipped two products.")], first.insight)
    assert (first.provider, first.model, first.parts) == ("a", "fault-model", 1)
    assert second.insight is not None and second.insight.contradictions[0].earlier == "three years"
    assert second.chunk_ids == (2,) and second.text == "In my eighteen months there, we shipped two products."
    sent = fault_server.requests[1].prompt_text
    assert "Candidate led backend team for three years" in sent  # the carried claim
    assert "Candidate: In my eighteen months there" in sent
    # the earlier statement comes back from the session memory, verbatim with its id, time and speaker
    assert "L1 [00:01] Candidate: I have led the backend team for about three years." in sent
    assert analyzer.usage.provider("a").answered == 2


async def test_misconfigured_provider_is_skipped_for_later_chunks(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("a", Reply.status(401))
    analyzer = analyzer_for(fault_server, client, ("a", "b"))
    await analyzer.analyze([chunk(1, "Hello.")], None)
    later = await analyzer.analyze([chunk(2, "Hello again.")], None)
    assert [(a.provider, a.outcome) for a in later.attempts] == [("a", Outcome.SKIPPED), ("b", Outcome.OK)]
    assert "HTTP 401" in later.attempts[0].detail
    assert [r.provider for r in fault_server.requests] == ["a", "b", "b"]
    state = {s.name: s for s in analyzer.providers_state()}
    assert state["a"].misconfigured is not None and "401" in state["a"].misconfigured
    assert state["b"].last_outcome is Outcome.OK


async def test_retry_after_is_respected_across_chunks(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    clock = Clock()
    fault_server.script("a", Reply.status(429, retry_after="60"))
    analyzer = analyzer_for(fault_server, client, ("a", "b"), clock=clock)
    first = await analyzer.analyze([chunk(1, "One.")], None)
    assert first.attempts[0].outcome is Outcome.RATE_LIMITED and first.provider == "b"
    retry = analyzer.providers_state()[0].retry_in_s
    assert retry is not None and 55 < retry <= 60
    second = await analyzer.analyze([chunk(2, "Two.")], None)
    assert second.attempts[0].outcome is Outcome.SKIPPED and second.provider == "b"
    clock.offset += 61  # the time Retry-After named has passed
    third = await analyzer.analyze([chunk(3, "Three.")], None)
    assert third.provider == "a"
    assert [r.provider for r in fault_server.requests] == ["a", "b", "b", "a"]


async def test_all_failed_gives_labelled_local_estimate_keeping_claims(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.set_default(Reply.status(503))
    analyzer = analyzer_for(fault_server, client, ("a", "b"))
    previous = Insight(Sentiment("neutral", 0.0), (), ("Candidate: three years as lead",), "")
    analysis = await analyzer.analyze([chunk(1, "I absolutely love this wonderful team!")], previous)
    assert analysis.provider == LOCAL_PROVIDER and analysis.local and analysis.model == "vader"
    assert analysis.insight is not None
    assert analysis.insight.sentiment.label == "positive"
    assert analysis.insight.contradictions == ()
    assert analysis.insight.claims == ("Candidate: three years as lead",)
    assert [a.outcome for a in analysis.attempts] == [Outcome.HTTP_ERROR, Outcome.HTTP_ERROR]


async def test_no_usable_provider_goes_straight_to_local(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    config = Config(providers=(ProviderConfig("paid", "openai", "https://example.invalid/v1", "m", "NO_SUCH_KEY_VAR"),))
    analyzer = build_analyzer(config, client=client, keys={})
    analysis = await analyzer.analyze([chunk(1, "This is terrible.")], None)
    assert analysis.local and analysis.attempts == ()
    assert analysis.insight is not None and analysis.insight.sentiment.label == "negative"
    (status,) = analyzer.providers_state()
    assert not status.in_chain and status.unavailable is not None and "NO_SUCH_KEY_VAR" in status.unavailable


async def test_long_chunk_is_split_within_budget(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    fault_server.script("a", Reply.ok(insight_json("positive", 0.5, claims=["x"])))
    fault_server.script("a", Reply.ok(insight_json("negative", -0.3, [("s", "e", "x")], claims=["y"])))
    fault_server.set_default(Reply.ok(insight_json("negative", -0.6, claims=["z"])))
    budget = {"max_request_tokens": 800, "max_chunk_tokens": 100}
    analyzer = analyzer_for(fault_server, client, ("a",), analysis=budget)
    long_text = " ".join(f"Sentence number {i} of a long monologue." for i in range(60))
    analysis = await analyzer.analyze([chunk(1, long_text)], None)
    n = len(fault_server.requests)
    assert analysis.parts == n > 3
    assert len(analysis.attempts) == n
    assert all(estimate_tokens(r.prompt_text) <= 800 for r in fault_server.requests)
    assert analysis.insight is not None
    assert analysis.insight.claims == ("z",) and len(analysis.insight.contradictions) == 1
    assert analysis.insight.sentiment.label == "negative"
    assert analysis.text == long_text


async def test_request_size_stays_bounded_over_500_chunks(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    # A model that keeps returning many long claims: the prompt must still not grow.
    claims = [f"Claim {i}: the candidate said something long about topic {i} " + "x" * 80 for i in range(20)]
    fault_server.set_default(Reply.ok(insight_json(claims=claims)))
    analyzer = analyzer_for(fault_server, client, ("a",))
    previous: Insight | None = None
    for i in range(500):
        analysis = await analyzer.analyze(
            [chunk(i, f"Answer number {i}: we moved the service to Kubernetes.")], previous
        )
        previous = analysis.insight
        assert analysis.provider == "a"
    sizes = [r.size for r in fault_server.requests]
    assert len(sizes) == 500
    assert max(sizes[10:]) <= max(sizes[:10]) + 50
    assert max(estimate_tokens(r.prompt_text) for r in fault_server.requests) <= AnalysisConfig().max_request_tokens
    assert previous is not None and len(previous.claims) == AnalysisConfig().max_claims


async def test_usage_and_cost_per_provider_and_session(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    fault_server.script("a", Reply.status(500))
    config = Config(
        providers=(
            fault_server.provider("a"),
            fault_server.provider("b", price_in_per_mtok=1.0, price_out_per_mtok=5.0, free_credit_usd=1.0),
        )
    )
    analyzer = build_analyzer(config, client=client, keys={})
    analysis = await analyzer.analyze([chunk(1, "Hi.")], None)
    ok = analysis.attempts[-1]
    b = analyzer.usage.provider("b")
    assert b.calls == 1 and b.input_tokens == ok.input_tokens > 0
    assert b.cost_usd == pytest.approx((ok.input_tokens * 1.0 + ok.output_tokens * 5.0) / 1e6)
    assert b.free_credit_left_usd == pytest.approx(1.0 - b.cost_usd)
    assert analyzer.usage.provider("a").calls == 1
    assert analyzer.usage.session().calls == 2


async def test_check_provider(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    ok = await check_provider(fault_server.provider("a", kind="anthropic"), client=client)
    assert ok.outcome is Outcome.OK and ok.elapsed_ms > 0
    body = fault_server.requests[0].body
    assert json.dumps(body).count("three years") == 1 and body["max_tokens"] == 400
    fault_server.script("b", Reply.status(404))
    assert (await check_provider(fault_server.provider("b"), client=client)).outcome is Outcome.MISCONFIGURED
    keyless = ProviderConfig("k", "openai", "https://example.invalid/v1", "m", "NO_SUCH_KEY_VAR")
    refused = await check_provider(keyless, client=client, keys=lambda p: None)
    assert refused.outcome is Outcome.MISCONFIGURED and "NO_SUCH_KEY_VAR" in refused.detail
    assert len(fault_server.requests) == 2


KEY_A = "sk-test-Echo0123456789abcdefEcho"
KEY_B = "correct horse battery staple"  # not key-shaped: only holding it catches it


async def test_a_key_a_provider_echoes_is_scrubbed_from_every_attempt_of_every_chunk(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.set_default(Reply.echo_key(401), provider="a")  # quotes the key it was sent
    # b answers 500 quoting a's key and its own: every key the process holds is scrubbed, not only the sender's
    fault_server.set_default(
        Reply.status(500, body=json.dumps({"error": {"message": f"upstream saw {KEY_B} and {KEY_A}"}})), provider="b"
    )
    config = Config(providers=(fault_server.provider("a", api_key_env="A_KEY"), fault_server.provider("b")))
    analyzer = build_analyzer(config, client=client, keys={"a": KEY_A, "b": KEY_B})
    analyses = [await analyzer.analyze([chunk(i, f"Line {i}.")], None) for i in range(1, 4)]

    assert fault_server.requests_for("a")[0].headers["authorization"] == f"Bearer {KEY_A}"  # it was sent, and echoed
    outcomes = [[(a.provider, a.outcome) for a in x.attempts] for x in analyses]
    assert outcomes[0] == [("a", Outcome.MISCONFIGURED), ("b", Outcome.HTTP_ERROR)]
    assert outcomes[1] == outcomes[2] == [("a", Outcome.SKIPPED), ("b", Outcome.HTTP_ERROR)]
    assert "Incorrect API key provided: [redacted]" in analyses[2].attempts[0].detail
    said = json.dumps([x.to_dict() for x in analyses]) + repr(analyzer.providers_state())
    assert KEY_A not in said and KEY_B not in said
    assert "upstream saw [redacted] and [redacted]" in said


async def test_every_openai_compatible_provider_is_asked_for_usage(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    # a loopback server that reports tokens only when asked, as OpenAI does: the cost is real, not estimated
    fault_server.set_default(Reply.ok(usage="if_asked"))
    config = Config(providers=(fault_server.provider("local", price_in_per_mtok=1.0, price_out_per_mtok=1.0),))
    analyzer = build_analyzer(config, client=client, keys={})
    analysis = await analyzer.analyze([chunk(1, "Hello.")], None)
    (received,) = fault_server.requests
    assert received.body["stream_options"] == {"include_usage": True}
    (attempt,) = analysis.attempts
    assert attempt.outcome is Outcome.OK and attempt.detail == ""  # not "tokens estimated"
    assert attempt.input_tokens == max(1, received.size // 4)  # what the server counted


async def test_a_provider_rejecting_stream_options_is_asked_again_without_it_once_per_session(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.set_default(Reply.ok(usage="if_asked", rejects_stream_options=True), provider="old")
    config = Config(providers=(fault_server.provider("old"), fault_server.provider("next")))
    analyzer = build_analyzer(config, client=client, keys={})
    first = await analyzer.analyze([chunk(1, "Hello.")], None)
    second = await analyzer.analyze([chunk(2, "Hello again.")], None)

    # the retry is part of the same attempt: one attempt, answered, no failover
    assert [(a.provider, a.outcome, a.status) for a in first.attempts] == [("old", Outcome.OK, 200)]
    assert first.provider == "old" and first.attempts[0].detail == "tokens estimated"
    assert [(a.provider, a.outcome) for a in second.attempts] == [("old", Outcome.OK)]
    sent = [("stream_options" in r.body) for r in fault_server.requests]
    assert [r.provider for r in fault_server.requests] == ["old", "old", "old"]
    assert sent == [True, False, False]  # dropped for the rest of the session


async def test_a_400_for_something_else_is_not_retried(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    fault_server.script("a", Reply.status(400, body=json.dumps({"error": {"message": "messages: too long"}})))
    config = Config(providers=(fault_server.provider("a"), fault_server.provider("b")))
    analyzer = build_analyzer(config, client=client, keys={})
    analysis = await analyzer.analyze([chunk(1, "Hello.")], None)
    assert [(a.provider, a.outcome, a.status) for a in analysis.attempts] == [
        ("a", Outcome.HTTP_ERROR, 400),
        ("b", Outcome.OK, 200),
    ]
    assert [r.provider for r in fault_server.requests] == ["a", "b"]
    assert all(r.body["stream_options"] == {"include_usage": True} for r in fault_server.requests)


async def test_a_key_is_never_sent_over_plain_http_to_another_machine() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    # a config built in code skips load-time validation: the provider itself refuses, before any byte is sent
    lan = ProviderConfig("lan", "openai", "http://192.168.1.20:11434/v1", "m", "LAN_KEY")
    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as client:
        checked = await check_provider(lan, client=client, keys={"lan": "sk-lan-0123456789abcdef0123"})
        analyzer = build_analyzer(Config(providers=(lan,)), client=client, keys={"lan": "sk-lan-0123456789abcdef0123"})
        first = await analyzer.analyze([chunk(1, "Hello.")], None)
        later = await analyzer.analyze([chunk(2, "Hello again.")], None)
    assert sent == []
    assert checked.outcome is Outcome.MISCONFIGURED
    assert checked.detail.startswith("not sent: base_url: plain http:// to 192.168.1.20 would send the key unencrypted")
    assert [(a.provider, a.outcome) for a in first.attempts] == [("lan", Outcome.MISCONFIGURED)]
    assert [(a.provider, a.outcome) for a in later.attempts] == [("lan", Outcome.SKIPPED)]
    assert first.local  # the local estimate answered


async def test_a_key_in_a_reply_is_scrubbed_from_the_insight(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("a", Reply.ok(insight_json(claims=[f"key {KEY_B} mentioned"], summary=f"It said {KEY_A}.")))
    analyzer = build_analyzer(Config(providers=(fault_server.provider("a"),)), client=client, keys={"a": KEY_B})
    analysis = await analyzer.analyze([chunk(1, "Hello.")], None)
    assert analysis.provider == "a" and analysis.insight is not None
    assert analysis.insight.summary == "It said [redacted]." and analysis.insight.claims == (
        "key [redacted] mentioned",
    )


async def test_a_cited_line_is_kept_only_when_the_session_has_it(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    def cites(earlier_id: str) -> Reply:
        reply = json.loads(insight_json("negative", -0.3, [("a year", "three years", "Tenure differs.")]))
        reply["contradictions"][0].update(earlier_id=earlier_id, follow_up="How long was it?")
        return Reply.ok(json.dumps(reply))

    fault_server.script("a", Reply.ok(), cites("l1"), cites("L77"))
    analyzer = analyzer_for(fault_server, client, ("a",))
    await analyzer.analyze([chunk(1, "I have led the team for three years.")], None)
    known = await analyzer.analyze([chunk(2, "I have led the team for a year.")], None)
    made_up = await analyzer.analyze([chunk(3, "Only a year, really.")], None)
    assert known.insight is not None and made_up.insight is not None
    assert known.insight.contradictions[0].earlier_id == "L1"  # normalised
    assert made_up.insight.contradictions[0].earlier_id == ""  # no line 77: the window must not select one
    assert made_up.insight.contradictions[0].follow_up == "How long was it?"
