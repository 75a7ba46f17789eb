"""Recommendations: co-occurrence, similarity to a customer's history and popularity, blended.

- **Bought together**: item-item co-occurrence over all customers' purchases, cosine-normalised
  so best-sellers do not pair with everything. A pair counts only when at least
  ``MIN_PAIR_CUSTOMERS`` different customers bought both: it denoises, and "bought together with"
  can never point at one other person's basket.
- **Your history**: cosine to the centroid of the customer's product embeddings, their share of
  purchases per category and per brand, consumables they buy again, and products they looked at.
- **Popular**: distinct buyers per product; the whole answer for a customer with no history.

Each component is scaled to 0..1 over the candidates and weighted; the largest contributions
become the item's reasons. Products the customer owns are excluded unless consumable; products
out of stock are excluded unless asked for.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sqlite_utils

from localbot.customers.profiles import CustomerHistory
from localbot.customers.validation import Purchase
from localbot.embeddings import DIMENSIONS

if TYPE_CHECKING:
    from numpy.typing import NDArray

Strategy = Literal["blend", "cooccurrence", "popularity"]
STRATEGIES: tuple[Strategy, ...] = ("blend", "cooccurrence", "popularity")
MIN_PAIR_CUSTOMERS = 2
# Pairs bought in the same basket say more than pairs bought by the same person months apart.
BASKET_BONUS = 0.5
# An order's weight halves about every two orders back: recent needs predict the next basket.
RECENCY_DECAY = 0.7
EVENT_WEIGHTS = {"view": 0.25, "wishlist": 0.6, "cart": 0.6}
# Blend weights, chosen on a validation split (each customer's second-to-last order), never on
# the last order that bench/recommend.py scores.
WEIGHTS = {"together": 0.35, "history": 0.50, "popular": 0.15}
HISTORY_PARTS = {"similar": 0.30, "category": 0.25, "brand": 0.15, "again": 0.35, "looked": 0.20}
# Below these a reason is too weak to tell the customer.
REASON_MIN = 0.02
BRAND_MIN_SHARE = 0.25
SIMILAR_MIN_COSINE = 0.55


@dataclass(frozen=True)
class Recommendation:
    """One suggested product, its facts from the database and why it is suggested."""

    sku: str
    name: str
    brand: str
    category: str
    price: float
    currency: str
    stock: int
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {**asdict(self), "score": round(self.score, 4)}


@dataclass
class Catalogue:
    """Products as arrays indexed alike: facts, stock, consumable flags and embeddings."""

    skus: list[str]
    names: list[str]
    brands: list[str]
    categories: list[str]
    prices: list[float]
    currencies: list[str]
    stock: NDArray[np.int64]
    consumable: NDArray[np.bool_]
    vectors: NDArray[np.float32]
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {sku: i for i, sku in enumerate(self.skus)}

    def __len__(self) -> int:
        return len(self.skus)

    @classmethod
    def from_database(cls, db: sqlite_utils.Database) -> Catalogue:
        """Load every product and its stored vector (a zero vector if not embedded yet)."""
        rows = db.execute(
            "SELECT sku, name, brand, category, price, currency, stock, attributes FROM products"
            " ORDER BY sku"
        ).fetchall()
        vectors = np.zeros((len(rows), DIMENSIONS), dtype=np.float32)
        index = {row[0]: i for i, row in enumerate(rows)}
        for ref, blob in db.execute(
            "SELECT ref, embedding FROM search_items WHERE kind = 'product' AND embedding IS NOT NULL"
        ):
            if ref in index:
                vectors[index[ref]] = np.frombuffer(blob, dtype="<f4")
        return cls(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
            [r[4] for r in rows], [r[5] for r in rows],
            np.array([r[6] for r in rows], dtype=np.int64),
            np.array([_consumable(r[7]) for r in rows], dtype=np.bool_), vectors,
        )  # fmt: skip


def _consumable(attributes: str) -> bool:
    try:
        return json.loads(attributes).get("consumable") is True
    except (json.JSONDecodeError, AttributeError):
        return False


def load_purchases(db: sqlite_utils.Database) -> list[Purchase]:
    """Every stored purchase line, oldest first (the co-occurrence model's input)."""
    rows = db.execute(
        "SELECT customer_id, sku, quantity, price, purchased_at FROM customer_purchases"
        " ORDER BY purchased_at, id"
    ).fetchall()
    return [Purchase(*row) for row in rows]


@dataclass
class Signals:
    """One customer's history as per-product arrays (what scoring and explanations read)."""

    weights: NDArray[np.float64]  # purchase weight per product (recency-decayed)
    orders: NDArray[np.float64]  # number of orders that included the product
    looked: NDArray[np.float64]  # browsing interest per product
    looked_kind: dict[int, str]
    last_bought: dict[int, str]

    @property
    def owned(self) -> NDArray[np.bool_]:
        """Products the customer has bought."""
        return self.orders > 0

    @property
    def empty(self) -> bool:
        """No purchases and no browsing: nothing personal to go on."""
        return not self.orders.any() and not self.looked.any()


class Recommender:
    """The co-occurrence and popularity model over all purchases, and per-customer scoring."""

    def __init__(self, catalogue: Catalogue, purchases: Sequence[Purchase]) -> None:
        self.catalogue = catalogue
        self.buyers = np.zeros(len(catalogue))
        self.together = self._cooccurrence(purchases)

    @classmethod
    def from_database(cls, db: sqlite_utils.Database) -> Recommender:
        """Build from the stored catalogue and every stored purchase."""
        return cls(Catalogue.from_database(db), load_purchases(db))

    def _cooccurrence(self, purchases: Sequence[Purchase]) -> NDArray[np.float64]:
        n = len(self.catalogue)
        people: dict[str, set[int]] = defaultdict(set)
        baskets: dict[tuple[str, str], set[int]] = defaultdict(set)
        for line in purchases:
            if (item := self.catalogue.index.get(line.sku)) is not None:
                people[line.customer_id].add(item)
                baskets[(line.customer_id, line.purchased_at)].add(item)
        pairs, basket_pairs = np.zeros((n, n)), np.zeros((n, n))
        for items in people.values():
            idx = np.fromiter(items, dtype=np.int64)
            pairs[np.ix_(idx, idx)] += 1
            self.buyers[idx] += 1
        for items in baskets.values():
            idx = np.fromiter(items, dtype=np.int64)
            basket_pairs[np.ix_(idx, idx)] += 1
        np.fill_diagonal(pairs, 0)
        pairs[pairs < MIN_PAIR_CUSTOMERS] = 0
        combined = pairs + BASKET_BONUS * np.where(pairs > 0, basket_pairs, 0)
        norm = np.sqrt(np.outer(self.buyers, self.buyers))
        return np.divide(combined, norm, out=np.zeros_like(combined), where=norm > 0)

    # --- one customer ---------------------------------------------------------------------------

    def recommend(
        self,
        history: CustomerHistory | None,
        limit: int = 10,
        include_out_of_stock: bool = False,
        strategy: Strategy = "blend",
    ) -> list[Recommendation]:
        """Up to ``limit`` products for a customer (None: no personal data, popularity only)."""
        signals = self.signals(history)
        parts = self._parts(signals, strategy)
        total = sum(parts.values(), np.zeros(len(self.catalogue)))
        allowed = self._allowed(signals, include_out_of_stock) & (total > 0)
        order = [i for i in np.argsort(-total, kind="stable") if allowed[i]][:limit]
        return [self._item(int(i), float(total[i]), parts, signals) for i in order]

    def signals(self, history: CustomerHistory | None) -> Signals:
        """Per-product arrays of a customer's purchases (recency-weighted) and browsing."""
        n = len(self.catalogue)
        signals = Signals(np.zeros(n), np.zeros(n), np.zeros(n), {}, {})
        if history is None:
            return signals
        times = sorted({p.purchased_at for p in history.purchases}, reverse=True)
        age = {moment: rank for rank, moment in enumerate(times)}
        for line in history.purchases:
            if (i := self.catalogue.index.get(line.sku)) is not None:
                signals.weights[i] = max(
                    signals.weights[i], RECENCY_DECAY ** age[line.purchased_at]
                )
                signals.orders[i] += 1
                signals.last_bought[i] = line.purchased_at
        for event in history.events:
            if (i := self.catalogue.index.get(event.sku)) is not None:
                if EVENT_WEIGHTS[event.kind] >= signals.looked[i]:
                    signals.looked_kind[i] = event.kind
                signals.looked[i] = max(signals.looked[i], EVENT_WEIGHTS[event.kind])
        return signals

    def affinity(self, signals: Signals) -> NDArray[np.float64]:
        """0..1 per product: how well it fits the customer's categories, brands and taste."""
        if signals.empty:
            return np.zeros(len(self.catalogue))
        history = self._history_parts(signals)
        keys = ("similar", "category", "brand")
        score = sum((HISTORY_PARTS[k] * history[k] for k in keys), np.zeros(len(self.catalogue)))
        return score / sum(HISTORY_PARTS[k] for k in keys)

    def complements(
        self, signals: Signals, anchors: Sequence[str], limit: int = 2
    ) -> list[tuple[str, str]]:
        """(sku, anchor sku) pairs: in-stock products often bought with ``anchors``, not owned."""
        idx = [self.catalogue.index[s] for s in anchors if s in self.catalogue.index]
        if not idx:
            return []
        scores = self.together[idx]
        best = scores.max(axis=0)
        allowed = self._allowed(signals, include_out_of_stock=False) & (best > 0)
        allowed[idx] = False
        order = [i for i in np.argsort(-best, kind="stable") if allowed[i]][:limit]
        return [(self.catalogue.skus[i], self.catalogue.skus[idx[int(scores[:, i].argmax())]])
                for i in order]  # fmt: skip

    def _allowed(self, signals: Signals, include_out_of_stock: bool) -> NDArray[np.bool_]:
        allowed = ~signals.owned | self.catalogue.consumable
        if not include_out_of_stock:
            allowed &= self.catalogue.stock > 0
        return allowed

    def _parts(self, signals: Signals, strategy: Strategy) -> dict[str, NDArray[np.float64]]:
        """Each component's weighted contribution per product."""
        popular = _scaled(np.log1p(self.buyers))
        if strategy == "popularity" or signals.empty:
            return {"popular": popular}
        together = _scaled(signals.weights @ self.together)
        if strategy == "cooccurrence":
            return {"together": together}
        parts = {
            "together": WEIGHTS["together"] * together,
            "popular": WEIGHTS["popular"] * popular,
        }
        for name, values in self._history_parts(signals).items():
            parts[name] = WEIGHTS["history"] * HISTORY_PARTS[name] * values
        return parts

    def _history_parts(self, signals: Signals) -> dict[str, NDArray[np.float64]]:
        interest = signals.weights + signals.looked
        return {
            "similar": self._similar(interest),
            "category": _share_of(interest, self.catalogue.categories),
            "brand": _share_of(interest, self.catalogue.brands),
            "again": np.where(self.catalogue.consumable, np.minimum(signals.orders / 3, 1), 0.0),
            "looked": np.where(signals.owned, 0.0, signals.looked / max(EVENT_WEIGHTS.values())),
        }

    def _similar(self, interest: NDArray[np.float64]) -> NDArray[np.float64]:
        """Cosine to the history's centroid, stretched so the median product scores 0."""
        centroid = interest @ self.catalogue.vectors
        length = float(np.linalg.norm(centroid))
        if length == 0:
            return np.zeros(len(self.catalogue))
        cosine = self.catalogue.vectors @ (centroid / length)
        median, top = float(np.median(cosine)), float(cosine.max())
        return np.clip((cosine - median) / max(top - median, 1e-6), 0.0, 1.0)

    # --- explanations ---------------------------------------------------------------------------

    def _item(
        self, i: int, score: float, parts: dict[str, NDArray[np.float64]], signals: Signals
    ) -> Recommendation:
        c = self.catalogue
        ranked = sorted(((values[i], name) for name, values in parts.items()), reverse=True)
        names = [name for value, name in ranked if value >= REASON_MIN]
        if signals.owned[i] and "again" in names:
            names.insert(0, "again")  # staff first need to know it is a re-buy
        reasons = [self._reason(name, i, signals) for name in names]
        reasons = [reason for reason in dict.fromkeys(reasons) if reason][:2]
        return Recommendation(c.skus[i], c.names[i], c.brands[i], c.categories[i], c.prices[i],
                              c.currencies[i], int(c.stock[i]), score,
                              reasons or ["popular with other customers"])  # fmt: skip

    def _reason(self, part: str, i: int, signals: Signals) -> str:
        c = self.catalogue
        if part == "together":
            source = int(np.argmax(signals.weights * self.together[:, i]))
            return f"bought together with {c.names[source]}"
        if part == "again":
            times = int(signals.orders[i])
            return f"you buy this regularly ({times} times, last on {signals.last_bought[i][:10]})"
        if part == "looked":
            return {"view": "you looked at it", "wishlist": "on your wishlist",
                    "cart": "you put it in your basket"}[signals.looked_kind.get(i, "view")]  # fmt: skip
        if part == "brand":
            share = _share_of(signals.weights, c.brands, raw=True)[i]
            return f"you like brand {c.brands[i]}" if share >= BRAND_MIN_SHARE else ""
        if part == "category":
            return f"you often buy {c.categories[i]}"
        if part == "similar":
            return self._similar_reason(i, signals)
        return "popular with other customers"

    def _similar_reason(self, i: int, signals: Signals) -> str:
        owned = np.flatnonzero(signals.owned)
        if len(owned) == 0:
            return ""
        cosine = self.catalogue.vectors[owned] @ self.catalogue.vectors[i]
        best = int(np.argmax(cosine))
        if cosine[best] < SIMILAR_MIN_COSINE:
            return ""
        return f"similar to your {self.catalogue.names[owned[best]]}"

    def explain(self, sku: str, signals: Signals) -> str:
        """The strongest personal reason a product fits a customer ('' if none is strong)."""
        i = self.catalogue.index.get(sku)
        if i is None or signals.empty:
            return ""
        parts = self._history_parts(signals)
        for name in sorted(("brand", "category", "similar"), key=lambda k: -parts[k][i]):
            if parts[name][i] >= 0.5 and (reason := self._reason(name, i, signals)):
                return reason
        return ""


def _scaled(values: NDArray[np.float64]) -> NDArray[np.float64]:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def _share_of(
    interest: NDArray[np.float64], labels: list[str], raw: bool = False
) -> NDArray[np.float64]:
    """Per product, the share of the customer's interest in its category or brand."""
    totals: dict[str, float] = defaultdict(float)
    for weight, label in zip(interest, labels, strict=True):
        if weight > 0 and label:
            totals[label] += float(weight)
    whole = sum(totals.values())
    if whole == 0:
        return np.zeros(len(labels))
    share = np.array([totals.get(label, 0.0) / whole for label in labels])
    return share if raw else _scaled(share)


def hit_rate_and_recall(ranked: Sequence[str], relevant: set[str]) -> tuple[float, float]:
    """(1 if any relevant item is ranked, share of relevant items ranked) for one customer."""
    found = len(relevant & set(ranked))
    return (1.0 if found else 0.0), (found / len(relevant) if relevant else math.nan)
