"""Reading import files: CSV, JSON and JSONL product rows, and Markdown documents split into chunks.

Readers never raise on bad content. A row they cannot read comes out as a :class:`RawRow` with an
``error``; a file they cannot read at all raises :class:`FileProblem` with a one-line reason.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRODUCT_SUFFIXES = {".csv", ".json", ".jsonl", ".ndjson"}
DOCUMENT_SUFFIXES = {".md", ".markdown"}
# Folders under a knowledge tree that hold other things than catalogue data, and why each is
# left out; the ingest report names every folder it skipped with this reason.
SKIPPED_FOLDERS = {
    "eval": "labelled questions for 'localbot eval', not catalogue data",
    "drafts": "drafts waiting for review; move a file into docs/ to publish it",
    "customers": "customer data; import it with 'localbot customers import'",
}
HIDDEN = "hidden"
# The reason given for a folder that cannot be listed; an import keeps what came from it.
UNREADABLE = "cannot be read"
NOT_IMPORTABLE = "not a .csv, .json, .jsonl, .ndjson, .md or .markdown file"
CHUNK_CHARS = 900
REQUIRED_COLUMNS = ("sku", "name", "price", "currency")
# csv refuses fields over 128 KiB by default and would abort the whole file on one huge
# description; allow large fields and let validation quarantine the row with its size.
csv.field_size_limit(64 * 1024 * 1024)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FileProblem(ValueError):
    """A whole file cannot be read; the message says why and what to change."""


@dataclass(frozen=True)
class RawRow:
    """One row as read from a file, before validation."""

    source: str
    row_number: int
    data: Any
    error: str | None = None

    def raw_text(self) -> str:
        """The row as text for the quarantine table."""
        if isinstance(self.data, str):
            return self.data[:2000]
        return json.dumps(self.data, ensure_ascii=False, default=str)[:2000]


@dataclass(frozen=True)
class DocumentChunk:
    """A passage of a knowledge document, the unit that is indexed and quoted."""

    path: str
    title: str
    heading: str
    chunk: int
    text: str

    @property
    def id(self) -> str:
        """Stable id: the document path and the chunk's position."""
        return f"{self.path}#{self.chunk}"


@dataclass(frozen=True)
class SourceFile:
    """One file to import, and how the catalogue names it.

    ``key`` (the resolved absolute path) is the file's identity in the database: products,
    documents and quarantine rows record it, so two files with the same name in different
    folders never mix, and the same file reached through another folder or from another working
    directory is the same source. ``relative`` is the path below the folder the user named (the
    file name when a file is named directly): the short name documents are shown and labelled by.
    """

    path: Path
    relative: str
    key: str

    @classmethod
    def at(cls, path: Path, relative: str) -> SourceFile:
        """The file at ``path`` (as named), ``relative`` to the folder it was found in."""
        return cls(path, relative, path.resolve().as_posix())

    @property
    def label(self) -> str:
        """The path as the user named it, for messages."""
        return str(self.path)


@dataclass(frozen=True)
class Skipped:
    """A file or folder that was not imported, and why."""

    path: str
    reason: str


def scan(paths: list[Path]) -> tuple[list[SourceFile], list[Skipped]]:
    """Return the importable files under ``paths`` (folders read recursively) and what was skipped.

    A file reached twice (a folder and a folder inside it) is listed once, under the first path.
    """
    found: dict[str, SourceFile] = {}
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            files = _scan_folder(path, skipped)
        elif path.is_file():
            files = [SourceFile.at(path, path.name)] if _keep(path, skipped, named=True) else []
        else:
            raise FileProblem(f"{path} does not exist; check the path")
        for file in files:
            found.setdefault(file.key, file)
    return list(found.values()), skipped


def _scan_folder(root: Path, skipped: list[Skipped]) -> list[SourceFile]:
    files: list[SourceFile] = []

    def unreadable(error: OSError) -> None:
        # os.walk leaves out a folder it cannot list without a word; say so instead, or the
        # files in it would look gone and their products would be removed.
        reason = f"{UNREADABLE} ({error.strerror}); what was imported from it is kept"
        skipped.append(Skipped(f"{error.filename}{os.sep}", reason))

    for folder, subfolders, names in os.walk(root, onerror=unreadable):
        here = Path(folder)
        for name in sorted(subfolders):
            reason = _folder_skip_reason(name)
            if reason:
                skipped.append(Skipped(f"{here / name}{os.sep}", reason))
                subfolders.remove(name)  # os.walk then never descends into it
        subfolders.sort()
        for name in sorted(names):
            relative = (here / name).relative_to(root).as_posix()
            if _keep(here / name, skipped):
                files.append(SourceFile.at(here / name, relative))
    return files


def _folder_skip_reason(name: str) -> str | None:
    return HIDDEN if name.startswith(".") else SKIPPED_FOLDERS.get(name)


def _keep(path: Path, skipped: list[Skipped], named: bool = False) -> bool:
    """True for a file to import; else it is added to ``skipped`` (a hidden one only if found)."""
    hidden = path.name.startswith(".") and not named
    reason = HIDDEN if hidden else None if _importable(path) else NOT_IMPORTABLE
    if reason:
        skipped.append(Skipped(str(path), reason))
    return reason is None


def belongs_to(folder_key: str, key: str) -> bool:
    """True when ``key`` is a file that reading the folder ``folder_key`` would import."""
    if not key.startswith(folder_key.rstrip("/") + "/"):
        return False
    parts = Path(key[len(folder_key.rstrip("/")) + 1 :]).parts
    hidden_or_skipped = any(_folder_skip_reason(part) for part in parts[:-1])
    return not hidden_or_skipped and not parts[-1].startswith(".") and _importable(Path(key))


def find_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Return (importable files, skipped files and folders) under ``paths``."""
    files, skipped = scan(paths)
    return [file.path for file in files], [Path(item.path) for item in skipped]


def _importable(path: Path) -> bool:
    return path.suffix.lower() in PRODUCT_SUFFIXES | DOCUMENT_SUFFIXES


def is_document(path: Path) -> bool:
    """True for Markdown knowledge documents, false for product files."""
    return path.suffix.lower() in DOCUMENT_SUFFIXES


def read_text(path: Path) -> tuple[str, str]:
    """Decode a file as UTF-8 (BOM stripped), falling back to Latin-1; return (text, encoding)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


@dataclass(frozen=True)
class ProductRows:
    """The rows of one product file, parsed as they are iterated, and about how many there are.

    ``estimate`` counts lines (CSV, JSONL) or list items (JSON) without parsing a row, so an
    import can show progress through a large file (a quoted field over several lines makes it
    too high, so treat it as a guide).
    """

    rows: Iterator[RawRow]
    estimate: int

    def __iter__(self) -> Iterator[RawRow]:
        return self.rows


def read_product_rows(path: Path, source: str) -> ProductRows:
    """The product rows of a CSV, JSON or JSONL file.

    Raises :class:`FileProblem` for an empty or unparsable file, and ``OSError`` when the file
    cannot be read at all (gone, a dangling link, no permission).
    """
    text, _ = read_text(path)
    if not text.strip():
        raise FileProblem(f"{source} is empty; export the products again")
    suffix = path.suffix.lower()
    if suffix == ".json":
        items = _json_items(text, source)
        return ProductRows(_json_rows(items, source), len(items))
    lines = text.count("\n") + (not text.endswith("\n"))
    if suffix == ".csv":
        return ProductRows(_csv_rows(text, source), max(lines - 1, 0))
    return ProductRows(_jsonl_rows(text, source), lines)


def _csv_rows(text: str, source: str) -> Iterator[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_sniff_dialect(text))
    header = [column.strip().lower() for column in next(reader, [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise FileProblem(
            f"{source} has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
            f"(header: {', '.join(header)[:120]}); the first line must name the columns"
        )
    for index, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        yield _csv_row(header, values, source, index)


def _csv_row(header: list[str], values: list[str], source: str, row_number: int) -> RawRow:
    if len(values) > len(header):
        extra = len(values) - len(header)
        return RawRow(
            source, row_number, values,
            f"{extra} more value{'s' if extra > 1 else ''} than columns; check delimiters and quotes",
        )  # fmt: skip
    data = dict(zip(header, values, strict=False))
    if len(values) < len(header):
        # A short row is a cut-off line or a lost delimiter, not empty cells (a spreadsheet
        # writes those as ',,'): importing it would store a made-up stock or a blank field. Its
        # values stay a dict, so the SKU it names keeps that product's last good version.
        absent = header[len(values) :]
        return RawRow(
            source, row_number, data,
            f"{len(absent)} fewer value{'s' if len(absent) > 1 else ''} than columns (no"
            f" {', '.join(absent)[:120]}); check delimiters and quotes (an empty cell still needs"
            " its delimiter)",
        )  # fmt: skip
    return RawRow(source, row_number, data)


def _sniff_dialect(text: str) -> type[csv.Dialect]:
    """Standard CSV quoting with the delimiter the header line uses.

    Only the delimiter is taken from the sniffer: on an unquoted header it also guesses
    ``doublequote=False``, which would misread every field that contains a quote.
    """
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return type("SniffedDialect", (csv.excel,), {"delimiter": delimiter})


def _json_items(text: str, source: str) -> list[Any]:
    """The list of product objects a JSON file holds (a list, or ``{"products": [...]}``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            f"{source} is not valid JSON ({error.msg} at line {error.lineno})"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("products"), list):
        data = data["products"]
    if not isinstance(data, list):
        raise FileProblem(
            f"{source} holds a JSON {type(data).__name__}; it must be a list of product objects"
        )
    return data


def _json_rows(items: list[Any], source: str) -> Iterator[RawRow]:
    for index, item in enumerate(items, start=1):
        yield RawRow(source, index, item)


def _jsonl_rows(text: str, source: str) -> Iterator[RawRow]:
    for index, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield RawRow(source, index, json.loads(line))
        except json.JSONDecodeError as error:
            yield RawRow(source, index, line, f"line is not valid JSON ({error.msg})")


def read_document(path: Path, source: str, label: str | None = None) -> list[DocumentChunk]:
    """Read a Markdown document and split it into passages by its headings.

    ``source`` is the document's path as stored and shown; ``label`` names the file in messages.
    """
    label = label or source
    text, _ = read_text(path)
    junk = len(_CONTROL.findall(text)) + text.count("\ufffd")
    if junk > max(8, len(text) // 50):
        raise FileProblem(f"{label} looks like binary data, not Markdown; re-save it as UTF-8 text")
    text = _CONTROL.sub("", text)
    if not text.strip():
        raise FileProblem(f"{label} is empty; add some text or remove the file")
    title = _title(text, path)
    chunks = [
        DocumentChunk(source, title, heading, index, body)
        for index, (heading, body) in enumerate(_sections(text))
    ]
    if not chunks:
        raise FileProblem(f"{label} has no text, only headings; add some text or remove the file")
    return chunks


def _title(text: str, path: Path) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").replace("_", " ").capitalize()


def _sections(text: str) -> list[tuple[str, str]]:
    sections: list[tuple[str, str]] = []
    heading, lines = "", list[str]()
    for line in text.splitlines():
        if re.match(r"^#{1,3} ", line):
            sections.extend(_split_long(heading, "\n".join(lines)))
            heading, lines = line.lstrip("#").strip(), []
        else:
            lines.append(line)
    sections.extend(_split_long(heading, "\n".join(lines)))
    return sections


def _split_long(heading: str, body: str) -> list[tuple[str, str]]:
    """Split a section into passages of at most ~CHUNK_CHARS, on paragraph boundaries."""
    paragraphs = [
        piece for p in re.split(r"\n\s*\n", body) if p.strip() for piece in _pieces(p.strip())
    ]
    passages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        if current and len(current) + len(paragraph) > CHUNK_CHARS:
            passages.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}".strip()
    if current:
        passages.append(current)
    return [(heading, passage) for passage in passages]


def _pieces(paragraph: str) -> list[str]:
    """Cut an over-long paragraph at word boundaries so no passage is dropped or truncated."""
    pieces: list[str] = []
    while len(paragraph) > CHUNK_CHARS:
        cut = paragraph.rfind(" ", 0, CHUNK_CHARS)
        cut = cut if cut > CHUNK_CHARS // 2 else CHUNK_CHARS
        pieces.append(paragraph[:cut].strip())
        paragraph = paragraph[cut:].strip()
    return [*pieces, paragraph] if paragraph else pieces
