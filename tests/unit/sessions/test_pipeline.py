"""The pipeline's own rules, with an analyzer the test holds by the hand.

The end-to-end path against the real chain and the loopback fault server is
in tests/e2e/test_pipeline_replay.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from annotator.errors import AnnotatorError
from annotator.models import Analysis, Chunk, Insight, Mark, Sentiment
from annotator.sessions.events import Event
from annotator.sessions.pipeline import MAX_SPEED, AnalysisQueueLimits, Pipeline
from annotator.sessions.stored import StoredSession


class GatedAnalyzer:
    """Answers each request only when the test opens the gate."""

    def __init__(self) -> None:
        self.requests: list[tuple[list[int], Insight | None]] = []
        self.gate = asyncio.Event()
        self.started = asyncio.Event()

    async def analyze(self, chunks: Sequence[Chunk], previous: Insight | None) -> Analysis:
        self.requests.append(([c.id for c in chunks], previous))
        self.started.set()
        await self.gate.wait()
        insight = Insight(Sentiment("neutral", 0.0), claims=(f"claim {chunks[-1].id}",))
        return Analysis(tuple(c.id for c in chunks), " ".join(c.text for c in chunks), insight, "p", "m")


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_chunk(self, chunk: Chunk) -> None:
        self.events.append(("chunk", chunk.id))

    def on_analysis(self, analysis: Analysis) -> None:
        self.events.append(("analysis", analysis.chunk_ids))

    def on_mark(self, mark: Mark) -> None:
        self.events.append(("mark", mark))

    def on_error(self, error: AnnotatorError) -> None:
        self.events.append(("error", str(error)))

    def on_event(self, event: Event) -> None:
        self.events.append((event.kind, event.to_dict()))

    def on_level(self, source: str, level: float) -> None:
        self.events.append(("level", level))

    def of(self, kind: str) -> list[Any]:
        return [v for k, v in self.events if k == kind]


def chunks(n: int, length: int = 10) -> list[Chunk]:
    return [Chunk(i, "Them", float(i), i + 0.5, f"{i:02d}" + "x" * (length - 2)) for i in range(n)]


async def test_chunks_arriving_during_an_analysis_are_merged_into_the_next_request() -> None:
    analyzer, sink = GatedAnalyzer(), Recorder()
    pipeline = Pipeline(analyzer, [sink])
    pipeline.start()
    batch = chunks(5)
    pipeline.add_chunk(batch[0])
    await analyzer.started.wait()
    for c in batch[1:]:
        pipeline.add_chunk(c)
    analyzer.gate.set()
    assert await pipeline.drain(timeout=5)
    assert [ids for ids, _ in analyzer.requests] == [[0], [1, 2, 3, 4]]
    # the second request builds on the first insight
    assert analyzer.requests[1][1] is not None and analyzer.requests[1][1].claims == ("claim 0",)
    assert sink.of("chunk") == [0, 1, 2, 3, 4]
    assert sink.of("analysis") == [(0,), (1, 2, 3, 4)]
    await pipeline.stop()


async def test_a_batch_never_exceeds_the_character_budget() -> None:
    analyzer, sink = GatedAnalyzer(), Recorder()
    analyzer.gate.set()
    pipeline = Pipeline(analyzer, [sink], limits=AnalysisQueueLimits(batch_chars=35, max_waiting=100))
    for c in chunks(10):
        pipeline.add_chunk(c)  # all waiting before the loop starts
    pipeline.start()
    assert await pipeline.drain(timeout=5)
    assert [len(ids) for ids, _ in analyzer.requests] == [3, 3, 3, 1]
    await pipeline.stop()


async def test_backlog_is_bounded_and_reported_but_every_chunk_reaches_the_sinks() -> None:
    analyzer, sink = GatedAnalyzer(), Recorder()
    pipeline = Pipeline(analyzer, [sink], limits=AnalysisQueueLimits(batch_chars=10_000, max_waiting=3))
    pipeline.start()
    batch = chunks(8)
    pipeline.add_chunk(batch[0])
    await analyzer.started.wait()
    for c in batch[1:]:
        pipeline.add_chunk(c)
    analyzer.gate.set()
    assert await pipeline.drain(timeout=5)
    assert sink.of("chunk") == list(range(8))
    assert [ids for ids, _ in analyzer.requests] == [[0], [5, 6, 7]]
    backlog = sink.of("backlog")
    assert backlog and backlog[-1]["total_unanalysed"] == 4
    await pipeline.stop()


async def test_stop_waits_for_the_analysis_in_flight() -> None:
    analyzer, sink = GatedAnalyzer(), Recorder()
    pipeline = Pipeline(analyzer, [sink])
    pipeline.start()
    pipeline.add_chunk(chunks(1)[0])
    await analyzer.started.wait()
    stopping = asyncio.ensure_future(pipeline.stop())
    await asyncio.sleep(0)
    assert not stopping.done()
    analyzer.gate.set()
    await asyncio.wait_for(stopping, 5)
    assert sink.of("analysis") == [(0,)]
    assert sink.events[-1][0] == "stopped"


async def test_stop_is_bounded_when_a_provider_never_answers() -> None:
    analyzer, sink = GatedAnalyzer(), Recorder()
    pipeline = Pipeline(analyzer, [sink], stop_timeout_s=0.2)
    pipeline.start()
    pipeline.add_chunk(chunks(1)[0])
    await analyzer.started.wait()
    await asyncio.wait_for(pipeline.stop(), 5)
    assert sink.of("analysis") == []
    assert any("pending analysis" in e for e in sink.of("error"))


async def test_a_sink_that_raises_does_not_stop_the_others() -> None:
    class Broken(Recorder):
        def on_chunk(self, chunk: Chunk) -> None:
            raise RuntimeError("boom")

    good = Recorder()
    pipeline = Pipeline(None, [Broken(), good])
    pipeline.add_chunk(chunks(1)[0])
    assert good.of("chunk") == [0]


async def test_replay_at_max_speed_feeds_every_chunk_in_order_and_reports_progress() -> None:
    analyzer, sink = GatedAnalyzer(), Recorder()
    analyzer.gate.set()
    pipeline = Pipeline(analyzer, [sink])
    pipeline.start()
    await pipeline.replay_chunks(chunks(6), speed=MAX_SPEED)
    assert await pipeline.drain(timeout=5)
    assert sink.of("chunk") == list(range(6))
    assert sink.of("replay_progress")[-1] == {"done": 6, "total": 6}
    analysed = sorted(i for ids in sink.of("analysis") for i in ids)
    assert analysed == list(range(6))
    await pipeline.stop()


async def test_paused_replay_emits_nothing_until_resumed() -> None:
    sink = Recorder()
    pipeline = Pipeline(None, [sink])
    pipeline.pause()
    replay = asyncio.ensure_future(pipeline.replay_chunks(chunks(2), speed=MAX_SPEED))
    for _ in range(20):
        await asyncio.sleep(0)
    assert sink.of("chunk") == []
    pipeline.resume()
    await asyncio.wait_for(replay, 5)
    assert sink.of("chunk") == [0, 1]


async def test_a_mark_points_at_the_last_chunk() -> None:
    sink = Recorder()
    pipeline = Pipeline(None, [sink])
    pipeline.add_chunk(Chunk(7, "You", 3.0, 4.5, "hello"))
    mark = pipeline.add_mark("flag", "check the dates")
    assert mark == Mark(4.5, "flag", "check the dates", 7)
    assert sink.of("mark") == [mark]


async def test_a_replayed_file_is_held_back_instead_of_left_unanalysed() -> None:
    analyzer, sink = GatedAnalyzer(), Recorder()
    pipeline = Pipeline(analyzer, [sink], limits=AnalysisQueueLimits(batch_chars=25, max_waiting=3))
    pipeline.start()
    replay = asyncio.ensure_future(pipeline.replay_chunks(chunks(12), speed=MAX_SPEED))
    await analyzer.started.wait()
    for _ in range(50):
        await asyncio.sleep(0)
    # one chunk in flight and three waiting: the file waits for room
    assert sink.of("chunk") == [0, 1, 2, 3]
    analyzer.gate.set()
    await asyncio.wait_for(replay, 5)
    assert await pipeline.drain(timeout=5)
    assert sorted(i for ids in sink.of("analysis") for i in ids) == list(range(12))
    assert sink.of("backlog") == [] and pipeline.dropped_from_analysis == 0
    await pipeline.stop()


async def test_a_saved_session_replayed_shows_its_stored_analyses_and_marks_after_their_lines() -> None:
    stored_analysis = Analysis((0, 1), "line 0 line 1", None, "p", "m")
    stored_mark = Mark(1.0, "flag", "", 0)
    sink = Recorder()
    pipeline = Pipeline(None, [sink], stored=StoredSession([stored_analysis], [stored_mark]))
    await pipeline.replay_chunks(chunks(3), speed=MAX_SPEED)
    assert [k for k, _ in sink.events if k in ("chunk", "analysis", "mark")] == [
        "chunk",
        "mark",
        "chunk",
        "analysis",
        "chunk",
    ]
    assert pipeline.analyses_done == 1
