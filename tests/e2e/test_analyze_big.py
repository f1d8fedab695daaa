"""``annotator analyze`` of pathological input: cost first above a threshold, progress inside a
long chunk, and a torn journal reported as ``export`` reports it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from annotator.analysis.analyzer import build_analyzer
from annotator.commands.analyze import CONFIRM_ABOVE_REQUESTS, analyze_chunks, ask_on_terminal
from annotator.config.schema import Config
from annotator.journal.writer import Journal
from annotator.models import Chunk
from tests.helpers.faultserver import FaultServer, Reply, fault_server

__all__ = ["fault_server"]


def annotator(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def journal_with(text: str, *, torn: bool = False) -> Path:
    journal = Journal.create(header={"mode": "test"})
    journal.write_chunk(Chunk(1, "You", 0.0, 5.0, "Hello."))
    journal.write_chunk(Chunk(2, "Them", 5.0, 9.0, text))
    journal.close()
    if torn:
        with journal.path.open("ab") as f:
            f.write(b'{"type":"chunk","seq":9,"text":"cut sho')
    return journal.path


HUGE = "This is one more sentence said in the meeting. " * 60_000  # ~2.8 MB on one line


def test_a_huge_line_without_a_terminal_or_yes_sends_nothing(fault_server: FaultServer, tmp_path: Path) -> None:
    config = fault_server.write_config(tmp_path / "c.toml", ["a"])
    path = journal_with(HUGE, torn=True)
    done = annotator("analyze", str(path), "--config", str(config))
    assert done.returncode == 2, done.stderr
    assert fault_server.requests == []
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert (
        lines[0].startswith("annotator: warning: ") and "the last record was cut off" in lines[0]
    )  # the torn journal, as export says it
    assert lines[-1].startswith("annotator: the analysis was not run: it would send ")
    requests = int(lines[-1].split("would send ")[1].split(" ")[0].replace(",", ""))
    assert requests > CONFIRM_ABOVE_REQUESTS
    assert "pass --yes" in lines[-1]


def test_with_yes_it_runs_and_shows_progress_inside_the_long_chunk(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_default(Reply.ok())
    dear = fault_server.provider("a", price_in_per_mtok=100_000.0, price_out_per_mtok=100_000.0)
    config = fault_server.write_config(tmp_path / "c.toml", [dear])
    path = journal_with("Another sentence said in the meeting, at some length. " * 400)  # ~22 KB: ~12 requests
    done = annotator("analyze", str(path), "--config", str(config), "--yes")
    assert done.returncode == 0, done.stderr
    err = done.stderr.splitlines()
    assert err[0].startswith("annotator: analysis by a (a-model): ") and "estimated cost $" in err[0]
    sent = [line for line in err if line.startswith("annotator: chunk 2/2: sending request ")]
    parts = int(sent[-1].rsplit(" of ", 1)[1])
    assert sent[0] == f"annotator: chunk 2/2: sending request 1 of {parts}" and parts >= 10
    assert sent[-1] == f"annotator: chunk 2/2: sending request {parts} of {parts}"
    assert len([r for r in fault_server.requests if r.dialect]) == 1 + parts


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "status"), [("n\n", 1), ("y\n", 0)])
async def test_the_prompt_on_a_terminal(fault_server: FaultServer, answer: str, status: int) -> None:
    fault_server.set_default(Reply.ok())
    provider = fault_server.provider("a", price_in_per_mtok=100_000.0)
    chunks = [Chunk(1, "You", 0, 1, "Short line."), Chunk(2, "Them", 1, 2, "A longer answer. " * 100)]
    async with httpx.AsyncClient() as client:
        analyzer = build_analyzer(Config(providers=(provider,)), client=client, keys={})
        err = Terminal()
        ask = ask_on_terminal(False, Terminal(answer), err)
        out = io.StringIO()
        assert (
            await analyze_chunks(chunks, Config(), as_json=True, out=out, err=err, analyzer=analyzer, ask=ask) == status
        )
    assert "Run the analysis? [y/N]" in err.getvalue()
    assert bool(fault_server.requests) is (status == 0)
    assert (out.getvalue() == "") is (status == 1)


async def test_small_inputs_are_not_asked_about(fault_server: FaultServer) -> None:
    fault_server.set_default(Reply.ok())
    asked: list[object] = []
    async with httpx.AsyncClient() as client:
        analyzer = build_analyzer(Config(providers=(fault_server.provider("a"),)), client=client, keys={})
        chunks = [Chunk(i, "You", i, i + 1, f"Line {i}.") for i in range(1, 21)]
        status = await analyze_chunks(
            chunks,
            Config(),
            as_json=True,
            out=io.StringIO(),
            err=io.StringIO(),
            analyzer=analyzer,
            ask=lambda e: asked.append(e) or 2,
        )
    assert status == 0 and asked == []
