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


def test_retranscribe_help_names_the_second_pass_model_as_its_default() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "retranscribe", "--help"], capture_output=True, text=True, check=True
    )
    model_help = " ".join(
        out.stdout.split("options:", 1)[1].split("--model NAME|PATH", 1)[1].split("--vocabulary", 1)[0].split()
    )
    assert "second_pass_model" in model_help and "small.en" in model_help
    assert "tiny.en" not in model_help
    listen = subprocess.run(
        [sys.executable, "-m", "annotator", "listen", "--help"], capture_output=True, text=True, check=True
    )
    assert "tiny.en" in listen.stdout  # the live model's default is unchanged
