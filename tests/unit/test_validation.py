import pytest

from localbot.catalogue.validation import RowError, validate_product

GOOD = {"sku": "TEN-0001", "name": "Dome 2", "price": "129.50", "currency": "usd", "stock": "4"}


def test_valid_row_is_cleaned():
    product = validate_product({**GOOD, "colour": "green", "brand": "  Northpeak "})
    assert product.price == 129.5
    assert product.currency == "USD"
    assert product.stock == 4
    assert product.brand == "Northpeak"
    assert product.attributes == {"colour": "green"}  # unknown columns become attributes


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"sku": ""}, "missing required field: sku"),
        ({"name": "  "}, "missing required field: name"),
        ({"price": "-1"}, "price must be a number >= 0"),
        ({"price": "twelve"}, "is not a number"),
        ({"price": float("nan")}, "price must be a number >= 0"),
        ({"currency": "XYZ"}, "unknown currency"),
        ({"stock": "2.5"}, "whole number"),
        ({"stock": "-3"}, "whole number"),
        ({"sku": "bad sku!"}, "sku"),
        ({"attributes": "[1, 2]"}, "attributes must be an object"),
        ({"attributes": "{not json"}, "attributes must be a JSON object"),
    ],
)
def test_invalid_rows_say_why(change, reason):
    with pytest.raises(RowError, match=reason.replace("(", r"\(").replace("$", r"\$")):
        validate_product({**GOOD, **change})


def test_price_formats_a_spreadsheet_exports():
    assert validate_product({**GOOD, "price": "$1,299.00"}).price == 1299.0
    assert validate_product({**GOOD, "price": 5}).price == 5.0


def test_content_hash_changes_with_any_field():
    base = validate_product(GOOD)
    assert base.content_hash == validate_product(dict(GOOD)).content_hash
    assert base.content_hash != validate_product({**GOOD, "stock": "5"}).content_hash


@pytest.mark.parametrize("name", ["\x1b[31m\x07", "\x00\x1b[0m \t", "\x1b]0;title\x07"])
def test_a_name_of_only_control_characters_is_refused(name):
    with pytest.raises(RowError, match=r"^name is empty \(or only control characters\)"):
        validate_product({**GOOD, "name": name})


def test_optional_text_of_only_control_characters_is_stored_empty():
    product = validate_product({**GOOD, "brand": "\x1b[1m", "description": "\x07 ok \x1b[0m"})
    assert (product.brand, product.description) == ("", "ok")
