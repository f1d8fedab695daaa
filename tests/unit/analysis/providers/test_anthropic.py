"""The Anthropic messages dialect: the request it builds, and its strict reading of one stream event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotator.analysis.providers.anthropic import AnthropicDialect
from annotator.analysis.providers.dialect import Event
from annotator.analysis.providers.failure import Fail
from annotator.analysis.providers.interface import Request
from annotator.config.schema import ProviderConfig
from annotator.models import Outcome

REQUEST = Request("Return an insight.", "Candidate: I led the team for three years.")


def dialect() -> AnthropicDialect:
    return AnthropicDialect(ProviderConfig("c", "anthropic", "http://127.0.0.1:8080/v1", "claude-x", max_tokens=300))


def data(**obj: Any) -> str:
    return json.dumps(obj)


def test_the_request_asks_for_a_stream_with_the_system_prompt_apart_and_bears_the_key() -> None:
    d = dialect()
    assert d.path == "/messages"
    assert d.headers("sk-ant-test") == {"anthropic-version": "2023-06-01", "x-api-key": "sk-ant-test"}
    assert d.headers(None) == {"anthropic-version": "2023-06-01"}
    assert d.body(REQUEST) == {
        "model": "claude-x",
        "system": REQUEST.system,
        "messages": [{"role": "user", "content": REQUEST.user}],
        "max_tokens": 300,
        "temperature": 0.2,
        "stream": True,
    }
    assert not d.drop_rejected_option(400, b'{"error": {"message": "unknown parameter"}}')  # nothing optional sent


@pytest.mark.parametrize(
    ("name", "text", "event"),
    [
        (
            "message_start",
            data(
                type="message_start", message={"model": "claude-x-1", "usage": {"input_tokens": 10, "output_tokens": 1}}
            ),
            Event(model="claude-x-1", input_tokens=10, output_tokens=1, usage_reported=True),
        ),
        (
            "message_start",
            data(type="message_start", message={"model": "claude-x-1"}),
            Event(model="claude-x-1", input_tokens=0, output_tokens=0, usage_reported=False),
        ),
        (
            "content_block_delta",
            data(type="content_block_delta", index=0, delta={"type": "text_delta", "text": "Hel"}),
            Event(text="Hel"),
        ),
        (
            "content_block_delta",
            data(type="content_block_delta", index=0, delta={"type": "input_json_delta", "partial_json": "{"}),
            Event(),
        ),
        (
            "message_delta",
            data(type="message_delta", delta={"stop_reason": "end_turn"}, usage={"output_tokens": 40}),
            Event(output_tokens=40, stop="end_turn"),
        ),
        ("message_delta", data(type="message_delta", delta={"stop_reason": "max_tokens"}), Event(stop="max_tokens")),
        ("message_stop", data(type="message_stop"), Event(end=True)),
        ("message_stop", data(), Event(end=True)),  # the type from the event: line
        ("ping", data(type="ping"), Event()),
        (
            "content_block_start",
            data(type="content_block_start", index=0, content_block={"type": "text", "text": ""}),
            Event(),
        ),
    ],
    ids=[
        "start",
        "start without usage",
        "text",
        "other delta",
        "delta with usage",
        "max_tokens",
        "stop",
        "stop by event name",
        "ping",
        "block start",
    ],
)
def test_each_good_event_reads_as_what_it_said(name: str, text: str, event: Event) -> None:
    assert dialect().parse(name, text) == event


@pytest.mark.parametrize(
    ("text", "outcome", "detail"),
    [
        ('{"type": "content_block_delta", "delta": ', Outcome.MALFORMED, "malformed stream event: "),
        ("[DONE]", Outcome.MALFORMED, "malformed stream event: '[DONE]'"),  # not this dialect's end marker
        ('"message_stop"', Outcome.MALFORMED, "malformed stream event: "),
        (data(type="message_start", message="claude"), Outcome.MALFORMED, "unexpected reply (AttributeError: "),
        (
            data(type="message_delta", delta={}, usage={"output_tokens": [1]}),
            Outcome.MALFORMED,
            "unexpected reply (TypeError: ",
        ),
        (
            data(type="error", error={"type": "overloaded_error", "message": "Overloaded"}),
            Outcome.HTTP_ERROR,
            "error in stream: overloaded_error Overloaded",
        ),
    ],
    ids=["cut json", "openai end marker", "not an object", "message not an object", "count not a number", "error"],
)
def test_each_bad_event_fails_the_attempt_with_a_sentence(text: str, outcome: Outcome, detail: str) -> None:
    with pytest.raises(Fail) as failed:
        dialect().parse("", text)
    assert failed.value.outcome is outcome
    assert failed.value.detail.startswith(detail), failed.value.detail


@pytest.mark.parametrize(
    ("stop", "ended", "detail"),
    [
        ("max_tokens", True, "reply cut at max_tokens = 300"),
        ("end_turn", False, "stream ended before message_stop after 42 characters"),
    ],
)
def test_a_cut_stream_is_cut(stop: str | None, ended: bool, detail: str) -> None:
    with pytest.raises(Fail) as failed:
        dialect().check_end(stop, ended, 42)
    assert (failed.value.outcome, failed.value.detail) == (Outcome.CUT, detail)


def test_message_stop_completes_the_reply() -> None:
    dialect().check_end("end_turn", True, 42)
