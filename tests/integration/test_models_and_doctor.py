"""Model files, any GGUF a user adds, and `localbot doctor` on real files."""

import json
import re
import shutil

import pytest

from localbot.cli import main
from localbot.llm import ChatModel, ModelError
from localbot.paths import default_models_dir

pytestmark = pytest.mark.real
DEFAULT_GGUF = default_models_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_models_lists_the_default_with_a_verified_checksum(capsys):
    assert main(["models", "--json"]) == 0
    models = json.loads(capsys.readouterr().out)
    default = next(m for m in models if m["name"] == "smollm2-135m-instruct")
    assert default["checksum"] == "ok" and default["selected"] and default["size"] == 98362432


def test_any_gguf_copied_into_a_models_folder_is_listed_and_usable(tmp_path, monkeypatch, capsys):
    models = tmp_path / "models"
    models.mkdir()
    shutil.copyfile(DEFAULT_GGUF, models / "my-shop-model.gguf")
    monkeypatch.setenv("LOCALBOT_MODELS_DIR", str(models))
    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "my-shop-model" in listing and "not in manifest" in listing
    model = ChatModel(models / "my-shop-model.gguf", n_ctx=512)
    text = "".join(model.stream([{"role": "user", "content": "Say hello."}], max_tokens=8))
    assert text.strip()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a model at all", "is not a GGUF model file"), (b"GGUF" + b"\0" * 64, "cannot load")],
)
def test_broken_model_files_name_the_file_and_the_fix(tmp_path, content, message):
    path = tmp_path / "broken.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=message) as error:
        ChatModel(path).load()
    assert str(path) in str(error.value)


def test_truncated_known_model_is_caught_before_loading(tmp_path):
    truncated = tmp_path / DEFAULT_GGUF.name
    with DEFAULT_GGUF.open("rb") as source:
        truncated.write_bytes(source.read(1_000_000))
    with pytest.raises(ModelError, match="truncated or replaced"):
        ChatModel(truncated).load()


@pytest.mark.parametrize("keep", [1_000_000, 60_000_000])  # in the header; in the tensors
def test_a_truncated_model_outside_the_manifest_is_caught_from_its_header(
    tmp_path, monkeypatch, capsys, keep
):
    cut = tmp_path / "my-shop-model.gguf"
    with DEFAULT_GGUF.open("rb") as source:
        cut.write_bytes(source.read(keep))
    with pytest.raises(ModelError, match="truncated"):
        ChatModel(cut).load()
    monkeypatch.setenv("LOCALBOT_HOME", str(tmp_path / "home"))
    assert main(["doctor", "--model", str(cut)]) == 1
    assert "FAIL model" in capsys.readouterr().out


def test_doctor_passes_on_a_ready_store(demo_db_path, capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for name in ("model", "embedder", "database", "threads", "offline", "privacy"):
        assert re.search(rf"^ok\s+{name}\s", out, re.MULTILINE), out


def test_doctor_names_each_problem_with_its_fix(monkeypatch, capsys):
    monkeypatch.setenv("LOCALBOT_MODEL", "no-such-model")
    assert main(["doctor"]) == 1
    lines = capsys.readouterr().out.splitlines()
    model_line = next(line for line in lines if " model " in line)
    assert model_line.startswith("FAIL") and "model 'no-such-model' not found" in model_line
    database_line = next(line for line in lines if " database " in line)
    assert "run 'localbot ingest knowledge'" in database_line
