"""The post-session review: the whole transcript, once, to a strong model.

Live analysis sees one chunk and the previous insight; after the session the
review sends the whole transcript with the live flags (the contradictions the
live pass raised) through the ``[post]`` chain (``config.post_providers``) and
asks for one structured JSON object::

    {"confirmed": [{"flag": 1, "statement": "...", "statement_at": "12:05",
                    "earlier": "...", "earlier_at": "02:10", "reason": "..."}],
     "rejected":  [{"flag": 2, ...same keys..., "reason": "why it is not a contradiction"}],
     "missed":    [{"statement": ..., "statement_at": ..., "earlier": ..., "earlier_at": ...,
                    "explanation": "..."}],
     "sentiment_arc": {"summary": "...", "turning_points": [{"at": "07:30", "label": "negative",
                                                              "score": -0.5, "why": "..."}]},
     "claims": ["[03:10] Candidate: led the team for three years", ...],
     "summary": "...",
     "follow_up_questions": ["..."]}

Modules, by concept (import them directly; this package imports nothing):

- ``flags``: ``live_flags(record)``, the contradictions the live pass raised,
  numbered as the review sees them (no httpx: the exports use it);
- ``plan``: the instructions, the transcript split into overlapping parts
  that fit ``PostConfig.max_request_tokens`` (``plan_review``), the providers
  usable for it and the cost estimate before anything is sent
  (``estimate_review``);
- ``parse``: the strict reading of one part's reply (``parse_review``); a
  reply that is not exactly that fails over to the next provider, like an
  invalid live insight;
- ``merge``: one result from the parts' answers and the live flags
  (``merge_parts``);
- ``run``: the review through the ``[post]`` chain, part after part, with
  progress (``review_record``).

The values (``Review``, ``ReviewResult``, ``ReviewEstimate``, ``LiveFlag``, ...)
live in ``analysis.review_model``, stdlib only, so the journal can hold a review
without importing the runner and httpx. Reviewing a journaled session (and
adding the review to its journal) is ``sessions.review``.
"""
