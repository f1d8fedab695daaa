"""The one cost text: the window's usage and review byline, the Markdown export's tables."""

from __future__ import annotations

import pytest

from annotator.text.money import cost


@pytest.mark.parametrize(
    ("usd", "text"),
    [
        (0, "$0"),
        (0.0, "$0"),
        (0.000041, "$0.000041"),
        (0.00005, "$0.000050"),
        (0.0001, "$0.0001"),
        (0.001, "$0.0010"),
        (0.0028, "$0.0028"),
        (0.01, "$0.01"),
        (1.254, "$1.25"),
        (12.5, "$12.50"),
    ],
)
def test_dollars_with_enough_digits_for_small_amounts(usd: float, text: str) -> None:
    assert cost(usd) == text
