"""A private PulseAudio server with a null sink, for the live-path tests.

``pulse_server`` (session fixture) starts ``pulseaudio`` in a temporary
``XDG_RUNTIME_DIR`` with a null sink ``vsink`` (16 kHz mono) whose monitor
``vsink.monitor`` is the default source, points this process (and so
PortAudio's ALSA ``pulse`` device) at it, and stops it afterwards. It skips
with a reason when pulseaudio or paplay is not installed or does not start.
As root (CI containers) it passes ``--system=no`` explicitly; pulseaudio then
only warns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SINK = "vsink"
STARTUP_S = 15.0


@dataclass(frozen=True)
class PulseServer:
    """A running private server: its runtime dir and environment for clients."""

    runtime_dir: Path
    env: dict[str, str]
    sink: str = SINK

    @property
    def monitor(self) -> str:
        return f"{self.sink}.monitor"

    def play(self, path: Path, timeout: float = 60.0) -> None:
        """Play a file into the null sink with paplay, returning when it has played."""
        subprocess.run(["paplay", f"--device={self.sink}", str(path)], env=self.env, check=True, timeout=timeout)


def _wait_for_startup(proc: subprocess.Popen[str], timeout: float) -> tuple[str, threading.Thread]:
    """Read the server's log until it says it is up; ('' on success, else the log; the reader)."""
    lines: list[str] = []
    up = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "Daemon startup complete" in line:
                up.set()
        up.set()  # the process ended (failed)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    up.wait(timeout)
    if proc.poll() is None and any("Daemon startup complete" in ln for ln in lines):
        return "", reader
    return "".join(lines[-10:]) or "no output", reader


def _end(proc: subprocess.Popen[str], reader: threading.Thread) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    reader.join(5)
    if proc.stderr is not None:
        proc.stderr.close()


class PulseUnavailable(RuntimeError):
    """pulseaudio (or a client tool) is missing or did not start; the message says which."""


@contextlib.contextmanager
def private_pulse() -> Iterator[PulseServer]:
    """A private server for this process (tests and benchmarks/live.py); ``PulseUnavailable`` if there is none."""
    for tool in ("pulseaudio", "paplay", "pactl"):
        if shutil.which(tool) is None:
            raise PulseUnavailable(f"{tool} is not installed (apt-get install pulseaudio pulseaudio-utils)")
    runtime = Path(tempfile.mkdtemp(prefix="annotator-pulse-"))
    os.chmod(runtime, 0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime), "PULSE_SERVER": ""}
    env.pop("PULSE_SERVER")
    cmd = [
        "pulseaudio",
        "-n",
        "--daemonize=no",
        "--system=no",
        "--exit-idle-time=-1",
        "--disallow-exit",
        "--use-pid-file=no",
        "--log-target=stderr",
        "--log-level=info",
        "--load=module-native-protocol-unix",
        f"--load=module-null-sink sink_name={SINK} rate=16000 channels=1",
        "--load=module-always-sink",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    problem, reader = _wait_for_startup(proc, STARTUP_S)
    if problem:
        _end(proc, reader)
        shutil.rmtree(runtime, ignore_errors=True)
        raise PulseUnavailable(f"pulseaudio did not start: {problem.strip()}")
    subprocess.run(["pactl", "set-default-source", f"{SINK}.monitor"], env=env, check=True, timeout=10)
    saved = {k: os.environ.get(k) for k in ("XDG_RUNTIME_DIR", "PULSE_SOURCE")}
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    _restart_portaudio()
    try:
        yield PulseServer(runtime, env)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _end(proc, reader)
        _restart_portaudio()
        shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture(scope="session")
def pulse_server() -> Iterator[PulseServer]:
    try:
        server = private_pulse()
        running = server.__enter__()
    except PulseUnavailable as err:
        pytest.skip(str(err))
    try:
        yield running
    finally:
        server.__exit__(None, None, None)


def _restart_portaudio() -> None:
    """PortAudio lists devices once, when initialised: re-initialise it to see (or forget) the server."""
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
