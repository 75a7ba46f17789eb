import pytest

from localbot.catalogue.search import Product
from localbot.verify import FactChecker, StreamingVerifier, verify_text

TENT = Product(
    "TEN-0001", "Northpeak Ridgeback 2 Tent", "Northpeak", "Tents", "", 249.95, "USD", 12, {}
)
MAT = Product(
    "SLP-0002",
    "Basecamp Basics Foam Mat",
    "Basecamp Basics",
    "Sleeping Bags & Mats",
    "",
    14.99,
    "USD",
    0,
    {},
)


def checker(**kwargs):
    return FactChecker([TENT, MAT], **kwargs)


def test_correct_facts_pass_unchanged():
    text = "The Northpeak Ridgeback 2 Tent (SKU TEN-0001) costs $249.95 and is in stock."
    c = checker()
    assert verify_text(text, c) == text
    assert c.corrections == []


def test_wrong_price_is_corrected_and_recorded():
    c = checker()
    out = verify_text("The Ridgeback 2 Tent costs $199.", c)
    assert "$249.95" in out and "$199" not in out
    assert c.corrections[0].kind == "price" and c.corrections[0].sku == "TEN-0001"


def test_price_of_no_product_is_removed():
    c = checker()
    out = verify_text("We have great deals from $5.", c)
    assert "$5" not in out
    assert out == "We have great deals from an amount I can't confirm."
    assert c.corrections[0].corrected == "an amount I can't confirm"


def test_price_the_shopper_named_may_be_repeated():
    c = checker(allowed_amounts=[100])
    assert verify_text("Here are tents under $100.", c) == "Here are tents under $100."


def test_invented_sku_is_replaced_by_the_named_product():
    c = checker()
    out = verify_text("Try the Northpeak Ridgeback 2 Tent (SKU TEN-9999).", c)
    assert "TEN-9999" not in out and "TEN-0001" in out


def test_invented_sku_without_product_is_removed():
    c = checker()
    out = verify_text("Ask for ABC-1234 at the desk.", c)
    assert "ABC-1234" not in out
    assert c.corrections[0].kind == "sku"


def test_real_sku_from_the_database_is_accepted():
    other = Product("CLM-0001", "Harness", "Summit & Co", "Climbing", "", 59.0, "USD", 3, {})
    c = FactChecker([TENT], lookup_sku=lambda sku: other if sku == "CLM-0001" else None)
    assert verify_text("The CLM-0001 costs $59.00.", c) == "The CLM-0001 costs $59.00."


def test_stock_claims_are_checked():
    c = checker()
    out = verify_text(
        "The Basecamp Basics Foam Mat is in stock. The Ridgeback 2 Tent is sold out.", c
    )
    assert out == "The Basecamp Basics Foam Mat is out of stock. The Ridgeback 2 Tent is in stock."
    assert [x.kind for x in c.corrections] == ["stock", "stock"]


def test_stock_counts_are_checked_and_carried_to_the_next_sentence():
    c = checker()
    out = verify_text("I recommend the Ridgeback 2 Tent. Only 3 left!", c)
    assert "12 in stock" in out


def test_streaming_never_shows_a_claim_before_it_is_checked():
    verifier = StreamingVerifier(checker())
    shown = ""
    for piece in [
        "The ",
        "Ridgeback ",
        "2 ",
        "Tent ",
        "costs ",
        "$1",
        "99",
        ".",
        " Enjoy",
        " it",
        " a",
        " lot",
        "!",
    ]:
        shown += verifier.feed(piece)
        assert "$199" not in shown and "$1" not in shown.replace("$249.95", "")
    shown += verifier.finish()
    assert shown == verifier.text
    assert "$249.95" in shown


def test_streaming_releases_plain_text_before_the_sentence_ends():
    verifier = StreamingVerifier(checker())
    shown = "".join(
        verifier.feed(word + " ") for word in "This is a lovely tent for summer trips".split()
    )
    assert shown.startswith("This is a lovely")


def test_a_price_followed_by_a_stock_phrase_is_not_a_count():
    c = checker()
    assert (
        verify_text("The Ridgeback 2 Tent $249.95 in stock", c)
        == "The Ridgeback 2 Tent $249.95 in stock"
    )
    assert c.corrections == []


def test_sku_of_another_product_is_fixed_to_the_named_one():
    c = checker()
    out = verify_text("- Northpeak Ridgeback 2 Tent (SKU SLP-0002): $249.95, 12 in stock", c)
    assert "TEN-0001" in out and "SLP-0002" not in out
    assert c.corrections[0].reason == "SKU belongs to another product"
    assert len(c.corrections) == 1  # price and stock now attributed to the right product


def test_the_digits_of_a_sku_are_neither_a_count_nor_an_amount():
    # Found by hypothesis: "TEN-0001 in stock" was read as "1 in stock" and rewritten to "TEN-12".
    for text in ("SKU TEN-0001 in stock", "SKU TEN-0001 left", "TEN-0001 dollars"):
        c = checker()
        assert verify_text(text, c) == text
        assert c.corrections == []


def test_a_stock_claim_is_attributed_after_prices_change_length():
    # Found by hypothesis: positions measured before "$0.00" became "$249.95" pointed the
    # "in stock" claim at the next product, and a second pass flipped it back.
    c = checker()
    out = verify_text("SKU TEN-0001 $0.00 $0.00 $0.00 in stock SKU SLP-0002", c)
    assert "TEN-0001 $249.95 $249.95 $249.95 in stock" in out
    assert [x.kind for x in c.corrections] == ["price"] * 3


@pytest.mark.parametrize(
    "claim",
    ["costs 199.", "costs 199.00.", "is priced at 199.", "sells for just 199.",
     "costs €199.", "costs £199.", "costs 199 EUR.", "costs USD 199.", "costs 199 dollars.",
     "costs 199€.", "costs C$199."],
)  # fmt: skip
def test_every_written_form_of_a_wrong_price_is_corrected(claim: str) -> None:
    c = checker()
    out = verify_text(f"The Ridgeback 2 Tent {claim}", c)
    assert "199" not in out and "$249.95" in out
    assert [x.kind for x in c.corrections] == ["price"]


@pytest.mark.parametrize(
    "text",
    ["The Ridgeback 2 Tent is 20% off this week.", "The Ridgeback 2 Tent fits a size 10.5 boot.",
     "The Ridgeback 2 Tent sleeps 2 and packs to 45 cm.", "Call 555-0100 about the Ridgeback 2 Tent.",
     "The Ridgeback 2 Tent (TEN-0001) costs $249.95."],
)  # fmt: skip
def test_numbers_that_are_not_prices_are_left_alone(text: str) -> None:
    c = checker()
    assert verify_text(text, c) == text and c.corrections == []


def test_a_corrected_price_is_written_in_the_products_currency() -> None:
    euro_tent = Product("TEN-0009", "Alpina Dome Tent", "Alpina", "Tents", "", 89.0, "EUR", 3, {})
    c = FactChecker([euro_tent])
    out = verify_text("The Alpina Dome Tent costs $95.", c)
    assert "€89.00" in out and "$95" not in out


def test_removing_an_invented_sku_keeps_the_line_break_after_it() -> None:
    # Found by the fuzzer: eating the newline joined two sentences, so a second pass read
    # "in stock" as a claim about the product named on the next line.
    once = verify_text("in stock SKU ZZZ-1234 \n The Foam Mat", checker())
    assert once == "in stock \n The Foam Mat"
    again = checker()
    assert verify_text(once, again) == once and again.corrections == []
