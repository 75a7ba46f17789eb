"""Customer commands: ``customers import|list|show|consent`` and ``recommend``.

All of them refuse in kiosk mode: a kiosk never loads customer data.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localbot.commands import UserError, open_db, settings_from
from localbot.commands.output import table

if TYPE_CHECKING:
    from localbot.customers.service import CustomerService


def register(subparsers: Any) -> None:
    """Add ``customers`` with its actions, and ``recommend``."""
    customers = subparsers.add_parser("customers", help="import, list and look up known customers")
    actions = customers.add_subparsers(dest="customers_action", metavar="ACTION", required=True)
    _register_import(actions)
    listing = actions.add_parser("list", help="customers by name (no contact details)")
    listing.add_argument("--search", default="", help="part of a name, or a loyalty number")
    listing.add_argument("--limit", type=int, default=None, help="show at most this many")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="a customer's profile (preferences only with consent)")
    show.add_argument("customer_id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)
    consent = actions.add_parser("consent", help="record consent to personalised suggestions")
    consent.add_argument("customer_id", metavar="ID")
    consent.add_argument("answer", choices=["yes", "no"], help="yes: given; no: withdrawn")
    consent.set_defaults(handler=run_consent)

    recommend = subparsers.add_parser("recommend", help="suggest products for a known customer")
    recommend.add_argument("--customer", metavar="ID", required=True, help="the customer's id")
    recommend.add_argument("--limit", type=int, default=10, help="number of suggestions")
    recommend.add_argument(
        "--include-out-of-stock", action="store_true", help="also suggest products out of stock"
    )
    recommend.add_argument("--json", action="store_true", help="print one JSON object")
    recommend.set_defaults(handler=run_recommend)


def _register_import(actions: Any) -> None:
    importer = actions.add_parser(
        "import", help="import customers, purchases and browsing events (CSV/JSON/JSONL)"
    )
    importer.add_argument("paths", nargs="+", type=Path, help="files or folders (read recursively)")
    importer.add_argument("--json", action="store_true", help="print a machine-readable summary")
    importer.add_argument("--quiet", action="store_true", help="print one summary line only")
    importer.set_defaults(handler=run_import)


def _service(args: argparse.Namespace) -> CustomerService:
    """The customer service on the configured database; a one-line error in kiosk mode."""
    from localbot.customers import CustomerError
    from localbot.customers.service import CustomerService

    settings = settings_from(args)
    try:
        return CustomerService(open_db(settings)[0], settings.mode)
    except CustomerError as error:
        raise UserError(str(error)) from error


def run_import(args: argparse.Namespace) -> int:
    """Import customer files; exit 1 only when nothing at all could be imported."""
    from localbot.catalogue.readers import FileProblem
    from localbot.customers.importer import import_customer_files

    service = _service(args)
    try:
        report = import_customer_files(service.db, args.paths)
    except FileProblem as error:
        raise UserError(str(error)) from error
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_import(report, args.quiet)
    return 0 if report.imported_anything else 1


def _print_import(report: Any, quiet: bool) -> None:
    print(report.summary())
    if quiet:
        return
    for problem in report.problems:
        print(f"  file problem: {problem}", file=sys.stderr)
    for sample in report.quarantine_samples:
        print(f"  quarantined: {sample}", file=sys.stderr)
    if report.quarantined > len(report.quarantine_samples):
        more = report.quarantined - len(report.quarantine_samples)
        print(f"  ... {more} more in the quarantine table", file=sys.stderr)
    if report.ignored_columns:
        print(
            f"  not stored (unused columns): {', '.join(report.ignored_columns)}", file=sys.stderr
        )
    for skipped in report.skipped_files:
        print(f"  skipped (not .csv/.json/.jsonl): {skipped}", file=sys.stderr)


def run_list(args: argparse.Namespace) -> int:
    """List customers by name, optionally matching a name or loyalty number."""
    service = _service(args)
    if args.search:
        found = service.find(args.search, args.limit or 20)
    else:
        found = service.store.list_all(args.limit)
    if args.json:
        print(json.dumps([customer.as_dict() for customer in found], indent=2))
        return 0
    rows = [[c.id, c.display_name, c.loyalty_number or "", "yes" if c.consent else "no",
             "-" if c.purchases is None else str(c.purchases), (c.last_purchase or "")[:10]]
            for c in found]  # fmt: skip
    print(table(["id", "name", "loyalty", "consent", "purchases", "last purchase"], rows))
    print(f"{len(found)} of {service.store.count()} customers")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print a customer's profile."""
    from localbot.customers import CustomerError

    service = _service(args)
    try:
        profile = service.profile(args.customer_id)
    except CustomerError as error:
        raise UserError(str(error)) from error
    if args.json:
        print(json.dumps(profile.as_dict(), indent=2))
        return 0
    c = profile.summary
    print(
        f"{c.display_name} ({c.id})  loyalty {c.loyalty_number or '-'}  consent {'yes' if c.consent else 'no'}"
    )
    if not profile.personalised:
        print(profile.note)
        return 0
    print(
        "likes: "
        + ", ".join(
            f"{n} {s:.0%}" for n, s in profile.favourite_categories + profile.favourite_brands
        )
    )
    print(f"{c.purchases} purchase lines, ${profile.total_spent:,.2f} in all; recent:")
    for p in profile.recent_purchases:
        print(f"  {p.purchased_at[:10]}  {p.quantity} x {p.name} [{p.sku}]  ${p.price:,.2f}")
    return 0


def run_consent(args: argparse.Namespace) -> int:
    """Record that a customer gave or withdrew consent to personalised suggestions."""
    from localbot.customers import CustomerError

    service = _service(args)
    try:
        customer = service.store.set_consent(args.customer_id, args.answer == "yes")
    except CustomerError as error:
        raise UserError(str(error)) from error
    state = "given" if customer.consent else "withdrawn"
    print(
        f"consent to personalised suggestions {state} for {customer.display_name} ({customer.id})"
    )
    return 0


def run_recommend(args: argparse.Namespace) -> int:
    """Print suggestions for a customer, each with why."""
    from localbot.customers import CustomerError

    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    service = _service(args)
    try:
        result = service.recommend(args.customer, args.limit, args.include_out_of_stock)
    except CustomerError as error:
        raise UserError(str(error)) from error
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    print(result.note)
    rows = [[str(n), r.sku, r.name, f"${r.price:,.2f}", str(r.stock), "; ".join(r.reasons)]
            for n, r in enumerate(result.items, start=1)]  # fmt: skip
    print(table(["#", "sku", "name", "price", "stock", "why"], rows))
    return 0
