"""Helpers shared by the terminal-UI tests: constants, a fake clock, a scripted chat model,
waiting for workers."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

PIN = "2468"
NO_MATCH = "xyzzy plugh frobnicate"  # nothing in the catalogue: answered without the model
SHORT_ANSWER_TOKENS = 24
ROOT = Path(__file__).resolve().parents[2]
# A logged answer for staff to review, and a rewording that an approved one is served to.
QUESTION = "what's the lightest 2 person tent you have?"
REWORDED = "What is the lightest two person tent you have?"
ANSWER = "The Northpeak Ridgeback 2 Ultralight Tent (TEN-0001) is our lightest tent for two."


class FakeClock:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ScriptedModel:
    """A chat model that always writes ``answer``, for snapshots that show an answer.

    The real model's text changes with the model and the machine; everything around it (the
    retrieval, the fact checker, the cards) stays real. Tokens are counted by the real model
    (prompts must fit as usual), whose cache is never touched.
    """

    loaded = True

    def __init__(self, real: Any, answer: str) -> None:
        self.real = real
        self.answer = answer
        self.name = real.name

    def load(self) -> None:
        """Nothing to load."""

    def warm(self, messages: Sequence[Any]) -> int:
        return 0

    def count_tokens(self, messages: Sequence[Any]) -> int:
        return int(self.real.count_tokens(messages))

    def stream(self, messages: Sequence[Any], *args: Any, **kwargs: Any) -> Iterator[str]:
        yield from re.findall(r"\S+\s*", self.answer)  # word by word, as if streamed


class Opener:
    """An ``open_assistant`` for tests of loading: raises ``errors`` first, one per call, then
    waits for ``gate`` (set it to let a load in progress finish) and opens with ``open``."""

    def __init__(
        self, open: Callable[[], Any], errors: Sequence[Exception] = (), gated: bool = False
    ) -> None:
        self.open = open
        self.errors = list(errors)
        self.calls = 0
        self.gate = threading.Event()
        if not gated:
            self.gate.set()

    def __call__(self) -> Any:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.gate.wait(timeout=120)  # bounded: a test that forgets the gate still ends
        return self.open()


async def until(
    app: Any, attribute: str, wanted: Callable[[Any], bool], timeout: float = 120
) -> None:
    """Wait (on the app's own change notices, never polling) until ``wanted(app.attribute)``."""
    reached = asyncio.Event()
    app.watch(app, attribute, lambda value: reached.set() if wanted(value) else None)
    await asyncio.wait_for(reached.wait(), timeout)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for every worker to finish and for the messages they posted to be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # handlers may have started more (history)
    await pilot.pause()


def load_simulator() -> Any:
    """scripts/simulate_history.py (scripts/ is not a package), for a seeded history."""
    spec = importlib.util.spec_from_file_location(
        "simulate_history", ROOT / "scripts/simulate_history.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("simulate_history", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
