"""Server-sent event framing, and telling a stream from a page."""

from __future__ import annotations

import pytest

from annotator.analysis.providers.sse import Decoder, ServerEvent, not_an_event_stream
from annotator.models import Outcome


def test_lines_group_into_events_at_blank_lines() -> None:
    decoder = Decoder()
    lines = [": keep-alive", "", "event: message_start", 'data: {"a":', "data:1}", "", "", "data: [DONE]"]
    events = [e for e in (decoder.feed(line) for line in lines) if e is not None]
    assert events == [ServerEvent("", ""), ServerEvent("message_start", '{"a":\n1}')]
    assert decoder.flush() == ServerEvent("", "[DONE]")  # the stream ended without a blank line
    assert decoder.flush() is None


@pytest.mark.parametrize("line", ["data: {}", "event: ping", ": comment", "id: 7", "retry: 100", "\ufeffdata: {}"])
def test_a_stream_is_a_stream(line: str) -> None:
    assert not_an_event_stream(line, "text/event-stream", "http://127.0.0.1:1/v1") is None


@pytest.mark.parametrize(
    ("line", "content_type", "detail"),
    [
        ("<!DOCTYPE html>", "text/html", "answered with a web page, not the API: check base_url (http://h/v1)"),
        ("Sign in", "text/html; charset=utf-8", "answered with a web page, not the API: check base_url (http://h/v1)"),
        (
            '{"error": {"message": "streaming is off"}}',
            "application/json",
            "answered with JSON, not an event stream (streaming is off): check base_url (http://h/v1)",
        ),
        ("[]", "application/json", "answered with JSON, not an event stream: check base_url (http://h/v1)"),
        (
            "Hello world",
            "text/plain; charset=utf-8",
            "answered with text/plain, not an event stream: check base_url (http://h/v1)",
        ),
        ("Hello world", "", "answered with something, not an event stream: check base_url (http://h/v1)"),
    ],
    ids=["html", "html by type", "json error", "json", "text", "no type"],
)
def test_anything_else_says_what_it_was(line: str, content_type: str, detail: str) -> None:
    fail = not_an_event_stream(line, content_type, "http://h/v1")
    assert fail is not None and (fail.outcome, fail.detail) == (Outcome.MALFORMED, detail)
