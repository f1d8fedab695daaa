"""What finding a flag's earlier statement costs as the session grows (issues 12 and 19).

The window finds it with ``text.quotes.QuoteIndex``; the exports scan with
``text.quotes.find_statement`` (once per export, off the loop). Both give the
same line (tests/unit/text/test_quotes.py). Prints milliseconds per quote for
sessions of 120 to 1,440 lines of generated interview text, whose lines share
most of their words, each quote holding a line's two rarer words (names).

    python benchmarks/quotes.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.models import Chunk
from annotator.text.quotes import QuoteIndex, find_statement

COMMON = "we the team project service data people time really think year work client system".split()
RARE = [f"name{i}" for i in range(400)]


def line(rng: random.Random) -> str:
    return " ".join(rng.choices(COMMON, k=rng.randint(8, 14)) + rng.choices(RARE, k=2))


def main() -> int:
    rng = random.Random(12)
    print("| lines | index ms/quote | scan ms/quote |")
    print("|---:|---:|---:|")
    for n in (120, 360, 720, 1440):
        chunks = [Chunk(i, "C", i * 10.0, i * 10.0 + 6, line(rng)) for i in range(1, n + 1)]
        index = QuoteIndex()
        for c in chunks:
            index.add(c)
        quotes = [" ".join(rng.choice(chunks).text.split()[-6:]) for _ in range(200)]  # with the line's two names
        t0 = time.perf_counter()
        found = [index.best(q) for q in quotes]
        t1 = time.perf_counter()
        scanned = [find_statement(q, chunks) for q in quotes]
        t2 = time.perf_counter()
        assert found == scanned
        print(f"| {n} | {(t1 - t0) * 1000 / len(quotes):.2f} | {(t2 - t1) * 1000 / len(quotes):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
