"""Sessions and replies for the review's tests: transcripts of equal lines, live flags, reply JSON, journals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.config.schema import POST_PROVIDER_DEFAULTS, Config, PostConfig
from annotator.journal.writer import Journal
from annotator.models import Analysis, Chunk, Contradiction, Insight, Sentiment
from tests.helpers.faultserver import FaultServer

LINE_CHARS = 96


def fit(text: str, n: int = LINE_CHARS) -> str:
    """``text`` padded with filler words to exactly ``n`` characters (same token estimate for every line)."""
    while len(text) < n:
        text += " and so on"
    return text[:n].rstrip() + "." * (n - len(text[:n].rstrip()))


def transcript(n: int, special: dict[int, str] | None = None) -> tuple[Chunk, ...]:
    """``n`` chunks 5 s apart, alternating speakers, every text the same length."""
    special = special or {}
    out = []
    for i in range(n):
        text = special.get(i, f"Line {i:03d}: we went over the roadmap, the hiring plan and the budget")
        out.append(Chunk(i + 1, "Candidate" if i % 2 else "Interviewer", i * 5.0, i * 5.0 + 4.0, fit(text)))
    return tuple(out)


def analysis_with(chunk: Chunk, *contradictions: tuple[str, str]) -> Analysis:
    insight = Insight(Sentiment("neutral", 0.0), tuple(Contradiction(s, e, "They differ.") for s, e in contradictions))
    return Analysis((chunk.id,), chunk.text, insight, "fast", "fast-model")


def review_json(
    confirmed: Sequence[dict[str, Any]] = (),
    rejected: Sequence[dict[str, Any]] = (),
    missed: Sequence[dict[str, Any]] = (),
    points: Sequence[dict[str, Any]] = (),
    claims: Sequence[str] = ("[00:10] Candidate: led payments",),
    summary: str = "They talked about the roadmap.",
    questions: Sequence[str] = ("Which team did you lead?",),
    arc: str = "Calm throughout.",
) -> str:
    return json.dumps(
        {
            "confirmed": list(confirmed),
            "rejected": list(rejected),
            "missed": list(missed),
            "sentiment_arc": {"summary": arc, "turning_points": list(points)},
            "claims": list(claims),
            "summary": summary,
            "follow_up_questions": list(questions),
        }
    )


def pair(statement: str, statement_at: str, earlier: str, earlier_at: str, **extra: Any) -> dict[str, Any]:
    return {"statement": statement, "statement_at": statement_at, "earlier": earlier, "earlier_at": earlier_at, **extra}


def config_for(server: FaultServer, *names: str, post: PostConfig | None = None, **overrides: Any) -> Config:
    providers = tuple(server.provider(n, **{**POST_PROVIDER_DEFAULTS, **overrides}) for n in names)
    base = post or PostConfig()
    return Config(providers=(server.provider("live"),), post=replace(base, providers=providers))


def journaled(directory: Path, chunks: Sequence[Chunk], analyses: Sequence[Analysis] = (), close: bool = True) -> Path:
    journal = Journal.create(directory, header={"model": "tiny.en", "chain": [{"name": "fast", "model": "fast-model"}]})
    for c in chunks:
        journal.write_chunk(c)
    for a in analyses:
        journal.write_analysis(a)
    journal.close()
    if not close:  # as if the process had died: every record but the end one
        lines = journal.path.read_bytes().splitlines(keepends=True)
        journal.path.write_bytes(b"".join(lines[:-1]))
    return journal.path


SMALL = PostConfig(max_request_tokens=2400, overlap_tokens=120)
