import pytest

from localbot.catalogue.filters import parse_filters

BRANDS = ["Alpenglow", "Summit & Co", "Velocita"]
CATEGORIES = ["Tents", "Sleeping Bags & Mats", "Jackets", "Water Sports"]


def parse(query):
    return parse_filters(query, BRANDS, CATEGORIES)


@pytest.mark.parametrize(
    ("query", "min_price", "max_price"),
    [
        ("tent under $100", None, 100),
        ("headlamp less than 50 dollars", None, 50),
        ("rope below 80 bucks", None, 80),
        ("gloves between $20 and $40", 20, 40),
        ("gloves between 20 and 40 dollars", 20, 40),
        ("socks $10-$25", 10, 25),
        ("kayak over $1,200", 1200, None),
        ("a stove up to $99.99", None, 99.99),
        ("jacket around $100", 80, 120),
    ],
)
def test_price_phrases(query, min_price, max_price):
    filters = parse(query)
    assert filters.min_price == min_price
    assert filters.max_price == max_price


@pytest.mark.parametrize(
    "query",
    [
        "sleeping bag under 500 grams",
        "headlamp over 300 lumens",
        "tent for 2 persons",
        "pack under 40 l",
    ],
)
def test_quantities_are_not_prices(query):
    filters = parse(query)
    assert filters.min_price is None and filters.max_price is None


def test_strict_and_inclusive_upper_bounds():
    assert parse("under $50").max_inclusive is False
    assert parse("up to $50").max_inclusive is True


def test_stock_brand_and_category():
    filters = parse("Alpenglow jackets in stock under $300")
    assert filters.in_stock
    assert filters.brands == ("Alpenglow",)
    assert filters.categories == ("Jackets",)
    assert "in stock" not in filters.text and "$300" not in filters.text
    assert parse("anything from summit and co?").brands == ("Summit & Co",)
    assert parse("sleeping mats").categories == ("Sleeping Bags & Mats",)


def test_singular_nouns_do_not_restrict_category():
    # "a stove that fits in my tent" is not a request to browse the Tents category
    assert parse("a stove that fits in my tent").categories == ()


def test_no_filters_keeps_text():
    filters = parse("warm hat for winter")
    assert not filters.active
    assert filters.text == "warm hat for winter"
    assert filters.describe() == ""


def test_swapped_bounds_become_a_range():
    # Found by hypothesis: "over $80 under $50" gave min > max, which matches no product.
    filters = parse_filters("tent over $80 under $50")
    assert (filters.min_price, filters.max_price) == (50, 80)
