"""Journal throughput and the worst stall of a write call, with the sync policy on.

    python benchmarks/journal.py [--records 50000] [--dir DIR]

Prints, for each scenario: records/second accepted by the caller, records/s
until everything was written and fsync'd (close included), and the time a
single ``write_*`` call took as the caller saw it (median, 99.9th percentile,
worst). Scenarios:

- burst: a realistic mix (chunks, analyses with attempts, events) written as
  fast as one thread can, sync interval 1 s;
- burst under disk pressure: the same while another thread writes and fsyncs
  1 MB blocks to a second file on the same disk (slow fsyncs);
- event loop: an asyncio task writes 200 records/s for 3 s while a heartbeat
  task measures how late the loop runs (the stall the window would feel);
- noise floor: the same calls building and encoding records with no journal
  behind them, so scheduling noise on a shared machine can be told apart;
- baseline: write + fsync in the caller for every record (what the writer
  thread saves us from), for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from annotator.journal.writer import Journal
from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Outcome, Sentiment

CHUNK_TEXT = "I have been leading the backend team at a logistics startup for about three years now, honestly."


def make_analysis(i: int) -> Analysis:
    insight = Insight(
        Sentiment("negative", -0.4),
        (
            Contradiction(
                "I migrated our whole cluster to Kubernetes", "I have never worked with Kubernetes", "Both cannot hold."
            ),
        ),
        ("leads a team of six", "three years at the startup", "never used Kubernetes"),
        "A contradiction about Kubernetes.",
    )
    attempts = (
        Attempt("kimi", "kimi-k2-turbo-preview", Outcome.RATE_LIMITED, 429, 120, detail="retry after 3 s"),
        Attempt("groq", "llama-3.1-8b-instant", Outcome.OK, 200, 800, 610, 90, 0.0000423),
    )
    return Analysis((i,), CHUNK_TEXT, insight, "groq", "llama-3.1-8b-instant", attempts, 930)


class EncodeOnly:
    """The caller's share of a write (building and encoding the record), with no
    journal behind it: the machine's noise floor for the call-time figures."""

    def __init__(self) -> None:
        self.sink: list[bytes] = []

    def _encode(self, record: dict[str, object]) -> int:
        self.sink.append((json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
        return len(self.sink)

    def write_chunk(self, chunk: Chunk) -> int:
        return self._encode({"type": "chunk", **chunk.to_dict()})

    def write_analysis(self, analysis: Analysis) -> int:
        return self._encode({"type": "analysis", **analysis.to_dict()})

    def write_event(self, kind: str, data: dict[str, object]) -> int:
        return self._encode({"type": "event", "kind": kind, "data": data})


def write_one(journal: Journal | EncodeOnly, i: int) -> None:
    kind = i % 10
    if kind < 6:
        journal.write_chunk(Chunk(i, "Them", i * 0.5, i * 0.5 + 0.4, CHUNK_TEXT))
    elif kind < 9:
        journal.write_analysis(make_analysis(i))
    else:
        journal.write_event("backlog", {"merged": 3, "waiting": 1})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, n: int, accepted_s: float, durable_s: float, calls_ns: list[int], size: int) -> None:
    us = [c / 1000 for c in calls_ns]
    print(
        f"{name:<34} {n:>7} records  accepted {n / accepted_s:>9,.0f}/s  durable {n / durable_s:>9,.0f}/s  "
        f"call median {statistics.median(us):6.1f} us  p99.9 {percentile(us, 0.999):8.1f} us  "
        f"worst {max(us) / 1000:7.2f} ms  ({size / n:.0f} B/record)"
    )


def noise_floor(n: int) -> None:
    null = EncodeOnly()
    calls: list[int] = []
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        c0 = time.perf_counter_ns()
        write_one(null, i)
        calls.append(time.perf_counter_ns() - c0)
    elapsed = time.perf_counter() - t0
    report("noise floor: encode only, no I/O", n, elapsed, elapsed, calls, sum(len(b) for b in null.sink))


def burst(directory: Path, n: int, name: str) -> None:
    journal = Journal.create(directory, header={"model": "tiny.en", "bench": name})
    calls: list[int] = []
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        c0 = time.perf_counter_ns()
        write_one(journal, i)
        calls.append(time.perf_counter_ns() - c0)
    accepted = time.perf_counter() - t0
    journal.close()
    durable = time.perf_counter() - t0
    report(name, n, accepted, durable, calls, journal.path.stat().st_size)


class DiskHog:
    """Writes and fsyncs 1 MB blocks to a file until stopped."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "hog.bin"
        self.stop = threading.Event()
        self.syncs = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        block = os.urandom(1024 * 1024)
        with self.path.open("wb") as f:
            while not self.stop.is_set():
                f.write(block)
                f.flush()
                os.fsync(f.fileno())
                self.syncs += 1
                if f.tell() > 256 * 1024 * 1024:
                    f.seek(0)
                    f.truncate()

    def __enter__(self) -> DiskHog:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.path.unlink(missing_ok=True)


async def event_loop_lag(directory: Path, seconds: float = 3.0, rate: float = 200.0) -> None:
    journal = Journal.create(directory, header={"bench": "event loop"})
    lags: list[float] = []
    calls: list[int] = []
    done = asyncio.Event()

    async def heartbeat() -> None:
        period = 0.005
        while not done.is_set():
            t = time.perf_counter()
            await asyncio.sleep(period)
            lags.append(time.perf_counter() - t - period)

    async def writer() -> None:
        i = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            i += 1
            c0 = time.perf_counter_ns()
            write_one(journal, i)
            calls.append(time.perf_counter_ns() - c0)
            await asyncio.sleep(1 / rate)
        done.set()

    hb = asyncio.create_task(heartbeat())
    await writer()
    await hb
    await journal.aclose()
    us = [c / 1000 for c in calls]
    print(
        f"{'event loop, 200 records/s':<34} {len(calls):>7} records  call median {statistics.median(us):6.1f} us  "
        f"worst {max(us) / 1000:6.2f} ms   loop lag median {statistics.median(lags) * 1000:5.2f} ms  "
        f"worst {max(lags) * 1000:6.2f} ms"
    )


def baseline(directory: Path, n: int) -> None:
    path = directory / "baseline.jsonl"
    calls: list[int] = []
    t0 = time.perf_counter()
    with path.open("ab") as f:
        for i in range(1, n + 1):
            c0 = time.perf_counter_ns()
            record = {"type": "chunk", "seq": i, **Chunk(i, "Them", i, i + 0.4, CHUNK_TEXT).to_dict()}
            f.write((json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
            calls.append(time.perf_counter_ns() - c0)
    elapsed = time.perf_counter() - t0
    report("baseline: fsync every record", n, elapsed, elapsed, calls, path.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--dir", type=Path, help="where to write (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        print(f"journal benchmark in {directory} (sync interval 1 s)")
        noise_floor(args.records)
        burst(directory, args.records, "burst")
        with DiskHog(directory) as hog:
            burst(directory, args.records, "burst under disk pressure")
        print(f"{'':<34} (the competing writer fsync'd {hog.syncs} x 1 MB meanwhile)")
        asyncio.run(event_loop_lag(directory))
        baseline(directory, min(args.records, 2000))


if __name__ == "__main__":
    main()
