"""Analysis providers: one interface, HTTP streaming implementations.

Every provider, and the failover chain made of them (``chain.Chain``), has
the same shape (Starlette-style composition: a chain is a provider)::

    result = await provider.analyze(request, deadline)   # deadline: time.monotonic() value

``analyze`` never raises for provider trouble: it returns a ``Result`` whose
``attempts`` record what happened (``models.Attempt``) and whose ``insight``
is None when no valid insight came back.

``HttpProvider`` speaks two dialects over ``httpx.AsyncClient``, streaming
(server-sent events):

- ``openai``: ``POST {base_url}/chat/completions``, ``Authorization: Bearer``;
  complete when ``data: [DONE]`` arrives or a chunk reports
  ``finish_reason: "stop"``; ``finish_reason: "length"`` is a cut reply.
  Every such provider is asked for token counts (``stream_options:
  {include_usage: true}``); one that rejects the option (a 400/422 naming
  it, or an unknown parameter) is asked again at once without it, within
  the same attempt, and never sent it again this session.
- ``anthropic``: ``POST {base_url}/messages``, ``x-api-key``,
  ``anthropic-version: 2023-06-01``; complete at ``message_stop``;
  ``stop_reason: "max_tokens"`` is a cut reply; an ``error`` event (e.g.
  ``overloaded_error``) fails over.

Each attempt is watched by four limits, each capped by the deadline: connect
(``connect_timeout_s``), request sent -> first streamed event
(``first_token_timeout_s``), silence between events (``stall_timeout_s``) and
the whole attempt (``timeout_s``). 401/403/404 mark the provider
misconfigured for the rest of the session; a 429 with ``Retry-After`` keeps it
from being called before that time (both show as ``SKIPPED`` attempts later).
Every other non-200 status (408/409/429/5xx/529, and other 4xx such as a 400
for an option the provider does not support) fails over to the next provider.
An unexpected reply shape is a ``MALFORMED`` attempt, never an exception.
Every text a provider sends (error bodies, stream errors, the reply) is
scrubbed of every key the process holds and of key-shaped strings
(``annotator.redaction``) before it leaves as an ``Attempt`` or a parsed reply.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from annotator.analysis.insight import InvalidReply, parse_insight
from annotator.analysis.prompt import estimate_tokens
from annotator.analysis.usage import cost_usd
from annotator.config.schema import ProviderConfig
from annotator.config.validation import plain_http_reason, secure_for_key
from annotator.models import Attempt, Insight, Outcome
from annotator.redaction import Redactor

Clock = Callable[[], float]

ANTHROPIC_VERSION = "2023-06-01"
MAX_RETRY_AFTER_S = 3600.0
_JSON_MODE_HOSTS = ("api.openai.com", "api.cerebras.ai", "api.moonshot.ai", "api.groq.com", "openrouter.ai")
_OPTION_REJECTED = re.compile(  # a 400/422 body saying stream_options is not understood
    r"stream_options|include_usage|(unknown|unrecogni[sz]ed|unsupported|unexpected|extra)\W+(\w+\W+)?"
    r"(parameter|argument|field|input|propert)",
    re.IGNORECASE,
)
WEB_PAGE = "answered with a web page, not the API"
_SSE_FIELDS = ("data", "event", "id", "retry", "")  # "" = a comment line (": ...")
_FAILOVER_STATUSES = {408, 409, 425, 429, 500, 502, 503, 504, 529}
_MISCONFIGURED_STATUSES = {401, 403, 404}


@dataclass(frozen=True)
class Request:
    """What to send: the differential prompt (see ``prompt.build_prompt``)."""

    system: str
    user: str
    max_claims: int = 8

    @property
    def est_input_tokens(self) -> int:
        return estimate_tokens(self.system) + estimate_tokens(self.user)

    def parse(self, text: str) -> Any:
        """The reply this request asked for, parsed strictly from the streamed
        text; ``InvalidReply`` (truncated or not) makes the chain fail over.
        A request for another kind of reply (the post-session review)
        overrides this."""
        return parse_insight(text, max_claims=self.max_claims)


@dataclass(frozen=True)
class Result:
    """What came back: the parsed reply (an ``Insight`` for a live request,
    see ``Request.parse``) and who answered, or None; every attempt."""

    insight: Any
    provider: str | None
    model: str | None
    attempts: tuple[Attempt, ...]


class Provider(Protocol):
    """The one interface shared by single providers and the chain."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    async def analyze(self, request: Request, deadline: float) -> Result: ...


@dataclass(frozen=True)
class ProviderState:
    """A snapshot of one provider for status displays.

    ``misconfigured`` is the reason it is skipped for the session (None if
    not); ``retry_at`` a ``time.monotonic()`` time before which it is not
    called; ``last`` its most recent attempt.
    """

    name: str
    model: str
    misconfigured: str | None = None
    retry_at: float | None = None
    last: Attempt | None = None

    def retry_in_s(self, now: float) -> float | None:
        if self.retry_at is None or self.retry_at <= now:
            return None
        return self.retry_at - now


class _Fail(Exception):
    """An attempt that ended without an insight (internal to this module)."""

    def __init__(self, outcome: Outcome, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.status = status


@dataclass
class _Progress:
    """What one streaming attempt has seen so far (mutable, per attempt)."""

    status: int | None = None
    model: str = ""
    text: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    usage_reported: bool = False


class _Watch:
    """The per-attempt limits: which one is armed, and when it runs out."""

    def __init__(self, config: ProviderConfig, deadline: float, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        start = clock()
        own_end = start + config.timeout_s
        self.end = min(own_end, deadline)
        self.end_is_deadline = deadline < own_end
        self.phase = "connect"
        self.limit = start + config.connect_timeout_s
        self.sooner = asyncio.Event()  # set when a limit moved earlier than the one being waited for

    def arm(self, phase: str, seconds: float) -> None:
        limit = self._clock() + seconds
        if limit < self.limit:
            self.sooner.set()
        self.phase = phase
        self.limit = limit

    def expires_at(self) -> float:
        return min(self.limit, self.end)

    async def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore trace hook: the request is sent once response headers are awaited."""
        if event.endswith("receive_response_headers.started") and self.phase == "connect":
            self.arm("first_token", self._config.first_token_timeout_s)

    def expired(self) -> _Fail:
        c = self._config
        if self.end <= self.limit:
            if self.end_is_deadline:
                return _Fail(Outcome.DEADLINE, "the chain's deadline ran out during this attempt")
            return _Fail(Outcome.TIMEOUT, f"no complete reply within timeout_s = {c.timeout_s:g} s")
        if self.phase == "connect":
            return _Fail(Outcome.TIMEOUT, f"no connection within connect_timeout_s = {c.connect_timeout_s:g} s")
        if self.phase == "first_token":
            return _Fail(Outcome.TIMEOUT, f"no first token within first_token_timeout_s = {c.first_token_timeout_s:g} s")
        return _Fail(Outcome.STALLED, f"stream silent for more than stall_timeout_s = {c.stall_timeout_s:g} s")


def parse_retry_after(value: str | None, now_wall: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now_wall
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _error_message(body: bytes) -> str:
    """The provider's own error sentence, if the body has one (bounded)."""
    text = body[:2000].decode("utf-8", "replace")
    if _looks_like_html(text):
        return WEB_PAGE
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("type") or ""
            return " ".join(str(msg).split())[:200]
        if isinstance(err, str):
            return err[:200]
    return ""


async def _body(response: httpx.Response) -> bytes:
    """An error reply's body (empty if it cannot be read)."""
    try:
        return await response.aread()
    except httpx.HTTPError:
        return b""


def _describe(err: BaseException) -> str:
    return str(err) or type(err).__name__


def _looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<?xml", "<!--")) or (
        head.startswith("<") and "<html" in text[:2000].lower()
    )


def _not_an_event_stream(line: str, content_type: str, base_url: str) -> _Fail | None:
    """Why a 200 reply whose first line is ``line`` is not a server-sent event stream (None if it is).

    A login portal, a proxy's error page or a ``base_url`` pointing at a
    website answers 200 with HTML: said so, rather than "cut short after 0
    characters"."""
    text = line.lstrip("\ufeff").strip()
    if text.split(":", 1)[0] in _SSE_FIELDS:
        return None
    if _looks_like_html(text) or "html" in content_type:
        return _Fail(Outcome.MALFORMED, f"{WEB_PAGE}: check base_url ({base_url})")
    if text.startswith(("{", "[")):
        said = _error_message(text.encode())
        return _Fail(
            Outcome.MALFORMED,
            f"answered with JSON, not an event stream{f' ({said})' if said else ''}: check base_url ({base_url})",
        )
    what = content_type.split(";")[0].strip() or "something"
    return _Fail(Outcome.MALFORMED, f"answered with {what}, not an event stream: check base_url ({base_url})")


def _sse_events(lines: list[str]) -> tuple[str, str]:
    event = ""
    data: list[str] = []
    for line in lines:
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    return event, "\n".join(data)


class HttpProvider:
    """One configured provider, called over HTTP with a streamed reply.

    Holds the session state the chain's rules need (misconfigured, Retry-After,
    last attempt); ``state()`` returns a snapshot of it.
    """

    def __init__(
        self,
        config: ProviderConfig,
        client: httpx.AsyncClient,
        key: str | None,
        *,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        redact: Redactor | None = None,
    ) -> None:
        self.config = config
        self._client = client
        self._key = key
        self._redact = (redact or Redactor()).adding([key])
        self._clock = clock
        self._wall_clock = wall_clock
        self._misconfigured: str | None = None
        self._retry_at: float | None = None
        self._last: Attempt | None = None
        self._usage_option = config.kind == "openai"  # until the provider rejects stream_options

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def model(self) -> str:
        return self.config.model

    def state(self) -> ProviderState:
        return ProviderState(self.name, self.model, self._misconfigured, self._retry_at, self._last)

    # -- the request -----------------------------------------------------

    def _json_mode(self) -> bool:
        if self.config.json_mode is not None:
            return self.config.json_mode
        return (urlsplit(self.config.base_url).hostname or "") in _JSON_MODE_HOSTS

    def _http_request(self, request: Request, watch: _Watch, deadline_left: float) -> httpx.Request:
        c = self.config
        base = c.base_url.rstrip("/")
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        body: dict[str, Any]
        if c.kind == "anthropic":
            url = f"{base}/messages"
            headers["anthropic-version"] = ANTHROPIC_VERSION
            if self._key:
                headers["x-api-key"] = self._key
            body = {
                "model": c.model,
                "system": request.system,
                "messages": [{"role": "user", "content": request.user}],
                "max_tokens": c.max_tokens,
                "temperature": 0.2,
                "stream": True,
            }
        else:
            url = f"{base}/chat/completions"
            if self._key:
                headers["authorization"] = f"Bearer {self._key}"
            body = {
                "model": c.model,
                "messages": [
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": request.user},
                ],
                "max_tokens": c.max_tokens,
                "temperature": 0.2,
                "stream": True,
            }
            if self._json_mode():
                body["response_format"] = {"type": "json_object"}
            if self._usage_option:
                body["stream_options"] = {"include_usage": True}  # token counts at the end of the stream
        connect = max(0.001, min(c.connect_timeout_s, deadline_left))
        timeout = httpx.Timeout(connect=connect, read=None, write=connect, pool=connect)
        return self._client.build_request(
            "POST", url, json=body, headers=headers, timeout=timeout, extensions={"trace": watch.trace}
        )

    # -- one attempt -----------------------------------------------------

    async def analyze(self, request: Request, deadline: float) -> Result:
        now = self._clock()
        if self._misconfigured is not None:
            return self._done(Attempt(self.name, self.model, Outcome.SKIPPED, detail=f"misconfigured: {self._misconfigured}"))
        if self._retry_at is not None and self._retry_at > now:
            left = self._retry_at - now
            return self._done(
                Attempt(self.name, self.model, Outcome.SKIPPED, detail=f"rate limited: Retry-After has {left:.0f} s to run")
            )
        if deadline <= now:
            return self._done(Attempt(self.name, self.model, Outcome.DEADLINE, detail="the chain's deadline had run out"))

        progress = _Progress()
        watch = _Watch(self.config, deadline, self._clock)
        task = asyncio.ensure_future(self._stream(request, watch, progress, deadline - now))
        insight: Insight | None = None
        try:
            while not task.done():
                wait = watch.expires_at() - self._clock()
                if wait > 0:
                    watch.sooner.clear()
                    sooner = asyncio.ensure_future(watch.sooner.wait())
                    try:
                        await asyncio.wait({task, sooner}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        sooner.cancel()
                    continue  # done, or the watch may have been re-armed meanwhile
                task.cancel()
                await asyncio.wait({task})
                raise watch.expired()
            insight = task.result()
        except _Fail as fail:
            return self._done(self._attempt(fail.outcome, progress, now, fail.detail, fail.status))
        except Exception as err:  # noqa: BLE001 - the one catch-all: provider trouble never escapes
            detail = f"unexpected reply ({type(err).__name__}: {_describe(err)[:120]})"
            return self._done(self._attempt(Outcome.MALFORMED, progress, now, detail))
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait({task})
        attempt = self._attempt(Outcome.OK, progress, now, "" if progress.usage_reported else "tokens estimated")
        return Result(insight, self.name, attempt.model, (self._remember(attempt),))

    def _done(self, attempt: Attempt) -> Result:
        return Result(None, None, None, (self._remember(attempt),))

    def _remember(self, attempt: Attempt) -> Attempt:
        """The one way out for an attempt: provider text in it is scrubbed of keys here."""
        attempt = replace(attempt, model=self._redact(attempt.model), detail=self._redact(attempt.detail))
        if attempt.outcome is Outcome.MISCONFIGURED:
            self._misconfigured = attempt.detail
        self._last = attempt
        return attempt

    def _attempt(self, outcome: Outcome, p: _Progress, start: float, detail: str, status: int | None = None) -> Attempt:
        if outcome is Outcome.OK and not p.usage_reported:
            # the provider did not report usage: estimate it so costs are not shown as zero
            p.output_tokens = p.output_tokens or estimate_tokens(p.text)
        return Attempt(
            provider=self.name,
            model=p.model or self.model,
            outcome=outcome,
            status=status if status is not None else p.status,
            elapsed_ms=max(1, round((self._clock() - start) * 1000)),
            input_tokens=p.input_tokens,
            output_tokens=p.output_tokens,
            cost_usd=cost_usd(self.config, p.input_tokens, p.output_tokens),
            detail=detail,
        )

    async def _send(self, request: Request, watch: _Watch, deadline_left: float) -> httpx.Response:
        if self._key and not secure_for_key(self.config.base_url):
            # a config built in code (not validated on load) must not leak the key either
            raise _Fail(Outcome.MISCONFIGURED, f"not sent: base_url: {plain_http_reason(self.config.base_url)}")
        http_request = self._http_request(request, watch, deadline_left)
        try:
            return await self._client.send(http_request, stream=True)
        except httpx.ConnectTimeout as err:
            raise _Fail(Outcome.TIMEOUT, f"no connection within connect_timeout_s = {self.config.connect_timeout_s:g} s") from err
        except httpx.ConnectError as err:
            raise _Fail(Outcome.CONNECT_ERROR, f"cannot connect: {_describe(err)}") from err
        except httpx.TimeoutException as err:
            raise _Fail(Outcome.TIMEOUT, f"timed out before a reply: {type(err).__name__}") from err
        except httpx.TransportError as err:
            raise _Fail(Outcome.CONNECT_ERROR, f"connection closed before a reply: {_describe(err)}") from err

    async def _stream(self, request: Request, watch: _Watch, p: _Progress, deadline_left: float) -> Any:
        response = await self._send(request, watch, deadline_left)
        try:
            p.status = response.status_code
            if response.status_code != 200:
                body = await _body(response)
                if self._usage_option and response.status_code in (400, 422) and _OPTION_REJECTED.search(
                    body[:4000].decode("utf-8", "replace")
                ):
                    # An OpenAI-compatible server that does not know stream_options: drop it for the
                    # session and send this request once more without it (part of this attempt).
                    self._usage_option = False
                    await response.aclose()
                    watch.arm("connect", self.config.connect_timeout_s)
                    response = await self._send(request, watch, max(0.0, watch.end - self._clock()))
                    p.status = response.status_code
                    body = await _body(response) if response.status_code != 200 else b""
                if response.status_code != 200:
                    self._fail_for_status(response, body)
            if self.config.kind == "anthropic":
                await self._read_anthropic(response, watch, p)
            else:
                await self._read_openai(response, watch, p)
        except httpx.TransportError as err:
            raise _Fail(Outcome.CUT, f"stream broken after {len(p.text)} characters: {_describe(err)}") from err
        finally:
            await response.aclose()
        if not p.usage_reported:
            p.input_tokens = request.est_input_tokens
        try:
            return request.parse(self._redact(p.text))
        except InvalidReply as err:
            raise _Fail(Outcome.CUT if err.truncated else Outcome.INVALID_REPLY, str(err)) from err

    def _fail_for_status(self, response: httpx.Response, body: bytes) -> None:
        status = response.status_code
        message = _error_message(body)
        said = f": {message}" if message else ""
        if status in _MISCONFIGURED_STATUSES:
            what = {401: "key refused", 403: "access refused", 404: "not found (retired model or wrong base_url)"}[status]
            raise _Fail(Outcome.MISCONFIGURED, f"HTTP {status}, {what}{said}", status)
        if status == 429:
            wait = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
            if wait is not None:
                self._retry_at = self._clock() + wait
                raise _Fail(Outcome.RATE_LIMITED, f"HTTP 429, rate limited; Retry-After {wait:.0f} s{said}", status)
            raise _Fail(Outcome.RATE_LIMITED, f"HTTP 429, rate limited{said}", status)
        if status in _FAILOVER_STATUSES or status >= 500:
            name = "overloaded" if status == 529 else "server error" if status >= 500 else "refused"
            raise _Fail(Outcome.HTTP_ERROR, f"HTTP {status}, {name}{said}", status)
        raise _Fail(Outcome.HTTP_ERROR, f"HTTP {status}{said}", status)

    async def _events(self, response: httpx.Response, watch: _Watch) -> Any:
        """Yield (event, data) per server-sent event, re-arming the watch."""
        pending: list[str] = []
        first = True
        async for line in response.aiter_lines():
            watch.arm("stall", self.config.stall_timeout_s)
            if first and line.strip():
                first = False
                fail = _not_an_event_stream(line, response.headers.get("content-type", ""), self.config.base_url)
                if fail is not None:
                    raise fail
            if line.strip():
                pending.append(line)
                continue
            if pending:
                yield _sse_events(pending)
                pending = []
        if pending:
            yield _sse_events(pending)

    @staticmethod
    def _load(data: str) -> dict[str, Any]:
        try:
            obj = json.loads(data)
        except ValueError as err:
            raise _Fail(Outcome.MALFORMED, f"malformed stream event: {data[:80]!r}") from err
        if not isinstance(obj, dict):
            raise _Fail(Outcome.MALFORMED, f"malformed stream event: {data[:80]!r}")
        return obj

    async def _read_openai(self, response: httpx.Response, watch: _Watch, p: _Progress) -> None:
        finish: str | None = None
        done = False
        async for _event, data in self._events(response, watch):
            if not data:
                continue
            if data.strip() == "[DONE]":
                done = True
                break
            obj = self._load(data)
            if "error" in obj:
                raise _Fail(Outcome.HTTP_ERROR, f"error in stream: {_error_message(data.encode())}")
            p.model = str(obj.get("model") or p.model)
            choices = obj.get("choices") or []
            usage = obj.get("usage")
            if choices and isinstance(choices[0], dict):
                choice = choices[0]
                delta = choice.get("delta") or {}
                piece = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(piece, str):
                    p.text += piece
                finish = choice.get("finish_reason") or finish
                usage = usage or choice.get("usage")  # Moonshot puts it here
            if isinstance(usage, dict):
                p.input_tokens = int(usage.get("prompt_tokens") or 0)
                p.output_tokens = int(usage.get("completion_tokens") or 0)
                p.usage_reported = True
        if finish == "length":
            raise _Fail(Outcome.CUT, f"reply cut at max_tokens = {self.config.max_tokens}")
        if not done and finish != "stop":
            raise _Fail(Outcome.CUT, f"stream ended before [DONE] after {len(p.text)} characters")

    async def _read_anthropic(self, response: httpx.Response, watch: _Watch, p: _Progress) -> None:
        stop: str | None = None
        done = False
        async for event, data in self._events(response, watch):
            if not data:
                continue
            obj = self._load(data)
            kind = obj.get("type", event)
            if kind == "message_start":
                message = obj.get("message") or {}
                p.model = str(message.get("model") or p.model)
                usage = message.get("usage") or {}
                p.input_tokens = int(usage.get("input_tokens") or 0)
                p.output_tokens = int(usage.get("output_tokens") or 0)
                p.usage_reported = "input_tokens" in usage
            elif kind == "content_block_delta":
                delta = obj.get("delta") or {}
                if delta.get("type") == "text_delta" and isinstance(delta.get("text"), str):
                    p.text += delta["text"]
            elif kind == "message_delta":
                stop = (obj.get("delta") or {}).get("stop_reason") or stop
                usage = obj.get("usage") or {}
                if "output_tokens" in usage:
                    p.output_tokens = int(usage["output_tokens"] or 0)
            elif kind == "message_stop":
                done = True
                break
            elif kind == "error":
                err = obj.get("error") or {}
                raise _Fail(Outcome.HTTP_ERROR, f"error in stream: {err.get('type', '')} {err.get('message', '')}".strip())
        if stop == "max_tokens":
            raise _Fail(Outcome.CUT, f"reply cut at max_tokens = {self.config.max_tokens}")
        if not done:
            raise _Fail(Outcome.CUT, f"stream ended before message_stop after {len(p.text)} characters")
