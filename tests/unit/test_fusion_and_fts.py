from localbot.catalogue.search import RRF_K, _fuse, fts_query


def test_rrf_rewards_agreement():
    keyword = [(1, 9.0), (2, 8.0), (3, 7.0)]
    vector = [(3, 0.9), (4, 0.8), (1, 0.7)]
    hits = _fuse(keyword, vector)
    assert [h.ref for h in hits][:2] == ["1", "3"]
    top = hits[0]
    assert top.keyword_rank == 1 and top.vector_rank == 3
    assert abs(top.score - (1 / (RRF_K + 1) + 1 / (RRF_K + 3))) < 1e-12


def test_single_mode_keeps_order():
    hits = _fuse([], [(7, 0.9), (5, 0.5)])
    assert [h.ref for h in hits] == ["7", "5"]


def test_fts_query_is_always_valid_syntax():
    assert fts_query("What's a good 2-person tent?") == '"2" OR "person" OR "tent"'
    assert fts_query('"; DROP TABLE products; --') == '"drop" OR "table" OR "products"'
    assert fts_query("the and of") == ""
