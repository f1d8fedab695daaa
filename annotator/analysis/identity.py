"""One identity per contradiction, shared by the window, the review and every export.

A provider that sees the same conflict again (the next chunk still
contradicts the earlier statement) answers with the same contradiction in
other punctuation or capitals. Those are one finding: one card in the
window, one live flag given to the review (so it confirms it once), one entry
in the Markdown. ``identity(statement, earlier)`` is what makes two of them
the same: the meaningful words of both quotes, order, case, punctuation and
small words ignored.

    identity("I migrated our cluster to Kubernetes.", "Never worked with Kubernetes")
      == identity("I migrated our cluster to Kubernetes", "never worked with kubernetes")

``first_of_each(items, key)`` keeps the first item of each identity, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

Identity = tuple[frozenset[str], frozenset[str]]
"""The meaningful words of the statement, and of the earlier statement it conflicts with."""

_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    "a an the and or but of to in on at for with is was were are be been i we you it that this my our "
    "me us so as by from have has had do did not".split()
)


def words(text: str) -> set[str]:
    """The meaningful words of ``text``: lower case, letters and digits, small words left out."""
    return {w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS}


def identity(statement: str, earlier: str) -> Identity:
    """What makes two contradictions the same finding (see the module docstring)."""
    return frozenset(words(statement)), frozenset(words(earlier))


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
