"""Fact verification: every price, SKU and stock claim in the model's text is checked before it shows.

Text streams out with a lag of a few words; a sentence that contains a claim (a digit, a currency
sign, a SKU, a stock word) is held until it ends, checked against the database rows, corrected
where wrong, and only then released. A shopper never sees an unchecked fact, and every fix is
recorded as a :class:`Correction`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from localbot.catalogue.search import Product

SKU_TOKEN = re.compile(r"\b[A-Z]{2,5}-\d{1,6}[A-Z]?\b")
_AMOUNT = r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<cents>\.\d{1,2})?"
_CODES = "USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|JPY|INR"
# Every way a price is written, each with the part a correction replaces ("amount" when only
# the number is replaced, as in "costs 29.99"; the whole match otherwise).
PRICE_FORMS = (
    re.compile(rf"(?:US|C|A|NZ)?[$€£¥]\s?{_AMOUNT}\b"),
    re.compile(rf"\b(?:{_CODES})\s?{_AMOUNT}\b", re.IGNORECASE),
    # The digits of a SKU ("TEN-0001 dollars") are not an amount, hence the look-behind.
    re.compile(
        rf"(?<![-\w.,]){_AMOUNT}\s?(?:[€£$]|(?:{_CODES}|dollars?|euros?|pounds?|bucks)\b)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:costs?|costing|priced(?:\s+at)?|(?:the\s+)?price\s+(?:is|of)|retails?\s+(?:at|for)"
        rf"|sells?\s+for|on\s+sale\s+for)\s+(?:just\s+|only\s+)?(?P<amount>{_AMOUNT})\b(?![%.,]?\d|\s?%)",
        re.IGNORECASE,
    ),
)
COUNT_CLAIM = re.compile(
    # Not after "-": the tail of "TEN-0001 in stock" is part of a SKU, not a count.
    r"(?<![\d.,$-])\b(?:only\s+)?(\d+)\s+(?:units?\s+|items?\s+|pieces?\s+|of them\s+)?(?:left|in stock|available)\b",
    re.IGNORECASE,
)
OUT_CLAIM = re.compile(
    r"\b(?:out of stock|sold out|unavailable|not available|not in stock)\b", re.I
)
IN_CLAIM = re.compile(
    r"(?<!not )(?<!out of )\b(?:in stock|available now|available)\b", re.IGNORECASE
)
RISKY = re.compile(r"[\d$€£¥]|\b(?:stock|sold|left|available|unavailable|SKU)\b|[A-Z]{2,5}-", re.I)
SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
HELD_WORDS = 3
UNATTRIBUTED_PRICE = "the price shown on its card"


@dataclass(frozen=True)
class Correction:
    """One fact the verifier changed: what the model said and what the database says."""

    kind: str  # 'price', 'sku' or 'stock'
    original: str
    corrected: str
    sku: str | None
    reason: str

    def as_dict(self) -> dict[str, str | None]:
        """Plain data for JSON output and the interaction log."""
        return asdict(self)


class FactChecker:
    """Checks sentences against the products the model was given (and any SKU in the database)."""

    def __init__(
        self,
        products: Iterable[Product],
        lookup_sku: Callable[[str], Product | None] | None = None,
        allowed_amounts: Iterable[float] = (),
    ) -> None:
        self.products = {p.sku: p for p in products}
        self.lookup_sku = lookup_sku or (lambda sku: None)
        self.allowed_amounts = {round(a, 2) for a in allowed_amounts}
        self.corrections: list[Correction] = []
        self.last_product: Product | None = None

    def check(self, sentence: str) -> str:
        """Return ``sentence`` with wrong facts corrected; remembers the product it was about."""
        sentence = self._check_skus(sentence)
        mentions = self._mentions(sentence)
        subject = mentions[-1][1] if mentions else self.last_product
        sentence = self._check_prices(sentence, mentions, subject)
        # A corrected price can change the sentence's length: find the names again so that a
        # stock claim is attributed by where it stands now.
        mentions = self._mentions(sentence)
        sentence = self._check_stock(sentence, mentions, subject)
        if mentions:
            self.last_product = mentions[-1][1]
        return re.sub(r"[ \t]{2,}", " ", sentence)

    def _mentions(self, sentence: str) -> list[tuple[int, Product]]:
        """Products named in the sentence (by SKU, full name or name without brand), by position."""
        lowered = sentence.lower()
        found: dict[str, tuple[int, Product]] = {}
        for product in self.products.values():
            for needle in _name_needles(product):
                position = lowered.find(needle)
                if position >= 0 and product.sku not in found:
                    found[product.sku] = (position, product)
        return sorted(found.values(), key=lambda item: item[0])

    def _named(self, sentence: str) -> dict[str, Product]:
        """Products named by name (not SKU) in the sentence: a SKU must agree with them."""
        lowered = sentence.lower()
        return {
            p.sku: p
            for p in self.products.values()
            if any(needle in lowered for needle in _name_needles(p)[:1] + _name_needles(p)[2:])
        }

    def _check_skus(self, sentence: str) -> str:
        named = self._named(sentence)

        def fix(match: re.Match[str]) -> str:
            sku = match.group(0)
            if sku not in self.products and (real := self.lookup_sku(sku)) is not None:
                self.products[sku] = real
            if sku in self.products and (not named or sku in named):
                return sku
            replacement = next(iter(named)) if len(named) == 1 else ""
            reason = (
                "SKU belongs to another product"
                if sku in self.products
                else "SKU not in the catalogue"
            )
            self._record("sku", sku, replacement, replacement or None, reason)
            return replacement

        fixed = SKU_TOKEN.sub(fix, sentence)
        return re.sub(r"\(\s*(?:SKU:?\s*)?\)|\bSKU:?[ \t]*(?=[,.;)]|$)", "", fixed)

    def _check_prices(
        self, sentence: str, mentions: list[tuple[int, Product]], subject: Product | None
    ) -> str:
        for start, end, amount in reversed(price_claims(sentence)):
            fixed = self._fix_price(sentence[start:end], amount, start, mentions, subject)
            sentence = sentence[:start] + fixed + sentence[end:]
        return sentence

    def _fix_price(
        self,
        claim: str,
        amount: float,
        position: int,
        mentions: list[tuple[int, Product]],
        subject: Product | None,
    ) -> str:
        product = _nearest(mentions, position) or (subject if not mentions else None)
        if product is not None:
            if round(product.price, 2) == amount:
                return claim
            correct = format_price(product.price, product.currency)
            self._record("price", claim, correct, product.sku, "price differs from the catalogue")
            return correct
        if amount in self.allowed_amounts or any(
            round(p.price, 2) == amount for p in self.products.values()
        ):
            return claim
        self._record("price", claim, UNATTRIBUTED_PRICE, None, "price matches no listed product")
        return UNATTRIBUTED_PRICE

    def _check_stock(
        self, sentence: str, mentions: list[tuple[int, Product]], subject: Product | None
    ) -> str:
        sentence = COUNT_CLAIM.sub(lambda m: self._fix_count(m, mentions, subject), sentence)
        sentence = OUT_CLAIM.sub(
            lambda m: self._fix_availability(m, mentions, subject, False), sentence
        )
        return IN_CLAIM.sub(lambda m: self._fix_availability(m, mentions, subject, True), sentence)

    def _fix_count(
        self, match: re.Match[str], mentions: list[tuple[int, Product]], subject: Product | None
    ) -> str:
        claimed = int(match.group(1))
        product = _nearest(mentions, match.start()) or subject
        if product is None:
            if any(p.stock == claimed for p in self.products.values()):
                return match.group(0)
            self._record(
                "stock",
                match.group(0),
                "check the card for stock",
                None,
                "count matches no product",
            )
            return "check the card for stock"
        if product.stock == claimed:
            return match.group(0)
        correct = f"{product.stock} in stock" if product.stock > 0 else "out of stock"
        self._record(
            "stock", match.group(0), correct, product.sku, "stock count differs from the catalogue"
        )
        return correct

    def _fix_availability(
        self,
        match: re.Match[str],
        mentions: list[tuple[int, Product]],
        subject: Product | None,
        claims_in_stock: bool,
    ) -> str:
        product = _nearest(mentions, match.start()) or subject
        if product is None or (product.stock > 0) == claims_in_stock:
            return match.group(0)
        correct = "in stock" if product.stock > 0 else "out of stock"
        self._record(
            "stock", match.group(0), correct, product.sku, "availability differs from the catalogue"
        )
        return correct

    def _record(
        self, kind: str, original: str, corrected: str, sku: str | None, reason: str
    ) -> None:
        self.corrections.append(Correction(kind, original.strip(), corrected, sku, reason))


def _name_needles(product: Product) -> list[str]:
    name = product.name.lower()
    needles = [name, product.sku.lower()]
    if product.brand and name.startswith(product.brand.lower() + " "):
        core = name[len(product.brand) + 1 :]
        if len(core.split()) >= 2:
            needles.append(core)
    return needles


def _nearest(mentions: list[tuple[int, Product]], position: int) -> Product | None:
    """The product named closest before ``position`` (or the first after it)."""
    before = [product for start, product in mentions if start <= position]
    if before:
        return before[-1]
    return mentions[0][1] if mentions else None


def price_claims(sentence: str) -> list[tuple[int, int, float]]:
    """Every price written in ``sentence``: (start, end, amount), in order, never overlapping.

    Prices come with a currency sign or code before or after ("$29.99", "€29", "29.99 EUR",
    "30 dollars") or after a price word ("costs 29.99"); where two forms overlap the one that
    starts first wins.
    """
    found: list[tuple[int, int, float]] = []
    for form in PRICE_FORMS:
        for match in form.finditer(sentence):
            group = "amount" if "amount" in form.groupindex else 0
            found.append((match.start(group), match.end(group), _amount(match)))
    claims: list[tuple[int, int, float]] = []
    for start, end, amount in sorted(found, key=lambda c: (c[0], -c[1])):
        if not claims or start >= claims[-1][1]:
            claims.append((start, end, amount))
    return claims


def _amount(match: re.Match[str]) -> float:
    whole = match.group("whole").replace(",", "")
    return round(float(whole + (match.group("cents") or "")), 2)


CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def format_price(price: float, currency: str = "USD") -> str:
    """A price as the store writes it: $1,299.00, €89.00, or 120.00 CHF."""
    sign = CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{price:,.2f}" if sign else f"{price:,.2f} {currency.upper()}"


class StreamingVerifier:
    """Feeds model text through a :class:`FactChecker` while letting safe text stream at once."""

    def __init__(self, checker: FactChecker) -> None:
        self.checker = checker
        self._sentence = ""
        self._emitted = 0
        self.text = ""

    @property
    def corrections(self) -> list[Correction]:
        """The facts corrected so far."""
        return self.checker.corrections

    def feed(self, piece: str) -> str:
        """Add model text; return the text that is safe to show now."""
        self._sentence += piece
        out = ""
        while match := SENTENCE_END.search(self._sentence):
            end = match.end()
            out += self._release(self._sentence[:end])
            self._sentence, self._emitted = self._sentence[end:], 0
        out += self._release_safe_prefix()
        return out

    def finish(self) -> str:
        """Flush the last (possibly unfinished) sentence, checked."""
        out = self._release(self._sentence) if self._sentence else ""
        self._sentence, self._emitted = "", 0
        return out

    def _release(self, sentence: str) -> str:
        """Check a complete sentence and return its part not shown yet."""
        checked = self.checker.check(sentence)
        shown = sentence[: self._emitted]
        rest = checked[len(shown) :] if checked.startswith(shown) else checked[self._emitted :]
        self.text += rest
        return rest

    def _release_safe_prefix(self) -> str:
        """Show the sentence so far, minus the last few words, unless it holds a claim."""
        pending = self._sentence[self._emitted :]
        if RISKY.search(pending):
            return ""
        cut = _cut_before_last_words(pending, HELD_WORDS)
        if cut <= 0:
            return ""
        if RISKY.search(self._sentence[: self._emitted + cut]):
            return ""
        released = pending[:cut]
        self._emitted += cut
        self.text += released
        return released


def _cut_before_last_words(text: str, words: int) -> int:
    """Index where the last ``words`` words (and a trailing partial word) of ``text`` begin."""
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    if len(starts) <= words:
        return 0
    return starts[-words]


def verify_text(text: str, checker: FactChecker) -> str:
    """Check a whole text at once (the same rules as streaming)."""
    verifier = StreamingVerifier(checker)
    return verifier.feed(text) + verifier.finish()
