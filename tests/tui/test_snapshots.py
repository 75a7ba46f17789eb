"""How the main screens look, in both modes (pytest-textual-snapshot; only fixed content).

Streamed model text changes with the model and the machine, so no snapshot shows it: answers
are the fixed "nothing found" reply, or a scripted model's fixed text around which retrieval,
the fact checker and the cards are real. Measured timings are cleared.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent
from tui_helpers import (
    ANSWER,
    NO_MATCH,
    QUESTION,
    FakeClock,
    ScriptedModel,
    load_simulator,
    settle,
)

from localbot.assistant import Assistant
from localbot.modelfiles import ModelFileError
from localbot.store import TurnRecord
from localbot.tui.app import make_app
from localbot.tui.widgets.status import StatusBar

pytestmark = pytest.mark.real
STAFF_SIZE = (110, 34)
KIOSK_SIZE = (100, 36)
ANSWER_SIZE = (110, 44)
BOOTS = "waterproof hiking boots under $150"
# Names two of the boots found; one price is wrong, so its card shows the correction.
BOOTS_ANSWER = (
    "The **Basecamp Basics Trail Hiker WP Boot - Men's** (FTW-0019) is waterproof and costs "
    "$79.99. For children, the **Trailcraft Junior Trekker WP Kids' Hiking Boot** (FTW-0007) "
    "is $59.95."
)
INSIGHTS_SIZE = (120, 40)
HISTORY_END = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # a fixed history draws the same charts


async def ready(pilot: Pilot[Any]) -> None:
    """Loaded, with nothing focused: a focused box draws a blinking cursor, and which phase of
    the blink a screenshot catches depends on timing (a pending toggle can even run after the
    blink is switched off)."""
    await settle(pilot)
    pilot.app.set_focus(None)
    await pilot.pause()


def test_staff_chat_ready(snap_compare, build_app) -> None:
    """Staff mode after loading: history sidebar, welcome panel, status bar with the model."""
    assert snap_compare(build_app("staff"), terminal_size=STAFF_SIZE, run_before=ready)


def test_staff_keys_screen(snap_compare, build_app) -> None:
    """F1 lists the staff keys."""
    assert snap_compare(
        build_app("staff"), terminal_size=STAFF_SIZE, run_before=ready, press=["f1"]
    )


def test_staff_answer_with_product_cards(snap_compare, assistant, build_app) -> None:
    """An answer with its product cards (why each matched, a corrected price), sidebar hidden
    (it shows today's date)."""

    async def answered(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("f4")
        await pilot.click("#question")
        await pilot.press(*BOOTS, "enter")
        await settle(pilot)
        pilot.app.screen.query_one(StatusBar).clear_reply()  # measured times differ per run
        pilot.app.set_focus(None)

    app = build_app("staff")
    scripted = ScriptedModel(assistant.chat_model, BOOTS_ANSWER)
    app._open_assistant = lambda: Assistant(
        app.settings, db=assistant.db, embedder=assistant.embedder, chat_model=scripted
    )
    assert snap_compare(app, terminal_size=ANSWER_SIZE, run_before=answered)


def test_kiosk_keys_screen(snap_compare, build_app) -> None:
    """F1 (or the Help button) lists the kiosk's keys and says when the screen clears."""
    assert snap_compare(
        build_app("kiosk"), terminal_size=KIOSK_SIZE, run_before=ready, press=["f1"]
    )


def test_kiosk_chat_ready(snap_compare, build_app) -> None:
    """Kiosk mode: no sidebar, roomy layout, big touch buttons."""
    assert snap_compare(build_app("kiosk"), terminal_size=KIOSK_SIZE, run_before=ready)


def test_kiosk_pin_pad(snap_compare, build_app) -> None:
    """Ctrl+Q in kiosk mode asks for the staff PIN with a touch keypad."""
    assert snap_compare(
        build_app("kiosk"), terminal_size=KIOSK_SIZE, run_before=ready, press=["ctrl+q"]
    )


def test_kiosk_countdown_after_an_answer(snap_compare, build_app, clock: FakeClock) -> None:
    """The banner in the last seconds before the kiosk starts over."""

    async def answered_then_idle(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.click("#question")
        await pilot.press(*NO_MATCH, "enter")
        await settle(pilot)
        pilot.app.screen.query_one(StatusBar).clear_reply()  # measured times differ per run
        clock.advance(pilot.app.settings.kiosk_idle_seconds - 7)
        await pilot.app.screen.idle_tick()
        pilot.app.set_focus(None)  # the clicked box's cursor state varies from run to run

    app = build_app("kiosk")
    assert snap_compare(app, terminal_size=KIOSK_SIZE, run_before=answered_then_idle)


def test_missing_model_screen(snap_compare, settings) -> None:
    """A missing model: what happened, and the commands that fix it."""

    def missing() -> Any:
        raise ModelFileError(
            "model 'smollm2-135m-instruct' not found in models/ (available: none); run 'make setup'"
        )

    app = make_app(settings, "staff", open_assistant=missing)
    assert snap_compare(app, terminal_size=STAFF_SIZE, run_before=ready)


def test_staff_customer_panel(snap_compare, build_customers_app) -> None:
    """F5, a loyalty number, a pick: the profile on the right and the bar above the chat."""

    async def picked(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("f5", *"RL 401193")
        await settle(pilot)
        await pilot.click("#customer-results", offset=(2, 0))
        await settle(pilot)
        pilot.app.set_focus(None)

    app = build_customers_app("staff")
    assert snap_compare(app, terminal_size=STAFF_SIZE, run_before=picked)


def insights_on(tab: str) -> Any:
    """Open the Insights screen (F6) on ``tab`` once the report is read."""

    async def opened(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("f6")
        await settle(pilot)
        pilot.app.screen.query_one(TabbedContent).active = tab
        await pilot.pause()
        pilot.app.set_focus(None)

    return opened


def test_insights_overview(snap_compare, assistant, build_app) -> None:
    """The numbers and the charts over a seeded simulated history."""
    load_simulator().simulate(assistant.db, turns=300, weeks=4, seed=11, end=HISTORY_END)
    app = build_app("staff", retention_days=36500)  # keep the fixed history at start-up
    assert snap_compare(app, terminal_size=INSIGHTS_SIZE, run_before=insights_on("tab-overview"))


def test_insights_review_list(snap_compare, assistant, build_app) -> None:
    """Answers for staff to approve or retire, the highlighted one in full."""
    session = assistant.new_session()
    record = TurnRecord(session, QUESTION, "", ANSWER, "complete", "m", [], ["TEN-0001"], [], {})
    assistant.store.record_turn(record)
    assistant.db.execute("UPDATE turns SET created_at = '2026-11-01T20:00:00+00:00'")
    app = build_app("staff", retention_days=36500)  # a fixed date: kept whatever today is
    assert snap_compare(app, terminal_size=INSIGHTS_SIZE, run_before=insights_on("tab-review"))
