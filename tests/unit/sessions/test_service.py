"""The session service without the window: a transcript replayed into a journal, the journal
opened, replayed and marked, each as the window and ``annotator listen`` drive it (loopback only)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from annotator.config.file import load_config
from annotator.config.schema import Config
from annotator.formats.readers import read_session
from annotator.sessions.events import Event
from annotator.sessions.pipeline import MAX_SPEED
from annotator.sessions.service import Sessions
from tests.conftest import DATA
from tests.helpers.faultserver import FaultServer, Reply
from tests.unit.sessions.test_pipeline import Recorder


class Waiting(Recorder):
    """Records everything and lets a test wait for an event kind."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, asyncio.Event] = {}

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        self.arrived.setdefault(event.kind, asyncio.Event()).set()

    async def until(self, kind: str) -> None:
        await asyncio.wait_for(self.arrived.setdefault(kind, asyncio.Event()).wait(), 30)


def config(fault_server: FaultServer, tmp_path: Path) -> Config:
    fault_server.set_default(Reply.ok())
    return load_config(fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a")]))


def service(fault_server: FaultServer, tmp_path: Path) -> tuple[Sessions, Waiting]:
    sink = Waiting()
    return Sessions(config(fault_server, tmp_path), sink, sessions_dir=tmp_path / "sessions"), sink


async def replayed(fault_server: FaultServer, tmp_path: Path) -> Path:
    """A journal made by replaying the interview transcript (one request per line)."""
    sessions, sink = service(fault_server, tmp_path)
    await sessions.start_replay(DATA / "backend-lead.txt", MAX_SPEED)
    await sink.until("session_closed")
    assert not sessions.active
    path = sessions.session_path
    assert path is not None and path.parent == tmp_path / "sessions"
    return path


async def test_a_transcript_replayed_is_journaled_with_an_analysis_per_line(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    path = await replayed(fault_server, tmp_path)
    record = read_session(path)
    assert len(record.chunks) == 20
    assert [a.chunk_ids for a in record.analyses] == [(c.id,) for c in record.chunks]
    assert len(fault_server.requests) == 20


async def test_a_saved_session_opens_at_once_without_a_request_and_takes_marks(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    path = await replayed(fault_server, tmp_path)
    sent = len(fault_server.requests)
    sessions, sink = service(fault_server, tmp_path)
    await sessions.open(path, 1.0)
    assert sink.of("opened") == [{"path": str(path), "chunks": 20, "analyses": 20, "marks": 0}]
    assert len(sink.of("chunk")) == 20 and len(sink.of("analysis")) == 20
    assert sessions.session_path == path and not sessions.active
    mark = await sessions.add_mark(path, "flag", "check this", chunk_id=3)
    assert sink.of("mark") == [mark] and mark.chunk_id == 3
    assert read_session(path).marks == (mark,)
    assert len(fault_server.requests) == sent


async def test_a_saved_session_replayed_shows_its_stored_analyses_and_keeps_new_marks_in_its_journal(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    path = await replayed(fault_server, tmp_path)
    sent = len(fault_server.requests)
    sessions, sink = service(fault_server, tmp_path)
    await sessions.start_replay(path, MAX_SPEED)
    assert sessions.live is None  # lines, not audio
    sessions.mark("bookmark", "during the replay")
    await sink.until("stopped")
    await sessions.shutdown()  # waits for the mark to be appended
    assert [m.note for m in read_session(path).marks] == ["during the replay"]
    assert sink.of("chunk") == list(range(1, 21))
    assert len(sink.of("analysis")) == 20
    assert len(fault_server.requests) == sent  # nothing was asked again
    assert sorted(p.name for p in (tmp_path / "sessions").glob("*.jsonl")) == [path.name]  # no new journal


async def test_a_mark_made_while_the_session_closes_reaches_its_journal(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    """Enter on a note while the last analysis is still finishing: the mark is not lost."""
    fault_server.set_default(Reply.ok(delay_s=1.0))
    cfg = load_config(fault_server.write_config(tmp_path / "c.toml", [fault_server.provider("a")]))
    sink = Waiting()
    sessions = Sessions(cfg, sink, sessions_dir=tmp_path / "sessions")
    talk = tmp_path / "talk.txt"
    talk.write_text("Candidate: I led the migration for eighteen months.\n", encoding="utf-8")
    await sessions.start_replay(talk, MAX_SPEED)
    while not sessions.closing:  # noqa: ASYNC110  (yields to the loop; no event marks the start of closing)
        await asyncio.sleep(0)
    assert sessions.active
    sessions.mark("bookmark", "ask how long")
    await sink.until("session_closed")
    await sessions.shutdown()  # waits for the late mark
    path = sessions.session_path
    assert path is not None
    record = read_session(path)
    assert [(m.note, m.chunk_id) for m in record.marks] == [("ask how long", record.chunks[-1].id)]


async def test_sessions_share_one_speaker_model_loaded_once(fault_server: FaultServer, tmp_path: Path) -> None:
    from annotator.speakers.stage import SpeakerModel

    sink = Waiting()
    model = SpeakerModel()
    sessions = Sessions(config(fault_server, tmp_path), sink, sessions_dir=tmp_path / "sessions", speaker_model=model)
    used = []
    for _ in range(2):
        sink.arrived.pop("session_closed", None)
        await sessions.start_replay(DATA / "jfk.flac", MAX_SPEED)
        live = sessions.live
        assert live is not None and live.speakers is not None
        used.append(live.speakers.speakers.embedder)
        await sink.until("session_closed")
        path = sessions.session_path
        assert path is not None
        assert {c.speaker for c in read_session(path).chunks} == {"S1"}  # one voice
    assert used[0] is used[1] and model.loads == 1
