"""How an answer explains itself: why each card matched, and which documents it drew on.

A live answer and the same answer reopened from the log must read alike, so both are worded
here, from a search hit or from the retrieval trace stored with the turn. The shells only show
the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def why_matched(
    keyword_rank: int | None,
    vector_rank: int | None,
    feedback: float = 0.0,
    filters: str = "",
) -> str:
    """Why a product was found: its keyword and meaning ranks, ratings and the filters applied."""
    reasons = []
    if keyword_rank:
        reasons.append(f"keyword match #{keyword_rank}")
    if vector_rank:
        reasons.append(f"meaning match #{vector_rank}")
    if feedback:
        reasons.append(f"rated {'helpful' if feedback > 0 else 'unhelpful'} for similar questions")
    if filters:
        reasons.append(filters)
    return "; ".join(reasons)


def why_from_trace(item: Mapping[str, Any] | None, filters: str = "") -> str:
    """Why a product matched, from its item in a stored retrieval trace ('' if it has none).

    Traces written since the ranks were kept read exactly as the live answer did; older ones
    only hold the fused rank and the similarity, and say that.
    """
    if not item:
        return ""
    if "keyword_rank" in item or "vector_rank" in item:
        return why_matched(
            item.get("keyword_rank"), item.get("vector_rank"), item.get("feedback", 0.0), filters
        )
    reasons = [f"search result #{item['rank']}"] if item.get("rank") else []
    if item.get("similarity") is not None:
        reasons.append(f"similarity {float(item['similarity']):.2f}")
    if feedback := item.get("feedback"):
        reasons.append(f"rated {'helpful' if feedback > 0 else 'unhelpful'} for similar questions")
    return "; ".join(reasons)


def documents_used(
    turn: Mapping[str, Any], min_similarity: float, limit: int
) -> list[dict[str, str]]:
    """The store documents a stored answer drew on, from its retrieval trace, one per path.

    The trace marks the items the model was given (``used``). A turn logged before it did is
    read as answering read it: document passages relevant enough (``min_similarity``), at most
    ``limit`` of them (the rare such answer whose filters picked weaker hits names none).
    Document items carry ``path`` and ``title`` once the store has named them.
    """
    trace: Sequence[Mapping[str, Any]] = turn.get("retrieval", [])
    if any("used" in item for item in trace):
        passages = [item for item in trace if item.get("used") and "path" in item]
    elif turn.get("status") in ("complete", "cancelled"):
        passages = [
            item
            for item in trace
            if "path" in item and (item.get("similarity") or 0.0) >= min_similarity
        ][:limit]
    else:
        return []
    seen: dict[str, dict[str, str]] = {}
    for item in passages:
        seen.setdefault(item["path"], {"path": item["path"], "title": item.get("title", "")})
    return list(seen.values())
