"""A GGUF file's layout, read from its header without loading it: is the tensor data all there?

A model copied into ``models/`` that is not in the manifest has no checksum to compare, so a
copy cut short (an interrupted download or transfer) would only fail when llama.cpp loads it,
minutes into a session. The header says where every tensor starts; a file that ends before the
last tensor's start is truncated for certain. Only the header is read (metadata values are
skipped, not decoded), so this costs milliseconds.

Every length and count in the header is checked against what is left of the file before it is
used, so a damaged header (random bytes after the magic) is reported as damaged instead of
asking for gigabytes of memory or looping for ever.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
# Sizes in bytes of the fixed-size metadata value types, by GGUF type id.
FIXED_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
STRING, ARRAY, UINT32 = 8, 9, 4
# The GGUF format caps keys at 65,535 bytes (tensor names are far shorter).
MAX_NAME_BYTES = 65_535
# Arrays of arrays are legal but never nested deeply in real models.
MAX_ARRAY_DEPTH = 4
# The fewest bytes one metadata pair (key length, type) and one tensor entry (name length,
# dimensions, type, offset) take: a count needing more than the file holds is damage.
MIN_PAIR_BYTES = 8 + 4
MIN_TENSOR_BYTES = 8 + 4 + 4 + 8
# No field of a real header is this long; a longer claim that runs past the end is damage, a
# shorter one a file cut short.
PLAUSIBLE_FIELD_BYTES = 64 << 20


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
    with path.open("rb") as handle:
        return _layout(_Header(handle, path))


def check_complete(path: Path) -> None:
    """Raise :class:`LayoutError` unless the file reaches the start of its last tensor."""
    layout = read_layout(path)
    size = path.stat().st_size
    if layout.tensors and size <= layout.last_tensor_start:
        raise LayoutError(
            f"{path} is {size:,} bytes but its tensor data reaches past "
            f"{layout.last_tensor_start:,} (truncated); copy the file again"
        )


class _Header:
    """Reads a GGUF header, refusing any length or count the rest of the file cannot hold."""

    def __init__(self, handle: BinaryIO, path: Path) -> None:
        self.handle = handle
        self.path = path
        self.size = os.fstat(handle.fileno()).st_size
        self.position = handle.tell()  # kept here: tell() on every field triples the time

    @property
    def remaining(self) -> int:
        """Bytes left after the read position."""
        return self.size - self.position

    def read(self, count: int) -> bytes:
        """The next ``count`` bytes."""
        self._need(count)
        self.position += count
        return self.handle.read(count)

    def skip(self, count: int) -> None:
        """Move past ``count`` bytes."""
        self._need(count)
        self.position += count
        self.handle.seek(count, os.SEEK_CUR)

    def unpack(self, fmt: str) -> int:
        """One integer in the struct format ``fmt``."""
        return int(struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0])

    def string(self) -> str:
        """A length-prefixed UTF-8 string (a key or a tensor name)."""
        length = self.unpack("<Q")
        if length > MAX_NAME_BYTES:
            raise self.damaged(f"a name {length:,} bytes long")
        return self.read(length).decode("utf-8", errors="replace")

    def count(self, count: int, item_bytes: int, what: str) -> int:
        """``count`` items of at least ``item_bytes`` each, if the rest of the file can hold them."""
        self._need(count * item_bytes, f"{count:,} {what}")
        return count

    def damaged(self, claim: str) -> LayoutError:
        """The error for a header that claims more than the file holds."""
        return LayoutError(
            f"{self.path} is damaged: its header claims {claim}, more than the "
            f"{self.size:,}-byte file holds; delete it and copy or download it again"
        )

    def _need(self, count: int, claim: str = "") -> None:
        if count <= self.remaining:
            return
        if count <= PLAUSIBLE_FIELD_BYTES:  # seek() past the end does not fail; this check does
            raise LayoutError(f"{self.path} ends inside its header (truncated); copy it again")
        raise self.damaged(claim or f"a field of {count:,} bytes")


def _layout(header: _Header) -> Layout:
    if header.read(4) != MAGIC:
        raise LayoutError(f"{header.path} is not a GGUF file")
    version = header.unpack("<I")
    tensors = header.count(header.unpack("<Q"), MIN_TENSOR_BYTES, "tensors")
    pairs = header.count(header.unpack("<Q"), MIN_PAIR_BYTES, "metadata entries")
    alignment = DEFAULT_ALIGNMENT
    for _ in range(pairs):
        key = header.string()
        kind = header.unpack("<I")
        if key == "general.alignment" and kind == UINT32:
            alignment = header.unpack("<I") or DEFAULT_ALIGNMENT
        else:
            _skip_value(header, kind)
    last = 0
    for _ in range(tensors):
        header.string()  # name
        dims = header.unpack("<I")
        header.skip(8 * dims + 4)  # the shape and the element type
        last = max(last, header.unpack("<Q"))
    data_start = -(-header.position // alignment) * alignment
    return Layout(version, tensors, data_start, data_start + last)


def _skip_value(header: _Header, kind: int, depth: int = 0) -> None:
    if kind in FIXED_SIZES:
        header.skip(FIXED_SIZES[kind])
    elif kind == STRING:
        header.skip(header.unpack("<Q"))
    elif kind == ARRAY:
        if depth >= MAX_ARRAY_DEPTH:
            raise LayoutError(
                f"{header.path} is damaged: arrays nested more than {MAX_ARRAY_DEPTH} deep in "
                "its header; delete it and copy or download it again"
            )
        item_kind, count = header.unpack("<I"), header.unpack("<Q")
        if item_kind in FIXED_SIZES:
            header.skip(FIXED_SIZES[item_kind] * count)
        elif item_kind == STRING:  # a vocabulary: tens of thousands, so no recursion per item
            for _ in range(header.count(count, 8, "strings")):
                header.skip(header.unpack("<Q"))
        else:  # arrays take 12 bytes or more each
            for _ in range(header.count(count, 8, "array items")):
                _skip_value(header, item_kind, depth + 1)
    else:
        raise LayoutError(
            f"{header.path} is damaged: unknown metadata type {kind} in its header; "
            "delete it and copy or download it again"
        )
