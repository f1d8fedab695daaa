"""``annotator listen``: a live session in the terminal, journaled like one in the window.

Capture (one or two inputs: the first is "You", the second "Them") ->
transcript lines as they come -> flags and sentiment as they come. The
journal and the captured audio are saved in the sessions directory. Ctrl+C
(or ``--duration``) stops cleanly: the utterance in progress is transcribed,
the analyses in flight finish (bounded), the journal is closed, exit 0.

With ``--json`` every stdout line is one JSON object with a ``type``:
``chunk`` (Chunk fields), ``analysis`` (Analysis fields), ``mark``,
``error`` (``message``), ``event`` (``kind``, ``data``) and, last,
``session`` (``path``, ``audio``, ``chunks``, ``analyses``, ``cost_usd``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

from annotator import __version__
from annotator.analysis.analyzer import build_analyzer
from annotator.commands.analyze import INDENT, format_analysis
from annotator.commands.terminal import clock, flat
from annotator.config import Config, load_config
from annotator.errors import AnnotatorError
from annotator.models import Analysis, Chunk, Mark
from annotator.pipeline import JournalSink, LiveInput, Pipeline


class TerminalSink:
    """Prints the session as it happens: readable lines, or one JSON object per line."""

    QUIET_EVENTS = frozenset({"replay_progress"})

    def __init__(self, out: TextIO, err: TextIO, *, as_json: bool) -> None:
        self.out = out
        self.err = err
        self.as_json = as_json
        self.chunks: dict[int, Chunk] = {}

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self.out.write(json.dumps({"type": kind, **data}, ensure_ascii=False) + "\n")
        self.out.flush()

    def on_chunk(self, chunk: Chunk) -> None:
        self.chunks[chunk.id] = chunk
        if self.as_json:
            self.emit("chunk", chunk.to_dict())
            return
        who = f"{flat(chunk.source)}: " if chunk.source else ""
        self.out.write(f"[{clock(chunk.start)}] {who}{flat(chunk.text)}\n")
        self.out.flush()

    def on_analysis(self, analysis: Analysis) -> None:
        if self.as_json:
            self.emit("analysis", analysis.to_dict())
            return
        last = self.chunks.get(analysis.chunk_ids[-1]) if analysis.chunk_ids else None
        block = format_analysis(0, 0, last or Chunk(0, "", 0, 0, analysis.text), analysis)
        # the first line repeats the chunk, already printed: keep the analysis lines only
        self.out.write("\n".join(block.splitlines()[1:]) + "\n")
        self.out.flush()

    def on_mark(self, mark: Mark) -> None:
        if self.as_json:
            self.emit("mark", mark.to_dict())
        else:
            self.out.write(f"{INDENT}* {mark.kind} at {clock(mark.at)} {flat(mark.note)}\n")

    def on_error(self, error: AnnotatorError) -> None:
        if self.as_json:
            self.emit("error", {"message": str(error)})
        self.err.write(f"annotator: {error}\n")
        self.err.flush()

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind in self.QUIET_EVENTS:
            return
        if self.as_json:
            self.emit("event", {"kind": kind, "data": data})
        elif kind == "backlog":
            self.err.write(f"annotator: falling behind ({flat(json.dumps(data))})\n")

    def on_level(self, source: str, level: float) -> None:
        return None


def inputs_for(devices: list[str] | None, config: Config) -> list[tuple[str | int | None, str]]:
    """(device, source) pairs: ``--device`` values, else the configured inputs,
    else the system default; the first source is "You", the second "Them"."""
    chosen: list[str | int | None] = list(devices or config.audio.devices or [None])
    if len(chosen) > 2:
        raise AnnotatorError(f"--device was given {len(chosen)} times; at most two inputs (you and them) are supported")
    names = ("You", "Them")
    return [(int(d) if isinstance(d, str) and d.isdigit() else d, names[i]) for i, d in enumerate(chosen)]


async def listen(config: Config, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from annotator.session import Journal
    from annotator.transcribe import load_model

    inputs = inputs_for(args.device, config)
    t = config.transcription
    model_name = args.model or t.model
    err.write(f"annotator: loading the transcription model ({model_name or 'tiny.en, bundled'})...\n")
    whisper = await asyncio.to_thread(load_model, model_name, t.device, t.compute_type)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    header = {
        "mode": "listen",
        "app": f"annotator {__version__}",
        "model": model_name or "tiny.en",
        "devices": [{"device": d if d is not None else "default", "source": s} for d, s in inputs],
        "chain": [{"name": p.name, "model": p.model} for p in config.providers if p.enabled],
    }
    terminal = TerminalSink(out, err, as_json=args.json)
    analyzer = build_analyzer(config)
    pipeline = Pipeline(analyzer, [terminal])
    live = LiveInput(pipeline, whisper, inputs, loop, transcription=t, audio=config.audio)
    try:
        await asyncio.to_thread(live.open)
    except BaseException:
        await live.stop()
        await analyzer.aclose()
        raise
    journal = await asyncio.to_thread(
        Journal.create, header=header, on_error=lambda e: loop.call_soon_threadsafe(terminal.on_error, e)
    )
    pipeline.out.sinks.insert(0, JournalSink(journal))
    pipeline.start()
    try:
        await asyncio.to_thread(
            live.start, None if args.no_audio or not config.audio.save_audio else journal.audio_path
        )
        pipeline.event("recording", {"devices": header["devices"]})
        err.write(f"annotator: recording to {journal.path}; press Ctrl+C to stop\n")
        err.flush()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), args.duration)
    finally:
        err.write("annotator: stopping: transcribing what was said last...\n")
        await live.stop()
        await pipeline.stop()
        await journal.aclose()
        usage = analyzer.usage.session()
        await analyzer.aclose()
        audio = sorted(str(p) for p in journal.path.parent.glob(f"{journal.path.stem}*{journal.audio_path.suffix}"))
        summary = {
            "path": str(journal.path),
            "audio": audio,
            "chunks": pipeline.chunks_seen,
            "analyses": pipeline.analyses_done,
            "cost_usd": round(usage.cost_usd, 6),
        }
        if args.json:
            terminal.emit("session", summary)
        err.write(
            f"annotator: session saved: {journal.path} ({pipeline.chunks_seen} lines, "
            f"{pipeline.analyses_done} analyses, estimated cost ${usage.cost_usd:.4f})\n"
        )
    return 0


def run(args: argparse.Namespace) -> int:
    config = load_config(Path(args.config) if args.config else None)
    return asyncio.run(listen(config, args, sys.stdout, sys.stderr))
