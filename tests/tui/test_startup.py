"""The UI paints before any model library is imported, and only the UI imports Textual."""

from __future__ import annotations

import subprocess
import sys

HEAVY = "{'torch', 'llama_cpp', 'sentence_transformers', 'transformers'}"


def loaded_after(imports: str, names: str) -> str:
    code = f"import sys, {imports}; print(sorted({names} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_ui_module_imports_no_model_library() -> None:
    assert loaded_after("localbot.tui.app", HEAVY) == "[]"


def test_the_domain_and_the_cli_do_not_import_textual() -> None:
    assert loaded_after("localbot.assistant, localbot.cli, localbot.pin", "{'textual'}") == "[]"


def test_the_insights_charts_and_the_markdown_parser_load_only_when_needed() -> None:
    later = "{'localbot.tui.screens.insights', 'textual_plotext', 'plotext', 'markdown_it'}"
    assert loaded_after("localbot.tui.app", later) == "[]"
