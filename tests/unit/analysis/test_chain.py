"""The failover chain against the loopback fault server (real sockets).

One provider on its own (its request, limits, sentences) is tested in
``providers/test_client.py``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from annotator.analysis.chain import Chain
from annotator.analysis.providers.client import HttpProvider
from annotator.analysis.providers.interface import Request
from annotator.config.schema import ProviderConfig
from annotator.models import Outcome
from tests.helpers.faultserver import FaultServer, Reply, closed_port, insight_json

LIMITS = {"connect_timeout_s": 1.0, "first_token_timeout_s": 0.5, "stall_timeout_s": 0.5, "timeout_s": 5.0}
REQUEST = Request("Return an insight.", "Candidate: I led the team for three years.")
MARGIN_S = 4.0  # generous: the limits above are at most 1 s


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


FAULTS = [
    ("refused", None, Outcome.CONNECT_ERROR, None),
    ("reset", Reply.reset(), Outcome.CONNECT_ERROR, None),
    ("429", Reply.status(429, retry_after="30"), Outcome.RATE_LIMITED, 429),
    ("500", Reply.status(500), Outcome.HTTP_ERROR, 500),
    ("503", Reply.status(503), Outcome.HTTP_ERROR, 503),
    ("529", Reply.status(529), Outcome.HTTP_ERROR, 529),
    ("401", Reply.status(401), Outcome.MISCONFIGURED, 401),
    ("404", Reply.status(404), Outcome.MISCONFIGURED, 404),
    ("hang", Reply.hang(), Outcome.TIMEOUT, None),
    ("slow first token", Reply.slow_first_token(), Outcome.TIMEOUT, 200),
    ("cut", Reply.cut(), Outcome.CUT, 200),
    ("stall", Reply.stall(), Outcome.STALLED, 200),
    ("malformed", Reply.malformed(), Outcome.MALFORMED, 200),
    ("no [DONE]", Reply.no_done(), Outcome.CUT, 200),
    ("prose", Reply.prose(), Outcome.INVALID_REPLY, 200),
    ("truncated json", Reply.truncated_json(), Outcome.CUT, 200),
    ("web page", Reply.web_page(), Outcome.MALFORMED, 200),
]


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize(("name", "reply", "outcome", "status"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_each_fault_fails_over_to_the_next_provider(
    fault_server: FaultServer,
    client: httpx.AsyncClient,
    kind: str,
    name: str,
    reply: Reply | None,
    outcome: Outcome,
    status: int | None,
) -> None:
    bad = fault_server.provider("bad", kind=kind, **LIMITS)
    if reply is None:
        bad = ProviderConfig("bad", kind, f"http://127.0.0.1:{closed_port()}/v1", "bad-model", **LIMITS)
    else:
        fault_server.script("bad", reply)
    answer = insight_json("negative", -0.5, [("eighteen months", "three years", "Tenure differs.")])
    fault_server.script("good", Reply.ok(answer, model="good-served-model"))
    chain = Chain(
        [HttpProvider(bad, client, None), HttpProvider(fault_server.provider("good", kind=kind), client, None)]
    )

    start = time.monotonic()
    result = await chain.analyze(REQUEST, time.monotonic() + 30)
    elapsed = time.monotonic() - start

    assert elapsed < MARGIN_S
    assert result.provider == "good" and result.model == "good-served-model"
    assert result.insight is not None and result.insight.contradictions[0].statement == "eighteen months"
    first, second = result.attempts
    assert (first.provider, first.outcome, first.status) == ("bad", outcome, status)
    assert first.detail and first.elapsed_ms < MARGIN_S * 1000
    assert (second.provider, second.outcome, second.status) == ("good", Outcome.OK, 200)
    assert second.input_tokens > 0 and second.output_tokens > 0
    expected_requests = 1 if reply is None else 2
    assert len(fault_server.requests) == expected_requests
    assert {r.dialect for r in fault_server.requests} == {kind}


async def test_deadline_caps_the_whole_chain(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    slow = {"first_token_timeout_s": 20.0, "timeout_s": 30.0}
    for name in ("a", "b"):
        fault_server.script(name, Reply.hang())
    providers = [HttpProvider(fault_server.provider(n, **slow), client, None) for n in ("a", "b", "c")]
    start = time.monotonic()
    result = await Chain(providers).analyze(REQUEST, time.monotonic() + 1.0)
    elapsed = time.monotonic() - start
    assert 0.9 < elapsed < MARGIN_S
    assert result.insight is None and result.provider is None
    assert [(a.provider, a.outcome) for a in result.attempts] == [
        ("a", Outcome.DEADLINE),
        ("b", Outcome.DEADLINE),
        ("c", Outcome.DEADLINE),
    ]
    assert [r.provider for r in fault_server.requests] == ["a"]


async def test_all_failing_returns_no_insight_with_every_attempt(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("a", Reply.status(503))
    fault_server.script("b", Reply.prose())
    chain = Chain([HttpProvider(fault_server.provider(n), client, None) for n in ("a", "b")])
    result = await chain.analyze(REQUEST, time.monotonic() + 10)
    assert result.insight is None
    assert [a.outcome for a in result.attempts] == [Outcome.HTTP_ERROR, Outcome.INVALID_REPLY]


async def test_chains_nest(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    fault_server.script("a", Reply.status(500))
    inner = Chain([HttpProvider(fault_server.provider(n), client, None) for n in ("a", "b")], name="local")
    outer = Chain([inner, HttpProvider(fault_server.provider("c"), client, None)])
    result = await outer.analyze(REQUEST, time.monotonic() + 10)
    assert result.provider == "b"
    assert [a.provider for a in result.attempts] == ["a", "b"]


async def test_waiting_is_when_every_provider_only_waits_out_a_retry_after(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("a", Reply.status(429, retry_after="30"))
    fault_server.script("b", Reply.status(429, retry_after="20"), Reply.status(500))
    a, b = (HttpProvider(fault_server.provider(n, **LIMITS), client, None) for n in ("a", "b"))
    chain = Chain([a, b])
    assert chain.waiting() is None  # nobody waits yet
    result = await chain.analyze(REQUEST, time.monotonic() + 10)
    assert result.insight is None
    back = chain.waiting()
    assert back is not None and 15 < back - time.monotonic() <= 20  # b is back first
    assert Chain([a, b, HttpProvider(fault_server.provider("c", **LIMITS), client, None)]).waiting() is None


async def test_analyze_waiting_never_waits_past_the_deadline(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("a", Reply.status(429, retry_after="30"))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    chain = Chain([HttpProvider(fault_server.provider("a", **LIMITS), client, None)])
    result = await chain.analyze_waiting(REQUEST, time.monotonic() + 5, sleep=sleep)
    assert result.insight is None and slept == []
    assert [x.outcome for x in result.attempts] == [Outcome.RATE_LIMITED]


async def test_analyze_waiting_asks_only_the_rate_limited_providers_again(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("a", Reply.status(500))
    fault_server.script("b", Reply.status(429, retry_after="1"))
    waits = []
    chain = Chain([HttpProvider(fault_server.provider(n, **LIMITS), client, None) for n in ("a", "b")])
    result = await chain.analyze_waiting(REQUEST, time.monotonic() + 10, on_wait=waits.append)
    assert result.provider == "b"
    assert [(x.provider, x.outcome) for x in result.attempts] == [
        ("a", Outcome.HTTP_ERROR),
        ("b", Outcome.RATE_LIMITED),
        ("b", Outcome.OK),
    ]
    assert [w.provider for w in waits] == ["b"] and 0 < waits[0].seconds <= 1
    assert [r.provider for r in fault_server.requests] == ["a", "b", "b"]
