"""Benchmark the frozen bundle against the same app from source: size and cold start.

    python benchmarks/bundle.py [--runs 5] [--bundle dist/annotator]

Prints, for the bundle (``dist/annotator/annotator``) and for the source
(``python -m annotator`` in this interpreter), the median of ``--runs`` cold
runs (the app's own files evicted from the page cache first) and of as many
warm runs:

1. ``--version``: process start to exit (the interpreter, the CLI, nothing else);
2. ``transcribe CLIP --json``: process start to the first transcribed chunk on
   stdout (Python, numpy, CTranslate2, the model, libsndfile, the Silero VAD), and to exit;
3. the window (``replay CLIP --speed max`` on the xcb platform under Xvfb):
   process start to the window being mapped and viewable (polled with
   ``xwininfo``), and to the first transcribed chunk (its record in the
   session journal, which the pipeline writes as it hands the chunk to the
   window; polled every 10 ms).

And the bundle's size on disk with its largest parts. "Cold" evicts only the
app's files (the bundle folder; for the source the interpreter's stdlib and
site-packages and the package), never the whole machine's cache, which would
hit everyone on it. Every run gets fresh
config/data/log directories and no provider keys, so nothing leaves the machine.
Needs Xvfb and xwininfo for part 3 (scripts/setup installs xvfb; xwininfo is in
x11-utils); without them part 3 is skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "tests" / "data" / "ljspeech" / "LJ001-0002.wav"
WINDOW_TIMEOUT_S = 60.0
POLL_S = 0.01


@dataclass(frozen=True)
class Target:
    """One way to start the app: the frozen bundle or the source tree."""

    name: str
    argv: tuple[str, ...]
    files: tuple[Path, ...]  # what a cold start has to read: evicted from the page cache before a cold run


def clean_env(home: Path, display: str | None = None) -> dict[str, str]:
    """Fresh dirs, no keys, no keyring, no Python settings leaking into the bundle."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY") and not k.startswith(("PYTHONPATH", "PYTHONHOME", "QT_"))
    }
    env.update(
        ANNOTATOR_CONFIG_DIR=str(home / "config"),
        ANNOTATOR_DATA_DIR=str(home / "data"),
        ANNOTATOR_LOG_DIR=str(home / "log"),
        HF_HUB_OFFLINE="1",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    if display is None:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env["QT_QPA_PLATFORM"] = "xcb"
        env["DISPLAY"] = display
    return env


def time_version(target: Target) -> float:
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        subprocess.run([*target.argv, "--version"], env=clean_env(Path(home)), check=True, capture_output=True)
        return time.perf_counter() - start


def time_transcribe(target: Target) -> tuple[float, float]:
    """(to the first chunk on stdout, to exit) in seconds."""
    with tempfile.TemporaryDirectory() as home:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*target.argv, "transcribe", str(CLIP), "--json"],
            env=clean_env(Path(home)),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        to_chunk = time.perf_counter() - start
        proc.stdout.read()
        if proc.wait() != 0 or not first.strip():
            raise SystemExit(f"bundle.py: {target.name} transcribe failed (status {proc.returncode})")
        return to_chunk, time.perf_counter() - start


def _viewable_window(display: str) -> bool:
    """Whether the app's main window (title "annotator ...", larger than a stub) is mapped and viewable."""
    env = {**os.environ, "DISPLAY": display}
    tree = subprocess.run(["xwininfo", "-root", "-children"], env=env, capture_output=True, text=True).stdout
    for match in re.finditer(r'^\s+(0x[0-9a-f]+) "annotator[^"]*": \(.*\)\s+(\d+)x(\d+)', tree, re.M):
        if int(match.group(2)) < 100 or int(match.group(3)) < 100:
            continue
        info = subprocess.run(["xwininfo", "-id", match.group(1)], env=env, capture_output=True, text=True).stdout
        if "IsViewable" in info:
            return True
    return False


def _first_chunk_journaled(sessions: Path) -> bool:
    """Whether a session journal under ``sessions`` holds a chunk record yet (the window shows it as it is written)."""
    for journal in sessions.glob("*.jsonl"):
        with contextlib.suppress(OSError):
            for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    if json.loads(line).get("type") == "chunk":
                        return True
    return False


def time_window(target: Target, display: str) -> tuple[float | None, float | None]:
    """(to a viewable window, to the first transcribed chunk) in seconds; None where not reached.

    The first chunk is taken when its record reaches the session journal: the
    pipeline hands each chunk to the journal and the window together.
    """
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(Path(home), display)
        sessions = Path(home) / "data" / "sessions"
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*target.argv, "replay", str(CLIP), "--speed", "max"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        to_window: float | None = None
        to_chunk: float | None = None
        try:
            while proc.poll() is None and time.perf_counter() - start < WINDOW_TIMEOUT_S:
                if to_window is None and _viewable_window(display):
                    to_window = time.perf_counter() - start
                if to_chunk is None and _first_chunk_journaled(sessions):
                    to_chunk = time.perf_counter() - start
                if to_window is not None and to_chunk is not None:
                    break
                time.sleep(POLL_S)
            return to_window, to_chunk
        finally:
            proc.terminate()  # the window quits cleanly on SIGTERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def evict(roots: tuple[Path, ...]) -> None:
    """Drop the page cache of every file under ``roots`` (posix_fadvise DONTNEED: only these files, no root).

    Pages another process has mapped stay; on a shared machine a "cold" run is
    therefore an upper bound of what a user's first start after boot would see
    only for the app's own files, not for the system libraries.
    """
    for root in roots:
        files = (
            [str(root)]
            if root.is_file()
            else (
                os.path.join(d, f)
                for d, _dirs, names in os.walk(root)
                for f in names  # files come and go: no errors
            )
        )
        for path in files:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def cold_and_warm(
    runs: int, targets: tuple[Target, ...], measure: Callable[[Target], Any]
) -> list[tuple[list[Any], list[Any]]]:
    """Per target, ``runs`` pairs: a run right after evicting the target's files, then one with them cached.

    The targets take turns run by run, so a change in the machine's load hits both alike.
    """
    results: list[tuple[list[Any], list[Any]]] = [([], []) for _ in targets]
    for _ in range(runs):
        for target, (cold, warm) in zip(targets, results):
            evict(target.files)
            cold.append(measure(target))
            warm.append(measure(target))
    return results


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f} s"


def size_report(bundle: Path) -> None:
    internal = bundle / "_internal"
    total = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle size: {total / 2**20:.0f} MiB in {sum(1 for p in bundle.rglob('*') if p.is_file())} files")
    groups: dict[str, int] = {}
    for p in internal.rglob("*"):
        if not p.is_file() or p.is_symlink():
            continue
        top = p.relative_to(internal).parts[0]
        key = re.sub(r"[-.][0-9a-f]{8}\..*|\.so.*|\.libs$", "", top) if "/" not in top else top
        groups[key] = groups.get(key, 0) + p.stat().st_size
    for name, size in sorted(groups.items(), key=lambda kv: -kv[1])[:14]:
        print(f"  {size / 2**20:7.1f} MiB  {name}")


def start_xvfb() -> tuple[subprocess.Popen[bytes] | None, str | None]:
    if not (shutil.which("Xvfb") and shutil.which("xwininfo")):
        return None, None
    for number in range(90, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            display = f":{number}"
            proc = subprocess.Popen(
                ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline and not Path(f"/tmp/.X11-unix/X{number}").exists():
                time.sleep(0.05)
            return proc, display
    return None, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "annotator")
    args = parser.parse_args()
    exe = args.bundle / "annotator"
    if not exe.is_file():
        raise SystemExit(f"bundle.py: {exe} not found; run scripts/build_bundle first")

    source_files = (
        Path(sysconfig.get_paths()["purelib"]),
        Path(sysconfig.get_paths()["stdlib"]),
        Path(sysconfig.get_config_var("LIBDIR") or sys.prefix) / str(sysconfig.get_config_var("LDLIBRARY")),
        ROOT / "annotator",
    )
    targets = (
        Target("bundle", (str(exe),), (args.bundle,)),
        Target("source", (sys.executable, "-m", "annotator"), source_files),
    )
    size_report(args.bundle)
    print(f"\nmedian of {args.runs} runs, cold (the app's files dropped from the page cache) / warm;")
    print(f"clip {CLIP.name} (1.9 s of speech); {os.cpu_count()} cores")
    print(f"{'':30}{'bundle':>22}{'source':>22}")

    def row(label: str, cells: list[tuple[float | None, float | None]]) -> None:
        print(f"{label:30}" + "".join(f"{fmt(cold) + ' / ' + fmt(warm):>22}" for cold, warm in cells))

    version = cold_and_warm(args.runs, targets, time_version)
    row("--version", [(median(c), median(w)) for c, w in version])
    transcribe = cold_and_warm(args.runs, targets, time_transcribe)
    for i, label in enumerate(("transcribe: first chunk", "transcribe: exit")):
        row(label, [(median([v[i] for v in c]), median([v[i] for v in w])) for c, w in transcribe])

    xvfb, display = start_xvfb()
    if display is None:
        print("window: skipped (needs Xvfb and xwininfo)")
        return 0
    try:
        window = cold_and_warm(args.runs, targets, lambda t: time_window(t, display))
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    for i, label in enumerate(("window: visible", "window: first chunk")):
        row(label, [(median([v[i] for v in c]), median([v[i] for v in w])) for c, w in window])
    return 0


if __name__ == "__main__":
    sys.exit(main())
