"""Hybrid search at scale (10k and 100k products; add 1M with --sizes), and the vector part vs vec0.

For each size, a seeded synthetic catalogue (bench/catalogue_gen.py; synthesised vectors, see
there) is searched with the 125 demo questions:

- hybrid search p50/p95 without the query embedding (vectors computed beforehand) and with it;
- the vector part alone (top 10) against sqlite-vec's `vec0` exhaustive search on the same
  vectors in the same run: p50 of each, the ratio, and how many of vec0's top 10 localbot finds
  (vec0 is exact, so this is localbot's recall@10);
- the first-search load time (vector matrix and cached facets);
- hybrid with embedding again with the keyword query inline instead of on its own thread;
- hybrid without embedding with the small-catalogue path forced (how search worked before).

Absolute times on a shared machine are noise; the ratios are the figures to track.
Usage: `.venv/bin/python bench/search.py [--sizes 10000,100000,1000000] [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from catalogue_gen import DEFAULT_SEED, cached_catalogue

from localbot.catalogue import search as search_module
from localbot.catalogue import vectors as vectors_module
from localbot.catalogue.search import CatalogueSearch
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.paths import knowledge_dir

TOP = 10


def questions() -> list[str]:
    """The demo store's labelled questions (realistic wording, with and without filters)."""
    path = knowledge_dir() / "eval" / "questions.jsonl"
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of milliseconds."""
    return statistics.median(samples_ms), float(np.percentile(samples_ms, 95))


def timed(call: Callable[[], Any]) -> float:
    """Milliseconds one call takes."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def open_vec0(matrix: np.ndarray) -> Any:
    """An in-memory SQLite with a vec0 table; rowid = matrix row + 1.

    apsw, because Python's own sqlite3 module may be built without extension loading.
    """
    import apsw
    import sqlite_vec

    conn = apsw.Connection(":memory:")
    conn.enable_load_extension(True)
    conn.load_extension(sqlite_vec.loadable_path())
    conn.execute(f"CREATE VIRTUAL TABLE vec USING vec0(embedding float[{matrix.shape[1]}])")
    with conn:
        conn.executemany(
            "INSERT INTO vec(rowid, embedding) VALUES (?, ?)",
            ((row + 1, matrix[row].tobytes()) for row in range(len(matrix))),
        )
    return conn


def vec0_top(conn: Any, query: np.ndarray, k: int) -> list[int]:
    """Matrix rows of vec0's k nearest (L2 on normalised vectors: the same order as cosine)."""
    sql = "SELECT rowid FROM vec WHERE embedding MATCH ? AND k = ? ORDER BY distance"
    return [row[0] - 1 for row in conn.execute(sql, (query.astype(np.float32).tobytes(), k))]


def bench_size(size: int, embedder: Embedder, rounds: int, seed: int) -> dict[str, float]:
    """All measurements for one catalogue size."""
    path = cached_catalogue(size, embedder, seed)
    search = CatalogueSearch(open_database(path), embedder)
    texts = questions()
    vectors = [embedder.embed_one(search.parse(text).text) for text in texts]
    load_ms = timed(lambda: search.search(texts[0], query_vector=vectors[0]))
    plain = [timed(lambda t=t, v=v: search.search(t, query_vector=v))
             for _ in range(rounds) for t, v in zip(texts, vectors, strict=True)]  # fmt: skip
    embedded = [timed(lambda t=t: search.search(t)) for t in texts]
    search_module.KEYWORD_THREAD = False
    inline = [timed(lambda t=t: search.search(t)) for t in texts]
    search_module.KEYWORD_THREAD = True
    small_path = small_catalogue_path(search, texts, vectors)
    embed_only = [timed(lambda t=t: embedder.embed_one(t)) for t in texts]
    figures = {"items": len(search.index), "load_ms": load_ms}
    figures.update(zip(("p50_ms", "p95_ms"), percentiles(plain), strict=True))
    figures.update(zip(("p50_with_embedding_ms", "p95_with_embedding_ms"),
                       percentiles(embedded), strict=True))  # fmt: skip
    figures["embed_p50_ms"] = statistics.median(embed_only)
    figures["p50_with_embedding_inline_ms"] = statistics.median(inline)
    figures.update(zip(("small_path_p50_ms", "small_path_p95_ms"), percentiles(small_path),
                       strict=True))  # fmt: skip
    figures.update(compare_vec0(search, vectors, rounds))
    return figures


def small_catalogue_path(
    search: CatalogueSearch, texts: list[str], vectors: list[np.ndarray]
) -> list[float]:
    """Hybrid times (no embedding) with the small-catalogue path forced: all allowed ids listed
    in SQL, every vector scored. This is how every catalogue was searched before."""
    saved = search_module.LARGE_CATALOGUE, vectors_module.EXACT_LIMIT
    search_module.LARGE_CATALOGUE = vectors_module.EXACT_LIMIT = 10**9
    search.index.version = ""  # reload without the sign codes
    try:
        return [timed(lambda t=t, v=v: search.search(t, query_vector=v))
                for t, v in zip(texts, vectors, strict=True)]  # fmt: skip
    finally:
        search_module.LARGE_CATALOGUE, vectors_module.EXACT_LIMIT = saved
        search.index.version = ""
        search.index.refresh(search.db, search.embedder.name)  # with sign codes again


def compare_vec0(
    search: CatalogueSearch, vectors: list[np.ndarray], rounds: int
) -> dict[str, float]:
    """Vector top 10: localbot's index against vec0 on the same matrix, same queries, same run."""
    index = search.index
    started = time.perf_counter()
    conn = open_vec0(index.matrix)
    build_s = time.perf_counter() - started
    ours, theirs, exact, agree, exact_agree = [], [], [], [], []
    for _ in range(rounds):
        for query in vectors:
            ours.append(timed(lambda q=query: index.nearest(q, TOP)))
            theirs.append(timed(lambda q=query: vec0_top(conn, q, TOP)))
            exact.append(timed(lambda q=query: index.scored(q, None)))
    for query in vectors:
        truth = set(index.ids[vec0_top(conn, query, TOP)].tolist())
        agree.append(len(truth & {item for item, _ in index.nearest(query, TOP)}) / TOP)
        ids, scores = index.scored(query, None)
        exact_agree.append(len(truth & set(ids[np.argsort(-scores)[:TOP]].tolist())) / TOP)
    ours_p50, theirs_p50 = statistics.median(ours), statistics.median(theirs)
    return {
        "vector_p50_ms": ours_p50,
        "vec0_p50_ms": theirs_p50,
        "vec0_ratio": theirs_p50 / ours_p50,
        "exact_numpy_p50_ms": statistics.median(exact),
        "recall_at_10_vs_vec0": float(np.mean(agree)),
        "exact_numpy_recall_vs_vec0": float(np.mean(exact_agree)),
        "vec0_build_s": build_s,
    }


def print_size(size: int, f: dict[str, float]) -> None:
    """A readable block for one size."""
    print(f"{size:>9,} products ({f['items']:,.0f} items; synthesised vectors): first search"
          f" {f['load_ms']:.0f} ms (loads the index)")  # fmt: skip
    print(f"    hybrid p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms without the query"
          f" embedding; with it p50 {f['p50_with_embedding_ms']:.1f} ms, p95"
          f" {f['p95_with_embedding_ms']:.1f} ms (embedding alone p50 {f['embed_p50_ms']:.1f} ms;"
          f" keyword query inline instead of on a thread: p50"
          f" {f['p50_with_embedding_inline_ms']:.1f} ms)")  # fmt: skip
    print(f"    small-catalogue path forced (all allowed ids listed, every vector scored):"
          f" p50 {f['small_path_p50_ms']:.1f} ms, p95 {f['small_path_p95_ms']:.1f} ms"
          f" ({f['small_path_p50_ms'] / f['p50_ms']:.1f}x the p50)")  # fmt: skip
    print(f"    vector top-{TOP}: localbot p50 {f['vector_p50_ms']:.2f} ms, vec0 p50"
          f" {f['vec0_p50_ms']:.2f} ms ({f['vec0_ratio']:.1f}x faster), exact numpy p50"
          f" {f['exact_numpy_p50_ms']:.2f} ms; recall@10 vs vec0 {f['recall_at_10_vs_vec0']:.3f}"
          f" (exact numpy {f['exact_numpy_recall_vs_vec0']:.3f})")  # fmt: skip


def main() -> None:
    """Run every size and print the RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    embedder = Embedder()
    embedder.load()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = bench_size(size, embedder, args.rounds, args.seed)
        print_size(size, results[size])
    print("RESULT " + " ".join(result_fields(results)))


def result_fields(results: dict[int, dict[str, float]]) -> list[str]:
    """Headline figures per size: key=value pairs for the RESULT line."""
    fields = []
    for size, f in results.items():
        tag = f"{size // 1000}k"
        fields += [f"p50_ms_{tag}={f['p50_ms']:.1f}", f"p95_ms_{tag}={f['p95_ms']:.1f}",
                   f"p50_with_embedding_ms_{tag}={f['p50_with_embedding_ms']:.1f}",
                   f"vec0_ratio_{tag}={f['vec0_ratio']:.1f}",
                   f"speedup_vs_small_path_p50_{tag}={f['small_path_p50_ms'] / f['p50_ms']:.1f}",
                   f"recall10_vs_vec0_{tag}={f['recall_at_10_vs_vec0']:.3f}"]  # fmt: skip
    return fields


if __name__ == "__main__":
    main()
