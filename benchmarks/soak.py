"""Soak `annotator analyze` through a fault-injecting loopback provider pair (issue 19).

    python benchmarks/soak.py [--seeds 1 2 3] [--lines 720] [--mix faults|429|both] [--code DIR]

A 720-line transcript (``tests/data/backend-lead.txt`` repeated, every line
timed 10 s after the last: two hours) goes through the real command
(``python -m annotator analyze --json --yes`` in a subprocess) against two
OpenAI-dialect providers on the loopback fault server
(``tests/helpers/faultserver.py``), each answering from its own seeded
sequence of replies:

- ``faults``: 10 % HTTP 500, 6 % 429 with ``Retry-After: 2``, 5 % TCP resets,
  5 % streams cut mid-answer, 2 % stalls (silent for 6 s, past the 5 s stall
  limit), 1 % malformed events, the rest answered;
- ``429``: 30 % 429 with ``Retry-After: 2``, the rest answered (both providers
  rate-limited at once is then common).

For each seed it prints how many chunks no provider answered (the request
lines whose provider is null or the local estimate), the waits it announced on stderr, the requests the
server saw and the wall time. ``--code DIR`` runs the command from another
checkout (e.g. ``git worktree add /tmp/before <commit>`` for the figures
before a change).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.faultserver import FaultServer, Reply  # noqa: E402

SOURCE = ROOT / "tests" / "data" / "backend-lead.txt"
STALL_S = 6.0


def transcript(lines: int, path: Path) -> Path:
    said = [line for line in SOURCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for i in range(lines):
        t = i * 10
        out.append(f"[{t // 3600}:{t // 60 % 60:02d}:{t % 60:02d}] {said[i % len(said)]}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def fault_mix(rng: random.Random) -> Reply:
    r = rng.random()
    for share, reply in (
        (0.10, Reply.status(500)),
        (0.06, Reply.status(429, retry_after="2")),
        (0.05, Reply.reset()),
        (0.05, Reply.cut()),
        (0.02, Reply.ok(piece_interval_s=STALL_S, pieces=2)),  # silent for 6 s mid-stream
        (0.01, Reply.malformed()),
    ):
        if r < share:
            return reply
        r -= share
    return Reply.ok()


def rate_limits(rng: random.Random) -> Reply:
    return Reply.status(429, retry_after="2") if rng.random() < 0.30 else Reply.ok()


def run(seed: int, mix: str, lines: int, code: Path, workdir: Path) -> dict[str, object]:
    pick = fault_mix if mix == "faults" else rate_limits
    with FaultServer() as server:
        for k, name in enumerate(("a", "b")):
            rng = random.Random(seed * 100 + k)
            server.script(name, *[pick(rng) for _ in range(lines * 4)])
        config = server.write_config(workdir / f"soak-{mix}-{seed}.toml", ["a", "b"])
        path = transcript(lines, workdir / "soak.txt")
        env = dict(
            os.environ,
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
            PYTHONIOENCODING="utf-8",
            PYTHONPATH=str(code),
        )
        t = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "annotator", "analyze", str(path), "--json", "--yes", "--config", str(config)],
            capture_output=True,
            text=True,
            env=env,
            cwd=code,
            timeout=3600,
        )
        wall = time.monotonic() - t
        requests = len(server.requests)
    if done.returncode != 0:
        raise SystemExit(f"seed {seed}: exit {done.returncode}\n{done.stderr[-2000:]}")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    unanswered = sum(r["provider"] in (None, "local-sentiment") for r in records)
    summary = {"chunks": len(records), "unanalysed": unanswered}
    return {
        "seed": seed,
        "mix": mix,
        "unanalysed": summary["unanalysed"],
        "chunks": summary["chunks"],
        "waits": done.stderr.count("(rate-limited)"),
        "requests": requests,
        "wall_s": round(wall, 1),
        "said": next((line for line in done.stderr.splitlines() if "left unanalysed" in line), ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--lines", type=int, default=720)
    parser.add_argument("--mix", choices=["faults", "429", "both"], default="both")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose annotator runs (default: this one)")
    args = parser.parse_args()
    mixes = ["faults", "429"] if args.mix == "both" else [args.mix]
    print(f"{'mix':<7} {'seed':>4} {'unanalysed':>12} {'waits':>6} {'requests':>9} {'wall s':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for mix in mixes:
            for seed in args.seeds:
                r = run(seed, mix, args.lines, args.code.resolve(), Path(tmp))
                print(
                    f"{mix:<7} {seed:>4} {r['unanalysed']:>5} of {r['chunks']:<4} {r['waits']:>6} "
                    f"{r['requests']:>9} {r['wall_s']:>7}",
                    flush=True,
                )
                if r["said"]:
                    print(f"        {r['said']}", flush=True)


if __name__ == "__main__":
    main()
