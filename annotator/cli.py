"""The command line: ``annotator --help`` documents each command.

This module only builds the parser and is the one boundary where an
``AnnotatorError`` becomes one line on stderr and exit status 2. Each
command's work lives in ``annotator/commands/<name>.py`` as ``run(args)``,
imported only when that command runs, so ``annotator --version`` and the
window start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from annotator import __version__
from annotator.errors import AnnotatorError

EXIT_USAGE = 2


CONFIG_HELP = "TOML config file (default: the user's config directory)"
MODEL_HELP = (
    "faster-whisper model: a local model directory or a name such as base.en "
    "(default: [transcription] model, else the bundled offline tiny.en)"
)
SECOND_PASS_MODEL_HELP = (
    "faster-whisper model for the second pass: a local model directory or a name such as medium.en "
    "(default: [transcription] second_pass_model, small.en unless configured)"
)
SPEAKERS_HELP = (
    "the number of voices expected (speaker separation finds them as they come without it; with it, never more than N)"
)


def _count(text: str) -> int:
    """A whole number of at least 1 (``--speakers``)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("give at least 1")
    return n


# Which command reads which shared option. An option may be given before the
# command or after it, with the same meaning; given to a command that has no
# use for it, it is refused rather than silently ignored.
USES_CONFIG = frozenset({"window", "replay", "listen", "transcribe", "analyze", "providers", "review", "retranscribe"})
USES_MODEL = frozenset({"window", "replay", "listen", "transcribe", "analyze", "retranscribe"})
USES_VOCABULARY = USES_MODEL
USES_SPEAKERS = USES_MODEL - {"retranscribe"}  # a second pass keeps the live pass's speakers
VOCABULARY_HELP = (
    'words to listen for: "A, B, C" (names, companies, technologies) or @FILE with one term per line; '
    "added to [transcription] vocabulary"
)


def _add_shared(
    p: argparse.ArgumentParser,
    *,
    config: bool = True,
    model: bool = True,
    speakers: bool | None = None,
    model_help: str = MODEL_HELP,
) -> None:
    """The shared options on a command's parser. ``SUPPRESS`` as the default keeps an
    option given before the command: a subparser's own default would overwrite it."""
    if config:
        p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP)
    if model:
        p.add_argument("--model", metavar="NAME|PATH", default=argparse.SUPPRESS, help=model_help)
        p.add_argument("--vocabulary", metavar="TERMS|@FILE", default=argparse.SUPPRESS, help=VOCABULARY_HELP)
    if model if speakers is None else speakers:
        p.add_argument("--speakers", metavar="N", type=_count, default=argparse.SUPPRESS, help=SPEAKERS_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Live interview annotation: local transcription, contradiction and sentiment flags. "
        "Without a command, opens the window and records live.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    parser.add_argument(
        "--config", metavar="FILE", help=CONFIG_HELP + "; for the window and every command that reads it"
    )
    parser.add_argument(
        "--model",
        metavar="NAME|PATH",
        help=MODEL_HELP + "; for the window and every command that transcribes "
        "(retranscribe: default [transcription] second_pass_model)",
    )
    parser.add_argument(
        "--vocabulary", metavar="TERMS|@FILE", help=VOCABULARY_HELP + "; for every command that transcribes"
    )
    parser.add_argument(
        "--speakers",
        metavar="N",
        type=_count,
        help=SPEAKERS_HELP + "; for the window and every command that transcribes",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("replay", help="the window, replaying a session, transcript or audio file")
    _add_shared(p)
    p.add_argument("path", metavar="PATH", help="session journal (.jsonl), transcript (.txt/.srt/.vtt) or audio file")
    p.add_argument("--speed", default="1", help="1, 2, 4 or max (as fast as possible); default 1")

    p = sub.add_parser("listen", help="headless live session: capture -> transcript -> insights, journaled")
    _add_shared(p)
    p.add_argument(
        "--device",
        action="append",
        metavar="D",
        help="input device: an id from `annotator devices`; repeat for you and the other side",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--no-audio", action="store_true", help="do not save the captured audio beside the journal")

    p = sub.add_parser("transcribe", help="headless transcription of an audio file to stdout")
    _add_shared(p)
    p.add_argument(
        "audio", metavar="AUDIO", help="wav, flac, ogg, mp3 or aiff; from source also m4a and the rest FFmpeg reads"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--language", help="language code, e.g. en (default: the model's, or detected)")

    p = sub.add_parser("analyze", help="headless: transcript/audio/session -> insights")
    _add_shared(p)
    p.add_argument("path", metavar="PATH", help="transcript (.txt/.srt/.vtt), audio file or session journal")
    p.add_argument("--json", action="store_true", help="one JSON object per line, one line per request")
    p.add_argument("--yes", action="store_true", help="run a big analysis without asking about its estimated cost")

    p = sub.add_parser("providers", help="the analysis chain as configured")
    _add_shared(p, model=False)
    p.add_argument("--check", action="store_true", help="send one tiny request to each provider")

    sub.add_parser("devices", help="audio input devices")

    p = sub.add_parser("export", help="export a session to Markdown, JSON, SRT or VTT")
    p.add_argument("session", metavar="SESSION", help="session journal (.jsonl) or its id")
    p.add_argument("--format", required=True, choices=("md", "json", "srt", "vtt"))
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    p = sub.add_parser(
        "review",
        help="after the session: the whole transcript to a strong model, appended to the journal",
        description="Review a recorded session with the [post] provider chain: confirm or reject the live "
        "flags, find missed contradictions, the sentiment arc, a summary and follow-up questions. Shows the "
        "estimated tokens and cost first and asks (or pass --yes).",
    )
    _add_shared(p, model=False)
    p.add_argument("session", metavar="SESSION", help="session journal (.jsonl) or its id")
    p.add_argument("--json", action="store_true", help="print the review as one JSON object line")
    p.add_argument("--yes", action="store_true", help="run without asking about the estimated cost")

    p = sub.add_parser(
        "sessions",
        help="the library: list every saved session, or search them all",
        description="Every saved session, newest first: date, duration, title, speakers, flags, review, cost, "
        "and whether it closed cleanly. With --search, the lines (transcript, flags, notes, review, titles) that "
        "hold every word of QUERY, with session and time. The index (library.sqlite3 in the data directory) is "
        "derived from the journals and brought up to date first.",
    )
    p.add_argument("--search", metavar="QUERY", help="words to find in every session")
    p.add_argument("--json", action="store_true", help="one JSON object per line")

    p = sub.add_parser(
        "retranscribe",
        help="a second, stronger pass over a session's saved audio, kept as a new revision of its transcript",
        description="Transcribe a recorded session's saved audio again with a stronger model ([transcription] "
        "second_pass_model, default small.en, or --model), with the session's vocabulary and a wider beam. "
        "The new text is appended to the journal as a revision (the live text is kept there); exports, the "
        "review and the window use it from then on.",
    )
    _add_shared(p, speakers=False, model_help=SECOND_PASS_MODEL_HELP)
    p.add_argument("session", metavar="SESSION", help="session journal (.jsonl) or its id")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    name = args.command or "window"
    for option, users in (
        ("config", USES_CONFIG),
        ("model", USES_MODEL),
        ("vocabulary", USES_VOCABULARY),
        ("speakers", USES_SPEAKERS),
    ):
        if getattr(args, option) is not None and name not in users:
            parser.error(f"--{option} has no effect on `{name}`; leave it out")
    try:
        module = importlib.import_module(f"annotator.commands.{name}")
        return int(module.run(args) or 0)
    except AnnotatorError as err:
        print(f"annotator: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
