"""A GGUF header that lies about its lengths is reported as damaged, never read as asked."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from localbot.gguf_layout import LayoutError, read_layout
from localbot.paths import default_models_dir

REAL_GGUF = default_models_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf"
HUGE = 2**62


def header(tensors: int, pairs: int) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, tensors, pairs)


def key(name: str) -> bytes:
    return struct.pack("<Q", len(name)) + name.encode()


@pytest.mark.parametrize(
    ("content", "claim"),
    [
        (header(0, 1) + struct.pack("<Q", HUGE), "a name"),  # a key 4 EiB long
        (header(HUGE, 0), "tensors"),
        (header(0, HUGE), "metadata entries"),
        (header(0, 1) + key("k") + struct.pack("<IQ", 8, HUGE), "bytes"),  # a string value
        (header(0, 1) + key("k") + struct.pack("<IIQ", 9, 8, HUGE), "strings"),
        (header(0, 1) + key("k") + struct.pack("<IIQ", 9, 6, HUGE), "bytes"),  # float32s
        (header(1, 0) + key("t") + struct.pack("<I", 2**31), "bytes"),  # dimensions
    ],
    ids=["key", "tensors", "pairs", "string", "strings", "floats", "dimensions"],
)
def test_a_length_or_count_past_the_end_of_the_file_is_damage(
    tmp_path: Path, content: bytes, claim: str
) -> None:
    path = tmp_path / "lies.gguf"
    path.write_bytes(content + b"\0" * 256)
    with pytest.raises(LayoutError, match=f"is damaged: its header claims .*{claim}"):
        read_layout(path)


def test_random_bytes_after_the_magic_only_ever_raise_a_layout_error(tmp_path: Path) -> None:
    path = tmp_path / "random.gguf"
    for seed in range(200):
        rng = random.Random(seed)
        path.write_bytes(b"GGUF" + rng.randbytes(rng.choice([40, 4096, 65536])))
        with pytest.raises(LayoutError) as error:  # not MemoryError, not an endless loop
            read_layout(path)
        assert "is damaged" in str(error.value)  # 64-bit counts from random bytes are absurd


def test_arrays_nested_without_end_are_damage(tmp_path: Path) -> None:
    path = tmp_path / "nested.gguf"
    path.write_bytes(header(0, 1) + key("k") + struct.pack("<I", 9) + struct.pack("<IQ", 9, 1) * 50)
    with pytest.raises(LayoutError, match="nested"):
        read_layout(path)


@pytest.mark.real
@pytest.mark.parametrize("keep", [30, 500, 100_000])
def test_a_real_header_cut_short_is_truncated_not_damaged(tmp_path: Path, keep: int) -> None:
    cut = tmp_path / "cut.gguf"
    with REAL_GGUF.open("rb") as source:
        cut.write_bytes(source.read(keep))
    with pytest.raises(LayoutError, match="ends inside its header"):
        read_layout(cut)


@pytest.mark.real
def test_the_real_model_header_is_read_whole() -> None:
    layout = read_layout(REAL_GGUF)
    assert layout.tensors > 0 and layout.data_start < layout.last_tensor_start
    assert layout.last_tensor_start < REAL_GGUF.stat().st_size
