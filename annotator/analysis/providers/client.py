"""One configured provider, called over HTTP with a streamed reply.

``HttpProvider(config, client, key).analyze(request, deadline)`` sends one
request in the provider's wire dialect (``openai.OpenAIDialect`` or
``anthropic.AnthropicDialect``, by ``config.kind``) over a shared
``httpx.AsyncClient``, reads the server-sent events (``sse``) and returns a
``Result`` with one attempt; it never raises for provider trouble.

Each attempt is watched by four limits, each capped by the deadline
(``watch.Watch``). 401/403/404 mark the provider misconfigured for the rest
of the session; a 429 with ``Retry-After`` keeps it from being called before
that time (both show as ``SKIPPED`` attempts later); every other failure
fails over (``failure``). Resets and refused connections before a reply are
``CONNECT_ERROR``, a stream broken or closed early is ``CUT``, an unexpected
reply shape (a malformed event, a web page, JSON instead of a stream) is
``MALFORMED``. Every text a provider sends (error bodies, stream errors, the
reply) is scrubbed of every key the process holds and of key-shaped strings
(``annotator.redaction``) before it leaves as an ``Attempt`` or a parsed reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import httpx

from annotator.analysis.insight import InvalidReply
from annotator.analysis.prompt import estimate_tokens
from annotator.analysis.providers.anthropic import AnthropicDialect
from annotator.analysis.providers.dialect import Dialect, Event
from annotator.analysis.providers.failure import Fail, describe, parse_retry_after, status_failure, unexpected
from annotator.analysis.providers.interface import Clock, ProviderState, Request, Result
from annotator.analysis.providers.openai import OpenAIDialect
from annotator.analysis.providers.sse import Decoder, ServerEvent, not_an_event_stream
from annotator.analysis.providers.watch import Watch
from annotator.analysis.usage import cost_usd
from annotator.config.schema import ProviderConfig
from annotator.config.validation import plain_http_reason, secure_for_key
from annotator.models import Attempt, Outcome
from annotator.redaction import Redactor

DIALECTS: dict[str, Callable[[ProviderConfig], Dialect]] = {"openai": OpenAIDialect, "anthropic": AnthropicDialect}
"""The wire dialect of each ``ProviderConfig.kind`` (config validation admits no other)."""


@dataclass
class _Progress:
    """What one streaming attempt has seen so far (mutable, per attempt)."""

    status: int | None = None
    model: str = ""
    text: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    usage_reported: bool = False
    stop: str | None = None

    def add(self, event: Event) -> None:
        self.text += event.text
        self.model = event.model or self.model
        if event.input_tokens is not None:
            self.input_tokens = event.input_tokens
        if event.output_tokens is not None:
            self.output_tokens = event.output_tokens
        if event.usage_reported is not None:
            self.usage_reported = event.usage_reported
        self.stop = event.stop or self.stop


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
        self.dialect = DIALECTS.get(config.kind, OpenAIDialect)(config)
        self._client = client
        self._key = key
        self._redact = (redact or Redactor()).adding([key])
        self._clock = clock
        self._wall_clock = wall_clock
        self._misconfigured: str | None = None
        self._retry_at: float | None = None
        self._last: Attempt | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def model(self) -> str:
        return self.config.model

    def state(self) -> ProviderState:
        return ProviderState(self.name, self.model, self._misconfigured, self._retry_at, self._last)

    # -- one attempt -----------------------------------------------------

    async def analyze(self, request: Request, deadline: float) -> Result:
        now = self._clock()
        if self._misconfigured is not None:
            return self._done(
                Attempt(self.name, self.model, Outcome.SKIPPED, detail=f"misconfigured: {self._misconfigured}")
            )
        if self._retry_at is not None and self._retry_at > now:
            left = self._retry_at - now
            return self._done(
                Attempt(
                    self.name, self.model, Outcome.SKIPPED, detail=f"rate limited: Retry-After has {left:.0f} s to run"
                )
            )
        if deadline <= now:
            return self._done(
                Attempt(self.name, self.model, Outcome.DEADLINE, detail="the chain's deadline had run out")
            )

        progress = _Progress()
        watch = Watch(self.config, deadline, self._clock)
        task = asyncio.ensure_future(self._stream(request, watch, progress, deadline - now))
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
        except Fail as fail:
            return self._done(self._attempt(fail.outcome, progress, now, fail.detail, fail.status))
        except Exception as err:  # noqa: BLE001 - the one catch-all: provider trouble never escapes
            return self._done(self._attempt(Outcome.MALFORMED, progress, now, unexpected(err).detail))
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

    # -- the exchange ----------------------------------------------------

    def _http_request(self, request: Request, watch: Watch, deadline_left: float) -> httpx.Request:
        c = self.config
        url = c.base_url.rstrip("/") + self.dialect.path
        headers = {"content-type": "application/json", "accept": "text/event-stream", **self.dialect.headers(self._key)}
        connect = max(0.001, min(c.connect_timeout_s, deadline_left))
        timeout = httpx.Timeout(connect=connect, read=None, write=connect, pool=connect)
        return self._client.build_request(
            "POST",
            url,
            json=self.dialect.body(request),
            headers=headers,
            timeout=timeout,
            extensions={"trace": watch.trace},
        )

    async def _send(self, request: Request, watch: Watch, deadline_left: float) -> httpx.Response:
        if self._key and not secure_for_key(self.config.base_url):
            # a config built in code (not validated on load) must not leak the key either
            raise Fail(Outcome.MISCONFIGURED, f"not sent: base_url: {plain_http_reason(self.config.base_url)}")
        http_request = self._http_request(request, watch, deadline_left)
        try:
            return await self._client.send(http_request, stream=True)
        except httpx.ConnectTimeout as err:
            raise Fail(
                Outcome.TIMEOUT, f"no connection within connect_timeout_s = {self.config.connect_timeout_s:g} s"
            ) from err
        except httpx.ConnectError as err:
            raise Fail(Outcome.CONNECT_ERROR, f"cannot connect: {describe(err)}") from err
        except httpx.TimeoutException as err:
            raise Fail(Outcome.TIMEOUT, f"timed out before a reply: {type(err).__name__}") from err
        except httpx.TransportError as err:
            raise Fail(Outcome.CONNECT_ERROR, f"connection closed before a reply: {describe(err)}") from err

    async def _stream(self, request: Request, watch: Watch, p: _Progress, deadline_left: float) -> Any:
        response = await self._send(request, watch, deadline_left)
        try:
            p.status = response.status_code
            if response.status_code != 200:
                body = await _body(response)
                if self.dialect.drop_rejected_option(response.status_code, body):
                    # e.g. an OpenAI-compatible server that does not know stream_options: send this
                    # request once more without it (part of this attempt)
                    await response.aclose()
                    watch.arm("connect", self.config.connect_timeout_s)
                    response = await self._send(request, watch, max(0.0, watch.end - self._clock()))
                    p.status = response.status_code
                    body = await _body(response) if response.status_code != 200 else b""
                if response.status_code != 200:
                    self._fail_for_status(response, body)
            await self._read(response, watch, p)
        except httpx.TransportError as err:
            raise Fail(Outcome.CUT, f"stream broken after {len(p.text)} characters: {describe(err)}") from err
        finally:
            await response.aclose()
        if not p.usage_reported:
            p.input_tokens = request.est_input_tokens
        try:
            return request.parse(self._redact(p.text))
        except InvalidReply as err:
            raise Fail(Outcome.CUT if err.truncated else Outcome.INVALID_REPLY, str(err)) from err

    def _fail_for_status(self, response: httpx.Response, body: bytes) -> NoReturn:
        status = response.status_code
        wait = parse_retry_after(response.headers.get("retry-after"), self._wall_clock()) if status == 429 else None
        if wait is not None:
            self._retry_at = self._clock() + wait
        raise status_failure(status, body, wait)

    async def _read(self, response: httpx.Response, watch: Watch, p: _Progress) -> None:
        """Read the stream to its end marker (or its close), re-arming the watch on every line."""
        decoder = Decoder()
        first = True
        ended = False
        async for line in response.aiter_lines():
            watch.arm("stall", self.config.stall_timeout_s)
            if first and line.strip():
                first = False
                fail = not_an_event_stream(line, response.headers.get("content-type", ""), self.config.base_url)
                if fail is not None:
                    raise fail
            event = decoder.feed(line)
            if event is not None and self._take(event, p):
                ended = True
                break
        else:
            event = decoder.flush()
            ended = event is not None and self._take(event, p)
        self.dialect.check_end(p.stop, ended, len(p.text))

    def _take(self, event: ServerEvent, p: _Progress) -> bool:
        """Add one event to the attempt; True at the dialect's end marker."""
        if not event.data:
            return False
        parsed = self.dialect.parse(event.name, event.data)
        p.add(parsed)
        return parsed.end


async def _body(response: httpx.Response) -> bytes:
    """An error reply's body (empty if it cannot be read)."""
    try:
        return await response.aread()
    except httpx.HTTPError:
        return b""
