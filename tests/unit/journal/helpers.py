"""Journals for the journal tests: a fixed clock, a sample analysis, a closed journal, and one made unfinished."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.journal.writer import Journal
from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Outcome, Sentiment

FIXED = 1_764_087_603.0  # 2025-11-25 16:20:03 UTC


def fixed_clock() -> float:
    return FIXED


def sample_analysis() -> Analysis:
    insight = Insight(
        Sentiment("negative", -0.4),
        (Contradiction("I migrated to Kubernetes", "I have never worked with Kubernetes", "Both cannot hold."),),
        ("never used Kubernetes",),
        "A contradiction.",
    )
    attempts = (
        Attempt("kimi", "kimi-k2-turbo-preview", Outcome.RATE_LIMITED, 429, 120, detail="retry after 3 s"),
        Attempt("groq", "llama-3.1-8b-instant", Outcome.OK, 200, 800, 310, 60, 0.0000123),
    )
    return Analysis((1, 2), "two chunks", insight, "groq", "llama-3.1-8b-instant", attempts, 930)


def lines_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def journal_with_records(directory: Path, n: int = 3) -> Path:
    journal = Journal.create(directory, header={"model": "tiny.en"})
    for i in range(1, n + 1):
        journal.write_chunk(Chunk(i, "You", i, i + 0.5, f"chunk {i}"))
    journal.close()
    return journal.path


def drop_end(path: Path, tail: bytes = b"") -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    assert json.loads(lines[-1])["type"] == "end"
    path.write_bytes(b"".join(lines[:-1]) + tail)
