"""Catalogue commands: ``ingest``, ``search`` and ``eval``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from localbot.commands import UserError, open_assistant, settings_from
from localbot.commands.output import progress_bar, table


def register(subparsers: Any) -> None:
    """Add the catalogue commands."""
    ingest = subparsers.add_parser(
        "ingest", help="import products (CSV/JSON/JSONL) and documents (Markdown)"
    )
    ingest.add_argument("paths", nargs="+", type=Path, help="files or folders (read recursively)")
    ingest.add_argument("--json", action="store_true", help="print a machine-readable summary")
    ingest.add_argument(
        "--quiet", action="store_true", help="no progress or details: the summary and problems"
    )
    ingest.set_defaults(handler=run_ingest)

    search = subparsers.add_parser("search", help="hybrid search of the catalogue")
    search.add_argument("query", help="what to look for, e.g. 'rain jacket under $150 in stock'")
    search.add_argument("--limit", type=positive_int, default=None, help="number of results")
    search.add_argument("--mode", choices=["hybrid", "keyword", "vector"], default="hybrid")
    search.add_argument("--json", action="store_true", help="print results as JSON")
    search.set_defaults(handler=run_search)

    evaluate = subparsers.add_parser("eval", help="measure retrieval on a labelled question set")
    evaluate.add_argument("--questions", type=Path, default=None, help="JSONL question file")
    evaluate.add_argument(
        "--depth", type=positive_int, default=10, help="results listed per question in --json"
    )
    evaluate.add_argument(
        "--json", action="store_true", help="print scores and each question's results"
    )
    evaluate.set_defaults(handler=run_eval)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def run_ingest(args: argparse.Namespace) -> int:
    """Import files, report counts, exit non-zero only when nothing could be imported."""
    from localbot.catalogue.ingest import ingest_paths
    from localbot.catalogue.readers import FileProblem
    from localbot.db import DatabaseError, open_database
    from localbot.embeddings import Embedder, EmbedderError

    settings = settings_from(args)
    try:
        db = open_database(settings.database_path)
    except DatabaseError as error:
        raise UserError(str(error)) from error
    embedder = Embedder(Path(settings.embedder) if settings.embedder else None)
    show_progress = not (args.json or args.quiet)
    try:
        with progress_bar(enabled=show_progress) as update:
            report = ingest_paths(db, args.paths, embedder, update)
    except FileProblem as error:
        raise UserError(str(error)) from error
    except EmbedderError as error:
        # Rows are written before embedding starts; the next run embeds what has no vector.
        raise UserError(
            f"{error}; what was read is stored, and 'localbot ingest' again adds its vectors"
        ) from error
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_ingest(report, args.quiet)
    return 0 if report.imported_anything else 1


def _print_ingest(report: Any, quiet: bool) -> None:
    print(report.summary())
    for line in report.problem_lines() if quiet else report.details():
        print(f"  {line}", file=sys.stderr)


EMPTY_CATALOGUE = (
    "the catalogue is empty; run 'localbot ingest knowledge' for the demo store, or"
    " 'localbot ingest' with your own product files and documents"
)


def _open_catalogue(args: argparse.Namespace) -> Any:
    """The Assistant, or a :class:`UserError` when there is no catalogue to search yet.

    An empty catalogue would give "0 results" and all-zero scores that look like a search
    problem; and no database is created just to find that out.
    """
    path = settings_from(args).database_path
    if not path.exists() and not path.parent.is_file():  # a file there gets its own message
        raise UserError(EMPTY_CATALOGUE)
    assistant = open_assistant(args)
    counts = assistant.catalogue_size()
    if counts["products"] + counts["documents"] == 0:
        raise UserError(EMPTY_CATALOGUE)
    return assistant


def _embedder_error(error: Exception) -> UserError:
    return UserError(f"{error}; then run 'localbot doctor' to check")


def run_search(args: argparse.Namespace) -> int:
    """Print ranked products and passages for a query."""
    from localbot.assistant import AssistantError
    from localbot.embeddings import EmbedderError

    assistant = _open_catalogue(args)
    try:
        results = assistant.search(args.query, args.limit, args.mode)
    except AssistantError as error:
        raise UserError(str(error).replace("question", "search")) from error
    except EmbedderError as error:
        raise _embedder_error(error) from error
    if args.json:
        print(json.dumps(_search_json(results), indent=2))
        return 0
    if results.filters.active:
        print(f"filters: {results.filters.describe()}")
    rows = [_search_row(rank, hit) for rank, hit in enumerate(results.hits, start=1)]
    print(table(["#", "kind", "id", "name / title", "price", "stock", "score"], rows))
    print(f"{len(results.hits)} results in {results.retrieval_ms:.0f} ms")
    return 0


def _search_row(rank: int, hit: Any) -> list[str]:
    from localbot.verify import format_price

    if hit.product:
        p = hit.product
        return [
            str(rank),
            "product",
            p.sku,
            p.name,
            format_price(p.price, p.currency),
            str(p.stock),
            _score(hit),
        ]
    return [str(rank), "document", hit.passage.path, hit.passage.title, "", "", _score(hit)]


def _score(hit: Any) -> str:
    """The fused score, with the part retrieval feedback added or took away."""
    return f"{hit.score:.4f}" + (f" ({hit.feedback:+.4f} feedback)" if hit.feedback else "")


def _search_json(results: Any) -> dict[str, Any]:
    hits = []
    for hit in results.hits:
        item: dict[str, Any] = {"kind": hit.kind, "score": round(hit.score, 5), "similarity": hit.similarity,
                                "keyword_rank": hit.keyword_rank, "vector_rank": hit.vector_rank,
                                "feedback": round(hit.feedback, 5)}  # fmt: skip
        if hit.product:
            p = hit.product
            item.update(sku=p.sku, name=p.name, price=p.price, currency=p.currency, stock=p.stock)
        else:
            item.update(path=hit.passage.path, title=hit.passage.title, chunk=hit.ref)
        hits.append(item)
    return {"query": results.query, "filters": results.filters.describe(), "results": hits,
            "retrieval_ms": round(results.retrieval_ms, 1)}  # fmt: skip


def run_eval(args: argparse.Namespace) -> int:
    """Score keyword, vector and hybrid retrieval on a labelled question set."""
    from localbot.embeddings import EmbedderError
    from localbot.evaluation import QuestionFileError, load_questions
    from localbot.paths import knowledge_dir

    path = args.questions or knowledge_dir() / "eval" / "questions.jsonl"
    try:
        questions = load_questions(path)
    except QuestionFileError as error:
        raise UserError(str(error)) from error
    assistant = _open_catalogue(args)
    try:
        report, votes = _evaluate(assistant, questions, args)
    except EmbedderError as error:
        raise _embedder_error(error) from error
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
        return 0
    print(f"{report.questions} questions ({report.answerable} answerable) from {path}")
    rows = [[mode, f"{s.recall_at_5:.3f}", f"{s.mrr:.3f}", f"{s.ndcg_at_10:.3f}", _share(s.abstain_accuracy)]
            for mode, s in report.modes.items()]  # fmt: skip
    print(table(["mode", "recall@5", "MRR", "nDCG@10", "no-answer acc."], rows))
    print(_feedback_effect(report, votes))
    return 0


def _evaluate(assistant: Any, questions: list[Any], args: argparse.Namespace) -> tuple[Any, int]:
    """The eval report, and how many rated questions the feedback row used."""
    from localbot.boosts import FeedbackBoosts
    from localbot.evaluation import evaluate

    assistant.embedder.load()  # a missing model is reported before a progress bar is drawn
    feedback = assistant.search_engine.feedback
    votes = len(feedback.votes()) if isinstance(feedback, FeedbackBoosts) else 0
    with progress_bar(enabled=not args.json) as update:
        report = evaluate(
            assistant.search_engine, questions, assistant.settings.min_similarity, args.depth,
            progress=lambda done, total: update("questions", done, total), with_feedback=votes > 0,
        )  # fmt: skip
    return report, votes


def _share(value: float | None) -> str:
    """A metric to three places, or "n/a" when the mode cannot measure it."""
    return "n/a" if value is None else f"{value:.3f}"


def _feedback_effect(report: Any, votes: int) -> str:
    """One line on what retrieval feedback changes (the hybrid row is without it)."""
    from localbot.evaluation import FEEDBACK_MODE

    if FEEDBACK_MODE not in report.modes:
        return "retrieval feedback: no rated answers yet (or feedback_boosts is off)"
    plain, boosted = report.modes["hybrid"], report.modes[FEEDBACK_MODE]
    return (
        f"retrieval feedback from {votes} rated questions: recall@5 "
        f"{boosted.recall_at_5 - plain.recall_at_5:+.3f}, MRR {boosted.mrr - plain.mrr:+.3f}, "
        f"nDCG@10 {boosted.ndcg_at_10 - plain.ndcg_at_10:+.3f} against hybrid without it"
    )
