"""The embedder on sentence-transformers' other backends: ONNX (fp32) and ONNX int8, vs torch.

For each backend, in the same run: bulk texts/s (the demo products' search texts), one-query
latency (one thread, as localbot embeds queries) and `localbot eval` recall@5 (hybrid and vector)
on the demo store re-embedded with that backend. The ONNX models are exported from the bundled
model folder (a copy; nothing is downloaded, HF_HUB_OFFLINE=1).

The ONNX backend needs optimum-onnx[onnxruntime], which pins transformers<5 (localbot has 5.x),
so it is not installed in .venv; run this in a scratch environment (bench/RESULTS.md says how).
Without it the script says so and ends with `RESULT skipped=1`.
Usage: `python bench/embedder_backends.py [--texts N]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from localbot.catalogue.ingest import ingest_paths
from localbot.catalogue.search import CatalogueSearch
from localbot.catalogue.validation import validate_product
from localbot.db import open_database
from localbot.embeddings import Embedder, bundled_model_dir
from localbot.evaluation import evaluate, load_questions
from localbot.paths import knowledge_dir

QUERIES = ["light 2 person tent", "warm sleeping bag for winter", "can I return a used tent?"]


class BackendEmbedder(Embedder):
    """localbot's Embedder with a sentence-transformers backend and model file chosen."""

    def __init__(self, folder: Path, backend: str, file_name: str | None, label: str) -> None:
        super().__init__(folder)
        self.backend, self.file_name, self.label = backend, file_name, label

    @property
    def name(self) -> str:
        """A name per backend, so each database holds its own vectors."""
        return f"all-MiniLM-L6-v2-{self.label}"

    def _load_model(self) -> Any:
        import torch
        from sentence_transformers import SentenceTransformer

        self._bulk_threads = torch.get_num_threads()
        kwargs = {"file_name": self.file_name} if self.file_name else {}
        return SentenceTransformer(str(self.model_dir), device="cpu", backend=self.backend,
                                   local_files_only=True, model_kwargs=kwargs)  # fmt: skip


def export_onnx(folder: Path) -> None:
    """Export the fp32 ONNX model into ``folder``/onnx and an int8 (dynamic) quantised copy.

    ``folder`` is a copy of the bundled model: saving the ONNX model replaces its torch weights.
    """
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    model = SentenceTransformer(str(folder), device="cpu", backend="onnx", local_files_only=True)
    model.save_pretrained(str(folder))
    export_dynamic_quantized_onnx_model(model, "avx2", str(folder))


def measure(embedder: BackendEmbedder, texts: list[str]) -> dict[str, float]:
    """Bulk rate, query latency and recall on the demo store."""
    embedder.embed(texts[:16])
    started = time.perf_counter()
    embedder.embed(texts)
    rate = len(texts) / (time.perf_counter() - started)
    latencies = []
    for query in QUERIES * 5:
        started = time.perf_counter()
        embedder.embed_one(query)
        latencies.append((time.perf_counter() - started) * 1000)
    figures = {"texts_per_s": rate, "query_ms": statistics.median(latencies)}
    figures.update(recall(embedder))
    print(f"{embedder.label}: {figures}", flush=True)
    return figures


def recall(embedder: BackendEmbedder) -> dict[str, float]:
    """`localbot eval` figures with this embedder."""
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "db.sqlite")
        ingest_paths(db, [knowledge_dir()], embedder)
        questions = load_questions(knowledge_dir() / "eval" / "questions.jsonl")
        report = evaluate(CatalogueSearch(db, embedder), questions, 0.34)
        db.close()
    return {"hybrid_recall5": report.modes["hybrid"].recall_at_5,
            "vector_recall5": report.modes["vector"].recall_at_5}  # fmt: skip


def main() -> None:
    """Export, measure every backend, print the RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=355)
    args = parser.parse_args()
    try:
        import onnxruntime  # noqa: F401
        import optimum.onnxruntime  # noqa: F401
    except ImportError:
        print("optimum-onnx[onnxruntime] is not installed here (see bench/RESULTS.md)")
        print("RESULT skipped=1")
        return
    from catalogue_gen import demo_products

    texts = [validate_product(p).search_text() for p in demo_products()][: args.texts]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "minilm"
        shutil.copytree(bundled_model_dir(), folder)
        export_onnx(folder)
        backends = {"torch": (bundled_model_dir(), "torch", None),
                    "onnx": (folder, "onnx", "onnx/model.onnx"),
                    "onnx_int8": (folder, "onnx", "onnx/model_quint8_avx2.onnx")}  # fmt: skip
        results = {label: measure(BackendEmbedder(path, backend, file, label), texts)
                   for label, (path, backend, file) in backends.items()}  # fmt: skip
    report(results)


def report(results: dict[str, dict[str, float]]) -> None:
    """A line per backend and the RESULT line."""
    base = results["torch"]
    fields = []
    for label, f in results.items():
        print(f"{label:>9}: {f['texts_per_s']:6.1f} texts/s ({f['texts_per_s'] / base['texts_per_s']:.2f}x),"
              f" query {f['query_ms']:5.1f} ms, recall@5 hybrid {f['hybrid_recall5']:.3f}"
              f" vector {f['vector_recall5']:.3f}")  # fmt: skip
        fields += [f"{label}_speedup={f['texts_per_s'] / base['texts_per_s']:.2f}",
                   f"{label}_query_ms={f['query_ms']:.1f}",
                   f"{label}_hybrid_recall5={f['hybrid_recall5']:.3f}"]  # fmt: skip
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
