"""``annotator analyze PATH``: headless transcript/session -> insights.

One request per chunk, in order, through the configured chain; each request
carries the last good insight (a local-estimate answer does not replace it).
A file can wait: when every provider is rate-limited the request waits for
the first to be back (within the deadline) and stderr says so ("waiting 2 s
for a (rate-limited)…"); a run that still ends with chunks no provider
answered says how many and when, on stderr ("3 of 720 chunks were left
unanalysed (local estimate only), from 07:31 to 07:43").
With ``--json`` each stdout line is one analysed request
(``Analysis.to_dict()`` plus the chunk's ``source``, ``start`` and ``end``):
``text``, ``provider`` and ``model`` (``"local-sentiment"``/``"vader"`` when
every provider failed), ``insight``, ``attempts`` [...]; nothing else is
printed on stdout (DESIGN.md's contract: a line is one analysed request), so
the chunks left unanalysed are those lines whose provider is null or the
local estimate, and stderr says how many as without it. Without it, a person
reads the chunk, its flags, the provider and latency, and a summary of tokens
and cost; a progress bar goes to stderr when stderr is a terminal.

An audio file is transcribed first (the offline model, or ``--model``),
one chunk per utterance, exactly as ``annotator transcribe`` does. A session
journal's reading warnings (a torn last line, ...) go to stderr as
``annotator export`` prints them.

Cost first, for big inputs: when the requests to send (a chunk longer than
``max_chunk_tokens`` is several) exceed ``CONFIRM_ABOVE_REQUESTS`` or their
estimated cost ``CONFIRM_ABOVE_USD``, the estimate is shown and the analysis
runs only on ``y`` at the prompt or with ``--yes``; without a terminal and
without ``--yes`` it exits 2 and sends nothing, as ``annotator review`` does.
Within a chunk of ``PART_PROGRESS_MIN`` requests or more, progress goes to
stderr (a bar on a terminal, else about ten lines).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from annotator.analysis.advice import all_failed_advice
from annotator.analysis.analyzer import Analyzer, build_analyzer
from annotator.analysis.chain import Wait
from annotator.analysis.coverage import coverage
from annotator.analysis.estimate import AnalysisEstimate, estimate_analysis
from annotator.commands.options import with_vocabulary
from annotator.commands.terminal import ProgressBar, confirm, flat
from annotator.config.file import load_config
from annotator.config.schema import Config, expecting_speakers
from annotator.errors import InputError
from annotator.formats.readers import kind_of, read_chunks, read_session
from annotator.models import Analysis, Chunk, Insight, Outcome

PROGRESS_MIN_CHUNKS = 10
PART_PROGRESS_MIN = 10
CONFIRM_ABOVE_REQUESTS = 500  # ~1.5 hours of interview at one request per 10-second utterance
CONFIRM_ABOVE_USD = 1.00
INDENT = "        "
Ask = Callable[[AnalysisEstimate], "int | None"]


def format_estimate(e: AnalysisEstimate) -> str:
    """One line: how many requests to whom, tokens and cost."""
    longest = (
        f"; one chunk alone is {e.longest_chunk_requests:,} requests (it is longer than a request holds)"
        if e.longest_chunk_requests > 1
        else ""
    )
    price = (
        f"estimated cost ${e.cost_usd:.4f} (at most ${e.max_cost_usd:.4f})"
        if e.priced
        else "no price configured for it ($0 estimated)"
    )
    return (
        f"analysis by {e.provider} ({e.model}): {e.requests:,} requests for {e.chunks:,} chunk{'' if e.chunks == 1 else 's'}{longest}; "
        f"~{e.input_tokens:,} tokens in, ~{e.output_tokens:,} out; {price}"
    )


def ask_on_terminal(yes: bool, stdin: TextIO, err: TextIO) -> Ask:
    """The command's cost-first question (see the module docstring)."""

    def ask(e: AnalysisEstimate) -> int | None:
        cost = f"about ${e.cost_usd:.4f}" if e.priced else "an unknown amount (no price configured)"
        not_run = (
            f"the analysis was not run: it would send {e.requests:,} requests to {e.provider} and cost {cost}; "
            "pass --yes to run it without a prompt"
        )
        return confirm(format_estimate(e), not_run, "Run the analysis?", yes=yes, stdin=stdin, err=err)

    return ask


def part_progress(err: TextIO, index: int, total: int) -> Callable[[int, int], None]:
    """Progress through the requests of one long chunk (see PART_PROGRESS_MIN)."""
    bars: list[ProgressBar] = []

    def show(n: int, parts: int) -> None:
        if parts < PART_PROGRESS_MIN:
            return
        if not bars:
            bars.append(ProgressBar(err, parts, unit=f"requests for chunk {index}/{total}"))
        if bars[0].enabled:
            bars[0].draw(n - 1)
        elif n == 1 or n % max(1, parts // 10) == 0 or n == parts:
            err.write(f"annotator: chunk {index}/{total}: sending request {n:,} of {parts:,}\n")
            err.flush()

    return show


def format_analysis(index: int, total: int, chunk: Chunk, analysis: Analysis) -> str:
    """The human-readable block for one analysed chunk."""
    width = len(str(total))
    who = f"{flat(chunk.who)}: " if chunk.who else ""
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
        lines.append(f"{INDENT}analysis unavailable: {all_failed_advice(analysis.attempts)}")
        lines.append(f"{INDENT}   ({flat(reasons)})")
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
    chunks: Sequence[Chunk],
    config: Config,
    *,
    as_json: bool,
    out: TextIO,
    err: TextIO,
    analyzer: Analyzer | None = None,
    ask: Ask | None = None,
) -> int:
    """Analyse ``chunks`` in order; ``ask`` (when given) is asked about a big
    estimate first and returns None to go ahead, else the exit status."""
    analyzer = analyzer or build_analyzer(config)
    try:
        usable = [s for s in analyzer.providers_state() if s.in_chain]
        if not usable:
            err.write(
                "annotator: no analysis provider is usable (see `annotator providers`); "
                "showing the local sentiment estimate only\n"
            )
        elif ask is not None:
            estimate = estimate_analysis(chunks, analyzer.config, analyzer.providers[0].config)
            if estimate.requests > CONFIRM_ABOVE_REQUESTS or estimate.cost_usd > CONFIRM_ABOVE_USD:
                status = ask(estimate)
                if status is not None:
                    return status
        progress = ProgressBar(err, len(chunks), unit="chunks", min_total=PROGRESS_MIN_CHUNKS)

        def waiting(wait: Wait) -> None:
            progress.clear()
            err.write(
                f"annotator: waiting {max(1, math.ceil(wait.seconds))} s for {flat(wait.provider)} (rate-limited)…\n"
            )
            err.flush()

        previous: Insight | None = None
        analyses: list[Analysis] = []
        for i, chunk in enumerate(chunks, 1):
            progress.draw(i - 1)
            analysis = await analyzer.analyze(
                [chunk], previous, on_part=part_progress(err, i, len(chunks)), wait=True, on_wait=waiting
            )
            analyses.append(analysis)
            if analysis.insight is not None and not analysis.local:
                previous = analysis.insight  # the last good insight is the memory
            progress.clear()
            if as_json:
                record = analysis.to_dict()
                record.update(source=chunk.source, start=round(chunk.start, 3), end=round(chunk.end, 3))
                if chunk.speaker:
                    record.update(speaker=chunk.speaker)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                out.write(format_analysis(i, len(chunks), chunk, analysis) + "\n")
            out.flush()
        covered = coverage(chunks, analyses)
        if not as_json:
            out.write(format_usage(analyzer) + "\n")
        out.flush()
        if covered.count:
            err.write(f"annotator: {covered.sentence()}\n")
            err.flush()
    finally:
        await analyzer.aclose()
    return 0


def transcribe_for_analysis(path: Path, config: Config, model: str | None) -> list[Chunk]:
    from annotator.speakers.stage import speakers_for
    from annotator.transcription.files import transcribe_file
    from annotator.transcription.filters import options_for
    from annotator.transcription.model import check_language, load_model

    t = config.transcription
    whisper = load_model(model or t.model, t.device, t.compute_type)
    check_language(whisper, t.language, model or t.model)
    speakers = speakers_for(t.separate_speakers, t.speakers)
    return list(
        transcribe_file(
            path,
            whisper,
            options=options_for(t),
            silence_s=config.audio.silence_s,
            max_utterance_s=config.audio.max_utterance_s,
            turns_of=None if speakers is None else speakers.spans,
        )
    )


def run(args: argparse.Namespace) -> int:
    config = expecting_speakers(
        with_vocabulary(load_config(Path(args.config) if args.config else None), args.vocabulary), args.speakers
    )
    path = Path(args.path)
    kind = kind_of(path)
    audio = kind == "audio"
    if audio:
        chunks = transcribe_for_analysis(path, config, args.model)
    elif kind == "session":
        record = read_session(path)
        for warning in record.warnings:
            print(f"annotator: warning: {warning}", file=sys.stderr)
        chunks = list(record.chunks)
    else:
        chunks = read_chunks(path)
    chunks = [c for c in chunks if c.text.strip()]
    if not chunks and audio:
        raise InputError(f"{path}: no speech was heard in it (silent, or too quiet to transcribe); nothing to analyse")
    if not chunks:
        raise InputError(f"{path}: no text to analyse")
    ask = ask_on_terminal(args.yes, sys.stdin, sys.stderr)
    return asyncio.run(analyze_chunks(chunks, config, as_json=args.json, out=sys.stdout, err=sys.stderr, ask=ask))
