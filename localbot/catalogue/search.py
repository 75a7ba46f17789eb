"""Hybrid retrieval: FTS5/BM25 and vector search, fused by reciprocal rank fusion, SQL filters.

Vectors live in SQLite as float32 blobs and are loaded once into one numpy matrix
(:mod:`localbot.catalogue.vectors`); the matrix is reloaded only when ``meta.index_version`` says
an ingest changed the index (in any process).

Filters: a small catalogue lists every item its filters allow in one SQL query. Listing them in a
large one reads every row (0.4 s at 100k items), so there the candidates of each search are
checked instead: brand, category and kind against arrays cached per index version, price and
stock (which change without a new index version) in SQL, for the best candidates only.
"""

from __future__ import annotations

import json
import re
import string
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sqlite_utils

from localbot.catalogue.filters import QueryFilters, parse_filters
from localbot.catalogue.vectors import VectorIndex
from localbot.db import get_meta
from localbot.embeddings import Embedder

if TYPE_CHECKING:
    from numpy.typing import NDArray

Mode = Literal["hybrid", "keyword", "vector"]
FeedbackScores = Callable[["NDArray[np.float32]"], Mapping[int, float]]
MODES: tuple[Mode, ...] = ("keyword", "vector", "hybrid")
# Reciprocal rank fusion constant. Cormack et al. use 60; on the demo question set k=10 (top
# ranks weigh more) was the only value tried (10, 20, 30, 60) where hybrid beat both keyword and
# vector search on recall@5, MRR and nDCG@10 at once. Re-check with `localbot eval` on new data.
RRF_K = 10
CANDIDATES = 50
# Above this many search items, filters are checked on candidates (see the module docstring).
LARGE_CATALOGUE = 5_000
# Candidates checked against price and stock filters per SQL query.
FILTER_CHUNK = 128
# Large catalogues run the keyword query on a second thread (see CatalogueSearch._start_keyword);
# bench/search.py turns this off to measure what it saves.
KEYWORD_THREAD = True
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
    feedback: float = 0.0  # score change from ratings of similar questions
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


# COLLATE NOCASE folds ASCII letters only; the cached facets fold names the same way.
_NOCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@dataclass
class ItemFacets:
    """Kind, brand and category of every search item, in arrays indexed by item id.

    They change only with the item's text, so they are valid for one ``index_version``. Price
    and stock are not here: they change without a new index version.
    """

    version: str
    size: int
    is_product: NDArray[np.bool_]
    is_document: NDArray[np.bool_]
    brand: NDArray[np.int32]
    category: NDArray[np.int32]
    names: dict[str, int]

    @classmethod
    def load(cls, db: sqlite_utils.Database, version: str) -> ItemFacets:
        """Read the facets through the item_key index (scanning search_items reads every vector)."""
        top, size = db.execute("SELECT coalesce(max(id), 0), count(*) FROM search_items").fetchone()
        products = db.execute(
            "SELECT si.id, p.brand, p.category FROM products p"
            " JOIN search_items si ON si.item_key = 'product:' || p.sku"
        ).fetchall()
        documents = db.execute(
            "SELECT id FROM search_items WHERE item_key >= 'document:' AND item_key < 'document;'"
        ).fetchall()
        names: dict[str, int] = {}
        ids = np.fromiter((row[0] for row in products), dtype=np.int64, count=len(products))
        is_product, is_document = np.zeros(top + 1, dtype=bool), np.zeros(top + 1, dtype=bool)
        brand, category = np.full(top + 1, -1, dtype=np.int32), np.full(top + 1, -1, np.int32)
        is_product[ids] = True
        brand[ids] = [names.setdefault(r[1].translate(_NOCASE), len(names)) for r in products]
        category[ids] = [names.setdefault(r[2].translate(_NOCASE), len(names)) for r in products]
        is_document[[row[0] for row in documents]] = True
        return cls(version, size, is_product, is_document, brand, category, names)

    def prune(self, ids: NDArray[np.int64], filters: QueryFilters) -> NDArray[np.int64]:
        """The ``ids`` whose kind, brand and category ``filters`` allow (price and stock unchecked)."""
        ids = ids[ids < len(self.is_product)]
        keep = self.is_product[ids]
        for column, wanted in ((self.brand, filters.brands), (self.category, filters.categories)):
            if wanted:
                codes = [self.names.get(name.translate(_NOCASE), -2) for name in wanted]
                keep &= np.isin(column[ids], codes)
        if not filters.excludes_documents:
            keep |= self.is_document[ids]
        return ids[keep]


@dataclass
class Admission:
    """How one search applies its filters: a list of allowed ids, or checks on candidates."""

    filters: QueryFilters
    allowed: NDArray[np.int64] | None = None
    facets: ItemFacets | None = None

    def prune(self, ids: NDArray[np.int64]) -> NDArray[np.int64]:
        """Drop ids the cached facets rule out."""
        return ids if self.facets is None else self.facets.prune(ids, self.filters)


class CatalogueSearch:
    """Keyword, vector and hybrid search over one catalogue database."""

    def __init__(self, db: sqlite_utils.Database, embedder: Embedder) -> None:
        self.db = db
        self.embedder = embedder
        self.index = VectorIndex()
        self._facets: ItemFacets | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._vocabulary: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None
        # Query vector -> score change per search item id (see localbot/boosts.py).
        self.feedback: FeedbackScores | None = None

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
        use_feedback: bool = True,
    ) -> SearchResults:
        """Rank products and document passages for ``query``.

        With a :attr:`feedback` source (and ``use_feedback``), hybrid and vector rankings take
        the bounded score changes it gives; keyword search stays a plain baseline.
        """
        started = time.perf_counter()
        filters = filters or self.parse(query)
        admission = self._admission(filters)
        if mode != "keyword":  # read the index before the keyword query may hold the connection
            self.index.refresh(self.db, self.embedder.name)
        keyword = self._start_keyword(filters.text, admission, mode)
        embedding_ms = 0.0
        vector: list[tuple[int, float]] = []
        if mode != "keyword":
            if query_vector is None:
                embed_start = time.perf_counter()
                query_vector = self.embedder.embed_one(filters.text)
                embedding_ms = (time.perf_counter() - embed_start) * 1000
            vector = self._vector(query_vector, admission)
        hits = _fuse(keyword.result(), vector)
        if use_feedback and self.feedback is not None and query_vector is not None:
            hits = _with_feedback(hits, self.feedback(query_vector))
        hits = hits[:limit]
        self._attach_rows(hits, query_vector)
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResults(query, filters, hits, mode, elapsed, embedding_ms)

    def _start_keyword(
        self, text: str, admission: Admission | None, mode: Mode
    ) -> Future[list[tuple[int, float]]]:
        """The keyword ranking: on a worker thread for large catalogues in hybrid mode.

        At 100k items FTS5 scores ~20k matching rows per question (the largest cost of a search);
        SQLite and torch release the GIL, so on a second core it overlaps the query embedding
        and the vector search instead of adding to them.
        """
        if KEYWORD_THREAD and mode == "hybrid" and len(self.index) > LARGE_CATALOGUE:
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix="localbot-keyword")
            return self._worker.submit(self._keyword, text, admission)
        done: Future[list[tuple[int, float]]] = Future()
        done.set_result(self._keyword(text, admission) if mode != "vector" else [])
        return done

    def _admission(self, filters: QueryFilters) -> Admission | None:
        """How this search applies its filters (None when it has none)."""
        if not filters.active:
            return None
        facets = self.facets()
        if facets.size <= LARGE_CATALOGUE:
            return Admission(filters, allowed=self._allowed_ids(filters))
        return Admission(filters, facets=facets)

    def facets(self) -> ItemFacets:
        """Kind, brand and category of every search item (cached until the next ingest)."""
        version = get_meta(self.db, "index_version", "0")
        if self._facets is None or self._facets.version != version:
            self._facets = ItemFacets.load(self.db, version)
        return self._facets

    def _allowed_ids(self, filters: QueryFilters) -> NDArray[np.int64]:
        where, params = _filter_sql(filters)
        rows = self.db.execute(
            "SELECT si.id FROM search_items si LEFT JOIN products p ON si.kind = 'product' AND p.sku = si.ref"
            f" WHERE {where} ORDER BY si.id",
            params,
        ).fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def admitted(self, ids: NDArray[np.int64], filters: QueryFilters) -> NDArray[np.int64]:
        """The ``ids`` (in their order) that ``filters`` allow, checked in SQL."""
        if len(ids) == 0:
            return ids
        where, params = _filter_sql(filters)
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT si.id FROM search_items si LEFT JOIN products p ON si.kind = 'product' AND p.sku = si.ref"
            f" WHERE si.id IN ({marks}) AND {where}",
            [*ids.tolist(), *params],
        ).fetchall()
        return ids[np.isin(ids, [row[0] for row in rows])]

    def _keyword(self, text: str, admission: Admission | None) -> list[tuple[int, float]]:
        match = fts_query(text)
        if not match:
            return []
        if admission is None:
            # No join: search_fts rowids are search_items ids, and the join cost 2x at 100k items.
            sql = (
                "SELECT rowid, bm25(search_fts) AS rank FROM search_fts WHERE search_fts MATCH ?"
                f" ORDER BY rank LIMIT {CANDIDATES}"
            )
            return [(row[0], -row[1]) for row in self.db.execute(sql, [match]).fetchall()]
        if admission.allowed is not None:
            return self._keyword_filtered(match, admission.filters)
        return self._keyword_checked(match, admission)

    def _keyword_filtered(self, match: str, filters: QueryFilters) -> list[tuple[int, float]]:
        """Filters applied in the FTS query itself (small catalogues)."""
        where, filter_params = _filter_sql(filters)
        sql = (
            "SELECT si.id, bm25(search_fts) AS rank FROM search_fts"
            " JOIN search_items si ON si.id = search_fts.rowid"
            " LEFT JOIN products p ON si.kind = 'product' AND p.sku = si.ref"
            f" WHERE search_fts MATCH ? AND {where} ORDER BY rank LIMIT {CANDIDATES}"
        )
        rows = self.db.execute(sql, [match, *filter_params]).fetchall()
        return [(row[0], -row[1]) for row in rows]

    def _keyword_checked(self, match: str, admission: Admission) -> list[tuple[int, float]]:
        """Matches in rank order, kept while the filters allow them, until there are enough."""
        cursor = self.db.execute(
            "SELECT rowid, bm25(search_fts) AS rank FROM search_fts WHERE search_fts MATCH ?"
            " ORDER BY rank",
            [match],
        )
        found: list[tuple[int, float]] = []
        try:
            while len(found) < CANDIDATES and (chunk := cursor.fetchmany(FILTER_CHUNK)):
                ids = np.fromiter((row[0] for row in chunk), dtype=np.int64, count=len(chunk))
                rank = dict(chunk)
                kept = self._checked(admission.prune(ids), admission.filters)
                found += [(int(i), -rank[int(i)]) for i in kept]
        finally:
            cursor.close()
        return found[:CANDIDATES]

    def _checked(self, ids: NDArray[np.int64], filters: QueryFilters) -> NDArray[np.int64]:
        """``ids`` that pass the price and stock filters (brand/category were pruned already)."""
        return self.admitted(ids, filters) if filters.excludes_documents else ids

    def _vector(
        self, query_vector: NDArray[np.float32], admission: Admission | None
    ) -> list[tuple[int, float]]:
        if admission is None:
            return self.index.nearest(query_vector, CANDIDATES)
        if admission.allowed is not None:
            return self.index.nearest(query_vector, CANDIDATES, admission.allowed)
        return self._vector_checked(query_vector, admission)

    def _vector_checked(
        self, query_vector: NDArray[np.float32], admission: Admission
    ) -> list[tuple[int, float]]:
        """Nearest among items whose brand/category fit, then price/stock checked best first."""
        index = self.index
        rows = index.rows_of(admission.prune(index.ids))
        shortlist = index.candidates(query_vector, CANDIDATES, rows)
        ids, scores = index.scored(query_vector, shortlist)
        order = np.argsort(-scores, kind="stable")
        found: list[int] = []
        for start in range(0, len(order), FILTER_CHUNK):
            if len(found) >= CANDIDATES:
                break
            found += self._checked(
                ids[order[start : start + FILTER_CHUNK]], admission.filters
            ).tolist()
        if len(found) < CANDIDATES and shortlist is not None and len(shortlist) < len(rows):
            # The price/stock filter kept too few of the shortlist: list what it allows instead.
            return index.nearest(query_vector, CANDIDATES, self._allowed_ids(admission.filters))
        score_of = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        return [(item, score_of[item]) for item in found[:CANDIDATES]]

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


def _with_feedback(hits: list[SearchHit], changes: Mapping[int, float]) -> list[SearchHit]:
    """The fused hits with feedback score changes applied, re-sorted (only found items move)."""
    if not changes:
        return hits
    for hit in hits:
        hit.feedback = changes.get(int(hit.ref), 0.0)
        hit.score += hit.feedback
    return sorted(hits, key=lambda hit: -hit.score)


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
