"""The KV-cache reuse plan: which cached spans are removed so the cache becomes a prompt prefix."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from localbot.llm import Chunk, plan_reuse

SYSTEM = list(range(100, 120))
OLD_CONTEXT = list(range(500, 540))
TURN = list(range(200, 230))  # a past question and its answer
NEW = list(range(900, 925))


def apply(cached: list[int], plan) -> list[int]:
    """What the cache holds after the plan's removals and shifts."""
    kept = cached[: plan.common]
    for chunk in plan.chunks:
        assert len(kept) == chunk.prompt_start
        kept += cached[chunk.cache_start : chunk.cache_start + chunk.length]
    return kept


def test_identical_prefix_needs_no_moves():
    plan = plan_reuse(SYSTEM + TURN, SYSTEM + TURN + NEW, min_chunk=4)
    assert plan.common == len(SYSTEM + TURN) and plan.chunks == ()
    assert plan.kept == len(SYSTEM + TURN)


def test_the_previous_turns_context_is_removed_and_the_turn_after_it_kept():
    cached = SYSTEM + OLD_CONTEXT + TURN + [7, 7, 7]  # the generated tail differs
    prompt = SYSTEM + TURN + NEW
    plan = plan_reuse(cached, prompt, min_chunk=4)
    assert plan.common == len(SYSTEM)
    assert plan.chunks == (Chunk(len(SYSTEM) + len(OLD_CONTEXT), len(SYSTEM), len(TURN)),)
    assert apply(cached, plan) == prompt[: plan.kept] == SYSTEM + TURN


def test_oldest_turns_sliding_out_keep_the_later_ones():
    first, second, third = TURN, list(range(300, 330)), list(range(400, 430))
    cached = SYSTEM + first + second + third
    prompt = SYSTEM + second + third + NEW
    plan = plan_reuse(cached, prompt, min_chunk=4)
    assert apply(cached, plan) == SYSTEM + second + third
    assert plan.kept == len(SYSTEM + second + third)


def test_several_gaps_are_each_removed():
    a, b = list(range(300, 320)), list(range(400, 420))
    cached = [*SYSTEM, 1, 2, 3, *a, 4, 5, *b]
    prompt = SYSTEM + a + b + NEW
    plan = plan_reuse(cached, prompt, min_chunk=4)
    assert len(plan.chunks) == 2
    assert apply(cached, plan) == SYSTEM + a + b


def test_short_matches_are_not_moved():
    markup = [1, 2, 3]  # chat-template tokens repeat in every turn
    cached = SYSTEM + OLD_CONTEXT + markup + TURN
    prompt = SYSTEM + markup + NEW
    plan = plan_reuse(cached, prompt, min_chunk=4)
    assert plan.chunks == () and plan.kept == len(SYSTEM)


def test_the_cache_never_runs_past_the_prompt():
    cached = SYSTEM + OLD_CONTEXT + TURN
    prompt = SYSTEM + TURN[:10]
    plan = plan_reuse(cached, prompt, min_chunk=4)
    assert plan.kept == len(prompt) and apply(cached, plan) == prompt


def test_empty_inputs():
    assert plan_reuse([], [1, 2, 3]).kept == 0
    assert plan_reuse([1, 2, 3], []).kept == 0


tokens = st.lists(st.integers(0, 5), max_size=60)


@given(tokens, tokens, st.integers(1, 6))
def test_the_result_is_always_a_prefix_of_the_prompt(cached, prompt, min_chunk):
    plan = plan_reuse(cached, prompt, min_chunk=min_chunk)
    assert apply(cached, plan) == prompt[: plan.kept]
    assert plan.kept >= plan.common
    for before, after in pairwise(plan.chunks):
        assert after.cache_start - after.prompt_start > before.cache_start - before.prompt_start
    assert all(chunk.length >= min_chunk for chunk in plan.chunks)
