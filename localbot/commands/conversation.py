"""Conversation commands: ``ask``, ``chat`` (a line-based loop) and ``feedback``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from localbot.commands import UserError, open_assistant, settings_from
from localbot.commands.output import write
from localbot.verify import format_price


def register(subparsers: Any) -> None:
    """Add the conversation commands."""
    ask = subparsers.add_parser("ask", help="ask one question and get a grounded answer")
    ask.add_argument("question", help="the shopper's question")
    ask.add_argument("--session", help="continue this session (id printed by an earlier ask)")
    ask.add_argument(
        "--customer",
        metavar="ID",
        help="answer for this known customer (staff mode; uses their "
        "purchases only if they consented)",
    )
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object instead of streaming"
    )
    ask.set_defaults(handler=run_ask)

    chat = subparsers.add_parser("chat", help="open the assistant (terminal UI)")
    chat.add_argument("--kiosk", action="store_true", help="anonymous kiosk mode")
    chat.add_argument(
        "--plain", action="store_true", help="a simple line-based chat instead of the UI"
    )
    chat.set_defaults(handler=run_chat)

    feedback = subparsers.add_parser("feedback", help="rate an answer: thumbs up or down")
    feedback.add_argument("turn_id", type=int, help="the turn id printed by 'localbot ask'")
    feedback.add_argument("rating", choices=["up", "down"])
    feedback.add_argument("--comment", default="", help="optional short comment")
    feedback.set_defaults(handler=run_feedback)


def _assistant_errors() -> tuple[type[Exception], ...]:
    from localbot.assistant import AssistantError
    from localbot.llm import ModelError
    from localbot.modelfiles import ModelFileError
    from localbot.store import StoreError

    return (AssistantError, ModelError, ModelFileError, StoreError)


def run_ask(args: argparse.Namespace) -> int:
    """Answer one question, streaming (or as JSON), then show product cards and the turn id."""
    assistant = open_assistant(args)
    try:
        reply = assistant.reply(
            args.question, args.session, on_text=None if args.json else write,
            customer_id=args.customer,
        )  # fmt: skip
    except _assistant_errors() as error:
        raise UserError(str(error)) from error
    if args.json:
        print(json.dumps(reply.as_dict(), indent=2))
    else:
        print_reply_details(reply)
    return 0


def print_reply_details(reply: Any) -> None:
    """After the streamed answer: notices, product cards, documents, ids and timings."""
    print()
    if reply.status == "cancelled":
        print("[stopped]")
    if reply.history_trimmed:
        print(f"[note: {reply.history_trimmed} oldest turn(s) of this conversation no longer fit the "
              "model's context and were left out]")  # fmt: skip
    for card in reply.products:
        stock = f"{card.stock} in stock" if card.stock > 0 else "out of stock"
        print(
            f"  * {card.name}  [{card.sku}]  {_price_with_code(card.price, card.currency)}  {stock}"
        )
    for document in reply.documents:
        print(f"  * from: {document['title']} ({document['path']})")
    if reply.personalisation:
        print(f"[{reply.personalisation}]")
    for correction in reply.corrections:
        print(
            f"  ! corrected {correction.kind}: '{correction.original}' -> '{correction.corrected or '(removed)'}'"
        )
    t = reply.timings
    print(f"session {reply.session_id}  turn {reply.turn_id}  |  retrieval {t.get('retrieval_ms', 0):.0f} ms,"
          f" first token {t.get('ttft_ms', 0):.0f} ms, {t.get('tokens_per_s', 0):.1f} tok/s")  # fmt: skip


def _price_with_code(price: float, currency: str) -> str:
    """'$379.95 USD', '€89.00 EUR', '120.00 CHF': the store's sign, and the code once."""
    shown = format_price(price, currency)
    return shown if shown.endswith(currency.upper()) else f"{shown} {currency.upper()}"


def run_chat(args: argparse.Namespace) -> int:
    """Open the terminal UI, or the plain line-based loop with ``--plain`` (not for a kiosk).

    A kiosk needs the UI: the plain loop has no staff PIN and no idle reset, so neither
    ``--plain`` nor a fallback to it is allowed there. Elsewhere the plain loop stands in only
    when Textual itself is not installed, and says so; any other import error is reported.
    """
    kiosk = args.kiosk or settings_from(args).mode == "kiosk"
    if args.plain:
        if kiosk:
            raise UserError(
                "--plain is not available in kiosk mode (it has no staff PIN and no idle "
                "reset); run 'localbot chat --kiosk' without --plain"
            )
        return _plain_chat(args)
    try:
        from localbot.tui.app import run_app
    except ImportError as error:
        return _chat_without_ui(args, error, kiosk)
    return int(run_app(args) or 0)


def _chat_without_ui(args: argparse.Namespace, error: ImportError, kiosk: bool) -> int:
    """The UI cannot be imported: the plain chat if only Textual is missing, else an error."""
    textual_missing = isinstance(error, ModuleNotFoundError) and error.name == "textual"
    if textual_missing and not kiosk:
        print(
            "note: Textual is not installed, so this is the plain line-based chat; run "
            "'make setup' for the full terminal UI",
            file=sys.stderr,
        )
        return _plain_chat(args)
    fix = "run 'make setup'" if textual_missing else "run 'localbot doctor'"
    raise UserError(f"the terminal UI could not be loaded ({error}); {fix}") from error


def _plain_chat(args: argparse.Namespace) -> int:
    assistant = open_assistant(args)
    print("localbot - ask about products and store policies. Empty line or Ctrl-D to quit.")
    assistant.load(on_status=lambda text: print(f"  {text}", file=sys.stderr))
    session = assistant.new_session()  # never a kiosk: run_chat refuses that
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            break
        if not question:
            break
        write("bot> ")
        try:
            reply = assistant.reply(question, session, on_text=write)
        except _assistant_errors() as error:
            print(f"\nerror: {error}")
            continue
        print_reply_details(reply)
    return 0


def run_feedback(args: argparse.Namespace) -> int:
    """Record thumbs up/down for a turn."""
    assistant = open_assistant(args)
    try:
        feedback_id = assistant.feedback(args.turn_id, args.rating, args.comment)
    except _assistant_errors() as error:
        raise UserError(str(error)) from error
    print(f"feedback {feedback_id} recorded for turn {args.turn_id}: {args.rating}")
    return 0
