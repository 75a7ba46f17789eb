"""How settings reach llama.cpp: flash attention only where it pays (a GPU), or as forced."""

from __future__ import annotations

from pathlib import Path

import pytest

from localbot import llm
from localbot.llm import ChatModel


@pytest.mark.parametrize(
    ("setting", "gpu", "layers", "expected"),
    [
        ("auto", False, -1, False),  # a CPU: flash attention slows generation (bench/ask.py)
        ("auto", True, -1, True),
        ("auto", True, 0, False),  # a GPU build told not to offload runs on the CPU
        ("on", False, -1, True),
        ("off", True, -1, False),
    ],
)
def test_flash_attention_follows_the_setting(
    monkeypatch: pytest.MonkeyPatch, setting: str, gpu: bool, layers: int, expected: bool
) -> None:
    monkeypatch.setattr(llm, "gpu_available", lambda: gpu)
    model = ChatModel(Path("m.gguf"), n_gpu_layers=layers, flash_attn=setting)
    assert model.uses_flash_attention() is expected
