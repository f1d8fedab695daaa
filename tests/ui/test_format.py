"""Pure formatting and matching rules of the window (no Qt)."""

from __future__ import annotations

from annotator.analysis.usage import SESSION, ProviderUsage
from annotator.models import LOCAL_PROVIDER, Analysis, Attempt, Chunk, Contradiction, Insight, Mark, Outcome, Sentiment
from annotator.ui.flag import flag_from_mark, flags_from_analysis
from annotator.ui.format import answered_by, attempt_reason, chunk_mood, signed_score, tooltip, usage_text


def test_signed_score() -> None:
    assert signed_score(0.25) == "+0.25"
    assert signed_score(-0.6) == "\u22120.60"
    assert signed_score(0.001) == "0.00"


def test_answered_by_names_provider_model_and_latency() -> None:
    ok = Attempt("groq", "llama", Outcome.OK, 200, 840)
    slow = Attempt("kimi", "k2", Outcome.TIMEOUT, None, 5000, detail="no first token within 5.0 s")
    a = Analysis((1,), "", Insight(Sentiment("neutral", 0.0)), "groq", "llama", (slow, ok), 5900)
    assert answered_by(a) == "groq · llama · 840 ms"
    assert attempt_reason(slow) == "kimi timed out after 5.0 s: no first token within 5.0 s"
    assert answered_by(Analysis((1,), "", None, None, None, (slow,))) == "analysis unavailable"
    assert chunk_mood(Analysis((1,), "", None, None, None, (slow,))).unavailable


def test_local_estimate_is_labelled() -> None:
    a = Analysis((1,), "", Insight(Sentiment("negative", -0.3)), LOCAL_PROVIDER, None, ())
    mood = chunk_mood(a)
    assert mood.text.startswith("local") and mood.unavailable
    assert "Local sentiment estimate" in mood.tooltip


def test_usage_sums_attempts() -> None:
    u = ProviderUsage(SESSION).add_all(
        [
            Attempt("a", "m", Outcome.OK, 200, 1, 100, 20, 0.001),
            Attempt("b", "m", Outcome.TIMEOUT),
            Attempt("c", "m", Outcome.SKIPPED),
        ]
    )
    assert usage_text(u) == "120 tokens · $0.0010"
    assert u.calls == 2  # the skip never reached its provider, as UsageTracker counts it


def test_tooltip_escapes_markup() -> None:
    assert "<b>" not in tooltip("<b>x</b>") and "&lt;b&gt;" in tooltip("<b>x</b>")


def test_matching_finds_paraphrased_quotes() -> None:
    chunks = [
        Chunk(0, "C", 0, 5, "I have been leading the backend team at a logistics startup for about three years now."),
        Chunk(1, "C", 5, 9, "I have never worked with Kubernetes, it always felt like overkill for us."),
        Chunk(2, "C", 9, 12, "Last spring I migrated our whole cluster to Kubernetes."),
    ]
    c = Contradiction("migrated the whole cluster to Kubernetes", "I have never worked with Kubernetes", "x")
    a = Analysis((2,), "", Insight(Sentiment("neutral", 0.0), (c,)), "p", "m")
    [flag] = flags_from_analysis(a, {ch.id: ch for ch in chunks})
    assert (flag.chunk_id, flag.earlier_chunk_id, flag.source) == (2, 1, "p · m")


def test_manual_flag_from_mark() -> None:
    chunks = {0: Chunk(0, "C", 0, 5, "text")}
    flag = flag_from_mark(Mark(5.0, "flag", "", 0), chunks)
    assert flag is not None and flag.manual and flag.statement == "text"
    assert flag_from_mark(Mark(5.0, "bookmark"), chunks) is None


def test_backlog_warnings() -> None:
    from annotator.sessions.events import Backlog, TranscriptionBacklog
    from annotator.ui.format import backlog_warning

    assert backlog_warning(Backlog(left_unanalysed=3, total_unanalysed=5, waiting=40)).startswith(
        "Analysis is falling behind: 3 older chunk(s) were left unanalysed (5 so far"
    )
    assert backlog_warning(TranscriptionBacklog(4.2)).startswith("Transcription is running 4 s behind the speech")
    assert backlog_warning(TranscriptionBacklog(0.4)) is None
