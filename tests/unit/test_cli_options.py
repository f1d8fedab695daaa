"""Shared options (``--config``, ``--model``) mean the same before the command as after it,
and a command that has no use for one refuses it instead of ignoring it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import cli
from tests.helpers.faultserver import FaultServer, Reply, fault_server

__all__ = ["fault_server"]

DATA = Path(__file__).parent.parent / "data"
TRANSCRIPT = DATA / "backend-lead.txt"


def annotator(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
        cwd=cwd,
    )


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_config_reaches_analyze_either_side_of_the_command(
    fault_server: FaultServer, tmp_path: Path, before: bool
) -> None:
    transcript = tmp_path / "t.txt"
    transcript.write_text("I led the migration to Kubernetes.\n", encoding="utf-8")
    fault_server.set_default(Reply.ok())
    config = fault_server.write_config(tmp_path / "c.toml", ["local-only"])
    option = ["--config", str(config)]
    args = (
        [*option, "analyze", str(transcript), "--json"] if before else ["analyze", str(transcript), "--json", *option]
    )
    done = annotator(*args)
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["provider"] == "local-only"
    assert [r.provider for r in fault_server.requests if r.dialect] == ["local-only"]


def test_a_broken_config_given_before_the_command_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[analysis\n", encoding="utf-8")
    done = annotator("--config", str(broken), "analyze", str(TRANSCRIPT))
    assert done.returncode == 2
    assert str(broken) in done.stderr and "not valid TOML" in done.stderr
    assert done.stdout == ""


def test_model_given_before_transcribe_is_used() -> None:
    done = annotator("--model", "nonexistent", "transcribe", str(DATA / "jfk.flac"))
    assert done.returncode == 2
    assert "Unknown model 'nonexistent'" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["--model", "base.en", "devices"],
        ["--model", "base.en", "providers"],
        ["--model", "base.en", "export", "s", "--format", "md"],
        ["--model", "base.en", "review", "s"],
        ["--config", "c.toml", "devices"],
        ["--config", "c.toml", "export", "s", "--format", "md"],
    ],
)
def test_an_option_a_command_does_not_use_is_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    option, command = argv[0], argv[2]
    assert f"{option} has no effect on `{command}`" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["devices", "export"])
def test_commands_that_do_not_transcribe_do_not_offer_model(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert "--model" not in out and "--config" not in out


@pytest.mark.parametrize(
    "rest",
    [
        ["replay", "x.txt"],
        ["listen"],
        ["transcribe", "a.wav"],
        ["analyze", "x.txt"],
        ["providers"],
        ["review", "s"],
    ],
)
def test_shared_options_parse_the_same_before_and_after(rest: list[str]) -> None:
    parser = cli.build_parser()
    model = [] if rest[0] in ("providers", "review") else ["--model", "base.en"]
    shared = ["--config", "c.toml", *model]
    before = parser.parse_args([*shared, *rest])
    after = parser.parse_args([*rest, *shared])
    assert vars(before) == vars(after)
    assert before.config == "c.toml"
    assert before.model == ("base.en" if model else None)
