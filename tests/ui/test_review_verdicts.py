"""What the window shows of a post-session review: pure rules, no Qt."""

from __future__ import annotations

from annotator.analysis.review_model import (
    LiveFlag,
    Review,
    ReviewContradiction,
    ReviewProgress,
    ReviewResult,
    SentimentArc,
    TurningPoint,
)
from annotator.models import Attempt, Chunk, Contradiction, Outcome
from annotator.text.quotes import find_near
from annotator.ui.flag import flag_key
from annotator.ui.review_verdicts import (
    CONFIRMED,
    NOT_JUDGED,
    WRONG,
    CardReview,
    card_reviews,
    failed_message,
    missed_flags,
    panel_text,
    progress_text,
)

TENURE = Contradiction("I joined eighteen months ago", "I led the team for three years", "Tenure.")
K8S = Contradiction("I migrated the cluster to Kubernetes", "I never used Kubernetes", "K8s.")
ONCALL = Contradiction("I was on call every week", "We never had on-call", "On-call.")


def live(number: int, ai: int, c: Contradiction) -> LiveFlag:
    return LiveFlag(number, ai, 0, c, float(number * 10), number)


def verdict(c: Contradiction, flag: int, ai: int, why: str) -> ReviewContradiction:
    return ReviewContradiction(c.statement, 30.0, c.earlier, 5.0, why, flag, ai, 0)


def test_each_card_gets_the_verdict_of_its_live_flag() -> None:
    flags = (live(1, 0, TENURE), live(2, 1, K8S), live(3, 2, ONCALL))
    result = ReviewResult(
        confirmed=(verdict(TENURE, 1, 0, "Three years do not fit in eighteen months."),),
        rejected=(verdict(K8S, 2, 1, "He said he used it at a later job; no conflict."),),
        unreviewed=(3,),
    )
    cards = card_reviews(flags, result)
    assert cards[flag_key(TENURE.statement, TENURE.earlier)] == CardReview(
        CONFIRMED, "Three years do not fit in eighteen months."
    )
    assert cards[flag_key(K8S.statement, K8S.earlier)].verdict == WRONG
    assert (
        cards[flag_key(K8S.statement, K8S.earlier)].text
        == "✖ Wrong, says the review: He said he used it at a later job; no conflict."
    )
    assert cards[flag_key(ONCALL.statement, ONCALL.earlier)] == CardReview(NOT_JUDGED)
    assert CardReview(NOT_JUDGED).text == "– Not judged by the review"


def test_a_repeated_contradiction_shares_one_card_and_confirmed_wins() -> None:
    repeated = Contradiction("I joined eighteen months ago.", "I led the team for three years", "Again.")
    flags = (live(1, 0, TENURE), live(2, 3, repeated))
    result = ReviewResult(
        confirmed=(verdict(repeated, 2, 3, "Confirmed later."),),
        rejected=(verdict(TENURE, 1, 0, "Judged wrong once."),),
    )
    cards = card_reviews(flags, result)
    assert len(cards) == 1
    assert cards[flag_key(TENURE.statement, TENURE.earlier)] == CardReview(CONFIRMED, "Confirmed later.")


def chunks() -> dict[int, Chunk]:
    lines = [
        "I led the payments team for about three years.",
        "We moved the ledger to Postgres.",
        "I joined eighteen months ago, right after the acquisition.",
        "We used MySQL for the ledger, never Postgres.",
    ]
    return {i + 1: Chunk(i + 1, "Candidate", i * 10.0, i * 10.0 + 8.0, t) for i, t in enumerate(lines)}


def test_missed_contradictions_become_review_cards_tied_to_both_lines() -> None:
    missed = ReviewContradiction(
        "We used MySQL, never Postgres", 31.0, "moved the ledger to Postgres", 12.0, "Which database?"
    )
    review = Review(ReviewResult(missed=(missed,)), "strong", "big-model")
    [flag] = missed_flags(review, chunks())
    assert flag.found_by_review and not flag.manual
    assert (flag.chunk_id, flag.earlier_chunk_id) == (4, 2)
    assert (flag.at, flag.earlier_at) == (31.0, 12.0)
    assert flag.source == "found by the review · strong (big-model)"
    assert missed_flags(Review(None, None, None, error="x"), chunks()) == []


def test_a_quote_in_other_words_is_placed_by_its_time() -> None:
    lines = list(chunks().values())
    assert find_near("something else entirely", 21.0, lines) == lines[2]
    assert find_near("ledger Postgres", 35.0, lines) == lines[3]  # the words at that time win over an earlier line


def test_panel_text_names_provider_model_cost_and_keeps_markup_as_text() -> None:
    result = ReviewResult(
        confirmed=(verdict(TENURE, 1, 0, "x"),),
        rejected=(verdict(K8S, 2, 1, "y"),),
        unreviewed=(3,),
        missed=(ReviewContradiction("a", 1.0, "b", 0.0, "c"),),
        arc=SentimentArc("Warm, then <b>guarded</b>.", (TurningPoint(125.0, "negative", -0.4, "the tenure question"),)),
        summary="A <i>backend</i> interview.",
        questions=("Which role before the acquisition?", "Who ran on-call?"),
    )
    attempt = Attempt("strong", "big-model", Outcome.OK, 200, 4200, 9000, 700, 0.0123)
    text = panel_text(Review(result, "strong", "big-model", (attempt,), parts=1, elapsed_ms=4200))
    assert text.byline == "by strong (big-model), $0.01 · 1 request · 4.2 s"
    assert text.tally == "Live flags: 1 confirmed, 1 wrong, 1 not judged · 1 missed by the live pass (new cards)"
    assert text.summary == "A <i>backend</i> interview." and text.arc == "Warm, then <b>guarded</b>."
    assert text.turning_points == ("02:05  negative \u22120.40 — the tenure question",)
    assert text.questions == ("1. Which role before the acquisition?", "2. Who ran on-call?")


def test_progress_and_failure_sentences() -> None:
    ok = Attempt("strong", "m", Outcome.OK, 200, 2500)
    down = Attempt("first", "m", Outcome.HTTP_ERROR, 500, 30)
    assert progress_text(ReviewProgress(1, 1, False)) == "Reviewing: the transcript sent, waiting for the answer…"
    assert (
        progress_text(ReviewProgress(2, 3, True, (down, ok)))
        == "Reviewing: part 2/3 answered by strong in 2.5 s (after first failed)"
    )
    assert progress_text(ReviewProgress(1, 1, True, (down,))) == "Reviewing: the transcript got no valid answer"
    message = failed_message(Review(None, None, None, (down,), error="part 1 of 1 got no valid review"))
    assert "first returned an error HTTP 500" in message
    assert "Settings > Providers" in message and "Review session again" in message


def test_a_missed_contradiction_within_one_line_points_at_that_line_twice() -> None:
    line = Chunk(
        7,
        "Candidate",
        106.8,
        115.6,
        "I would be comfortable around one hundred and forty thousand, "
        "although I could not accept anything under one hundred and sixty.",
    )
    other = Chunk(6, "Candidate", 96.8, 103.2, "It went well. Deployments are faster.")
    missed = ReviewContradiction(
        "could not accept anything under one hundred and sixty",
        106.0,
        "comfortable around one hundred and forty thousand",
        106.0,
        "Salary.",
    )
    [flag] = missed_flags(Review(ReviewResult(missed=(missed,)), "claude", None), {6: other, 7: line})
    assert (flag.chunk_id, flag.earlier_chunk_id) == (7, 7)
    assert flag.source == "found by the review · claude"
