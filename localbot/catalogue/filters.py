"""Structured filters read from a shopper's words: price bounds, "in stock", brands, categories.

The parser only reads; :mod:`localbot.catalogue.search` applies the result in SQL, so a filter is
never left to the model. Phrases that became filters are removed from the text that is searched.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_AMOUNT = r"(?:\$\s?|usd\s?)?(\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)(?!\d|[,.]\d)(?:\s?(?:dollars?|bucks|usd|\$))?"
_UNITS = (
    r"(?:g|grams?|kg|kilos?|lbs?|pounds?|oz|ounces?|l|lit(?:er|re)s?|ml|mm|cm|m|meters?|metres?|"
    r"lumens?|lm|w|watts?|mah|hours?|hrs?|h|km|miles?|degrees?|°|people|persons?|person|"
    r"days?|years?|feet|ft|inch(?:es)?|psi|bar|c|f)\b"
)
_MARKED = r"(?:\$\s?\d|\d[\d,.]*\s?(?:dollars?|bucks|usd)\b)"
_RANGE = re.compile(
    rf"\b(?:between|from)\s+{_AMOUNT}\s+(?:and|to|-)\s+{_AMOUNT}"
    rf"|(?<![\w.])\$\s?(\d[\d,]*(?:\.\d{{1,2}})?)\s?(?:-|to)\s?\$?\s?(\d[\d,]*(?:\.\d{{1,2}})?)",
    re.IGNORECASE,
)
_UPPER = re.compile(
    rf"\b(under|below|less than|cheaper than|no more than|not more than|at most|max(?:imum)?|"
    rf"up to|within|<=?)\s*{_AMOUNT}(?!\s?{_UNITS})",
    re.IGNORECASE,
)
_LOWER = re.compile(
    rf"\b(over|above|more than|at least|min(?:imum)?|>=?)\s*{_AMOUNT}(?!\s?{_UNITS})",
    re.IGNORECASE,
)
_AROUND = re.compile(rf"\b(?:around|about|roughly|approximately)\s+(?={_MARKED}){_AMOUNT}", re.I)
_IN_STOCK = re.compile(
    r"\b(?:(?:that (?:is|are) |currently |right now )?in[- ]stock|available (?:now|today)|"
    r"on the shelf|can i (?:buy|get) (?:it )?today)\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s{2,}")
_EDGE_NOISE = string.whitespace + ",.?!"


@dataclass(frozen=True)
class QueryFilters:
    """Filters found in a question, and the question text with those phrases removed."""

    text: str
    min_price: float | None = None
    max_price: float | None = None
    max_inclusive: bool = True
    in_stock: bool = False
    brands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    phrases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def active(self) -> bool:
        """True when at least one product filter applies."""
        return bool(
            self.min_price is not None
            or self.max_price is not None
            or self.in_stock
            or self.brands
            or self.categories
        )

    @property
    def excludes_documents(self) -> bool:
        """Price and stock filters mean shopping; a brand or category word may be a policy question."""
        return self.min_price is not None or self.max_price is not None or self.in_stock

    def describe(self) -> str:
        """Human words for the filters in force, e.g. 'under $100, in stock, brand Velocita'."""
        parts = []
        if self.min_price is not None and self.max_price is not None:
            parts.append(f"${self.min_price:g} to ${self.max_price:g}")
        elif self.max_price is not None:
            parts.append(f"{'up to' if self.max_inclusive else 'under'} ${self.max_price:g}")
        elif self.min_price is not None:
            parts.append(f"over ${self.min_price:g}")
        if self.in_stock:
            parts.append("in stock")
        parts += [f"brand {brand}" for brand in self.brands]
        parts += [f"category {category}" for category in self.categories]
        return ", ".join(parts)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_filters(
    query: str, brands: Iterable[str] = (), categories: Iterable[str] = ()
) -> QueryFilters:
    """Read price, stock, brand and category filters from ``query``.

    ``brands`` and ``categories`` are the names the catalogue knows; only those are recognised.
    """
    text = query
    found: dict[str, Any] = {}
    phrases: list[str] = []
    text = _take_prices(text, found, phrases)
    if match := _IN_STOCK.search(text):
        found["in_stock"] = True
        phrases.append(match.group(0))
        text = text.replace(match.group(0), " ")
    found["brands"] = tuple(_names_in(query, brands, _brand_aliases))
    found["categories"] = tuple(_names_in(query, categories, _category_aliases))
    clean = _SPACES.sub(" ", text).strip(_EDGE_NOISE) or query.strip()
    return QueryFilters(text=clean, phrases=tuple(phrases), **found)


def _take_prices(text: str, found: dict[str, Any], phrases: list[str]) -> str:
    if match := _RANGE.search(text):
        values = [_number(v) for v in match.groups() if v]
        found["min_price"], found["max_price"] = min(values), max(values)
    elif match := _AROUND.search(text):
        amount = _number(match.group(1))
        found["min_price"], found["max_price"] = round(amount * 0.8, 2), round(amount * 1.2, 2)
    else:
        upper, lower = _UPPER.search(text), _LOWER.search(text)
        if upper and _is_price(upper):
            found["max_price"] = _number(upper.group(2))
            found["max_inclusive"] = upper.group(1).lower() not in _STRICT_UPPER
            phrases.append(upper.group(0))
            text = text.replace(upper.group(0), " ")
        if lower and _is_price(lower):
            found["min_price"] = _number(lower.group(2))
            phrases.append(lower.group(0))
            text = text.replace(lower.group(0), " ")
        _order_bounds(found)
        return text
    phrases.append(match.group(0))
    return text.replace(match.group(0), " ")


def _order_bounds(found: dict[str, Any]) -> None:
    """'over $80 under $50' cannot match anything; the shopper means between the two amounts."""
    low, high = found.get("min_price"), found.get("max_price")
    if low is not None and high is not None and low > high:
        found["min_price"], found["max_price"] = high, low


_STRICT_UPPER = {"under", "below", "less than", "cheaper than", "<"}


def _is_price(match: re.Match[str]) -> bool:
    """A bare number after 'under' is a price unless it is clearly a quantity (e.g. '2 person')."""
    phrase = match.group(0)
    return bool(re.search(r"\$|dollar|bucks|usd", phrase, re.I)) or _number(match.group(2)) >= 5


def _names_in(
    query: str, names: Iterable[str], aliases_of: Callable[[str], list[str]]
) -> list[str]:
    folded = " " + _fold(query) + " "
    return [name for name in names if any(f" {alias} " in folded for alias in aliases_of(name))]


def _fold(text: str) -> str:
    text = text.lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9']+", text))


def _brand_aliases(brand: str) -> list[str]:
    folded = _fold(brand)
    return [folded] if folded else []


def _category_aliases(category: str) -> list[str]:
    """A category is named by its full name or one of its parts ('Sleeping Bags & Mats' -> 'mats')."""
    folded = _fold(category)
    parts = [_fold(part) for part in re.split(r"&|,|/| and ", category) if part.strip()]
    return [alias for alias in {folded, *parts} if len(alias) >= 4]
