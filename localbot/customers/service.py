"""What the Assistant calls for customers: find, profile, recommend, and personalise a reply.

A reply for a consenting customer is personalised in three small ways: products that fit their
categories, brands and taste move up the retrieved list; the prompt gets one CUSTOMER line naming
at most two relevant past purchases and two complements (facts from the database); and cards
say why a product fits. Without consent none of that happens, and their purchases are not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlite_utils

from localbot.catalogue.search import Product, SearchResults
from localbot.customers.profiles import (
    NO_CONSENT,
    CustomerError,
    CustomerHistory,
    CustomerProfile,
    CustomerStore,
    CustomerSummary,
    link_session,
    refuse_in_kiosk,
    session_link,
)
from localbot.customers.recommend import Catalogue, Recommendation, Recommender, Signals
from localbot.db import get_meta

if TYPE_CHECKING:
    from numpy.typing import NDArray

# A perfect fit multiplies a product's retrieval score by 1.5: enough to reorder close
# candidates, never enough to lift an unrelated product over a relevant one.
RERANK_WEIGHT = 0.5
PAST_PURCHASES = 2
COMPLEMENTS = 2


@dataclass
class Recommendations:
    """Suggestions for one customer, and whether their own data shaped them."""

    customer: CustomerSummary
    personalised: bool
    note: str
    items: list[Recommendation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The ``localbot recommend --json`` object."""
        return {
            "customer_id": self.customer.id, "display_name": self.customer.display_name,
            "personalised": self.personalised, "note": self.note,
            "items": [item.as_dict() for item in self.items],
        }  # fmt: skip


@dataclass
class Personalisation:
    """How one reply used a customer's profile (nothing, when they did not consent)."""

    customer_id: str
    consented: bool
    note: str
    engine: Recommender | None = None
    signals: Signals | None = None
    history: CustomerHistory | None = None

    def card_reason(self, sku: str) -> str:
        """Why a shown product fits this customer ('' without consent or a strong reason)."""
        if self.engine is None or self.signals is None:
            return ""
        return self.engine.explain(sku, self.signals)

    def context_for(self, products: list[Product]) -> tuple[str, list[Product]]:
        """(the CUSTOMER prompt line, the complement products it names) for these products."""
        if self.engine is None or self.signals is None or self.history is None or not products:
            return "", []
        past = self._relevant_past(products)
        extra = self._complements(products)
        parts = []
        if past:
            parts.append("Bought before: " + ", ".join(past) + ".")
        if extra:
            goes = ", ".join(f"{p.name} (SKU {p.sku}): ${p.price:,.2f}" for p in extra)
            parts.append(f"Goes well with these: {goes}.")
        return (" ".join(parts), extra) if parts else ("", [])

    def _relevant_past(self, products: list[Product]) -> list[str]:
        """Past purchases in the same categories as the products, or bought with them."""
        assert self.engine is not None and self.history is not None
        catalogue = self.engine.catalogue
        shown = [catalogue.index[p.sku] for p in products if p.sku in catalogue.index]
        categories = {p.category for p in products}
        found: dict[str, str] = {}
        for line in reversed(self.history.purchases):  # most recent first
            i = catalogue.index.get(line.sku)
            if i is None or line.sku in found:
                continue
            if (
                catalogue.categories[i] in categories
                or self.engine.together[i, shown].max(initial=0) > 0
            ):
                found[line.sku] = f"{catalogue.names[i]} ({line.purchased_at[:7]})"
        return list(found.values())[:PAST_PURCHASES]

    def _complements(self, products: list[Product]) -> list[Product]:
        assert self.engine is not None and self.signals is not None
        catalogue = self.engine.catalogue
        anchors = [p.sku for p in products[:3]]
        pairs = self.engine.complements(self.signals, anchors, COMPLEMENTS)
        return [_product(catalogue, catalogue.index[sku]) for sku, _ in pairs
                if sku not in {p.sku for p in products}]  # fmt: skip


class CustomerService:
    """Customer features over one database; cannot be built in kiosk mode."""

    def __init__(self, db: sqlite_utils.Database, mode: str) -> None:
        self.store = CustomerStore(db, mode)
        self.db = db
        self._engine: Recommender | None = None
        self._engine_version = ""

    def recommender(self) -> Recommender:
        """The model over all purchases, rebuilt only after an ingest or a customer import."""
        version = f"{get_meta(self.db, 'index_version', '0')}/{get_meta(self.db, 'customers_version', '0')}"
        if self._engine is None or version != self._engine_version:
            self._engine = Recommender.from_database(self.db)
            self._engine_version = version
        return self._engine

    def find(self, text: str, limit: int = 20) -> list[CustomerSummary]:
        """Customers by part of their name, or the start of their loyalty number or id."""
        return self.store.find(text, limit)

    def profile(self, customer_id: str) -> CustomerProfile:
        """The staff panel's view of a customer."""
        return self.store.profile(customer_id)

    def recommend(
        self, customer_id: str, limit: int = 10, include_out_of_stock: bool = False
    ) -> Recommendations:
        """Suggestions for a customer; popular products only when they did not consent."""
        customer = self.store.get(customer_id)
        history = self.store.history(customer_id) if customer.consent else None
        items = self.recommender().recommend(history, limit, include_out_of_stock)
        if not customer.consent:
            note = f"{customer.display_name} {NO_CONSENT}: popular products only"
        elif not (history and history.purchases):
            note = f"no purchases stored for {customer.display_name} yet: popular products"
        else:
            note = f"for {customer.display_name}, from {len(history.purchases)} purchase lines"
        personalised = bool(customer.consent and history and (history.purchases or history.events))
        return Recommendations(customer, personalised, note, items)

    def personalise(self, customer_id: str, results: SearchResults) -> Personalisation:
        """Re-rank ``results`` by a consenting customer's affinity; nothing otherwise."""
        name, consent = self.store.identity(customer_id)
        if not consent:
            return Personalisation(customer_id, False, f"{name} {NO_CONSENT}")
        engine = self.recommender()
        history = self.store.history(customer_id)
        signals = engine.signals(history)
        rerank(results, engine.affinity(signals), engine.catalogue.index)
        note = f"personalised for {name}: products that fit their preferences moved up"
        return Personalisation(customer_id, True, note, engine, signals, history)


def rerank(results: SearchResults, affinity: NDArray[np.float64], index: dict[str, int]) -> None:
    """Multiply each product hit's score by 1 + RERANK_WEIGHT * affinity, then re-sort."""
    for hit in results.hits:
        if hit.product is not None and (i := index.get(hit.ref)) is not None:
            hit.score *= 1.0 + RERANK_WEIGHT * float(affinity[i])
    results.hits.sort(key=lambda hit: -hit.score)


def resolve_customer(
    db: sqlite_utils.Database, mode: str, session_id: str | None, customer_id: str | None
) -> str | None:
    """The customer a reply is for: given, or the session's; refused in kiosk mode.

    Reads only the sessions table unless a customer is involved, so a kiosk reply never
    touches customer data. A customer given for a session without one is linked to it, so
    ``forget --customer`` also erases that conversation.
    """
    link = session_link(db, session_id) if session_id else None
    session_mode, linked = link if link else (mode, None)
    customer = customer_id or linked
    if customer is None:
        return None
    refuse_in_kiosk(mode)
    refuse_in_kiosk(session_mode)
    if linked and customer_id and linked != customer_id:
        raise CustomerError(
            f"session {session_id} is with customer {linked}; start a new session for {customer_id}"
        )
    CustomerStore(db, mode).identity(customer)
    if session_id and link and not linked:
        link_session(db, session_id, customer)
    return customer


def _product(catalogue: Catalogue, i: int) -> Product:
    return Product(catalogue.skus[i], catalogue.names[i], catalogue.brands[i],
                   catalogue.categories[i], "", catalogue.prices[i], catalogue.currencies[i],
                   int(catalogue.stock[i]), {})  # fmt: skip
