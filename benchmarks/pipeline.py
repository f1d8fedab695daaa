"""Benchmark the headless pipeline: a 60-minute interview replayed as fast as
possible through the real chain, against a loopback provider answering in a
fixed 300 ms, with the session journal on.

    python benchmarks/pipeline.py [--minutes 60] [--answer-delay 0.3]

Prints: wall time, chunks, requests sent (chunks that waited are merged),
request tokens (first, median, last, max; estimate = UTF-8 bytes / 4), and
peak memory (Python allocations traced, and the process's max RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from chain import interview_chunks  # noqa: E402

from annotator.analysis.analyzer import build_analyzer  # noqa: E402
from annotator.analysis.prompt import estimate_tokens  # noqa: E402
from annotator.config.schema import Config  # noqa: E402
from annotator.formats.readers import read_session  # noqa: E402
from annotator.journal.writer import Journal  # noqa: E402
from annotator.sessions.pipeline import MAX_SPEED, Pipeline  # noqa: E402
from annotator.sessions.sinks import JournalSink  # noqa: E402
from tests.helpers.faultserver import FaultServer, Reply, insight_json  # noqa: E402


async def replay(server: FaultServer, minutes: int, sessions: Path) -> tuple[float, Path, Pipeline]:
    chunks = interview_chunks(minutes)
    analyzer = build_analyzer(Config(providers=(server.provider("bench"),)), keys={})
    journal = Journal.create(sessions, header={"mode": "benchmark"})
    pipeline = Pipeline(analyzer, [JournalSink(journal)])
    t0 = time.perf_counter()
    pipeline.start()
    await pipeline.replay_chunks(chunks, speed=MAX_SPEED)
    await pipeline.stop()
    wall = time.perf_counter() - t0
    await journal.aclose()
    await analyzer.aclose()
    return wall, journal.path, pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--answer-delay", type=float, default=0.3)
    args = parser.parse_args()
    claims = [f"Candidate claim {i}: a fact of about a dozen words worth remembering here" for i in range(8)]
    reply = Reply.ok(
        insight_json(claims=claims, summary="The candidate described the role."), delay_s=args.answer_delay
    )
    tracemalloc.start()
    with FaultServer(default=reply) as server, tempfile.TemporaryDirectory() as tmp:
        wall, path, pipeline = asyncio.run(replay(server, args.minutes, Path(tmp)))
        _, peak_traced = tracemalloc.get_traced_memory()
        tokens = [estimate_tokens(r.prompt_text) for r in server.requests]
        record = read_session(path)
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    analysed = sum(len(a.chunk_ids) for a in record.analyses)
    print(
        f"Pipeline replay of a {args.minutes}-minute interview, as fast as possible, provider answering in "
        f"{args.answer_delay * 1000:.0f} ms"
    )
    print(f"  wall time            {wall:8.2f} s")
    print(
        f"  chunks               {pipeline.chunks_seen:8d}  (journaled: {len(record.chunks)}, analysed: {analysed},"
        f" left unanalysed under backlog: {pipeline.dropped_from_analysis})"
    )
    print(
        f"  requests sent        {len(tokens):8d}  ({pipeline.chunks_seen / max(1, len(tokens)):.1f} chunks per request)"
    )
    print(
        f"  tokens per request   first {tokens[0]}, median {statistics.median(tokens):.0f}, last {tokens[-1]}, "
        f"max {max(tokens)}"
    )
    print(
        f"  peak memory          {peak_traced / 2**20:8.1f} MB traced Python allocations, {max_rss_mb:.0f} MB max RSS"
    )


if __name__ == "__main__":
    main()
