"""What a file name says about audio. Two different questions, two names:

- ``KNOWN_AUDIO_SUFFIXES``: extensions taken for an audio file to transcribe
  without looking inside (replay, analyze). Not a limit: the decoder reads
  more, and a file with another extension that is not text is tried as audio.
- ``RECORDING_SUFFIXES``: what a session's own recorded audio beside its
  journal may be called (``<session>.flac``, or ``.wav``), in the order they
  are looked for.

Standard library only: the journal uses it without importing audio code.
"""

from __future__ import annotations

KNOWN_AUDIO_SUFFIXES = frozenset(
    {".wav", ".flac", ".mp3", ".m4a", ".mp4", ".aac", ".ogg", ".oga", ".opus", ".webm", ".mkv", ".wma", ".aif", ".aiff"}
)

RECORDING_SUFFIXES = (".flac", ".wav")
