"""The saved sessions: listing them, finding one by id, the unfinished ones, discarding one.

Everything here reads only a journal's first line and its tail, so listing a
directory of long sessions stays cheap.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from annotator.audio.suffixes import RECORDING_SUFFIXES
from annotator.errors import InputError, JournalError
from annotator.journal.files import SUFFIX, in_use, journal_files, or_sessions_dir
from annotator.journal.reader import first_record, is_closed, last_record


@dataclass(frozen=True)
class SessionInfo:
    """One saved session, as listed for File > Open (read cheaply: header and tail)."""

    id: str
    path: Path
    created: str
    closed: bool
    audio_path: Path | None
    size: int


def list_sessions(directory: Path | None = None) -> list[SessionInfo]:
    """Saved sessions, newest first; files that are not journals are left out."""
    sessions: list[SessionInfo] = []
    for path in journal_files(directory):
        try:
            header = first_record(path)
            if header is None:
                continue
            last = last_record(path)
            size = path.stat().st_size
        except OSError:
            continue
        audio = next((path.with_suffix(s) for s in RECORDING_SUFFIXES if path.with_suffix(s).is_file()), None)
        sessions.append(
            SessionInfo(
                id=path.stem,
                path=path,
                created=str(header.get("created", "")),
                closed=is_closed(last),
                audio_path=audio,
                size=size,
            )
        )
    return sessions


def find_unfinished(directory: Path | None = None) -> list[Path]:
    """Journals in ``directory`` (the sessions directory by default) that were
    never closed (no ``end`` record) and that no running annotator is writing;
    newest first. Files that are not journals are ignored."""
    found: list[Path] = []
    for path in journal_files(directory):
        try:
            if first_record(path) is None or in_use(path):
                continue
            last = last_record(path)
        except OSError:
            continue
        if not is_closed(last):
            found.append(path)
    return found


def resolve_session(ref: str, directory: Path | None = None) -> Path:
    """A session given as a path, or as an id (file stem) in the sessions
    directory; a unique prefix of an id is accepted."""
    as_path = Path(ref).expanduser()
    if as_path.is_file():
        return as_path
    directory = or_sessions_dir(directory)
    if os.sep not in ref and "/" not in ref:
        exact = directory / f"{ref}{SUFFIX}"
        if exact.is_file():
            return exact
        matches = [p for p in journal_files(directory) if p.stem.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(p.stem for p in matches[:5])
            raise InputError(f"session {ref!r} is ambiguous in {directory}: {names}")
    raise InputError(f"{ref}: no such file, and no session with that id in {directory}")


def discard_session(journal: Path, audio: Path) -> None:
    """Delete a session that holds nothing (no line was transcribed): its journal,
    its audio (``audio``) and any other source's audio (``<stem>.<source>.flac``)."""
    for path in (journal, audio, *audio.parent.glob(f"{glob.escape(audio.stem)}.*{audio.suffix}")):
        path.unlink(missing_ok=True)


def session_files(journal: Path) -> list[Path]:
    """A session's files: its journal, and its audio beside it (``<stem>.flac``, ``<stem>.<source>.flac``, ...)."""
    found = [journal]
    for suffix in RECORDING_SUFFIXES:
        found += [p for p in (journal.with_suffix(suffix),) if p.is_file()]
        found += sorted(journal.parent.glob(f"{glob.escape(journal.stem)}.*{suffix}"))
    return list(dict.fromkeys(found))


def trash_session(journal: Path) -> list[Path]:
    """Send a saved session (journal and audio) to the system trash; the files sent.
    ``JournalError`` when a running annotator is writing it, or when there is no trash
    to send it to (nothing is deleted outright)."""
    from send2trash import send2trash

    journal = Path(journal)
    if in_use(journal):
        raise JournalError(f"{journal}: is being written by a running annotator; stop that session before deleting it")
    files = session_files(journal)
    for path in files:
        try:
            send2trash(str(path))
        except OSError as err:
            raise JournalError(f"{path}: cannot be moved to the trash ({err}); nothing was deleted outright") from err
    return files
