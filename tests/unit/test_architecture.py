"""The boundaries the import-linter contracts enforce, and that the CLI starts without heavy imports."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def contracts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def top_level_modules():
    names = set()
    for path in (ROOT / "localbot").iterdir():
        if path.name.startswith("_") or path.name == "tui":
            continue
        if path.suffix == ".py" or (path / "__init__.py").exists():
            names.add(f"localbot.{path.stem}")
    return names


def test_textual_contract_covers_every_module_outside_the_ui():
    contract = contracts()["Only localbot.tui imports textual"]
    missing = top_level_modules() - set(contract["source_modules"])
    assert not missing, f"add {sorted(missing)} to the import-linter contract in pyproject.toml"


def test_domain_contract_covers_every_domain_module():
    contract = contracts()["The domain core does not import its shells (CLI, terminal UI)"]
    shells = {"localbot.cli", "localbot.commands"}
    missing = top_level_modules() - shells - set(contract["source_modules"])
    assert not missing, f"add {sorted(missing)} to the domain contract in pyproject.toml"


def test_cli_imports_no_heavy_libraries():
    code = (
        "import sys, localbot.cli, localbot.assistant; "
        "heavy = {'textual', 'torch', 'llama_cpp', 'sentence_transformers', 'transformers'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
