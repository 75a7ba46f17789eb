"""The fact checker and product names: numbers inside names, parts of names, shared parts, brands
and SKUs in the store's own shape."""

import pytest

from localbot.catalogue.search import Product
from localbot.verify import FactChecker, StreamingVerifier, verify_text

RIDGEBACK_2 = Product(
    "TEN-0001", "Northpeak Ridgeback 2 Ultralight Tent", "Northpeak", "Tents", "", 449.95, "USD",
    14, {},
)  # fmt: skip
RIDGEBACK_1 = Product(
    "TEN-0002", "Northpeak Ridgeback 1 Ultralight Tent", "Northpeak", "Tents", "", 389.95, "USD",
    9, {},
)  # fmt: skip
PITCH_2 = Product(
    "TEN-0009", "Basecamp Basics Pitch 2 Dome Tent", "Basecamp Basics", "Tents", "", 79.99, "USD",
    42, {},
)  # fmt: skip
MAT = Product(
    "SLP-0002", "Basecamp Basics Foam Mat", "Basecamp Basics", "Sleeping Bags & Mats", "", 14.99,
    "USD", 0, {},
)  # fmt: skip
VERTEX_MEN = Product(
    "JKT-0001", "Northpeak Vertex 3L Shell Jacket - Men's", "Northpeak", "Jackets", "", 449.95,
    "USD", 9, {},
)  # fmt: skip
VERTEX_WOMEN = Product(
    "JKT-0002", "Northpeak Vertex 3L Shell Jacket - Women's", "Northpeak", "Jackets", "", 449.95,
    "USD", 0, {},
)  # fmt: skip


def sold_out(product: Product) -> Product:
    return Product(*[getattr(product, f) for f in product.__dataclass_fields__][:7], 0, {})


def check(text: str, *products: Product, **kwargs) -> tuple[str, FactChecker]:
    checker = FactChecker(products or (RIDGEBACK_2, RIDGEBACK_1, PITCH_2), **kwargs)
    return verify_text(text, checker), checker


# --- a number in a product's name is not a stock count (audit defect 1) -------------------------


@pytest.mark.parametrize(
    "text",
    ["The Northpeak Ridgeback 1 in stock now.", "Yes, the Ridgeback 1 is in stock.",
     "We have the Ridgeback 2 available for $449.95.", "The Pitch 2 available in green.",
     "The Northpeak Ridgeback 1 Ultralight Tent in stock.", "Is the Ridgeback 1 in stock?"],
)  # fmt: skip
def test_a_number_in_a_product_name_is_never_a_count(text: str) -> None:
    out, checker = check(text)
    assert out == text and checker.corrections == []


def test_the_stock_claim_after_a_numbered_name_is_checked_as_availability() -> None:
    out, checker = check("The Ridgeback 1 in stock now.", RIDGEBACK_2, sold_out(RIDGEBACK_1))
    assert out == "The Ridgeback 1 out of stock now."
    assert [(c.original, c.corrected, c.sku) for c in checker.corrections] == [
        ("in stock", "out of stock", "TEN-0002")
    ]


def test_the_model_number_of_a_product_not_given_is_not_a_count_either() -> None:
    # The Pitch 2 is not among the given rows: its "2" is still a name, not "2 available" of
    # the product the previous sentence was about.
    out, checker = check(
        "I recommend the Ridgeback 2. The Pitch 2 available in green.", RIDGEBACK_2
    )
    assert out == "I recommend the Ridgeback 2. The Pitch 2 available in green."
    assert checker.corrections == []


@pytest.mark.parametrize(
    "text",
    ["The Ridgeback 2 Tent 3 in stock.", "The Ridgeback 2: only 3 left.",
     "The Ridgeback 2 3 in stock.", "I like the Ridgeback 2. Only 3 left!"],
)  # fmt: skip
def test_a_real_count_after_a_name_is_still_checked(text: str) -> None:
    out, checker = check(text)
    assert "14 in stock" in out and "3" not in out.replace("Ridgeback 2", "")
    assert [c.sku for c in checker.corrections] == ["TEN-0001"]


# --- parts of names (audit defect 2) ------------------------------------------------------------


def test_a_wrong_price_after_part_of_a_name_is_corrected() -> None:
    out, checker = check("The Ridgeback 2 costs $389.95.")
    assert out == "The Ridgeback 2 costs $449.95."
    assert [(c.kind, c.sku) for c in checker.corrections] == [("price", "TEN-0001")]


def test_a_wrong_stock_claim_after_part_of_a_name_is_corrected() -> None:
    out, checker = check("The Ridgeback 1 tent is in stock.", RIDGEBACK_2, sold_out(RIDGEBACK_1))
    assert out == "The Ridgeback 1 tent is out of stock."
    assert [c.sku for c in checker.corrections] == ["TEN-0002"]


def test_one_distinctive_word_names_the_only_product_that_has_it() -> None:
    out, checker = check("I'd take the Ridgeback, it costs $389.95.", RIDGEBACK_2, PITCH_2)
    assert out == "I'd take the Ridgeback, it costs $449.95."
    assert checker.corrections[0].sku == "TEN-0001"


def test_a_part_shared_by_several_products_is_attributed_to_none_of_them() -> None:
    # "the Ridgeback" may be the 1 or the 2: a price of either stands, and a wrong one is
    # taken out without naming a product.
    assert check("The Ridgeback costs $389.95.")[0] == "The Ridgeback costs $389.95."
    assert check("The Ridgeback costs $449.95.")[0] == "The Ridgeback costs $449.95."
    out, checker = check("The Ridgeback costs $100.")
    assert out == "The Ridgeback costs the price shown on its card."
    assert [(c.kind, c.sku) for c in checker.corrections] == [("price", None)]


def test_a_shared_part_does_not_fall_back_to_the_previous_product() -> None:
    out, checker = check("The Pitch 2 Dome Tent is $79.99. The Ridgeback is $389.95.")
    assert out == "The Pitch 2 Dome Tent is $79.99. The Ridgeback is $389.95."
    assert checker.corrections == []


def test_a_shared_part_is_corrected_when_every_product_it_can_mean_agrees() -> None:
    out, checker = check("The Vertex 3L Shell Jacket costs $399.95.", VERTEX_MEN, VERTEX_WOMEN)
    assert out == "The Vertex 3L Shell Jacket costs $449.95."
    assert [(c.kind, c.sku) for c in checker.corrections] == [("price", None)]
    both_sold_out = (sold_out(VERTEX_MEN), sold_out(VERTEX_WOMEN))
    assert check("The Vertex is in stock.", *both_sold_out)[0] == "The Vertex is out of stock."
    assert check("The Vertex is in stock.", VERTEX_MEN, VERTEX_WOMEN)[0] == (
        "The Vertex is in stock."
    )


def test_part_of_the_name_of_a_product_not_given_is_not_taken_for_a_given_one() -> None:
    # Only the Ridgeback 2 was given; "the Ridgeback 1" is another tent, so its price is not
    # "corrected" to the Ridgeback 2's.
    out, checker = check("The Ridgeback 1 costs $389.95.", RIDGEBACK_2)
    assert "$449.95" not in out
    assert all(c.sku is None for c in checker.corrections)


def test_one_word_at_the_start_of_a_sentence_may_be_an_ordinary_word() -> None:
    trail = Product("BPK-0017", "Basecamp Basics Trailblazer Pack", "Basecamp Basics",
                    "Backpacks", "", 79.99, "USD", 14, {})  # fmt: skip
    out, checker = check("Trailblazer tours cost $120.", trail)
    assert "$79.99" not in out and checker.corrections[0].sku is None
    assert check("The Trailblazer costs $120.", trail)[0] == "The Trailblazer costs $79.99."


def test_a_brand_alone_names_no_product() -> None:
    out, checker = check("Northpeak tents cost from $389.95 to $449.95.")
    assert out == "Northpeak tents cost from $389.95 to $449.95." and checker.corrections == []
    out, checker = check("The Foam Mat is $14.99. Northpeak gear costs around $300.", MAT,
                         RIDGEBACK_2)  # fmt: skip
    assert "$14.99. " in out and "around $14.99" not in out
    assert all(c.sku is None for c in checker.corrections)


def test_a_sku_must_agree_with_a_part_of_a_name() -> None:
    out, checker = check("The Ridgeback 2 (SKU TEN-0002) costs $449.95.")
    assert out == "The Ridgeback 2 (SKU TEN-0001) costs $449.95."
    assert checker.corrections[0].reason == "SKU belongs to another product"


def test_a_markdown_list_of_catalogue_lines_passes_unchanged() -> None:
    text = (
        "- **Northpeak Ridgeback 2 Ultralight Tent** (SKU TEN-0001): $449.95, 14 in stock\n"
        "- **Northpeak Ridgeback 1 Ultralight Tent** (SKU TEN-0002): $389.95, 9 in stock\n"
        "- **Basecamp Basics Pitch 2 Dome Tent** (SKU TEN-0009): $79.99, 42 in stock\n"
    )
    out, checker = check(text)
    assert out == text and checker.corrections == []


# --- SKUs in the store's own shape (audit defect 4) ---------------------------------------------

MUG = Product("HB4411-GR", "Harbor Enamel Mug", "Harbor", "Camp Kitchen", "", 12.0, "USD", 8, {})
CUP = Product("HB4412-BK", "Harbor Steel Cup", "Harbor", "Camp Kitchen", "", 9.0, "USD", 3, {})
NUMBERED = Product("100234", "Ember Trail Mug", "Ember", "Camp Kitchen", "", 9.99, "USD", 5, {})


def test_an_invented_sku_in_the_stores_own_shape_is_caught() -> None:
    out, checker = check("Ask for HB9999-GR at the desk.", MUG, CUP)
    assert "HB9999-GR" not in out
    assert [(c.kind, c.original, c.reason) for c in checker.corrections] == [
        ("sku", "HB9999-GR", "SKU not in the catalogue")
    ]
    out, _ = check("The Harbor Enamel Mug (HB4412-BK) is $12.00.", MUG, CUP)
    assert out == "The Harbor Enamel Mug (HB4411-GR) is $12.00."


def test_a_real_sku_in_the_stores_shape_is_looked_up() -> None:
    other = Product("HB5000-RD", "Harbor Kettle", "Harbor", "Camp Kitchen", "", 30.0, "USD", 2, {})
    checker = FactChecker([MUG], lookup_sku=lambda sku: other if sku == "HB5000-RD" else None)
    assert verify_text("The HB5000-RD costs $30.00.", checker) == "The HB5000-RD costs $30.00."
    assert checker.corrections == []


@pytest.mark.parametrize(
    "text",
    ["Buy 2 for 20% off.", "It gives 1500 lumens and runs 40 hours.", "COVID-19 rules ended.",
     "The lamp has an MP3 player and a 4x4 mode.", "Call 555-0100 today.",
     "Over 100235 campers love it."],
)  # fmt: skip
def test_ordinary_words_and_numbers_are_not_taken_for_skus(text: str) -> None:
    out, checker = check(text, MUG, CUP, NUMBERED)
    assert out == text and checker.corrections == []


def test_any_token_after_the_word_sku_is_checked() -> None:
    out, checker = check("The Ember Trail Mug (SKU 100235) costs $9.99.", NUMBERED, MUG)
    assert out == "The Ember Trail Mug (SKU 100234) costs $9.99."
    out, checker = check("Order SKU 999999 today.", NUMBERED)
    assert "999999" not in out and "SKU" not in out
    assert checker.corrections[0].reason == "SKU not in the catalogue"
    out, _ = check("Its SKU is ten-9999.")
    assert out == "Its SKU is not one I can confirm."


def test_a_real_sku_written_in_lower_case_is_shown_as_the_store_writes_it() -> None:
    out, checker = check("Its SKU is ten-0001.")
    assert out == "Its SKU is TEN-0001." and checker.corrections == []


def test_the_digits_of_a_numeric_sku_are_neither_a_count_nor_a_price() -> None:
    out, checker = check("SKU 100234 in stock, SKU 100234 dollars.", NUMBERED)
    assert out == "SKU 100234 in stock, SKU 100234 dollars." and checker.corrections == []


def test_a_word_of_a_product_name_in_the_sku_shape_is_not_a_sku() -> None:
    lamp = Product("4100R", "Lumen Titan 3000R Searchlight", "Lumen", "Lighting", "", 149.95,
                   "USD", 3, {})  # fmt: skip
    out, checker = check("The Titan 3000R is bright; so is the 3000R.", lamp)
    assert out == "The Titan 3000R is bright; so is the 3000R." and checker.corrections == []
    out, checker = check("Ask for the 9900R.", lamp)  # the store's shape, but no such SKU
    assert "9900R" not in out and checker.corrections[0].kind == "sku"


def test_a_short_sku_like_word_is_not_a_sku_in_a_store_with_longer_ones() -> None:
    out, checker = check("Unlike WD-40, our lube stays clean. Ask for TEN-0999.")
    assert out.startswith("Unlike WD-40, our lube stays clean.") and "TEN-0999" not in out
    assert [c.original for c in checker.corrections] == ["TEN-0999"]


# --- streaming gives the same text ------------------------------------------------------------


def test_streaming_word_by_word_matches_checking_the_whole_text() -> None:
    text = (
        "The Ridgeback 2 costs $389.95 and the Ridgeback 1 in stock. The Ridgeback costs $100. "
        "Ask for TEN-0099. The Pitch 2 available in green, only 3 left."
    )
    whole = verify_text(text, FactChecker([RIDGEBACK_2, RIDGEBACK_1, PITCH_2]))
    verifier = StreamingVerifier(FactChecker([RIDGEBACK_2, RIDGEBACK_1, PITCH_2]))
    shown = "".join(verifier.feed(word + " ") for word in text.split(" ")) + verifier.finish()
    assert shown.rstrip() == whole
