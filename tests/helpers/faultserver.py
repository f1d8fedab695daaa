"""A fault-injecting LLM server on 127.0.0.1, OpenAI- and Anthropic-compatible.

It runs in a background thread (so asyncio tests, Qt tests and subprocess CLI
tests can all use it), listens on a random free port, streams server-sent
events like the real APIs, and does to each request what the test scripted.
Every request is recorded (provider, dialect, headers, parsed body, size).

Each "provider" is a URL prefix on the one server, so one server plays a
whole chain: ``server.base_url("a")`` is ``http://127.0.0.1:PORT/a/v1``; POSTs
to ``.../chat/completions`` speak OpenAI, to ``.../messages`` Anthropic.

Usage::

    from tests.helpers.faultserver import FaultServer, Reply, closed_port

    with FaultServer() as server:                       # or the `fault_server` fixture
        server.script("a", Reply.status(429, retry_after="30"))   # a's 1st request
        server.script("b", Reply.ok(), Reply.stall())             # b's 1st, 2nd
        server.set_default(Reply.ok(delay_s=0.3))       # any request not scripted
        providers = (server.provider("a"), server.provider("b", kind="anthropic"))
        config_path = server.write_config(tmp_path / "config.toml", providers)
        ...                                             # run the code under test
        assert [r.provider for r in server.requests] == ["a", "b"]
        assert server.wait_for_requests(2, timeout=10)  # for other threads/processes

Replies (class methods of ``Reply``): ``ok`` (happy path, content = an
insight JSON, ``insight_json(...)`` builds one with contradictions),
``status`` (any HTTP status, optional Retry-After; 401/404/429/500/503/529),
``reset`` (TCP reset before headers), ``hang`` (accept, never answer),
``slow_first_token``, ``cut`` (stream ends mid-answer without its end
marker), ``reset_mid_stream`` (TCP reset mid-answer), ``stall`` (stream goes silent), ``malformed`` (a non-JSON SSE
event), ``no_done`` (complete text, no [DONE]/message_stop, no finish
reason), ``prose`` and ``truncated_json`` (well-formed streams carrying a bad
answer), ``raw_stream`` (exactly the bytes you give), ``echo_key`` (an
error status whose message quotes the key the request carried, as OpenAI's
401 does), ``web_page`` (a 200 HTML page, as a login portal or a wrong
``base_url`` gives). Connection refused: point a provider at ``closed_port()``.

Usage reporting (OpenAI dialect): ``usage="always"`` (default) ends every
stream with token counts; ``usage="if_asked"`` only when the request carried
``stream_options: {include_usage: true}``, as OpenAI does. A reply with
``rejects_stream_options=True`` answers a request carrying ``stream_options``
with a 400 "Unrecognized request argument supplied: stream_options", as some
OpenAI-compatible servers do (the reply is used up either way).

Waiting faults (hang, stall, slow first token without a delay) hold their
connection until the server stops (``stop()`` releases them at once).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from annotator.config.file import save_config
from annotator.config.schema import AnalysisConfig, Config, ProviderConfig

MAX_HOLD_S = 120.0  # a waiting fault gives up after this even if never released


def insight_json(
    label: str = "neutral",
    score: float = 0.0,
    contradictions: Sequence[tuple[str, str, str]] = (),
    claims: Sequence[str] = ("a claim",),
    summary: str = "Nothing much changed.",
) -> str:
    """An insight reply as the model would send it."""
    return json.dumps(
        {
            "sentiment": {"label": label, "score": score},
            "contradictions": [{"statement": s, "earlier": e, "explanation": x} for s, e, x in contradictions],
            "claims": list(claims),
            "summary": summary,
        }
    )


DEFAULT_INSIGHT = insight_json()


@dataclass(frozen=True)
class Reply:
    """What the server does with one request. Build with the class methods."""

    fault: str = "ok"
    status_code: int = 200
    content: str = DEFAULT_INSIGHT
    retry_after: str | None = None
    delay_s: float = 0.0  # before the response headers (a fixed answer delay)
    first_token_delay_s: float | None = 0.0  # after headers; None = until released
    piece_interval_s: float = 0.0
    pieces: int = 6
    model: str = "fault-model"
    body: str | None = None  # error body for status replies
    raw: tuple[str, ...] = ()  # for fault "raw": exact bytes of the stream, piece by piece
    usage: str = "always"  # "always" | "if_asked" | "never" (OpenAI dialect)
    rejects_stream_options: bool = False
    answer: Callable[[str], str] | None = field(default=None, compare=False)  # prompt text -> content

    @classmethod
    def answering(cls, answer: Callable[[str], str], **kw: Any) -> Reply:
        """A happy-path reply whose content is computed from the request's
        prompt text (system + messages): a scripted model, e.g. an oracle."""
        return cls("ok", answer=answer, **kw)

    @classmethod
    def raw_stream(cls, *pieces: str) -> Reply:
        """A 200 event stream of exactly these pieces (e.g. ``'data: {...}\\n\\n'``), then close."""
        return cls("raw", raw=pieces)

    @classmethod
    def ok(cls, content: str = DEFAULT_INSIGHT, **kw: Any) -> Reply:
        return cls("ok", content=content, **kw)

    @classmethod
    def status(cls, code: int, retry_after: str | None = None, body: str | None = None, **kw: Any) -> Reply:
        return cls("status", status_code=code, retry_after=retry_after, body=body, **kw)

    @classmethod
    def echo_key(cls, code: int = 401) -> Reply:
        """An error whose message quotes the key sent (``Authorization`` or ``x-api-key``)."""
        return cls("echo_key", status_code=code)

    @classmethod
    def web_page(cls, **kw: Any) -> Reply:
        """A 200 ``text/html`` page instead of an event stream."""
        page = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><p>Welcome</p></body></html>\n"
        return cls("web_page", body=page, **kw)

    @classmethod
    def reset(cls) -> Reply:
        return cls("reset")

    @classmethod
    def hang(cls) -> Reply:
        return cls("hang")

    @classmethod
    def slow_first_token(cls, delay_s: float | None = None, **kw: Any) -> Reply:
        return cls("ok", first_token_delay_s=delay_s, **kw)

    @classmethod
    def cut(cls, **kw: Any) -> Reply:
        return cls("cut", **kw)

    @classmethod
    def reset_mid_stream(cls, **kw: Any) -> Reply:
        return cls("reset_mid_stream", **kw)

    @classmethod
    def stall(cls, **kw: Any) -> Reply:
        return cls("stall", **kw)

    @classmethod
    def malformed(cls, **kw: Any) -> Reply:
        return cls("malformed", **kw)

    @classmethod
    def no_done(cls, **kw: Any) -> Reply:
        return cls("no_done", **kw)

    @classmethod
    def prose(cls, **kw: Any) -> Reply:
        return cls("ok", content="The candidate sounds confident and nothing contradicts earlier answers.", **kw)

    @classmethod
    def truncated_json(cls, **kw: Any) -> Reply:
        return cls("ok", content=DEFAULT_INSIGHT[: len(DEFAULT_INSIGHT) // 2], **kw)


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    provider: str
    dialect: str  # "openai" | "anthropic" | "" (unknown path)
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    size: int  # bytes of the request body
    at: float  # time.monotonic() on arrival
    reply: Reply = field(repr=False, default_factory=Reply)

    @property
    def prompt_text(self) -> str:
        """All the text the request carried (system + messages)."""
        return _prompt_text(self.body)


def _prompt_text(body: dict[str, Any]) -> str:
    parts = [str(body.get("system", ""))]
    parts += [str(m.get("content", "")) for m in body.get("messages", [])]
    return "\n".join(p for p in parts if p)


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib signature
        return

    def do_POST(self) -> None:  # the stdlib name
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        parts = self.path.strip("/").split("/")
        provider = parts[0] if parts else ""
        dialect = (
            "openai"
            if self.path.endswith("/chat/completions")
            else "anthropic"
            if self.path.endswith("/messages")
            else ""
        )
        reply = self.server.owner._next_reply(provider)
        self.server.owner._record(
            Received(
                provider,
                dialect,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                body if isinstance(body, dict) else {},
                len(raw),
                time.monotonic(),
                reply,
            )
        )
        if not dialect:
            self._send_error(404, "no such endpoint", "openai")
            return
        self._serve(reply, dialect, body if isinstance(body, dict) else {}, len(raw))

    # -- helpers ---------------------------------------------------------

    def _hold(self, seconds: float | None) -> bool:
        """Wait (bounded); True if the server was stopped meanwhile."""
        return self.server.owner._released.wait(MAX_HOLD_S if seconds is None else seconds)

    def _send_error(
        self, code: int, message: str, dialect: str, retry_after: str | None = None, body: str | None = None
    ) -> None:
        if body is None:
            kind = {
                401: "authentication_error",
                403: "permission_error",
                404: "not_found_error",
                429: "rate_limit_error",
                529: "overloaded_error",
            }.get(code, "api_error")
            payload: dict[str, Any] = {"error": {"type": kind, "message": message}}
            if dialect == "anthropic":
                payload["type"] = "error"
            body = json.dumps(payload)
        data = body.encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("connection", "close")
        if retry_after is not None:
            self.send_header("retry-after", retry_after)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _event(self, dialect: str, data: dict[str, Any] | str) -> None:
        text = data if isinstance(data, str) else json.dumps(data)
        if dialect == "anthropic" and isinstance(data, dict):
            self.wfile.write(f"event: {data['type']}\ndata: {text}\n\n".encode())
        else:
            self.wfile.write(f"data: {text}\n\n".encode())
        self.wfile.flush()

    def _serve(self, reply: Reply, dialect: str, body: dict[str, Any], size: int) -> None:
        self.close_connection = True
        if reply.delay_s and self._hold(reply.delay_s):
            return
        if reply.fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if reply.fault == "hang":
            self._hold(None)
            return
        if reply.rejects_stream_options and "stream_options" in body:
            self._send_error(
                400,
                "Unrecognized request argument supplied: stream_options",
                dialect,
                body=json.dumps(
                    {
                        "error": {
                            "message": "Unrecognized request argument supplied: stream_options",
                            "type": "invalid_request_error",
                            "param": None,
                            "code": None,
                        }
                    }
                ),
            )
            return
        if reply.fault == "status":
            self._send_error(
                reply.status_code, f"scripted HTTP {reply.status_code}", dialect, reply.retry_after, reply.body
            )
            return
        if reply.fault == "echo_key":
            key = self.headers.get("x-api-key") or self.headers.get("authorization", "").removeprefix("Bearer ")
            self._send_error(
                reply.status_code,
                f"Incorrect API key provided: {key}. You can find your API key "
                "at https://platform.example/account/api-keys.",
                dialect,
            )
            return
        if reply.fault == "web_page":
            page = (reply.body or "").encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(page)))
            self.send_header("connection", "close")
            self.end_headers()
            self.wfile.write(page)
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.flush()
        if reply.first_token_delay_s != 0 and self._hold(reply.first_token_delay_s):
            return
        if reply.fault == "raw":
            for piece in reply.raw:
                self.wfile.write(piece.encode())
                self.wfile.flush()
            return
        content = reply.content if reply.answer is None else reply.answer(_prompt_text(body))
        n = max(1, min(reply.pieces, len(content)))
        step = -(-len(content) // n)
        pieces = [content[i : i + step] for i in range(0, len(content), step)] or [""]
        half = max(1, len(pieces) // 2)
        tokens_in, tokens_out = max(1, size // 4), max(1, len(content) // 4)
        if dialect == "anthropic":
            self._event(
                dialect,
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_fault",
                        "type": "message",
                        "role": "assistant",
                        "model": reply.model,
                        "content": [],
                        "usage": {"input_tokens": tokens_in, "output_tokens": 1},
                    },
                },
            )
            self._event(
                dialect, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
            )
        for i, piece in enumerate(pieces):
            if i == half and reply.fault in ("cut", "stall", "reset_mid_stream"):
                if reply.fault == "stall":
                    self._hold(None)
                if reply.fault == "reset_mid_stream":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                return
            if i == 1 and reply.fault == "malformed":
                self.wfile.write(b'data: {"choices": [{"delta": {"content": \n\n')
                self.wfile.flush()
            if dialect == "anthropic":
                self._event(
                    dialect, {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
                )
            else:
                self._event(
                    dialect,
                    {
                        "id": "chatcmpl-fault",
                        "object": "chat.completion.chunk",
                        "model": reply.model,
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    },
                )
            if reply.piece_interval_s and self._hold(reply.piece_interval_s):
                return
        if reply.fault == "no_done":
            return
        if dialect == "anthropic":
            self._event(dialect, {"type": "content_block_stop", "index": 0})
            self._event(
                dialect,
                {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": tokens_out}},
            )
            self._event(dialect, {"type": "message_stop"})
        else:
            asked = bool((body.get("stream_options") or {}).get("include_usage"))
            last: dict[str, Any] = {
                "id": "chatcmpl-fault",
                "object": "chat.completion.chunk",
                "model": reply.model,
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
            if reply.usage == "always" or (reply.usage == "if_asked" and asked):
                last["usage"] = {"prompt_tokens": tokens_in, "completion_tokens": tokens_out}
            self._event(dialect, last)
            self._event(dialect, "[DONE]")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # resets and abandoned connections are the point here


class FaultServer:
    """The scriptable server (see the module docstring). Thread-safe."""

    def __init__(self, default: Reply | None = None) -> None:
        self._lock = threading.Condition()
        self._scripts: dict[str, list[Reply]] = {}
        self._defaults: dict[str, Reply] = {}
        self._default = default or Reply.ok()
        self._requests: list[Received] = []
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------

    def start(self) -> FaultServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fault-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and config --------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, provider: str) -> str:
        return f"{self.url}/{provider}/v1"

    def provider(self, name: str, kind: str = "openai", **overrides: Any) -> ProviderConfig:
        """A ProviderConfig pointing at this server (loopback: no key needed)."""
        return ProviderConfig(name=name, kind=kind, base_url=self.base_url(name), model=f"{name}-model", **overrides)

    def write_config(
        self, path: Path, providers: Sequence[ProviderConfig | str], analysis: AnalysisConfig | None = None
    ) -> Path:
        """Write a config TOML whose chain is ``providers`` (names = OpenAI dialect)."""
        chain = tuple(self.provider(p) if isinstance(p, str) else p for p in providers)
        return save_config(Config(analysis=analysis or AnalysisConfig(), providers=chain), path)

    # -- scripting and records -------------------------------------------

    def script(self, provider: str, *replies: Reply) -> None:
        """Queue replies for ``provider``'s next requests, in order."""
        with self._lock:
            self._scripts.setdefault(provider, []).extend(replies)

    def set_default(self, reply: Reply, provider: str | None = None) -> None:
        """The reply for requests with nothing scripted (for one provider or all)."""
        with self._lock:
            if provider is None:
                self._default = reply
            else:
                self._defaults[provider] = reply

    def _next_reply(self, provider: str) -> Reply:
        with self._lock:
            queue = self._scripts.get(provider)
            if queue:
                return queue.pop(0)
            return self._defaults.get(provider, self._default)

    def _record(self, received: Received) -> None:
        with self._lock:
            self._requests.append(received)
            self._lock.notify_all()

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, provider: str) -> list[Received]:
        return [r for r in self.requests if r.provider == provider]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` requests arrived (for other threads/processes)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._requests) >= count, timeout)


def with_delay(reply: Reply, delay_s: float) -> Reply:
    return replace(reply, delay_s=delay_s)


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    """A started FaultServer, stopped after the test."""
    with FaultServer() as server:
        yield server
