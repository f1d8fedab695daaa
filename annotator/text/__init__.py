"""How values are written for a person to read, the same everywhere: the
window, the Markdown export, the review prompt and the terminal.

- ``clock``: session times (``01:15``, ``1:02:03``).
- ``money``: estimated costs in dollars (``$0.0028``).
- ``quotes``: which transcript line a provider's quote came from (the window's,
  the exports' and the review's one rule).

Standard library only, like ``models`` and ``errors``, so every layer may
import it.
"""
