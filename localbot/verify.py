"""Fact verification: every price, SKU and stock claim in the model's text is checked before it shows.

Text streams out with a lag of a few words; a sentence that contains a claim (a digit, a currency
sign, a SKU, a stock word) is held until it ends, checked against the database rows, corrected
where wrong, and only then released. A shopper never sees an unchecked fact, and every fix is
recorded as a :class:`Correction`.

A claim is about the product named nearest before it: by SKU, full name, name without brand, or a
distinctive part of the name ("the Ridgeback 2"). A part that several given products share
("the Ridgeback") names all of them: a claim true of one of them stands, and a wrong one is only
corrected when they all agree on the answer. Numbers inside a product's name are never counts or
prices, amounts from the store documents the model was given may be repeated, and an amount that
belongs to nothing is taken out so that the sentence still reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from localbot.catalogue.search import Product

SKU_TOKEN = re.compile(r"\b[A-Z]{2,5}-\d{1,6}[A-Z]?\b")
# Once the store's own SKU shapes are known, a SKU-like token needs three digits unless it has
# the store's shape: "WD-40" and "COVID-19" are not invented SKUs.
_LONG_SKU_TOKEN = re.compile(r"\b[A-Z]{2,5}-\d{3,6}[A-Z]?\b")
# Whatever follows the word "SKU" is a SKU claim, in any shape: "SKU 100234", "its SKU is ten-9".
SKU_CUE = re.compile(
    r"\bSKU\b(?:[ \t]+is)?[ \t]*(?:#|no\.?|number)?[ \t]*:?[ \t]*(?P<token>[A-Za-z0-9][\w./-]*)",
    re.IGNORECASE,
)
_AMOUNT = r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<cents>\.\d{1,2})?"
_CODES = "USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|JPY|INR|MXN|SGD|HKD|CNY|ZAR|BRL|KRW"
_UNITS = (
    r"kg|g|grams?|lbs?|pounds?|oz|ounces?|mm|cm|m|km|meters?|metres?|in(?!\s+stock)|inch(?:es)?|ft|feet"
    r"|l|ml|liters?|litres?|mah|wh?|v|h|hrs?|hours?|mins?|minutes?|days?|stars?|points?|times"
)
_SIGN = r"(?P<sign>(?<![A-Za-z])(?:US|C|A|NZ)\$|[$€£¥])"
# Every way a price is written, each with the part a correction replaces ("amount" when only
# the number is replaced, as in "costs 29.99"; the whole match otherwise). The groups sign, code
# and word say which currency was meant.
PRICE_FORMS = (
    re.compile(rf"{_SIGN}\s?{_AMOUNT}\b(?:[ \t]?(?P<code>{_CODES})\b)?"),
    re.compile(rf"\b(?P<code>{_CODES})\s?{_AMOUNT}\b", re.IGNORECASE),
    # The digits of a SKU ("TEN-0001 dollars") are not an amount, hence the look-behind; a sign
    # followed by digits starts the next price ("1 $449.95"). No "pounds": "weighs 2 pounds" is
    # a weight ("£2" and "2 GBP" are still prices).
    re.compile(
        rf"(?<![-\w.,]){_AMOUNT}\s?(?:(?P<sign>[€£$])(?!\s?\d)|(?P<word>{_CODES}|dollars?|euros?|bucks)\b)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:costs?|costing|priced(?:\s+at)?|(?:the\s+)?price\s+(?:is|of)|retails?\s+(?:at|for)"
        rf"|sells?\s+for|on\s+sale\s+for)\s+(?:just\s+|only\s+)?(?P<amount>{_AMOUNT})\b(?![%.,]?\d|\s?%)"
        r"(?!\s+(?:units?|items?|pieces?|left|in stock|available)\b)",
        re.IGNORECASE,
    ),
    # "is 389.95": a bare amount with cents after a verb, not followed by a unit ("is 1.25 kg").
    re.compile(
        r"\b(?:is|are|was|for)\s+(?:just\s+|only\s+)?"
        r"(?P<amount>(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<cents>\.\d{2}))\b(?![.,]?\d)"
        rf"(?!\s*(?:[%°\"'x×]|(?:{_UNITS})\b))",
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
# The replacement for a wrong price of a name several products share ("the Ridgeback" when
# the cards show a Ridgeback 1 and a Ridgeback 2 at different prices).
UNATTRIBUTED_PRICE = "the price shown on its card"
# The replacement for an amount that belongs to no product and no store document.
UNCONFIRMED_AMOUNT = "an amount I can't confirm"
UNATTRIBUTED_STOCK = "check the card for stock"
_UNCONFIRMED_RANGE = re.compile(
    rf"{re.escape(UNCONFIRMED_AMOUNT)}\s*(?:to|-|–|—|or)\s*{re.escape(UNCONFIRMED_AMOUNT)}"
)

DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"})
_CURRENCY_WORDS = {
    "$": DOLLARS, "US$": frozenset({"USD"}), "C$": frozenset({"CAD"}),
    "A$": frozenset({"AUD"}), "NZ$": frozenset({"NZD"}), "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}), "¥": frozenset({"JPY", "CNY"}), "DOLLAR": DOLLARS,
    "DOLLARS": DOLLARS, "BUCKS": DOLLARS, "EURO": frozenset({"EUR"}), "EUROS": frozenset({"EUR"}),
}  # fmt: skip


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


@dataclass(frozen=True)
class PriceClaim:
    """An amount written in a sentence: where, how much, and which currencies it can mean."""

    start: int
    end: int
    amount: float
    currencies: frozenset[str] | None  # None: no sign or code ("costs 29.99")

    def fits(self, amount: float, currency: str) -> bool:
        """Whether this claim states ``amount`` in ``currency``."""
        return self.amount == round(amount, 2) and (
            self.currencies is None or currency.upper() in self.currencies
        )


@dataclass(frozen=True)
class Mention:
    """Where a sentence names products, and which given products the words can mean."""

    start: int
    end: int
    products: tuple[Product, ...]
    kind: str  # 'sku', 'name' (full or without brand), 'part', 'word' (one word), 'brand'

    @property
    def weak(self) -> bool:
        """A brand names a maker, not a product: it never gets a claim corrected."""
        return self.kind == "brand"

    @property
    def product(self) -> Product | None:
        """The one product meant, when the words are not shared."""
        return self.products[0] if len(self.products) == 1 and not self.weak else None


Edit = tuple[int, int, str]


class FactChecker:
    """Checks sentences against the products the model was given (and any SKU in the database).

    ``allowed_amounts`` are amounts the shopper named ("under $100"); ``documents`` are the texts
    of the store documents the model was given, whose amounts (fees, deposits, thresholds) may
    be repeated. Neither may stand as a named product's own price ("the X costs $20").
    """

    def __init__(
        self,
        products: Iterable[Product],
        lookup_sku: Callable[[str], Product | None] | None = None,
        allowed_amounts: Iterable[float] = (),
        *,
        documents: Iterable[str] = (),
    ) -> None:
        self.products = {p.sku: p for p in products}
        self.lookup_sku = lookup_sku or (lambda sku: None)
        self.allowed_amounts = {round(a, 2) for a in allowed_amounts}
        self.document_amounts = {(c.amount, c.currencies) for d in documents for c in _claims(d)}
        self.corrections: list[Correction] = []
        self._subject: Mention | None = None
        self._names: _NameIndex | None = None

    @property
    def last_product(self) -> Product | None:
        """The one product the last sentence that named any was about."""
        return self._subject.product if self._subject else None

    def check(self, sentence: str) -> str:
        """Return ``sentence`` with wrong facts corrected; remembers the product it was about."""
        sentence = self._check_skus(sentence)
        sentence = self._check_prices(sentence, self._mentions(sentence))
        # A corrected price can change the sentence's length: find the names again so that a
        # stock claim is attributed by where it stands now.
        mentions = self._mentions(sentence)
        sentence = self._check_stock(sentence, mentions)
        if mentions:
            strong = [m for m in mentions if not m.weak]
            self._subject = (strong or mentions)[-1]
        return re.sub(r"[ \t]{2,}", " ", sentence)

    # --- names ---------------------------------------------------------------------------------

    def _mentions(self, sentence: str) -> list[Mention]:
        """Products named in the sentence, by position; a longer name wins over a part of it."""
        if self._names is None or self._names.skus != set(self.products):
            self._names = _NameIndex(list(self.products.values()))
        return self._names.find(sentence)

    def _protected(self, sentence: str, mentions: list[Mention]) -> list[tuple[int, int]]:
        """Spans whose digits are neither amounts nor counts: names ("Ridgeback 2") and SKUs."""
        skus = [(start, end) for _, start, end in self._sku_tokens(sentence, mentions)]
        return [(m.start, m.end) for m in mentions] + skus

    def _locate(
        self, sentence: str, mentions: list[Mention], start: int, end: int
    ) -> tuple[Mention | None, str]:
        """The mention a claim at start:end is about, and the words between the two."""
        pool = [m for m in mentions if not m.weak] or mentions
        before = [m for m in pool if m.start <= start]
        if before:
            return before[-1], sentence[before[-1].end : start]
        if pool:
            return pool[0], sentence[end : pool[0].start]
        return self._subject, _LIST_MARKER.sub("", sentence[:start], count=1)

    # --- SKUs ----------------------------------------------------------------------------------

    def _sku_tokens(self, sentence: str, mentions: list[Mention]) -> list[tuple[int, int, int]]:
        """Tokens written as SKUs: the usual shape, the shape of the store's own, or after "SKU".

        Each is (where its "SKU" cue starts, or the token does; token start; token end). A token
        inside a product's name, or one of the name's words ("3000R"), is not a SKU.
        """
        assert self._names is not None
        shapes = self._names.shapes
        generic = _LONG_SKU_TOKEN if shapes else SKU_TOKEN
        found = [m.span() for m in generic.finditer(sentence)]
        if shapes:
            found += [m.span() for m in shapes.finditer(sentence)]
        cues = {}
        for cue in SKU_CUE.finditer(sentence):
            token = cue.group("token").rstrip("./-_")
            if re.search(r"\d", token):
                found.append((cue.start("token"), cue.start("token") + len(token)))
                cues[cue.start("token")] = cue.start()
        names = [(m.start, m.end) for m in mentions if m.kind != "sku"]
        return [
            (cues.get(start, start), start, end)
            for start, end in _outermost(found)
            if not any(_within((start, end), name) for name in names)
            and sentence[start:end].lower() not in self._names.words
        ]

    def _check_skus(self, sentence: str) -> str:
        mentions = self._mentions(sentence)
        named = [m for m in mentions if m.kind not in ("sku", "brand")]
        edits = []
        for cue, start, end in self._sku_tokens(sentence, mentions):
            token = sentence[start:end]
            fixed = self._fix_sku(token, named)
            if fixed == token:
                continue
            if fixed or cue == start:
                edits.append((start, end, fixed))
            elif re.search(r"\bis\b", sentence[cue:start], re.I):
                edits.append((start, end, "not one I can confirm"))  # "its SKU is ..."
            else:
                edits.append((cue, end, ""))  # "SKU" goes with the SKU taken out
        fixed_text = _apply(sentence, edits)
        return re.sub(
            r"\(\s*(?:SKU:?\s*)?\)|\bSKU(?:[ \t]+is)?:?[ \t]*(?=[,.;)]|$)", "", fixed_text
        )

    def _fix_sku(self, token: str, named: list[Mention]) -> str:
        """The SKU to show for ``token``: itself, the named product's, or nothing."""
        real = self._known_sku(token)
        acceptable = {p.sku for mention in named for p in mention.products}
        if real is not None and (not acceptable or real in acceptable):
            return real
        replacement = next(iter(acceptable)) if len(acceptable) == 1 else ""
        reason = "SKU belongs to another product" if real else "SKU not in the catalogue"
        self._record("sku", token, replacement, replacement or None, reason)
        return replacement

    def _known_sku(self, token: str) -> str | None:
        """``token`` as a SKU of a given product or of the database (any letter case), or None."""
        if token in self.products:
            return token
        for sku in self.products:
            if sku.lower() == token.lower():
                return sku
        for guess in dict.fromkeys([token, token.upper()]):
            if (real := self.lookup_sku(guess)) is not None:
                self.products[real.sku] = real
                return real.sku
        return None

    # --- prices --------------------------------------------------------------------------------

    def _check_prices(self, sentence: str, mentions: list[Mention]) -> str:
        claims = _claims(sentence, self._protected(sentence, mentions))
        edits = [e for c in claims if (e := self._price_edit(sentence, c, mentions)) is not None]
        return _UNCONFIRMED_RANGE.sub(UNCONFIRMED_AMOUNT, _apply(sentence, edits))

    def _price_edit(self, sentence: str, claim: PriceClaim, mentions: list[Mention]) -> Edit | None:
        """How to fix one price claim, or None when it is right (or allowed)."""
        target, between = self._locate(sentence, mentions, claim.start, claim.end)
        said = sentence[claim.start : claim.end]
        candidates = target.products if target else tuple(self.products.values())
        if any(claim.fits(p.price, p.currency) for p in candidates):
            return None
        if self._allowed(claim) and (
            target is None or target.weak or not _states_price(sentence, claim, between, target)
        ):
            return None
        prices = {(round(p.price, 2), p.currency.upper()) for p in candidates}
        # A rate ("$30 a day") is never a product's price: it is taken out, not replaced by one.
        rate = _is_rate(sentence, claim)
        if target is None or target.weak or rate or len(prices) > 1:
            named = target is not None and not target.weak and not rate
            phrase = UNATTRIBUTED_PRICE if named else UNCONFIRMED_AMOUNT
            edit = _drop_amount(sentence, claim, phrase)
            reason = (
                "price matches none of the products the name could mean" if named
                else "rate matches no store document" if rate
                else "price matches no listed product"
            )  # fmt: skip
            kept = edit[2].lower() == phrase.lower()
            self._record("price", said, phrase if kept else "", None, reason)
            return edit
        product = candidates[0]
        correct = format_price(product.price, product.currency)
        sku = product.sku if len(candidates) == 1 else None
        self._record("price", said, correct, sku, "price differs from the catalogue")
        return claim.start, claim.end, correct

    def _allowed(self, claim: PriceClaim) -> bool:
        """An amount the shopper named or a store document the model was given states."""
        if claim.amount in self.allowed_amounts:
            return True
        return any(
            amount == claim.amount
            and (currencies is None or claim.currencies is None or currencies & claim.currencies)
            for amount, currencies in self.document_amounts
        )

    # --- stock ---------------------------------------------------------------------------------

    def _check_stock(self, sentence: str, mentions: list[Mention]) -> str:
        protected = self._protected(sentence, mentions)
        fixed = COUNT_CLAIM.sub(
            lambda m: self._fix_count(m, sentence, mentions, protected), sentence
        )
        if fixed != sentence:
            sentence, mentions = fixed, self._mentions(fixed)
        fixed = OUT_CLAIM.sub(
            lambda m: self._fix_availability(m, sentence, mentions, False), sentence
        )
        if fixed != sentence:
            sentence, mentions = fixed, self._mentions(fixed)
        return IN_CLAIM.sub(lambda m: self._fix_availability(m, sentence, mentions, True), sentence)

    def _fix_count(
        self,
        match: re.Match[str],
        sentence: str,
        mentions: list[Mention],
        protected: list[tuple[int, int]],
    ) -> str:
        at = match.start(1)
        if any(start <= at < end for start, end in protected) or _model_number(
            sentence, at, mentions
        ):
            return match.group(0)  # "the Ridgeback 2 available": the 2 is part of a name
        claimed = int(match.group(1))
        target, _ = self._locate(sentence, mentions, match.start(), match.end())
        candidates = target.products if target else tuple(self.products.values())
        if any(p.stock == claimed for p in candidates):
            return match.group(0)
        stocks = {p.stock for p in candidates}
        if target is None or target.weak or len(stocks) > 1:
            self._record(
                "stock", match.group(0), UNATTRIBUTED_STOCK, None, "count matches no product"
            )
            return UNATTRIBUTED_STOCK
        stock = stocks.pop()
        correct = f"{stock} in stock" if stock > 0 else "out of stock"
        sku = candidates[0].sku if len(candidates) == 1 else None
        reason = "stock count differs from the catalogue"
        self._record("stock", match.group(0), correct, sku, reason)
        return correct

    def _fix_availability(
        self, match: re.Match[str], sentence: str, mentions: list[Mention], claims_in_stock: bool
    ) -> str:
        target, _ = self._locate(sentence, mentions, match.start(), match.end())
        if target is None or target.weak:
            return match.group(0)
        if any((p.stock > 0) == claims_in_stock for p in target.products):
            return match.group(0)  # true of at least one product the words can mean
        correct = "out of stock" if claims_in_stock else "in stock"
        sku = target.products[0].sku if len(target.products) == 1 else None
        reason = "availability differs from the catalogue"
        self._record("stock", match.group(0), correct, sku, reason)
        return correct

    def _record(
        self, kind: str, original: str, corrected: str, sku: str | None, reason: str
    ) -> None:
        self.corrections.append(Correction(kind, original.strip(), corrected, sku, reason))


# --- product names ------------------------------------------------------------------------------

# Words that describe a kind of product rather than name one: a part of a name made only of
# these ("Foam", "Family Camp") names nothing in particular. The categories add their own words.
GENERIC_WORDS = frozenset(
    """tent tents shelter tarp pack packs backpack daypack bag bags sack mat mats pad pads pillow
    quilt jacket jackets vest hoody hoodie parka shell fleece pants shorts shirt tee top crew
    leggings base layer sock socks glove gloves hat cap beanie boot boots shoe shoes sandal sandals
    stove pot pan mug cup bottle filter kit set pair lamp light lights headlamp lantern flashlight
    battery batteries charger cable helmet lock pump tube tire rope harness chalk carabiner chair
    table cot hammock map compass watch knife tool tools men's women's kids' kids unisex adult
    junior youth ultralight lightweight waterproof insulated rechargeable packable compact classic
    original pro plus max mini lite ultra new heavy down rain winter summer trail hiking camp
    camping family day everyday travel titanium merino canvas solar cotton wool nylon steel
    aluminum dome double single solo duo trio person season foam air inflatable self-inflating
    sleeping the and with for""".split()
)
_CONNECTORS = frozenset({"&", "-", "–", "—", "+", "x", "and", "with", "for", "of", "the", "in"})
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'’-]{2,}")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])?\s*(?:\*\*|__)?\s*")


@dataclass(frozen=True)
class _Form:
    """One way the given products are written: its pattern and the products it can mean."""

    pattern: re.Pattern[str]
    products: tuple[Product, ...]
    kind: str
    following: frozenset[str] = frozenset()  # words that may follow a part of a name


_RANK = {"name": 0, "sku": 0, "part": 1, "word": 2, "brand": 3}


class _NameIndex:
    """Every name, SKU, distinctive part of a name and brand of the given products."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.skus = {p.sku for p in products}
        self.words = {w.lower().strip(",.;:()") for p in products for w in p.name.split()}
        self.forms = [*_exact_forms(products), *_part_forms(products), *_brand_forms(products)]
        self.shapes = _sku_shapes(p.sku for p in products)

    def find(self, sentence: str) -> list[Mention]:
        """The mentions in ``sentence``; one contained in a longer one is dropped."""
        found = [
            Mention(m.start(), m.end(), form.products, form.kind)
            for form in self.forms
            for m in form.pattern.finditer(sentence)
            if _fits(form, sentence, m)
        ]
        found.sort(key=lambda m: (m.start, m.start - m.end, _RANK[m.kind]))
        kept: list[Mention] = []
        for mention in found:
            if not any(k.start <= mention.start and mention.end <= k.end for k in kept):
                kept.append(mention)
        return kept


def _fits(form: _Form, sentence: str, match: re.Match[str]) -> bool:
    """Whether a part of a name really names the product here.

    One word at the start of a sentence may be an ordinary word ("Trail runners ..."), and a
    part followed by a model number or name word the products do not have names another
    product ("the Ridgeback 1" when only the Ridgeback 2 was given).
    """
    if form.kind not in ("part", "word"):
        return True
    if form.kind == "word" and not _LIST_MARKER.sub("", sentence[: match.start()], count=1):
        return False
    following = re.match(r"[ \t]+([A-Z][\w'’-]*|\d[\w.,]*)", sentence[match.end() :])
    if following is None or following.group(1).lower() in _NOT_MODELS:
        return True
    at = match.end() + following.start(1)
    if COUNT_CLAIM.match(sentence, at) or any(p.match(sentence, at) for p in PRICE_FORMS):
        return True  # "the Ridgeback 2 14 in stock": a claim follows, not another model
    return following.group(1).rstrip(".,").lower() in form.following


# Capitalised words after a part of a name that start something else, not a model ("It", "SKU").
_NOT_MODELS = frozenset("i it it's the a an this that and or but only just sku we you they".split())


def _core(product: Product) -> str:
    """The name without its brand, as written."""
    if product.brand and product.name.lower().startswith(product.brand.lower() + " "):
        return product.name[len(product.brand) + 1 :]
    return product.name


def _exact_forms(products: Sequence[Product]) -> list[_Form]:
    """Full names, names without brand (two words or more) and SKUs, in any letter case."""
    texts: dict[tuple[str, str], list[Product]] = {}
    for p in products:
        texts.setdefault((p.name.lower(), "name"), []).append(p)
        texts.setdefault((p.sku.lower(), "sku"), []).append(p)
        if len(_core(p).split()) >= 2:
            texts.setdefault((_core(p).lower(), "name"), []).append(p)
    return [
        _Form(
            re.compile(rf"(?<!\w){re.escape(text)}(?:'?s)?(?![\w]|[.,]\d)", re.I), tuple(ps), kind
        )
        for (text, kind), ps in texts.items()
    ]


def _part_forms(products: Sequence[Product]) -> list[_Form]:
    """The distinctive beginnings of names without brand ("Ridgeback 2", "Ridgeback")."""
    generic = GENERIC_WORDS | {
        w.lower().rstrip("s") for p in products for w in f"{p.category} {p.brand}".split()
    } | {w.lower() for p in products for w in f"{p.category} {p.brand}".split()}  # fmt: skip
    parts = {part for p in products for part in _parts(_core(p), generic)}
    forms = []
    for part in sorted(parts):
        within = re.compile(rf"(?<![\w-]){re.escape(part.lower())}(?![\w]|[.,]\d)")
        meant = [p for p in products if within.search(p.name.lower())]
        following = {
            w.lower().strip(",.;:()")
            for p in meant
            if (m := within.search(p.name.lower()))
            for w in p.name[m.end() :].split()
        }
        pattern = re.compile(rf"(?<![\w-]){re.escape(part)}(?![\w]|[.,]\d)")
        kind = "word" if " " not in part else "part"
        forms.append(_Form(pattern, tuple(meant), kind, frozenset(following)))
    return forms


def _parts(core: str, generic: frozenset[str] | set[str]) -> list[str]:
    """Beginnings of ``core`` that name something: a model word or a word with a number."""
    words = core.split()
    parts = []
    for k in range(1, len(words)):
        head = [*words[: k - 1], words[k - 1].rstrip(",;:")]
        if head[-1].lower() in _CONNECTORS or not head[-1][-1:].isalnum():
            continue
        names = [w for w in head if _NAME_WORD.fullmatch(w) and w.lower() not in generic]
        numbered = any(w[0].isdigit() for w in head) and any(_NAME_WORD.fullmatch(w) for w in head)
        if (k == 1 and names and len(head[0]) >= 4) or (k > 1 and (names or numbered)):
            parts.append(" ".join(head))
    return parts


def _brand_forms(products: Sequence[Product]) -> list[_Form]:
    """Brands: they name a maker, so a claim next to one is never corrected to a product's."""
    brands: dict[str, list[Product]] = {}
    for p in products:
        if len(p.brand) >= 3:
            brands.setdefault(p.brand, []).append(p)
    return [
        _Form(re.compile(rf"(?<!\w){re.escape(brand)}(?!\w)"), tuple(ps), "brand")
        for brand, ps in brands.items()
    ]


def _sku_shapes(skus: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for tokens shaped like the store's own SKUs ("AB12-345" -> two capitals, ...).

    Only SKUs with both letters and digits, five characters or more, give a shape: a shape of
    digits alone would take every number in an answer for a SKU ("SKU 100234" is still checked,
    as is anything after the word "SKU").
    """
    shapes = set()
    for sku in skus:
        if len(sku) < 5 or not re.search(r"[A-Za-z]", sku) or not re.search(r"\d", sku):
            continue
        pieces = []
        for run in re.finditer(r"[A-Z]+|[a-z]+|\d+|.", sku):
            text = run.group()
            if text.isdigit():
                pieces.append(rf"\d{{{len(text)}}}")
            elif text.isalpha():
                pieces.append(("[A-Z]" if text.isupper() else "[a-z]") + f"{{{len(text)}}}")
            else:
                pieces.append(re.escape(text))
        shapes.add("".join(pieces))
    if not shapes:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(sorted(shapes))})(?![\w]|-\w)")


# Capitalised words that lead a count ("Only 3 left") or name a kind of product ("Tent 3 left")
# rather than end a product's name.
_COUNT_LEADS = GENERIC_WORDS | frozenset(
    """only just still about around roughly approximately nearly almost over under exactly we
    there currently now yes no with has have also and but so plus hurry stock in it they""".split()
)


def _model_number(sentence: str, at: int, mentions: list[Mention]) -> bool:
    """Whether the number at ``at`` ends a product name the checker was not given ("Pitch 2")."""
    word = re.search(r"(?<![\w'-])([A-Z][\w'’-]*)[ \t]$", sentence[:at])
    if word is None or word.group(1).lower() in _COUNT_LEADS:
        return False
    return not any(m.end == word.end(1) for m in mentions)


# --- prices -------------------------------------------------------------------------------------

# Words that tie an amount to the product named before it: "the X (SKU ...) costs just $20".
_PRICE_LINKS = frozenset(
    """is it it's its this that one costs cost costing priced price at for the just only now
    currently retails sells on sale of sku under below less more than cheaper up to most least
    over above from""".split()
)
_RATE = re.compile(
    r"\s*(?:/|per\s+|an?\s+|each\s+)(?:day|night|week|weekend|month|hour|year)\b", re.I
)
_RANGE = re.compile(r"\s*(?:to|-|–|—|or)\s*")


def _is_rate(sentence: str, claim: PriceClaim) -> bool:
    """Whether an amount is per day, night, week ... ("$25 a day", "$25 to $45 per weekend")."""
    after = sentence[claim.end :]
    if _RATE.match(after):
        return True
    joined = _RANGE.match(after)
    if joined is None:
        return False
    rest = after[joined.end() :]
    following = next((c for c in _claims(rest) if c.start == 0), None)
    return following is not None and _RATE.match(rest[following.end :]) is not None


_BELOW = re.compile(r"\b(?:under|below|less than|cheaper than|up to|at most)\s*$", re.I)
_ABOVE = re.compile(r"\b(?:over|above|more than|at least|from)\s*$", re.I)


def _states_price(sentence: str, claim: PriceClaim, between: str, target: Mention) -> bool:
    """Whether the amount is written as the product's own price, not a fee or budget beside it.

    "The X costs $20" states X's price; "rent the X for $20 a day", "the X is within your $500
    budget" and a true "the X is under $100" do not.
    """
    if _is_rate(sentence, claim):
        return False
    text = SKU_TOKEN.sub(" ", re.sub(r"\([^()]*\)", " ", between))
    if re.search(r"[\d$€£¥;!?]|\.\s", text):
        return False
    if not all(w in _PRICE_LINKS for w in re.findall(r"[a-z'’]+", text.lower())):
        return False
    before = sentence[: claim.start]
    prices = [p.price for p in target.products]
    if _BELOW.search(before) and all(price <= claim.amount for price in prices):
        return False
    return not (_ABOVE.search(before) and all(price >= claim.amount for price in prices))


# Words after an amount that show it is a noun ("$20 a day", "$5 off"), not a modifier of the
# noun that follows ("a $20 cleaning fee").
_NOT_NOUNS = frozenset(
    """a an and or but per each apiece off to for with in on at from is are was were will would
    plus less more than total only extra including excluding if when which that so then up down
    until nor as by of into after before dollars dollar euros euro pounds bucks usd eur gbp cad
    aud it you the this that these those your our my its their under over below above within
    between via costs cost covers cover buys buy gets get applies apply goes go can could may
    might must should does did has have had pays pay includes include gives give saves save
    keeps keep makes make takes take""".split()
)


def _drop_amount(sentence: str, claim: PriceClaim, phrase: str) -> Edit:
    """Take out an amount nothing backs, leaving a sentence that reads.

    "a $20 cleaning fee" becomes "a cleaning fee"; an amount standing as a noun ("costs $5")
    becomes ``phrase``.
    """
    following = re.match(r"[ \t]+([a-z][a-z'’-]*)", sentence[claim.end :])
    at_start = not _LIST_MARKER.sub("", sentence[: claim.start], count=1)
    if following is None or following.group(1) in _NOT_NOUNS:
        return claim.start, claim.end, phrase[:1].upper() + phrase[1:] if at_start else phrase
    noun_at = claim.end + following.start(1)
    article = re.search(r"\b([Aa]n?)[ \t]+$", sentence[: claim.start])
    if article:
        word = "an" if following.group(1)[0] in "aeiou" else "a"
        word = word.capitalize() if article.group(1)[0] == "A" else word
        return article.start(1), noun_at, word + " "
    if at_start:
        return claim.start, noun_at + 1, following.group(1)[0].upper()
    return claim.start, noun_at, ""


def price_claims(sentence: str) -> list[tuple[int, int, float]]:
    """Every price written in ``sentence``: (start, end, amount), in order, never overlapping.

    Prices come with a currency sign or code before or after ("$29.99", "€29", "29.99 EUR",
    "30 dollars") or after a price word ("costs 29.99"); where two forms overlap the one that
    starts first wins.
    """
    return [(c.start, c.end, c.amount) for c in _claims(sentence)]


def _claims(sentence: str, protected: Sequence[tuple[int, int]] = ()) -> list[PriceClaim]:
    """:func:`price_claims` with the currencies each claim can mean; none overlaps a
    ``protected`` span (a product's name or a SKU, whose digits are not amounts)."""
    found: list[PriceClaim] = []
    for form in PRICE_FORMS:
        for match in form.finditer(sentence):
            group = "amount" if "amount" in form.groupindex else 0
            span = match.span(group)
            if not any(_overlaps(span, other) for other in protected):
                found.append(PriceClaim(*span, _amount(match), _currency(match)))
    claims: list[PriceClaim] = []
    for claim in sorted(found, key=lambda c: (c.start, -c.end)):
        if not claims or claim.start >= claims[-1].end:
            claims.append(claim)
    return claims


def _amount(match: re.Match[str]) -> float:
    whole = match.group("whole").replace(",", "")
    return round(float(whole + (match.group("cents") or "")), 2)


def _currency(match: re.Match[str]) -> frozenset[str] | None:
    groups = match.groupdict()
    written = groups.get("code") or groups.get("word") or groups.get("sign")
    if not written:
        return None
    return _CURRENCY_WORDS.get(written.upper(), frozenset({written.upper()}))


CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def format_price(price: float, currency: str = "USD") -> str:
    """A price as the store writes it: $1,299.00, €89.00, or 120.00 CHF."""
    sign = CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{price:,.2f}" if sign else f"{price:,.2f} {currency.upper()}"


# --- spans --------------------------------------------------------------------------------------


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _within(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _outermost(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans not overlapping an earlier or longer one, in order."""
    kept: list[tuple[int, int]] = []
    for span in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _apply(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with each (start, end, replacement) applied; an edit overlapping a later one is
    skipped."""
    limit = len(text)
    for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        if end <= limit:
            text = text[:start] + replacement + text[end:]
            limit = start
    return text


# --- streaming ----------------------------------------------------------------------------------


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
