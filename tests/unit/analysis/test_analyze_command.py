"""The analyze command's output, in process (the subprocess contract is in tests/e2e)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import httpx
import pytest

from annotator.analysis.analyzer import build_analyzer
from annotator.commands.analyze import analyze_chunks
from annotator.config.schema import Config
from annotator.models import Chunk, Outcome
from tests.helpers.faultserver import FaultServer, Reply, insight_json


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


async def test_progress_on_a_terminal_and_untrusted_text_flattened(
    fault_server: FaultServer, client: httpx.AsyncClient
) -> None:
    evil = "\x1b[2J<b>x</b>\nline"
    fault_server.set_default(Reply.ok(insight_json("negative", -0.2, [(evil, "earlier", "why\x07")])))
    analyzer = build_analyzer(Config(providers=(fault_server.provider("a"),)), client=client, keys={})
    chunks = [Chunk(i, "Candidate", i, i + 1, f"Answer {i}.") for i in range(1, 13)]
    out, err = io.StringIO(), Terminal()
    assert await analyze_chunks(chunks, Config(), as_json=False, out=out, err=err, analyzer=analyzer) == 0
    assert "\r[" in err.getvalue() and "/12 chunks" in err.getvalue() and err.getvalue().endswith("\r\x1b[K")
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert '!! CONTRADICTION: "[2J<b>x</b> line" vs earlier "earlier"' in text
    assert text.count("| a (fault-model) |") == 12


async def test_several_chunks_go_in_one_request(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    analyzer = build_analyzer(Config(providers=(fault_server.provider("a"),)), client=client, keys={})
    chunks = [Chunk(1, "You", 0, 1, "How long were you there?"), Chunk(2, "Them", 1, 2, "Three years.")]
    analysis = await analyzer.analyze(chunks, None)
    assert analysis.chunk_ids == (1, 2) and analysis.text == "How long were you there?\nThree years."
    (request,) = fault_server.requests
    assert "You: How long were you there?\nThem: Three years." in request.prompt_text
    await analyzer.aclose()


async def test_key_is_never_in_an_attempt_detail(fault_server: FaultServer, client: httpx.AsyncClient) -> None:
    key = "sk-very-secret-0123456789"
    fault_server.script(
        "a", Reply.status(401, body='{"error": {"message": "Incorrect API key provided: ' + key + '"}}')
    )
    analyzer = build_analyzer(Config(providers=(fault_server.provider("a"),)), client=client, keys={"a": key})
    analysis = await analyzer.analyze([Chunk(1, "", 0, 1, "Hi.")], None)
    (attempt,) = analysis.attempts
    assert attempt.outcome is Outcome.MISCONFIGURED and "Incorrect API key" in attempt.detail
    assert key not in attempt.detail and key not in str(analysis.to_dict())
    assert fault_server.requests[0].headers["authorization"] == f"Bearer {key}"
