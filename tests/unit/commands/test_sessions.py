from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from annotator import paths
from annotator.cli import build_parser, main
from annotator.commands.sessions import run
from tests.unit.library.helpers import write_session

T0 = 1_764_087_603.0


@pytest.fixture
def library() -> Path:
    d = paths.sessions_dir()
    d.mkdir(parents=True)
    write_session(d, [("Ada", "I led the Kubernetes migration"), ("Bob", "How long did it take?")], when=T0)
    write_session(d, [("You", "Tell me about your last role")], when=T0 + 86_400, close=False)
    return d


def call(*argv: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    assert run(build_parser().parse_args(["sessions", *argv]), out, err) == 0
    return out.getvalue(), err.getvalue()


def test_lists_every_session_newest_first(library: Path) -> None:
    out, _ = call()
    lines = out.splitlines()
    assert len(lines) == 2
    assert "Tell me about your last role" in lines[0] and "did not close cleanly" in lines[0]
    assert "Ada & Bob" in lines[1] and "1 flag" in lines[1] and "Ada, Bob" in lines[1]


def test_json_lines(library: Path) -> None:
    out, _ = call("--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["closed_cleanly"] for r in rows] == [False, True]
    assert rows[1]["title"] == "Ada & Bob" and rows[1]["speakers"] == ["Ada", "Bob"] and rows[1]["flags"] == 1
    assert rows[1]["duration"] == 25.0 and rows[1]["cost_usd"] > 0


def test_search_prints_lines_with_session_and_time(library: Path) -> None:
    out, _ = call("--search", "kubernetes")
    assert "00:10  Ada: I led the [Kubernetes] migration  (Ada & Bob)" in out
    out, _ = call("--search", "kubernetes", "--json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert {h["kind"] for h in hits} == {"line", "flag"}
    assert all(h["session"] and h["path"].endswith(".jsonl") for h in hits)


def test_an_empty_library_says_where_it_looked() -> None:
    out, err = call()
    assert out == "" and f"no sessions yet in {paths.sessions_dir()}" in err
    out, err = call("--json")
    assert out == "" and err == ""


def test_nothing_found_says_so(library: Path) -> None:
    out, err = call("--search", "zeppelin")
    assert out == "" and "nothing found for 'zeppelin'" in err


def test_a_deleted_journal_leaves_the_listing(library: Path) -> None:
    call()
    sorted(library.glob("*.jsonl"))[0].unlink()
    out, _ = call("--json")
    assert len(out.splitlines()) == 1


def test_a_corrupt_index_is_rebuilt_with_a_warning(library: Path) -> None:
    call()
    index = paths.data_dir() / "library.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(f"{index}{extra}").unlink(missing_ok=True)
    index.write_bytes(b"garbage" * 1000)
    out, err = call("--search", "kubernetes")
    assert "damaged" in err and "[Kubernetes]" in out


def test_an_index_held_by_another_annotator_is_one_sentence(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    call()
    monkeypatch.setattr("annotator.library.index.BUSY_TIMEOUT_S", 0.05)
    write_session(library, [("You", "a newer one")], when=T0 + 2 * 86_400)
    other = sqlite3.connect(paths.data_dir() / "library.sqlite3", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        out, err = call("--json")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert err.count("\n") == 1 and "held by another running annotator" in err
    assert len(out.splitlines()) == 2  # what the index already held


def test_the_command_line_runs_it(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "--search", "migration"]) == 0
    assert "migration" in capsys.readouterr().out
