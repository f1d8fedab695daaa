"""The local sentiment estimate: vaderSentiment's lexicon, no network.

Used when no provider is configured or every provider failed for a request.
It estimates sentiment only and never invents contradictions; the caller
labels its answer with ``LOCAL_PROVIDER``.
"""

from __future__ import annotations

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from annotator.models import Sentiment

LOCAL_MODEL = "vader"
NEUTRAL_BAND = 0.05  # VADER's own recommended threshold on the compound score


class LocalSentiment:
    """Scores text with VADER (loads its lexicon once, ~50 ms)."""

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def estimate(self, text: str) -> Sentiment:
        score = float(self._vader.polarity_scores(text)["compound"])
        if score >= NEUTRAL_BAND:
            label = "positive"
        elif score <= -NEUTRAL_BAND:
            label = "negative"
        else:
            label = "neutral"
        return Sentiment(label, round(score, 3))
