"""Seeded synthetic catalogues (10k, 100k, 1M products) made from the demo store's vocabulary.

Each generated product starts from a demo product (its *template*): same category and kind of
thing, another brand and model word from the demo store, a description mixed from sentences of
demo products of that category, a perturbed price, stock and numeric attributes. The same seed
always gives the same catalogue.

Vectors: embedding 1M texts with MiniLM on 2 cores takes hours, so by default the vectors are
*synthesised*: a normalised mixture of the template's real MiniLM vector (weight 0.75), the vector
of the demo product that donated description sentences (0.25) and Gaussian noise. They cluster like
real product vectors but are not the embeddings of the generated texts; `--real-vectors` embeds
the texts instead (use it for 10k). Catalogues are built through the real `ingest_paths` (with an
embedder that looks the synthesised vectors up) and cached, keyed by size, seed and version.

Usage: `.venv/bin/python bench/catalogue_gen.py --size 100000 [--seed 7] [--real-vectors]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from localbot.catalogue.validation import validate_product
from localbot.embeddings import DIMENSIONS, Embedder
from localbot.paths import knowledge_dir

GENERATOR_VERSION = 1
DEFAULT_SEED = 7
TEMPLATE_WEIGHT = 0.75
NOISE_NORM = 0.45  # expected length of the noise vector before normalising
CACHE_DIR = Path(tempfile.gettempdir()) / "localbot-bench"
VARIANTS = ["", "", "", " Pro", " Lite", " II", " Plus", " Trail", " Max", " Eco", " X", " Classic"]


def demo_products() -> list[dict[str, Any]]:
    """The demo store's products, in file order."""
    rows = []
    for path in sorted((knowledge_dir() / "products").glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows


@dataclass(frozen=True)
class Vocabulary:
    """Words and sentences the generator recombines, taken from the demo products."""

    products: list[dict[str, Any]]
    brands: list[str]
    models: list[str]
    sentences: dict[str, list[str]]
    by_category: dict[str, list[int]]

    @classmethod
    def from_demo(cls) -> Vocabulary:
        """Collect brands, model words and description sentences per category."""
        products = demo_products()
        brands = sorted({p["brand"] for p in products})
        models = sorted({w for p in products for w in _model_words(p)})
        sentences: dict[str, list[str]] = {}
        by_category: dict[str, list[int]] = {}
        for index, p in enumerate(products):
            sentences.setdefault(p["category"], []).extend(_sentences(p["description"]))
            by_category.setdefault(p["category"], []).append(index)
        return cls(products, brands, models, sentences, by_category)


def _model_words(product: dict[str, Any]) -> list[str]:
    """Capitalised words right after the brand ('Ridgeback' in 'Northpeak Ridgeback 2 ...')."""
    rest = product["name"][len(product["brand"]) :].split()
    return [rest[0]] if rest and rest[0][:1].isupper() and rest[0].isalpha() else []


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]


def choose_sources(size: int, vocab: Vocabulary, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """For each generated product: its template and its sentence donor (same category)."""
    rng = np.random.default_rng(seed)
    templates = rng.integers(0, len(vocab.products), size)
    donors = np.empty(size, dtype=np.int64)
    for category, members in vocab.by_category.items():
        rows = np.flatnonzero(
            np.isin(
                templates, [i for i, p in enumerate(vocab.products) if p["category"] == category]
            )
        )
        donors[rows] = rng.choice(members, len(rows))
    return templates, donors


def generate_products(size: int, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """Yield ``size`` product rows (same seed, same rows)."""
    vocab = Vocabulary.from_demo()
    templates, donors = choose_sources(size, vocab, seed)
    rng = np.random.default_rng(seed + 1)
    for number, (t, d) in enumerate(zip(templates, donors, strict=True)):
        yield _product(number, vocab, vocab.products[t], vocab.products[d], rng)


def _product(
    number: int,
    vocab: Vocabulary,
    template: dict[str, Any],
    donor: dict[str, Any],
    rng: np.random.Generator,
) -> dict[str, Any]:
    brand = vocab.brands[rng.integers(len(vocab.brands))]
    model = vocab.models[rng.integers(len(vocab.models))]
    kind = template["name"][len(template["brand"]) :].split()[1:]
    variant = VARIANTS[rng.integers(len(VARIANTS))]
    pool = vocab.sentences[template["category"]]
    picks = [pool[i] for i in rng.choice(len(pool), 2, replace=False)]
    first = _sentences(template["description"])[:1] or [template["description"]]
    return {
        "sku": f"{template['sku'].split('-')[0]}-G{number:07d}",
        "name": " ".join([brand, model + variant, *kind]),
        "brand": brand,
        "category": template["category"],
        "description": " ".join(first + [s for s in picks if s not in first]),
        "price": round(max(2.0, template["price"] * float(rng.lognormal(0, 0.3))), 0) - 0.05,
        "currency": "USD",
        "stock": 0 if rng.random() < 0.2 else int(rng.integers(1, 60)),
        "attributes": _perturbed(template.get("attributes", {}), donor, rng),
    }


def _perturbed(
    attributes: dict[str, Any], donor: dict[str, Any], rng: np.random.Generator
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 20:
            value = type(value)(round(value * float(rng.uniform(0.85, 1.15))))
        out[key] = value
    if "colour" in donor.get("attributes", {}) and "colour" in out:
        out["colour"] = donor["attributes"]["colour"]
    return out


def synthesise_vectors(
    base: np.ndarray, templates: np.ndarray, donors: np.ndarray, seed: int
) -> np.ndarray:
    """Normalised mixtures of real vectors plus noise: one row per generated product."""
    rng = np.random.default_rng(seed + 2)
    out = np.empty((len(templates), base.shape[1]), dtype=np.float32)
    sigma = NOISE_NORM / np.sqrt(base.shape[1])
    for start in range(0, len(templates), 65536):
        rows = slice(start, start + 65536)
        mix = TEMPLATE_WEIGHT * base[templates[rows]] + (1 - TEMPLATE_WEIGHT) * base[donors[rows]]
        mix += rng.normal(0, sigma, mix.shape).astype(np.float32)
        out[rows] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


def demo_vectors(embedder: Embedder) -> np.ndarray:
    """Real MiniLM vectors of the demo products' search texts."""
    texts = [validate_product(p).search_text() for p in demo_products()]
    return embedder.embed(texts)


class LookupEmbedder:
    """Stands in for the embedder during a build: known texts get their synthesised vector.

    Anything else (the demo documents) goes to the real embedder, and ``name`` is the real
    one's, so `localbot` searches the built catalogue with the real model for queries.
    """

    def __init__(self, real: Embedder, texts: Sequence[str], vectors: np.ndarray) -> None:
        self.real = real
        self.name = real.name
        self.rows = {_digest(text): row for row, text in enumerate(texts)}
        self.vectors = vectors

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Synthesised vectors for generated texts, real ones for the rest."""
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        unknown = [i for i, text in enumerate(texts) if _digest(text) not in self.rows]
        for i, text in enumerate(texts):
            if (row := self.rows.get(_digest(text))) is not None:
                out[i] = self.vectors[row]
        if unknown:
            out[unknown] = self.real.embed([texts[i] for i in unknown])
        return out


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def write_jsonl(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """Write product rows as JSON lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


def cached_catalogue(
    size: int,
    embedder: Embedder,
    seed: int = DEFAULT_SEED,
    real_vectors: bool = False,
    cache: Path = CACHE_DIR,
) -> Path:
    """Path of a built database for ``size`` products (plus the demo documents), built if needed."""
    kind = "real" if real_vectors else "synth"
    path = cache / f"catalogue-{size}-seed{seed}-{kind}-v{GENERATOR_VERSION}.db"
    if not path.exists():
        build_catalogue(path, size, embedder, seed, real_vectors)
    return path


def build_catalogue(
    path: Path, size: int, embedder: Embedder, seed: int, real_vectors: bool
) -> None:
    """Generate the products and import them with the real ingest (into a temp file, then move)."""
    from localbot.catalogue.ingest import ingest_paths
    from localbot.db import open_database

    started = time.perf_counter()
    rows = list(generate_products(size, seed))
    work = path.with_suffix(".building")
    shutil.rmtree(work, ignore_errors=True)
    write_jsonl(rows, work / "products" / "generated.jsonl")
    shutil.copytree(knowledge_dir() / "docs", work / "docs")
    texts = [validate_product(row).search_text() for row in rows]
    if real_vectors:
        vectors = embedder.embed(texts)
    else:
        templates, donors = choose_sources(size, Vocabulary.from_demo(), seed)
        vectors = synthesise_vectors(demo_vectors(embedder), templates, donors, seed)
    db = open_database(work / "catalogue.db")
    ingest_paths(db, [work], LookupEmbedder(embedder, texts, vectors))  # type: ignore[arg-type]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    (work / "catalogue.db").rename(path)
    shutil.rmtree(work, ignore_errors=True)
    kind = "real MiniLM" if real_vectors else "synthesised"
    print(
        f"built {path.name}: {size:,} products, {kind} vectors, {time.perf_counter() - started:.0f} s"
    )


def main() -> None:
    """Build (or find) one catalogue and print its path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--real-vectors", action="store_true")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR)
    args = parser.parse_args()
    path = cached_catalogue(args.size, Embedder(), args.seed, args.real_vectors, args.cache)
    print(f"RESULT path={path} size={args.size} seed={args.seed}"
          f" vectors={'real' if args.real_vectors else 'synthesised'}")  # fmt: skip


if __name__ == "__main__":
    main()
