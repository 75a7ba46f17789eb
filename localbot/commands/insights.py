"""Insights command: ``localbot insights [--since DAYS] [--json]`` over the logged turns."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localbot.commands import UserError, open_db, settings_from
from localbot.commands.output import table

if TYPE_CHECKING:
    from localbot.insights import InsightsReport

BAR = "█"


def register(subparsers: Any) -> None:
    """Add the insights command."""
    insights = subparsers.add_parser(
        "insights", help="common questions, pain points and demand from the logged conversations"
    )
    insights.add_argument(
        "action", nargs="?", choices=["report", "faq"], default="report",
        help="'report' (default) or 'faq': Markdown drafts for frequent questions no document answers",
    )  # fmt: skip
    insights.add_argument("--out", type=Path, metavar="DIR", help="folder for the faq drafts")
    insights.add_argument("--limit", type=int, default=5, help="faq: at most this many drafts")
    insights.add_argument("--since", type=int, metavar="DAYS", help="only the last DAYS days")
    insights.add_argument("--clusters", type=int, metavar="N", help="number of question groups")
    insights.add_argument("--json", action="store_true", help="print the report as JSON")
    insights.set_defaults(handler=run_insights)

    answers = subparsers.add_parser(
        "answers", help="review logged answers: list them, approve one for reuse, or retire one"
    )
    answers.add_argument("action", nargs="?", choices=["list", "approve", "retire"], default="list")
    answers.add_argument("turn", nargs="?", type=int, help="approve/retire: the answer's turn id")
    answers.add_argument("--limit", type=int, default=20, help="list: how many recent answers")
    answers.add_argument("--json", action="store_true", help="list: print JSON")
    answers.set_defaults(handler=run_answers)


def _open(args: argparse.Namespace) -> tuple[Any, Any]:
    """The database (past-retention turns purged) and embedder; an error when nothing is logged."""
    from localbot.embeddings import Embedder

    settings = settings_from(args)
    if not settings.database_path.exists():
        raise UserError("no conversations are stored yet; ask something first")
    db, _ = open_db(settings)
    return db, Embedder(Path(settings.embedder) if settings.embedder else None)


def run_insights(args: argparse.Namespace) -> int:
    """Print the insights report (text with small charts, or JSON)."""
    from localbot.insights import build_report

    if args.since is not None and args.since < 1:
        raise UserError("--since must be at least 1 day")
    if args.action == "faq" and args.out is None:
        raise UserError("'insights faq' needs --out DIR, the folder to write the drafts to")
    db, embedder = _open(args)
    report = build_report(db, embedder, args.since, k=args.clusters)
    if args.action == "faq":
        return _write_faq(db, embedder, report, args)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(render(report))
    return 0


def run_answers(args: argparse.Namespace) -> int:
    """List recent answers with their review state, or record a staff decision on one."""
    from dataclasses import asdict

    from localbot.assistant import AssistantError
    from localbot.commands import open_assistant

    assistant = open_assistant(args)
    try:
        if args.action == "list":
            items = assistant.answers_for_review(args.limit)
        elif args.turn is None:
            raise UserError(
                f"'answers {args.action}' needs the turn id, e.g. 'answers {args.action} 12'"
            )
        elif args.action == "approve":
            assistant.approve_answer(args.turn)
            print(f"turn {args.turn} approved: questions that mean the same get this answer")
            return 0
        else:
            assistant.retire_answer(args.turn)
            print(f"turn {args.turn} retired: it is no longer served again")
            return 0
    except AssistantError as error:
        raise UserError(str(error)) from error
    if args.json:
        print(json.dumps([asdict(item) for item in items], indent=2))
        return 0
    rows = [[str(i.turn_id), i.state, f"{i.ups}/{i.downs}", _cut(i.question, 40), _cut(i.answer, 50)]
            for i in items]  # fmt: skip
    print(
        table(["turn", "state", "up/down", "question", "answer"], rows)
        if rows
        else "no answers yet"
    )
    return 0


def _write_faq(db: Any, embedder: Any, report: InsightsReport, args: argparse.Namespace) -> int:
    """Write the drafts and list them (or print them as JSON)."""
    from localbot.insights import faq_drafts, write_faq_drafts

    drafts = faq_drafts(db, embedder, report, limit=args.limit)
    paths = write_faq_drafts(drafts, args.out)
    if args.json:
        print(json.dumps([{"path": str(path), "question": d.cluster.name, "asked": d.cluster.size,
                           "has_answer": bool(d.answer), "coverage": d.coverage}
                          for path, d in zip(paths, drafts, strict=True)], indent=2))  # fmt: skip
        return 0
    if not drafts:
        print("no frequent question lacks a document; nothing to draft")
    for path, draft in zip(paths, drafts, strict=True):
        answer = "with the best-rated past answer" if draft.answer else "answer to write"
        print(f"{path}: {draft.cluster.name!r}, asked {draft.cluster.size}x ({answer})")
    if drafts:
        print("Drafts are for review: check them, then move them into knowledge/docs/ and ingest.")
    return 0


def render(report: InsightsReport) -> str:
    """The report as text for a terminal: tables and bar charts."""
    if not report.turns:
        return "no conversations in this period"
    sections = [_summary(report), _clusters(report), _pain(report), _demand(report),
                _chart("Questions by hour (UTC)", {f"{h:02d}": n for h, n in report.volume_by_hour.items()}),
                _chart("Questions by day", report.volume_by_day)]  # fmt: skip
    return "\n\n".join(section for section in sections if section)


def _summary(report: InsightsReport) -> str:
    period = f"last {report.since_days} days" if report.since_days else "all stored"
    ttft = f"{report.median_ttft_ms:,.0f} ms" if report.median_ttft_ms is not None else "n/a"
    return (
        f"Insights ({period}): {report.turns} questions in {report.sessions} conversations\n"
        f"median time to first token {ttft}; feedback on {report.feedback_rate:.0%} of answers "
        f"({report.thumbs_up} up, {report.thumbs_down} down); {report.no_match} not answered, "
        f"{report.low_similarity} weak matches"
    )


def _clusters(report: InsightsReport) -> str:
    rows = [[str(c.id), str(c.size), f"{c.trend} ({c.previous}->{c.recent})", f"{c.down_rate:.0%}",
             _cut(c.name, 48), ", ".join(c.terms)] for c in report.clusters]  # fmt: skip
    return "Most common questions\n" + table(
        ["#", "asked", "trend (2 weeks)", "down", "most central question", "top terms"], rows
    )


def _pain(report: InsightsReport) -> str:
    lines = ["Pain points"]
    for cluster in report.pain_points()[:5]:
        comments = "; ".join(cluster.comments[:3]) or "no comments"
        lines.append(
            f"- #{cluster.id} {_cut(cluster.name, 50)}: {cluster.no_match} unanswered, "
            f"{cluster.low_similarity} weak, {cluster.down_rate:.0%} down ({comments})"
        )
    if report.unanswered:
        asked = ", ".join(f"{p.text!r} x{p.count}" for p in report.unanswered[:5])
        lines.append(f"Unanswered most often: {asked}")
    if report.corrections:
        lines.append(
            f"Answers with corrected facts: {len(report.corrections)} (latest shown in --json)"
        )
    return "\n".join(lines)


def _demand(report: InsightsReport) -> str:
    rows = [[p.sku, _cut(p.name, 40), str(p.asks), str(p.stock)] for p in report.top_products]
    text = "Products asked about most\n" + table(["sku", "name", "asked", "stock"], rows)
    if report.out_of_stock:
        missing = ", ".join(f"{p.sku} {p.name} (x{p.asks})" for p in report.out_of_stock)
        text += f"\nAsked for but out of stock: {missing}"
    return text


def _chart(title: str, counts: dict[str, int], width: int = 40) -> str:
    """A horizontal bar chart; bars scale to the largest count."""
    if not counts:
        return ""
    top = max(counts.values()) or 1
    label = max(len(k) for k in counts)
    lines = [f"{key.rjust(label)} {BAR * max(1, round(width * n / top))} {n}" for key, n in counts.items()]  # fmt: skip
    return title + "\n" + "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())  # one table row per item, whatever newlines the text holds
    return text if len(text) <= limit else text[: limit - 1] + "…"
