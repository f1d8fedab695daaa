"""A transcript replayed as fast as possible through the pipeline and the real
chain on loopback: every chunk journaled, every chunk analysed (merged under
backlog) or marked as failed, and the journal reads back whole."""

from __future__ import annotations

from pathlib import Path

from annotator.analysis.analyzer import build_analyzer
from annotator.config.file import load_config
from annotator.formats.readers import read_chunks, read_session
from annotator.journal.writer import Journal
from annotator.models import LOCAL_PROVIDER
from annotator.sessions.pipeline import MAX_SPEED, Pipeline
from annotator.sessions.sinks import JournalSink
from tests.conftest import DATA
from tests.helpers.faultserver import FaultServer, Reply, insight_json


async def run_replay(config_path: Path, tmp_path: Path) -> tuple[Path, Pipeline]:
    config = load_config(config_path)
    chunks = read_chunks(DATA / "backend-lead.txt")
    journal = Journal.create(tmp_path / "sessions", header={"mode": "replay"})
    analyzer = build_analyzer(config)
    pipeline = Pipeline(analyzer, [JournalSink(journal)])
    pipeline.start()
    await pipeline.replay_chunks(chunks, speed=MAX_SPEED)
    await pipeline.stop()
    await journal.aclose()
    await analyzer.aclose()
    return journal.path, pipeline


async def test_fast_replay_merges_requests_and_analyses_every_chunk(fault_server: FaultServer, tmp_path: Path) -> None:
    found = insight_json("negative", -0.5, [("eighteen months ago", "about three years now", "Tenure differs.")])
    fault_server.set_default(Reply.ok(found, delay_s=0.3))
    config = fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a")])
    path, pipeline = await run_replay(config, tmp_path)

    record = read_session(path)
    assert record.closed_cleanly and len(record.chunks) == 20
    assert [c.text for c in record.chunks] == [c.text for c in read_chunks(DATA / "backend-lead.txt")]
    analysed = [i for a in record.analyses for i in a.chunk_ids]
    assert sorted(analysed) == [c.id for c in record.chunks]  # each chunk once, none lost
    assert len(fault_server.requests) < 20  # chunks that waited were merged into fewer requests
    assert all(a.provider == "a" and a.insight is not None for a in record.analyses)
    assert record.analyses[0].insight is not None and record.analyses[0].insight.contradictions
    # each request after the first carried the previous insight (the differential memory)
    assert all("eighteen months ago" in r.prompt_text for r in fault_server.requests[1:])
    assert pipeline.dropped_from_analysis == 0


async def test_when_every_provider_fails_each_chunk_is_marked_and_the_transcript_goes_on(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fault_server.set_default(Reply.status(503))
    config = fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a"), fault_server.provider("b")])
    path, _ = await run_replay(config, tmp_path)

    record = read_session(path)
    assert len(record.chunks) == 20
    assert sorted(i for a in record.analyses for i in a.chunk_ids) == [c.id for c in record.chunks]
    for analysis in record.analyses:
        assert analysis.provider == LOCAL_PROVIDER  # the labelled local estimate
        assert analysis.insight is not None and not analysis.insight.contradictions
        assert [(a.provider, a.status) for a in analysis.attempts] == [("a", 503), ("b", 503)]
