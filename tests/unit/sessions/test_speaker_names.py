"""Naming speakers in a running session (the pipeline) and in a saved one (the service)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from annotator.analysis.prompt import chunk_line
from annotator.formats.readers import read_session
from annotator.journal.writer import Journal
from annotator.models import Analysis, Chunk, Insight, Sentiment, SpeakerName
from annotator.sessions.pipeline import Pipeline
from annotator.sessions.sinks import JournalSink
from tests.helpers.faultserver import FaultServer
from tests.unit.journal.helpers import lines_of
from tests.unit.sessions.test_pipeline import Recorder
from tests.unit.sessions.test_service import service


class Lines:
    """An analyser that keeps the prompt lines it was sent."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.answered = asyncio.Event()

    async def analyze(self, chunks: Sequence[Chunk], previous: Insight | None) -> Analysis:
        self.lines += [chunk_line(c) for c in chunks]
        self.answered.set()
        return Analysis(tuple(c.id for c in chunks), "", Insight(Sentiment("neutral", 0.0)), "p", "m")


async def test_a_name_given_during_a_session_is_journaled_and_heads_later_lines(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={})
    seen = Recorder()
    analyzer = Lines()
    pipeline = Pipeline(analyzer, [JournalSink(journal), seen])
    pipeline.start()
    pipeline.add_chunk(Chunk(1, "You", 0, 1, "I led it for three years.", "S2"))
    await asyncio.wait_for(analyzer.answered.wait(), 10)
    pipeline.name_speaker("S2", "Candidate")
    pipeline.add_chunk(Chunk(2, "You", 2, 3, "I joined eighteen months ago.", "S2"))
    pipeline.add_chunk(Chunk(3, "You", 4, 5, "Really?", "S1"))
    await pipeline.stop()
    await journal.aclose()
    assert seen.of("speaker") == [{"id": "S2", "name": "Candidate"}]
    assert analyzer.lines == [
        "S2 (You): I led it for three years.",
        "Candidate: I joined eighteen months ago.",
        "S1 (You): Really?",
    ]
    assert [r["type"] for r in lines_of(journal.path)].count("speaker") == 1
    record = read_session(journal.path)
    assert [c.who for c in record.chunks] == ["Candidate", "Candidate", "S1"]


async def test_a_saved_session_is_renamed_in_its_journal_and_on_screen(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    journal = Journal.create(tmp_path / "sessions", header={})
    journal.write_chunk(Chunk(1, "You", 0, 1, "Hello.", "S1"))
    journal.write_chunk(Chunk(2, "You", 2, 3, "Hi.", "S2"))
    journal.close()
    sessions, sink = service(fault_server, tmp_path)
    await sessions.open(journal.path, 1.0)
    await sessions.name_speaker("S2", "  Candidate ", journal.path)
    assert sink.of("speaker") == [{"id": "S2", "name": "Candidate"}]
    assert read_session(journal.path).speakers == (SpeakerName("S2", "Candidate"),)
    assert [c.who for c in read_session(journal.path).chunks] == ["S1", "Candidate"]
    assert fault_server.requests == []
