"""Server-sent events: lines in, ``(event, data)`` out, and a reply that is not a stream.

Both dialects stream the same framing: ``event:`` and ``data:`` lines, a
blank line ending each event::

    decoder = Decoder()
    for line in lines:                      # e.g. httpx.Response.aiter_lines()
        event = decoder.feed(line)          # a ServerEvent at each blank line, else None
    event = decoder.flush()                 # what the stream ended on without a blank line

The first non-blank line of a 200 reply tells a stream from a web page or a
JSON error (``not_an_event_stream``).
"""

from __future__ import annotations

from typing import NamedTuple

from annotator.analysis.providers.failure import WEB_PAGE, Fail, error_message, looks_like_html
from annotator.models import Outcome

FIELDS = ("data", "event", "id", "retry", "")  # "" = a comment line (": ...")


class ServerEvent(NamedTuple):
    """One event: its ``event:`` name ("" if none) and its ``data:`` lines joined by newlines.
    (A NamedTuple, like ``dialect.Event``: one is made per streamed event.)"""

    name: str
    data: str


class Decoder:
    """Groups stream lines into events (one per blank-line-ended block)."""

    def __init__(self) -> None:
        self._pending: list[str] = []

    def feed(self, line: str) -> ServerEvent | None:
        if line.strip():
            self._pending.append(line)
            return None
        return self.flush()

    def flush(self) -> ServerEvent | None:
        if not self._pending:
            return None
        lines, self._pending = self._pending, []
        name = ""
        data: list[str] = []
        for line in lines:
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        return ServerEvent(name, "\n".join(data))


def not_an_event_stream(line: str, content_type: str, base_url: str) -> Fail | None:
    """Why a 200 reply whose first line is ``line`` is not a server-sent event stream (None if it is).

    A login portal, a proxy's error page or a ``base_url`` pointing at a
    website answers 200 with HTML: said so, rather than "cut short after 0
    characters"."""
    text = line.lstrip("\ufeff").strip()
    if text.split(":", 1)[0] in FIELDS:
        return None
    if looks_like_html(text) or "html" in content_type:
        return Fail(Outcome.MALFORMED, f"{WEB_PAGE}: check base_url ({base_url})")
    if text.startswith(("{", "[")):
        said = error_message(text.encode())
        return Fail(
            Outcome.MALFORMED,
            f"answered with JSON, not an event stream{f' ({said})' if said else ''}: check base_url ({base_url})",
        )
    what = content_type.split(";")[0].strip() or "something"
    return Fail(Outcome.MALFORMED, f"answered with {what}, not an event stream: check base_url ({base_url})")
