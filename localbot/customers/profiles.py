"""Reading customers: search by name or loyalty number, profiles, consent, purchase histories.

:class:`CustomerStore` is the only way in: it cannot be built in kiosk mode, so a kiosk never
reads a customer row. Contact details are never read here; only ``export --customer`` shows them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from localbot.customers.validation import BrowsingEvent, Purchase
from localbot.db import get_meta, set_meta, write_transaction

KIOSK_REFUSAL = "customer data is not available in kiosk mode; use a staff terminal"
NO_CONSENT = "has not agreed to personalised suggestions, so nothing personal is used"
# Without consent, staff tools show who a customer is and nothing about what they buy.
SUMMARY_COLUMNS = (
    "c.id, c.display_name, c.loyalty_number, c.consent_personalisation, c.created_at,"
    " CASE WHEN c.consent_personalisation THEN"
    " (SELECT count(*) FROM customer_purchases p WHERE p.customer_id = c.id) END,"
    " CASE WHEN c.consent_personalisation THEN"
    " (SELECT max(purchased_at) FROM customer_purchases p WHERE p.customer_id = c.id) END"
)


class CustomerError(ValueError):
    """A customer request cannot be met (unknown id, kiosk mode); the message says why."""


@dataclass(frozen=True)
class CustomerSummary:
    """One line of a customer list: who, their loyalty number, consent and activity."""

    id: str
    display_name: str
    loyalty_number: str | None
    consent: bool
    created_at: str
    purchases: int | None  # None without consent
    last_purchase: str | None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return asdict(self)


@dataclass(frozen=True)
class PastPurchase:
    """A purchase as a profile shows it, with the product's current name."""

    sku: str
    name: str
    category: str
    brand: str
    quantity: int
    price: float
    purchased_at: str


@dataclass(frozen=True)
class CustomerProfile:
    """What a staff panel shows about a customer; preferences only when they consented."""

    summary: CustomerSummary
    personalised: bool
    note: str = ""
    favourite_categories: list[tuple[str, float]] = field(default_factory=list)
    favourite_brands: list[tuple[str, float]] = field(default_factory=list)
    recent_purchases: list[PastPurchase] = field(default_factory=list)
    total_spent: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the UI."""
        data = asdict(self)
        data["favourite_categories"] = [
            {"name": n, "share": s} for n, s in self.favourite_categories
        ]
        data["favourite_brands"] = [{"name": n, "share": s} for n, s in self.favourite_brands]
        return data


@dataclass(frozen=True)
class CustomerHistory:
    """A customer's purchases and browsing events, oldest first (the recommender's input)."""

    customer_id: str
    purchases: tuple[Purchase, ...] = ()
    events: tuple[BrowsingEvent, ...] = ()


def refuse_in_kiosk(mode: str) -> None:
    """Raise :class:`CustomerError` when ``mode`` is kiosk: customer data never loads there."""
    if mode == "kiosk":
        raise CustomerError(KIOSK_REFUSAL)


class CustomerStore:
    """Customer reads and consent changes on one database, for staff mode only."""

    def __init__(self, db: sqlite_utils.Database, mode: str) -> None:
        refuse_in_kiosk(mode)
        self.db = db

    def find(self, text: str, limit: int = 20) -> list[CustomerSummary]:
        """Customers whose name contains ``text`` or whose loyalty number or id starts with it.

        Loyalty numbers match without their spaces and dashes: 'rl 401193' finds RL-401193.
        """
        text = " ".join(text.split())
        if not text:
            return self.list_all(limit)
        pattern = _like_escape(text)
        loyalty = _like_escape(re.sub(r"[\s-]", "", text).upper())
        rows = self.db.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM customers c WHERE c.display_name LIKE ? ESCAPE '\\'"
            " OR replace(c.loyalty_number, '-', '') LIKE ? ESCAPE '\\' OR c.id LIKE ? ESCAPE '\\'"
            " ORDER BY c.display_name COLLATE NOCASE, c.id LIMIT ?",
            [f"%{pattern}%", f"{loyalty}%", f"{pattern}%", limit],
        ).fetchall()
        return [_summary(row) for row in rows]

    def list_all(self, limit: int | None = None) -> list[CustomerSummary]:
        """All customers by name (the first ``limit`` if given)."""
        rows = self.db.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM customers c ORDER BY c.display_name COLLATE NOCASE,"
            " c.id LIMIT ?",
            [-1 if limit is None else limit],
        ).fetchall()
        return [_summary(row) for row in rows]

    def count(self) -> int:
        """Number of customers stored."""
        return int(self.db.execute("SELECT count(*) FROM customers").fetchone()[0])

    def get(self, customer_id: str) -> CustomerSummary:
        """The customer with this id, or :class:`CustomerError` naming how to find one."""
        row = self.db.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM customers c WHERE c.id = ?", [customer_id]
        ).fetchone()
        if row is None:
            raise CustomerError(_unknown(customer_id))
        return _summary(row)

    def identity(self, customer_id: str) -> tuple[str, bool]:
        """(display name, consent) of a customer; reads nothing about what they buy."""
        row = self.db.execute(
            "SELECT display_name, consent_personalisation FROM customers WHERE id = ?",
            [customer_id],
        ).fetchone()
        if row is None:
            raise CustomerError(_unknown(customer_id))
        return row[0], bool(row[1])

    def consented(self, customer_id: str) -> bool:
        """Whether the customer agreed to personalised suggestions (False if unknown)."""
        row = self.db.execute(
            "SELECT consent_personalisation FROM customers WHERE id = ?", [customer_id]
        ).fetchone()
        return bool(row and row[0])

    def set_consent(self, customer_id: str, consent: bool) -> CustomerSummary:
        """Record that the customer gave or withdrew consent; returns the updated summary."""
        self.get(customer_id)
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE customers SET consent_personalisation = ? WHERE id = ?",
                [int(consent), customer_id],
            )
            set_meta(
                self.db,
                "customers_version",
                str(int(get_meta(self.db, "customers_version", "0")) + 1),
            )
        return self.get(customer_id)

    def history(self, customer_id: str) -> CustomerHistory:
        """Purchases and browsing events of one customer, oldest first."""
        purchases = self.db.execute(
            "SELECT customer_id, sku, quantity, price, purchased_at FROM customer_purchases"
            " WHERE customer_id = ? ORDER BY purchased_at, id",
            [customer_id],
        ).fetchall()
        events = self.db.execute(
            "SELECT customer_id, sku, kind, occurred_at FROM customer_events"
            " WHERE customer_id = ? ORDER BY occurred_at, id",
            [customer_id],
        ).fetchall()
        return CustomerHistory(
            customer_id,
            tuple(Purchase(*row) for row in purchases),
            tuple(BrowsingEvent(*row) for row in events),
        )

    def profile(self, customer_id: str, recent: int = 8) -> CustomerProfile:
        """The staff panel's view; without consent only who they are, nothing about their buying."""
        summary = self.get(customer_id)
        if not summary.consent:
            return CustomerProfile(
                summary, personalised=False, note=f"{summary.display_name} {NO_CONSENT}"
            )
        return CustomerProfile(
            summary,
            personalised=True,
            favourite_categories=self._shares(customer_id, "category"),
            favourite_brands=self._shares(customer_id, "brand"),
            recent_purchases=self._recent(customer_id, recent),
            total_spent=self._spent(customer_id),
        )

    def _shares(self, customer_id: str, column: str, top: int = 3) -> list[tuple[str, float]]:
        """The customer's top categories or brands by share of the distinct products bought."""
        rows = self.db.execute(
            f"SELECT p.{column}, count(DISTINCT cp.sku) FROM customer_purchases cp"
            f" JOIN products p ON p.sku = cp.sku WHERE cp.customer_id = ? AND p.{column} != ''"
            f" GROUP BY p.{column} ORDER BY 2 DESC, 1",
            [customer_id],
        ).fetchall()
        total = sum(count for _, count in rows) or 1
        return [(name, round(count / total, 3)) for name, count in rows[:top]]

    def _recent(self, customer_id: str, limit: int) -> list[PastPurchase]:
        rows = self.db.execute(
            "SELECT cp.sku, coalesce(p.name, cp.sku), coalesce(p.category, ''),"
            " coalesce(p.brand, ''), cp.quantity, cp.price, cp.purchased_at"
            " FROM customer_purchases cp LEFT JOIN products p ON p.sku = cp.sku"
            " WHERE cp.customer_id = ? ORDER BY cp.purchased_at DESC, cp.id DESC LIMIT ?",
            [customer_id, limit],
        ).fetchall()
        return [PastPurchase(*row) for row in rows]

    def _spent(self, customer_id: str) -> float:
        row = self.db.execute(
            "SELECT coalesce(sum(quantity * price), 0) FROM customer_purchases WHERE customer_id = ?",
            [customer_id],
        ).fetchone()
        return round(float(row[0]), 2)


def session_link(db: sqlite_utils.Database, session_id: str) -> tuple[str, str | None] | None:
    """(mode, customer id) of a stored session, or None if there is no such session."""
    row = db.execute("SELECT mode, customer_id FROM sessions WHERE id = ?", [session_id]).fetchone()
    return (row[0], row[1]) if row else None


def link_session(db: sqlite_utils.Database, session_id: str, customer_id: str) -> None:
    """Attach a customer to a session that has none, so ``forget --customer`` finds its turns."""
    with write_transaction(db):
        db.execute(
            "UPDATE sessions SET customer_id = ? WHERE id = ? AND customer_id IS NULL",
            [customer_id, session_id],
        )


def _unknown(customer_id: str) -> str:
    return f"no customer {customer_id!r}; find one with 'localbot customers list'"


def _summary(row: tuple[Any, ...]) -> CustomerSummary:
    customer_id, name, loyalty, consent, created, purchases, last = row
    return CustomerSummary(customer_id, name, loyalty, bool(consent), created, purchases, last)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
