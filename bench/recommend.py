"""Benchmark recommendations on the demo customers: the blend against two baselines, same run.

Each consenting customer with at least two baskets (a basket is what they bought at one time)
has their last basket held out. The recommender is rebuilt from every other purchase, and each
method ranks ten products from the customer's remaining history (and browsing before that
basket). hit-rate@10 is the share of customers with at least one held-out product in their ten;
recall@10 is the share of held-out products found, averaged over customers.

Out-of-stock products are allowed here: they were in stock when the basket was bought.
``--split validation`` holds out the second-to-last basket instead (and drops the last): the
blend's weights were chosen on that split, never on the test split.

Usage: ``.venv/bin/python bench/recommend.py [--split test|validation] [--database FILE]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import sqlite_utils

from localbot.catalogue.ingest import ingest_paths
from localbot.config import load_settings
from localbot.customers.importer import import_customer_files
from localbot.customers.profiles import CustomerHistory
from localbot.customers.recommend import (
    STRATEGIES,
    Catalogue,
    Recommender,
    hit_rate_and_recall,
    load_purchases,
)
from localbot.customers.validation import BrowsingEvent, Purchase
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.paths import knowledge_dir

K = 10


def main() -> None:
    """Prepare a database with the demo store and customers, score each method, print RESULT."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["test", "validation"], default="test")
    parser.add_argument("--database", type=Path, help="an ingested database to copy from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        db = prepare(Path(home), args.database)
        started = time.perf_counter()
        scores, customers = evaluate(db, args.split)
        elapsed = time.perf_counter() - started
    report(scores, customers, args.split, elapsed)


def prepare(home: Path, source: Path | None) -> sqlite_utils.Database:
    """A fresh database: the demo catalogue (real embeddings) and the demo customers."""
    settings = load_settings(env={"LOCALBOT_HOME": str(home)})
    if source:
        settings.database_path.write_bytes(source.read_bytes())
    db = open_database(settings.database_path)
    if not source:
        ingest_paths(db, [knowledge_dir() / "products"], Embedder())
    import_customer_files(db, [knowledge_dir() / "customers"])
    return db


def evaluate(
    db: sqlite_utils.Database, split: str
) -> tuple[dict[str, list[tuple[float, float]]], int]:
    """Per method, (hit, recall) for every evaluated customer."""
    consenting = {
        r[0] for r in db.execute("SELECT id FROM customers WHERE consent_personalisation")
    }
    purchases = load_purchases(db)
    events = _events(db)
    train, held_out, cutoffs = split_baskets(purchases, consenting, split)
    engine = Recommender(Catalogue.from_database(db), train)
    mine: dict[str, list[Purchase]] = defaultdict(list)
    for line in train:
        mine[line.customer_id].append(line)
    scores: dict[str, list[tuple[float, float]]] = {strategy: [] for strategy in STRATEGIES}
    for customer, relevant in held_out.items():
        seen = tuple(e for e in events[customer] if e.occurred_at < cutoffs[customer])
        history = CustomerHistory(customer, tuple(mine[customer]), seen)
        for strategy in STRATEGIES:
            ranked = engine.recommend(history, K, include_out_of_stock=True, strategy=strategy)
            scores[strategy].append(hit_rate_and_recall([r.sku for r in ranked], relevant))
    return scores, len(held_out)


def split_baskets(
    purchases: list[Purchase], consenting: set[str], split: str
) -> tuple[list[Purchase], dict[str, set[str]], dict[str, str]]:
    """(training lines, held-out SKUs per customer, held-out basket time per customer)."""
    times: dict[str, list[str]] = defaultdict(list)
    for line in purchases:
        if line.purchased_at not in times[line.customer_id]:
            times[line.customer_id].append(line.purchased_at)
    back = 1 if split == "test" else 2
    cutoffs = {
        customer: moments[-back]
        for customer, moments in times.items()
        if customer in consenting and len(moments) >= back + 1
    }
    train, held_out = [], defaultdict(set)
    for line in purchases:
        cutoff = cutoffs.get(line.customer_id)
        if cutoff is not None and line.purchased_at == cutoff:
            held_out[line.customer_id].add(line.sku)
        elif cutoff is None or line.purchased_at < cutoff:
            train.append(line)
    return train, dict(held_out), cutoffs


def _events(db: sqlite_utils.Database) -> dict[str, list[BrowsingEvent]]:
    events: dict[str, list[BrowsingEvent]] = defaultdict(list)
    for row in db.execute(
        "SELECT customer_id, sku, kind, occurred_at FROM customer_events ORDER BY occurred_at"
    ):
        events[row[0]].append(BrowsingEvent(*row))
    return events


def report(
    scores: dict[str, list[tuple[float, float]]], customers: int, split: str, elapsed: float
) -> None:
    """A table, the ratios against each baseline, and the RESULT line."""
    means = {
        strategy: (statistics.mean(h for h, _ in pairs), statistics.mean(r for _, r in pairs))
        for strategy, pairs in scores.items()
    }
    print(f"{customers} consenting customers, last basket held out ({split} split), k={K};"
          f" {elapsed:.1f} s")  # fmt: skip
    print(f"{'method':<14}{'hit-rate@10':>12}{'recall@10':>11}")
    for strategy in ("popularity", "cooccurrence", "blend"):
        hit, recall = means[strategy]
        print(f"{strategy:<14}{hit:>12.3f}{recall:>11.3f}")
    blend = means["blend"]
    for baseline in ("popularity", "cooccurrence"):
        hit, recall = means[baseline]
        print(
            f"blend / {baseline}: hit-rate x{blend[0] / hit:.2f}, recall x{blend[1] / recall:.2f}"
        )
    figures = " ".join(
        f"{strategy}_hit@10={means[strategy][0]:.3f} {strategy}_recall@10={means[strategy][1]:.3f}"
        for strategy in ("blend", "popularity", "cooccurrence")
    )
    print(f"RESULT split={split} customers={customers} {figures}")


if __name__ == "__main__":
    main()
