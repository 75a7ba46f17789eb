"""Prompt layout: past turns as question and answer only, the context in the latest turn, a window."""

from __future__ import annotations

from localbot.prompting import build_prompt, system_messages, user_message
from localbot.store import StoredTurn


def words(messages: list[dict[str, str]]) -> int:
    """A stand-in tokenizer: one token per word."""
    return sum(len(m["content"].split()) for m in messages)


def turn(number: int, answer_words: int = 10) -> StoredTurn:
    return StoredTurn(number, f"question {number}?", f"CATALOGUE:\n- item {number}",
                      " ".join(["word"] * answer_words), "complete")  # fmt: skip


def test_past_turns_are_replayed_without_their_context():
    prompt = build_prompt([turn(1), turn(2)], "CATALOGUE:\n- new", "and now?", words, 1000)
    assert prompt.messages[0] == system_messages()[0]
    assert prompt.messages[1] == {"role": "user", "content": "QUESTION: question 1?"}
    assert prompt.messages[2]["role"] == "assistant"
    assert prompt.messages[-1] == user_message("CATALOGUE:\n- new", "and now?")
    assert sum("CATALOGUE:" in m["content"] for m in prompt.messages[1:]) == 1
    assert prompt.trimmed_turns == 0 and prompt.first_turn_id == 1


def test_the_window_lets_the_oldest_turns_slide_out():
    history = [turn(n) for n in range(1, 6)]  # 13 words each
    prompt = build_prompt(history, "CATALOGUE:\n- new", "and now?", words, 1000, 30)
    assert prompt.trimmed_turns == 3 and prompt.first_turn_id == 4
    assert prompt.messages[1]["content"] == "QUESTION: question 4?"


def test_the_budget_still_applies_without_a_window():
    history = [turn(n) for n in range(1, 6)]
    base = words([*system_messages(), user_message("CATALOGUE:\n- new", "and now?")])
    prompt = build_prompt(history, "CATALOGUE:\n- new", "and now?", words, base + 26)
    assert prompt.trimmed_turns == 3 and prompt.tokens <= base + 26


def test_everything_dropped_starts_after_the_last_turn():
    prompt = build_prompt([turn(1, 500)], "", "hi", words, 1000, 100)
    assert prompt.trimmed_turns == 1 and prompt.first_turn_id == 2
    assert len(prompt.messages) == 2


def test_the_system_prompt_names_the_configured_store_and_stays_first():
    prompt = build_prompt([turn(1)], "", "hi", words, 1000, store="Acme Bikes, a bike shop")
    assert prompt.messages[0] == system_messages("Acme Bikes, a bike shop")[0]
    assert "Acme Bikes, a bike shop" in prompt.messages[0]["content"]
    assert "Ridgeline" not in prompt.messages[0]["content"]


def test_catalogue_lines_show_each_products_own_currency():
    from localbot.catalogue.search import Product
    from localbot.prompting import product_line

    euro = Product("B-1", "Alpina Dome Tent", "Alpina", "Tents", "Roomy.", 1299.0, "EUR", 2, {})
    franc = Product("B-2", "Berg Stove", "Berg", "Stoves", "Small.", 45.5, "CHF", 0, {})
    assert "€1,299.00, 2 in stock" in product_line(euro)
    assert "45.50 CHF, out of stock" in product_line(franc)
