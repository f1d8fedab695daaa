"""What an analysis adds to the window: new flags, warnings said once (no Qt)."""

from __future__ import annotations

from annotator.models import LOCAL_PROVIDER, Analysis, Attempt, Chunk, Contradiction, Insight, Mark, Outcome, Sentiment
from annotator.ui.flag import flag_from_mark
from annotator.ui.session_news import SessionNews

CHUNKS = {
    0: Chunk(0, "Candidate", 0.0, 4.0, "I have been leading the backend team for about three years now."),
    1: Chunk(1, "Candidate", 5.0, 9.0, "When I joined the company eighteen months ago, I was promised a path."),
}
SAID = Contradiction(
    "joined the company eighteen months ago", "leading the backend team for about three years", "Does not fit."
)
OK = Attempt("groq", "llama", Outcome.OK, 200, 400)
BROKEN = Attempt("kimi", "k2", Outcome.MISCONFIGURED, 401, 80, detail="bad key")


def answer(*attempts: Attempt, contradictions: tuple[Contradiction, ...] = (), local: bool = False) -> Analysis:
    insight = Insight(Sentiment("neutral", 0.0), contradictions, (), "")
    provider = LOCAL_PROVIDER if local else "groq"
    return Analysis((1,), "", insight, provider, None if local else "llama", attempts, 400)


def test_a_repeated_contradiction_is_one_flag_until_the_next_session() -> None:
    news = SessionNews()
    first = news.flags(answer(OK, contradictions=(SAID,)), CHUNKS)
    assert [(f.chunk_id, f.earlier_chunk_id) for f in first] == [(1, 0)]
    assert news.flags(answer(OK, contradictions=(SAID,)), CHUNKS) == []
    news.clear()
    assert len(news.flags(answer(OK, contradictions=(SAID,)), CHUNKS)) == 1


def test_manual_flags_are_always_new() -> None:
    news = SessionNews()
    flag = flag_from_mark(Mark(6.0, "flag", "", chunk_id=1), CHUNKS)
    assert flag is not None and flag.manual
    assert news.admit(flag) and news.admit(flag)


def test_a_misconfigured_provider_is_said_once_a_session() -> None:
    news = SessionNews()
    warned = news.warnings(answer(BROKEN, OK))
    assert len(warned) == 1 and "kimi" in warned[0].text and not warned[0].details
    assert news.warnings(answer(BROKEN, OK)) == []
    news.clear()
    assert len(news.warnings(answer(BROKEN, OK))) == 1


def test_no_provider_answering_is_said_every_time_with_the_reasons() -> None:
    news = SessionNews()
    timeout = Attempt("groq", "llama", Outcome.TIMEOUT, None, 5000, detail="no first token within 5.0 s")
    for _ in range(2):
        (warned,) = news.warnings(answer(timeout, local=True))
        assert "timed out" in warned.details and warned.kind == "analysis_unavailable"
    assert news.warnings(answer(OK)) == []
