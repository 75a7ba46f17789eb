"""Helpers shared by the terminal-UI tests: constants, a fake clock, waiting for workers."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

PIN = "2468"
NO_MATCH = "xyzzy plugh frobnicate"  # nothing in the catalogue: answered without the model
SHORT_ANSWER_TOKENS = 24


class FakeClock:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for every worker to finish and for the messages they posted to be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # handlers may have started more (history)
    await pilot.pause()
