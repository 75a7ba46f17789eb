"""The embedder runs short inputs on one torch thread and bulk batches on all of them."""

import numpy as np
import pytest
import torch

from localbot.embeddings import SMALL_BATCH

pytestmark = pytest.mark.real


def test_queries_use_one_thread_and_bulk_uses_all(embedder):
    bulk = embedder._bulk_threads
    embedder.embed_one("a light tent")
    assert torch.get_num_threads() == 1
    embedder.embed([f"product {n}" for n in range(SMALL_BATCH + 1)])
    assert torch.get_num_threads() == bulk


def test_thread_count_does_not_change_the_vectors(embedder):
    texts = [f"waterproof hiking boot size {n}" for n in range(SMALL_BATCH + 4)]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed_one(text) for text in texts])
    assert np.allclose(together, alone, atol=1e-5)
