"""The session journal: writing, reading back, secrets, failures, recovery and lookup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from annotator.errors import InputError, JournalError
from annotator.models import Analysis, Attempt, Chunk, Contradiction, Insight, Mark, Outcome, Sentiment
from annotator.replay import read_session
from annotator.session import (
    FORMAT_VERSION,
    Journal,
    append_mark,
    find_unfinished,
    list_sessions,
    read_journal,
    repair,
    resolve_session,
    scrub_secrets,
)

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


def test_every_record_type_round_trips_and_close_marks_a_clean_end(tmp_path: Path) -> None:
    header = {"model": "tiny.en", "devices": ["mic"], "chain": [{"name": "groq", "model": "llama-3.1-8b-instant"}]}
    journal = Journal.create(tmp_path, header=header, clock=fixed_clock)
    assert journal.path.name == f"{journal.path.stem}.jsonl"
    assert journal.audio_path == journal.path.with_suffix(".flac")
    chunk1 = Chunk(1, "You", 0.52, 3.1, "I have never worked with Kubernetes.")
    chunk2 = Chunk(2, "Them", 3.5, 6.25, "Tell me about a migration — «naïve» 中文.")
    analysis = sample_analysis()
    failed = Analysis((3,), "x", None, None, None, (Attempt("groq", "m", Outcome.TIMEOUT, None, 5000),), 5000)
    mark = Mark(4.0, "flag", "check this", 2)
    seqs = [
        journal.write_chunk(chunk1),
        journal.write_chunk(chunk2),
        journal.write_analysis(analysis),
        journal.write_analysis(failed),
        journal.write_mark(mark),
        journal.write_event("device_change", {"source": "You", "device": "USB mic"}),
        journal.write_error("provider groq: no first token within 5.0 s"),
    ]
    assert seqs == list(range(1, 8))
    journal.close()
    journal.close()  # idempotent
    assert journal.synced_seq == 8 and journal.written_seq == 8

    raw = lines_of(journal.path)
    assert [r["seq"] for r in raw] == list(range(9))
    assert raw[0]["type"] == "header" and raw[-1] == {
        "type": "end",
        "seq": 8,
        "ts": FIXED,
        "reason": "closed",
        "records": 8,
    }
    record = read_journal(journal.path)
    assert record.header["version"] == FORMAT_VERSION
    assert record.header["format"] == "annotator-session"
    assert record.header["model"] == "tiny.en"
    assert record.header["chain"] == header["chain"]
    assert record.header["created"].startswith("2025-11-2")
    assert record.chunks == (chunk1, chunk2)
    assert record.analyses == (analysis, failed)
    assert record.marks == (mark,)
    assert [(e.kind, e.data, e.ts) for e in record.events] == [
        ("device_change", {"source": "You", "device": "USB mic"}, FIXED)
    ]
    assert record.errors == ("provider groq: no first token within 5.0 s",)
    assert record.closed_cleanly and record.end_reason == "closed"
    assert record.warnings == ()
    assert record.id == journal.path.stem
    assert read_session(journal.path) == record


def test_writing_after_close_is_refused(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={})
    journal.close()
    with pytest.raises(JournalError, match="closed"):
        journal.write_error("late")


def test_sessions_started_in_the_same_second_get_distinct_names(tmp_path: Path) -> None:
    a = Journal.create(tmp_path, header={}, clock=fixed_clock)
    b = Journal.create(tmp_path, header={}, clock=fixed_clock)
    a.close()
    b.close()
    assert b.path.name == f"{a.path.stem}-2.jsonl"


def test_no_key_ever_reaches_the_file(tmp_path: Path) -> None:
    header = {
        "chain": [
            {
                "name": "kimi",
                "model": "kimi-k2-turbo-preview",
                "api_key": "sk-abcdefghijklmnop1234",
                "api_key_env": "MOONSHOT_API_KEY",
            },
            {"name": "nim", "model": "m", "headers": {"Authorization": "Bearer nvapi-0123456789abcdef"}},
        ],
        "token": "plain-secret",
        "note": "configured with gsk_ABCDEFGHIJKLMNOP12",
    }
    journal = Journal.create(tmp_path, header=header)
    journal.write_event("provider_error", {"detail": "Incorrect API key provided: sk-proj-0123456789abcdefgh"})
    journal.write_error("auth failed for Bearer abcdefghijklmnopq")
    journal.close()
    text = journal.path.read_text(encoding="utf-8")
    for secret in (
        "sk-abcdefghijklmnop1234",
        "nvapi-0123456789abcdef",
        "plain-secret",
        "gsk_ABCDEF",
        "sk-proj-01",
        "abcdefghijklmnopq",
    ):
        assert secret not in text
    record = read_journal(journal.path)
    assert record.header["chain"][0] == {
        "name": "kimi",
        "model": "kimi-k2-turbo-preview",
        "api_key_env": "MOONSHOT_API_KEY",
    }
    assert record.header["chain"][1] == {"name": "nim", "model": "m", "headers": {}}
    assert record.header["note"] == "configured with [redacted]"
    assert scrub_secrets({"max_tokens": 5, "input_tokens": 3}) == {"max_tokens": 5, "input_tokens": 3}


def test_concurrent_writers_from_many_threads_lose_nothing(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={}, sync_interval=0.01)
    per_thread, threads = 300, 4
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        start.wait()
        for i in range(per_thread):
            journal.write_event("tick", {"thread": n, "i": i})

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    journal.close()
    raw = lines_of(journal.path)
    assert [r["seq"] for r in raw] == list(range(len(raw)))
    ticks = [r["data"] for r in raw if r["type"] == "event"]
    assert len(ticks) == per_thread * threads
    for n in range(threads):  # each thread's own records stay in its order
        assert [t["i"] for t in ticks if t["thread"] == n] == list(range(per_thread))


def test_records_are_synced_within_the_interval_without_asking(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={}, sync_interval=0.05)
    seq = journal.write_chunk(Chunk(1, "", 0.0, 1.0, "hello"))
    assert journal.wait_synced(seq, timeout=10)
    # and it is already in the file while the journal is still open
    assert read_journal(journal.path).chunks == (Chunk(1, "", 0.0, 1.0, "hello"),)
    journal.close()


def test_sync_on_request_does_not_wait_for_the_interval(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={}, sync_interval=3600)
    for i in range(50):
        journal.write_chunk(Chunk(i, "", i, i + 1, f"line {i}"))
    assert journal.sync(timeout=30)
    assert journal.synced_seq == 50
    journal.close()


async def test_aclose_from_the_event_loop(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={})
    journal.write_chunk(Chunk(1, "", 0.0, 1.0, "from the loop"))
    await journal.aclose()
    assert read_journal(journal.path).closed_cleanly


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to make the disk refuse writes")
def test_a_disk_that_refuses_writes_is_reported_and_close_says_what_was_lost(tmp_path: Path) -> None:
    reported: list[JournalError] = []
    got = threading.Event()

    def on_error(err: JournalError) -> None:
        reported.append(err)
        got.set()

    fd = os.open("/dev/full", os.O_WRONLY)
    journal = Journal(tmp_path / "full.jsonl", fd, next_seq=1, on_error=on_error)
    journal.write_chunk(Chunk(1, "", 0.0, 1.0, "lost"))
    assert got.wait(timeout=10)
    assert "cannot write the session journal" in str(reported[0])
    assert journal.failure is not None
    journal.write_chunk(Chunk(2, "", 1.0, 2.0, "also lost"))  # still accepted, never raises
    with pytest.raises(JournalError, match=r"full\.jsonl: cannot write .* 3 record\(s\) could not be saved"):
        journal.close()
    assert len(reported) == 1


def _journal_with_records(directory: Path, n: int = 3) -> Path:
    journal = Journal.create(directory, header={"model": "tiny.en"})
    for i in range(1, n + 1):
        journal.write_chunk(Chunk(i, "You", i, i + 0.5, f"chunk {i}"))
    journal.close()
    return journal.path


def _drop_end(path: Path, tail: bytes = b"") -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    assert json.loads(lines[-1])["type"] == "end"
    path.write_bytes(b"".join(lines[:-1]) + tail)


def test_a_torn_journal_reads_with_a_warning_and_repair_closes_it(tmp_path: Path) -> None:
    path = _journal_with_records(tmp_path)
    _drop_end(path, b'{"type":"chunk","seq":4,"id":4,"text":"cut of')
    record = read_journal(path)
    assert [c.text for c in record.chunks] == ["chunk 1", "chunk 2", "chunk 3"]
    assert record.end_reason is None and not record.closed_cleanly
    assert any(":5: the last record was cut off" in w for w in record.warnings)
    assert find_unfinished(tmp_path) == [path]

    repaired = repair(path)
    assert repaired.end_reason == "recovered" and not repaired.closed_cleanly
    assert repaired.chunks == record.chunks
    assert any("dropped a torn last line" in w for w in repaired.warnings)
    raw = lines_of(path)  # every line is whole JSON now
    assert raw[-1]["type"] == "end" and raw[-1]["reason"] == "recovered" and raw[-1]["seq"] == 4
    assert find_unfinished(tmp_path) == []
    assert read_journal(path).warnings == ()
    assert repair(path).end_reason == "recovered"  # repairing twice changes nothing
    assert len(lines_of(path)) == len(raw)


def test_a_truncated_journal_reads_with_a_warning(tmp_path: Path) -> None:
    path = _journal_with_records(tmp_path)
    _drop_end(path)
    record = read_journal(path)
    assert len(record.chunks) == 3 and record.end_reason is None
    assert any("did not close cleanly" in w for w in record.warnings)
    assert repair(path).warnings == ()


def test_repair_keeps_a_complete_last_record_missing_its_newline(tmp_path: Path) -> None:
    path = _journal_with_records(tmp_path)
    _drop_end(path, b'{"type":"chunk","seq":4,"id":4,"source":"","start":9,"end":10,"text":"whole"}')
    repaired = repair(path)
    assert [c.text for c in repaired.chunks][-1] == "whole"
    assert lines_of(path)[-1]["seq"] == 5


def test_a_garbled_line_in_the_middle_is_skipped_not_fatal(tmp_path: Path) -> None:
    path = _journal_with_records(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = b"\xff\xfe garbage\n"
    path.write_bytes(b"".join(lines))
    record = read_journal(path)
    assert [c.text for c in record.chunks] == ["chunk 1", "chunk 3"]
    assert record.closed_cleanly
    assert any(":3: unreadable record skipped" in w for w in record.warnings)


def test_find_unfinished_skips_closed_foreign_and_running_sessions(tmp_path: Path) -> None:
    closed = _journal_with_records(tmp_path)
    unfinished = _journal_with_records(tmp_path)
    _drop_end(unfinished)
    (tmp_path / "notes.jsonl").write_text('{"a": 1}\n', encoding="utf-8")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    running = Journal.create(tmp_path, header={})
    try:
        running.write_chunk(Chunk(1, "", 0, 1, "live"))
        found = find_unfinished(tmp_path)
        assert found == [unfinished]
        assert closed not in found
        with pytest.raises(JournalError, match="being written by a running annotator"):
            repair(running.path)
    finally:
        running.close()
    assert find_unfinished(tmp_path) == [unfinished]
    assert find_unfinished(tmp_path / "missing") == []


def test_find_unfinished_defaults_to_the_sessions_directory(tmp_path: Path) -> None:
    path = _journal_with_records(Path(os.environ["ANNOTATOR_DATA_DIR"]) / "sessions")
    _drop_end(path)
    assert find_unfinished() == [path]


def test_list_and_resolve_sessions(tmp_path: Path) -> None:
    first = Journal.create(header={"model": "tiny.en"}, clock=lambda: FIXED)
    first.close()
    second = Journal.create(header={}, clock=lambda: FIXED + 90)
    second.write_chunk(Chunk(1, "", 0, 1, "x"))
    second.close()
    _drop_end(second.path)
    first.path.with_suffix(".flac").write_bytes(b"fLaC")
    sessions = list_sessions()
    assert [s.path for s in sessions] == [second.path, first.path]
    assert [s.closed for s in sessions] == [False, True]
    assert sessions[1].audio_path == first.path.with_suffix(".flac")
    assert sessions[0].audio_path is None
    assert sessions[1].id == first.path.stem and sessions[1].created.startswith("2025-11-2")

    assert resolve_session(first.path.stem) == first.path
    assert resolve_session(str(second.path)) == second.path
    assert resolve_session(second.path.stem[:-1] + second.path.stem[-1]) == second.path
    with pytest.raises(InputError, match="ambiguous"):
        resolve_session(first.path.stem[:4])
    with pytest.raises(InputError, match=r"nope: no such file, and no session with that id"):
        resolve_session("nope")


def test_a_program_that_exits_without_close_keeps_its_records_and_is_offered_for_recovery(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from annotator.models import Chunk\n"
        "from annotator.session import Journal\n"
        "j = Journal.create(Path(sys.argv[1]), header={}, sync_interval=3600)\n"
        "for i in range(1, 501):\n"
        "    j.write_chunk(Chunk(i, '', i, i + 1, f'line {i}'))\n"
        "print(j.path)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stderr == ""
    path = Path(result.stdout.strip())
    record = read_journal(path)
    assert [c.id for c in record.chunks] == list(range(1, 501))
    assert record.end_reason is None
    assert find_unfinished(tmp_path) == [path]


def test_the_header_keeps_its_own_fields_and_every_record_is_one_line_for_any_reader(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={"type": "chunk", "seq": 7, "version": 99, "format": "x", "mode": "live"})
    odd = Chunk(1, "You", 0.0, 1.0, "line\u2028separator\u2029paragraph\x85next\nnewline")
    journal.write_chunk(odd)
    journal.close()
    text = journal.path.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 3  # str.splitlines() also splits on U+2028, U+2029 and NEL
    record = read_journal(journal.path)
    assert record.chunks == (odd,)
    assert record.header["version"] == FORMAT_VERSION and record.header["format"] == "annotator-session"
    assert record.header["mode"] == "live"
    assert json.loads(text.splitlines()[0])["type"] == "header"


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_write_cut_short_by_the_disk_leaves_a_readable_file(tmp_path: Path) -> None:
    """The file size limit makes one write succeed partly, then fail: the journal
    must keep going, report once, and leave a file that reads with a warning."""
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from annotator.models import Chunk\n"
        "from annotator.session import Journal\n"
        "from annotator.errors import JournalError\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "reports = []\n"
        "j = Journal.create(Path(sys.argv[1]), header={}, on_error=reports.append)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (3000, resource.RLIM_INFINITY))\n"
        "for i in range(1, 201):\n"
        "    j.write_chunk(Chunk(i, '', i, i + 1, f'utterance {i} ' + 'x' * 50))\n"
        "try:\n"
        "    j.close()\n"
        "except JournalError as err:\n"
        "    print('closed with:', err)\n"
        "print('reports:', len(reports), reports[0] if reports else '')\n"
        "print(j.path)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = result.stdout.splitlines()
    assert out[0].startswith("closed with:") and "could not be saved" in out[0]
    assert out[1].startswith("reports: 1 ") and "cannot write the session journal" in out[1]
    path = Path(out[2])
    assert path.stat().st_size == 3000
    record = read_journal(path)
    assert record.chunks and [c.id for c in record.chunks] == list(range(1, len(record.chunks) + 1))
    assert any("last record was cut off" in w for w in record.warnings)


def test_a_mark_appended_to_a_saved_journal_is_read_back_and_it_stays_closed(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, header={"mode": "live"})
    journal.write_chunk(Chunk(1, "You", 0.0, 2.0, "Hello."))
    journal.close()
    after = append_mark(journal.path, Mark(2.0, "flag", "check this", 1))
    assert after.marks == (Mark(2.0, "flag", "check this", 1),)
    assert after.end_reason == "closed" and not after.warnings
    seqs = [json.loads(line)["seq"] for line in journal.path.read_text().splitlines()]
    assert seqs == list(range(len(seqs)))  # numbering continues
    again = append_mark(journal.path, Mark(2.0, "bookmark", "", 1))
    assert [m.kind for m in again.marks] == ["flag", "bookmark"]


def test_a_mark_appended_to_a_journal_that_never_closed_repairs_it_first(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    header = {"type": "header", "seq": 0, "ts": 1.0, "format": "annotator-session", "version": 1}
    chunk = {"type": "chunk", "seq": 1, "ts": 1.0, "id": 1, "source": "", "start": 0, "end": 1, "text": "Hi."}
    path.write_text(json.dumps(header) + "\n" + json.dumps(chunk) + "\n" + '{"type": "chu', encoding="utf-8")
    after = append_mark(path, Mark(1.0, "bookmark", "", 1))
    assert after.end_reason == "recovered" and len(after.marks) == 1 and len(after.chunks) == 1
