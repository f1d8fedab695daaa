"""The session service's parts that need no Qt, above the analysis, journal and formats layers.

Modules (import them directly; this package imports nothing):

- ``review``: reviewing a journaled session and adding the review to its
  journal (``review_session``), and the estimate as a person reads it
  (``format_estimate``), for the window and ``annotator review`` alike.
"""
