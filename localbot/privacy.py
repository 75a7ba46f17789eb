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
from itertools import pairwise

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


def _finding(kind: str, match: re.Match[str], group: int | str = 0) -> Finding:
    return Finding(kind, match.span(group))


# --- e-mail addresses --------------------------------------------------------------------------

_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"(?<![\w.+-])[\w.%+-]+@(?:{_DOMAIN}\.)+[A-Za-z]{{2,24}}\b")
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

_DIGIT_GROUPS = re.compile(r"(?<![\w.,/-])\d+(?:[ -]\d+)*(?![\w/]|[.,]\d)")
_NOT_A_CARD_BEFORE = re.compile(
    r"(?:\b(?:order|tracking|invoice|ref|reference|sku|item|serial|barcode|upc|ean|isbn|receipt)"
    r"\b|#)\s*(?:number|no\.?|num|id|code)?\s*(?:is|was)?\s*[:#]?\s*$",
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
    for end in range(len(groups), start, -1):
        digits = "".join(text[a:b] for a, b in groups[start:end])
        if is_card_number(digits):
            return end
    return None


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
_INTERNATIONAL = re.compile(
    r"(?<![\w+])(?:\+\s?|00|011[ .-]?)[1-9]\d{0,2}(?:[ .-]?\(0\))?(?:[ .-]?\(?\d{1,5}\)?){1,6}(?!\w)"
)
_PHONE_CUE = re.compile(
    r"\b(?:call(?:ed)?|phone|tel|telephone|mobile|cell(?:phone)?|text\s+me|whats\s?app|reach\s+me"
    r"|ring\s+me|my\s+number|contact\s+number|fax|landline)\b[^\d+\n]{0,25}"
    r"(\+?\(?\d[\d ().-]{5,22}\d)",
    re.IGNORECASE,
)


def _phones(text: str, regions: Sequence[str]) -> Iterator[Finding]:
    spans = list(_national_phones(text, regions))
    spans += [span for m in _INTERNATIONAL.finditer(text) if (span := _international(m))]
    spans += [span for m in _PHONE_CUE.finditer(text) if (span := _cued_number(m))]
    for start, end in spans:
        if not _NOT_A_PHONE_BEFORE.search(text[max(0, start - 30) : start]):
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
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?(?:\s+\d{{4}})?"
    rf"|\d{{1,2}}[/.]\d{{1,2}}(?![/.\d])|(?:19|20)\d{{2}})"
)
_BIRTH_CUE = r"(?:born|birth\s?day|b-?day|birth\s?date|date\s+of\s+birth|d\.?o\.?b\.?)"
_DOB_AFTER_CUE = re.compile(
    rf"\b{_BIRTH_CUE}(?:\s+(?:is|was|on|in|of|=|:)|\s*[:=-]|\s+\w+'s|\s+my)*\s*({_DATE})\b",
    re.IGNORECASE,
)
_DOB_BEFORE_CUE = re.compile(
    rf"\b({_DATE})\s*(?:\(|,|-)?\s*(?:is\s+(?:my|his|her|their)\s+)?{_BIRTH_CUE}", re.IGNORECASE
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
_NOT_STREET_WORDS = frozenset(
    "a an the of on in at to for and or with my your our his her their more less than per x by"
    " gb tb mb mm cm m km l ml litre liter liters litres kg g lb lbs oz person people persons"
    " season seasons inch inches in ft feet foot day days night nights hour hours min minutes"
    " pack packs pc pcs piece pieces pair pairs mile miles year years month months week weeks"
    " times pm am percent off items units size sizes".split()
)
_NAME_WORD = r"(?:[^\W\d_][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_STREET = re.compile(
    rf"(?<![\w$.,/-])[1-9]\d{{0,4}}[A-Za-z]?(?:-\d{{1,5}})?,?\s+((?:{_NAME_WORD}\s+){{1,3}})"
    rf"{_STREET_TYPE}\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?"
    r"(?:,?\s+(?:apt|apartment|unit|suite|ste|flat|fl|floor|#)\.?\s*#?[A-Za-z0-9-]{1,6}\b)?",
    re.IGNORECASE,
)
_CONTINENTAL_STREET = re.compile(
    r"\b[^\W\d_]*(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gatan|vej|veien)"
    r"\s+\d{1,4}[a-z]?\b"
    r"|\b\d{1,4},?\s+(?:rue|avenue|boulevard|bd|chemin|allée|impasse|quai|place)"
    r"(?:\s+(?:de|du|des|la|le|les|d'|l')?\s*[^\W\d_][\w'’-]*){1,4}"
    r"|\b(?:Calle|Avenida|Via|Viale|Piazza|Rua|Carrer|Plaza|Paseo)(?:\s+(?:de|del|la|los)?\s*"
    r"[A-Z][\w'’-]*){1,3},?\s+\d{1,4}\b"
    r"|\bP\.?\s?O\.?\s?Box\s+\d{1,6}\b",
    re.IGNORECASE,
)
# After a street: ", Bend, OR 97701" or ", 10115 Berlin": the postcode that completes it.
_POSTCODE_AFTER_STREET = re.compile(
    r"^,?\s*(?:[A-Za-z][A-Za-z .'-]{1,30},?\s*)?(?:[A-Z]{2}\s+)?(\d{5}(?:-\d{4})?)\b"
    r"|^,?\s*(\d{4,5})\s+[A-Z][a-z]"
)


def _addresses(text: str) -> Iterator[Finding]:
    for match in _STREET.finditer(text):
        words = match.group(1).lower().split()
        if not any(word.strip(".") in _NOT_STREET_WORDS for word in words):
            yield from _street_with_postcode(text, match.span())
    for match in _CONTINENTAL_STREET.finditer(text):
        yield from _street_with_postcode(text, match.span())


def _street_with_postcode(text: str, span: tuple[int, int]) -> Iterator[Finding]:
    yield Finding("ADDRESS", span)
    following = _POSTCODE_AFTER_STREET.match(text[span[1] : span[1] + 60])
    if following:
        group = 1 if following.group(1) else 2
        yield Finding("POSTCODE", (span[1] + following.start(group), span[1] + following.end(group)))


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
        rf"({_ZIP}|[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}|[A-Z]\d[A-Z]\s?\d[A-Z]\d)\b",
        re.IGNORECASE,
    ),
    # UK: outward code, space, inward code (inward letters never use C, I, K, M, O or V).
    re.compile(r"\b((?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE),
    # Canada: A1A 1A1.
    re.compile(r"\b([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d)\b", re.IGNORECASE),
)
# "2TB 4GB"-style capacities are product talk, not an inward postcode.
_CAPACITY = re.compile(r"\d(?:GB|TB|PB|LB)$", re.IGNORECASE)


def _postcodes(text: str) -> Iterator[Finding]:
    for pattern in _POSTCODES:
        for match in pattern.finditer(text):
            if not _CAPACITY.search(match.group(1)):
                yield _finding("POSTCODE", match, 1)


# --- self-introduced names ----------------------------------------------------------------------

_WORD = r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
_NAME_CUE = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name'?s|name'?s|name\s+is|name\s*:|i'?m\s+called|i\s+am\s+called"
    r"|(?:they|you\s+can|please)\s+call\s+me|call\s+me|this\s+is)\s+"
    rf"({_WORD}(?:\s+{_WORD}){{0,2}})",
    re.IGNORECASE,
)
_I_AM = re.compile(rf"\b(?:i'?m|i\s+am)\s+([A-Z]{_WORD[10:]}(?:\s+[A-Z]{_WORD[10:]}){{0,2}})")
_TITLED = re.compile(
    rf"\b(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+([A-Z]{_WORD[10:]}(?:\s+[A-Z]{_WORD[10:]})?)"
)
_SIGN_OFF = re.compile(
    rf"\b(?:thanks|thank\s+you|cheers|regards|best|sincerely|love),?\s+([A-Z]{_WORD[10:]})\s*[.!]?\s*$",
    re.IGNORECASE,
)
_NOT_NAME_WORDS = frozenset(
    "a an the and or but i me my you your we our he she they it is are was be been am not no yes"
    " looking interested trying searching here there just also so very really too in on at for to"
    " from of with by about after before back later now today tomorrow tonight soon please asap"
    " when if then need needing want wanting would could can will should like have having has got"
    " buying shopping going coming planning hoping new a bit sure fine good great ok okay thanks"
    " that this what who how why which over under around up down out only still again"
    " speaking calling".split()
)
# Capitalised words after "I'm" / titles that are not names: nationalities, sizes, brands.
_NOT_NAMES_CAPITALISED = frozenset(
    "american canadian british english irish scottish welsh german french spanish italian dutch"
    " australian mexican japanese chinese korean indian vegan vegetarian small medium large"
    " xl xs xxl tall short petite left right new old martens bronner bronners heater scholl"
    " pepper seuss oetker fixit".split()
)


def _names(text: str) -> Iterator[Finding]:
    for match in _NAME_CUE.finditer(text):
        if span := _name_words(match, 1, strict_case=not _cue_is_explicit(match.group())):
            yield Finding("NAME", span)
    for pattern in (_I_AM, _TITLED, _SIGN_OFF):
        for match in pattern.finditer(text):
            if span := _name_words(match, 1, strict_case=True, introduced=pattern is _I_AM):
                yield Finding("NAME", span)


def _cue_is_explicit(cue: str) -> bool:
    """"my name is" and "call me" introduce a name even typed in lower case; "this is" does not."""
    return not cue.lower().startswith("this")


def _name_words(
    match: re.Match[str], group: int, strict_case: bool, introduced: bool = False
) -> tuple[int, int] | None:
    """Span of the name words of ``group``: stop at the first word that cannot be part of a name."""
    words = list(re.finditer(r"\S+", match.group(group)))
    kept = []
    for word in words:
        bare = word.group().strip(".,!?;:").lower()
        capitalised = word.group()[0].isupper()
        if bare in _NOT_NAME_WORDS or (strict_case and not capitalised) or bare in _NOT_NAMES_CAPITALISED:
            break
        kept.append(word)
        if word.group()[-1] in ".,!?;:":
            break
    if not kept or (introduced and not _ends_introduction(match, kept[-1])):
        return None
    base = match.start(group)
    return base + kept[0].start(), base + kept[-1].start() + len(kept[-1].group().rstrip(".,!?;:"))


def _ends_introduction(match: re.Match[str], last: re.Match[str]) -> bool:
    """"I'm Sarah, ..." or "I'm Sarah and ..." introduces Sarah; "I'm Large in ..." does not."""
    after = match.string[match.start(1) + last.end() :].lstrip()
    rest = after.lower()
    return not after or after[0] in ".,!;:-" or rest.startswith(("and ", "from ", "here"))


def spans_are_ordered(findings: Sequence[Finding]) -> bool:
    """True when findings are sorted and do not overlap (an invariant of :func:`redact`)."""
    return all(a.span[1] <= b.span[0] for a, b in pairwise(findings))
