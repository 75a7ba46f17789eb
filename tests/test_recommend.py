"""Recommendations: the blend's rules on a small fake catalogue, then on the real demo store."""

import importlib.util
import json

import numpy as np
import pytest
from customer_helpers import (
    CONSENTING,
    NOT_CONSENTING,
    customers_db,
    customers_db_path,
    customers_template,
    statements_during,
)

from localbot.cli import main
from localbot.customers import CustomerError, CustomerHistory
from localbot.customers.recommend import Catalogue, Recommender, hit_rate_and_recall
from localbot.customers.service import CustomerService
from localbot.customers.validation import BrowsingEvent, Purchase
from localbot.paths import PROJECT_DIR

# pytest finds fixtures by name in the test module; importing them is what makes them visible.
FIXTURES = (customers_db, customers_db_path, customers_template)


# --- unit: a six-product shop -------------------------------------------------------------------


def fake_catalogue():
    """A stove with its fuel (consumable), a pot, a tent, a mat (out of stock) and a lamp."""
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(6, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Catalogue(
        skus=["STOVE", "FUEL", "POT", "TENT", "MAT", "LAMP"],
        names=["Stove", "Fuel", "Pot", "Tent", "Mat", "Lamp"],
        brands=["Ember", "Ember", "Ember", "North", "North", "Lumen"],
        categories=["Kitchen", "Kitchen", "Kitchen", "Tents", "Sleeping", "Lighting"],
        prices=[50.0, 6.0, 40.0, 300.0, 90.0, 30.0],
        currencies=["USD"] * 6,
        stock=np.array([5, 50, 5, 3, 0, 9]),
        consumable=np.array([False, True, False, False, False, False]),
        vectors=vectors,
    )


def basket(customer, day, *skus):
    return [Purchase(customer, sku, 1, 1.0, f"2025-01-{day:02d}T10:00:00+00:00") for sku in skus]


def fake_shop(pairs_by=("A", "B")):
    """Customers in ``pairs_by`` buy stove + fuel together; others buy tents and lamps."""
    purchases = [line for who in pairs_by for line in basket(who, 1, "STOVE", "FUEL")]
    purchases += basket("C", 2, "TENT", "MAT") + basket("D", 2, "TENT", "MAT", "LAMP")
    purchases += basket("E", 3, "LAMP") + basket("F", 3, "LAMP")
    return Recommender(fake_catalogue(), purchases)


def history(customer, *lines, events=()):
    return CustomerHistory(customer, tuple(lines), tuple(events))


def test_bought_together_needs_two_customers_and_is_explained():
    me = history("X", *basket("X", 5, "STOVE"))
    top = fake_shop().recommend(me, limit=3)
    assert top[0].sku == "FUEL" and top[0].reasons[0] == "bought together with Stove"
    lonely = fake_shop(pairs_by=("A",)).recommend(me, limit=6, strategy="cooccurrence")
    assert lonely == []  # one other customer's basket is never enough to suggest a pairing


def test_owned_products_are_excluded_unless_consumable():
    me = history("X", *basket("X", 5, "STOVE", "FUEL"), *basket("X", 6, "FUEL"))
    skus = [r.sku for r in fake_shop().recommend(me, limit=6)]
    assert "STOVE" not in skus and "FUEL" in skus
    fuel = next(r for r in fake_shop().recommend(me, limit=6) if r.sku == "FUEL")
    assert any(reason.startswith("you buy this regularly (2 times") for reason in fuel.reasons)


def test_out_of_stock_only_when_asked():
    me = history("X", *basket("X", 5, "TENT"))
    assert "MAT" not in [r.sku for r in fake_shop().recommend(me, limit=6)]
    asked = fake_shop().recommend(me, limit=6, include_out_of_stock=True)
    assert asked[0].sku == "MAT" and asked[0].stock == 0


def test_no_history_means_popular_products():
    for nobody in (None, history("X")):
        top = fake_shop().recommend(nobody, limit=2)
        assert top[0].sku == "LAMP" and len(top) == 2  # 3 buyers; the rest have 2
        assert top[0].reasons == ["popular with other customers"]


def test_browsing_counts_as_interest():
    looked = [BrowsingEvent("X", "LAMP", "wishlist", "2025-01-04T10:00:00+00:00")]
    me = history("X", *basket("X", 5, "TENT"), events=looked)
    lamp = next(r for r in fake_shop().recommend(me, limit=6) if r.sku == "LAMP")
    assert "on your wishlist" in lamp.reasons


def test_hit_rate_and_recall():
    assert hit_rate_and_recall(["a", "b"], {"b", "c"}) == (1.0, 0.5)
    assert hit_rate_and_recall(["a"], {"c"}) == (0.0, 0.0)


# --- real demo store with its customers ---------------------------------------------------------


@pytest.fixture
def service(customers_db):
    return CustomerService(customers_db, "staff")


real = pytest.mark.real


@real
def test_recommendations_for_a_consenting_customer_follow_every_rule(service, customers_db):
    result = service.recommend(CONSENTING, limit=10)
    owned = {p.sku for p in service.store.history(CONSENTING).purchases}
    assert result.personalised and len(result.items) == 10
    for item in result.items:
        row = customers_db.execute(
            "SELECT name, price, stock, json_extract(attributes, '$.consumable') FROM products"
            " WHERE sku = ?", [item.sku],
        ).fetchone()  # fmt: skip
        assert (item.name, item.price, item.stock) == tuple(row[:3]) and item.stock > 0
        assert item.sku not in owned or row[3] == 1
        assert item.reasons and all(item.reasons)
    reasons = " ".join(reason for item in result.items for reason in item.reasons)
    assert "bought together with Summit & Co" in reasons and "Climbing" in reasons


@real
def test_consumables_come_back_and_out_of_stock_is_optional(service, customers_db):
    regulars = customers_db.execute(
        "SELECT cp.customer_id FROM customer_purchases cp JOIN customers c ON c.id = cp.customer_id"
        " JOIN products p ON p.sku = cp.sku WHERE c.consent_personalisation AND p.stock > 0"
        " AND json_extract(p.attributes, '$.consumable') GROUP BY cp.customer_id, cp.sku"
        " HAVING count(*) >= 3 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    items = service.recommend(regulars, limit=10).items
    assert any("you buy this regularly" in reason for item in items for reason in item.reasons)
    everyone = [
        service.recommend(c.id, 10, include_out_of_stock=True) for c in service.find("a", 40)
    ]
    assert any(item.stock == 0 for result in everyone for item in result.items)


@real
def test_without_consent_only_popular_products_and_their_purchases_are_not_read(
    service, customers_db
):
    service.recommender()  # the shared model over all purchases is built beforehand
    seen = statements_during(customers_db, lambda: service.recommend(NOT_CONSENTING, limit=5))
    assert not [sql for sql in seen if "customer_id = ?" in sql and "customer_" in sql]
    result = service.recommend(NOT_CONSENTING, limit=5)
    assert not result.personalised and "has not agreed" in result.note
    anonymous = service.recommender().recommend(None, limit=5)
    assert [r.sku for r in result.items] == [r.sku for r in anonymous]
    assert all(item.reasons == ["popular with other customers"] for item in result.items)


@real
def test_kiosk_mode_cannot_load_customer_data(customers_db):
    with pytest.raises(CustomerError, match="not available in kiosk mode"):
        CustomerService(customers_db, "kiosk")


@real
def test_recommend_command(customers_db_path, capsys, monkeypatch):
    assert main(["recommend", "--customer", CONSENTING, "--limit", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["personalised"] and len(data["items"]) == 3 and data["items"][0]["reasons"]
    assert main(["recommend", "--customer", CONSENTING, "--limit", "2"]) == 0
    assert "bought together with" in capsys.readouterr().out
    assert main(["recommend", "--customer", "NOBODY"]) == 2
    assert "no customer 'NOBODY'" in capsys.readouterr().err
    monkeypatch.setenv("LOCALBOT_MODE", "kiosk")
    assert main(["recommend", "--customer", CONSENTING]) == 2
    assert "not available in kiosk mode" in capsys.readouterr().err


@real
def test_the_blend_beats_both_baselines_on_held_out_baskets(customers_db):
    spec = importlib.util.spec_from_file_location(
        "bench_recommend", PROJECT_DIR / "bench" / "recommend.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    scores, customers = bench.evaluate(customers_db, "test")
    hits = {method: np.mean([h for h, _ in pairs]) for method, pairs in scores.items()}
    recalls = {method: np.mean([r for _, r in pairs]) for method, pairs in scores.items()}
    assert customers >= 150
    for baseline in ("popularity", "cooccurrence"):
        assert hits["blend"] > hits[baseline] and recalls["blend"] > recalls[baseline]
