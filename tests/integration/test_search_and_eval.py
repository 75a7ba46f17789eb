"""Hybrid search and the labelled evaluation on the real demo database and embedder."""

import pytest

from localbot.evaluation import evaluate, load_questions
from localbot.paths import knowledge_dir

pytestmark = pytest.mark.real


def test_filters_are_applied_in_sql(assistant):
    results = assistant.search_engine.search("tents under $100 in stock", limit=10)
    assert results.products, "expected some cheap tents in stock"
    for product in results.products:
        assert product.category == "Tents" and product.price < 100 and product.stock > 0
    assert not results.passages  # product filters leave store documents out


def test_brand_filter(assistant):
    results = assistant.search_engine.search("anything from Alpenglow?", limit=10)
    assert results.products and {p.brand for p in results.products} == {"Alpenglow"}


def test_documents_are_found(assistant):
    results = assistant.search_engine.search(
        "what is your returns policy for electronics?", limit=5
    )
    assert "docs/returns.md" in [p.path for p in results.passages[:3]]


def test_hybrid_beats_keyword_and_vector_on_the_demo_set(assistant):
    questions = load_questions(knowledge_dir() / "eval" / "questions.jsonl")
    assert len(questions) >= 60
    report = evaluate(assistant.search_engine, questions, assistant.settings.min_similarity)
    hybrid, keyword, vector = (report.modes[m] for m in ("hybrid", "keyword", "vector"))
    for metric in ("recall_at_5", "mrr", "ndcg_at_10"):
        assert getattr(hybrid, metric) > getattr(keyword, metric), metric
        assert getattr(hybrid, metric) > getattr(vector, metric), metric
    assert hybrid.recall_at_5 >= 0.85


UNANSWERABLE = ["golf clubs", "do you sell pizza?", "a tent"]  # the last one is answerable


def test_eval_json_lists_ranked_results(tmp_path, capsys, demo_db_path, embedder, settings):
    import json

    from localbot.catalogue.search import CatalogueSearch
    from localbot.cli import main
    from localbot.db import open_database

    questions = tmp_path / "q.jsonl"
    lines = ['{"question": "kayak paddle", "relevant": {"WAT-0010": 2}}']
    lines += [json.dumps({"question": q, "relevant": []}) for q in UNANSWERABLE]
    questions.write_text("\n".join(lines) + "\n")
    assert main(["eval", "--questions", str(questions), "--json", "--depth", "3"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 4 and report["answerable"] == 1
    assert len(report["details"][0]["results"]["hybrid"]) == 3
    assert set(report["modes"]) == {"keyword", "vector", "hybrid"}
    # Keyword hits carry no similarity, so whether it found "nothing relevant" is not measured.
    assert report["modes"]["keyword"]["abstain_accuracy"] is None
    # The share of unlabelled questions whose hits all fall below the similarity bar, counted
    # here from each hit's own similarity.
    db = open_database(demo_db_path)
    search = CatalogueSearch(db, embedder)
    found_nothing = [
        all(
            hit.similarity is None or hit.similarity < settings.min_similarity
            for hit in search.search(q, 10, mode).hits
        )
        for q in UNANSWERABLE
        for mode in ("hybrid", "vector")
    ]
    db.close()
    assert 0 < sum(found_nothing) < len(found_nothing)  # the set tells success from failure
    for index, mode in enumerate(("hybrid", "vector")):
        expected = round(sum(found_nothing[index::2]) / len(UNANSWERABLE), 4)
        assert report["modes"][mode]["abstain_accuracy"] == expected, mode


def test_documents_ingested_again_through_their_folder_are_not_counted_twice(
    tmp_path, capsys, demo_db_path
):
    import json

    from localbot.cli import main

    assert main(["ingest", str(knowledge_dir() / "docs"), "--json"]) == 0
    ingest = json.loads(capsys.readouterr().out)
    assert (ingest["documents_inserted"], ingest["embedded"]) == (0, 0)
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "what is your returns policy?", "relevant": ["docs/returns.md"]}\n'
        '{"question": "how long is the warranty?", "relevant": {"docs/warranty.md": 2}}\n'
    )
    assert main(["eval", "--questions", str(questions), "--json"]) == 0
    for scores in json.loads(capsys.readouterr().out)["modes"].values():
        assert 0 <= scores["ndcg_at_10"] <= 1 and 0 <= scores["recall_at_5"] <= 1


def test_bad_question_file_is_one_line(tmp_path, capsys, demo_db_path):
    from localbot.cli import main

    questions = tmp_path / "q.jsonl"
    questions.write_text("not json\n")
    assert main(["eval", "--questions", str(questions)]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"error: {questions} line 1 is not JSON (Expecting value)"
    )
