"""Journal: every record type written and read back, secrets kept out, many threads, syncing,
a disk that refuses, a process that exits without closing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from annotator.errors import JournalError
from annotator.formats.readers import read_session
from annotator.journal.reader import read_journal
from annotator.journal.record import FORMAT_VERSION
from annotator.journal.store import find_unfinished
from annotator.journal.writer import Journal
from annotator.models import Analysis, Attempt, Chunk, Mark, Outcome
from tests.unit.journal.helpers import FIXED, fixed_clock, lines_of, sample_analysis


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


def test_a_program_that_exits_without_close_keeps_its_records_and_is_offered_for_recovery(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from annotator.models import Chunk\n"
        "from annotator.journal.writer import Journal\n"
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


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_write_cut_short_by_the_disk_leaves_a_readable_file(tmp_path: Path) -> None:
    """The file size limit makes one write succeed partly, then fail: the journal
    must keep going, report once, and leave a file that reads with a warning."""
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from annotator.models import Chunk\n"
        "from annotator.journal.writer import Journal\n"
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
