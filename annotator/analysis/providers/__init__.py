"""Analysis providers: one interface, and HTTP streaming in two wire dialects.

Nothing is imported here: each concept is named by its module.

- ``interface``: ``Request``, ``Result``, the ``Provider`` protocol every
  provider and the failover chain share (``analysis.chain``), ``ProviderState``.
- ``client``: ``HttpProvider``, one configured provider called over a shared
  ``httpx.AsyncClient`` with a streamed reply; the session rules
  (misconfigured, Retry-After) and key scrubbing.
- ``watch``: the four limits on one attempt (connect, first token, stall,
  total), each capped by the chain's deadline.
- ``failure``: how an attempt fails (``Fail``), HTTP status classification,
  error bodies, ``Retry-After``.
- ``sse``: server-sent event framing, and telling a stream from a web page.
- ``dialect``: the ``Dialect`` protocol and the ``Event`` one stream event
  reads as; ``openai`` (chat completions) and ``anthropic`` (messages) are
  the two dialects.
"""
