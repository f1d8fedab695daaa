"""``annotator listen``: a live session in the terminal, journaled like one in the window.

Capture (one or two inputs: a microphone is "You", system audio "Them") ->
transcript lines as they come -> flags and sentiment as they come. The
journal and the captured audio are saved in the sessions directory. Ctrl+C
(or ``--duration``) stops cleanly: the utterance in progress is transcribed,
the analyses in flight finish (bounded), the journal is closed, exit 0.

With ``--json`` every stdout line is one JSON object with a ``type``:
``chunk`` (Chunk fields), ``analysis`` (Analysis fields), ``mark``,
``error`` (``message``), ``event`` (``kind``, ``data``), ``partial`` (``source``,
``start``, ``text``, and ``speaker`` when known: the words of an utterance still
being spoken, replaced by its ``chunk``; never journaled) and, last,
``session`` (``path``, ``audio``, ``chunks``, ``analyses``, ``cost_usd``; ``path``
null when no speech was heard and so no session was kept).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from annotator.commands.analyze import INDENT, format_analysis
from annotator.commands.options import with_vocabulary
from annotator.commands.terminal import flat
from annotator.config.file import load_config
from annotator.config.schema import Config, expecting_speakers
from annotator.errors import AnnotatorError
from annotator.models import Analysis, Chunk, Mark
from annotator.sessions.events import (
    AnalysisHeld,
    Backlog,
    Event,
    ModelLoading,
    PartialText,
    Providers,
    Recording,
    ReplayProgress,
    SessionClosed,
    SessionStarted,
    TranscriptionBacklog,
    Unanalysed,
)
from annotator.text.clock import timestamp


class TerminalSink:
    """Prints the session as it happens: readable lines, or one JSON object per line.

    Readable, on a terminal, the words of an utterance still being spoken (partial
    text) grow on one line at the bottom, overwritten in place (``\r`` + clear to the
    end of the line, cut to the terminal's width so it never wraps) and replaced by
    the final line; anything else printed clears it first. Not on a terminal (a pipe,
    a file), partial text prints nothing, so the output is the final lines only."""

    QUIET_EVENTS: tuple[type[Event], ...] = (ReplayProgress, SessionClosed, Providers)
    CLEAR_LINE = "\r\x1b[K"

    def __init__(self, out: TextIO, err: TextIO, *, as_json: bool) -> None:
        self.out = out
        self.err = err
        self.as_json = as_json
        self.chunks: dict[int, Chunk] = {}
        self.analyses = 0
        self.cost_usd = 0.0
        self.session_path = ""
        self.show_partials = not as_json and _is_terminal(out)
        self._partial_shown = False  # a partial line stands at the bottom of the terminal

    def clear_partial(self) -> None:
        """Erase the partial line, so what is printed next starts on a clean line."""
        if self._partial_shown:
            self.out.write(self.CLEAR_LINE)
            self.out.flush()
            self._partial_shown = False

    def _show_partial(self, partial: PartialText) -> None:
        who = flat(partial.speaker or partial.source)
        line = f"[{timestamp(partial.start)}] {who + ': ' if who else ''}{flat(partial.text)} …"
        width = _width(self.out)
        if len(line) >= width:  # a wrapped line could not be overwritten in place: keep its newest words
            line = "…" + line[len(line) - width + 2 :]
        self.out.write(self.CLEAR_LINE + line)
        self.out.flush()
        self._partial_shown = True

    def totals(self) -> dict[str, Any]:
        return {"chunks": len(self.chunks), "analyses": self.analyses, "cost_usd": round(self.cost_usd, 6)}

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self.out.write(json.dumps({"type": kind, **data}, ensure_ascii=False) + "\n")
        self.out.flush()

    def on_chunk(self, chunk: Chunk) -> None:
        self.chunks[chunk.id] = chunk
        if self.as_json:
            self.emit("chunk", chunk.to_dict())
            return
        self.clear_partial()
        who = f"{flat(chunk.who)}: " if chunk.who else ""
        self.out.write(f"[{timestamp(chunk.start)}] {who}{flat(chunk.text)}\n")
        self.out.flush()

    def on_analysis(self, analysis: Analysis) -> None:
        self.analyses += 1
        self.cost_usd += sum(a.cost_usd for a in analysis.attempts)
        if self.as_json:
            self.emit("analysis", analysis.to_dict())
            return
        self.clear_partial()
        last = self.chunks.get(analysis.chunk_ids[-1]) if analysis.chunk_ids else None
        block = format_analysis(0, 0, last or Chunk(0, "", 0, 0, analysis.text), analysis)
        # the first line repeats the chunk, already printed: keep the analysis lines only
        self.out.write("\n".join(block.splitlines()[1:]) + "\n")
        self.out.flush()

    def on_mark(self, mark: Mark) -> None:
        if self.as_json:
            self.emit("mark", mark.to_dict())
        else:
            self.clear_partial()
            self.out.write(f"{INDENT}* {mark.kind} at {timestamp(mark.at)} {flat(mark.note)}\n")

    def on_error(self, error: AnnotatorError) -> None:
        if self.as_json:
            self.emit("error", {"message": str(error)})
        self.clear_partial()
        self.err.write(f"annotator: {error}\n")
        self.err.flush()

    def on_event(self, event: Event) -> None:
        if isinstance(event, self.QUIET_EVENTS):
            return
        if isinstance(event, PartialText):  # provisional: a JSON line, or a line overwritten on a terminal
            if self.as_json:
                self.emit("partial", event.to_dict())
            elif self.show_partials:
                self._show_partial(event)
            return
        if isinstance(event, SessionStarted):
            self.session_path = event.path
        if self.as_json:
            self.emit("event", {"kind": event.kind, "data": event.to_dict()})
        self.clear_partial()
        match event:
            case ModelLoading(model=model):
                self.err.write(f"annotator: loading the transcription model ({flat(model)})...\n")
            case Recording():
                self.err.write(f"annotator: recording to {self.session_path}; press Ctrl+C to stop\n")
            case Backlog() | TranscriptionBacklog():
                self.err.write(f"annotator: falling behind ({flat(json.dumps(event.to_dict()))})\n")
            case AnalysisHeld(seconds=held, provider=provider):
                seconds = max(1, math.ceil(held or 0))
                if provider:  # a file waits for the first provider back
                    self.err.write(f"annotator: waiting {seconds} s for {flat(provider)} (rate-limited)…\n")
                else:
                    self.err.write(
                        f"annotator: analysis held: every provider is rate-limited for {seconds} s; "
                        "new lines go with the next request\n"
                    )
            case Unanalysed(sentence=sentence) if sentence:
                self.err.write(f"annotator: {flat(sentence)}\n")
        self.err.flush()

    def on_level(self, source: str, level: float) -> None:
        return None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: not a terminal
        return False


def _width(stream: TextIO) -> int:
    """The terminal's width in characters (80 when it cannot be told)."""
    try:
        return max(20, os.get_terminal_size(stream.fileno()).columns)
    except (AttributeError, OSError, ValueError):
        return 80


async def listen(config: Config, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from annotator.sessions.service import Sessions

    if args.no_audio:
        config = replace(config, audio=replace(config.audio, save_audio=False))
    terminal = TerminalSink(out, err, as_json=args.json)
    sessions = Sessions(config, terminal, model=args.model)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await sessions.start_live(args.device)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), args.duration)
    finally:
        terminal.clear_partial()
        if sessions.active:
            err.write("annotator: stopping: transcribing what was said last...\n")
            await sessions.stop()
        await sessions.shutdown()
    path = sessions.session_path
    if path is not None:
        audio = sorted(str(p) for p in path.parent.glob(f"{path.stem}*.flac"))
        summary = {"path": str(path), "audio": audio, **terminal.totals()}
        if args.json:
            terminal.emit("session", summary)
        err.write(
            f"annotator: session saved: {path} ({summary['chunks']} lines, {summary['analyses']} analyses, "
            f"estimated cost ${summary['cost_usd']:.4f})\n"
        )
    elif args.json:  # nothing was heard, so nothing was kept (the reason went to stderr)
        terminal.emit("session", {"path": None, "audio": [], **terminal.totals()})
    return 0


def run(args: argparse.Namespace) -> int:
    config = expecting_speakers(
        with_vocabulary(load_config(Path(args.config) if args.config else None), args.vocabulary), args.speakers
    )
    return asyncio.run(listen(config, args, sys.stdout, sys.stderr))
