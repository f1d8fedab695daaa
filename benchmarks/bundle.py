"""Benchmark the frozen bundle against the same app from source: size and cold start.

    python benchmarks/bundle.py [--runs 5] [--bundle dist/annotator]

Prints, for the bundle (``dist/annotator/annotator``) and for the source
(``python -m annotator`` in this interpreter), each the first run and the
median of ``--runs`` runs:

1. ``--version``: process start to exit (the interpreter, the CLI, nothing else);
2. ``transcribe CLIP --json``: process start to the first transcribed chunk on
   stdout (Python, numpy, CTranslate2, the model, PyAV, the Silero VAD), and to exit;
3. the window (``replay CLIP --speed 4`` on the xcb platform under Xvfb):
   process start to the window being mapped and viewable (polled with
   ``xwininfo``), and to the first transcribed chunk shown (the app quits there
   when ``ANNOTATOR_QUIT_AFTER_FIRST_CHUNK=1``; "n/a" when this build has no
   such switch).

And the bundle's size on disk with its largest parts. "First run" is the first
start after the build with whatever the page cache holds; the machine is not
asked to drop its caches (that would hit everyone on it). Every run gets fresh
config/data/log directories and no provider keys, so nothing leaves the machine.
Needs Xvfb and xwininfo for part 3 (scripts/setup installs xvfb; xwininfo is in
x11-utils); without them part 3 is skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "tests" / "data" / "ljspeech" / "LJ001-0002.wav"
WINDOW_TIMEOUT_S = 60.0
POLL_S = 0.01


@dataclass(frozen=True)
class Target:
    """One way to start the app: the frozen bundle or the source tree."""

    name: str
    argv: tuple[str, ...]


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


def time_window(target: Target, display: str, wait_for_chunk: bool) -> tuple[float | None, float | None]:
    """(to a viewable window, to the first chunk shown) in seconds; None where not reached.

    Without ``wait_for_chunk`` the app is stopped as soon as its window is visible.
    """
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(Path(home), display)
        env["ANNOTATOR_QUIT_AFTER_FIRST_CHUNK"] = "1"
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*target.argv, "replay", str(CLIP), "--speed", "4"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        to_window: float | None = None
        try:
            while proc.poll() is None and time.perf_counter() - start < WINDOW_TIMEOUT_S:
                if to_window is None and _viewable_window(display):
                    to_window = time.perf_counter() - start
                    if not wait_for_chunk:
                        break
                time.sleep(POLL_S)
            to_exit = time.perf_counter() - start
            log = Path(home) / "log" / "annotator.log"
            shown = log.exists() and "first chunk shown" in log.read_text(encoding="utf-8", errors="replace")
            return to_window, (to_exit if proc.returncode == 0 and shown else None)
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def first_and_median(runs: int, measure: Callable[[], float | None]) -> tuple[float | None, float | None]:
    values = [measure() for _ in range(runs)]
    rest = [v for v in values[1:] or values if v is not None]
    return values[0], (statistics.median(rest) if rest else None)


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
            proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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

    targets = (Target("bundle", (str(exe),)), Target("source", (sys.executable, "-m", "annotator")))
    size_report(args.bundle)
    print(f"\nruns: first, then median of the other {args.runs - 1}  (clip: {CLIP.name}, {os.cpu_count()} cores)")
    print(f"{'':34}{'bundle':>22}{'source':>22}")

    def row(label: str, results: list[tuple[float | None, float | None]]) -> None:
        cells = "".join(f"{fmt(first) + ' / ' + fmt(med):>22}" for first, med in results)
        print(f"{label:34}{cells}")

    row("--version", [first_and_median(args.runs, lambda t=t: time_version(t)) for t in targets])
    transcribe = {t.name: [time_transcribe(t) for _ in range(args.runs)] for t in targets}
    for i, label in enumerate(("transcribe: first chunk", "transcribe: exit")):
        results = []
        for t in targets:
            values = [v[i] for v in transcribe[t.name]]
            results.append((values[0], statistics.median(values[1:] or values)))
        row(label, results)

    xvfb, display = start_xvfb()
    if display is None:
        print("window: skipped (needs Xvfb and xwininfo)")
        return 0
    try:
        window: dict[str, list[tuple[float | None, float | None]]] = {}
        for t in targets:
            runs = [time_window(t, display, wait_for_chunk=True)]
            # a build without ANNOTATOR_QUIT_AFTER_FIRST_CHUNK never quits: measure only the window then
            wait = runs[0][1] is not None
            runs += [time_window(t, display, wait_for_chunk=wait) for _ in range(args.runs - 1)]
            window[t.name] = runs
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    for i, label in enumerate(("window: visible", "window: first chunk shown")):
        results = []
        for t in targets:
            values = [v[i] for v in window[t.name]]
            rest = [v for v in values[1:] or values if v is not None]
            results.append((values[0], statistics.median(rest) if rest else None))
        row(label, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
