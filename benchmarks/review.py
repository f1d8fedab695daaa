"""Benchmark the post-session review: planning, the cost estimate, and a whole run on loopback.

    python benchmarks/review.py [--runs 5]

Prints two tables, for synthetic interviews of 30 to 240 minutes (one
utterance every 5 s of ~16 words, a live flag every 2 minutes):

1. with the default ``[post]`` limits (30,000-token requests, 800 overlap):
   lines, live flags, parts, estimated input tokens (and the share spent on
   overlap and carried notes), and the time ``plan_review`` +
   ``estimate_review`` take (median ms);
2. a whole ``review_record`` run against the loopback fault server answering
   at once: wall time (median ms) and the review's own overhead per part
   (prompt building, strict parsing, merging), and the merge alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.analysis.prompt import estimate_tokens  # noqa: E402
from annotator.analysis.review.flags import live_flags  # noqa: E402
from annotator.analysis.review.merge import merge_parts  # noqa: E402
from annotator.analysis.review.parse import parse_review  # noqa: E402
from annotator.analysis.review.plan import estimate_review, plan_review  # noqa: E402
from annotator.analysis.review.run import review_record  # noqa: E402
from annotator.config.schema import POST_PROVIDER_DEFAULTS, Config, PostConfig  # noqa: E402
from annotator.journal.record import SessionRecord  # noqa: E402
from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment  # noqa: E402
from tests.helpers.faultserver import FaultServer, Reply  # noqa: E402

WORDS = "we moved the ledger to postgres and cut the settlement time roughly in half last spring".split()


def interview(minutes: int) -> SessionRecord:
    chunks = []
    analyses = []
    for i in range(minutes * 12):
        words = [WORDS[(i + k) % len(WORDS)] for k in range(16)]
        chunk = Chunk(i + 1, "Candidate" if i % 2 else "Interviewer", i * 5.0, i * 5.0 + 4.5, " ".join(words))
        chunks.append(chunk)
        if i % 24 == 23:
            flag = Contradiction(" ".join(words[:6]), "something said earlier about the ledger", "Numbers differ.")
            analyses.append(Analysis((chunk.id,), chunk.text, Insight(Sentiment("neutral", 0.0), (flag,)), "fast", "m"))
    return SessionRecord(header={}, chunks=tuple(chunks), analyses=tuple(analyses))


def reply(flags: list[int]) -> str:
    return json.dumps(
        {
            "confirmed": [
                {
                    "flag": n,
                    "statement": "cut the settlement time",
                    "statement_at": "10:00",
                    "earlier": "ledger",
                    "earlier_at": "02:00",
                    "reason": "Differs.",
                }
                for n in flags
            ],
            "rejected": [],
            "missed": [{"statement": "half", "statement_at": "12:00", "earlier": "a third", "earlier_at": "03:00"}],
            "sentiment_arc": {
                "summary": "Calm.",
                "turning_points": [{"at": "05:00", "label": "positive", "score": 0.4}],
            },
            "claims": [f"[0{k}:00] Candidate: claim {k} about the ledger migration" for k in range(10)],
            "summary": "A calm interview about the ledger migration. " * 4,
            "follow_up_questions": ["When exactly was the migration?"],
        }
    )


def table_plan(runs: int) -> None:
    config = Config(providers=(replace(Config().providers[-1], **POST_PROVIDER_DEFAULTS),))
    print(
        "| minutes | lines | live flags | parts | est. input tokens | transcript tokens | overhead | plan+estimate ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for minutes in (30, 60, 120, 240):
        record = interview(minutes)
        keys = {"claude": "k"}
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            plan = plan_review(record, config.post)
            estimate = estimate_review(record, config, keys=keys)
            times.append((time.perf_counter() - t0) * 1000)
        transcript = sum(estimate_tokens(line) + 1 for line in plan.lines)
        overhead = estimate.input_tokens / transcript - 1
        print(
            f"| {minutes} | {len(plan.lines)} | {len(plan.flags)} | {len(plan.parts)} | {estimate.input_tokens:,} | "
            f"{transcript:,} | {overhead:+.0%} | {statistics.median(times):.1f} |"
        )


async def run_review(record: SessionRecord, runs: int) -> None:
    plan = plan_review(record, PostConfig())
    with FaultServer() as server:
        for _ in range(runs):  # replies are taken in order: each run's parts in turn
            server.script("strong", *[Reply.ok(reply([f.number for f in part.flags])) for part in plan.parts])
        provider = server.provider("strong", **POST_PROVIDER_DEFAULTS)
        config = Config(providers=(provider,), post=PostConfig(providers=(provider,)))
        walls = []
        for _ in range(runs):
            t0 = time.perf_counter()
            review = await review_record(record, config, keys={})
            walls.append((time.perf_counter() - t0) * 1000)
            assert review.result is not None, review.error
    parts = [parse_review(reply([f.number for f in p.flags]), frozenset(f.number for f in p.flags)) for p in plan.parts]
    t0 = time.perf_counter()
    for _ in range(runs):
        merge_parts(parts, live_flags(record))
    merge_ms = (time.perf_counter() - t0) * 1000 / runs
    wall = statistics.median(walls)
    print(
        f"| {len(record.chunks) // 12} | {len(plan.parts)} | {wall:.0f} | {wall / len(plan.parts):.0f} | {merge_ms:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("1. Planning and the estimate, default [post] limits\n")
    table_plan(args.runs)
    print("\n2. A whole review against the loopback fault server (answers at once)\n")
    print("| minutes | parts | wall ms | per part ms | merge ms |")
    print("|---:|---:|---:|---:|---:|")
    for minutes in (30, 120, 240):
        asyncio.run(run_review(interview(minutes), args.runs))


if __name__ == "__main__":
    main()
