"""Options several commands share that change the settings for one run (``--vocabulary``)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from annotator.config.schema import Config
from annotator.config.validation import validate_transcription
from annotator.errors import InputError
from annotator.transcription.vocabulary import merge_vocabulary, parse_vocabulary


def with_vocabulary(config: Config, value: str | None) -> Config:
    """``config`` with ``--vocabulary`` ("A, B" or @FILE) added to ``[transcription] vocabulary``."""
    if not value:
        return config
    t = config.transcription
    merged = replace(t, vocabulary=merge_vocabulary(t.vocabulary, parse_vocabulary(value)))
    for _name, reason in validate_transcription(replace(merged, language=None)):
        raise InputError(f"--vocabulary {reason}")
    return replace(config, transcription=merged)


def cli_vocabulary(args: argparse.Namespace) -> tuple[str, ...]:
    """``--vocabulary`` as terms (for the window's field); () when not given."""
    value = getattr(args, "vocabulary", None)
    return parse_vocabulary(value) if value else ()
