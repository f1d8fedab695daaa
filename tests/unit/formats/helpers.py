"""Sessions the format tests export: the golden session over the backend-lead interview, a reviewed interview,
transcript lines that are hard to write, and a file writer."""

from __future__ import annotations

from pathlib import Path

from annotator.formats.readers import read_chunks
from annotator.journal.record import SessionEvent, SessionRecord
from annotator.models import (
    LOCAL_PROVIDER,
    Analysis,
    Attempt,
    Chunk,
    Contradiction,
    Insight,
    Mark,
    Outcome,
    Sentiment,
)

GOLDEN = Path(__file__).parent.parent.parent / "data" / "golden"
T0 = 1_795_000_000.0


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


def ok(provider: str, model: str, tin: int, tout: int, cost: float, ms: int = 700) -> Attempt:
    return Attempt(provider, model, Outcome.OK, 200, ms, tin, tout, cost)


KIMI = "kimi-k2-turbo-preview"
GROQ = "llama-3.1-8b-instant"


def golden_session(data_dir: Path) -> SessionRecord:
    """A small deterministic session over the backend-lead interview."""
    chunks = tuple(read_chunks(data_dir / "backend-lead.txt"))
    by_id = {c.id: c for c in chunks}

    def analysis(
        ids: tuple[int, ...],
        insight: Insight | None,
        provider: str | None,
        model: str | None,
        attempts: tuple[Attempt, ...],
    ) -> Analysis:
        text = "\n".join(by_id[i].text for i in ids)
        return Analysis(ids, text, insight, provider, model, attempts, sum(a.elapsed_ms for a in attempts))

    rate_limited = Attempt("kimi", KIMI, Outcome.RATE_LIMITED, 429, 90, detail="retry after 3 s")
    analyses = (
        analysis(
            (1, 2),
            Insight(Sentiment("positive", 0.3), (), ("leads backend team for three years",), "Intro."),
            "groq",
            GROQ,
            (rate_limited, ok("groq", GROQ, 420, 80, 0.0000412)),
        ),
        analysis(
            (5, 6),
            Insight(Sentiment("neutral", 0.0), (), ("never worked with Kubernetes",), "Infra."),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 500, 90, 0.000525),),
        ),
        analysis(
            (9, 10),
            Insight(Sentiment("negative", -0.6), (), (), "Frustration with the manager."),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 510, 70, 0.000481),),
        ),
        analysis(
            (11, 12),
            Insight(
                Sentiment("negative", -0.3),
                (
                    Contradiction(
                        "When I joined the company eighteen months ago",
                        "leading the backend team at a logistics startup for about three years",
                        "Three years of leading the team cannot fit into eighteen months at the company.",
                    ),
                ),
                (),
                "Tenure contradiction.",
            ),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 530, 110, 0.000593),),
        ),
        analysis(
            (13, 14),
            Insight(
                Sentiment("positive", 0.4),
                (
                    Contradiction(
                        "I migrated our whole cluster to Kubernetes",
                        "I have never worked with Kubernetes",
                        "Earlier the candidate said they never used Kubernetes.",
                    ),
                ),
                (),
                "Kubernetes contradiction.",
            ),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 540, 120, 0.000624),),
        ),
        analysis(
            (15, 16),
            None,
            None,
            None,
            (
                Attempt("kimi", KIMI, Outcome.TIMEOUT, None, 5000, detail="no first token within 5.0 s"),
                Attempt("groq", GROQ, Outcome.HTTP_ERROR, 503, 240, detail="Service Unavailable"),
            ),
        ),
        analysis(
            (17, 18),
            Insight(
                Sentiment("neutral", -0.1),
                (
                    Contradiction(
                        "I could not accept anything under one hundred and sixty",
                        "comfortable with a salary in the low hundreds",
                        "The range given does not include the stated minimum.",
                    ),
                ),
                (),
                "Salary.",
            ),
            "kimi",
            KIMI,
            (ok("kimi", KIMI, 520, 100, 0.00056),),
        ),
        analysis(
            (19, 20),
            Insight(Sentiment("neutral", 0.1)),
            LOCAL_PROVIDER,
            None,
            (
                Attempt("kimi", KIMI, Outcome.STALLED, 200, 5100, 0, 0, 0.0, "silent for 5.0 s mid-answer"),
                Attempt("groq", GROQ, Outcome.SKIPPED, None, 0, detail="deadline"),
            ),
        ),
    )
    marks = (
        Mark(30.0, "bookmark", "", 6),
        Mark(by_id[18].start + 1, "flag", "ask about salary <b>again</b> | *really*", 18),
    )
    events = (
        SessionEvent("device_change", {"source": "You", "device": "USB microphone"}, T0 + 65.2),
        SessionEvent("backlog", {"merged": 3}, T0 + 100.0),
    )
    header = {
        "ts": T0,
        "format": "annotator-session",
        "version": 1,
        "app_version": "0.1.0",
        "created": "2026-11-17T09:33:20+01:00",
        "model": "tiny.en",
        "devices": ["Built-in microphone"],
        "chain": [{"name": "kimi", "model": KIMI}, {"name": "groq", "model": GROQ}],
    }
    return SessionRecord(
        header=header,
        chunks=chunks,
        analyses=analyses,
        marks=marks,
        errors=("groq: HTTP 503 Service Unavailable",),
        events=events,
        end_reason="closed",
        path=Path("2026-11-17_09-33-20.jsonl"),
    )


TRICKY = (
    Chunk(1, "Mary Ann", 0.0, 1.5, "Salary < 160k & more --> later"),
    Chunk(2, "", 1.5, 3.001, "no speaker <i>here</i>, &amp; an entity"),
    Chunk(5, "Them", 3599.999, 3723.456, "past the hour, “quotes”, 中文, emoji 🙂"),
    Chunk(6, "O'Brien", 3723.5, 3723.5, "zero length"),
)


def reviewed_interview() -> SessionRecord:
    """Five lines; live flags on lines 3 (confirmed) and 4 (rejected); the review found one more (line 5)."""
    from annotator.analysis.review_model import Review, ReviewContradiction, ReviewResult

    chunks = (
        Chunk(1, "Candidate", 0.0, 4.0, "I led the payments team for three years."),
        Chunk(2, "Candidate", 5.0, 9.0, "We moved the ledger to Postgres last year."),
        Chunk(3, "Candidate", 10.0, 14.0, "I joined eighteen months ago."),
        Chunk(4, "Candidate", 15.0, 19.0, "I carried the pager for the whole team."),
        Chunk(5, "Candidate", 20.0, 24.0, "We ran everything on MySQL and never touched Postgres."),
    )
    tenure = Contradiction("I joined eighteen months ago", "I led the payments team for three years", "Tenure.")
    pager = Contradiction("I carried the pager", "We moved the ledger to Postgres", "Odd.")
    analyses = (
        Analysis((3,), "", Insight(Sentiment("neutral", 0.0), (tenure,)), "live", "m"),
        Analysis((4,), "", Insight(Sentiment("neutral", 0.0), (pager,)), "live", "m"),
    )
    result = ReviewResult(
        confirmed=(ReviewContradiction(tenure.statement, 10.0, tenure.earlier, 0.0, "Cannot fit.", 1, 0, 0),),
        rejected=(ReviewContradiction(pager.statement, 15.0, pager.earlier, 5.0, "Different things.", 2, 1, 0),),
        missed=(ReviewContradiction("never touched Postgres", 20.0, "We moved the ledger to Postgres", 5.0, "Both."),),
    )
    review = Review(result, "strong", "big", live_flags=2, created="2026-11-17T10:00:00+00:00")
    return SessionRecord(
        header={"mode": "replay", "source": "/home/me/interviews/backend-lead.txt"},
        chunks=chunks,
        analyses=analyses,
        reviews=(review,),
        end_reason="closed",
        path=Path("2026-11-17_09-33-20.jsonl"),
    )
