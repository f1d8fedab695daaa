"""One identity per contradiction, shared by the window, the review and every export.

A provider that sees the same conflict again (the next chunk still
contradicts the earlier statement) answers with the same contradiction in
other punctuation or capitals. Those are one finding: one card in the
window, one live flag given to the review (so it confirms it once), one entry
in the Markdown. ``identity(statement, earlier)`` is what makes two of them
the same: the meaningful words of both quotes, order, case, punctuation and
small words ignored (``text.quotes.meaningful``, the words quotes are matched by).

    identity("I migrated our cluster to Kubernetes.", "Never worked with Kubernetes")
      == identity("I migrated our cluster to Kubernetes", "never worked with kubernetes")

``first_of_each(items, key)`` keeps the first item of each identity, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from annotator.text.quotes import meaningful

T = TypeVar("T")

Identity = tuple[frozenset[str], frozenset[str]]
"""The meaningful words of the statement, and of the earlier statement it conflicts with."""


def identity(statement: str, earlier: str) -> Identity:
    """What makes two contradictions the same finding (see the module docstring)."""
    return frozenset(meaningful(statement)), frozenset(meaningful(earlier))


def first_of_each(items: Iterable[T], key: Callable[[T], Identity]) -> list[T]:
    """``items`` in order, without those whose identity an earlier one had."""
    seen: set[Identity] = set()
    out: list[T] = []
    for item in items:
        k = key(item)
        if k in seen:
            continue
        seen.add(k)
        out.append(item)
    return out
