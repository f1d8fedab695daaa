"""Session times as people read them: minutes and seconds, hours past the hour.

The one clock of the transcript, the flags, the timeline, the Markdown export,
the review prompt (``analysis.review.parse.parse_time`` reads it back) and the
terminal. Subtitle cue times (``00:01:15,400``) belong to their file format.
"""

from __future__ import annotations


def timestamp(seconds: float) -> str:
    """``75.4`` -> ``"01:15"``; an hour or more -> ``"1:02:03"``; before 0 -> ``"00:00"``."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
