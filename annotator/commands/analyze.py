"""``annotator analyze PATH``: headless transcript/session -> insights.

One request per chunk, in order, through the configured chain; each request
carries the last good insight (a local-estimate answer does not replace it).
With ``--json`` each stdout line is one analysed request
(``Analysis.to_dict()`` plus the chunk's ``source``, ``start`` and ``end``):
``text``, ``provider`` and ``model`` (``"local-sentiment"``/``"vader"`` when
every provider failed), ``insight``, ``attempts`` [...]. Without it, a person
reads the chunk, its flags, the provider and latency, and a summary of tokens
and cost; a progress bar goes to stderr when stderr is a terminal.

An audio file is transcribed first (the offline model, or ``--model``),
one chunk per utterance, exactly as ``annotator transcribe`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from annotator.analysis.analyzer import Analyzer, build_analyzer
from annotator.commands.terminal import ProgressBar, flat
from annotator.config import Config, load_config
from annotator.errors import InputError
from annotator.models import Analysis, Chunk, Insight, Outcome
from annotator.replay import kind_of, read_chunks

PROGRESS_MIN_CHUNKS = 10
INDENT = "        "


def format_analysis(index: int, total: int, chunk: Chunk, analysis: Analysis) -> str:
    """The human-readable block for one analysed chunk."""
    width = len(str(total))
    who = f"{flat(chunk.source)}: " if chunk.source else ""
    lines = [f"[{index:>{width}}/{total}] {who}{flat(chunk.text)}"]
    insight = analysis.insight
    via = "local estimate (vader)" if analysis.local else f"{analysis.provider} ({analysis.model})"
    if insight is not None:
        s = insight.sentiment
        lines.append(f"{INDENT}{s.label} {s.score:+.2f} | {via} | {analysis.elapsed_ms} ms")
        for c in insight.contradictions:
            lines.append(f'{INDENT}!! CONTRADICTION: "{flat(c.statement)}" vs earlier "{flat(c.earlier)}"')
            if c.explanation:
                lines.append(f"{INDENT}   {flat(c.explanation)}")
    else:
        lines.append(f"{INDENT}analysis unavailable | {analysis.elapsed_ms} ms")
    if analysis.local and analysis.attempts:
        reasons = "; ".join(f"{a.provider}: {a.detail or a.outcome.value}" for a in analysis.attempts)
        lines.append(f"{INDENT}analysis unavailable: {flat(reasons)}")
    elif any(a.outcome is not Outcome.OK for a in analysis.attempts):
        failed = ", ".join(f"{a.provider} {a.outcome.value}" for a in analysis.attempts if a.outcome is not Outcome.OK)
        lines.append(f"{INDENT}(failed over: {failed})")
    return "\n".join(lines)


def format_usage(analyzer: Analyzer) -> str:
    lines = ["", "Usage:"]
    for u in analyzer.usage.providers():
        if not u.calls:
            continue
        credit = "" if u.free_credit_left_usd is None else f", free credit left ${u.free_credit_left_usd:.4f}"
        lines.append(
            f"  {u.name}: {u.answered}/{u.calls} answered, {u.input_tokens} in + {u.output_tokens} out tokens, "
            f"~${u.cost_usd:.4f}{credit}"
        )
    s = analyzer.usage.session()
    lines.append(f"  session: {s.input_tokens} in + {s.output_tokens} out tokens, estimated cost ${s.cost_usd:.4f}")
    return "\n".join(lines)


async def analyze_chunks(
    chunks: Sequence[Chunk], config: Config, *, as_json: bool, out: TextIO, err: TextIO, analyzer: Analyzer | None = None
) -> int:
    analyzer = analyzer or build_analyzer(config)
    try:
        usable = [s for s in analyzer.providers_state() if s.in_chain]
        if not usable:
            err.write("annotator: no analysis provider is usable (see `annotator providers`); "
                      "showing the local sentiment estimate only\n")
        progress = ProgressBar(err, len(chunks), unit="chunks", min_total=PROGRESS_MIN_CHUNKS)
        previous: Insight | None = None
        for i, chunk in enumerate(chunks, 1):
            progress.draw(i - 1)
            analysis = await analyzer.analyze([chunk], previous)
            if analysis.insight is not None and not analysis.local:
                previous = analysis.insight  # the last good insight is the memory
            progress.clear()
            if as_json:
                record = analysis.to_dict()
                record.update(source=chunk.source, start=round(chunk.start, 3), end=round(chunk.end, 3))
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                out.write(format_analysis(i, len(chunks), chunk, analysis) + "\n")
            out.flush()
        if not as_json:
            out.write(format_usage(analyzer) + "\n")
    finally:
        await analyzer.aclose()
    return 0


def transcribe_for_analysis(path: Path, config: Config, model: str | None) -> list[Chunk]:
    from annotator.transcribe import TranscribeOptions, load_model, transcribe_file

    t = config.transcription
    whisper = load_model(model or t.model, t.device, t.compute_type)
    return list(
        transcribe_file(
            path,
            whisper,
            options=TranscribeOptions(beam_size=t.beam_size, language=t.language),
            silence_s=config.audio.silence_s,
            max_utterance_s=config.audio.max_utterance_s,
        )
    )


def run(args: argparse.Namespace) -> int:
    config = load_config(Path(args.config) if args.config else None)
    path = Path(args.path)
    audio = kind_of(path) == "audio"
    if audio:
        chunks = transcribe_for_analysis(path, config, args.model)
    else:
        chunks = read_chunks(path)
    chunks = [c for c in chunks if c.text.strip()]
    if not chunks and audio:
        raise InputError(f"{path}: no speech was heard in it (silent, or too quiet to transcribe); nothing to analyse")
    if not chunks:
        raise InputError(f"{path}: no text to analyse")
    return asyncio.run(analyze_chunks(chunks, config, as_json=args.json, out=sys.stdout, err=sys.stderr))
