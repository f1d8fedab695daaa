"""The streaming HTTP client (``HttpProvider``) against the loopback fault server (real sockets).

What every fault does to a chain (each fails over to the next provider, in
both dialects) is tested in ``tests/unit/analysis/test_chain.py``; the
session rules across requests (misconfigured, Retry-After in seconds, the
``stream_options`` retry, keys scrubbed) through the analyzer in
``test_analyzer.py``. Here: one provider's request, its limits, what it says
about a reply that is not the API, and the faults the chain test does not
reach.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from email.utils import formatdate

import httpx
import pytest

from annotator.analysis.prompt import estimate_tokens
from annotator.analysis.providers.client import HttpProvider
from annotator.analysis.providers.interface import Request
from annotator.config.schema import ProviderConfig
from annotator.models import Outcome
from tests.helpers.faultserver import DEFAULT_INSIGHT, FaultServer, Reply, insight_json

LIMITS = {"connect_timeout_s": 1.0, "first_token_timeout_s": 0.5, "stall_timeout_s": 0.5, "timeout_s": 5.0}
REQUEST = Request("Return an insight.", "Candidate: I led the team for three years.")
MARGIN_S = 4.0  # generous: the limits above are at most 1 s


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


class Clock:
    """A clock the test moves (monotonic or wall)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_happy_path_sends_the_dialect_and_reads_usage(
    fault_server: FaultServer, client: httpx.AsyncClient, kind: str
) -> None:
    cfg = fault_server.provider("p", kind=kind, price_in_per_mtok=2.0, price_out_per_mtok=10.0, max_tokens=300)
    result = await HttpProvider(cfg, client, "sk-test").analyze(REQUEST, time.monotonic() + 10)
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


async def test_tokens_are_estimated_when_the_provider_does_not_count_them(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("p", Reply.ok(usage="never"))
    result = await HttpProvider(fault_server.provider("p"), client, None).analyze(REQUEST, time.monotonic() + 10)
    (attempt,) = result.attempts
    assert (attempt.outcome, attempt.detail) == (Outcome.OK, "tokens estimated")
    assert (attempt.input_tokens, attempt.output_tokens) == (REQUEST.est_input_tokens, estimate_tokens(DEFAULT_INSIGHT))


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
    result = await HttpProvider(fault_server.provider("a"), client, None).analyze(REQUEST, time.monotonic() + 10)
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
        Reply.raw_stream(
            start,
            text,
            ev({"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 400}}),
            ev({"type": "message_stop"}),
        ),
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


@pytest.mark.parametrize(
    ("reply", "outcome", "detail"),
    [
        (Reply.hang(), Outcome.TIMEOUT, "no first token within first_token_timeout_s = 0.5 s"),
        (Reply.slow_first_token(), Outcome.TIMEOUT, "no first token within first_token_timeout_s = 0.5 s"),
        (Reply.stall(), Outcome.STALLED, "stream silent for more than stall_timeout_s = 0.5 s"),
    ],
    ids=["no headers", "headers, no event", "silent mid-stream"],
)
async def test_each_limit_names_itself(
    fault_server: FaultServer, client: httpx.AsyncClient, reply: Reply, outcome: Outcome, detail: str
) -> None:
    fault_server.script("p", reply)
    result = await HttpProvider(fault_server.provider("p", **LIMITS), client, None).analyze(
        REQUEST, time.monotonic() + 30
    )
    (attempt,) = result.attempts
    assert (attempt.outcome, attempt.detail) == (outcome, detail)


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


async def test_a_deadline_already_past_sends_nothing(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    result = await HttpProvider(fault_server.provider("p"), client, None).analyze(REQUEST, time.monotonic() - 1)
    (attempt,) = result.attempts
    assert (attempt.outcome, attempt.detail) == (Outcome.DEADLINE, "the chain's deadline had run out")
    assert fault_server.requests == []


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_a_stream_reset_midway_is_a_cut_reply(
    fault_server: FaultServer, client: httpx.AsyncClient, kind: str
) -> None:
    fault_server.script("p", Reply.reset_mid_stream())
    result = await HttpProvider(fault_server.provider("p", kind=kind), client, None).analyze(
        REQUEST, time.monotonic() + 10
    )
    (attempt,) = result.attempts
    assert (attempt.outcome, attempt.status) == (Outcome.CUT, 200)
    assert attempt.detail.startswith("stream broken after "), attempt.detail


async def test_a_retry_after_date_keeps_the_provider_waiting_until_then(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    clock, wall = Clock(1000.0), Clock(1_700_000_000.0)
    fault_server.script("p", Reply.status(429, retry_after=formatdate(wall.now + 90, usegmt=True)))
    provider = HttpProvider(fault_server.provider("p"), client, None, clock=clock, wall_clock=wall)
    limited = (await provider.analyze(REQUEST, clock.now + 10)).attempts[0]
    assert (limited.outcome, limited.status) == (Outcome.RATE_LIMITED, 429)
    assert limited.detail == "HTTP 429, rate limited; Retry-After 90 s: scripted HTTP 429"
    assert provider.state().retry_in_s(clock.now) == pytest.approx(90.0)
    clock.now += 60
    skipped = (await provider.analyze(REQUEST, clock.now + 10)).attempts[0]
    assert (skipped.outcome, skipped.detail) == (Outcome.SKIPPED, "rate limited: Retry-After has 30 s to run")
    clock.now += 31
    assert (await provider.analyze(REQUEST, clock.now + 10)).attempts[0].outcome is Outcome.OK
    assert len(fault_server.requests) == 2  # the skipped turn sent nothing


async def test_a_429_without_retry_after_does_not_hold_the_provider_back(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    fault_server.script("p", Reply.status(429))
    provider = HttpProvider(fault_server.provider("p"), client, None)
    limited = (await provider.analyze(REQUEST, time.monotonic() + 10)).attempts[0]
    assert (limited.outcome, limited.detail) == (Outcome.RATE_LIMITED, "HTTP 429, rate limited: scripted HTTP 429")
    assert provider.state().retry_at is None
    assert (await provider.analyze(REQUEST, time.monotonic() + 10)).attempts[0].outcome is Outcome.OK


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply.web_page(), "answered with a web page, not the API: check base_url (http://127.0.0.1:"),
        (
            Reply.raw_stream('{"error": {"message": "streaming is off"}}\n'),
            "answered with JSON, not an event stream (streaming is off): check base_url",
        ),
        (Reply.raw_stream("Hello world\n"), "answered with text/event-stream, not an event stream: check base_url"),
        (
            Reply.status(404, body="<!DOCTYPE html>\n<html><body><h1>Not Found</h1></body></html>"),
            "HTTP 404, not found (retired model or wrong base_url): answered with a web page, not the API",
        ),
        (Reply.status(502, body="Bad gateway\n"), "HTTP 502, server error: Bad gateway"),
    ],
    ids=["html 200", "json 200", "text 200", "html 404", "text 502"],
)
async def test_a_reply_that_is_not_the_api_says_what_it_was(
    fault_server: FaultServer, client: httpx.AsyncClient, kind: str, reply: Reply, said: str
) -> None:
    fault_server.script("p", reply)
    result = await HttpProvider(fault_server.provider("p", kind=kind), client, None).analyze(
        REQUEST, time.monotonic() + 10
    )
    (attempt,) = result.attempts
    assert attempt.detail.startswith(said), attempt.detail
    assert "<" not in attempt.detail and "cut short" not in attempt.detail
