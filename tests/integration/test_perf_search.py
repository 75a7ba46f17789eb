"""Search as large catalogues run it (candidate checks, shortlist, keyword thread) gives the same
results as the small-catalogue path on the real demo database."""

import pytest

from localbot.catalogue import search as search_module
from localbot.catalogue import vectors
from localbot.catalogue.search import CatalogueSearch
from localbot.evaluation import load_questions
from localbot.paths import knowledge_dir

pytestmark = pytest.mark.real


def ranked(engine: CatalogueSearch, question: str, vector) -> tuple[list, list, list]:
    filters = engine.parse(question)
    engine.index.refresh(engine.db, engine.embedder.name)
    admission = engine._admission(filters)
    keyword = engine._keyword(filters.text, admission)
    nearest = [item for item, _ in engine._vector(vector, admission)]
    hits = [hit.key for hit in engine.search(question, 8, query_vector=vector).hits]
    return keyword, nearest, hits


def test_large_catalogue_path_matches_the_small_one(assistant, monkeypatch):
    engine = assistant.search_engine
    questions = [q.question for q in load_questions(knowledge_dir() / "eval" / "questions.jsonl")]
    vectors_by_question = {q: engine.embedder.embed_one(engine.parse(q).text) for q in questions}
    small = {q: ranked(engine, q, v) for q, v in vectors_by_question.items()}
    # Every catalogue counts as large; the shortlist covers all 446 items, so it stays exact.
    monkeypatch.setattr(search_module, "LARGE_CATALOGUE", 0)
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 0)
    engine.index.version = ""  # rebuild with sign codes
    large = {q: ranked(engine, q, v) for q, v in vectors_by_question.items()}
    assert engine.index.codes is not None
    assert sum(1 for q in questions if large[q] != small[q]) == 0


def test_price_and_stock_filters_hold_on_the_large_path(assistant, monkeypatch):
    monkeypatch.setattr(search_module, "LARGE_CATALOGUE", 0)
    results = assistant.search_engine.search("tents under $100 in stock", limit=10)
    assert results.products
    for product in results.products:
        assert product.category == "Tents" and product.price < 100 and product.stock > 0
    assert not results.passages


def test_a_price_change_is_seen_without_a_new_index_version(assistant, monkeypatch):
    """Price and stock are checked in SQL, never cached with the index."""
    monkeypatch.setattr(search_module, "LARGE_CATALOGUE", 0)
    engine = assistant.search_engine
    first = engine.search("tents under $100 in stock", limit=10).products[0]
    with engine.db.conn:
        engine.db.execute("UPDATE products SET stock = 0 WHERE sku = ?", [first.sku])
    again = engine.search("tents under $100 in stock", limit=10).products
    assert first.sku not in [p.sku for p in again]
