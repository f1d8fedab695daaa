"""A rate-limit window in a session (issue 19): the real analyser against the loopback fault server."""

from __future__ import annotations

import asyncio

from annotator.analysis.analyzer import build_analyzer
from annotator.config.schema import Config
from annotator.models import Analysis, Chunk
from annotator.sessions.events import AnalysisHeld, Event
from annotator.sessions.pipeline import AnalysisQueueLimits, Pipeline
from tests.helpers.faultserver import FaultServer, Reply, fault_server
from tests.unit.sessions.test_pipeline import Recorder

__all__ = ["fault_server"]


class Answers(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.analyses: list[Analysis] = []
        self.held = asyncio.Event()

    def on_analysis(self, analysis: Analysis) -> None:
        super().on_analysis(analysis)
        self.analyses.append(analysis)

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        if isinstance(event, AnalysisHeld):
            self.held.set()


def said(i: int) -> Chunk:
    return Chunk(i, "Them", i * 5.0, i * 5.0 + 4, f"Line {i}: I led the team for {i} years.")


def config(server: FaultServer) -> Config:
    return Config(providers=(server.provider("a"), server.provider("b")))


async def test_a_live_session_holds_chunks_while_every_provider_is_rate_limited(fault_server: FaultServer) -> None:
    fault_server.script("a", Reply.status(429, retry_after="2"))
    fault_server.script("b", Reply.status(429, retry_after="2"))
    sink = Answers()
    pipeline = Pipeline(build_analyzer(config(fault_server), keys={}), [sink])
    pipeline.start()
    pipeline.add_chunk(said(1))
    await asyncio.wait_for(sink.held.wait(), 30)
    pipeline.add_chunk(said(2))  # said while both providers wait: held, not estimated locally
    pipeline.add_chunk(said(3))
    await pipeline.stop()
    (analysis,) = sink.analyses
    assert analysis.chunk_ids == (1, 2, 3) and analysis.provider == "a", analysis
    # the unanswered attempts are kept with the answer (they are part of the record)
    assert [(a.provider, a.outcome.value) for a in analysis.attempts] == [
        ("a", "rate_limited"),
        ("b", "rate_limited"),
        ("a", "ok"),
    ]
    assert sink.of("analysis_held")[0]["seconds"] > 0
    assert sink.of("analysis_released") == [{"chunks": 3}]
    assert sink.of("unanalysed") == []
    assert len(fault_server.requests_for("a")) == 2


async def test_a_session_that_ends_with_chunks_unanalysed_says_which(fault_server: FaultServer) -> None:
    fault_server.set_default(Reply.status(500))
    sink = Answers()
    pipeline = Pipeline(build_analyzer(config(fault_server), keys={}), [sink])
    pipeline.start()
    for i in (1, 2):
        pipeline.add_chunk(said(i))
        await pipeline.drain()
    await pipeline.stop()
    (event,) = sink.of("unanalysed")
    assert (event["chunks"], event["total"], event["from"], event["to"]) == (2, 2, 5.0, 14.0)
    assert event["sentence"] == "2 of 2 chunks were left unanalysed (local estimate only), from 00:05 to 00:14"


async def test_a_replayed_file_waits_for_the_provider_instead_of_skipping(fault_server: FaultServer) -> None:
    fault_server.script("a", Reply.ok(), Reply.status(429, retry_after="2"))
    fault_server.script("b", Reply.status(429, retry_after="2"))
    sink = Answers()
    pipeline = Pipeline(
        build_analyzer(config(fault_server), keys={}), [sink], limits=AnalysisQueueLimits(per_chunk=True)
    )
    pipeline.start()
    await pipeline.replay_chunks([said(i) for i in range(1, 6)], speed=0.0)
    await pipeline.drain()
    await pipeline.stop()
    assert [a.chunk_ids for a in sink.analyses] == [(i,) for i in range(1, 6)]
    assert all(not a.local for a in sink.analyses), [a.provider for a in sink.analyses]
    assert sink.of("analysis_held")[0]["provider"] == "a"
    assert sink.of("unanalysed") == []
