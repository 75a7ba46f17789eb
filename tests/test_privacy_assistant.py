"""The promise end to end: personal data typed into a conversation reaches neither the model nor the disk."""

import pytest

from localbot.store import InteractionStore

pytestmark = pytest.mark.real

CARD = "4539 1488 0343 6467"
QUESTION = f"I'm Dana, mail dana@example.com: is the 2 person tent in stock? card {CARD}"


def test_personal_data_in_a_question_is_redacted_before_the_model_and_storage(
    assistant, monkeypatch
):
    prompts = []
    real_stream = assistant.chat_model.stream

    def recording_stream(messages, *args, **kwargs):
        prompts.append(" ".join(str(message.get("content", "")) for message in messages))
        return real_stream(messages, *args, **kwargs)

    monkeypatch.setattr(assistant.chat_model, "stream", recording_stream)
    assistant.settings = assistant.settings.with_overrides(max_tokens=16)

    reply = assistant.reply(QUESTION)

    stored = InteractionStore(assistant.db).turn(reply.turn_id)["question"]
    assert "[EMAIL]" in stored and "[CARD]" in stored and "[NAME]" in stored
    assert "dana@example.com" not in stored and "Dana" not in stored
    digits = CARD.replace(" ", "")
    assert prompts and not any(digits in prompt.replace(" ", "") for prompt in prompts)
