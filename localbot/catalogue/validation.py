"""Validation of product rows: each row becomes a clean :class:`Product` or a reason it cannot.

Rules: required fields present and non-empty, a SKU of a sane shape, a finite price >= 0, a known
ISO currency, a whole stock count >= 0, attributes as a JSON object. Columns a file has beyond the
known ones become attributes, so a store's spreadsheet needs no reshaping.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from localbot.text import strip_control

# ISO 4217 codes a shop is likely to price in; an unknown code is far more often a typo.
KNOWN_CURRENCIES = frozenset(
    "USD EUR GBP CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF JPY CNY HKD SGD INR ZAR MXN BRL".split()
)
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
CORE_FIELDS = ("sku", "name", "brand", "category", "description", "price", "currency", "stock")
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
MAX_TEXT_CHARS = 20_000


class RowError(ValueError):
    """A row cannot be imported; the message is the reason stored in the quarantine."""


@dataclass(frozen=True)
class Product:
    """One validated catalogue product."""

    sku: str
    name: str
    price: float
    currency: str
    stock: int
    brand: str = ""
    category: str = ""
    description: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Hash of everything stored about the product; unchanged rows are skipped on re-ingest."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def search_text(self) -> str:
        """The text indexed for keyword and vector search."""
        specs = "; ".join(
            f"{key.replace('_', ' ')}: {_spec(value)}" for key, value in self.attributes.items()
        )
        parts = [self.name, self.brand, self.category, self.description, specs]
        return ". ".join(part.strip() for part in parts if part and part.strip())


def _spec(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def validate_product(raw: dict[str, Any]) -> Product:
    """Return the clean product for ``raw`` or raise :class:`RowError` saying what is wrong."""
    if not isinstance(raw, dict):
        raise RowError(f"expected an object with product fields, got {type(raw).__name__}")
    row = {str(key).strip().lower(): value for key, value in raw.items() if key is not None}
    missing = [name for name in ("sku", "name", "price", "currency") if _blank(row.get(name))]
    if missing:
        raise RowError(
            f"missing required field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
        )
    return Product(
        sku=_sku(row["sku"]),
        name=_text(row["name"], "name"),
        price=_price(row["price"]),
        currency=_currency(row["currency"]),
        stock=_stock(row.get("stock")),
        brand=_text(row.get("brand"), "brand", required=False),
        category=_text(row.get("category"), "category", required=False),
        description=_text(row.get("description"), "description", required=False),
        attributes=_attributes(row),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sku(value: Any) -> str:
    sku = str(value).strip()
    if not SKU_PATTERN.match(sku):
        raise RowError(f"sku {sku[:40]!r} must be 1-64 letters, digits, '.', '_', '/' or '-'")
    return sku


def _text(value: Any, name: str, required: bool = True) -> str:
    if not _blank(value) and not isinstance(value, str | int | float):
        raise RowError(f"{name} must be text, got {type(value).__name__}")
    # Control characters and terminal escape sequences in a supplier's file must never reach a
    # screen; whitespace runs (including newlines) fold to one space.
    text = "" if _blank(value) else " ".join(strip_control(str(value), keep_newlines=False).split())
    if not text:
        # Checked after cleaning: a name of only escape codes would otherwise be stored as ''.
        if required:
            raise RowError(f"{name} is empty (or only control characters); give it some text")
        return ""
    if len(text) > MAX_TEXT_CHARS:
        raise RowError(f"{name} is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    return text


def _price(value: Any) -> float:
    if isinstance(value, bool):
        raise RowError(f"price must be a number, got {value!r}")
    if isinstance(value, int | float):
        price = float(value)
    else:
        text = str(value).strip()
        for symbol in CURRENCY_SYMBOLS:
            text = text.removeprefix(symbol).strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            price = float(text)
        except ValueError:
            raise RowError(f"price {str(value)[:30]!r} is not a number (use 12.99)") from None
    if not math.isfinite(price) or price < 0:
        raise RowError(f"price must be a number >= 0, got {value!r}")
    return round(price, 2)


def _currency(value: Any) -> str:
    text = str(value).strip()
    code = CURRENCY_SYMBOLS.get(text, text.upper())
    if code not in KNOWN_CURRENCIES:
        known = ", ".join(sorted(KNOWN_CURRENCIES))
        raise RowError(f"unknown currency {text[:10]!r}; use an ISO code such as {known}")
    return code


def _stock(value: Any) -> int:
    if _blank(value):
        # No stock column or an empty cell: none on hand. The schema keeps stock as a count
        # (NOT NULL), and "out of stock" for an unknown count never promises what may be gone.
        return 0
    if isinstance(value, bool):
        raise RowError(f"stock must be a whole number >= 0, got {value!r}")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise RowError(f"stock {str(value)[:20]!r} must be a whole number >= 0") from None
    if not number.is_integer() or number < 0:
        raise RowError(f"stock must be a whole number >= 0, got {value!r}")
    return int(number)


def _attributes(row: dict[str, Any]) -> dict[str, Any]:
    attributes = _parse_attributes(row.get("attributes"))
    for key, value in row.items():
        if key not in CORE_FIELDS and key != "attributes" and not _blank(value):
            attributes.setdefault(key, value)
    return attributes


def _parse_attributes(value: Any) -> dict[str, Any]:
    if _blank(value):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise RowError('attributes must be a JSON object like {"colour": "red"}') from None
    if not isinstance(value, dict):
        raise RowError(f"attributes must be an object, got {type(value).__name__}")
    return {str(key): item for key, item in value.items()}
