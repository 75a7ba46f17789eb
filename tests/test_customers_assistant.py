"""Customers in conversation, on the real model, embedder and a real copy of the demo database.

Consent decides whether anything personal is used; kiosk mode never reads customer data.
"""

import json
import re

import pytest
from customer_helpers import (
    CONSENTING,
    NOT_CONSENTING,
    customers_db,
    customers_db_path,
    customers_template,
    statements_during,
)

from localbot.assistant import Assistant, AssistantError
from localbot.cli import main
from localbot.prompting import build_context

pytestmark = pytest.mark.real
# pytest finds fixtures by name in the test module; importing them is what makes them visible.
FIXTURES = (customers_db, customers_db_path, customers_template)
CUSTOMER_TABLES = re.compile(r"\bcustomers\b|customer_purchases|customer_events", re.IGNORECASE)
BUYING = re.compile(r"customer_purchases|customer_events", re.IGNORECASE)
HARNESS = "I need a harness for the climbing gym"


@pytest.fixture
def make_assistant(settings, customers_db, embedder, chat_model):
    """Assistants on the customers database; short answers keep the real model quick."""

    def make(mode="staff"):
        quick = settings.with_overrides(mode=mode, max_tokens=24)
        return Assistant(quick, db=customers_db, embedder=embedder, chat_model=chat_model)

    return make


def context_of(assistant, turn_id):
    return assistant.db.execute("SELECT context FROM turns WHERE id = ?", [turn_id]).fetchone()[0]


def test_kiosk_mode_never_loads_customer_data(make_assistant, customers_db):
    kiosk = make_assistant("kiosk")
    sessions = customers_db.execute("SELECT count(*) FROM sessions").fetchone()[0]
    for attempt in (
        lambda: kiosk.reply(HARNESS, customer_id=CONSENTING),
        lambda: kiosk.new_session(customer_id=CONSENTING),
        lambda: kiosk.find_customers("Kara"),
        lambda: kiosk.customer_profile(CONSENTING),
        lambda: kiosk.recommend(CONSENTING),
    ):
        with pytest.raises(AssistantError, match="customer data is not available in kiosk mode"):
            attempt()
    assert customers_db.execute("SELECT count(*) FROM sessions").fetchone()[0] == sessions
    seen = statements_during(customers_db, lambda: kiosk.reply(HARNESS))
    assert seen and not [sql for sql in seen if CUSTOMER_TABLES.search(sql)]
    kiosk_session = make_assistant().new_session(mode="kiosk")
    with pytest.raises(AssistantError, match="kiosk mode"):
        make_assistant().reply(HARNESS, kiosk_session, customer_id=CONSENTING)


def test_without_consent_nothing_personal_is_used_or_sent_to_the_model(make_assistant):
    bot = make_assistant()
    seen: list[str] = []
    bot.db.conn.set_trace_callback(seen.append)
    reply = bot.reply(HARNESS, customer_id=NOT_CONSENTING)
    bot.db.conn.set_trace_callback(None)
    assert not [sql for sql in seen if BUYING.search(sql)]
    anonymous = bot._grounding(bot.search(HARNESS))  # what any shopper's answer is built from
    assert context_of(bot, reply.turn_id) == build_context(*anonymous)
    assert [card.sku for card in reply.products] == [p.sku for p in anonymous[0]]
    assert "has not agreed to personalised suggestions" in reply.personalisation
    linked = bot.db.execute("SELECT customer_id FROM sessions WHERE id = ?", [reply.session_id])
    assert linked.fetchone()[0] == NOT_CONSENTING  # so 'forget --customer' erases it too


def test_profile_reranks_retrieval_for_a_consenting_customer(make_assistant):
    bot = make_assistant()
    before = [(hit.ref, hit.product.brand) for hit in bot.search(HARNESS).hits if hit.product]
    results = bot.search(HARNESS)
    bot._customers().personalise(CONSENTING, results)
    after = [(hit.ref, hit.product.brand) for hit in results.hits if hit.product]
    # Kara buys Summit & Co climbing gear: another brand's harness moves down, none is removed.
    other = next(item for item in before if item[1] != "Summit & Co")
    assert after.index(other) > before.index(other) and sorted(after) == sorted(before)


def test_consenting_customer_reply_mentions_past_purchases_and_complements(make_assistant):
    bot = make_assistant()
    reply = bot.reply(HARNESS, customer_id=CONSENTING)
    context = context_of(bot, reply.turn_id)
    line = context.split("CUSTOMER: ", 1)[1]
    assert "Bought before: Summit & Co" in line and "Goes well with these: " in line
    assert "Kara" not in context  # the model needs what they bought, not who they are
    assert reply.personalisation.startswith("personalised for Kara Haddad")
    assert any("you like brand Summit & Co" in card.why for card in reply.products)
    for sku, price in re.findall(r"\(SKU ([\w-]+)\): \$(\d[\d,]*\.\d\d)", line):
        row = bot.db.execute("SELECT price, stock FROM products WHERE sku = ?", [sku]).fetchone()
        assert f"{row[0]:,.2f}" == price and row[1] > 0  # facts from the database, in stock

    again = bot.reply("and a helmet?", reply.session_id)  # the session remembers the customer
    assert "CUSTOMER: " in context_of(bot, again.turn_id)
    with pytest.raises(AssistantError, match=f"session {reply.session_id} is with customer"):
        bot.reply("and a rope?", reply.session_id, customer_id=NOT_CONSENTING)


def test_staff_panel_api_finds_customers_and_gates_profiles_by_consent(make_assistant):
    bot = make_assistant()
    assert [c.id for c in bot.find_customers("kara haddad")] == [CONSENTING]
    assert [c.id for c in bot.find_customers("RL 401193")] == [CONSENTING]
    profile = bot.customer_profile(CONSENTING)
    assert profile.personalised and profile.favourite_brands[0][0] == "Summit & Co"
    assert profile.recent_purchases and "email" not in json.dumps(profile.as_dict())
    closed = bot.customer_profile(NOT_CONSENTING)
    assert not closed.personalised and closed.recent_purchases == [] and closed.note
    with pytest.raises(AssistantError, match="no customer 'C9999'"):
        bot.reply(HARNESS, customer_id="C9999")


def test_ask_command_takes_a_customer(customers_db_path, capsys, monkeypatch):
    # Refusals come before any model loads, so these are quick; answering is tested above.
    assert main(["ask", HARNESS, "--customer", "C9999"]) == 2
    assert "no customer 'C9999'" in capsys.readouterr().err
    monkeypatch.setenv("LOCALBOT_MODE", "kiosk")
    assert main(["ask", HARNESS, "--customer", CONSENTING]) == 2
    assert "not available in kiosk mode" in capsys.readouterr().err
