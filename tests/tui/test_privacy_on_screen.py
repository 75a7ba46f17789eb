"""A card number or an e-mail typed into a question never stays on screen: the question is shown
as the assistant stores it, from the moment it is asked (while the model loads too)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Markdown, Static
from tui_helpers import NO_MATCH, Opener, settle

from localbot.tui.widgets.conversation import AnswerView, QuestionView

pytestmark = [pytest.mark.anyio, pytest.mark.real]
CARD = "4111 1111 1111 1111"  # passes the Luhn check
EMAIL = "jo.smith@example.com"
QUESTION = f"{NO_MATCH} my card {CARD} was charged twice, write to {EMAIL}"


def screen_text(app: Any) -> str:
    """Everything the screen shows in text: labels, answers, the question box, notifications."""
    texts = [str(widget.content) for widget in app.screen.query(Static)]
    texts += [markdown.source for markdown in app.screen.query(Markdown)]
    texts += [box.value for box in app.screen.query(Input)]
    texts += [note.message for note in app._notifications]
    return "\n".join(texts)


async def type_question(pilot: Any) -> None:
    pilot.app.screen.query_one("#question", Input).focus()
    await pilot.press(*QUESTION, "enter")
    await pilot.pause()


def assert_protected(app: Any) -> None:
    text = screen_text(app)
    assert CARD not in text and CARD.replace(" ", "") not in text and EMAIL not in text
    shown = str(app.screen.query_one(QuestionView).content)
    assert "[CARD]" in shown and "[EMAIL]" in shown and "charged twice" in shown


@pytest.mark.parametrize("mode", ["kiosk", "staff"])
async def test_a_card_number_and_an_email_never_show_on_screen(
    assistant, build_app, mode: str
) -> None:
    app = build_app(mode)
    async with app.run_test(size=(110, 36)) as pilot:
        await settle(pilot)
        await type_question(pilot)
        assert_protected(app)  # at once, not when the answer is logged
        await settle(pilot)
        assert_protected(app)
        assert app.screen.query_one(AnswerView).turn_id is not None
        stored = assistant.conversation(app.screen.session_id)[0]["question"]
        assert str(app.screen.query_one(QuestionView).content) == stored


async def test_a_question_typed_while_the_model_loads_is_shown_protected(build_app) -> None:
    app = build_app("kiosk")
    app._open_assistant = Opener(app._open_assistant, gated=True)
    try:
        async with app.run_test(size=(110, 36)) as pilot:
            await type_question(pilot)
            assert not app.ready
            assert_protected(app)
            app._open_assistant.gate.set()
            await settle(pilot)
            assert app.screen.query_one(AnswerView).turn_id is not None
            assert_protected(app)
    finally:
        app._open_assistant.gate.set()
