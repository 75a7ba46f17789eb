"""The doctor's offline check can fail: it reads the switches and the hub library's own state
without setting anything first, and looks for every model file on disk."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from localbot import cli
from localbot.cli import main
from localbot.embeddings import bundled_model_dir
from localbot.offline import OFFLINE_ENVIRONMENT, enforce_offline_environment

ROOT = Path(__file__).resolve().parents[1]


def offline_check(capsys):
    main(["doctor", "--json"])
    return {c["name"]: c for c in json.loads(capsys.readouterr().out)}["offline"]


def doctor_in_a_fresh_process(tmp_path, code):
    """Run ``code`` in a new interpreter whose environment has no offline switch set."""
    env = {key: value for key, value in os.environ.items() if key not in OFFLINE_ENVIRONMENT}
    env.update(LOCALBOT_HOME=str(tmp_path / "home"), LOCALBOT_CONFIG=str(tmp_path / "none.toml"),
               PYTHONPATH=str(ROOT))  # fmt: skip
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=ROOT, timeout=300)  # fmt: skip
    return {c["name"]: c for c in json.loads(run.stdout)}["offline"]


def test_offline_passes_when_started_through_the_command(tmp_path):
    check = doctor_in_a_fresh_process(
        tmp_path, "from localbot.cli import main; main(['doctor', '--json'])"
    )
    assert check["ok"], check["detail"]
    assert "models are local files" in check["detail"]


def test_offline_fails_when_the_hub_library_was_imported_before_the_switches(tmp_path):
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: setting it later changes nothing.
    check = doctor_in_a_fresh_process(
        tmp_path,
        "import huggingface_hub.constants; from localbot.cli import main; main(['doctor', '--json'])",
    )
    assert not check["ok"]
    assert "huggingface_hub was imported before the offline switches" in check["detail"]


def test_offline_fails_when_the_entry_point_did_not_set_the_switches(capsys, monkeypatch):
    enforce_offline_environment()
    import huggingface_hub.constants  # noqa: F401  read now, so later tests here see it offline

    monkeypatch.setattr(cli, "enforce_offline_environment", lambda: None)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    check = offline_check(capsys)
    assert (
        not check["ok"]
        and "offline switches not set in this process: HF_HUB_OFFLINE" in (check["detail"])
    )


def test_offline_fails_when_an_embedder_file_is_missing(tmp_path, capsys, monkeypatch):
    partial = tmp_path / "minilm"
    shutil.copytree(bundled_model_dir(), partial)
    (partial / "tokenizer.json").unlink()
    (partial / "1_Pooling" / "config.json").unlink()
    monkeypatch.setenv("LOCALBOT_EMBEDDER", str(partial))
    check = offline_check(capsys)
    assert not check["ok"]
    assert "embedder files missing" in check["detail"]
    assert "tokenizer.json, 1_Pooling/config.json" in check["detail"]


def test_offline_fails_when_the_chat_model_is_not_on_disk(capsys, monkeypatch):
    monkeypatch.setenv("LOCALBOT_MODEL", "no-such-model")
    check = offline_check(capsys)
    assert not check["ok"] and "model 'no-such-model' not found" in check["detail"]
