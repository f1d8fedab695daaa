"""The OpenAI-compatible chat completions dialect (OpenAI, Cerebras, NVIDIA NIM, Kimi, Groq, OpenRouter, Ollama, ...).

``POST {base_url}/chat/completions`` with ``Authorization: Bearer``; the
reply is complete when ``data: [DONE]`` arrives or a chunk reports
``finish_reason: "stop"``; ``finish_reason: "length"`` is a cut reply.

Every such provider is asked for token counts (``stream_options:
{include_usage: true}``); one that rejects the option (a 400/422 naming it,
or an unknown parameter) is asked again at once without it, within the same
attempt, and never sent it again this session. Known JSON-mode hosts (or
``json_mode = true``) are asked for ``response_format: json_object``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from annotator.analysis.providers.dialect import WRONG_TYPE, Event, load_event
from annotator.analysis.providers.failure import Fail, error_message, unexpected
from annotator.analysis.providers.interface import Request
from annotator.config.schema import ProviderConfig
from annotator.models import Outcome

JSON_MODE_HOSTS = ("api.openai.com", "api.cerebras.ai", "api.moonshot.ai", "api.groq.com", "openrouter.ai")
OPTION_REJECTED = re.compile(  # a 400/422 body saying stream_options is not understood
    r"stream_options|include_usage|(unknown|unrecogni[sz]ed|unsupported|unexpected|extra)\W+(\w+\W+)?"
    r"(parameter|argument|field|input|propert)",
    re.IGNORECASE,
)


class OpenAIDialect:
    """Chat completions, streamed. Holds one session fact: whether the
    provider still gets ``stream_options`` (``asks_usage``)."""

    path = "/chat/completions"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.asks_usage = True  # until the provider rejects stream_options

    def json_mode(self) -> bool:
        if self.config.json_mode is not None:
            return self.config.json_mode
        return (urlsplit(self.config.base_url).hostname or "") in JSON_MODE_HOSTS

    def headers(self, key: str | None) -> dict[str, str]:
        return {"authorization": f"Bearer {key}"} if key else {}

    def body(self, request: Request) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.user},
            ],
            "max_tokens": self.config.max_tokens,
            "temperature": 0.2,
            "stream": True,
        }
        if self.json_mode():
            body["response_format"] = {"type": "json_object"}
        if self.asks_usage:
            body["stream_options"] = {"include_usage": True}  # token counts at the end of the stream
        return body

    def drop_rejected_option(self, status: int, body: bytes) -> bool:
        if self.asks_usage and status in (400, 422) and OPTION_REJECTED.search(body[:4000].decode("utf-8", "replace")):
            self.asks_usage = False
            return True
        return False

    def parse(self, name: str, data: str) -> Event:
        if data.strip() == "[DONE]":
            return Event(end=True)
        obj = load_event(data)
        if "error" in obj:
            raise Fail(Outcome.HTTP_ERROR, f"error in stream: {error_message(data.encode())}")
        try:
            model = str(obj.get("model") or "")
            choices = obj.get("choices") or []
            usage = obj.get("usage")
            text = ""
            stop = None
            if choices and isinstance(choices[0], dict):
                choice = choices[0]
                delta = choice.get("delta") or {}
                piece = delta.get("content") if isinstance(delta, dict) else None
                if isinstance(piece, str):
                    text = piece
                stop = choice.get("finish_reason")
                usage = usage or choice.get("usage")  # Moonshot puts it here
            if isinstance(usage, dict):
                return Event(
                    text,
                    model,
                    input_tokens=int(usage.get("prompt_tokens") or 0),
                    output_tokens=int(usage.get("completion_tokens") or 0),
                    usage_reported=True,
                    stop=stop,
                )
            return Event(text, model, stop=stop)
        except WRONG_TYPE as err:  # a value of the wrong type in a known field
            raise unexpected(err) from err

    def check_end(self, stop: str | None, ended: bool, chars: int) -> None:
        if stop == "length":
            raise Fail(Outcome.CUT, f"reply cut at max_tokens = {self.config.max_tokens}")
        if not ended and stop != "stop":
            raise Fail(Outcome.CUT, f"stream ended before [DONE] after {chars} characters")
