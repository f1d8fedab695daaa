"""The four limits on one streaming attempt, each capped by the chain's deadline.

- connect (``connect_timeout_s``): until the request is sent;
- first token (``first_token_timeout_s``): request sent -> first streamed line;
- stall (``stall_timeout_s``): silence between lines;
- total (``timeout_s``): the whole attempt.

One limit is armed at a time; the client re-arms as the attempt moves on and
waits until ``expires_at()``; ``expired()`` is the failure to record then::

    watch = Watch(config, deadline, time.monotonic)
    watch.arm("stall", config.stall_timeout_s)      # on every streamed line
"""

from __future__ import annotations

import asyncio
from typing import Any

from annotator.analysis.providers.failure import Fail
from annotator.analysis.providers.interface import Clock
from annotator.config.schema import ProviderConfig
from annotator.models import Outcome


class Watch:
    """The per-attempt limits: which one is armed, and when it runs out."""

    def __init__(self, config: ProviderConfig, deadline: float, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        start = clock()
        own_end = start + config.timeout_s
        self.end = min(own_end, deadline)
        self.end_is_deadline = deadline < own_end
        self.phase = "connect"
        self.limit = start + config.connect_timeout_s
        self.sooner = asyncio.Event()  # set when a limit moved earlier than the one being waited for

    def arm(self, phase: str, seconds: float) -> None:
        limit = self._clock() + seconds
        if limit < self.limit:
            self.sooner.set()
        self.phase = phase
        self.limit = limit

    def expires_at(self) -> float:
        return min(self.limit, self.end)

    async def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore trace hook: the request is sent once response headers are awaited."""
        if event.endswith("receive_response_headers.started") and self.phase == "connect":
            self.arm("first_token", self._config.first_token_timeout_s)

    def expired(self) -> Fail:
        c = self._config
        if self.end <= self.limit:
            if self.end_is_deadline:
                return Fail(Outcome.DEADLINE, "the chain's deadline ran out during this attempt")
            return Fail(Outcome.TIMEOUT, f"no complete reply within timeout_s = {c.timeout_s:g} s")
        if self.phase == "connect":
            return Fail(Outcome.TIMEOUT, f"no connection within connect_timeout_s = {c.connect_timeout_s:g} s")
        if self.phase == "first_token":
            return Fail(Outcome.TIMEOUT, f"no first token within first_token_timeout_s = {c.first_token_timeout_s:g} s")
        return Fail(Outcome.STALLED, f"stream silent for more than stall_timeout_s = {c.stall_timeout_s:g} s")
