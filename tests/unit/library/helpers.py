"""Sessions for the library tests: real journals written by ``journal.writer.Journal``."""

from __future__ import annotations

from pathlib import Path

from annotator.journal.writer import Journal
from annotator.library.index import LibraryIndex
from annotator.library.refresh import refresh
from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Mark, Outcome, Sentiment

CLOCK = [1_764_087_603.0]
DAY = 86_400.0
T0 = 1_764_087_603.0


def ticking_clock() -> float:
    return CLOCK[0]


def write_session(directory: Path, lines: list[tuple[str, str]], *, when: float, close: bool = True) -> Path:
    """A journal at wall-clock time ``when`` with one chunk per (source, text), a flag on the
    last line, and a note on the first."""
    journal = Journal.create(directory, header={"model": "tiny.en"}, clock=lambda: when)
    for i, (source, text) in enumerate(lines, start=1):
        journal.write_chunk(Chunk(i, source, i * 10.0, i * 10.0 + 5.0, text))
    insight = Insight(Sentiment("neutral", 0.0), (Contradiction(lines[-1][1], lines[0][1], "Both cannot hold."),))
    attempt = Attempt("groq", "llama", Outcome.OK, 200, 500, 100, 20, 0.0025)
    journal.write_analysis(Analysis((len(lines),), lines[-1][1], insight, "groq", "llama", (attempt,), 500))
    journal.write_mark(Mark(10.0, "bookmark", "ask about the migration", 1))
    if close:
        journal.close()
    else:
        journal._at_exit()  # the process died: no end record
    return journal.path


def open_index(tmp_path: Path, sessions: Path) -> LibraryIndex:
    """The index of ``sessions`` under ``tmp_path``, caught up with them."""
    index = LibraryIndex.open(tmp_path / "data" / "library.sqlite3", sessions)
    refresh(index)
    return index
