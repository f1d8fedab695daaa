"""``annotator`` with no command: the window, recording live."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from annotator.app import run_window
    from annotator.commands.options import cli_vocabulary

    return run_window(args.config, args.model, vocabulary=cli_vocabulary(args), speakers=args.speakers)
