"""Validation of customer, purchase and browsing-event rows: a clean record or a one-line reason.

Column names are matched loosely (``Display Name``, ``display-name`` and ``name`` all mean
``display_name``). Columns localbot does not use are dropped, not stored: an export from a till
system often carries addresses or birthdays that a shop assistant has no need to keep.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from localbot.catalogue.validation import RowError

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
LOYALTY_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,23}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
EVENT_KINDS = ("view", "wishlist", "cart")
MAX_NAME_CHARS = 80
MAX_QUANTITY = 1000
# Purchases before this are almost certainly a date-format mix-up (day and month swapped, 1900).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off", ""}

ALIASES = {
    "customer": "customer_id", "customer_number": "customer_id", "name": "display_name",
    "loyalty": "loyalty_number", "loyalty_card": "loyalty_number", "loyalty_no": "loyalty_number",
    "e_mail": "email", "mail": "email", "telephone": "phone", "phone_number": "phone",
    "consent": "consent_personalisation", "consent_personalization": "consent_personalisation",
    "personalisation": "consent_personalisation", "created": "created_at",
    "qty": "quantity", "unit_price": "price", "time": "at", "timestamp": "at", "date": "at",
    "purchased_at": "at", "occurred_at": "at", "event": "kind", "type": "kind",
}  # fmt: skip
CUSTOMER_FIELDS = ("id", "display_name", "loyalty_number", "email", "phone",
                   "consent_personalisation", "created_at")  # fmt: skip
PURCHASE_FIELDS = ("customer_id", "sku", "quantity", "price", "at")
EVENT_FIELDS = ("customer_id", "sku", "kind", "at")


@dataclass(frozen=True)
class Customer:
    """One validated customer. Contact details are optional and stored only when given."""

    id: str
    display_name: str
    consent_personalisation: bool
    created_at: str
    loyalty_number: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def content_hash(self) -> str:
        """Hash of every stored field; an unchanged row is skipped on re-import."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Purchase:
    """One line of a receipt: a customer bought ``quantity`` of ``sku`` at unit ``price``."""

    customer_id: str
    sku: str
    quantity: int
    price: float
    purchased_at: str


@dataclass(frozen=True)
class BrowsingEvent:
    """A customer viewed, wish-listed or put in the basket a product."""

    customer_id: str
    sku: str
    kind: str
    occurred_at: str


def canonical_row(raw: dict[str, Any]) -> dict[str, Any]:
    """Lower-case, underscore-separated column names with known aliases resolved."""
    row: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None:
            continue
        name = re.sub(r"[\s\-]+", "_", str(key).strip().lower())
        row.setdefault(ALIASES.get(name, name), value)
    return row


def record_kind(row: dict[str, Any]) -> str | None:
    """'customers', 'purchases' or 'events' from a canonical row's columns (None: cannot tell)."""
    if "sku" in row and "kind" in row:
        return "events"
    if "sku" in row:
        return "purchases"
    if "display_name" in row or "loyalty_number" in row:
        return "customers"
    return None


def unused_columns(row: dict[str, Any], kind: str) -> set[str]:
    """Columns of a canonical row that are not stored for ``kind`` (they are dropped)."""
    known = {"customers": CUSTOMER_FIELDS, "purchases": PURCHASE_FIELDS, "events": EVENT_FIELDS}
    return set(row) - set(known[kind])


def validate_customer(raw: dict[str, Any], now: datetime | None = None) -> Customer:
    """Return the clean customer for ``raw`` or raise :class:`RowError` saying what is wrong."""
    row = _object(raw, "customer")
    _require(row, ("id", "display_name"))
    return Customer(
        id=_identifier(row["id"], "id"),
        display_name=_name(row["display_name"]),
        consent_personalisation=_consent(row.get("consent_personalisation")),
        created_at=_timestamp(row.get("created_at"), "created_at", now, required=False),
        loyalty_number=_loyalty(row.get("loyalty_number")),
        email=_email(row.get("email")),
        phone=_phone(row.get("phone")),
    )


def validate_purchase(raw: dict[str, Any], now: datetime | None = None) -> Purchase:
    """Return the clean purchase line for ``raw`` or raise :class:`RowError`."""
    row = _object(raw, "purchase")
    _require(row, ("customer_id", "sku", "price", "at"))
    return Purchase(
        customer_id=_identifier(row["customer_id"], "customer_id"),
        sku=_sku(row["sku"]),
        quantity=_quantity(row.get("quantity")),
        price=_price(row["price"]),
        purchased_at=_timestamp(row["at"], "purchased_at", now),
    )


def validate_event(raw: dict[str, Any], now: datetime | None = None) -> BrowsingEvent:
    """Return the clean browsing event for ``raw`` or raise :class:`RowError`."""
    row = _object(raw, "browsing event")
    _require(row, ("customer_id", "sku", "kind", "at"))
    kind = str(row["kind"]).strip().lower()
    if kind not in EVENT_KINDS:
        raise RowError(f"event kind {kind[:20]!r} must be one of {', '.join(EVENT_KINDS)}")
    return BrowsingEvent(
        customer_id=_identifier(row["customer_id"], "customer_id"),
        sku=_sku(row["sku"]),
        kind=kind,
        occurred_at=_timestamp(row["at"], "occurred_at", now),
    )


def _object(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RowError(f"expected an object with {what} fields, got {type(raw).__name__}")
    return canonical_row(raw)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _require(row: dict[str, Any], names: tuple[str, ...]) -> None:
    missing = [_label(name) for name in names if _blank(row.get(name))]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise RowError(f"missing required field{plural}: {', '.join(missing)}")


def _label(name: str) -> str:
    return "time" if name == "at" else name


def _identifier(value: Any, name: str) -> str:
    text = str(value).strip()
    if not ID_PATTERN.match(text):
        raise RowError(f"{name} {text[:40]!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return text


def _sku(value: Any) -> str:
    sku = str(value).strip()
    if not SKU_PATTERN.match(sku):
        raise RowError(f"sku {sku[:40]!r} must be 1-64 letters, digits, '.', '_', '/' or '-'")
    return sku


def _name(value: Any) -> str:
    if not isinstance(value, str | int | float):
        raise RowError(f"display_name must be text, got {type(value).__name__}")
    name = " ".join(str(value).split())
    if len(name) > MAX_NAME_CHARS:
        raise RowError(f"display_name is {len(name)} characters; the limit is {MAX_NAME_CHARS}")
    return name


def _consent(value: Any) -> bool:
    """Consent must be given explicitly: a missing value means no."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(f"consent_personalisation {str(value)[:20]!r} must be yes or no")


def _loyalty(value: Any) -> str | None:
    if _blank(value):
        return None
    number = re.sub(r"\s+", "", str(value)).upper()
    if not LOYALTY_PATTERN.match(number):
        raise RowError(f"loyalty_number {number[:30]!r} must be 4-24 letters, digits or '-'")
    return number


def _email(value: Any) -> str | None:
    if _blank(value):
        return None
    email = str(value).strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise RowError("email is not an address like name@example.com")
    return email


def _phone(value: Any) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if re.search(r"[^\d\s()+.\-]", text) or not 7 <= len(digits) <= 15:
        raise RowError("phone must be 7-15 digits, optionally with +, spaces, dashes or brackets")
    return ("+" if text.startswith("+") else "") + digits


def _quantity(value: Any) -> int:
    if _blank(value):
        return 1
    try:
        number = float(str(value).strip())
    except ValueError:
        raise RowError(f"quantity {str(value)[:20]!r} must be a whole number >= 1") from None
    if isinstance(value, bool) or not number.is_integer() or not 1 <= number <= MAX_QUANTITY:
        raise RowError(f"quantity must be a whole number from 1 to {MAX_QUANTITY}, got {value!r}")
    return int(number)


def _price(value: Any) -> float:
    if isinstance(value, bool):
        raise RowError(f"price must be a number, got {value!r}")
    try:
        price = float(str(value).strip().removeprefix("$"))
    except ValueError:
        raise RowError(f"price {str(value)[:30]!r} is not a number (use 12.99)") from None
    if not math.isfinite(price) or price < 0:
        raise RowError(f"price must be a number >= 0, got {value!r}")
    return round(price, 2)


def _timestamp(value: Any, name: str, now: datetime | None, required: bool = True) -> str:
    """An ISO-8601 date or time as a UTC timestamp; times without a zone are taken as UTC."""
    now = now or datetime.now(UTC)
    if _blank(value):
        if required:
            raise RowError(f"{name} is empty")
        return now.isoformat(timespec="seconds")
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise RowError(
            f"{name} {str(value)[:30]!r} is not an ISO date or time (2025-03-14 or 2025-03-14T10:30)"
        ) from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment < EARLIEST or moment > now + timedelta(days=1):
        raise RowError(f"{name} {moment.date()} is not a plausible date (before 1990 or future)")
    return moment.isoformat(timespec="seconds")
