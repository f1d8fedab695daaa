"""The session library at scale: 1,000 hour-long sessions.

    python benchmarks/library.py [--sessions 1000] [--minutes 60] [--dir DIR]

Generates ``--sessions`` journals of ``--minutes`` each (one line every 5 s
from two speakers, Zipf-distributed words from a 2,000-word vocabulary plus a
rare word per session, an analysis with a flag every 10 lines, a note every
50), written straight as JSON lines (the journal writer's format). Then
prints:

- the time to build the index from scratch (``library.refresh.refresh`` over
  every journal) and the index's size on disk;
- a refresh when nothing changed (stat of every journal: what opening the
  library costs before the list shows);
- adding one chunk to the full index (``add_chunk``, median and p99 of 500,
  on the index's thread, each its own commit), what the GUI thread pays to
  hand one over (``IndexFeed.put``), a chunk at a time through the feed as a
  live session sends them (put, then wait until it is committed: the
  hand-over between threads included), a burst of 500 through the feed
  (batched into few transactions: the total over 500), and the idle
  tidy-up that merges FTS5's segments and folds all that back into the file
  (wall-clock time, and for ``add_chunk`` the thread's CPU time too: the
  difference is this shared machine's scheduling);
- opening the library: reading the 1,000 rows (``sessions()``) and, with
  Qt available, building the library view with them and showing it;
- search latency, median and p99 of 200 searches each, for common words,
  rare words, a two-word query and prefixes ("pro", and the three letters
  that start the most said words: "tha"; both are also words of the
  generated text, cut off at 60 characters in the flags), and the prefix
  lookup alone (``"the"*``: all of the commonest word's lines, the worst case
  of what ``search`` runs when the letters typed are no word);
- where the bytes are (SQLite's ``dbstat``: each table and index).

``--fts-options`` and ``--no-vacuum`` build the index with other choices
(``library.schema.FTS_OPTIONS``, ``library.refresh.VACUUM_AFTER_REBUILD``) to measure them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.library import refresh as refresh_module
from annotator.library import schema, search
from annotator.library.feed import IndexFeed
from annotator.library.index import LibraryIndex
from annotator.library.lines import add_chunk
from annotator.library.listing import sessions
from annotator.library.refresh import refresh
from annotator.models import Chunk

SYLLABLES = ["ka", "lo", "mi", "ne", "ra", "su", "to", "vi", "de", "an", "or", "el", "ip", "us", "ba", "ge"]
COMMON = "the I and to a of that it in we was so for my with on team project about have".split()


def vocabulary(rng: random.Random, n: int = 2000) -> list[str]:
    words = list(COMMON)
    seen = set(words)
    while len(words) < n:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def generate(directory: Path, sessions: int, minutes: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    words = vocabulary(rng)
    weights = [1.0 / (i + 1) for i in range(len(words))]  # Zipf
    start = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
    total = 0
    for s in range(sessions):
        when = start + timedelta(hours=7 * s)
        stem = when.strftime("%Y-%m-%d_%H-%M-%S")
        rare = f"rareword{s:04d}"
        out: list[str] = []
        seq = 0

        def rec(kind: str, body: dict[str, object], out: list[str] = out, ts: float = when.timestamp()) -> None:
            nonlocal seq
            out.append(json.dumps({"type": kind, "seq": seq, "ts": ts, **body}))
            seq += 1

        rec("header", {"format": "annotator-session", "version": 1, "created": when.isoformat(), "model": "tiny.en"})
        lines = minutes * 12
        for i in range(1, lines + 1):
            text = " ".join(rng.choices(words, weights, k=rng.randint(8, 24)))
            if i == lines // 2:
                text += f" {rare}"
            t = (i - 1) * 5.0
            rec("chunk", {"id": i, "source": "You" if i % 2 else "Them", "start": t, "end": t + 4.5, "text": text})
            if i % 10 == 0:
                contradiction = {"statement": text[:60], "earlier": "earlier words", "explanation": "Both cannot hold."}
                insight = {"sentiment": {"label": "neutral", "score": 0.0}, "contradictions": [contradiction]}
                attempt = {"provider": "groq", "model": "m", "outcome": "ok", "status": 200, "elapsed_ms": 400}
                rec(
                    "analysis",
                    {
                        "chunk_ids": [i],
                        "text": text,
                        "provider": "groq",
                        "model": "m",
                        "insight": insight,
                        "attempts": [attempt],
                    },
                )
            if i % 50 == 0:
                rec("mark", {"at": t, "kind": "bookmark", "note": "follow up on " + rng.choice(words), "chunk_id": i})
        rec("end", {"reason": "closed", "records": seq})
        total += lines
        (directory / f"{stem}.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    return total


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def timed_each(fn: Callable[[str], object], args: list[str]) -> list[float]:
    out = []
    for arg in args:
        t = time.perf_counter()
        fn(arg)
        out.append((time.perf_counter() - t) * 1000)
    return out


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))]


def report(name: str, values: list[float]) -> None:
    print(f"{name:<42} median {statistics.median(values):8.3f} ms   p99 {p99(values):8.3f} ms   (n={len(values)})")


def open_view(index: LibraryIndex) -> float | None:
    try:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from annotator.ui.library_view import LibraryView
    except ImportError:
        return None
    app = QApplication.instance() or QApplication([])
    t = time.perf_counter()
    view = LibraryView()
    view.show_sessions(sessions(index))
    view.show()
    app.processEvents()
    elapsed = (time.perf_counter() - t) * 1000
    view.close()
    return elapsed


def busy_prefix(words: list[str]) -> str:
    """The three letters that start the most said words (by the Zipf weights), and are no word
    themselves (else the word as typed fills the page and the prefix is never looked up)."""
    said: dict[str, float] = {}
    for rank, w in enumerate(words):
        said[w[:3]] = said.get(w[:3], 0.0) + 1.0 / (rank + 1)
    return max((p for p in said if p not in words and len(p) == 3), key=lambda p: said[p])


def where_the_bytes_are(path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT name, sum(pgsize), sum(unused) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6"
    ).fetchall()
    free = conn.execute("PRAGMA freelist_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    shown = ", ".join(f"{name} {size / 1e6:.1f} MB ({unused / 1e6:.1f} unused)" for name, size, unused in rows)
    print(f"  where: {shown}; free pages {free / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--reuse", action="store_true", help="keep the journals already generated in --dir")
    parser.add_argument("--fts-options", help=f"FTS5 options instead of {schema.FTS_OPTIONS!r}")
    parser.add_argument("--no-vacuum", action="store_true", help="no VACUUM after the rebuild")
    args = parser.parse_args()
    if args.fts_options is not None:
        schema.FTS_OPTIONS = args.fts_options
    if args.no_vacuum:
        refresh_module.VACUUM_AFTER_REBUILD = False
    print(f"FTS5 options: {schema.FTS_OPTIONS}; VACUUM after a rebuild: {refresh_module.VACUUM_AFTER_REBUILD}")
    base = args.dir or Path(tempfile.mkdtemp(prefix="library-bench-"))
    sessions_dir = base / "sessions"
    sessions_dir.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    if args.reuse and any(sessions_dir.glob("*.jsonl")):
        lines = args.sessions * args.minutes * 12
    else:
        lines = generate(sessions_dir, args.sessions, args.minutes)
    size = sum(p.stat().st_size for p in sessions_dir.iterdir())
    print(
        f"generated {args.sessions} sessions, {lines} lines, {size / 1e6:.0f} MB of journals in {time.perf_counter() - t:.1f} s"
    )

    index_path = base / "library.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index_path}{suffix}").unlink(missing_ok=True)  # from scratch
    t = time.perf_counter()
    index = LibraryIndex.open(index_path, sessions_dir)
    refresh(index)
    build = time.perf_counter() - t
    print(f"index built from scratch: {build:.1f} s; index on disk {index.size_bytes() / 1e6:.0f} MB")
    where_the_bytes_are(index_path)

    report("refresh, nothing changed", timed(lambda: refresh(index), 20))
    report("sessions() (the list's rows)", timed(lambda: sessions(index), 20))
    view = [v for v in (open_view(index) for _ in range(5)) if v is not None]
    if view:
        report("library view opened (rows + widget shown)", view)

    journal = sorted(sessions_dir.glob("*.jsonl"))[-1]
    counter = iter(range(10_000_000, 20_000_000))
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(500):
        chunk = Chunk(next(counter), "You", 3600, 3604, "a new line about the roadmap")
        t, c = time.perf_counter(), time.thread_time()
        add_chunk(index, journal, chunk)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    report("add_chunk on the full index", wall)
    report("  the same, CPU time of the thread", cpu)
    feed = IndexFeed(lambda: index)
    report(
        "IndexFeed.put (what the GUI thread pays)",
        timed(lambda: feed.put(lambda i: add_chunk(i, journal, Chunk(next(counter), "You", 1, 2, "x y z"))), 500),
    )
    feed.wait_idle()

    def one_live_chunk() -> None:
        chunk = Chunk(next(counter), "You", 3600, 3604, "a new line about the roadmap")
        feed.put(lambda i: add_chunk(i, journal, chunk))
        feed.wait_idle()

    report("a chunk through the feed, put to committed", timed(one_live_chunk, 500))
    t = time.perf_counter()
    for _ in range(500):
        chunk = Chunk(next(counter), "You", 3600, 3604, "a burst of lines about the roadmap")
        feed.put(lambda i, chunk=chunk: add_chunk(i, journal, chunk))
    feed.wait_idle()
    burst = (time.perf_counter() - t) * 1000
    print(f"{'a burst of 500 through the feed':<42} {burst / 500:8.3f} ms a chunk ({burst:.0f} ms in all)")
    report("tidy-up when idle (merge, checkpoint)", timed(index.tidy, 1))

    rng = random.Random(1)
    words = vocabulary(random.Random(7))
    queries = {
        "common word ('the')": ["the"] * 200,
        "common words (top 20)": [rng.choice(COMMON) for _ in range(200)],
        "rare word (one session)": [f"rareword{rng.randrange(args.sessions):04d}" for _ in range(200)],
        "mid-frequency word": [rng.choice(words[500:1500]) for _ in range(200)],
        "two words": [f"{rng.choice(COMMON)} {rng.choice(words[100:400])}" for _ in range(200)],
        "prefix while typing ('pro')": ["pro"] * 200,
        f"prefix of the most said words ('{busy_prefix(words)}')": [busy_prefix(words)] * 200,
        "one letter typed ('a')": ["a"] * 200,
    }
    for name, qs in queries.items():
        report(f"search: {name}", timed_each(lambda q: search.search(index, q), qs))
    # The prefix lookup alone: what ``search`` runs when the letters typed are no word (or fill
    # fewer than a page), here for the letters of the commonest words: its worst case.
    for letters in ("the", "and", busy_prefix(words)):
        query = search.fts_query(letters)
        report(f"prefix lookup alone: {query}", timed(lambda q=query: search._matching(index, q, 50), 50))
    index.close()
    print(f"(files under {base})")


if __name__ == "__main__":
    main()
