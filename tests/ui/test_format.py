"""Pure formatting and matching rules of the window (no Qt)."""

from __future__ import annotations

from annotator.analysis.usage import SESSION, ProviderUsage
from annotator.models import LOCAL_PROVIDER, Analysis, Attempt, Chunk, Contradiction, Insight, Mark, Outcome, Sentiment
from annotator.ui.flag import QuoteIndex, best_match, flag_from_mark, flags_from_analysis, overlap
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
    u = ProviderUsage(SESSION).add_all([Attempt("a", "m", Outcome.OK, 200, 1, 100, 20, 0.001),
                                         Attempt("b", "m", Outcome.TIMEOUT), Attempt("c", "m", Outcome.SKIPPED)])
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
    assert overlap("never worked with Kubernetes", chunks[1].text) == 1.0
    assert best_match("has never used Kubernetes", chunks) is chunks[1]
    assert best_match("completely unrelated words here", chunks) is None
    c = Contradiction("migrated the whole cluster to Kubernetes", "I have never worked with Kubernetes", "x")
    a = Analysis((2,), "", Insight(Sentiment("neutral", 0.0), (c,)), "p", "m")
    [flag] = flags_from_analysis(a, {ch.id: ch for ch in chunks})
    assert (flag.chunk_id, flag.earlier_chunk_id, flag.source) == (2, 1, "p · m")


def test_the_quote_index_finds_what_a_scan_finds() -> None:
    """``QuoteIndex.best`` (what the window uses) agrees with ``best_match`` over the lines in order:
    paraphrases, substrings with a cut-off word, ties (the latest wins), edited lines, bounds."""
    lines = [
        "I have been leading the backend team at a logistics startup for about three years now.",
        "I have never worked with Kubernetes, it always felt like overkill for us.",
        "Last spring I migrated our whole cluster to Kubernetes.",
        "We spent eighteen months on the billing service with four people.",
        "The billing service took us eighteen months, with four people.",
        "Honestly the team was great and I would hire all of them again.",
    ]
    chunks = [Chunk(i + 1, "C", i * 5.0, i * 5.0 + 4, t) for i, t in enumerate(lines)]
    index = QuoteIndex()
    for ch in chunks:
        index.add(ch)
    quotes = ["has never used Kubernetes", "never worked with Kubernet", "eighteen months on billing", "four people",
              "the team was great", "leading the backend team for three years", "completely unrelated words here",
              "ading the backend team at a logistics start"]
    for quote in quotes:
        assert index.best(quote) is best_match(quote, chunks), quote
        assert index.best(quote, before=4) is best_match(quote, chunks[:3]), quote
        assert index.best(quote, exclude=5) is best_match(quote, [c for c in chunks if c.id != 5]), quote
    edited = Chunk(2, "C", 5.0, 9.0, "I had never heard of Kubernetes back then.")
    index.add(edited)
    assert index.best("never worked with Kubernetes") is best_match("never worked with Kubernetes", [chunks[0], edited, *chunks[2:]])
    index.clear()
    assert index.best("four people") is None


def test_the_quote_index_agrees_with_a_scan_on_many_random_lines() -> None:
    import random

    rng = random.Random(19)
    vocab = [f"w{i}x" for i in range(40)]  # no word inside another: a quote that is part of a word is not found (documented)
    vocab += ["team", "years", "months", "billing", "people", "weeks"]
    chunks = [Chunk(i, "C", i * 5.0, i * 5.0 + 4, " ".join(rng.choices(vocab, k=rng.randint(3, 14)))) for i in range(1, 301)]
    index = QuoteIndex()
    for ch in chunks:
        index.add(ch)
    for _ in range(300):
        if rng.random() < 0.5:
            quote = " ".join(rng.choices(vocab, k=rng.randint(1, 8)))  # a paraphrase: some words, any order
        else:
            text = rng.choice(chunks).text  # a substring, perhaps cutting its first and last word short
            words = text.split()
            a = rng.randint(0, max(0, len(words) - 4))
            quote = " ".join(words[a : a + rng.randint(4, 8)])[rng.randint(0, 1) : -rng.randint(1, 2)]
        before = rng.randint(2, 300)
        assert index.best(quote) is best_match(quote, chunks), quote
        assert index.best(quote, before=before) is best_match(quote, chunks[: before - 1]), quote


def test_manual_flag_from_mark() -> None:
    chunks = {0: Chunk(0, "C", 0, 5, "text")}
    flag = flag_from_mark(Mark(5.0, "flag", "", 0), chunks)
    assert flag is not None and flag.manual and flag.statement == "text"
    assert flag_from_mark(Mark(5.0, "bookmark"), chunks) is None


def test_backlog_warnings() -> None:
    from annotator.ui.format import backlog_warning

    assert backlog_warning({"left_unanalysed": 3, "total_unanalysed": 5, "waiting": 40}).startswith(
        "Analysis is falling behind: 3 older chunk(s) were left unanalysed (5 so far")
    assert backlog_warning({"seconds": 4.2}).startswith("Transcription is running 4 s behind the speech")
    assert backlog_warning({"seconds": 0.4}) is None
