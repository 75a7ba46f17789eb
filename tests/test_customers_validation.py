"""Unit tests: customer, purchase and browsing-event rows become clean records or one-line reasons."""

from datetime import UTC, datetime

import pytest

from localbot.catalogue.validation import RowError
from localbot.customers.validation import (
    canonical_row,
    record_kind,
    unused_columns,
    validate_customer,
    validate_event,
    validate_purchase,
)

NOW = datetime(2025, 12, 1, tzinfo=UTC)


def test_loose_column_names_and_formats_are_normalised():
    purchase = validate_purchase(
        {"Customer": " C1 ", "SKU": "KIT-0001", "Qty": "2", "Unit Price": "$9.50",
         "Time": "2025-03-14T10:30:00+02:00"}, NOW,
    )  # fmt: skip
    assert (purchase.customer_id, purchase.quantity, purchase.price) == ("C1", 2, 9.5)
    assert purchase.purchased_at == "2025-03-14T08:30:00+00:00"
    customer = validate_customer(
        {"id": "C1", "Name": "  Ada   Lovelace ", "Loyalty No": "rl 123456",
         "E-mail": "Ada@Example.COM", "Phone Number": "+1 (303) 555-0100", "consent": "Yes"}, NOW,
    )  # fmt: skip
    assert customer.display_name == "Ada Lovelace"
    assert customer.loyalty_number == "RL123456"
    assert (customer.email, customer.phone) == ("ada@example.com", "+13035550100")
    assert customer.consent_personalisation is True


def test_consent_must_be_explicit():
    assert (
        validate_customer({"id": "C1", "display_name": "A"}, NOW).consent_personalisation is False
    )
    blank = validate_customer({"id": "C1", "display_name": "A", "consent": ""}, NOW)
    assert blank.consent_personalisation is False
    with pytest.raises(RowError, match="consent_personalisation 'maybe' must be yes or no"):
        validate_customer({"id": "C1", "display_name": "A", "consent": "maybe"}, NOW)


def test_contact_details_are_optional_and_stored_only_when_given():
    customer = validate_customer({"id": "C1", "display_name": "A", "email": " ", "phone": ""}, NOW)
    assert (customer.email, customer.phone, customer.loyalty_number) == (None, None, None)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"display_name": "A"}, "missing required field: id"),
        ({"id": "bad id!", "display_name": "A"}, "id 'bad id!' must be 1-64 letters"),
        ({"id": "C1", "display_name": "A", "email": "not-an-email"}, "email is not an address"),
        ({"id": "C1", "display_name": "A", "phone": "call me"}, "phone must be 7-15 digits"),
        ({"id": "C1", "display_name": "A", "loyalty": "12"}, "loyalty_number '12' must be 4-24"),
        ({"id": "C1", "display_name": "x" * 81}, "display_name is 81 characters; the limit is 80"),
        ({"id": "C1", "display_name": "A", "created": "14/03/2025"}, "is not an ISO date"),
    ],
)
def test_bad_customer_rows_say_what_is_wrong(row, reason):
    with pytest.raises(RowError, match=reason):
        validate_customer(row, NOW)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"customer_id": "C1", "sku": "X-1"}, "missing required fields: price, time"),
        ({"customer_id": "C1", "sku": "X-1", "price": "abc", "at": "2025-01-01"}, "not a number"),
        ({"customer_id": "C1", "sku": "X-1", "price": -1, "at": "2025-01-01"}, "price must be"),
        ({"customer_id": "C1", "sku": "X-1", "price": 1, "qty": 0, "at": "2025-01-01"}, "quantity"),
        (
            {"customer_id": "C1", "sku": "X-1", "price": 1, "qty": 1.5, "at": "2025-01-01"},
            "quantity",
        ),
        (
            {"customer_id": "C1", "sku": "X-1", "price": 1, "at": "2031-01-01"},
            "not a plausible date",
        ),
        (
            {"customer_id": "C1", "sku": "X-1", "price": 1, "at": "1901-01-01"},
            "not a plausible date",
        ),
    ],
)
def test_bad_purchase_rows_say_what_is_wrong(row, reason):
    with pytest.raises(RowError, match=reason):
        validate_purchase(row, NOW)


def test_event_kind_is_checked():
    event = validate_event(
        {"customer": "C1", "sku": "X-1", "event": "VIEW", "time": "2025-01-01"}, NOW
    )
    assert (event.kind, event.occurred_at) == ("view", "2025-01-01T00:00:00+00:00")
    with pytest.raises(RowError, match="event kind 'purchase' must be one of view, wishlist, cart"):
        validate_event({"customer_id": "C1", "sku": "X-1", "kind": "purchase", "at": "2025-01-01"})


def test_the_kind_of_record_comes_from_its_columns_and_extra_columns_are_dropped():
    assert record_kind(canonical_row({"Customer": "C1", "SKU": "X", "Kind": "view"})) == "events"
    assert record_kind(canonical_row({"customer_id": "C1", "sku": "X", "price": 1})) == "purchases"
    assert record_kind(canonical_row({"id": "C1", "Display Name": "A"})) == "customers"
    assert record_kind(canonical_row({"colour": "red"})) is None
    row = canonical_row({"id": "C1", "name": "A", "Home Address": "1 Elm St", "birthday": "1990"})
    assert unused_columns(row, "customers") == {"home_address", "birthday"}
