"""Reading a whole input file (a journal, a transcript) with one readable
sentence for each way it can fail: missing, a directory, unreadable, too
large, empty. Stdlib only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from annotator.errors import InputError


@contextlib.contextmanager
def readable(path: Path, what: str) -> Iterator[None]:
    """Turn an ``OSError`` from reading ``path`` inside the block into ``InputError``
    with one sentence naming it: missing, a directory (not ``what``), not readable."""
    try:
        yield
    except IsADirectoryError as err:
        raise InputError(f"{path}: is a directory, not {what}") from err
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except PermissionError as err:
        raise InputError(f"{path}: not readable (permission denied)") from err
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from err


def read_input_bytes(path: Path, *, what: str, max_bytes: int) -> bytes:
    """A whole input file (journal, transcript), or ``InputError`` with one
    sentence naming it: missing, a directory, unreadable, too large, empty."""
    with readable(path, what):
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: too large for {what} ({size // (1024 * 1024)} MB)")
        raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{path}: is empty")
    return raw
