"""The session service's parts that need no Qt, above the analysis, journal and formats layers.

Modules (import them directly; this package imports nothing):

- ``service``: ``Sessions``, one session at a time, live or replayed (the
  window's backend and ``annotator listen``'s); it builds each session's
  journal, analyser, inputs and pipeline, and closes them.
- ``live``: live audio as a source (which input is "You" or "Them",
  ``LiveInput``: capture, segmenting, transcription into the pipeline).
- ``stored``: saved sessions and audio files as a source (shown at once,
  replayed, marked afterwards, exported).
- ``pipeline``: chunks to the sinks and, batched, to the analyser (rate-limit
  holds, backlog, what no provider answered).
- ``sinks``: the ``Sink`` protocol, ``IgnoringSink`` (the no-ops a sink overrides),
  the fan-out, the journal's and the library's sinks.
- ``events``: what a session tells its sinks besides lines, analyses, marks and
  errors, one frozen dataclass per kind (``Recording``, ``Stopped``, ...).
- ``model``: the transcription model, loaded once in a thread.
- ``review``: reviewing a journaled session and adding the review to its
  journal (``review_session``), and the estimate as a person reads it
  (``format_estimate``), for the window and ``annotator review`` alike.
"""
