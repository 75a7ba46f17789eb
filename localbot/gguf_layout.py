"""A GGUF file's layout, read from its header without loading it: is the tensor data all there?

A model copied into ``models/`` that is not in the manifest has no checksum to compare, so a
copy cut short (an interrupted download or transfer) would only fail when llama.cpp loads it,
minutes into a session. The header says where every tensor starts; a file that ends before the
last tensor's start is truncated for certain. Only the header is read (metadata values are
skipped, not decoded), so this costs milliseconds.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
# Sizes in bytes of the fixed-size metadata value types, by GGUF type id.
FIXED_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
STRING, ARRAY, UINT32 = 8, 9, 4


class LayoutError(ValueError):
    """The file is not a complete GGUF model; the message says what is wrong."""


@dataclass(frozen=True)
class Layout:
    """Where a GGUF's tensor data starts and where its last tensor starts."""

    version: int
    tensors: int
    data_start: int
    last_tensor_start: int


def read_layout(path: Path) -> Layout:
    """Parse the header of ``path``; raises :class:`LayoutError` if it is cut short or invalid."""
    try:
        with path.open("rb") as handle:
            return _layout(handle)
    except struct.error as error:
        raise LayoutError(f"{path} ends inside its header (truncated)") from error


def check_complete(path: Path) -> None:
    """Raise :class:`LayoutError` unless the file reaches the start of its last tensor."""
    layout = read_layout(path)
    size = path.stat().st_size
    if layout.tensors and size <= layout.last_tensor_start:
        raise LayoutError(
            f"{path} is {size:,} bytes but its tensor data reaches past "
            f"{layout.last_tensor_start:,} (truncated); copy the file again"
        )


def _layout(handle: BinaryIO) -> Layout:
    if handle.read(4) != MAGIC:
        raise LayoutError(f"{handle.name} is not a GGUF file")
    version, tensors, pairs = struct.unpack("<IQQ", _read(handle, 20))
    alignment = DEFAULT_ALIGNMENT
    for _ in range(pairs):
        key = _string(handle)
        kind = _unpack(handle, "<I")
        if key == "general.alignment" and kind == UINT32:
            alignment = _unpack(handle, "<I") or DEFAULT_ALIGNMENT
        else:
            _skip_value(handle, kind)
    last = 0
    for _ in range(tensors):
        _string(handle)  # name
        dims = _unpack(handle, "<I")
        handle.seek(8 * dims + 4, 1)  # the shape and the element type
        last = max(last, _unpack(handle, "<Q"))
    data_start = -(-handle.tell() // alignment) * alignment
    return Layout(version, tensors, data_start, data_start + last)


def _skip_value(handle: BinaryIO, kind: int) -> None:
    if kind in FIXED_SIZES:
        handle.seek(FIXED_SIZES[kind], 1)
    elif kind == STRING:
        handle.seek(_unpack(handle, "<Q"), 1)
    elif kind == ARRAY:
        item_kind, count = struct.unpack("<IQ", _read(handle, 12))
        if item_kind in FIXED_SIZES:
            handle.seek(FIXED_SIZES[item_kind] * count, 1)
        else:
            for _ in range(count):
                _skip_value(handle, item_kind)
    else:
        raise LayoutError(f"{handle.name} has an unknown metadata type {kind} (corrupt header?)")


def _string(handle: BinaryIO) -> str:
    length = _unpack(handle, "<Q")
    return _read(handle, length).decode("utf-8", errors="replace")


def _unpack(handle: BinaryIO, fmt: str) -> int:
    return int(struct.unpack(fmt, _read(handle, struct.calcsize(fmt)))[0])


def _read(handle: BinaryIO, count: int) -> bytes:
    data = handle.read(count)
    if len(data) < count:  # seek() past the end does not fail; a short read does
        raise struct.error("short read")
    return data
