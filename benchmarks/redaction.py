"""Benchmark key scrubbing: what redacting every provider text costs.

    python benchmarks/redaction.py [--runs 2000]

Prints the median microseconds to scrub, with four held keys, (1) a typical
error detail (~200 characters), (2) a streamed insight reply (~1 KB) and (3)
a long review reply (~16 KB), each once per attempt or reply.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.redaction import Redactor  # noqa: E402

KEYS = ("csk-" + "a1" * 24, "nvapi-" + "Bc3" * 21, "sk-" + "d4E" * 16, "sk-ant-api03-" + "f5G" * 30)
DETAIL = (
    "misconfigured: HTTP 401, key refused: Incorrect API key provided: sk-proj-****abcd. You can find your "
    "API key at https://platform.openai.com/account/api-keys."
)
INSIGHT = json.dumps(
    {
        "sentiment": {"label": "negative", "score": -0.4},
        "contradictions": [
            {
                "statement": "When I joined the company eighteen months ago",
                "earlier": "I have been leading the backend team at a logistics startup for about three years",
                "explanation": "Three years leading the team does not fit joining eighteen months ago.",
            }
        ],
        "claims": ["Leads backend team", "Joined 18 months ago", "Migrated cluster to Kubernetes last spring"] * 2,
        "summary": "The candidate's tenure does not add up; the rest of the answer is consistent with earlier ones.",
    }
)


def median_us(redact: Redactor, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        redact(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    redact = Redactor.of(*KEYS)
    review = (INSIGHT + "\n") * 16
    print(f"{'text':<28}{'chars':>8}{'median us':>12}")
    for name, text in (("error detail", DETAIL), ("insight reply", INSIGHT), ("review reply", review)):
        print(f"{name:<28}{len(text):>8}{median_us(redact, text, args.runs):>12.1f}")


if __name__ == "__main__":
    main()
