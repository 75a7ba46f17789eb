"""Ingest speed: products per second against bare `SentenceTransformer.encode`, and re-ingest.

A seeded synthetic catalogue (bench/catalogue_gen.py) is written as JSONL and imported with
`ingest_paths` and the real embedder into a fresh database. The baseline, in the same run, is
`SentenceTransformer.encode(texts, normalize_embeddings=True)` on exactly the texts localbot
embeds (the products' search texts), the same model and torch threads: the least any ingest
must spend. Then the unchanged catalogue is imported again (only hashes are compared).
Usage: `.venv/bin/python bench/ingest.py [--products N] [--rounds N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from catalogue_gen import DEFAULT_SEED, generate_products, write_jsonl

from localbot.catalogue.ingest import ingest_paths
from localbot.catalogue.validation import validate_product
from localbot.db import open_database
from localbot.embeddings import Embedder


def bare_encode_s(embedder: Embedder, texts: list[str]) -> float:
    """Seconds for sentence-transformers alone to embed ``texts`` (the whole list at once)."""
    embedder.embed(texts[:16])  # warm-up, and the same torch threads as a bulk ingest
    model = embedder._model
    started = time.perf_counter()
    model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - started


def ingest_s(folder: Path, database: Path, embedder: Embedder) -> tuple[float, int]:
    """Seconds to import ``folder`` into ``database``, and how many texts were embedded."""
    db = open_database(database)
    started = time.perf_counter()
    report = ingest_paths(db, [folder], embedder)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed, report.embedded


def one_round(rows: list[dict], texts: list[str], embedder: Embedder) -> dict[str, float]:
    """Bare encode, full ingest and unchanged re-ingest of the same catalogue."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "catalogue"
        write_jsonl(rows, folder / "products.jsonl")
        bare = bare_encode_s(embedder, texts)
        full, embedded = ingest_s(folder, Path(tmp) / "db.sqlite", embedder)
        again, re_embedded = ingest_s(folder, Path(tmp) / "db.sqlite", embedder)
    assert embedded == len(texts) and re_embedded == 0, (embedded, re_embedded)
    return {"bare_s": bare, "ingest_s": full, "reingest_s": again}


def main() -> None:
    """Run the rounds and print the RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = list(generate_products(args.products, DEFAULT_SEED))
    texts = [validate_product(row).search_text() for row in rows]
    embedder = Embedder()
    embedder.load()
    rounds = []
    for number in range(1, args.rounds + 1):
        rounds.append(one_round(rows, texts, embedder))
        r = rounds[-1]
        print(f"round {number}: bare encode {r['bare_s']:.1f} s, ingest {r['ingest_s']:.1f} s,"
              f" re-ingest unchanged {r['reingest_s']:.2f} s")  # fmt: skip
    report(args.products, rounds)


def report(products: int, rounds: list[dict[str, float]]) -> None:
    """Medians over the rounds, then the RESULT line."""
    bare, full, again = (statistics.median(r[k] for r in rounds)
                         for k in ("bare_s", "ingest_s", "reingest_s"))  # fmt: skip
    ingest_rate, bare_rate = products / full, products / bare
    print(f"{products} products: ingest {ingest_rate:.1f} products/s, bare encode"
          f" {bare_rate:.1f} texts/s (ratio {ingest_rate / bare_rate:.2f});"
          f" re-ingest of the unchanged catalogue {again / full:.1%} of a full ingest")  # fmt: skip
    print(f"RESULT products={products} ingest_products_per_s={ingest_rate:.1f}"
          f" bare_encode_per_s={bare_rate:.1f} ratio_vs_bare={ingest_rate / bare_rate:.2f}"
          f" reingest_s={again:.2f} reingest_share={again / full:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
