"""Retrieval metrics: each labelled item counts once, so every metric stays within [0, 1]."""

from hypothesis import given
from hypothesis import strategies as st

from localbot.evaluation import ModeScores, _averages, ndcg_at, recall_at, reciprocal_rank

# Documents may come back under their full path or a shorter one (the same file imported through
# another folder); SKUs are plain ids.
ITEMS = ["docs/returns.md", "returns.md", "kb/docs/returns.md", "docs/warranty.md", "A-1", "A-2"]
labels = st.dictionaries(
    st.sampled_from(ITEMS), st.sampled_from([1.0, 2.0, 3.0]), min_size=1, max_size=4
)
rankings = st.lists(st.sampled_from([*ITEMS, "B-9", "docs/other.md"]), max_size=12)


def test_a_document_found_under_two_paths_counts_once():
    ranked = ["docs/returns.md", "returns.md"]
    assert ndcg_at(ranked, {"docs/returns.md": 1.0}, 10) == 1.0
    assert ndcg_at(["A-9", "docs/returns.md", "returns.md"], {"returns.md": 1.0}, 10) < 1.0


@given(ranked=rankings, relevant=labels, k=st.integers(1, 12))
def test_metrics_stay_between_zero_and_one(ranked, relevant, k):
    for value in (
        ndcg_at(ranked, relevant, k),
        recall_at(ranked, relevant, k),
        reciprocal_rank(ranked, relevant),
    ):
        assert 0.0 <= value <= 1.0 + 1e-9


@given(relevant=labels)
def test_the_ideal_ranking_scores_one(relevant):
    ideal = sorted(relevant, key=relevant.__getitem__, reverse=True)
    assert abs(ndcg_at(ideal, relevant, 10) - 1.0) < 1e-9


def test_no_answer_accuracy_is_not_available_for_keyword_search():
    sums = {"keyword": ModeScores(abstain_accuracy=None), "vector": ModeScores(abstain_accuracy=3)}
    averaged = _averages(sums, answerable=2, total=6)
    assert averaged["keyword"].abstain_accuracy is None
    assert averaged["vector"].abstain_accuracy == 0.75
    assert _averages(sums, answerable=2, total=2)["vector"].abstain_accuracy is None
