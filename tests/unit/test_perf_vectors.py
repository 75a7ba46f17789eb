"""The vector index's two-stage search for large catalogues: sign-code estimate, then exact."""

import numpy as np
import pytest

from localbot.catalogue import vectors
from localbot.catalogue.vectors import SignCodes, VectorIndex, dot_rows


def clustered(count: int, seed: int = 3) -> np.ndarray:
    """Normalised vectors around 40 centres, like product embeddings of a few kinds of thing."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, 384)).astype(np.float32)
    rows = centres[rng.integers(0, 40, count)] + rng.normal(0, 0.06, (count, 384))
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def index_of(matrix: np.ndarray) -> VectorIndex:
    index = VectorIndex()
    index.set_vectors(np.arange(10, 10 + 2 * len(matrix), 2, dtype=np.int64), matrix)
    return index


def exact_top(index: VectorIndex, query: np.ndarray, k: int) -> list[int]:
    scores = index.matrix @ query
    return index.ids[np.argsort(-scores)[:k]].tolist()


@pytest.fixture
def large(monkeypatch):
    """Treat a few thousand vectors as a large catalogue, with a small shortlist."""
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 100)
    monkeypatch.setattr(vectors, "SHORTLIST", 200)
    monkeypatch.setattr(vectors, "SHORTLIST_SHARE", 0.0)


def test_dot_rows_is_the_matrix_vector_product():
    matrix = clustered(50)
    assert np.allclose(dot_rows(matrix, matrix[0]), matrix @ matrix[0], atol=1e-6)


def test_sign_code_estimate_tracks_the_cosine():
    matrix = clustered(3000)
    codes = SignCodes.build(matrix)
    query = matrix[7]
    error = np.abs(codes.estimate(query) - matrix @ query)
    assert error.mean() < 0.05


def test_estimate_of_selected_rows_matches_the_full_estimate():
    matrix = clustered(500)
    codes = SignCodes.build(matrix)
    rows = np.array([3, 40, 41, 499])
    assert np.allclose(codes.estimate(matrix[1], rows), codes.estimate(matrix[1])[rows])


def test_small_index_builds_no_codes_and_stays_exact():
    index = index_of(clustered(300))
    assert index.codes is None
    query = index.matrix[5]
    assert [i for i, _ in index.nearest(query, 10)] == exact_top(index, query, 10)


def test_large_index_finds_the_exact_top_ten(large):
    index = index_of(clustered(4000))
    assert index.codes is not None
    rng = np.random.default_rng(1)
    found = 0
    for row in rng.integers(0, 4000, 20):
        query = index.matrix[row] + rng.normal(0, 0.03, 384).astype(np.float32)
        query /= np.linalg.norm(query)
        top = [i for i, _ in index.nearest(query, 10)]
        found += len(set(top) & set(exact_top(index, query, 10)))
    assert found / 200 >= 0.97


def test_scores_are_exact_cosines_best_first(large):
    index = index_of(clustered(2000))
    query = index.matrix[11]
    hits = index.nearest(query, 5)
    assert hits[0][0] == index.ids[11] and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)


def test_allowed_ids_are_respected(large):
    index = index_of(clustered(2000))
    allowed = index.ids[::7]
    hits = index.nearest(index.matrix[0], 20, allowed)
    assert len(hits) == 20 and {i for i, _ in hits} <= set(allowed.tolist())


def test_unknown_allowed_ids_are_ignored():
    index = index_of(clustered(20))
    assert index.rows_of(np.array([0, 10, 11, 12, 999], dtype=np.int64)).tolist() == [0, 1]
