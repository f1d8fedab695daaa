"""The Anthropic messages dialect.

``POST {base_url}/messages`` with ``x-api-key`` and ``anthropic-version:
2023-06-01``; the reply is complete at ``message_stop``; ``stop_reason:
"max_tokens"`` is a cut reply; an ``error`` event (e.g.
``overloaded_error``) fails over. Token counts come in ``message_start``
(input) and ``message_delta`` (output).
"""

from __future__ import annotations

from typing import Any

from annotator.analysis.providers.dialect import WRONG_TYPE, Event, load_event
from annotator.analysis.providers.failure import Fail, unexpected
from annotator.analysis.providers.interface import Request
from annotator.config.schema import ProviderConfig
from annotator.models import Outcome

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicDialect:
    """Messages, streamed."""

    path = "/messages"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    def headers(self, key: str | None) -> dict[str, str]:
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if key:
            headers["x-api-key"] = key
        return headers

    def body(self, request: Request) -> dict[str, Any]:
        return {
            "model": self.config.model,
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
            "max_tokens": self.config.max_tokens,
            "temperature": 0.2,
            "stream": True,
        }

    def drop_rejected_option(self, status: int, body: bytes) -> bool:
        return False  # nothing optional is sent

    def parse(self, name: str, data: str) -> Event:
        obj = load_event(data)
        try:
            kind = obj.get("type", name)
            if kind == "message_start":
                message = obj.get("message") or {}
                usage = message.get("usage") or {}
                return Event(
                    model=str(message.get("model") or ""),
                    input_tokens=int(usage.get("input_tokens") or 0),
                    output_tokens=int(usage.get("output_tokens") or 0),
                    usage_reported="input_tokens" in usage,
                )
            if kind == "content_block_delta":
                delta = obj.get("delta") or {}
                if delta.get("type") == "text_delta" and isinstance(delta.get("text"), str):
                    return Event(text=delta["text"])
                return Event()
            if kind == "message_delta":
                stop = (obj.get("delta") or {}).get("stop_reason")
                usage = obj.get("usage") or {}
                if "output_tokens" in usage:
                    return Event(output_tokens=int(usage["output_tokens"] or 0), stop=stop)
                return Event(stop=stop)
            if kind == "message_stop":
                return Event(end=True)
            if kind == "error":
                err = obj.get("error") or {}
                raise Fail(
                    Outcome.HTTP_ERROR, f"error in stream: {err.get('type', '')} {err.get('message', '')}".strip()
                )
            return Event()  # ping, content_block_start/stop, and what a later API version adds
        except WRONG_TYPE as err:  # a value of the wrong type in a known field
            raise unexpected(err) from err

    def check_end(self, stop: str | None, ended: bool, chars: int) -> None:
        if stop == "max_tokens":
            raise Fail(Outcome.CUT, f"reply cut at max_tokens = {self.config.max_tokens}")
        if not ended:
            raise Fail(Outcome.CUT, f"stream ended before message_stop after {chars} characters")
