"""Property-based tests (hypothesis) for the filter parser, the fact verifier, the importer and
the redactor."""

import csv
import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localbot.catalogue.filters import parse_filters
from localbot.catalogue.readers import RawRow, _csv_rows, _jsonl_rows
from localbot.catalogue.search import Product
from localbot.catalogue.validation import RowError, validate_product
from localbot.privacy import find_personal_data, redact
from localbot.verify import UNATTRIBUTED_PRICE, FactChecker, verify_text

BRANDS = ["Alpenglow", "Summit & Co"]
CATEGORIES = ["Tents", "Sleeping Bags & Mats"]
WORDS = st.sampled_from(
    ["tent", "under", "over", "between", "and", "$", "in stock", "dollars", "Alpenglow", "tents",
     "mats", "cheap", "2", "person", "grams", "lumens", "-", "to", "around", ",", "."]
)  # fmt: skip
AMOUNTS = st.decimals(min_value=0, max_value=5000, places=2).map(lambda d: f"${d}")
QUERIES = st.lists(st.one_of(WORDS, AMOUNTS, st.text(max_size=8)), max_size=12).map(" ".join)


@given(QUERIES)
def test_filter_parser_never_fails_and_keeps_sane_bounds(query):
    filters = parse_filters(query, BRANDS, CATEGORIES)
    assert filters.text.strip() or not query.strip()
    for bound in (filters.min_price, filters.max_price):
        assert bound is None or bound >= 0
    if filters.min_price is not None and filters.max_price is not None:
        assert filters.min_price <= filters.max_price
    assert set(filters.brands) <= set(BRANDS) and set(filters.categories) <= set(CATEGORIES)


@given(
    st.integers(min_value=0, max_value=99_999),
    st.sampled_from(["under", "below", "less than", "up to"]),
)
def test_any_marked_upper_price_is_read_exactly(cents, phrase):
    amount = cents / 100
    filters = parse_filters(f"rain jacket {phrase} ${amount:.2f} please")
    assert filters.max_price == round(amount, 2)
    assert "rain jacket" in filters.text


PRODUCTS = [
    Product("TEN-0001", "Ridgeback 2 Tent", "Northpeak", "Tents", "", 249.95, "USD", 12, {}),
    Product(
        "SLP-0002", "Foam Mat", "Basecamp Basics", "Sleeping Bags & Mats", "", 14.99, "USD", 0, {}
    ),
]
CLAIMS = st.sampled_from(
    ["The Ridgeback 2 Tent", "The Foam Mat", "It", "costs", "is", "in stock", "out of stock", "only 3 left",
     "SKU TEN-0001", "SKU SLP-0002", "SKU ZZZ-1234", "$249.95", "$14.99", "$99", "$1,000.00", "and", ".", "!", "\n"]
)  # fmt: skip
ANSWERS = st.lists(st.one_of(CLAIMS, AMOUNTS), max_size=25).map(" ".join)
PRICE = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")


@given(ANSWERS)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_verified_text_only_states_catalogue_prices_and_skus(answer):
    checker = FactChecker(PRODUCTS)
    out = verify_text(answer, checker)
    for amount in PRICE.findall(out):
        assert float(amount.replace(",", "")) in {249.95, 14.99}, out
    assert "ZZZ-1234" not in out
    for correction in checker.corrections:
        assert correction.kind in {"price", "sku", "stock"}


@given(ANSWERS)
def test_verification_is_idempotent(answer):
    once = verify_text(answer, FactChecker(PRODUCTS))
    second = FactChecker(PRODUCTS)
    twice = verify_text(once, second)
    assert second.corrections == [], (once, twice)
    assert "$" not in UNATTRIBUTED_PRICE  # a removed price is never replaced by another amount


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
)
ROWS = st.dictionaries(
    st.sampled_from(["sku", "name", "price", "currency", "stock", "brand", "attributes", "colour"]),
    VALUES,
)


@given(ROWS)
def test_validation_returns_a_product_or_a_reason_never_another_error(row):
    try:
        product = validate_product(row)
    except RowError as error:
        assert str(error)
    else:
        assert product.price >= 0 and product.stock >= 0 and product.sku and product.name
        json.dumps(product.attributes, default=str)


CELLS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=20))
def test_csv_reader_yields_one_row_per_record_with_its_number(records):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sku", "name", "price", "currency"])
    writer.writerows(records)
    rows = list(_csv_rows(buffer.getvalue(), "f.csv"))
    expected = [r for r in records if any(cell.strip() for cell in r)]
    assert len(rows) == len(expected)
    for row, record in zip(rows, expected, strict=True):
        assert isinstance(row, RawRow) and row.row_number >= 2
        if len(record) <= 4:  # longer records are quarantined as raw values, not a dict
            assert list(row.data.values()) == record


@given(st.lists(st.one_of(ROWS.map(json.dumps), st.text(max_size=20)), max_size=20))
def test_jsonl_reader_never_raises(lines):
    rows = list(_jsonl_rows("\n".join(line.replace("\n", " ") for line in lines), "f.jsonl"))
    assert all(row.error is None or "not valid JSON" in row.error for row in rows)


# --- redaction ---------------------------------------------------------------------------------

PII_SNIPPETS = [
    "card 4539 1488 0343 6467", "mail jane.doe@example.com", "call (541) 555-0142",
    "my number is +44 7700 900123", "I'm Sarah,", "i'm sarah,", "thanks emma.",
    "my name is John Smith", "born on 14 March 1985", "IBAN DE89 3704 0044 0532 0130 00",
    "ship to 418 Cedar Hollow Road, Bend, OR 97701", "postcode SW1A 1AA",
    "email jane dot doe at gmail dot com", "my mobile is 0412 345 678",
]  # fmt: skip
FILLER = st.sampled_from(["tent", "size 10.5", "$49.99", "please", "JKT-0001", "in stock?", "the"])
# Runs of horizontal whitespace and invisible characters a comment may hold instead of a space.
SPACING = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2009", " \u200b", "\u3000", " \t "])
INVISIBLE = dict.fromkeys(map(ord, "\u200b"))


def _seen(text: str, findings) -> list[tuple[str, str]]:
    """Each finding's type and text as a reader sees it (spacing collapsed)."""
    return [(f.type, " ".join(text[slice(*f.span)].translate(INVISIBLE).split())) for f in findings]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(PII_SNIPPETS), FILLER), min_size=1, max_size=6), st.data()
)
def test_redaction_does_not_depend_on_the_spacing(pieces, data):
    """A comment typed with tabs, doubled or no-break spaces is redacted as its tidy form is."""
    words = " ".join(pieces).split(" ")
    spaced = words[0] + "".join(data.draw(SPACING) + word for word in words[1:])
    tidy = " ".join(words)
    assert _seen(spaced, find_personal_data(spaced)) == _seen(tidy, find_personal_data(tidy))


FIRST_NAMES = st.sampled_from(
    ["sarah", "dave", "priya", "jose", "emma", "kenji", "fatima", "lukas"]
)
NAME_CUES = st.sampled_from(["i'm {}", "I am {}", "im {},", "this is {} speaking", "thanks {}",
                             "it's {} from the club", "call me {}", "{} here,", "regards, {}"])  # fmt: skip
SHOP_TALK = st.lists(st.sampled_from(["need", "boots", "a", "tent", "please", "in", "size", "9"]),
                     max_size=5).map(" ".join)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(NAME_CUES, FIRST_NAMES, SHOP_TALK)
def test_a_lower_case_first_name_after_a_cue_never_survives(cue, name, rest):
    text = f"{cue.format(name)} {rest}".strip()
    assert not re.search(rf"\b{name}\b", redact(text).text), text


NOT_NAMES = st.sampled_from(["looking", "after", "great", "so", "new", "sure", "not", "good",
                             "happy", "back", "interested", "here", "fine", "just", "ready"])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(NAME_CUES, NOT_NAMES, SHOP_TALK)
def test_ordinary_words_after_a_cue_are_not_names(cue, word, rest):
    text = f"{cue.format(word)} {rest}".strip()
    assert "NAME" not in redact(text).types, text
