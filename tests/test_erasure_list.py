"""An erasure sticks: after 'forget --customer', re-importing the loyalty export skips that
customer (counted, not silently dropped) until staff lift it with 'forget --allow-reimport'."""

import json

import pytest
from customer_helpers import CONSENTING, customers_db, customers_db_path, customers_template
from sqlite_files import raw_bytes

from localbot.cli import main
from localbot.customers.importer import import_customer_files
from localbot.db import open_database
from localbot.governance import ErasureList, forget_customer
from localbot.paths import knowledge_dir

pytestmark = pytest.mark.real
FIXTURES = (customers_db, customers_db_path, customers_template)
DEMO = knowledge_dir() / "customers"


def rows_about(db, customer_id):
    return {table: db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?",
                              [customer_id]).fetchone()[0]
            for table, column in (("customers", "id"), ("customer_purchases", "customer_id"),
                                  ("customer_events", "customer_id"))}  # fmt: skip


def test_a_reimport_skips_an_erased_customer_and_says_so(customers_db):
    held = rows_about(customers_db, CONSENTING)
    assert held["customers"] == 1 and held["customer_purchases"] > 0

    assert forget_customer(customers_db, CONSENTING).import_blocked
    report = import_customer_files(customers_db, [DEMO])

    assert rows_about(customers_db, CONSENTING) == dict.fromkeys(held, 0)
    assert report.erased_skipped == sum(held.values())  # their customer, purchase and event rows
    assert report.summary().endswith(f"; {sum(held.values())} skipped: erased on request")
    assert not report.changed  # everyone else was unchanged
    reasons = " ".join(r[0] for r in customers_db.execute("SELECT reason FROM quarantine"))
    assert CONSENTING not in reasons  # skipped, not quarantined as an unknown customer


def test_the_list_keeps_only_a_keyed_hash(customers_db, customers_db_path):
    name = customers_db.execute(
        "SELECT display_name FROM customers WHERE id = ?", [CONSENTING]
    ).fetchone()[0]
    forget_customer(customers_db, CONSENTING)

    [(stored, day)] = customers_db.execute("SELECT id_hash, erased_on FROM erased_customers")
    assert len(stored) == 64 and CONSENTING not in stored and len(day) == 10
    other = ErasureList(open_database(customers_db_path))
    assert CONSENTING in other and "C0001" not in other  # the key is kept with the database
    data = raw_bytes(customers_db_path)
    assert CONSENTING.encode() not in data and name.encode() not in data


def test_forget_and_allow_reimport_commands(customers_db_path, capsys):
    assert main(["forget", "--customer", CONSENTING]) == 0
    assert f"'customers import' skips {CONSENTING} from now on" in capsys.readouterr().out

    assert main(["customers", "import", str(DEMO)]) == 0
    assert "skipped: erased on request" in capsys.readouterr().out
    assert main(["customers", "show", CONSENTING]) == 2  # not brought back

    assert main(["forget", "--allow-reimport", CONSENTING, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["import_allowed"] is True
    assert main(["forget", "--allow-reimport", CONSENTING]) == 1  # no longer on the list
    assert "is not on the erasure list" in capsys.readouterr().out

    assert main(["customers", "import", str(DEMO), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["erased_skipped"] == 0 and report["counts"]["customers"]["inserted"] == 1
    assert main(["customers", "show", CONSENTING]) == 0


def test_an_erasure_asked_for_before_the_import_also_sticks(db_without_customers, capsys):
    assert main(["forget", "--customer", CONSENTING]) == 1  # nothing stored yet
    assert "skips C0002 from now on" in capsys.readouterr().out
    report = import_customer_files(db_without_customers, [DEMO])
    assert (
        report.erased_skipped > 0 and rows_about(db_without_customers, CONSENTING)["customers"] == 0
    )


@pytest.fixture
def db_without_customers(demo_db_path):
    database = open_database(demo_db_path)
    yield database
    database.close()
