"""The OpenAI chat completions dialect: the request it builds, and its strict reading of one stream event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotator.analysis.providers.dialect import Event
from annotator.analysis.providers.failure import Fail
from annotator.analysis.providers.interface import Request
from annotator.analysis.providers.openai import OpenAIDialect
from annotator.config.schema import ProviderConfig
from annotator.models import Outcome

REQUEST = Request("Return an insight.", "Candidate: I led the team for three years.")


def dialect(base_url: str = "http://127.0.0.1:8080/v1", **kw: Any) -> OpenAIDialect:
    return OpenAIDialect(ProviderConfig("p", "openai", base_url, "p-model", max_tokens=300, **kw))


def chunk(content: str | None = None, finish: str | None = None, **extra: Any) -> str:
    return json.dumps(
        {"model": "served", "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}], **extra}
    )


def test_the_request_asks_for_a_stream_with_token_counts_and_bears_the_key() -> None:
    d = dialect()
    assert d.path == "/chat/completions"
    assert d.headers("sk-test") == {"authorization": "Bearer sk-test"}
    assert d.headers(None) == {}  # loopback without a key
    assert d.body(REQUEST) == {
        "model": "p-model",
        "messages": [{"role": "system", "content": REQUEST.system}, {"role": "user", "content": REQUEST.user}],
        "max_tokens": 300,
        "temperature": 0.2,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


@pytest.mark.parametrize(
    ("base_url", "json_mode", "asked"),
    [
        ("https://api.cerebras.ai/v1", None, True),  # a host known to support it
        ("http://127.0.0.1:11434/v1", None, False),
        ("http://127.0.0.1:11434/v1", True, True),  # the config says so
        ("https://api.groq.com/openai/v1", False, False),
    ],
)
def test_json_mode_where_the_host_supports_it_or_the_config_says(
    base_url: str, json_mode: bool | None, asked: bool
) -> None:
    body = dialect(base_url, json_mode=json_mode).body(REQUEST)
    assert ("response_format" in body) is asked
    if asked:
        assert body["response_format"] == {"type": "json_object"}


def test_a_rejected_stream_options_is_dropped_once_and_for_the_session() -> None:
    d = dialect()
    said = b'{"error": {"message": "Unrecognized request argument supplied: stream_options"}}'
    assert not d.drop_rejected_option(400, b'{"error": {"message": "messages: too long"}}')  # something else
    assert not d.drop_rejected_option(500, said)  # not a 400/422
    assert d.asks_usage
    assert d.drop_rejected_option(422, b'{"detail": "extra fields not permitted: unknown parameter"}')
    assert not d.asks_usage and "stream_options" not in d.body(REQUEST)
    assert not d.drop_rejected_option(400, said)  # already dropped: a second 400 is a real failure


@pytest.mark.parametrize(
    ("data", "event"),
    [
        (chunk("Hel"), Event(text="Hel", model="served")),
        (chunk(None, "stop"), Event(model="served", stop="stop")),
        (chunk("", "length"), Event(model="served", stop="length")),
        # token counts at the end of the stream, with an empty choices list
        (
            json.dumps({"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 34}}),
            Event(input_tokens=12, output_tokens=34, usage_reported=True),
        ),
        # Moonshot puts them in the choice
        (
            json.dumps({"choices": [{"delta": {}, "finish_reason": "stop", "usage": {"prompt_tokens": 5}}]}),
            Event(stop="stop", input_tokens=5, output_tokens=0, usage_reported=True),
        ),
        # a role-only first chunk, a null usage, a delta that is not an object: nothing said
        (json.dumps({"choices": [{"delta": {"role": "assistant"}}], "usage": None}), Event()),
        (json.dumps({"choices": [{"delta": "text"}]}), Event()),
        ("[DONE]", Event(end=True)),
        (" [DONE] ", Event(end=True)),
    ],
    ids=["text", "stop", "length", "usage", "usage in choice", "role only", "odd delta", "done", "done spaced"],
)
def test_each_good_event_reads_as_what_it_said(data: str, event: Event) -> None:
    assert dialect().parse("", data) == event


@pytest.mark.parametrize(
    ("data", "outcome", "detail"),
    [
        ('{"choices": [{"delta": {"content": ', Outcome.MALFORMED, "malformed stream event: "),
        ("[1, 2]", Outcome.MALFORMED, "malformed stream event: '[1, 2]'"),
        ("not json", Outcome.MALFORMED, "malformed stream event: 'not json'"),
        (
            json.dumps({"choices": [], "usage": {"prompt_tokens": "many"}}),
            Outcome.MALFORMED,
            "unexpected reply (ValueError: invalid literal for int() with base 10: 'many')",
        ),
        (json.dumps({"choices": {"0": {}}}), Outcome.MALFORMED, "unexpected reply (KeyError: 0)"),
        (
            json.dumps({"error": {"message": "upstream overloaded"}}),
            Outcome.HTTP_ERROR,
            "error in stream: upstream overloaded",
        ),
    ],
    ids=["cut json", "not an object", "not json", "count not a number", "choices not a list", "error object"],
)
def test_each_bad_event_fails_the_attempt_with_a_sentence(data: str, outcome: Outcome, detail: str) -> None:
    with pytest.raises(Fail) as failed:
        dialect().parse("", data)
    assert failed.value.outcome is outcome
    assert failed.value.detail.startswith(detail), failed.value.detail


@pytest.mark.parametrize(
    ("stop", "ended", "detail"),
    [
        ("length", True, "reply cut at max_tokens = 300"),  # never a success, even after [DONE]
        (None, False, "stream ended before [DONE] after 42 characters"),
        ("content_filter", False, "stream ended before [DONE] after 42 characters"),
    ],
)
def test_a_cut_stream_is_cut(stop: str | None, ended: bool, detail: str) -> None:
    with pytest.raises(Fail) as failed:
        dialect().check_end(stop, ended, 42)
    assert (failed.value.outcome, failed.value.detail) == (Outcome.CUT, detail)


@pytest.mark.parametrize(("stop", "ended"), [(None, True), ("stop", False), ("stop", True)])
def test_done_or_a_stop_reason_completes_the_reply(stop: str | None, ended: bool) -> None:
    dialect().check_end(stop, ended, 42)
