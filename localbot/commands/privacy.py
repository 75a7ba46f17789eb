"""Privacy commands: ``purge`` (retention), ``forget`` (erasure) and ``export`` (access, audits)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from localbot.commands import UserError, open_db, settings_from


def register(subparsers: Any) -> None:
    """Add the privacy commands."""
    purge = subparsers.add_parser("purge", help="delete conversations older than retention_days")
    purge.add_argument("--days", type=int, help="keep this many days instead of retention_days")
    purge.add_argument("--json", action="store_true")
    purge.set_defaults(handler=run_purge)

    forget = subparsers.add_parser(
        "forget", help="erase everything held about a customer or session"
    )
    target = forget.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--customer", metavar="ID", help="the customer's id; imports skip it afterwards"
    )
    target.add_argument("--session", metavar="ID", help="a session id (printed by 'localbot ask')")
    target.add_argument(
        "--allow-reimport", metavar="ID",
        help="let 'customers import' bring back a customer erased earlier (they re-joined); "
        "nothing erased is restored",
    )  # fmt: skip
    forget.add_argument("--json", action="store_true")
    forget.set_defaults(handler=run_forget)

    export = subparsers.add_parser(
        "export", help="write a customer's data (JSON) or all turns (JSONL)"
    )
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--customer", metavar="ID", help="everything held about this customer")
    what.add_argument("--interactions", action="store_true", help="redacted turns for an audit")
    what.add_argument(
        "--training", type=Path, metavar="OUT.jsonl",
        help="approved answers as redacted chat examples for fine-tuning",
    )  # fmt: skip
    export.add_argument("--output", type=Path, help="file to write (owner-only); default stdout")
    export.set_defaults(handler=run_export)


def _open_existing(args: argparse.Namespace) -> Any:
    """The database (past-retention data already purged), or None when nothing has been stored
    yet (and none is created)."""
    settings = settings_from(args)
    if not settings.database_path.exists():
        return None
    return open_db(settings)[0]


def run_purge(args: argparse.Namespace) -> int:
    """Delete what is past retention and make the data files owner-only."""
    settings = settings_from(args)
    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        raise UserError("--days must be at least 1")
    if settings.home.exists() and not settings.home.is_dir():
        raise UserError(
            f"{settings.home} is a file, not a folder; point LOCALBOT_HOME or --home at a folder"
        )
    if not settings.database_path.exists():
        print(f"nothing stored yet ({settings.database_path} does not exist)")
        return 0
    _, report = open_db(settings, retention_days=days)  # opening purges, with these days
    if args.json:
        print(json.dumps({"retention_days": days, **report.as_dict()}, indent=2))
    elif report.total == 0:
        print(f"nothing is older than {days} days")
    else:
        print(f"purged what was older than {days} days ({report.describe()}){_wal_note(report)}")
    return 0 if report.wal_cleared else 1


def run_forget(args: argparse.Namespace) -> int:
    """Erase a customer or a session; exit 1 if nothing matched (a typo?) or the WAL stayed busy."""
    from localbot.governance import forget_customer, forget_session

    _refuse_blank(args, "customer", "session", "allow_reimport")
    if args.allow_reimport is not None:
        return _allow_reimport(args)
    by_customer = args.customer is not None
    who = f"customer {args.customer}" if by_customer else f"session {args.session}"
    db = _open_existing(args)
    if db is None:
        print(f"nothing stored about {who}: there is no database yet")
        return 1
    report = forget_customer(db, args.customer) if by_customer else forget_session(db, args.session)
    if args.json:
        print(json.dumps({"target": who, **report.as_dict()}, indent=2))
    elif report.total == 0:
        print(f"nothing stored about {who} (already erased, or a mistyped id?){_list_note(args)}")
    else:
        print(f"erased {who}: {report.describe()}{_wal_note(report)}{_list_note(args)}")
    return 0 if report.total and report.wal_cleared else 1


def _refuse_blank(args: argparse.Namespace, *names: str) -> None:
    """An empty id names nobody: refuse it before anything is opened or erased."""
    for name in names:
        value = getattr(args, name)
        if value is not None and not value.strip():
            flag = "--" + name.replace("_", "-")
            raise UserError(f"{flag} got an empty id; give the id to use (nothing was changed)")


def _list_note(args: argparse.Namespace) -> str:
    if not args.customer:
        return ""
    return (f"; 'customers import' skips {args.customer} from now on (if they re-join, or the id "
            f"was mistyped: localbot forget --allow-reimport {args.customer})")  # fmt: skip


def _allow_reimport(args: argparse.Namespace) -> int:
    """Take a customer id off the erasure list; exit 1 if it was not on it."""
    from localbot.governance import ErasureList

    customer = args.allow_reimport
    db = _open_existing(args)
    lifted = db is not None and ErasureList(db).lift(customer)
    if args.json:
        print(json.dumps({"target": f"customer {customer}", "import_allowed": lifted}, indent=2))
    elif lifted:
        print(f"customer {customer} may be imported again; what was erased is not restored")
    else:
        print(f"customer {customer} is not on the erasure list (imports do not skip it)")
    return 0 if lifted else 1


def _wal_note(report: Any) -> str:
    if report.wal_cleared:
        return "; deleted bytes overwritten in the database files"
    return ("; WARNING: another localbot process kept the write-ahead log busy, so old copies remain "
            "until it closes: run 'localbot purge' again then")  # fmt: skip


def run_export(args: argparse.Namespace) -> int:
    """Write a subject access export (JSON) or the redacted interaction log (JSONL)."""
    from localbot.governance import export_customer, iter_interactions

    _refuse_blank(args, "customer")
    db = _open_existing(args)
    if args.training:
        return _export_training(db, args.training)
    data = export_customer(db, args.customer) if args.customer and db is not None else None
    if args.customer and not (data and any(data["tables"].values())):
        # Like forget: an id that matches nothing is most likely a typo, not an empty person.
        print(f"error: nothing stored about customer {args.customer} (erased, or a mistyped id?);"
              " nothing written", file=sys.stderr)  # fmt: skip
        return 1
    with _output(args.output) as out:
        if data:
            out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        else:
            for record in iter_interactions(db) if db is not None else ():
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if args.output:
        print(f"wrote {args.output} (readable by you only)", file=sys.stderr)
    return 0


def _export_training(db: Any, path: Path) -> int:
    """Write approved answers as chat examples and print the quality report."""
    from localbot.training import TrainingReport, training_examples, write_examples

    examples, report = training_examples(db) if db is not None else ([], TrainingReport())
    with _output(path) as out:
        write_examples(examples, out)
    print(f"wrote {path} (readable by you only): {report.describe()}", file=sys.stderr)
    return 0


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    from localbot.governance import open_private

    try:
        handle = open_private(path)
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror}") from error
    with handle:
        yield handle
