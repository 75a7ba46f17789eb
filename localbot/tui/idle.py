"""The kiosk's idle clock: when the last shopper touched the screen and when to start over.

Plain Python with an injectable clock, so the countdown and the reset are tested without waiting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

Clock = Callable[[], float]
COUNTDOWN_SECONDS = 10


class IdleTimer:
    """Counts seconds since the last activity against a timeout."""

    def __init__(self, timeout: float, clock: Clock = time.monotonic) -> None:
        self.timeout = timeout
        self.clock = clock
        self._last = clock()

    def touch(self) -> None:
        """Note activity now (a key, a click, a scroll, an answer arriving)."""
        self._last = self.clock()

    def remaining(self) -> float:
        """Seconds left before the timeout (never negative)."""
        return max(0.0, self.timeout - (self.clock() - self._last))

    def expired(self) -> bool:
        """Whether the timeout has passed since the last activity."""
        return self.remaining() <= 0

    def countdown(self) -> int | None:
        """Whole seconds to show in the last :data:`COUNTDOWN_SECONDS`, else None."""
        left = self.remaining()
        if left <= 0 or left > COUNTDOWN_SECONDS:
            return None
        return math.ceil(left)
