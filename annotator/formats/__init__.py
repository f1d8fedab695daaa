"""The files a session is read from and exported to, one module per format.

- ``txt``: plain transcripts, read (one chunk per line, ``Speaker:`` prefixes, ``[mm:ss]`` times).
- ``srt``, ``vtt``: subtitles, read and written (``cues`` holds what they share).
- ``markdown``: the session for people, written (``contradictions`` places the
  flags in its transcript, ``summary`` totals providers, tokens and cost).
- ``json``: the whole session for programs, written and read back.
- ``textfile``: reading a user's text file with one clear sentence per problem.
- ``readers``: which module reads a file, by its suffix; ``writers``: which writes an export, by its name.

Nothing here imports Qt or writes to the disk: a writer returns the text, its caller saves it.
"""
