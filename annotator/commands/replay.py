"""``annotator replay PATH [--speed 1|2|4|max]``: the window, replaying a session, transcript or audio file."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from annotator.errors import InputError

SPEEDS = {"1": 1.0, "2": 2.0, "4": 4.0, "max": 0.0}


def parse_speed(value: str) -> float:
    """``"2"`` -> 2.0; ``"max"`` -> 0.0 (as fast as possible); anything else is refused."""
    text = value.strip().lower()
    if text not in SPEEDS:
        text = text.rstrip("x×")  # "2x" is 2
    if text in SPEEDS:
        return SPEEDS[text]
    try:
        speed = float(text)
    except ValueError:
        speed = math.nan
    if not math.isfinite(speed) or speed <= 0:
        raise InputError(f"--speed {value!r}: use 1, 2, 4 or max")
    return speed


def run(args: argparse.Namespace) -> int:
    from annotator.formats.readers import kind_of

    path = Path(args.path)
    kind_of(path)  # an unknown file type is refused before the window opens
    if not path.exists():
        raise InputError(f"{path}: no such file")
    speed = parse_speed(args.speed)
    from annotator.app import run_window
    from annotator.commands.options import cli_vocabulary

    return run_window(
        args.config,
        args.model,
        replay=str(path),
        speed=speed,
        vocabulary=cli_vocabulary(args),
        speakers=args.speakers,
    )
