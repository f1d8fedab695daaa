import subprocess
import sys

from annotator import __version__


def test_version_prints_and_exits_zero() -> None:
    out = subprocess.run([sys.executable, "-m", "annotator", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"annotator {__version__}"


def test_help_lists_every_command() -> None:
    out = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True, check=True)
    for command in ("replay", "listen", "transcribe", "analyze", "providers", "devices", "export"):
        assert command in out.stdout
