"""The session memory end to end: a scripted interview through the real analyser
and real HTTP on 127.0.0.1 to an oracle model (``tests.helpers.interview``)
that flags a planted pair only when both statements are in one request.
The benchmark (benchmarks/memory.py) runs the 60-minute scripts."""

from __future__ import annotations

from dataclasses import replace

import httpx

from annotator.analysis.analyzer import build_analyzer
from annotator.analysis.prompt import estimate_tokens
from annotator.config.schema import AnalysisConfig, Config
from annotator.models import Analysis, Insight
from tests.helpers.faultserver import FaultServer, Reply
from tests.helpers.interview import SCRIPT_A, Interview, Oracle, interview

PAIRS = tuple(SCRIPT_A.pairs[i] for i in (0, 1, 5, 9))  # two sharing words, a paraphrase, a rewording


async def analyse(script: Interview, config: AnalysisConfig, server: FaultServer) -> list[Analysis]:
    oracle = Oracle(script.pairs, config.max_claims)
    server.set_default(Reply.answering(oracle))
    async with httpx.AsyncClient() as client:
        analyzer = build_analyzer(Config(analysis=config, providers=(server.provider("oracle"),)), client=client)
        previous: Insight | None = None
        out = []
        for chunk in script.chunks:
            analysis = await analyzer.analyze([chunk], previous)
            out.append(analysis)
            previous = analysis.insight if analysis.insight is not None and not analysis.local else previous
    return out


async def test_long_range_contradictions_are_caught_and_cite_the_earlier_line(fault_server: FaultServer) -> None:
    script = interview(replace(SCRIPT_A, pairs=PAIRS), minutes=40)
    assert min(script.distances) >= 110
    analyses = await analyse(script, AnalysisConfig(), fault_server)
    found = [(a, c) for a in analyses if a.insight for c in a.insight.contradictions]
    assert sorted(c.statement for _, c in found) == sorted(p.later for p in PAIRS)
    by_text = {c.text: c for c in script.chunks}
    for _, c in found:
        assert c.earlier_chunk == by_text[c.earlier].id  # the window can select that exact line
        assert c.follow_up
    sizes = [estimate_tokens(r.prompt_text) for r in fault_server.requests]
    assert max(sizes) <= AnalysisConfig().max_request_tokens
    tenth = len(sizes) // 10
    assert sorted(sizes[-tenth:])[tenth // 2] <= 1.5 * sorted(sizes[:tenth])[tenth // 2]  # flat cost


async def test_without_recall_the_claims_alone_forget_them(fault_server: FaultServer) -> None:
    script = interview(replace(SCRIPT_A, pairs=PAIRS), minutes=40)
    analyses = await analyse(script, AnalysisConfig(memory_statements=0), fault_server)
    assert [c for a in analyses if a.insight for c in a.insight.contradictions] == []
