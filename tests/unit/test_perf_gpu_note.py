"""`localbot doctor` says where the model's layers run and how to get a GPU build."""

from localbot import llm
from localbot.commands.system import _gpu_note
from localbot.config import load_settings


def test_cpu_only_build_names_the_rebuild_command(monkeypatch):
    monkeypatch.setattr(llm, "gpu_available", lambda: False)
    note = _gpu_note(load_settings())
    assert note.startswith("CPU only") and 'CMAKE_ARGS="-DGGML_CUDA=on"' in note


def test_gpu_build_offloads_all_layers_by_default(monkeypatch):
    monkeypatch.setattr(llm, "gpu_available", lambda: True)
    assert _gpu_note(load_settings()) == "GPU offload of all layers (n_gpu_layers -1)"
    assert "12 layers" in _gpu_note(load_settings(flags={"n_gpu_layers": 12}))
    assert "offload off" in _gpu_note(load_settings(flags={"n_gpu_layers": 0}))
