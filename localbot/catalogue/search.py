"""Hybrid retrieval: FTS5/BM25 and vector search, fused by reciprocal rank fusion, SQL filters.

Vectors live in SQLite as float32 blobs and are loaded once into one numpy matrix; the matrix is
reloaded only when ``meta.index_version`` says an ingest changed the index (in any process).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sqlite_utils

from localbot.catalogue.filters import QueryFilters, parse_filters
from localbot.db import get_meta
from localbot.embeddings import DIMENSIONS, Embedder

if TYPE_CHECKING:
    from numpy.typing import NDArray

Mode = Literal["hybrid", "keyword", "vector"]
MODES: tuple[Mode, ...] = ("keyword", "vector", "hybrid")
# Reciprocal rank fusion constant. Cormack et al. use 60; on the demo question set k=10 (top
# ranks weigh more) was the only value tried (10, 20, 30, 60) where hybrid beat both keyword and
# vector search on recall@5, MRR and nDCG@10 at once. Re-check with `localbot eval` on new data.
RRF_K = 10
CANDIDATES = 50
_STOPWORDS = frozenset(
    """a an and are as at be but by can could do does for from get got have how i i'm if in is it
    its i'd i've me my need of on or our please show so some that the their them there these
    this to us want was we what when where which who why will with would you your any anything
    looking look buy good best recommend something tell about find got ve what's where's
    it's that's there's""".split()
)


@dataclass(frozen=True)
class Product:
    """A product row as shown on a card and given to the model."""

    sku: str
    name: str
    brand: str
    category: str
    description: str
    price: float
    currency: str
    stock: int
    attributes: dict[str, Any]


@dataclass(frozen=True)
class Passage:
    """A chunk of a knowledge document."""

    id: str
    path: str
    title: str
    heading: str
    text: str


@dataclass
class SearchHit:
    """One ranked result with the evidence for its rank."""

    kind: str
    ref: str
    score: float
    keyword_rank: int | None = None
    vector_rank: int | None = None
    similarity: float | None = None
    product: Product | None = None
    passage: Passage | None = None

    @property
    def key(self) -> str:
        """'product:SKU' or 'document:path#chunk'."""
        return f"{self.kind}:{self.ref}"


@dataclass
class SearchResults:
    """The ranked hits for a query, the filters applied and how long it took."""

    query: str
    filters: QueryFilters
    hits: list[SearchHit]
    mode: Mode
    retrieval_ms: float = 0.0
    embedding_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def products(self) -> list[Product]:
        """Products among the hits, best first."""
        return [hit.product for hit in self.hits if hit.product is not None]

    @property
    def passages(self) -> list[Passage]:
        """Document passages among the hits, best first."""
        return [hit.passage for hit in self.hits if hit.passage is not None]

    def relevant(self, min_similarity: float) -> list[SearchHit]:
        """Hits close enough in meaning to count as an answer (cosine >= ``min_similarity``).

        Keyword overlap alone is not enough: "do you sell golf clubs?" shares "sell" with the
        gift-card page. Tried on the demo questions: also accepting hits ranked top-3 by both
        searches let that through and rescued nothing.
        """
        return [h for h in self.hits if h.similarity is not None and h.similarity >= min_similarity]

    @property
    def best_similarity(self) -> float:
        """Highest cosine similarity among the hits (0 when nothing was compared)."""
        values = [hit.similarity for hit in self.hits if hit.similarity is not None]
        return max(values, default=0.0)


class VectorIndex:
    """All item vectors of one database in a single normalised float32 matrix."""

    def __init__(self) -> None:
        self.ids: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.matrix: NDArray[np.float32] = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.version = ""
        self._lock = threading.Lock()

    def refresh(self, db: sqlite_utils.Database, model_name: str) -> None:
        """Reload the matrix if an ingest changed the index since the last load."""
        version = get_meta(db, "index_version", "0") + "/" + model_name
        if version == self.version:
            return
        with self._lock:
            if version != self.version:
                self._load(db, model_name)
                self.version = version

    def _load(self, db: sqlite_utils.Database, model_name: str) -> None:
        rows = db.execute(
            "SELECT id, embedding FROM search_items WHERE embedding IS NOT NULL"
            " AND embedding_model = ? ORDER BY id",
            [model_name],
        ).fetchall()
        self.ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        blob = b"".join(row[1] for row in rows)
        self.matrix = np.frombuffer(blob, dtype="<f4").reshape(len(rows), DIMENSIONS)

    def nearest(
        self, query: NDArray[np.float32], limit: int, allowed: NDArray[np.int64] | None = None
    ) -> list[tuple[int, float]]:
        """Return up to ``limit`` (item id, cosine) pairs, best first, optionally among ``allowed``."""
        ids, matrix = self.ids, self.matrix
        if allowed is not None:
            rows = np.searchsorted(ids, allowed)
            rows = rows[(rows < len(ids)) & (ids[np.minimum(rows, len(ids) - 1)] == allowed)]
            ids, matrix = ids[rows], matrix[rows]
        if len(ids) == 0:
            return []
        scores = matrix @ query
        top = min(limit, len(ids))
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best])]
        return [(int(ids[i]), float(scores[i])) for i in best]


class CatalogueSearch:
    """Keyword, vector and hybrid search over one catalogue database."""

    def __init__(self, db: sqlite_utils.Database, embedder: Embedder) -> None:
        self.db = db
        self.embedder = embedder
        self.index = VectorIndex()
        self._vocabulary: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None

    def vocabulary(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The catalogue's brands and categories (cached until the next ingest)."""
        version = get_meta(self.db, "index_version", "0")
        if self._vocabulary is None or self._vocabulary[0] != version:
            brands = tuple(
                r[0]
                for r in self.db.execute("SELECT DISTINCT brand FROM products WHERE brand != ''")
            )
            cats = tuple(
                r[0]
                for r in self.db.execute(
                    "SELECT DISTINCT category FROM products WHERE category != ''"
                )
            )
            self._vocabulary = (version, brands, cats)
        return self._vocabulary[1], self._vocabulary[2]

    def parse(self, query: str) -> QueryFilters:
        """Read the structured filters in ``query`` using this catalogue's brands and categories."""
        brands, categories = self.vocabulary()
        return parse_filters(query, brands, categories)

    def search(
        self,
        query: str,
        limit: int = 8,
        mode: Mode = "hybrid",
        filters: QueryFilters | None = None,
        query_vector: NDArray[np.float32] | None = None,
    ) -> SearchResults:
        """Rank products and document passages for ``query``."""
        started = time.perf_counter()
        filters = filters or self.parse(query)
        allowed = self._allowed_ids(filters)
        keyword = self._keyword(filters.text, allowed, filters) if mode != "vector" else []
        embedding_ms = 0.0
        vector: list[tuple[int, float]] = []
        if mode != "keyword":
            if query_vector is None:
                embed_start = time.perf_counter()
                query_vector = self.embedder.embed_one(filters.text)
                embedding_ms = (time.perf_counter() - embed_start) * 1000
            self.index.refresh(self.db, self.embedder.name)
            vector = self.index.nearest(query_vector, CANDIDATES, allowed)
        hits = _fuse(keyword, vector)[:limit]
        self._attach_rows(hits, query_vector)
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResults(query, filters, hits, mode, elapsed, embedding_ms)

    def _allowed_ids(self, filters: QueryFilters) -> NDArray[np.int64] | None:
        if not filters.active:
            return None
        where, params = _filter_sql(filters)
        rows = self.db.execute(
            "SELECT si.id FROM search_items si LEFT JOIN products p ON si.kind = 'product' AND p.sku = si.ref"
            f" WHERE {where} ORDER BY si.id",
            params,
        ).fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def _keyword(
        self, text: str, allowed: NDArray[np.int64] | None, filters: QueryFilters
    ) -> list[tuple[int, float]]:
        match = fts_query(text)
        if not match:
            return []
        sql = (
            "SELECT si.id, bm25(search_fts) AS rank FROM search_fts"
            " JOIN search_items si ON si.id = search_fts.rowid"
        )
        params: list[Any] = [match]
        if allowed is not None:
            where, filter_params = _filter_sql(filters)
            sql += (
                " LEFT JOIN products p ON si.kind = 'product' AND p.sku = si.ref"
                f" WHERE search_fts MATCH ? AND {where}"
            )
            params += filter_params
        else:
            sql += " WHERE search_fts MATCH ?"
        sql += f" ORDER BY rank LIMIT {CANDIDATES}"
        return [(row[0], -row[1]) for row in self.db.execute(sql, params).fetchall()]

    def _attach_rows(self, hits: list[SearchHit], query_vector: NDArray[np.float32] | None) -> None:
        by_id = {int(hit.ref): hit for hit in hits}
        if not by_id:
            return
        marks = ",".join("?" * len(by_id))
        rows = self.db.execute(
            f"SELECT id, kind, ref, embedding FROM search_items WHERE id IN ({marks})", list(by_id)
        ).fetchall()
        for item_id, kind, ref, blob in rows:
            hit = by_id[item_id]
            hit.kind, hit.ref = kind, ref
            if query_vector is not None and blob is not None:
                hit.similarity = float(np.frombuffer(blob, dtype="<f4") @ query_vector)
        self._load_products([h for h in hits if h.kind == "product"])
        self._load_passages([h for h in hits if h.kind == "document"])
        hits[:] = [hit for hit in hits if hit.product is not None or hit.passage is not None]

    def _load_products(self, hits: list[SearchHit]) -> None:
        products = self.products_by_sku([hit.ref for hit in hits])
        for hit in hits:
            hit.product = products.get(hit.ref)

    def products_by_sku(self, skus: list[str]) -> dict[str, Product]:
        """Fetch products by SKU from the database (the source of every fact shown)."""
        if not skus:
            return {}
        marks = ",".join("?" * len(skus))
        rows = self.db.execute(
            "SELECT sku, name, brand, category, description, price, currency, stock, attributes"
            f" FROM products WHERE sku IN ({marks})",
            skus,
        ).fetchall()
        return {row[0]: _product(row) for row in rows}

    def _load_passages(self, hits: list[SearchHit]) -> None:
        if not hits:
            return
        marks = ",".join("?" * len(hits))
        rows = self.db.execute(
            f"SELECT id, path, title, heading, text FROM documents WHERE id IN ({marks})",
            [hit.ref for hit in hits],
        ).fetchall()
        passages = {row[0]: Passage(*row) for row in rows}
        for hit in hits:
            hit.passage = passages.get(hit.ref)


def _product(row: tuple[Any, ...]) -> Product:
    sku, name, brand, category, description, price, currency, stock, attributes = row
    return Product(
        sku, name, brand, category, description, price, currency, stock, json.loads(attributes)
    )


def _filter_sql(filters: QueryFilters) -> tuple[str, list[Any]]:
    clauses: list[str] = ["1"]
    params: list[Any] = []
    if filters.max_price is not None:
        clauses.append("p.price <= ?" if filters.max_inclusive else "p.price < ?")
        params.append(filters.max_price)
    if filters.min_price is not None:
        clauses.append("p.price >= ?")
        params.append(filters.min_price)
    if filters.in_stock:
        clauses.append("p.stock > 0")
    for column, names in (("brand", filters.brands), ("category", filters.categories)):
        if names:
            clauses.append(f"p.{column} COLLATE NOCASE IN ({','.join('?' * len(names))})")
            params.extend(names)
    products = f"(si.kind = 'product' AND {' AND '.join(clauses)})"
    if filters.excludes_documents:
        return products, params
    return f"({products} OR si.kind = 'document')", params


def fts_query(text: str) -> str:
    """Turn free text into an FTS5 query: meaningful words OR-ed, each quoted (no syntax errors)."""
    words = [w.strip("'") for w in re.findall(r"[\w']+", text.lower())]
    terms = [w for w in words if w and w not in _STOPWORDS and (len(w) > 1 or w.isdigit())]
    unique = list(dict.fromkeys(terms))[:24]
    return " OR ".join(f'"{term}"' for term in unique)


def _fuse(keyword: list[tuple[int, float]], vector: list[tuple[int, float]]) -> list[SearchHit]:
    """Reciprocal rank fusion; in single modes the other list is simply empty."""
    hits: dict[int, SearchHit] = {}
    for rank, (item_id, _) in enumerate(keyword, start=1):
        hit = hits.setdefault(item_id, SearchHit("", str(item_id), 0.0))
        hit.keyword_rank = rank
        hit.score += 1.0 / (RRF_K + rank)
    for rank, (item_id, _) in enumerate(vector, start=1):
        hit = hits.setdefault(item_id, SearchHit("", str(item_id), 0.0))
        hit.vector_rank = rank
        hit.score += 1.0 / (RRF_K + rank)
    return sorted(hits.values(), key=lambda hit: -hit.score)
