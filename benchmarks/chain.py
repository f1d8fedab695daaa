"""Benchmark the failover chain against the loopback fault server.

    python benchmarks/chain.py [--runs 40] [--answer-delay 0.3]

Prints three tables:

1. chain overhead over a direct streamed call on the happy path (median ms);
2. time until the fallback provider's answer, for each fault of the first
   provider, with the default per-attempt limits (connect 3 s, first token
   5 s, stall 5 s) and the fallback answering after ``--answer-delay``;
3. request tokens per chunk over a scripted 60-minute interview: the
   differential prompt (instructions + previous insight + new chunk) against
   sending the whole transcript so far, and their ratio at minute 60;
4. CPU time to read one long streamed reply in each dialect (SSE framing,
   strict event parsing, insight validation), without sockets
   (``httpx.MockTransport``), and per event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.analysis.analyzer import build_analyzer  # noqa: E402
from annotator.analysis.chain import Chain  # noqa: E402
from annotator.analysis.prompt import estimate_tokens, instructions  # noqa: E402
from annotator.analysis.providers.client import HttpProvider  # noqa: E402
from annotator.analysis.providers.interface import Request  # noqa: E402
from annotator.config.schema import AnalysisConfig, Config, ProviderConfig  # noqa: E402
from annotator.models import Chunk  # noqa: E402
from tests.helpers.faultserver import FaultServer, Reply, closed_port, insight_json  # noqa: E402

REQUEST = Request("Return an insight as JSON.", "Candidate: I have led the backend team for about three years.")
TRANSCRIPT = ROOT / "tests" / "data" / "backend-lead.txt"


async def overhead(server: FaultServer, runs: int) -> None:
    server.set_default(Reply.ok())
    cfg = server.provider("p")
    url = f"{cfg.base_url}/chat/completions"
    body = {"model": cfg.model, "messages": [{"role": "user", "content": REQUEST.user}], "stream": True}
    direct, chained = [], []
    async with httpx.AsyncClient() as client:
        chain = Chain([HttpProvider(cfg, client, None)])
        for _ in range(5):  # warm up both paths
            await chain.analyze(REQUEST, time.monotonic() + 30)

        async def call_direct() -> None:
            t = time.perf_counter()
            async with client.stream("POST", url, json=body) as response:
                async for _line in response.aiter_lines():
                    pass
            direct.append((time.perf_counter() - t) * 1000)

        async def call_chain() -> None:
            t = time.perf_counter()
            result = await chain.analyze(REQUEST, time.monotonic() + 30)
            chained.append((time.perf_counter() - t) * 1000)
            assert result.insight is not None

        for i in range(runs):  # alternate which goes first
            first, second = (call_direct, call_chain) if i % 2 else (call_chain, call_direct)
            await first()
            await second()
    d, c = statistics.median(direct), statistics.median(chained)
    print(f"\n1. Happy path, median of {runs} (ms)")
    print(f"   {'direct streamed call':<34}{d:8.2f}")
    print(f"   {'through the chain (parse+validate)':<34}{c:8.2f}")
    print(f"   {'chain overhead':<34}{c - d:8.2f}")


async def faults(server: FaultServer, answer_delay: float) -> None:
    cases = [
        ("connection refused", None),
        ("reset before headers", Reply.reset()),
        ("429 Retry-After", Reply.status(429, retry_after="30")),
        ("500", Reply.status(500)),
        ("503", Reply.status(503)),
        ("529 overloaded", Reply.status(529)),
        ("401", Reply.status(401)),
        ("404", Reply.status(404)),
        ("accept, never answer", Reply.hang()),
        ("slow first token", Reply.slow_first_token()),
        ("stream cut", Reply.cut()),
        ("stream stall", Reply.stall(pieces=6)),
        ("malformed SSE event", Reply.malformed()),
        ("no [DONE]", Reply.no_done()),
        ("prose, not JSON", Reply.prose()),
        ("truncated JSON", Reply.truncated_json()),
    ]
    print(f"\n2. Time to the fallback's answer (default limits; fallback answers after {answer_delay * 1000:.0f} ms)")
    print(f"   {'first provider does':<24}{'outcome':<16}{'bad ms':>8}{'total ms':>10}")
    async with httpx.AsyncClient() as client:
        for i, (name, reply) in enumerate(cases):
            bad_name, good_name = f"bad{i}", f"good{i}"
            bad = server.provider(bad_name)
            if reply is None:
                bad = replace(bad, base_url=f"http://127.0.0.1:{closed_port()}/v1")
            else:
                server.script(bad_name, reply)
            server.script(good_name, Reply.ok(delay_s=answer_delay))
            chain = Chain([HttpProvider(bad, client, None), HttpProvider(server.provider(good_name), client, None)])
            t = time.perf_counter()
            result = await chain.analyze(REQUEST, time.monotonic() + 60)
            total = (time.perf_counter() - t) * 1000
            assert result.provider == good_name, result
            first = result.attempts[0]
            print(f"   {name:<24}{first.outcome.value:<16}{first.elapsed_ms:>8}{total:>10.0f}")


def interview_chunks(minutes: int = 60, chunk_s: float = 10.0) -> list[Chunk]:
    """A scripted interview: the sample transcript's lines, cycled, one per ~10 s."""
    lines = [line for line in TRANSCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for i in range(int(minutes * 60 / chunk_s)):
        speaker, text = lines[i % len(lines)].split(": ", 1)
        out.append(Chunk(i + 1, speaker, i * chunk_s, (i + 1) * chunk_s, f"{text} (part {i // len(lines) + 1})"))
    return out


async def request_size(server: FaultServer) -> None:
    claims = [f"Candidate claim {i}: a fact of about a dozen words worth remembering here" for i in range(8)]
    server.set_default(Reply.ok(insight_json(claims=claims, summary="The candidate described their role and team.")))
    chunks = interview_chunks()
    analysis_config = AnalysisConfig()
    analyzer = build_analyzer(Config(providers=(server.provider("size"),)), keys={})
    previous = None
    start = len(server.requests)
    for c in chunks:
        analysis = await analyzer.analyze([c], previous)
        previous = analysis.insight
    await analyzer.aclose()
    sent = [estimate_tokens(r.prompt_text) for r in server.requests[start:]]
    fixed = estimate_tokens(instructions(analysis_config))
    print("\n3. Request tokens per chunk, 60-minute interview (one chunk per 10 s, estimate = UTF-8 bytes / 4)")
    print(f"   {'minute':>6}{'differential':>14}{'full transcript':>17}{'ratio':>8}")
    for minute in (1, 5, 10, 20, 30, 45, 60):
        i = min(len(chunks), int(minute * 6)) - 1
        full = fixed + sum(estimate_tokens(f"{c.source}: {c.text}\n") for c in chunks[: i + 1])
        print(f"   {minute:>6}{sent[i]:>14}{full:>17}{full / sent[i]:>8.1f}")
    print(
        f"   differential max {max(sent)} tokens over {len(sent)} requests (budget {analysis_config.max_request_tokens})"
    )
    running, total_full = fixed, 0
    for c in chunks:
        running += estimate_tokens(f"{c.source}: {c.text}\n")
        total_full += running
    print(
        f"   whole hour: differential {sum(sent)} tokens, full transcript {total_full} ({total_full / sum(sent):.1f}x)"
    )


def long_stream(kind: str, events: int) -> tuple[bytes, int]:
    """A complete streamed reply of about ``events`` text events, as the wire carries it, and its event count."""
    content = insight_json(summary="x" * (events * 3))
    step = -(-len(content) // events)
    pieces = [content[i : i + step] for i in range(0, len(content), step)]
    if kind == "anthropic":

        def ev(data: dict[str, object]) -> str:
            return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n"

        text = ev({"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": 5}}})
        text += "".join(
            ev({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}) for p in pieces
        )
        text += ev({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}})
        text += ev({"type": "message_stop"})
        return text.encode(), len(pieces) + 3
    chunks = [{"model": "m", "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces]
    chunks.append(
        {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 9}}
    )
    text = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return text.encode(), len(chunks) + 1


async def stream_reading(events: int, runs: int) -> None:
    print(f"\n4. Reading one streamed reply: CPU time (process_time), {runs} runs, no sockets")
    print(f"   {'dialect':<12}{'events':>8}{'min ms':>9}{'median ms':>11}{'us/event':>10}")
    for kind in ("openai", "anthropic"):
        body, count = long_stream(kind, events)

        def reply(_request: httpx.Request, body: bytes = body) -> httpx.Response:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

        times = []
        async with httpx.AsyncClient(transport=httpx.MockTransport(reply)) as client:
            provider = HttpProvider(ProviderConfig("p", kind, "http://127.0.0.1:9/v1", "m"), client, None)
            for _ in range(runs):
                t = time.process_time()
                result = await provider.analyze(REQUEST, time.monotonic() + 30)
                times.append((time.process_time() - t) * 1000)
                assert result.insight is not None, result.attempts
        best = min(times)
        print(f"   {kind:<12}{count:>8}{best:>9.1f}{statistics.median(times):>11.1f}{best * 1000 / count:>10.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--answer-delay", type=float, default=0.3)
    args = parser.parse_args()
    with FaultServer() as server:
        await overhead(server, args.runs)
        await faults(server, args.answer_delay)
        await request_size(server)
    await stream_reading(2700, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
