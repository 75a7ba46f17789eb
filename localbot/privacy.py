"""Personal-data redaction: find personal data in free text and replace it with typed placeholders.

``redact(text)`` is pure and fast: compiled regular expressions, checksums (Luhn for cards,
mod-97 for IBANs) and Google's libphonenumber rules through the ``phonenumbers`` package, which
ships its metadata and never touches the network. It has no I/O and imports nothing from the UI,
so the assistant can call it on every question before the question is searched, embedded, put
in a prompt, stored or counted in analytics.

Types and placeholders: EMAIL, PHONE, CARD, IBAN, ADDRESS, POSTCODE, DOB, NAME become
``[EMAIL]``, ``[PHONE]``... Look-alikes that are not personal data (SKUs, prices, order numbers,
sizes, dates of events, product codes) are left alone; ``bench/redaction.py`` measures both on
a labelled set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

PII_TYPES = ("EMAIL", "IBAN", "CARD", "PHONE", "DOB", "ADDRESS", "POSTCODE", "NAME")
# National phone formats recognised without a "+": the store is in the US; GB covers the most
# common visitors' format that does not collide with US numbers. International forms (+44...,
# 0044..., 011 44...) are recognised for every country whatever this list says.
DEFAULT_REGIONS = ("US", "GB")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its type (e.g. ``"EMAIL"``) and ``(start, end)`` in the input."""

    type: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Redaction:
    """The redacted text and what was found in the original (spans refer to the original)."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def types(self) -> set[str]:
        """The types of personal data that were found."""
        return {finding.type for finding in self.findings}


def placeholder(kind: str) -> str:
    """The text that replaces personal data of type ``kind``, e.g. ``[PHONE]``."""
    return f"[{kind}]"


def redact(text: str, regions: Sequence[str] = DEFAULT_REGIONS) -> Redaction:
    """Replace every piece of personal data in ``text`` with its typed placeholder."""
    findings = find_personal_data(text, regions)
    pieces, position = [], 0
    for finding in findings:
        start, end = finding.span
        pieces += [text[position:start], placeholder(finding.type)]
        position = end
    pieces.append(text[position:])
    return Redaction("".join(pieces), tuple(findings))


def find_personal_data(text: str, regions: Sequence[str] = DEFAULT_REGIONS) -> list[Finding]:
    """Non-overlapping findings in text order; where types overlap the earlier PII_TYPES wins."""
    candidates: list[tuple[int, Finding]] = []
    for priority, detector in enumerate(_detectors(regions)):
        candidates += [(priority, finding) for finding in _merge_same_type(detector(text))]
    chosen: list[Finding] = []
    for _, finding in sorted(candidates, key=lambda c: (c[0], c[1].span)):
        if not any(_overlaps(finding.span, kept.span) for kept in chosen):
            chosen.append(finding)
    return sorted(chosen, key=lambda finding: finding.span)


Detector = Callable[[str], Iterable[Finding]]


def _detectors(regions: Sequence[str]) -> list[Detector]:
    """Detectors in priority order: a checksum-backed match beats a context-backed one."""
    return [_emails, _ibans, _cards, lambda text: _phones(text, regions), _dates_of_birth,
            _addresses, _postcodes, _names]  # fmt: skip


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merge_same_type(findings: Iterable[Finding]) -> list[Finding]:
    """Join overlapping findings of one type (two phone rules may match the same number)."""
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: f.span):
        if merged and _overlaps(merged[-1].span, finding.span):
            last = merged.pop()
            finding = Finding(last.type, (last.span[0], max(last.span[1], finding.span[1])))
        merged.append(finding)
    return merged


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _finding(kind: str, match: re.Match[str], group: int | str = 0) -> Finding:
    return Finding(kind, match.span(group))


# --- e-mail addresses --------------------------------------------------------------------------

_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"(?<![\w.+'-])[\w.%+'-]+@(?:{_DOMAIN}\.)+[A-Za-z]{{2,24}}\b")
# "jane.doe (at) example (dot) com": people obfuscate addresses they type into forms.
_EMAIL_SPELLED = re.compile(
    r"(?<![\w.+-])[\w.%+-]+\s*(?:[\[(]\s*at\s*[\])]|\s+at\s+)\s*[A-Za-z0-9-]+"
    r"(?:\s*(?:[\[(]\s*dot\s*[\])]|\s+dot\s+)\s*[A-Za-z]{2,24})+\b",
    re.IGNORECASE,
)


def _emails(text: str) -> Iterator[Finding]:
    for pattern in (_EMAIL, _EMAIL_SPELLED):
        yield from (_finding("EMAIL", match) for match in pattern.finditer(text))


# --- IBANs (mod-97 checked, length per country) -------------------------------------------------

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN_START = re.compile(r"\b([A-Z]{2})\s?(\d{2})(?=\s?[A-Z0-9])", re.IGNORECASE)


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(match.group(1).upper())
        end = _alnum_end(text, match.end(), length - 4) if length else None
        if end is not None and _iban_checksum_ok(text[match.start() : end]):
            yield Finding("IBAN", (match.start(), end))


def _alnum_end(text: str, start: int, count: int) -> int | None:
    """Index just after ``count`` letters/digits from ``start``, allowing single spaces between."""
    position = start
    while count:
        if position < len(text) and text[position] == " ":
            position += 1
        if position >= len(text) or not text[position].isascii() or not text[position].isalnum():
            return None
        position, count = position + 1, count - 1
    followed_by_alnum = position < len(text) and text[position].isalnum()
    return None if followed_by_alnum else position


def _iban_checksum_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# --- payment cards (Luhn checked, issuer prefixes and lengths) ----------------------------------

MAX_CARD_DIGITS = 19
_DIGIT_GROUPS = re.compile(r"(?<![\w.,/-])\d+(?:[ -]\d+)*(?![\w/]|[.,]\d)")
_NOT_A_CARD_BEFORE = re.compile(
    r"(?:\b(?:order|tracking|invoice|ref|reference|sku|item|serial|barcode|upc|ean|isbn|receipt)"
    r")\b\s*(?:number|no\.?|num|id|code)?\s*(?:is|was)?\s*[:#]?\s*$",
    re.IGNORECASE,
)


def _cards(text: str) -> Iterator[Finding]:
    for match in _DIGIT_GROUPS.finditer(text):
        if _NOT_A_CARD_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
            continue
        yield from _card_runs(match)


def _card_runs(match: re.Match[str]) -> Iterator[Finding]:
    """Runs of consecutive digit groups that form a card number (a match may hold more)."""
    groups = [(m.start() + match.start(), m.end() + match.start())
              for m in re.finditer(r"\d+", match.group())]  # fmt: skip
    text = match.string
    start = 0
    while start < len(groups):
        end = _longest_card_run(text, groups, start)
        if end is None:
            start += 1
            continue
        yield Finding("CARD", (groups[start][0], groups[end - 1][1]))
        start = end


def _longest_card_run(text: str, groups: list[tuple[int, int]], start: int) -> int | None:
    """End of the longest run from ``start`` that is a card; runs stop at 19 digits, so a long
    string of digit groups costs linear time, not cubic."""
    digits, found = "", None
    for end in range(start + 1, len(groups) + 1):
        digits += text[groups[end - 1][0] : groups[end - 1][1]]
        if len(digits) > MAX_CARD_DIGITS:
            break
        if is_card_number(digits):
            found = end
    return found


def is_card_number(digits: str) -> bool:
    """True for a payment card number: issuer prefix, length and Luhn check digit all fit."""
    if not digits.isdigit() or not _card_length_fits(digits):
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card_length_fits(digits: str) -> bool:
    """Lengths by issuer; 12-13 digit cards are left out because EAN-13 barcodes look the same."""
    length, first = len(digits), digits[0]
    if digits[:2] in ("34", "37"):
        return length == 15  # American Express
    if digits[:2] in ("36", "38") or digits[:3] in ("300", "301", "302", "303", "304", "305"):
        return 14 <= length <= 19  # Diners Club
    if first == "2":
        return length == 16 and 2221 <= int(digits[:4]) <= 2720  # Mastercard 2-series
    return first in "3456" and 16 <= length <= 19


# --- phone numbers ------------------------------------------------------------------------------

_NOT_A_PHONE_BEFORE = re.compile(
    r"(?:\b(?:sku|order|item|model|part|product|style|code|ref|reference|serial|invoice|tracking"
    r"|barcode|upc|ean|isbn|receipt|confirmation|booking|ticket|lot|batch|po|article|art)\b|#)"
    r"\s*(?:number|no\.?|num|id|code)?\s*(?:is|was)?\s*[:#]?\s*$",
    re.IGNORECASE,
)
# "20000 10000 mAh" is a measurement, whatever its digits look like.
_UNIT_AFTER = re.compile(
    r"\s*(?:mah|mm|cm|km|kg|lbs?|oz|ml|lumens?|lm|mhz|ghz|gb|tb|kcal|psi|kn|w|v|l|m|g|°)\b",
    re.IGNORECASE,
)
_INTERNATIONAL = re.compile(
    r"(?<![\w+])(?:\+\s?|00|011[ .-]?)[1-9]\d{0,2}(?:[ .-]?\(0\))?"
    r"(?:[ .-]?\(?\d{1,5}\)?){1,6}(?!\w)"
)
_PHONE_CUE = re.compile(
    r"\b(?:call(?:ed)?|phone|tel|telephone|mobile|cell(?:phone)?|text\s+me|whats\s?app|reach\s+me"
    r"|ring\s+me|my\s+number|contact\s+number|fax|landline)\b[^\d+\n]{0,25}"
    r"(\+?(?:[ .-]?\(?\d+\)?){1,8})",
    re.IGNORECASE,
)


def _phones(text: str, regions: Sequence[str]) -> Iterator[Finding]:
    spans = list(_national_phones(text, regions))
    spans += [span for m in _INTERNATIONAL.finditer(text) if (span := _international(m))]
    spans += [span for m in _PHONE_CUE.finditer(text) if (span := _cued_number(m))]
    for start, end in spans:
        code_before = _NOT_A_PHONE_BEFORE.search(text[max(0, start - 30) : start])
        if not (code_before or _UNIT_AFTER.match(text, end)):
            yield Finding("PHONE", (start, end))


def _national_phones(text: str, regions: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Numbers libphonenumber finds valid and grouped as that country writes them."""
    for region in regions:
        for match in PhoneNumberMatcher(text, region, leniency=Leniency.STRICT_GROUPING):
            yield match.start, match.end


def _international(match: re.Match[str]) -> tuple[int, int] | None:
    """A ``+``/``00``/``011`` number of a plausible length; trailing extra groups are dropped."""
    groups = list(re.finditer(r"\(?\d+\)?", match.group()))
    for end in range(len(groups), 1, -1):
        raw = match.group()[: groups[end - 1].end()]
        if _possible_international(raw):
            return match.start(), match.start() + len(raw.rstrip(")"))
    return None


def _possible_international(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw.replace("(0)", ""))
    digits = digits[3:] if raw.startswith("011") else digits[2:] if raw.startswith("00") else digits
    if not 8 <= len(digits) <= 15:
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse("+" + digits, None))
    except phonenumbers.NumberParseException:
        return False


def _cued_number(match: re.Match[str]) -> tuple[int, int] | None:
    """A number right after "call me on", "my mobile is"... even if no country's rules fit it."""
    start = match.start(1)
    for group in reversed(list(re.finditer(r"\d+\)?", match.group(1)))):
        raw = match.group(1)[: group.end()]
        if 7 <= len(re.sub(r"\D", "", raw)) <= 15:
            return start, start + len(raw)
    return None


# --- dates of birth ----------------------------------------------------------------------------

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")  # fmt: skip
_FULL_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?(?:\s+\d{{4}})?)"
)
# After a cue a bare day/month ("birthday is 3/14") or a year ("born in 1985") is enough.
_DATE = rf"(?:{_FULL_DATE}|\d{{1,2}}[/.]\d{{1,2}}(?![/.\d])|(?:19|20)\d{{2}})"
_BIRTH_CUE = r"(?:born|birth\s?day|b-?day|birth\s?date|date\s+of\s+birth|d\.?o\.?b)\b\.?"
_DOB_AFTER_CUE = re.compile(
    rf"\b{_BIRTH_CUE}(?:\s*(?:is\b|was\b|on\b|in\b|of\b|the\b|it['’]?s\b|['’]s\b|[=:,–-]))*"
    rf"\s*({_DATE})(?![\w/-])",
    re.IGNORECASE,
)
_DOB_BEFORE_CUE = re.compile(
    rf"\b({_FULL_DATE})\s*[(,–-]?\s*(?:is\s+(?:my|his|her|their)\s+|my\s+)?{_BIRTH_CUE}",
    re.IGNORECASE,
)


def _dates_of_birth(text: str) -> Iterator[Finding]:
    for pattern in (_DOB_AFTER_CUE, _DOB_BEFORE_CUE):
        yield from (_finding("DOB", match, 1) for match in pattern.finditer(text))


# --- street addresses and postcodes ------------------------------------------------------------

_STREET_TYPE = (
    r"(?:street|st|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|ter|close|crescent|cres|parkway|pkwy|highway|hwy|circle|cir|trail|trl|loop|square"
    r"|sq|row|mews|gardens|grove|walk|alley|pike|esplanade|broadway)"
)
# Words that follow a number in shop talk ("2 person", "500 GB", "3 season"): never a street name.
_NOT_STREET_WORDS = _word_set(
    "a an the of on in at to for and or with my your our his her their more less than per x by"
    " gb tb mb mm cm m km l ml litre liter liters litres kg g lb lbs oz person people persons"
    " season seasons inch inches in ft feet foot day days night nights hour hours min minutes"
    " pack packs pc pcs piece pieces pair pairs mile miles year years month months week weeks"
    " times pm am percent off items units size sizes one two three four five six seven eight"
    " nine ten dozen"
)
# Street types that also name hiking routes ("7 Lakes Trail"): a one-digit number is a route.
_ROUTE_TYPES = _word_set("trail trl loop way walk path")
# Nouns after the street type mean a product or a place name, not an address ("Drive collection").
_PRODUCT_NOUNS = _word_set(
    "bike bikes light lights collection jacket jackets tent tents pack packs shoe shoes boot boots"
    " runner runners bag bags lamp stove kit set series edition model range hike hikes ride run"
    " race map maps guide zipper"
)
_ADDRESS_CUE = re.compile(
    r"\b(?:live|living|address|ship|deliver|send|mail|house|home|located|move|moved)\b",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[^\W\d_][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_UNIT = r"(?:apt|apartment|unit|suite|ste|flat|fl|floor|#)\.?\s*#?[A-Za-z0-9-]{1,6}\b"
_STREET = re.compile(
    rf"(?<![\w$.,/-])(?:{_UNIT},?\s+)?([1-9]\d{{0,4}})[A-Za-z]?(?:-\d{{1,5}})?,?\s+"
    rf"((?:{_NAME_WORD}\s+){{1,3}})({_STREET_TYPE})\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?"
    rf"(?:,?\s+{_UNIT})?(?=(\s+[\w-]+)?)",
    re.IGNORECASE,
)
_CONTINENTAL_STREET = re.compile(
    r"\b[^\W\d_]*(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gatan|vej|veien)"
    r"\s+\d{1,4}[a-z]?\b"
    r"|\b\d{1,4},?\s+(?:rue|avenue|boulevard|bd|chemin|allée|impasse|quai)"
    r"(?:\s+(?:de|du|des|la|le|les|d'|l')?\s*[^\W\d_][\w'’-]*){1,4}"
    r"|\bP\.?\s?O\.?\s?Box\s+\d{1,6}\b",
    re.IGNORECASE,
)
# Case matters here: "Via Roma 12" is an address, "via ups 2" is not.
_SOUTHERN_STREET = re.compile(
    r"\b(?:Calle|Avenida|Via|Viale|Piazza|Rua|Carrer|Plaza|Paseo)"
    r"(?:\s+(?:de|del|la|los|da|do)?\s*[A-Z][\w'’-]*){1,3},?\s+\d{1,4}\b"
)
# After a street: ", Bend, OR 97701", " 97701" or ", 10115 Berlin": the postcode that completes it.
_POSTCODE_AFTER_STREET = re.compile(
    r"^(?:,\s*(?:[A-Za-z][A-Za-z.'-]*(?:\s+[A-Za-z][A-Za-z.'-]*){0,2},?\s+){0,2}|,?\s+)"
    r"(\d{5}(?:-\d{4})?)\b"
    r"|^,?\s*(\d{4,5})\s+[A-Z][a-z]"
)


def _addresses(text: str) -> Iterator[Finding]:
    for match in _STREET.finditer(text):
        if _is_street(match):
            yield from _street_with_postcode(text, match.span())
    for pattern in (_CONTINENTAL_STREET, _SOUTHERN_STREET):
        for match in pattern.finditer(text):
            yield from _street_with_postcode(text, match.span())


def _is_street(match: re.Match[str]) -> bool:
    """Reject shop talk shaped like an address: "2 more on the way", "7 Lakes Trail"."""
    words = [word.strip(".").lower() for word in match.group(2).split()]
    next_word = (match.group(4) or "").strip().lower()
    shop_talk = any(word in _NOT_STREET_WORDS for word in words) or next_word in _PRODUCT_NOUNS
    short_route = len(match.group(1)) == 1 and match.group(3).lower() in _ROUTE_TYPES
    if short_route:  # "1 Infinite Loop" is an address when told so, or when a postcode follows
        before = match.string[max(0, match.start() - 30) : match.start()]
        after = match.string[match.end() : match.end() + 60]
        short_route = not (_ADDRESS_CUE.search(before) or _POSTCODE_AFTER_STREET.match(after))
    return not (shop_talk or short_route)


def _street_with_postcode(text: str, span: tuple[int, int]) -> Iterator[Finding]:
    yield Finding("ADDRESS", span)
    following = _POSTCODE_AFTER_STREET.match(text[span[1] : span[1] + 60])
    if following:
        group = 1 if following.group(1) else 2
        yield Finding(
            "POSTCODE", (span[1] + following.start(group), span[1] + following.end(group))
        )


_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ"
    "|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_US_STATE_NAMES = (
    "alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia"
    "|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts"
    "|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey"
    "|new mexico|new york|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania"
    "|rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington"
    "|west virginia|wisconsin|wyoming"
)
_ZIP = r"\d{5}(?:-\d{4})?"
_POSTCODES = (
    re.compile(rf"\b(?:{_US_STATES}),?\s+({_ZIP})\b"),
    re.compile(rf"\b(?i:{_US_STATE_NAMES}),?\s+({_ZIP})\b"),
    re.compile(
        r"\b(?:zip|zip\s?code|post\s?code|postal\s+code)(?:\s+is|\s*:)?\s*"
        rf"({_ZIP}|[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}|[A-Z]\d[A-Z]\s?\d[A-Z]\d)\b"
        # "YKK zip 10000 cycles": a count, not a postcode.
        r"(?!\s+[a-z])",
        re.IGNORECASE,
    ),
    # UK, in capitals ("SW1A 1AA"; inward letters never use C, I, K, M, O or V): in lower case
    # the shape is too close to shop talk ("a5 4th"), so it needs a cue above.
    re.compile(r"\b((?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s\d[ABD-HJLNP-UW-Z]{2})\b"),
    # Canada, in capitals: A1A 1A1.
    re.compile(r"\b([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d)\b"),
)
# "2TB 4GB"-style capacities are product talk, not an inward postcode.
_CAPACITY = re.compile(r"\d(?:GB|TB|PB|LB)$", re.IGNORECASE)


def _postcodes(text: str) -> Iterator[Finding]:
    for pattern in _POSTCODES:
        for match in pattern.finditer(text):
            if not _CAPACITY.search(match.group(1)):
                yield _finding("POSTCODE", match, 1)


# --- self-introduced names ----------------------------------------------------------------------

_REST = r"[^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
_WORD = rf"[^\W\d_]{_REST}"
_CAPITALISED = rf"[A-ZÀ-ÖØ-Þ]{_REST}"
_NAME_WORDS = rf"({_WORD}(?:\s+{_WORD}){{0,2}})"
_CAPITALISED_WORDS = rf"({_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}})"
_PUNCTUATION_ENDS = (".", ",", "!", ";", ":", "-", "")


@dataclass(frozen=True)
class _NameRule:
    """A cue that introduces a name, how sure it is, and what must follow the name."""

    pattern: re.Pattern[str]
    lower_case_ok: bool = False  # "my name is sam" names sam; "call me crazy" does not
    endings: tuple[str, ...] = ()  # if set, the name must be followed by one of these


_NAME_RULES = (
    _NameRule(
        re.compile(
            r"\b(?:(?:my|his|her|their)\s+name\s+is|(?:my|his|her|their)\s+name['’]?s"
            rf"|i['’]?m\s+called|i\s+am\s+called|i\s+go\s+by)\s+{_NAME_WORDS}"
            rf"|(?:^|[\n,;.]\s*)name\s*:\s*{_NAME_WORDS}",
            re.IGNORECASE,
        ),
        lower_case_ok=True,
    ),
    _NameRule(re.compile(rf"\b(?i:call\s+me)\s+{_CAPITALISED_WORDS}")),
    # "I'm Sarah, ..." introduces Sarah; "I'm Large in most brands" does not.
    _NameRule(
        re.compile(rf"\b(?i:i['’]?m|i\s+am)\s+{_CAPITALISED_WORDS}"),
        endings=(*_PUNCTUATION_ENDS, "and ", "from ", "here"),
    ),
    # "It's Kenji here" introduces Kenji; "it's Gore-Tex, right?" does not.
    _NameRule(
        re.compile(rf"\b(?i:this\s+is|it['’]?s)\s+{_CAPITALISED_WORDS}"),
        endings=("from ", "here", "speaking", "calling"),
    ),
    _NameRule(re.compile(rf"\b(?i:mr|mrs|ms|miss|mx|dr|prof)\.?\s+{_CAPITALISED_WORDS}")),
    _NameRule(
        re.compile(
            rf"\b(?i:thanks|thank\s+you|cheers|regards|sincerely|love),?\s+({_CAPITALISED})"
            r"\s*[.!]?\s*$"
        )
    ),
)
_NOT_NAME_WORDS = _word_set(
    "a an the and or but i me my you your we our he she they it is are was be been am not no yes"
    " looking interested trying searching here there just also so very really too in on at for to"
    " from of with by about after before back later now today tomorrow tonight soon please asap"
    " when if then need needing want wanting would could can will should like have having has got"
    " buying shopping going coming planning hoping new bit sure fine good great ok okay thanks"
    " that this what who how why which over under around up down out only still again maybe"
    " speaking calling monday tuesday wednesday thursday friday saturday sunday anytime any"
    " american canadian british english irish scottish welsh german french spanish italian dutch"
    " australian mexican japanese chinese korean indian vegan vegetarian small medium large xl xs"
    " xxl tall short petite left right old martens bronner bronner's heater scholl pepper"
    " hi hello hey sorry glad happy excited ready done sold"
)


def _names(text: str) -> Iterator[Finding]:
    for rule in _NAME_RULES:
        for match in rule.pattern.finditer(text):
            group = next(i for i, value in enumerate(match.groups(), 1) if value)
            if span := _name_span(match, group, rule):
                yield Finding("NAME", span)


def _name_span(match: re.Match[str], group: int, rule: _NameRule) -> tuple[int, int] | None:
    """Span of the name words in ``group``: stop at the first word that cannot be part of a name."""
    kept = _name_words(match.group(group), rule.lower_case_ok)
    if not kept:
        return None
    base = match.start(group)
    end = base + kept[-1].start() + len(kept[-1].group().rstrip(".,!?;:"))
    after = match.string[end:].lstrip().lower()
    if rule.endings and not any(after.startswith(e) if e else not after for e in rule.endings):
        return None
    return base + kept[0].start(), end


def _name_words(words: str, lower_case_ok: bool) -> list[re.Match[str]]:
    kept: list[re.Match[str]] = []
    for word in re.finditer(r"\S+", words):
        bare = word.group().strip(".,!?;:").lower()
        capitalised = word.group()[0].isupper()
        # A capitalised "Van" or "An" inside a capitalised name is part of it ("Nguyen Van An").
        inside_name = capitalised and kept and bare not in ("i", "and", "or")
        if (bare in _NOT_NAME_WORDS and not inside_name) or not (capitalised or lower_case_ok):
            break
        kept.append(word)
        if word.group()[-1] in ".,!?;:":
            break
    return kept
