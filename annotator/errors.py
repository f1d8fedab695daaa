"""The errors a user may see, as one small tree.

Each carries a sentence a person can read (``str(err)``), naming the file,
line, setting, device or provider at fault. Foreign exceptions are translated
into these once, where they happen (``raise ... from``); one boundary shows
them: ``cli.main`` prints one line and exits 2, the window shows them in its
message area.

    AnnotatorError
     +-- ConfigError        a broken or invalid config file or setting
     +-- InputError         a file we were asked to read is missing or malformed
     +-- AudioError         no input device, a device gone or refusing a rate
     +-- ModelError         the transcription model could not be loaded
     +-- ProviderError      an analysis provider failed (used inside the chain)
     +-- JournalError       a session journal cannot be written or read
     +-- LibraryError       the session library's index cannot be used (held, disk full)
"""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base of every error meant for the user. ``str()`` is the sentence."""


class ConfigError(AnnotatorError):
    pass


class InputError(AnnotatorError):
    pass


class AudioError(AnnotatorError):
    pass


class ModelError(AnnotatorError):
    pass


class DownloadCancelled(ModelError):
    """The user cancelled a model download (not a failure: nothing to report but that)."""


class ProviderError(AnnotatorError):
    pass


class JournalError(AnnotatorError):
    pass


class LibraryError(AnnotatorError):
    """The library's index (a derived SQLite file) cannot be read or written now; the journals are untouched."""
