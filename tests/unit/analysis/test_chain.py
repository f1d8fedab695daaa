"""The failover chain against the loopback fault server (real sockets)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from email.utils import formatdate

import httpx
import pytest

from annotator.analysis.chain import Chain
from annotator.analysis.providers.client import HttpProvider
from annotator.analysis.providers.failure import parse_retry_after
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
    chain = Chain([HttpProvider(bad, client, None), HttpProvider(fault_server.provider("good", kind=kind), client, None)])

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


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_happy_path_sends_the_dialect_and_reads_usage(
    fault_server: FaultServer, client: httpx.AsyncClient, kind: str
) -> None:
    cfg = fault_server.provider("p", kind=kind, price_in_per_mtok=2.0, price_out_per_mtok=10.0, max_tokens=300)
    result = await Chain([HttpProvider(cfg, client, "sk-test")]).analyze(REQUEST, time.monotonic() + 10)
    (attempt,) = result.attempts
    assert attempt.outcome is Outcome.OK and result.provider == "p"
    (received,) = fault_server.requests
    assert received.body["stream"] is True and received.body["max_tokens"] == 300
    if kind == "anthropic":
        assert received.path == "/p/v1/messages"
        assert received.headers["x-api-key"] == "sk-test"
        assert received.headers["anthropic-version"] == "2023-06-01"
        assert received.body["system"] == REQUEST.system
    else:
        assert received.path == "/p/v1/chat/completions"
        assert received.headers["authorization"] == "Bearer sk-test"
        assert received.body["messages"][0] == {"role": "system", "content": REQUEST.system}
    assert attempt.input_tokens == max(1, received.size // 4)  # what the server reported
    expected = (attempt.input_tokens * 2.0 + attempt.output_tokens * 10.0) / 1e6
    assert attempt.cost_usd == pytest.approx(expected)


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


def _chunk(content: str, finish: str | None = None, **extra: object) -> str:
    event = {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(event)}\n\n"


@pytest.mark.parametrize(
    ("pieces", "outcome"),
    [
        # finish_reason "stop" is an end marker even without [DONE]
        ((_chunk(insight_json(), "stop"),), Outcome.OK),
        # cut by max_tokens: never a success, even if [DONE] follows
        ((_chunk(insight_json(), "length"), "data: [DONE]\n\n"), Outcome.CUT),
        # nonsense where numbers belong: an unexpected reply, never an exception
        ((_chunk(insight_json(), "stop", usage={"prompt_tokens": "many"}),), Outcome.MALFORMED),
        # an error object inside the stream
        (('data: {"error": {"message": "upstream overloaded"}}\n\n',), Outcome.HTTP_ERROR),
        # a JSON event that is not an object
        (("data: [1, 2]\n\n",), Outcome.MALFORMED),
    ],
)
async def test_openai_stream_edge_cases(
    fault_server: FaultServer, client: httpx.AsyncClient, pieces: tuple[str, ...], outcome: Outcome
) -> None:
    fault_server.script("a", Reply.raw_stream(*pieces))
    result = await Chain([HttpProvider(fault_server.provider("a"), client, None)]).analyze(REQUEST, time.monotonic() + 10)
    assert result.attempts[0].outcome is outcome
    assert (result.insight is not None) is (outcome is Outcome.OK)


async def test_anthropic_error_event_and_max_tokens(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    def ev(data: dict[str, object]) -> str:
        return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n"

    start = ev({"type": "message_start", "message": {"model": "claude-x", "usage": {"input_tokens": 10}}})
    text = ev({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": insight_json()}})
    fault_server.script(
        "a",
        Reply.raw_stream(start, ev({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})),
        Reply.raw_stream(start, text, ev({"type": "message_delta", "delta": {"stop_reason": "max_tokens"},
                                          "usage": {"output_tokens": 400}}), ev({"type": "message_stop"})),
    )
    provider = HttpProvider(fault_server.provider("a", kind="anthropic"), client, None)
    overloaded = (await provider.analyze(REQUEST, time.monotonic() + 10)).attempts[0]
    assert overloaded.outcome is Outcome.HTTP_ERROR and "overloaded_error" in overloaded.detail
    cut = (await provider.analyze(REQUEST, time.monotonic() + 10)).attempts[0]
    assert cut.outcome is Outcome.CUT and cut.model == "claude-x"
    assert (cut.input_tokens, cut.output_tokens) == (10, 400)


async def test_connect_timeout_when_nothing_accepts(client: httpx.AsyncClient) -> None:
    # A listening socket whose accept queue is full: the kernel drops further SYNs.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):
                filler = socket.socket()
                filler.setblocking(False)
                fillers.append(filler)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
            cfg = ProviderConfig("slowconnect", "openai", f"http://127.0.0.1:{port}/v1", "m", **LIMITS)
            start = time.monotonic()
            result = await HttpProvider(cfg, client, None).analyze(REQUEST, time.monotonic() + 30)
            elapsed = time.monotonic() - start
        finally:
            for filler in fillers:
                filler.close()
    (attempt,) = result.attempts
    assert attempt.outcome is Outcome.TIMEOUT and "connect_timeout_s = 1 s" in attempt.detail
    assert 0.9 < elapsed < MARGIN_S


def test_retry_after_seconds_and_http_date() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after(formatdate(now + 90, usegmt=True), now) == pytest.approx(90.0)
    assert parse_retry_after("99999999", now) == 3600.0
    assert parse_retry_after("-5", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


async def test_total_limit_ends_a_slow_trickle(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    # Each piece arrives within the stall limit, but the whole reply would take ~1.8 s.
    fault_server.script("a", Reply.ok(pieces=6, piece_interval_s=0.3))
    cfg = fault_server.provider("a", first_token_timeout_s=0.5, stall_timeout_s=0.5, timeout_s=1.0)
    start = time.monotonic()
    result = await HttpProvider(cfg, client, None).analyze(REQUEST, time.monotonic() + 30)
    elapsed = time.monotonic() - start
    (attempt,) = result.attempts
    assert attempt.outcome is Outcome.TIMEOUT and "timeout_s = 1 s" in attempt.detail
    assert result.insight is None
    assert 0.9 < elapsed < MARGIN_S


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply.web_page(), "answered with a web page, not the API: check base_url (http://127.0.0.1:"),
        (Reply.raw_stream('{"error": {"message": "streaming is off"}}\n'),
         "answered with JSON, not an event stream (streaming is off): check base_url"),
        (Reply.raw_stream("Hello world\n"), "answered with text/event-stream, not an event stream: check base_url"),
        (Reply.status(404, body="<!DOCTYPE html>\n<html><body><h1>Not Found</h1></body></html>"),
         "HTTP 404, not found (retired model or wrong base_url): answered with a web page, not the API"),
    ],
    ids=["html 200", "json 200", "text 200", "html 404"],
)
async def test_a_reply_that_is_not_the_api_says_what_it_was(
    fault_server: FaultServer, client: httpx.AsyncClient, kind: str, reply: Reply, said: str
) -> None:
    fault_server.script("p", reply)
    result = await HttpProvider(fault_server.provider("p", kind=kind), client, None).analyze(REQUEST, time.monotonic() + 10)
    (attempt,) = result.attempts
    assert attempt.detail.startswith(said), attempt.detail
    assert "<" not in attempt.detail and "cut short" not in attempt.detail
