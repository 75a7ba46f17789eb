"""Staff mode's customer panel on the real model and a copy of the demo database with customers.

Staff find a customer by loyalty number, see the profile, and the chat runs for that customer;
kiosk mode has no panel and never reads a customer table.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from customer_helpers import CONSENTING
from textual.widgets import Static
from tui_helpers import NO_MATCH, PIN, settle

from localbot.assistant import AssistantError
from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.insights import InsightsScreen
from localbot.tui.widgets.conversation import AnswerView
from localbot.tui.widgets.customers import CustomerBar, CustomerPanel

pytestmark = [pytest.mark.anyio, pytest.mark.real]
HARNESS = "I need a harness for the climbing gym"
CUSTOMER_TABLES = re.compile(r"\bcustomers\b|customer_purchases|customer_events", re.IGNORECASE)


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def find_and_pick(pilot: Any, search: str) -> None:
    """F5, type into the search box, pick the first result."""
    await pilot.press("f5")
    await pilot.press(*search)
    await settle(pilot)
    await pilot.click("#customer-results", offset=(2, 0))
    await settle(pilot)


async def test_a_customer_found_by_loyalty_number_gets_personalised_replies(
    customers_assistant, build_customers_app
) -> None:
    app = build_customers_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(CustomerPanel).display  # until F5
        assert not app.screen.query_one(CustomerBar).display
        await find_and_pick(pilot, "RL 401193")
        profile = text_of(app, "#customer-profile")
        assert "Kara Haddad" in profile and "RL-401193" in profile
        assert "Consent: yes" in profile and "Recent purchases" in profile
        assert "Suggestions" in profile and "@" not in profile  # never an email address
        assert app.screen.customer.id == CONSENTING
        banner = text_of(app, "#customer-label")
        assert "Serving Kara Haddad" in banner and "replies personalised" in banner

        await pilot.press(*HARNESS, "enter")
        await settle(pilot)
        note = app.screen.query_one(AnswerView).query_one(".personalisation", Static)
        assert "personalised for Kara Haddad" in str(note.content)
        linked = customers_assistant.db.execute(
            "SELECT customer_id FROM sessions WHERE id = ?", [app.screen.session_id]
        ).fetchone()[0]
        assert linked == CONSENTING

        await pilot.click("#customer-clear")
        await settle(pilot)
        assert app.screen.customer is None and not app.screen.query_one(CustomerBar).display
        assert app.screen.session_id is None and not app.screen.query(AnswerView)
        assert not app.screen.query_one("#customer-profile-box").display


async def test_without_consent_the_panel_and_the_bar_say_personalisation_is_off(
    build_customers_app,
) -> None:
    app = build_customers_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await find_and_pick(pilot, "Owen Usman")
        profile = text_of(app, "#customer-profile")
        assert "Owen Usman" in profile and "Consent: no" in profile
        assert "personalisation is off" in profile and "Recent purchases" not in profile
        assert "personalisation off (no consent)" in text_of(app, "#customer-label")


async def test_kiosk_mode_has_no_customer_panel_and_reads_no_customer_data(
    customers_assistant, build_customers_app
) -> None:
    seen: list[str] = []
    app = build_customers_app("kiosk")
    try:
        async with app.run_test(size=(100, 36)) as pilot:
            await settle(pilot)  # loaded (start-up retention duties are the domain's own)
            customers_assistant.db.conn.set_trace_callback(seen.append)
            assert not app.screen.query(CustomerPanel) and not app.screen.query(CustomerBar)
            await pilot.press("f5", "f6")
            assert isinstance(app.screen, ChatScreen)
            await pilot.click("#question")
            await pilot.press(*NO_MATCH, "enter")
            await settle(pilot)
            assert app.screen.query_one(AnswerView).finished
    finally:
        customers_assistant.db.conn.set_trace_callback(None)
    assert seen and not [sql for sql in seen if CUSTOMER_TABLES.search(sql)]
    assert app.assistant is not None and app.assistant._customer_service is None


async def test_a_reopened_conversation_shows_the_customer_it_was_with(
    customers_assistant, build_customers_app
) -> None:
    app = build_customers_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await find_and_pick(pilot, "RL 401193")
        await pilot.click("#question")
        await pilot.press(*NO_MATCH, "enter")
        await settle(pilot)
        with_customer = app.screen.session_id
        await pilot.click("#customer-clear")  # an anonymous chat now
        await settle(pilot)
        assert app.screen.customer is None
        assert customers_assistant.sessions()[0]["customer_id"] == CONSENTING
        await pilot.click("#sessions", offset=(2, 0))  # the newest conversation, in the sidebar
        await settle(pilot)
        assert app.screen.session_id == with_customer
        assert app.screen.customer is not None and app.screen.customer.id == CONSENTING
        assert "Serving Kara Haddad" in text_of(app, "#customer-label")


async def test_a_configured_kiosk_opens_customer_data_only_after_the_staff_pin(
    customers_assistant, build_customers_app
) -> None:
    app = build_customers_app(None, mode="kiosk")  # 'mode = "kiosk"' in localbot.toml
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        assert app.assistant is not None and app.assistant.mode == "kiosk"
        with pytest.raises(AssistantError, match="kiosk"):
            app.assistant.find_customers("Kara")
        await pilot.press("f6")  # no Insights before the PIN
        assert isinstance(app.screen, ChatScreen)
        with pytest.raises(AssistantError, match="for staff"):
            app.assistant.insights()
        await pilot.click("#staff-button")
        await pilot.press(*PIN, "enter")
        await pilot.click("#menu-staff")
        await settle(pilot)
        assert app.assistant.mode == "staff"
        await find_and_pick(pilot, "RL 401193")
        assert "Kara Haddad" in text_of(app, "#customer-profile")
        await pilot.press("f6")  # Insights open and load after the PIN
        await settle(pilot)
        assert isinstance(app.screen, InsightsScreen)
        assert not app.screen.query_one("#insights-tabs").loading
        assert "conversations" in text_of(app, "#summary")  # the report, not "Reading…"
        assert not [n for n in app._notifications if n.severity == "error"]
        await pilot.press("escape")

        await pilot.press("f9")  # back to the kiosk: customer data closes again
        await settle(pilot)
        assert app.assistant.mode == "kiosk" and app.assistant._customer_service is None
        with pytest.raises(AssistantError, match="kiosk"):
            app.assistant.find_customers("Kara")
