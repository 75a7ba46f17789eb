"""Insights for staff from the logged turns and feedback: question clusters, pain points, demand.

Everything is computed on the device. Question embeddings (real MiniLM vectors of the redacted
questions) are cached in ``question_vectors``, a store derived from turns that purge and forget
erase with them (see governance.py). Clustering is a seeded k-means in numpy, so the same history
gives the same clusters.

The UI's Insights screen calls :func:`build_report` and reads the plain dataclasses it returns;
:func:`faq_drafts` writes Markdown drafts for frequent questions no document answers yet.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlite_utils

from localbot.db import write_transaction
from localbot.embeddings import Embedder, from_blob, to_blob
from localbot.governance import open_private, personal_turn_sql
from localbot.paths import ensure_private_dir
from localbot.privacy import redact

if TYPE_CHECKING:
    from numpy.typing import NDArray

# A best retrieval similarity below this means nothing in the catalogue really matched.
LOW_SIMILARITY = 0.35
# A cluster is covered by a document when its questions' median similarity to their nearest
# document chunk reaches this (MiniLM puts unrelated store pages near 0.3-0.45).
DOCUMENT_COVERED = 0.5
TREND_DAYS = 7
# Replies served from an approved answer (reuse.py) took no generation: kept out of TTFT.
REUSED = "reused"
MAX_CLUSTERS = 16
STOPWORDS = frozenset(
    "a an and any are as at be can do does for from have hello hey hi how i if in is it me my of "
    "on or please quick question show so sorry that the thanks there this to under we what whats "
    "what's when where which who with you your yours need want".split()
)


@dataclass(frozen=True)
class Phrasing:
    """One wording of a question and how often it was asked."""

    text: str
    count: int


@dataclass(frozen=True)
class Cluster:
    """Questions that mean the same, named by the most central one and the top terms."""

    id: int
    name: str
    terms: list[str]
    size: int
    recent: int  # asked in the last TREND_DAYS days of the window
    previous: int  # asked in the TREND_DAYS days before those
    trend: str  # 'rising', 'falling' or 'steady'
    phrasings: list[Phrasing]
    no_match: int
    low_similarity: int
    thumbs_up: int
    thumbs_down: int
    comments: list[str]
    turn_ids: list[int] = field(repr=False)

    @property
    def down_rate(self) -> float:
        """Share of rated answers in this cluster that got a thumbs down."""
        rated = self.thumbs_up + self.thumbs_down
        return self.thumbs_down / rated if rated else 0.0


@dataclass(frozen=True)
class ProductDemand:
    """How often a product was shown in answers, with its current stock."""

    sku: str
    name: str
    asks: int
    stock: int
    price: float
    currency: str


@dataclass(frozen=True)
class CorrectedTurn:
    """A turn whose answer the fact checker had to correct."""

    turn_id: int
    question: str
    corrections: list[dict[str, Any]]


@dataclass
class InsightsReport:
    """Everything the Insights screen and ``localbot insights`` show."""

    since_days: int | None
    turns: int
    sessions: int
    clusters: list[Cluster]
    no_match: int
    low_similarity: int
    unanswered: list[Phrasing]
    corrections: list[CorrectedTurn]
    top_products: list[ProductDemand]
    out_of_stock: list[ProductDemand]
    volume_by_hour: dict[int, int]
    volume_by_day: dict[str, int]
    median_ttft_ms: float | None
    feedback_rate: float
    thumbs_up: int
    thumbs_down: int

    def pain_points(self) -> list[Cluster]:
        """Clusters ordered by how badly they are served (no match, weak match, thumbs down)."""
        return sorted(self.clusters, key=_pain_score, reverse=True)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        data = asdict(self)
        for cluster, original in zip(data["clusters"], self.clusters, strict=True):
            cluster["down_rate"] = round(original.down_rate, 3)
            del cluster["turn_ids"]
        return data


@dataclass(frozen=True)
class Turn:
    """The columns of a logged turn that insights read."""

    id: int
    created_at: str
    session_id: str
    question: str
    answer: str
    status: str
    products: list[str]
    corrections: list[dict[str, Any]]
    ttft_ms: float
    best_similarity: float | None
    model: str = ""


# --- loading -------------------------------------------------------------------------------------


def load_turns(
    db: sqlite_utils.Database, since_days: int | None = None, now: datetime | None = None
) -> list[Turn]:
    """Logged turns (not errors) created in the last ``since_days`` days, oldest first."""
    sql = (
        "SELECT id, created_at, session_id, question, answer, status, products, corrections,"
        " timings, retrieval, model FROM turns WHERE status != 'error'"
    )
    params: list[Any] = []
    if since_days is not None:
        sql += " AND created_at >= ?"
        params.append(_cutoff(since_days, now))
    return [_turn(row) for row in db.execute(sql + " ORDER BY id", params)]


def _cutoff(days: int, now: datetime | None) -> str:
    return ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")


def _turn(row: Sequence[Any]) -> Turn:
    timings, retrieval = json.loads(row[8]), json.loads(row[9])
    similarities = [item["similarity"] for item in retrieval if item.get("similarity") is not None]
    return Turn(
        row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), json.loads(row[7]),
        float(timings.get("ttft_ms") or 0.0), max(similarities) if similarities else None, row[10],
    )  # fmt: skip


def feedback_by_turn(db: sqlite_utils.Database) -> dict[int, list[tuple[str, str]]]:
    """(rating, comment) pairs per turn id, oldest first."""
    grouped: dict[int, list[tuple[str, str]]] = {}
    for turn_id, rating, comment in db.execute(
        "SELECT turn_id, rating, comment FROM feedback ORDER BY id"
    ):
        grouped.setdefault(turn_id, []).append((rating, comment))
    return grouped


# --- question vectors (derived data) ---------------------------------------------------------


def question_vectors(
    db: sqlite_utils.Database, embedder: Embedder, turns: Sequence[Turn]
) -> NDArray[np.float32]:
    """One normalised vector per turn's redacted question; new ones are embedded and cached."""
    if not turns:
        return np.zeros((0, 384), dtype=np.float32)
    found = cached_question_vectors(db, embedder, {turn.id: turn.question for turn in turns})
    return np.stack([found[turn.id] for turn in turns]).astype(np.float32)


def cached_question_vectors(
    db: sqlite_utils.Database, embedder: Embedder, questions: dict[int, str]
) -> dict[int, NDArray[np.float32]]:
    """Vectors of logged questions by turn id, embedding (and caching) only the new ones."""
    texts = {turn_id: redact(question).text for turn_id, question in questions.items()}
    cached = _cached_vectors(db, embedder.name, texts)
    missing = [turn_id for turn_id in texts if turn_id not in cached]
    if missing:
        vectors = embedder.embed([texts[turn_id] for turn_id in missing])
        _store_vectors(db, embedder.name, texts, missing, vectors)
        cached.update(zip(missing, vectors, strict=True))
    return cached


def _hash(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:24]


def _cached_vectors(
    db: sqlite_utils.Database, model: str, texts: dict[int, str]
) -> dict[int, NDArray[np.float32]]:
    """Cached vectors still valid for the text and model (a changed model re-embeds)."""
    found = {}
    ids = list(texts)
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for turn_id, content_hash, blob in db.execute(
            "SELECT turn_id, content_hash, embedding FROM question_vectors"
            f" WHERE turn_id IN ({marks})",
            chunk,
        ):
            if content_hash == _hash(model, texts[turn_id]):
                found[turn_id] = from_blob(blob)
    return found


def _store_vectors(
    db: sqlite_utils.Database,
    model: str,
    texts: dict[int, str],
    turn_ids: Sequence[int],
    vectors: NDArray[np.float32],
) -> None:
    rows = [(tid, model, _hash(model, texts[tid]), to_blob(v)) for tid, v in zip(turn_ids, vectors, strict=True)]  # fmt: skip
    with write_transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO question_vectors(turn_id, model, content_hash, embedding)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )


# --- clustering ---------------------------------------------------------------------------------


def default_cluster_count(n: int) -> int:
    """About one cluster per 20 questions, at most MAX_CLUSTERS."""
    return max(1, min(MAX_CLUSTERS, n // 20))


def kmeans(
    vectors: NDArray[np.float32], k: int, seed: int = 0, iterations: int = 40
) -> NDArray[np.int64]:
    """Spherical k-means (cosine) with k-means++ seeding; the same input and seed, the same labels."""
    rng = np.random.default_rng(seed)
    k = min(k, len(vectors))
    centroids = _plus_plus(vectors, k, rng)
    labels = np.zeros(len(vectors), dtype=np.int64)
    for step in range(iterations):
        new_labels = np.argmax(vectors @ centroids.T, axis=1)
        if step and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centroids = _centroids(vectors, labels, centroids)
    return labels


def _plus_plus(vectors: NDArray[np.float32], k: int, rng: np.random.Generator) -> NDArray[Any]:
    """k-means++: each next centre is drawn with probability growing with its distance."""
    chosen = [int(rng.integers(len(vectors)))]
    distance = 1.0 - vectors @ vectors[chosen[0]]
    for _ in range(1, k):
        weights = np.clip(distance, 0, None) ** 2
        total = weights.sum()
        pick = int(rng.choice(len(vectors), p=weights / total)) if total > 0 else len(chosen)
        chosen.append(pick)
        distance = np.minimum(distance, 1.0 - vectors @ vectors[pick])
    return vectors[chosen].copy()


def _centroids(
    vectors: NDArray[np.float32], labels: NDArray[np.int64], old: NDArray[Any]
) -> NDArray[Any]:
    centroids = old.copy()
    for index in range(len(old)):
        members = vectors[labels == index]
        if len(members):  # an empty cluster keeps its old centre
            mean = members.mean(axis=0)
            centroids[index] = mean / (np.linalg.norm(mean) or 1.0)
    return centroids


def cluster_questions(
    turns: Sequence[Turn],
    vectors: NDArray[np.float32],
    feedback: dict[int, list[tuple[str, str]]],
    k: int | None = None,
    seed: int = 0,
) -> list[Cluster]:
    """Group turns by meaning; clusters largest first, each named and summarised."""
    if not turns:
        return []
    labels = kmeans(vectors, k or default_cluster_count(len(turns)), seed)
    groups = [np.flatnonzero(labels == label) for label in sorted(set(labels.tolist()))]
    vocabulary = _document_frequency(turns, groups)
    end = max(turn.created_at for turn in turns)
    clusters = [
        _summarise(turns, vectors, members, feedback, vocabulary, end) for members in groups
    ]
    clusters.sort(key=lambda c: (-c.size, c.name))
    return [_renumbered(cluster, index) for index, cluster in enumerate(clusters, start=1)]


def _renumbered(cluster: Cluster, index: int) -> Cluster:
    return Cluster(**{**cluster.__dict__, "id": index})


def _summarise(
    turns: Sequence[Turn],
    vectors: NDArray[np.float32],
    members: NDArray[np.int64],
    feedback: dict[int, list[tuple[str, str]]],
    vocabulary: Counter[str],
    end: str,
) -> Cluster:
    chosen = [turns[i] for i in members]
    central = _central_phrasing(chosen, vectors[members])
    ratings = [r for turn in chosen for r in feedback.get(turn.id, [])]
    recent, previous = _trend_counts(chosen, end)
    return Cluster(
        id=0, name=central, terms=_top_terms(chosen, vocabulary), size=len(chosen),
        recent=recent, previous=previous, trend=_trend(recent, previous),
        phrasings=_phrasings(chosen), no_match=sum(t.status == "no_match" for t in chosen),
        low_similarity=sum(_low(t) for t in chosen),
        thumbs_up=sum(r == "up" for r, _ in ratings),
        thumbs_down=sum(r == "down" for r, _ in ratings),
        comments=_comments(ratings), turn_ids=[t.id for t in chosen],
    )  # fmt: skip


def _central_phrasing(turns: Sequence[Turn], vectors: NDArray[np.float32]) -> str:
    """The common wording nearest the cluster's centre (greetings and one-offs make poor names)."""
    centre = vectors.mean(axis=0)
    closeness = vectors @ centre
    common = {p.text for p in _phrasings(turns)[:5]}
    best = max(
        (i for i, turn in enumerate(turns) if _normalise(turn.question) in common),
        key=lambda i: float(closeness[i]),
    )
    return _normalise(turns[best].question)


def _low(turn: Turn) -> bool:
    return turn.best_similarity is not None and turn.best_similarity < LOW_SIMILARITY


def _comments(ratings: Sequence[tuple[str, str]]) -> list[str]:
    """Distinct thumbs-down comments, most frequent first."""
    counts = Counter(comment for rating, comment in ratings if rating == "down" and comment)
    return [comment for comment, _ in counts.most_common(5)]


def _phrasings(turns: Sequence[Turn]) -> list[Phrasing]:
    counts = Counter(_normalise(turn.question) for turn in turns)
    return [Phrasing(text, count) for text, count in counts.most_common(8)]


GREETINGS = re.compile(r"^(hi|hello|hey|sorry|quick question)\b[\s,:-]*", re.IGNORECASE)
POLITE = re.compile(r"[\s,]*\b(please|thanks|thank you)$", re.IGNORECASE)


def _normalise(question: str) -> str:
    """One wording per phrasing: lower case, without greetings, 'please' and end punctuation."""
    text = question.strip().lower()
    text = GREETINGS.sub("", text).strip().rstrip("?!. ")
    return POLITE.sub("", text).rstrip("?!. ")


def _words(text: str) -> list[str]:
    text = re.sub(r"\[[A-Z_]+\]", " ", text)  # redaction placeholders name no topic
    return [w for w in re.findall(r"[a-z][a-z0-9'-]+", text.lower()) if w not in STOPWORDS]


def _document_frequency(turns: Sequence[Turn], groups: Sequence[NDArray[np.int64]]) -> Counter[str]:
    """In how many clusters each word occurs (a word in every cluster names none of them)."""
    frequency: Counter[str] = Counter()
    for members in groups:
        frequency.update({w for i in members for w in _words(turns[i].question)})
    frequency["__clusters__"] = len(groups)
    return frequency


def _top_terms(turns: Sequence[Turn], vocabulary: Counter[str], limit: int = 4) -> list[str]:
    counts = Counter(w for turn in turns for w in _words(turn.question))
    clusters = vocabulary["__clusters__"]

    def weight(word: str) -> float:
        return counts[word] * float(np.log(1 + clusters / vocabulary[word]))

    return sorted(counts, key=lambda w: (-weight(w), w))[:limit]


def _trend_counts(turns: Sequence[Turn], end: str) -> tuple[int, int]:
    last = datetime.fromisoformat(end)
    recent_start = (last - timedelta(days=TREND_DAYS)).isoformat(timespec="seconds")
    previous_start = (last - timedelta(days=2 * TREND_DAYS)).isoformat(timespec="seconds")
    recent = sum(t.created_at > recent_start for t in turns)
    previous = sum(previous_start < t.created_at <= recent_start for t in turns)
    return recent, previous


def _trend(recent: int, previous: int) -> str:
    if recent > previous * 1.25 + 1:
        return "rising"
    if recent < previous * 0.8 - 1:
        return "falling"
    return "steady"


def _pain_score(cluster: Cluster) -> float:
    return (cluster.no_match + cluster.low_similarity + 3 * cluster.thumbs_down) / max(
        1, cluster.size
    )


# --- the report ---------------------------------------------------------------------------------


def build_report(
    db: sqlite_utils.Database,
    embedder: Embedder,
    since_days: int | None = None,
    now: datetime | None = None,
    k: int | None = None,
    seed: int = 0,
) -> InsightsReport:
    """Analyse the turns of the last ``since_days`` days (all when None) into one report."""
    turns = load_turns(db, since_days, now)
    feedback = feedback_by_turn(db)
    vectors = question_vectors(db, embedder, turns)
    rated = [r for t in turns for r in feedback.get(t.id, [])]
    top, out = product_demand(db, turns)
    return InsightsReport(
        since_days=since_days, turns=len(turns), sessions=len({t.session_id for t in turns}),
        clusters=cluster_questions(turns, vectors, feedback, k, seed),
        no_match=sum(t.status == "no_match" for t in turns),
        low_similarity=sum(_low(t) for t in turns),
        unanswered=_phrasings([t for t in turns if t.status == "no_match"]),
        corrections=[CorrectedTurn(t.id, t.question, t.corrections) for t in turns
                     if t.corrections][-20:],
        top_products=top, out_of_stock=out,
        volume_by_hour=_volume(turns, lambda t: int(t.created_at[11:13])),
        volume_by_day=_volume(turns, lambda t: t.created_at[:10]),
        median_ttft_ms=_median([t.ttft_ms for t in turns if t.ttft_ms > 0 and t.model != REUSED]),
        feedback_rate=sum(t.id in feedback for t in turns) / len(turns) if turns else 0.0,
        thumbs_up=sum(r == "up" for r, _ in rated), thumbs_down=sum(r == "down" for r, _ in rated),
    )  # fmt: skip


def _volume(turns: Sequence[Turn], key: Any) -> dict[Any, int]:
    return dict(sorted(Counter(key(t) for t in turns).items()))


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def product_demand(
    db: sqlite_utils.Database, turns: Sequence[Turn], limit: int = 10
) -> tuple[list[ProductDemand], list[ProductDemand]]:
    """Products shown most in answers, and those of them that are out of stock now."""
    asks = Counter(sku for turn in turns for sku in turn.products)
    known = _products(db, list(asks))
    ranked = [
        ProductDemand(sku, name, count, stock, price, currency)
        for sku, count in asks.most_common()
        if sku in known
        for name, stock, price, currency in [known[sku]]
    ]
    return ranked[:limit], [p for p in ranked if p.stock <= 0][:limit]


def _products(db: sqlite_utils.Database, skus: list[str]) -> dict[str, tuple[Any, ...]]:
    found: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for sku, name, stock, price, currency in db.execute(
            f"SELECT sku, name, stock, price, currency FROM products WHERE sku IN ({marks})", chunk
        ):
            found[sku] = (name, stock, price, currency)
    return found


# --- FAQ drafts ----------------------------------------------------------------------------------

DRAFT_NOTE = (
    "> DRAFT for review, written by `localbot insights faq` from {size} logged questions on "
    "{date}. Check the answer (prices and stock change), delete this note and move the file "
    "into `knowledge/docs/`; the next `localbot ingest knowledge` then answers these questions."
)


@dataclass(frozen=True)
class FaqDraft:
    """A Markdown draft for one frequent question that no document answers yet."""

    cluster: Cluster
    answer: str  # the best-rated past answer, or '' when no answer was ever rated up
    coverage: float  # median similarity of its questions to the nearest document chunk
    markdown: str
    filename: str


def faq_drafts(
    db: sqlite_utils.Database,
    embedder: Embedder,
    report: InsightsReport | None = None,
    limit: int = 5,
    now: datetime | None = None,
) -> list[FaqDraft]:
    """Drafts for the largest clusters whose question no knowledge document covers yet."""
    report = report or build_report(db, embedder, now=now)
    documents = _document_vectors(db)
    feedback = feedback_by_turn(db)
    date = (now or datetime.now(UTC)).date().isoformat()
    drafts = []
    for cluster in report.clusters:
        coverage = _coverage(db, cluster, documents)
        if coverage >= DOCUMENT_COVERED:
            continue
        answer = best_rated_answer(db, cluster.turn_ids, feedback)
        drafts.append(_draft(cluster, answer, coverage, date))
        if len(drafts) == limit:
            break
    return drafts


def write_faq_drafts(drafts: Sequence[FaqDraft], out_dir: Path) -> list[Path]:
    """Write each draft as a Markdown file in ``out_dir`` (created owner-only if needed).

    The drafts quote how shoppers worded their questions (redacted), so each file is readable by
    its owner only, like every file localbot writes; staff widen that when they publish one.
    """
    ensure_private_dir(out_dir)
    paths = []
    for draft in drafts:
        path = out_dir / draft.filename
        with open_private(path) as handle:
            handle.write(draft.markdown)
        paths.append(path)
    return paths


def _document_vectors(db: sqlite_utils.Database) -> NDArray[np.float32]:
    blobs = [row[0] for row in db.execute(
        "SELECT embedding FROM search_items WHERE kind = 'document' AND embedding IS NOT NULL"
    )]  # fmt: skip
    if not blobs:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([from_blob(blob) for blob in blobs])


def _cluster_vectors(db: sqlite_utils.Database, turn_ids: Sequence[int]) -> NDArray[np.float32]:
    wanted = set(turn_ids)
    blobs = [blob for turn_id, blob in db.execute("SELECT turn_id, embedding FROM question_vectors")
             if turn_id in wanted]  # fmt: skip
    return np.stack([from_blob(blob) for blob in blobs])


def _coverage(db: sqlite_utils.Database, cluster: Cluster, documents: NDArray[np.float32]) -> float:
    """Median over the cluster's questions of their similarity to the nearest document chunk.

    A median, not the centroid: a cluster mixing a covered topic with a stray one keeps the
    covered topic's score.
    """
    if not len(documents):
        return 0.0
    nearest = (_cluster_vectors(db, cluster.turn_ids) @ documents.T).max(axis=1)
    return float(np.median(nearest))


def best_rated_answer(
    db: sqlite_utils.Database, turn_ids: Sequence[int], feedback: dict[int, list[tuple[str, str]]]
) -> str:
    """The answer with the most thumbs up and none down among these turns ('' if none), redacted.

    An answer written for a customer is never quoted: it may speak of that person, and a draft
    is meant to be published. Redacted because answers are stored as generated, and a model can
    repeat a detail from its context.
    """
    scored = []
    for turn_id in turn_ids:
        ratings = [rating for rating, _ in feedback.get(turn_id, [])]
        if "up" in ratings and "down" not in ratings:
            scored.append((ratings.count("up"), turn_id))
    for _, turn_id in sorted(scored, reverse=True):  # ties go to the latest answer
        row = db.execute(
            f"SELECT t.answer, {personal_turn_sql('t')} FROM turns t WHERE t.id = ?", [turn_id]
        ).fetchone()
        if row and not row[1]:
            return redact(str(row[0])).text
    return ""


def _draft(cluster: Cluster, answer: str, coverage: float, date: str) -> FaqDraft:
    title = cluster.name[:1].upper() + cluster.name[1:] + "?"
    # Wordings that held personal data (now placeholders) are not worth publishing.
    shown = [p for p in cluster.phrasings if "[" not in p.text]
    phrasings = "\n".join(f"- {p.text} (asked {p.count}x)" for p in shown)
    body = answer or "_No past answer was rated up; write the answer here._"
    markdown = (
        f"# {title}\n\n{DRAFT_NOTE.format(size=cluster.size, date=date)}\n\n"
        f"## How shoppers ask it\n\n{phrasings}\n\n## Answer\n\n{body}\n"
    )
    slug = "-".join(_words(cluster.name))[:60] or f"cluster-{cluster.id}"
    return FaqDraft(cluster, answer, round(coverage, 4), markdown, f"faq-{slug}.md")
