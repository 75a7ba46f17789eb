"""The fact checker and amounts: currencies, amounts from store documents and the shopper, and
how a sentence reads once an amount nothing backs is taken out."""

from pathlib import Path

import pytest

from localbot.catalogue.search import Product
from localbot.verify import FactChecker, StreamingVerifier, verify_text

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
TENT = Product(
    "TEN-0001", "Northpeak Ridgeback 2 Ultralight Tent", "Northpeak", "Tents", "", 449.95, "USD",
    14, {},
)  # fmt: skip
MAT = Product(
    "SLP-0002", "Basecamp Basics Foam Mat", "Basecamp Basics", "Sleeping Bags & Mats", "", 14.99,
    "USD", 0, {},
)  # fmt: skip
STOVE = Product("KIT-0100", "Alpen Stove", "Alpen", "Camp Kitchen", "", 89.0, "EUR", 3, {})
CANADIAN = Product("KIT-0200", "Maple Camp Kettle", "Maple", "Camp Kitchen", "", 35.0, "CAD", 4, {})


def check(text: str, *products: Product, **kwargs) -> tuple[str, FactChecker]:
    checker = FactChecker(products or (TENT, MAT, STOVE, CANADIAN), **kwargs)
    return verify_text(text, checker), checker


# --- currency (audit defect 3) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("The Alpen Stove is $89.00.", "The Alpen Stove is €89.00."),
     ("The Alpen Stove costs 89 dollars.", "The Alpen Stove costs €89.00."),
     ("The Alpen Stove costs 89 USD.", "The Alpen Stove costs €89.00."),
     ("The Ridgeback 2 costs €449.95.", "The Ridgeback 2 costs $449.95."),
     ("The Ridgeback 2 costs £449.95.", "The Ridgeback 2 costs $449.95."),
     ("The Maple Camp Kettle costs US$35.", "The Maple Camp Kettle costs 35.00 CAD."),
     ("The Maple Camp Kettle costs $35.00 USD.", "The Maple Camp Kettle costs 35.00 CAD.")],
)  # fmt: skip
def test_a_price_in_another_currency_is_corrected_to_the_products(text, expected) -> None:
    out, checker = check(text)
    assert out == expected
    assert [(c.kind, c.corrected) for c in checker.corrections] == [
        ("price", expected.rsplit("costs ", 1)[-1].rsplit("is ", 1)[-1].rstrip("."))
    ]


@pytest.mark.parametrize(
    "text",
    ["The Alpen Stove is €89.00.", "The Alpen Stove costs 89 EUR.", "The Alpen Stove costs 89.00.",
     "The Alpen Stove costs 89 euros.", "The Maple Camp Kettle costs $35.",
     "The Maple Camp Kettle costs C$35.00.", "The Maple Camp Kettle costs 35 CAD."],
)  # fmt: skip
def test_a_price_in_the_products_currency_or_with_none_stands(text: str) -> None:
    out, checker = check(text)
    assert out == text and checker.corrections == []


def test_a_bare_amount_with_cents_after_is_is_a_price_but_a_measure_is_not() -> None:
    assert check("The Ridgeback 2 is 389.95.")[0] == "The Ridgeback 2 is $449.95."
    for text in ("The Ridgeback 2 is 1.18 kg.", "The Ridgeback 2 weighs 2 pounds."):
        out, checker = check(text)
        assert out == text and checker.corrections == []


# --- amounts from store documents and the shopper (audit defect 5) ------------------------------

RENTALS = (KNOWLEDGE / "docs" / "rentals.md").read_text()
USED_TENT = (
    "You can return a used tent, but tents returned wet or muddy carry a $20 cleaning fee. "
    "The optional damage waiver covers accidental damage up to $500."
)


def test_amounts_from_the_documents_the_model_was_given_stand() -> None:
    out, checker = check(USED_TENT, TENT, MAT, documents=[RENTALS])
    assert out == USED_TENT and checker.corrections == []


def test_document_amounts_stand_after_a_product_was_named() -> None:
    text = f"The Ridgeback 2 costs $449.95. {USED_TENT}"
    out, checker = check(text, TENT, documents=[RENTALS])
    assert out == text and checker.corrections == []


def test_a_document_amount_beside_a_product_stands_but_not_as_its_price() -> None:
    text = "The Ridgeback 2 costs $449.95, or rent a 2-person tent for $25 a day."
    assert check(text, TENT, documents=[RENTALS])[0] == text
    out, checker = check("The Ridgeback 2 costs $25.", TENT, documents=[RENTALS])
    assert out == "The Ridgeback 2 costs $449.95."
    assert checker.corrections[0].sku == "TEN-0001"


def test_a_document_amount_in_another_currency_is_not_the_documents() -> None:
    out, checker = check("Tents returned wet carry a €20 cleaning fee.", TENT, documents=[RENTALS])
    assert "€20" not in out and checker.corrections


def test_a_rate_beside_a_product_is_never_replaced_by_its_price() -> None:
    out, checker = check("The Ridgeback 2 rents for $30 per day.", TENT, documents=[RENTALS])
    assert out == "The Ridgeback 2 rents for an amount I can't confirm per day."
    assert [(c.sku, c.reason) for c in checker.corrections] == [
        (None, "rate matches no store document")
    ]
    text = "The Ridgeback 2 rents for $25 a day."  # the documents' rate for a 2-person tent
    assert check(text, TENT, documents=[RENTALS])[0] == text
    out, _ = check("The Ridgeback 2 rents for $28 to $69.99 per week.", TENT)
    assert out == "The Ridgeback 2 rents for an amount I can't confirm per week."


def test_the_shoppers_amount_may_stand_beside_a_product_but_not_as_its_price() -> None:
    assert check("The Ridgeback 2 is within your $500 budget.", TENT, allowed_amounts=[500])[0] == (
        "The Ridgeback 2 is within your $500 budget."
    )
    assert check("The Foam Mat is under $100.", MAT, allowed_amounts=[100])[0] == (
        "The Foam Mat is under $100."
    )  # true, so it stands
    assert check("The Ridgeback 2 costs $500.", TENT, allowed_amounts=[500])[0] == (
        "The Ridgeback 2 costs $449.95."
    )


# --- how a corrected sentence reads (audit defect 6) --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Tents returned wet carry a $20 cleaning fee.", "Tents returned wet carry a cleaning fee."),
     ("An $80 deposit is held on your card.", "A deposit is held on your card."),
     ("$80 deposit is held on your card.", "Deposit is held on your card."),
     ("We charge an $18 eco fee.", "We charge an eco fee."),
     ("Delivery costs $7.99.", "Delivery costs an amount I can't confirm."),
     ("$20 covers the damage.", "An amount I can't confirm covers the damage."),
     ("Rentals start at $30 a day.", "Rentals start at an amount I can't confirm a day.")],
)  # fmt: skip
def test_an_amount_nothing_backs_is_taken_out_so_that_the_sentence_reads(text, expected) -> None:
    out, checker = check(text, TENT)
    assert out == expected
    assert [c.kind for c in checker.corrections] == ["price"]
    assert all(c.sku is None for c in checker.corrections)
    again = FactChecker([TENT])
    assert verify_text(out, again) == out and again.corrections == []


def test_a_removed_modifier_amount_is_recorded_as_removed() -> None:
    _, checker = check("Tents returned wet carry a $20 cleaning fee.", TENT)
    assert [(c.original, c.corrected) for c in checker.corrections] == [("$20", "")]


def test_streaming_shows_the_same_readable_sentence() -> None:
    text = "Sorry about that. Tents returned wet carry an $80 cleaning fee. Thanks for asking."
    verifier = StreamingVerifier(FactChecker([TENT]))
    shown = "".join(verifier.feed(word + " ") for word in text.split(" ")) + verifier.finish()
    assert (
        shown.rstrip()
        == "Sorry about that. Tents returned wet carry a cleaning fee. Thanks for asking."
    )
