"""Whole-meeting memory at flat cost (issue 14): planted long-range contradictions, old design vs new.

    PYTHONPATH=$PWD python benchmarks/memory.py [--minutes 60]

Two scripted 60-minute interviews (``tests.helpers.interview``: a line every
10 s, 12 planted contradiction pairs 110-270 lines apart, half sharing key
words and half only paraphrases, distractors about the same companies, teams,
numbers and years). Script A was used to tune the ranking (weights and the
concept lexicon of ``analysis.memory``); script B was written before tuning
and its misses were looked at (it informed the near-repeat rule); script C was
written after the first tuning and only its count was seen before the
near-repeat rule; script D was written after the last change and run once:
the held-out figure.

Each line goes through the real analyser (``build_analyzer``: prompt, failover
chain, HTTP on 127.0.0.1, strict parser), one request a line as ``annotator
analyze`` sends them, to an oracle model that flags a pair exactly when both
statements are in the request. "old" is the claims-only prompt
(``memory_statements = 0``); "new" adds the earlier statements the session
memory recalls. Printed: pairs caught, request tokens (first, early median =
first 10 % of requests, median, late median = last 10 %, max) against the
budget, and the retrieval time per request (median, max) at 60 minutes and at
two hours (720 lines).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from annotator.analysis.analyzer import build_analyzer
from annotator.analysis.memory import SessionMemory
from annotator.analysis.prompt import estimate_tokens
from annotator.config.schema import AnalysisConfig, Config
from annotator.models import Analysis, Insight
from tests.helpers.faultserver import FaultServer, Reply
from tests.helpers.interview import SCRIPT_A, SCRIPT_B, SCRIPT_C, SCRIPT_D, Interview, Oracle, Script, interview


async def run(script: Interview, analysis: AnalysisConfig) -> tuple[int, list[int], list[Analysis]]:
    oracle = Oracle(script.pairs, analysis.max_claims)
    with FaultServer(Reply.answering(oracle)) as server:
        config = Config(analysis=analysis, providers=(server.provider("oracle"),))
        async with httpx.AsyncClient() as client:
            analyzer = build_analyzer(config, client=client, keys={})
            previous: Insight | None = None
            analyses = []
            for chunk in script.chunks:
                a = await analyzer.analyze([chunk], previous)
                analyses.append(a)
                if a.insight is not None and not a.local:
                    previous = a.insight
        tokens = [estimate_tokens(r.prompt_text) for r in server.requests]
    return len(oracle.caught(analyses)), tokens, analyses


def retrieval_ms(script: Interview, limit: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (this thread) milliseconds of each request's recall: the
    machine is shared, so a wall-clock tail can be time spent descheduled."""
    memory = SessionMemory()
    wall, cpu = [], []
    for chunk in script.chunks:
        t0, c0 = time.perf_counter(), time.thread_time()
        memory.recall([chunk], limit=limit)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        memory.add_chunks([chunk])
        memory.add_claims([f"{chunk.source} said: {chunk.text}"], [chunk])  # a claim a line: more than replies add
    return wall, cpu


def times_line(wall: list[float], cpu: list[float]) -> str:
    def spread(t: list[float]) -> str:
        s = sorted(t)
        return f"median {statistics.median(s):.2f}, p95 {s[int(len(s) * 0.95)]:.2f}, max {s[-1]:.2f} ms"

    return f"wall {spread(wall)}; CPU {spread(cpu)}; {sum(t > 5 for t in wall)} over 5 ms wall"


def tokens_line(tokens: list[int], budget: int) -> str:
    tenth = max(1, len(tokens) // 10)
    early, late = statistics.median(tokens[:tenth]), statistics.median(tokens[-tenth:])
    return (
        f"tokens first {tokens[0]}, early median {early:.0f}, median {statistics.median(tokens):.0f}, "
        f"late median {late:.0f} (late/early {late / early:.2f}), max {max(tokens)} "
        f"(budget {budget}: {sum(t > budget for t in tokens)} over)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    new = AnalysisConfig()
    old = replace(new, memory_statements=0)
    scripts: tuple[Script, ...] = (SCRIPT_A, SCRIPT_B, SCRIPT_C, SCRIPT_D)
    for script in scripts:
        it = interview(script, minutes=args.minutes)
        kinds = {p.kind for p in it.pairs}
        print(
            f"\n{script.name}: {len(it.chunks)} lines, {len(it.pairs)} pairs ({', '.join(sorted(kinds))}), "
            f"{min(it.distances)}-{max(it.distances)} lines apart"
        )
        for name, cfg in (("old (claims only)", old), ("new (session memory)", new)):
            caught, tokens, analyses = await run(it, cfg)
            cited = sum(1 for a in analyses if a.insight for c in a.insight.contradictions if c.earlier_chunk)
            print(f"  {name}: caught {caught}/{len(it.pairs)}, {cited} citing the earlier line")
            print(f"    {tokens_line(tokens, cfg.max_request_tokens)}")
        print(f"  retrieval per request: {times_line(*retrieval_ms(it, new.memory_statements))}")
    long = interview(SCRIPT_B, minutes=120, seed=7)
    wall, cpu = retrieval_ms(long, new.memory_statements)
    print(
        f"\ntwo hours ({len(long.chunks)} lines, a claim a line), last 120 requests: {times_line(wall[-120:], cpu[-120:])}"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores shared)")


if __name__ == "__main__":
    asyncio.run(main())
