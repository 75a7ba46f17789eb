"""Personal-data redaction: find personal data in free text and replace it with typed placeholders.

``redact(text)`` is pure and fast: compiled regular expressions, checksums (Luhn for cards,
mod-97 for IBANs), Google's libphonenumber rules through the ``phonenumbers`` package (which
ships its metadata and never touches the network) and a first-name lexicon shipped as package
data (``localbot/data/first_names.txt``, built by ``scripts/build_first_names.py``). It has no
other I/O and imports nothing from the UI, so the assistant can call it on every question
before the question is searched, embedded, put in a prompt, stored or counted in analytics.

Callers need not tidy the text first: the detectors read a copy in which every run of
whitespace is one space (a newline if it breaks a line), invisible characters are gone, and
digits of any script and full-width forms are their ASCII twins ("４１１１", "٤١١١", "＠"), and the
spans they find are mapped back onto the text as given.

Types and placeholders: EMAIL, PHONE, CARD, IBAN, ADDRESS, POSTCODE, DOB, NAME become
``[EMAIL]``, ``[PHONE]``... Look-alikes that are not personal data (SKUs, prices, order numbers,
sizes, dates of events, product codes) are left alone; ``bench/redaction.py`` measures both on
a labelled set. A Luhn-valid number that an issuer could have printed is always a card, even
after "order" or "ref": a card number must never reach the model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

PII_TYPES = ("EMAIL", "IBAN", "CARD", "PHONE", "DOB", "ADDRESS", "POSTCODE", "NAME")
# National phone formats recognised without a "+": the store is in the US; GB covers the most
# common visitors' format that does not collide with US numbers. International forms (+44...,
# 0044..., 011 44...) are recognised for every country whatever this list says, and so are
# the national formats of VISITOR_REGIONS when written exactly as those countries group them.
DEFAULT_REGIONS = ("US", "GB")
# Countries whose national numbers start with a trunk 0 ("0412 345 678" in Australia, "06 12 34
# 56 78" in France); DEFAULT_REGIONS are checked the same way. Checked number by number, not with a matcher per country: a matcher pass
# costs about 0.1 ms per country per question, a parse costs a few microseconds.
VISITOR_REGIONS = ("AU", "NZ", "IE", "FR", "DE", "NL", "BE", "AT", "CH", "SE", "IT")


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
    plain = _Plain.of(text)
    candidates: list[tuple[int, Finding]] = []
    for priority, detector in enumerate(_detectors(regions)):
        candidates += [(priority, finding) for finding in _merge_same_type(detector(plain.text))]
    chosen: list[Finding] = []
    for _, finding in sorted(candidates, key=lambda c: (c[0], c[1].span)):
        if not any(_overlaps(finding.span, kept.span) for kept in chosen):
            chosen.append(finding)
    return [plain.in_input(finding) for finding in sorted(chosen, key=lambda f: f.span)]


# --- whitespace and invisible characters -------------------------------------------------------

# Characters a reader does not see but a regex does: "4111\u200b1111" is one number to a human.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
_UNUSUAL_SPACING = re.compile(rf"[^\S ]|  |[{_INVISIBLE}]")
_SPACING_RUN = re.compile(rf"[\s{_INVISIBLE}]+")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Full-width forms of the printable ASCII characters ("！" to "～"), typed by East Asian keyboards.
_FULL_WIDTH = ("\uff01", "\uff5e")
_FULL_WIDTH_OFFSET = 0xFEE0


@lru_cache(maxsize=4096)
def _ascii_twin(char: str) -> str:
    """The ASCII character a reader takes ``char`` for: a digit of any script, a full-width form."""
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    if _FULL_WIDTH[0] <= char <= _FULL_WIDTH[1]:
        return chr(ord(char) - _FULL_WIDTH_OFFSET)
    return char


def _ascii_digits(text: str) -> str:
    """``text`` with digits and full-width forms made ASCII, one character for one (so every
    offset stays): the patterns and checksums then read "４１１１" and "٤١١١" as "4111"."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda match: _ascii_twin(match.group()), text)


@dataclass(frozen=True)
class _Plain:
    """The text the detectors read, and where each of its characters came from in the input.

    Feedback comments, pasted addresses and exports arrive with tabs, doubled spaces, no-break
    spaces or zero-width characters; without this every pattern would need to expect them.
    """

    text: str
    origin: tuple[int, ...] | None = None  # origin[i]: index in the input of text[i]

    @classmethod
    def of(cls, text: str) -> _Plain:
        """Each whitespace run becomes one space (a newline if it holds one); invisibles go;
        digits and full-width forms become ASCII."""
        text = _ascii_digits(text)
        if not _UNUSUAL_SPACING.search(text):
            return cls(text)  # the common case: a question already tidied by its caller
        pieces: list[str] = []
        origin: list[int] = []
        position = 0
        for run in _SPACING_RUN.finditer(text):
            pieces.append(text[position : run.start()])
            origin.extend(range(position, run.start()))
            if not any(char.isspace() for char in run.group()):
                position = run.end()  # only invisible characters: the words either side join
                continue
            pieces.append("\n" if _LINE_BREAK.search(run.group()) else " ")
            origin.append(run.start())
            position = run.end()
        pieces.append(text[position:])
        origin.extend(range(position, len(text)))
        return cls("".join(pieces), tuple(origin))

    def in_input(self, finding: Finding) -> Finding:
        """The finding with its span in the input (a collapsed run inside it is covered whole)."""
        if self.origin is None:
            return finding
        start, end = finding.span
        return Finding(finding.type, (self.origin[start], self.origin[end - 1] + 1))


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


def _next_word(text: str, position: int) -> str:
    """The lower-cased word that starts after ``position`` (and any spaces), or ""."""
    word = re.match(r"\s*([\w'’-]*)", text[position : position + 40])
    return word.group(1).lower() if word else ""


# --- e-mail addresses --------------------------------------------------------------------------

_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# "tom @ example.com": a space either side of the @ is still an address.
_EMAIL = re.compile(rf"(?<![\w.+'-])[\w.%+'-]+ ?@ ?(?:{_DOMAIN}\.)+[A-Za-z]{{2,24}}\b")
# People obfuscate addresses they type into forms: "jane[at]example.com", "jane (at) example
# (dot) com", "jane dot doe at gmail dot com". A bare " at " needs a spelled " dot " after it,
# or "look at rei.com" would be an address. Repeats are bounded so junk input stays linear.
_SPELLED_AT = r"\s?[\[({<]\s?at\s?[\])}>]\s?"
_SPELLED_DOT = r"(?:\s?[\[({<]\s?dot\s?[\])}>]\s?|\sdot\s)"
_EMAIL_SPELLED = re.compile(
    rf"(?<![\w.+-])[\w%+-]+(?:(?:\.|{_SPELLED_DOT})[\w%+-]+){{0,4}}"
    rf"(?:{_SPELLED_AT}|\s?@\s?|\sat\s)[A-Za-z0-9-]+(?:(?:\.|{_SPELLED_DOT})[A-Za-z0-9-]+){{0,3}}"
    rf"(?:\.|{_SPELLED_DOT})[A-Za-z]{{2,24}}\b",
    re.IGNORECASE,
)
_SPELLED_AT_OR_DOT = re.compile(rf"{_SPELLED_AT}|{_SPELLED_DOT}", re.IGNORECASE)


# Written out in full ("at", "dot"), the address can start too early: in "email me at mike dot
# hanlon at gmail dot com" the words "me at mike dot hanlon" fit the pattern as well. There the
# last label must be a top-level domain: two letters, or a common generic one.
_BARE_AT = re.compile(r"\sat\s", re.IGNORECASE)
_SPELLED_TLD = re.compile(r"\sdot\s([A-Za-z]+)$", re.IGNORECASE)
_GENERIC_TLDS = _word_set(
    "com net org edu gov mil int info biz name pro mobi app dev io ai me tv co xyz online site"
    " shop store tech email cloud blog club live life world art page"
)


def _emails(text: str) -> Iterator[Finding]:
    yield from (_finding("EMAIL", match) for match in _EMAIL.finditer(text))
    position = 0
    # Search again one character on from a rejected match, not from its end: the address may
    # start inside it.
    while match := _EMAIL_SPELLED.search(text, position):
        if _SPELLED_AT_OR_DOT.search(match.group()) and _plausible_spelled(match.group()):
            yield _finding("EMAIL", match)
            position = match.end()
        else:
            position = match.start() + 1


def _plausible_spelled(address: str) -> bool:
    """False for a bare "at" whose spelled "dot" ends in a word no domain ends with."""
    tld = _SPELLED_TLD.search(address)
    if tld is None or not _BARE_AT.search(address) or "@" in address:
        return True
    return len(tld.group(1)) == 2 or tld.group(1).lower() in _GENERIC_TLDS


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
# Groups are written with spaces or dashes ("DE89-3704-0044-..."); both are skipped.
_IBAN_SEPARATORS = " -"
_IBAN_START = re.compile(r"\b([A-Z]{2})[ -]?(\d{2})(?=[ -]?[A-Z0-9])", re.IGNORECASE)


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(match.group(1).upper())
        end = _alnum_end(text, match.end(), length - 4) if length else None
        if end is not None and _iban_checksum_ok(text[match.start() : end]):
            yield Finding("IBAN", (match.start(), end))


def _alnum_end(text: str, start: int, count: int) -> int | None:
    """Index just after ``count`` letters/digits from ``start``, allowing one separator between."""
    position = start
    while count:
        if position < len(text) and text[position] in _IBAN_SEPARATORS:
            position += 1
        if position >= len(text) or not text[position].isascii() or not text[position].isalnum():
            return None
        position, count = position + 1, count - 1
    followed_by_alnum = position < len(text) and text[position].isalnum()
    return None if followed_by_alnum else position


def _iban_checksum_ok(candidate: str) -> bool:
    compact = "".join(ch for ch in candidate if ch.isalnum()).upper()
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# --- payment cards (Luhn checked, issuer prefixes and lengths) ----------------------------------

MIN_CARD_DIGITS = 14  # the shortest number _card_length_fits takes (Diners Club)
MAX_CARD_DIGITS = 19
# Digit groups with whatever people type between them: "4111 1111", "4111  1111", "4111 - 1111",
# "4111.1111", "4111–1111". No boundary is asked for either side ("cc:4111...exp0427" glues the
# card to letters) and no word before excuses a number ("ref 4539 1488 0343 6467 is my card"):
# a Luhn-valid number an issuer could have printed is redacted wherever it is.
# A dot separates groups of three digits or more, or ends a dotted card ("3654.2474.4805.96"),
# so "49.99 59.99" stay two prices.
# Brackets mix with the others as in "(4111) 1111-1111-1111".
_CARD_SEPARATOR = (r"(?:[\s\-‐‑‒–—−()]|(?<=\d{3})\.(?=\d{3})|(?<=\d{4}\.\d{4})\.(?=\d)"
                   r"|(?<=\s)\.(?=\s))")  # fmt: skip
_DIGIT_GROUPS = re.compile(rf"\d+(?:{_CARD_SEPARATOR}+\d+)*")
# The last safety net: digit groups joined by any one mark, the same mark all along the number
# ("4111/1111/...", "4111,1111,...", "4111 | 1111 | ...", "4111•1111•...", "4111~1111~..."),
# spaces around it or not. One mark repeated, because a list that mixes marks
# ("541-555-0142, 541-555-0199") is several numbers, not one.
_ANY_MARK = r"[^\S\n]?(?:[^\w\s]|_)[^\S\n]?|[^\S\n]"
_MARKED_GROUPS = re.compile(rf"\d+(?:(?:{_ANY_MARK})\d+)*")


def _cards(text: str) -> Iterator[Finding]:
    for match in _DIGIT_GROUPS.finditer(text):
        yield from _card_runs(match)
    for match in _MARKED_GROUPS.finditer(text):
        if match.end() - match.start() >= MIN_CARD_DIGITS:  # most are a size or a quantity
            yield from _marked_card_runs(text, match)


def _marked_card_runs(text: str, match: re.Match[str]) -> Iterator[Finding]:
    """Card numbers among digit groups joined by one kind of mark (see ``_MARKED_GROUPS``)."""
    groups = [(m.start() + match.start(), m.end() + match.start())
              for m in re.finditer(r"\d+", match.group())]  # fmt: skip
    marks = [text[a[1] : b[0]].strip() or " " for a, b in pairwise(groups)]
    start = 0
    while start < len(groups):
        end = _longest_marked_run(text, groups, marks, start)
        if end is None:
            start += 1
            continue
        yield Finding("CARD", (groups[start][0], groups[end - 1][1]))
        start = end


def _longest_marked_run(
    text: str, groups: list[tuple[int, int]], marks: list[str], start: int
) -> int | None:
    """End of the longest card run from ``start`` whose groups are joined by one mark.

    Grouped like a card: every group but the last of three digits or more, or every digit on
    its own ("4 1 1 1 ..."), so "sizes 36, 37, 38" is never a card whatever its digits."""
    digits, lengths, found = "", [], None
    for end in range(start + 1, len(groups) + 1):
        if end > start + 1 and marks[end - 2] != marks[start]:
            break
        lengths.append(groups[end - 1][1] - groups[end - 1][0])
        if not (all(n == 1 for n in lengths) or all(n >= 3 for n in lengths[:-1])):
            break
        digits += text[groups[end - 1][0] : groups[end - 1][1]]
        if len(digits) > MAX_CARD_DIGITS:
            break
        if is_card_number(digits):
            found = end
    return found


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
    string of digit groups costs linear time, not cubic.

    Every group but the last has three digits or more: cards are written in fours (4-6-5 for
    American Express), never in pairs, and "sizes 36 37 38 39 40 41 42 43" has 16 digits."""
    digits, found = "", None
    for end in range(start + 1, len(groups) + 1):
        if end > start + 1 and groups[end - 2][1] - groups[end - 2][0] < 3:
            break
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
    """Lengths by issuer. 12-13 digit cards are left out: Visa stopped issuing 13-digit numbers
    decades ago, and EAN-13 barcodes look the same (German ones even start with 40-44)."""
    length, first = len(digits), digits[0]
    if digits[:2] in ("34", "37"):
        return length == 15  # American Express
    if digits[:2] in ("36", "38", "39") or "300" <= digits[:3] <= "305":
        return 14 <= length <= 19  # Diners Club
    if first == "2":
        prefix = int(digits[:4])
        mastercard = length == 16 and 2221 <= prefix <= 2720  # Mastercard 2-series
        return mastercard or (16 <= length <= 19 and 2200 <= prefix <= 2204)  # Mir
    return first in "3456" and 16 <= length <= 19  # Visa, Mastercard, JCB, Discover, UnionPay...


# --- phone numbers ------------------------------------------------------------------------------

_NOT_A_PHONE_BEFORE = re.compile(
    r"(?:\b(?:sku|order|item|model|part|product|style|code|ref|reference|serial|invoice|tracking"
    r"|barcode|upc|ean|isbn|receipt|confirmation|booking|ticket|lot|batch|po|article|art)\b|#)"
    r"\s*(?:number|no\.?|num|id|code)?\s*(?:is|was)?\s*[:#]?\s*$",
    re.IGNORECASE,
)
# Bare digit runs listed after "order(s)" are order numbers: "I have two orders, 2075150379 and
# 4429758594", "order numbers 2075150379, 4429758594". Written as a phone ("555-013-4471") or
# after a phone cue, a number in the list is still a phone.
_ORDER_LIST = re.compile(
    r"\border(?:s|ed)?\b(?:\s+(?:numbers?|nos?\.?|nums?|ids?|refs?))?"
    r"(?:\s+(?:are|were|is|was))?(?:\s+[^\W\d_]+){0,2}?\s*[:#,]?\s*"
    r"(#?\d+(?:\s*(?:,|&|/|\+|\band\b|\bor\b)\s*#?\d+)*)",
    re.IGNORECASE,
)
_BARE_DIGITS = re.compile(r"#?\d+")
# "20000 10000 mAh" is a measurement, whatever its digits look like.
_UNIT_AFTER = re.compile(
    r"\s*(?:mah|mm|cm|km|kg|lbs?|oz|ml|lumens?|lm|mhz|ghz|gb|tb|kcal|psi|kn|w|v|l|m|g|°"
    r"|lit(?:re|er)s?)\b",
    re.IGNORECASE,
)
_INTERNATIONAL = re.compile(
    r"(?<![\w+])(?:\+\s?|00|011[ .-]?)[1-9]\d{0,2}(?:[ .-]?\(0\))?"
    r"(?:[ .-]?\(?\d{1,5}\)?){1,6}(?!\w)"
)
# The digits after a cue, in groups split by spaces, dots, dashes or a German slash
# ("030/1234567", "089 / 123 456 78").
_CUED_DIGITS = r"(\+?(?:(?:\s?/\s?|[ .-])?\(?\d+\)?){1,8})"
_PHONE_CUE = re.compile(
    r"\b(?:call(?:ed)?|phone|tel|telephone|mob|mobile|cell(?:phone)?|text\s+me|whats\s?app"
    r"|reach\s+me|contact\s+me|ring\s+me|my\s+number|contact\s+number|fax|landline)\b"
    rf"[^\d+\n]{{0,25}}{_CUED_DIGITS}"
    # Visitors name their phone in their own language: "mi móvil es 612 345 678", "Handy 0151
    # 23456789", "komórka 512 345 678". Some of these words are English too ("portable",
    # "handy"), so the number must follow within a few words.
    r"|\b(?:tel[eé]f(?:o|ó)n\w*|t[eé]l[eé]phone|telefoon|tfno|tlf|t[eé]l|m[oó]vil|m[oó]vel"
    r"|celular|cellulare|cel|portable|handy(?:nummer)?|mobil(?:nummer|ní)?|mobiel|natel"
    r"|rufnummer|kom[oó]rk[ai]|kom[oó]rkow\w*|numer\s+tel\w*)\b"
    rf"[^\d+\n\w]{{0,4}}(?:[^\W\d_]+[^\d+\n\w]{{1,4}}){{0,2}}{_CUED_DIGITS}",
    re.IGNORECASE,
)
# A number the words after it call a phone: "555-0142 is my number", "0161 496 0000 - my cell".
_PHONE_CUE_AFTER = re.compile(
    r"(?<![\w+.,/-])(\+?\(?\d[\d ().-]{5,18}\d)\s*(?:[,:-]\s*)?(?:is|=|was)?\s*"
    r"(?:my|his|her|their|our)\s+(?:(?:home|work|office|new|old|main|best|direct)\s+)?"
    r"(?:number|no\.?|cell|mobile|phone|landline|line|contact)\b",
    re.IGNORECASE,
)
# A national number of a visiting country: trunk 0, then digit groups ("(02) 9876 5432").
_TRUNK_NUMBER = re.compile(
    r"(?<![\w+.,/-])(?<!\d[ .-])\(?0\d{1,4}\)?(?:[ .-]?\d{2,4}){1,4}(?![\w/]|[.,]\d)"
)
# German, Austrian and Swiss numbers put a slash after the area code: "089 / 123 456 78",
# "030/1234567". The subscriber part is grouped freely, so only the digits are checked.
_SLASH_NUMBER = re.compile(
    r"(?<![\w+.,/-])\(?0\d{2,5}\)?\s?/\s?\d{2,}(?:[ -]\d{1,4}){0,4}(?![\w/]|[.,]\d)"
)
# A North American number in any of its written shapes: "(555) 010-2288", "555.010.2045",
# "+1-555-010-6631". libphonenumber rejects numbers whose exchange cannot be assigned (010,
# 555-01xx), but a redactor must prefer recall: a number written like a phone is one. Written
# with spaces only, the area code must start 2-9 as real ones do ("sizes 100 200 3000").
_NANP = re.compile(
    r"(?<![\w+.,/-])(?<!\d[ .-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[.-]|[2-9]\d{2} )"
    r"\d{3}[ .-]\d{4}"
    r"(?:(?=x\d|ext)|(?![\w/-]|[ .,]\d))"  # "(555) 010-2288x12": the extension is glued on
)
# "x204", "ext. 12", "extension 3": the extension belongs to the number before it.
_EXTENSION = re.compile(r",?\s*(?:x|ext\.?|extn\.?|extension)\s*:?\s*\d{1,5}\b", re.IGNORECASE)
# Parcel tracking numbers hold phone-shaped digit runs ("1Z 999 AA1 01 2345 6784"): a run of
# capitals and digits after "tracking", or a UPS "1Z" number, is no one's phone.
_TRACKING = re.compile(
    r"\b1Z(?:[ -]?[A-Z0-9]){16}\b"
    r"|\b(?i:tracking|consignment|waybill|parcel)(?:\s+(?i:number|no\.?|id|code|ref))?"
    r"(?:\s+(?i:is))?\s*[:#]?\s*([A-Z0-9]*\d[A-Z0-9]*(?:[ -][A-Z0-9]+)*)"
)


# Every phone number has seven digits or more; most questions have none, and the matcher is the
# redactor's most expensive step.
_SEVEN_DIGITS = re.compile(r"\d(?:\D*\d){6}")


def _phones(text: str, regions: Sequence[str]) -> Iterator[Finding]:
    if not _SEVEN_DIGITS.search(text):
        return
    spans = list(_national_phones(text, regions))
    spans += [m.span() for m in _NANP.finditer(text)]
    spans += [m.span() for m in _TRUNK_NUMBER.finditer(text) if _trunk_number(m.group(), regions)]
    spans += [m.span() for m in _SLASH_NUMBER.finditer(text) if _slash_number(m.group(), regions)]
    spans += [span for m in _INTERNATIONAL.finditer(text) if (span := _international(m))]
    cued = [span for m in _PHONE_CUE.finditer(text) if (span := _cued_number(m))]
    spans += cued
    spans += [m.span(1) for m in _PHONE_CUE_AFTER.finditer(text) if _phone_length(m.group(1))]
    tracking = [m.span() for m in _TRACKING.finditer(text)] if spans else []
    orders = [m.span(1) for m in _ORDER_LIST.finditer(text)] if spans else []
    for start, end in spans:
        code_before = _NOT_A_PHONE_BEFORE.search(text[max(0, start - 30) : start])
        in_tracking = any(_overlaps((start, end), span) for span in tracking)
        in_orders = (
            _BARE_DIGITS.fullmatch(text, start, end)
            and (start, end) not in cued
            and any(order_start <= start and end <= order_end for order_start, order_end in orders)
        )
        if not (code_before or in_tracking or in_orders or _UNIT_AFTER.match(text, end)):
            extension = _EXTENSION.match(text, end)
            yield Finding("PHONE", (start, extension.end() if extension else end))


def _national_phones(text: str, regions: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Numbers libphonenumber finds valid and grouped as that country writes them."""
    for region in regions:
        for match in PhoneNumberMatcher(text, region, leniency=Leniency.STRICT_GROUPING):
            yield match.start, match.end


def _trunk_number(raw: str, regions: Sequence[str]) -> bool:
    """A valid national number of a listed or visiting country, written ungrouped, grouped
    exactly as that country groups it ("06 12 34 56 78"), or in groups of three digits or more
    after the area code ("07700 900 783"); "05 10 15" stays a list of sizes."""
    groups = [len(group) for group in re.findall(r"\d+", raw)]
    if not 9 <= sum(groups) <= 12:
        return False
    if len(groups) > 1 and min(groups[1:]) >= 3:
        groups = [sum(groups)]  # any grouping in threes and fours reads as a phone number
    for region in (*regions, *VISITOR_REGIONS):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if len(groups) == 1 or groups == [len(group) for group in re.findall(r"\d+", national)]:
            return True
    return False


def _slash_number(raw: str, regions: Sequence[str]) -> bool:
    """A valid national number of a listed or visiting country once the slash is taken out."""
    digits = re.sub(r"\D", "", raw)
    if not 9 <= len(digits) <= 12:
        return False
    for region in (*regions, *VISITOR_REGIONS):
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(digits, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _international(match: re.Match[str]) -> tuple[int, int] | None:
    """A ``+``/``00``/``011`` number of a plausible length; trailing extra groups are dropped.

    The first group alone counts too: "+447700900123" is one group, and libphonenumber only has
    to find its length possible for the country, not the number valid."""
    groups = list(re.finditer(r"\(?\d+\)?", match.group()))
    for end in range(len(groups), 0, -1):
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


def _phone_length(raw: str) -> bool:
    return 7 <= len(re.sub(r"\D", "", raw)) <= 15


def _cued_number(match: re.Match[str]) -> tuple[int, int] | None:
    """A number right after "call me on", "my mobile is"... even if no country's rules fit it."""
    digits = 1 if match.group(1) is not None else 2
    start = match.start(digits)
    for group in reversed(list(re.finditer(r"\d+\)?", match.group(digits)))):
        raw = match.group(digits)[: group.end()]
        if 7 <= len(re.sub(r"\D", "", raw)) <= 15:
            return start, start + len(raw)
    return None


# --- dates of birth ----------------------------------------------------------------------------

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")  # fmt: skip
_FULL_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}"
    rf"|\d{{1,2}}[-/. ]{_MONTH}[-/. ](?:\d{{4}}|\d{{2}})(?!\d)"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?(?:\s+\d{{4}})?)"
)
# After a cue less is enough: a day and month ("birthday is 3/14"), a month and year ("born in
# March 1985"), a year ("born in 1985") or eight digits ("date of birth 19850314").
_COMPACT_DATE = (r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                 r"|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d{2}")  # fmt: skip
_DATE = (rf"(?:{_FULL_DATE}|{_MONTH},?\s+(?:19|20)\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}(?![/.\d])"
         rf"|{_COMPACT_DATE}|(?:19|20)\d{{2}})")  # fmt: skip
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
    r"|sq|row|mews|gardens|grove|walk|alley|pike|esplanade|broadway|quay|wharf|parade|embankment"
    r"|rise)"
)
_STREET_TYPE_WORD = re.compile(_STREET_TYPE, re.IGNORECASE)
# Words that follow a number in shop talk ("2 person", "500 GB", "3 season"): never a street name.
_NOT_STREET_WORDS = _word_set(
    "a an the of on in at to for and or with my your our his her their more less than per x by"
    " gb tb mb mm cm m km l ml litre liter liters litres kg g lb lbs oz person people persons"
    " season seasons inch inches in ft feet foot day days night nights hour hours min minutes"
    " pack packs pc pcs piece pieces pair pairs mile miles year years month months week weeks"
    " times pm am percent off items units size sizes one two three four five six seven eight"
    " nine ten dozen"
)
# Words between a street and a number that say the number is not its postcode ("order 12345").
_NOT_CITY_WORDS = (_NOT_STREET_WORDS - _word_set("or in")) | _word_set(
    "is was order ref sku item number no code please pls thanks then also call phone"
)  # "or" and "in" stay: Oregon and Indiana in lower case
# Capitalised words before a number that make it a size or a count: "ship to Size 10".
_NOT_NAME_NUMBER_WORDS = _word_set("size sizes uk us eu eur order no number item sku model qty")
# Street types that also name hiking routes ("7 Lakes Trail"): a one-digit number is a route.
_ROUTE_TYPES = _word_set("trail trl loop way walk path")
# Nouns after the street type mean a product or a place name, not an address ("Drive collection").
_PRODUCT_NOUNS = _word_set(
    "bike bikes light lights collection jacket jackets tent tents pack packs shoe shoes boot boots"
    " runner runners bag bags lamp stove kit set series edition model range hike hikes ride run"
    " race map maps guide zipper"
)
_ADDRESS_CUE = re.compile(
    r"\b(?:live|living|address|ship|deliver|send|mail|house|home|located|move|moved|envío|envio"
    r"|enviar|entrega|livraison)\b",
    re.IGNORECASE,
)
# Postcode shapes an address line may end with. UK in any case ("ox2 6hy"; an ordinal such as
# "4th" is never an inward code), an Irish Eircode ("D02 P593"), a Dutch one ("1015 EA"), or
# four or five digits before a capitalised town ("28013 Madrid", "8001 Zürich").
_UK_POSTCODE = r"[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?(?!\d(?:st|nd|rd|th)\b)\d[ABD-HJLNP-UW-Z]{2}"
_EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4}"
_DUTCH_POSTCODE = r"[1-9]\d{3}\s?(?!S[ADS]\b)[A-Z]{2}"
_ZIP = r"\d{5}(?:-\d{4})?"
# Continental codes before a capitalised town: "28013 Madrid", "8001 Zürich", "1100-053 Lisboa".
_TOWN_POSTCODE = r"(?:\d{4,5}|\d{4}-\d{3})(?=\s+[A-Z][a-z])"
_LINE_END_POSTCODE = (
    rf"(?:{_ZIP}|(?i:{_UK_POSTCODE})|{_EIRCODE}|{_DUTCH_POSTCODE}|{_TOWN_POSTCODE})\b"
)
_NAME_WORD = r"(?:[^\W\d_][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_UNIT = r"(?:apt|apartment|unit|suite|ste|flat|fl|floor|#)\.?\s*#?[A-Za-z0-9-]{1,6}\b"
_STREET = re.compile(
    rf"(?<![\w$.,/-])(?:{_UNIT},?\s+)?([1-9]\d{{0,4}})[A-Za-z]?(?:-\d{{1,5}})?,?\s+"
    rf"((?:{_NAME_WORD}\s+){{1,3}})({_STREET_TYPE})\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?"
    rf"(?:,?\s+{_UNIT})?(?=(\s+[\w-]+)?)",
    re.IGNORECASE,
)
# Dutch and Nordic house numbers carry suffixes: "Keizersgracht 214-II", "Damrak 1-3", "12a".
_CONTINENTAL_STREET = re.compile(
    r"\b[^\W\d_]*(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gatan|vej|veien"
    r"|gracht|kade|plein|singel|dijk|dreef|steeg|vägen)"
    r"\s+\d{1,4}(?:[a-z]|-(?:[ivx]{1,4}|hs|bis|\d{1,3}|[a-z]))?\b"
    r"|\b\d{1,4},?\s+(?:rue|avenue|boulevard|bd|chemin|allée|impasse|quai)"
    r"(?:\s+(?:de|du|des|la|le|les|d'|l')?\s*[^\W\d_][\w'’-]*){1,4}"
    r"|\bP\.?\s?O\.?\s?Box\s+\d{1,6}\b",
    re.IGNORECASE,
)
# Case matters here: "Via Roma 12" is an address, "via ups 2" is not. A Spanish floor and door
# belong to it ("Calle Mayor 22, 3ºB", "2º 1ª").
_SOUTHERN_STREET = re.compile(
    r"\b(?:Calle|Avenida|Avinguda|Via|Viale|Corso|Piazza|Largo|Rua|Rúa|Carrer|Plaza|Plaça|Paseo"
    r"|Camino|Ronda|Travesía)"
    r"(?:\s+(?:de|del|la|los|las|da|do|dos|di|della)?\s*[A-Z][\w'’-]*){1,3},?\s+\d{1,4}\b"
    r"(?:,?\s*\d{1,2}\s?[ºª°]\s?(?:\d{1,2}\s?[ºª°]|(?i:izq\w*|dcha\.?|der\w*)|[A-Z](?!\w))?)?"
)
# "Rose Cottage, Mill Lane": a house name and its street, no number needed.
_HOUSE_NAME = re.compile(
    r"\b(?:[A-Z][\w'’-]*\s+){1,2}(?i:cottage|cottages|farm|farmhouse|house|barn|lodge|manor|hall"
    r"|villa|croft|grange|bungalow|mill|rectory|vicarage|cabin),\s+"
    rf"(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{_STREET_TYPE})\b"
)
# "3 Lon Isaf, Llanberis LL55 4TY": a number and capitalised words (Welsh "y" may join them),
# then a town and a postcode, is an address line whatever the street is called.
_STREET_BEFORE_POSTCODE = re.compile(
    r"(?<![\w$.,/-])([1-9]\d{0,3}[A-Za-z]?(?:-\d{1,4})?((?:\s+(?:y\s+|yr\s+)?[A-Z][\w'’-]*){1,4}))"
    r"(?=,\s*(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2},?\s+)?"
    rf"(?:{_UK_POSTCODE}|{_EIRCODE}|{_DUTCH_POSTCODE}|[A-Z]{{2}}\s+{_ZIP})\b)"
)
# Name first, number after, as most of Europe writes it ("Damrak 70", "Gran Vía 28"): an address
# after a delivery cue, or before a continental postcode and its town.
_NAME_NUMBER = (
    r"[A-Z][\w'’-]*(?:\s+(?:de\s+|del\s+|la\s+)?[A-Z][\w'’-]*){0,2}\s+\d{1,4}(?:[a-z]|-\w{1,3})?"
)
_NAME_NUMBER_STREET = re.compile(
    r"\b(?i:(?:ship|deliver|send|post|mail)(?:\s+(?:it|them|this|that|everything|orders?))?\s+to"
    r"|live\s+at|lives\s+at|address(?:\s+is)?\s*:?|home(?:\s+address)?\s+is"
    r"|env[íi]o\s+a|enviar\s+a|entrega\s+en|livraison\s+à|lieferung\s+an)\s+"
    rf"({_NAME_NUMBER})(?=\s*(?:[,;\n]|\.(?!\w)|$))"
    rf"|(?<![\w-])({_NAME_NUMBER})(?=,\s*(?:{_DUTCH_POSTCODE}|{_TOWN_POSTCODE})\b)"
)
# After a street: ", Bend, OR 97701", " bend 97703", " ox2 6hy" or ", 10115 Berlin": the
# postcode that completes it, after at most two town or state names.
_TOWN = r"[A-Za-z][A-Za-z.'’-]*(?:\s+[A-Za-z][A-Za-z.'’-]*){0,2}"
_POSTCODE_AFTER_STREET = re.compile(
    rf"^,?\s*((?:{_TOWN},?\s+){{0,2}}?)\b({_LINE_END_POSTCODE})(?![\w-])"
)


# "I live at 12 Oak Hill, Leeds": a street without a street-type word is an address only after
# a cue that says so, and only if its words end where an address line ends.
_CUED_STREET = re.compile(
    r"\b(?:(?:ship|deliver|send|post|mail)(?:\s+(?:it|them|this|that|everything|orders?))?\s+to"
    r"|live\s+at|lives\s+at|living\s+at|address(?:\s+is)?\s*:?|home(?:\s+address)?\s+is"
    r"|env[íi]o\s+a|enviar\s+a|entrega\s+en|livraison\s+à)\s+"
    rf"((?:{_UNIT},?\s+)?[1-9]\d{{0,3}}[A-Za-z]?(?:-\d{{1,4}})?,?"
    r"((?:\s+[^\W\d_][\w'’-]*){1,4}))"
    rf"(?=\s*(?:[,;\n]|\.(?!\w)|$)|\s+{_LINE_END_POSTCODE})",
    re.IGNORECASE,
)


def _addresses(text: str) -> Iterator[Finding]:
    for match in _STREET.finditer(text):
        if _is_street(match):
            yield from _street_with_postcode(text, match.span())
    for pattern in (_CONTINENTAL_STREET, _SOUTHERN_STREET, _HOUSE_NAME):
        for match in pattern.finditer(text):
            if _next_word(text, match.end()) not in _PRODUCT_NOUNS:  # "Via Ferrata 2 kit"
                yield from _street_with_postcode(text, match.span())
    for match in _NAME_NUMBER_STREET.finditer(text):
        group = 1 if match.group(1) else 2
        words = {word.lower() for word in match.group(group).split()}
        if not words & (_NOT_STREET_WORDS | _PRODUCT_NOUNS | _NOT_NAME_NUMBER_WORDS):
            yield from _street_with_postcode(text, match.span(group))
    for pattern in (_CUED_STREET, _STREET_BEFORE_POSTCODE):
        for match in pattern.finditer(text):
            words = {word.lower() for word in match.group(2).split()}
            if not words & (_NOT_STREET_WORDS | _PRODUCT_NOUNS):
                yield from _street_with_postcode(text, _up_to_street_type(match))


def _up_to_street_type(match: re.Match[str]) -> tuple[int, int]:
    """The span of group 1, ended at its street-type word if it has one: "home is 9 Dock Wharf
    so ring" ends at "Wharf", whatever the words after it are."""
    for word in re.finditer(r"\S+", match.group(2)):
        if _STREET_TYPE_WORD.fullmatch(word.group().rstrip(".,")):
            return match.start(1), match.start(2) + word.end()
    return match.span(1)


def _is_street(match: re.Match[str]) -> bool:
    """Reject shop talk shaped like an address: "2 more on the way", "7 Lakes Trail".

    A one-digit number before a route word ("1 Infinite Loop") or "the" before the street
    ("9 the crescent") is an address only when told so, or when a postcode follows."""
    words = [word.strip(".").lower() for word in match.group(2).split()]
    next_word = (match.group(4) or "").strip().lower()
    leading_the = words[0] == "the"
    shop_talk = any(word in _NOT_STREET_WORDS for word in words[leading_the:])
    if shop_talk or next_word in _PRODUCT_NOUNS:
        return False
    short_route = len(match.group(1)) == 1 and match.group(3).lower() in _ROUTE_TYPES
    if not (short_route or leading_the):
        return True
    before = match.string[max(0, match.start() - 30) : match.start()]
    return bool(_ADDRESS_CUE.search(before) or _postcode_after(match.string, match.end()))


def _postcode_after(text: str, end: int) -> re.Match[str] | None:
    """The postcode that ends the address line ending at ``end``, if one does."""
    following = _POSTCODE_AFTER_STREET.match(text[end : end + 60])
    if not following or _UNIT_AFTER.match(following.string, following.end()):
        return None  # "12 Oak Street 20000 mAh"
    if {word.lower().strip(",.") for word in following.group(1).split()} & _NOT_CITY_WORDS:
        return None  # "12 Oak Street, order 12345"
    return following


def _street_with_postcode(text: str, span: tuple[int, int]) -> Iterator[Finding]:
    yield Finding("ADDRESS", span)
    if following := _postcode_after(text, span[1]):
        yield Finding("POSTCODE", (span[1] + following.start(2), span[1] + following.end(2)))


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
_POSTCODES = (
    re.compile(rf"\b(?:{_US_STATES}),?\s+({_ZIP})\b"),
    re.compile(rf"\b(?i:{_US_STATE_NAMES}),?\s+({_ZIP})\b"),
    # After a cue any country's shape counts, in any case ("my postcode is se17pb"); digits
    # alone not before a lower-case word: "YKK zip 10000 cycles" is a count, not a postcode.
    re.compile(
        r"\b(?:zip|zip\s?code|post\s?code|postal\s+code|eircode)(?:\s+is|\s*:)?\s*"
        rf"((?:{_ZIP}|\d{{4}})(?!\s+[a-z])|{_UK_POSTCODE}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|{_EIRCODE}"
        rf"|(?-i:{_DUTCH_POSTCODE}))\b",
        re.IGNORECASE,
    ),
    # UK, in capitals ("SW1A 1AA"; inward letters never use C, I, K, M, O or V): in lower case
    # the shape is too close to shop talk ("a5 4th"), so it needs a cue above.
    re.compile(r"\b((?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s\d[ABD-HJLNP-UW-Z]{2})\b"),
    # Canada, in capitals: A1A 1A1.
    re.compile(r"\b([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d)\b"),
)
# "2TB 4GB"-style capacities are product talk, not an inward postcode.
_CAPACITY = re.compile(r"\s\d(?:GB|TB|PB|LB)$", re.IGNORECASE)
# A UK postcode in any case ("sw1a 1aa") counts within a few words of a cue that talks about
# a place; "4th" and "2nd" are ordinals, never an inward code.
_PLACE_CUE = re.compile(
    r"\b(?:ship|deliver|send|post|mail|live|living|lives|address|located|based|house|home)\b",
    re.IGNORECASE,
)
_ANY_DIGIT = re.compile(r"\d")
_UK_POSTCODE_ANY_CASE = re.compile(rf"\b({_UK_POSTCODE})\b", re.IGNORECASE)
# An Eircode ("D02 P593", "T12 K8AF") within a few words of an Irish place or the word itself.
_IRISH_CUE = re.compile(
    r"\b(?i:eircode|ireland|dublin|cork|galway|limerick|waterford|kilkenny|wexford|sligo|kerry"
    r"|donegal|mayo|wicklow|kildare|meath|louth|clare|tipperary|co\.)"
)
_EIRCODE_ALONE = re.compile(rf"\b({_EIRCODE})\b")
# Australia: a state, then four digits whose first digit fits the state ("NSW 2000").
_AU_POSTCODE = re.compile(r"\b(NSW|ACT|VIC|QLD|SA|WA|TAS|NT)\s+(\d{4})\b")
_AU_FIRST_DIGITS = {"NSW": "12", "ACT": "02", "VIC": "38", "QLD": "49", "SA": "5", "WA": "6",
                    "TAS": "7", "NT": "0"}  # fmt: skip


def _postcodes(text: str) -> Iterator[Finding]:
    if not _ANY_DIGIT.search(text):
        return  # every postcode shape holds a digit
    for pattern in _POSTCODES:
        for match in pattern.finditer(text):
            if not _CAPACITY.search(match.group(1)):
                yield _finding("POSTCODE", match, 1)
    yield from _cued_postcodes(text, _PLACE_CUE, _UK_POSTCODE_ANY_CASE)
    yield from _cued_postcodes(text, _IRISH_CUE, _EIRCODE_ALONE)
    yield from _australian_postcodes(text)


def _cued_postcodes(
    text: str, cue: re.Pattern[str], postcode: re.Pattern[str]
) -> Iterator[Finding]:
    """Postcodes within 60 characters after a cue ("ship to sw1a 1aa", "Dublin D02 P593")."""
    for found in cue.finditer(text):
        window = postcode.finditer(text, found.end(), min(len(text), found.end() + 60))
        yield from (_finding("POSTCODE", m, 1) for m in window if not _CAPACITY.search(m.group(1)))


def _australian_postcodes(text: str) -> Iterator[Finding]:
    for match in _AU_POSTCODE.finditer(text):
        fits_state = match.group(2)[0] in _AU_FIRST_DIGITS[match.group(1)]
        if fits_state and not _UNIT_AFTER.match(text, match.end()):  # "WA 6000 lumens"
            yield _finding("POSTCODE", match, 2)


# --- self-introduced names ----------------------------------------------------------------------

_REST = r"[^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
_WORD = rf"[^\W\d_]{_REST}"
# Up to four words: "Daniel van der Berg".
_NAME_WORDS = rf"({_WORD}(?:\s+{_WORD}){{0,3}})"
_PUNCTUATION_ENDS = (".", ",", "!", ";", ":", "-", "")
# What may follow a name ("" means the end of the text).
_INTRO_ENDINGS = (*_PUNCTUATION_ENDS, "and ", "from ", "here")
_CALLER_ENDINGS = ("from ", "here", "speaking", "calling")
# A first name from the lexicon after "this is"/"it's" may also end a clause: "this is Harriet,
# call me", "it's Ken - can i", "its marcus again".
_CALLER_LEXICON_ENDINGS = (*_CALLER_ENDINGS, *_PUNCTUATION_ENDS, "–", "again")
_SIGN_OFF_ENDINGS = ("", ".", "!", ",")
# Lower-case words that join the parts of a name: "Anneke de Vries", "Daniel van der Berg".
_PARTICLES = _word_set("van von de der den del della di da dos das du la le ter ten bin ibn al y")
# People a shopper names by their relation: "my son Leo", "our neighbour Rob Kettering".
_RELATIONS = (
    r"son|daughter|wife|husband|partner|mum|mom|mother|dad|father|brother|sister|friend"
    r"|boyfriend|girlfriend|fianc[ée]e?|kid|child|nephew|niece|grandson|granddaughter|grandma"
    r"|grandpa|granddad|grandad|nan|nana|aunt|auntie|uncle|cousin|colleague|neighbou?r|boss"
    r"|flatmate|roommate|housemate|teammate|coach|mate|stepson|stepdaughter|twin|boy|girl|lad"
    r"|lass|baby|toddler|godson|goddaughter|grandkid|grandchild"
)
# First names the lexicon leaves out because they are English words too: names only when
# capitalised after a cue that points at a person ("ask for Bill").
_WORD_NAMES = _word_set(
    "bill will mark jack rose grace june may pat sue frank bob max ray art carol dawn faith hope"
    " joy april august summer holly ivy lily daisy heather olive amber ruby pearl penny sandy"
)
# Outdoor brands and product names that are also in the first-name lexicon ("- Salomon",
# "it's Luna, the headlamp"): never a first name on their own.
_BRANDS = _word_set(
    "coleman columbia luna oakley primus rei salomon silva stanley sierra nevada terra mac"
    " merrell osprey patagonia keen hoka altra brooks teva chaco marmot north black mountain"
)
# Labels a name is written after in a form or a request: "account holder Jonas Becker", "the
# name on the booking is ...", "first name Ines last name Carvalho", "put the name X on it".
_NAME_LABELS = (
    r"(?:first|last|sur|family|given|middle|full|maiden)\s?name|surname"
    r"|name\s+(?:on|for|under)\s+(?:(?:the|my|this|that|his|her|our|their)\s+)?"
    r"(?:[^\W\d_]+\s+){0,2}?(?:is|was|reads|will\s+be|should\s+be)"
    r"|name\s+(?:on|for|under)\s+(?:[^\W\d_]+\s+){0,2}[^\W\d_]+(?=\s*:)"
    r"|(?:under|in)\s+the\s+name(?:\s+of)?|account\s+holder|card\s?holder"
    r"|customer|recipient|attn|c/o|addressee|contact\s+name|(?:booked|collected|reserved)\s+by"
)
# Verbs about a person at the store or the door: "ask for Bill", "I spoke to Jess".
_PERSON_VERBS = (
    r"ask(?:ed)?\s+for|(?:spoke|speak|talked|talk|chatted)\s+(?:to|with)|served\s+by"
    r"|helped\s+by|picked\s+up\s+by|signed\s+for\s+by|(?:for\s+the\s+)?attention\s+of"
)
# Visitors introduce themselves in their own language: "Je m'appelle Pierre Dupont", "Ich heiße
# Hans Müller", "me llamo Carlos", "mi chiamo Giulia", "ik heet Daan de Vries".
_FOREIGN_INTRODUCTIONS = (
    r"je\s+m['’]appelle|mon\s+nom\s+est|ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|me\s+llamo"
    r"|mi\s+nombre\s+es|mi\s+chiamo|il\s+mio\s+nome\s+[èe]|me\s+chamo|(?:o\s+)?meu\s+nome\s+[ée]"
    r"|ik\s+heet|mijn\s+naam\s+is|jag\s+heter|jeg\s+he(?:dd|t)er|nazywam\s+si[ęe]"
)
# What follows a name on a contact line: ", 4 Lochside Road", " - (555) 010-2288", ", sam@...".
_CONTACT_AFTER = r"(?=\s*(?:,|[-–—|/])\s*(?:\+|\(|\d|[\w.+-]+@))"
_PHONE_OR_EMAIL_AFTER = r"(?=\s*(?:,|[-–—|/:])\s*(?:\+\d|\(\d|\d[\d ().-]{6,}\d|[\w.+-]+@))"
# Where a lower-case surname may end: "I am sarah jones", "sarah jones, need boots".
_SURNAME_ENDINGS = (*_PUNCTUATION_ENDS, "and ", "from ", "here", "speaking", "calling")


@dataclass(frozen=True)
class _NameRule:
    """A cue that introduces a name, and what must follow the name.

    Capitalised words after the cue are a name when followed by one of ``endings``; a word of
    the first-name lexicon is one in any case when followed by one of ``lexicon_endings``.
    Empty endings accept whatever follows; ``None`` turns that path off.
    """

    pattern: re.Pattern[str]
    any_word: bool = False  # "my name is sam" names sam; "call me crazy" does not
    # Capitalised words count only if the first is a first name: "ask for Bill", not "ask for
    # Gore-Tex"; "I spoke to Jess", not "I spoke to Customer Service".
    first_name_needed: frozenset[str] | None = None  # words accepted besides the lexicon
    # Capitalised words needed, none in capitals only ("REI Co-op - (555) ..." is a shop).
    min_words: int = 1
    endings: tuple[str, ...] | None = ()
    lexicon_endings: tuple[str, ...] | None = ()
    # A lexicon name in lower case takes lower-case words after it as its surname when they end
    # where a name ends; off where the stop words that tell so are not in the text's language.
    lower_case_surname: bool = True


_NAME_RULES = (
    _NameRule(
        re.compile(
            r"\b(?:(?:my|his|her|their|our)\s+(?:[^\W\d_]+['’]s\s+)?name\s+(?:is|was)"
            r"|(?:my|his|her|their|our)\s+(?:[^\W\d_]+['’]s\s+)?name['’]?s"
            rf"|i['’]?m\s+called|i\s+am\s+called|i\s+go\s+by)\s+{_NAME_WORDS}"
            rf"|(?:^|[\n,;.]\s*)name\s*:\s*{_NAME_WORDS}",
            re.IGNORECASE,
        ),
        any_word=True,
    ),
    _NameRule(re.compile(rf"\b(?i:call\s+me)\s+{_NAME_WORDS}")),
    # Capitalised words, or a first name from the lexicon in any case ("me llamo carlos y..."):
    # the words after a name are not English, so the English stop words cannot end it.
    _NameRule(
        re.compile(rf"\b(?i:{_FOREIGN_INTRODUCTIONS})\s+{_NAME_WORDS}"), lower_case_surname=False
    ),
    # "I'm Sarah, ..." introduces Sarah; "I'm Large in most brands" does not; "i'm sarah" does,
    # because sarah is in the lexicon and "large" is not.
    _NameRule(re.compile(rf"\b(?i:i['’]?m|i\s+am)\s+{_NAME_WORDS}"), endings=_INTRO_ENDINGS),
    # "It's Kenji here" introduces Kenji; "it's Gore-Tex, right?" does not.
    _NameRule(
        re.compile(rf"\b(?i:this\s+is|it['’]?s)\s+{_NAME_WORDS}"),
        endings=_CALLER_ENDINGS,
        lexicon_endings=_CALLER_LEXICON_ENDINGS,
    ),
    _NameRule(
        re.compile(rf"\b(?i:mr|mrs|ms|miss|mx|dr|prof)\.?\s+{_NAME_WORDS}"), lexicon_endings=None
    ),
    _NameRule(
        re.compile(rf"\b(?i:thanks|thank\s+you|thx|cheers|ta),?\s+{_NAME_WORDS}"),
        endings=_SIGN_OFF_ENDINGS,
    ),
    _NameRule(
        re.compile(
            r"(?i:\b(?:regards|sincerely|best\s+wishes|all\s+the\s+best|signed|many\s+thanks)"
            r"|(?:^|[\n.!,]\s*)love|(?:^|[\n.!?]\s*)best(?=,))(?i:,?)"
            rf"\s+{_NAME_WORDS}"
        ),
        endings=_SIGN_OFF_ENDINGS,
    ),
    # A first name signed after a dash or alone on the last line: "in a 9? - Hannah",
    # "sent from my iphone - Bryn", "Sent from my iPhone\nMegan".
    _NameRule(
        re.compile(rf"(?:(?:^|\s)[-–—~]+|\n)\s*{_NAME_WORDS}[.!]?\s*$"),
        endings=None,
        lexicon_endings=(),
    ),
    # Labels and relations name whoever follows in capitals (or from the lexicon in any case).
    _NameRule(re.compile(rf"\b(?i:{_NAME_LABELS})(?:\s+(?i:is|was))?(?:\s*:\s*|\s+){_NAME_WORDS}")),
    _NameRule(
        re.compile(rf"(?:^|[\n,;.]\s*)(?i:name)(?:\s+(?i:is|was))?\s+{_NAME_WORDS}"),
        lexicon_endings=None,
    ),
    _NameRule(
        re.compile(
            rf"\b(?i:(?:my|our|his|her|their)\s+(?:(?:little|big|older|younger|eldest|youngest"
            rf"|best|step|twin)\s+)?(?:{_RELATIONS}))(?:\s*,)?\s+{_NAME_WORDS}"
        )
    ),
    _NameRule(
        re.compile(rf"\b(?i:{_PERSON_VERBS}|the\s+name)\s+{_NAME_WORDS}"),
        first_name_needed=_WORD_NAMES,
        lexicon_endings=None,
    ),
    # "the booking is under Priya Shah", "a gift for Tilly", "it's for Noah", "I reserved it
    # under Fatima Al-Sayed": only a first name
    # from the lexicon, as "for Summer" and "for Osprey packs" are shop talk.
    _NameRule(
        re.compile(
            r"\b(?i:(?:booking|reservation|order|table|appointment|parcel|collection)"
            r"(?:\s+is)?\s+(?:under|for)|(?:gift|present|something|shopping|buying|it['’]?s|it\s+is)"
            r"\s+for|(?:book(?:ed)?|reserved?|order(?:ed)?|hold|held|saved?|put|keep|kept)"
            r"(?:\s+(?:it|them|one))?\s+under"
            rf"|it['’]?s\s+under|it\s+is\s+under)\s+{_NAME_WORDS}"
        ),
        first_name_needed=frozenset(),
        lexicon_endings=None,
    ),
    # Greetings name whoever they greet: "Dear Sam,", "hi Aisha, thanks", "Happy birthday Ellie!".
    _NameRule(
        re.compile(
            r"(?:^|[\n.!?]\s*)(?i:dear|hi|hello|hey|morning|afternoon|evening|happy\s+birthday"
            rf"|xo|xx|xoxo)\s+{_NAME_WORDS}"
        ),
        endings=None,
        lexicon_endings=(",", "!", ".", "-", "–", "x", ""),
    ),
    # "can Rob Kettering pick up my order?", "Rob will collect it".
    _NameRule(
        re.compile(
            rf"(?:\b(?i:can|could|will|may)\s+|(?:^|[\n.,;!?]\s*))"
            rf"{_NAME_WORDS}(?=\s+(?i:(?:will|can|is\s+going\s+to|['’]ll)\s+)?(?:pick|collect))"
        ),
        lexicon_endings=None,
    ),
    # A contact line that starts with a name: "Samir Haddad - (555) 010-2288 - samir@...".
    _NameRule(
        re.compile(
            rf"(?:\b(?i:ship|deliver|send|post|mail)(?:\s+(?i:it|them))?\s+(?i:to)\s+|^|\n)"
            rf"{_NAME_WORDS}{_CONTACT_AFTER}"
        ),
        endings=None,
        lexicon_endings=(),
    ),
    # Two capitalised words or more before a phone number or e-mail at the start of a line:
    # "Olusegun Adebayo, 07700 900 118" (a name the lexicon lacks).
    _NameRule(
        re.compile(rf"(?:^|\n)\s*{_NAME_WORDS}{_PHONE_OR_EMAIL_AFTER}"),
        lexicon_endings=None,
        min_words=2,
    ),
    # "Sarah Jones here, ..." at the start of a message: only with a name from the lexicon, as
    # "Boots here?" starts with a capital too.
    _NameRule(
        re.compile(rf"^\W*(?:(?i:hi|hello|hey)\W+)?{_NAME_WORDS}\s+(?i:here)\b"),
        endings=None,
        lexicon_endings=("here",),
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
    " hi hello hey sorry glad happy excited ready done sold men man women woman boys girls kids"
    " service support care reviews review team account number id details card order customer"
    " staff manager store shop sales returns dept department desk office"
    " sie ihnen usted ustedes vous"
)
# A product noun right after a capitalised "name" makes it a brand: "Mr Men socks".
_NOT_BEFORE_NAME = _PRODUCT_NOUNS | _word_set("socks sock soap book books toy toys shirt hat")


@cache
def first_names() -> frozenset[str]:
    """The first-name lexicon: lower-case names of many locales, minus common English words."""
    data = resources.files("localbot").joinpath("data", "first_names.txt")
    lines = data.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _names(text: str) -> Iterator[Finding]:
    for rule in _NAME_RULES:
        position = 0
        # Search again from the end of the name, not of the match: the words the match took
        # past the name may hold the next cue ("first name Ines last name Carvalho"); with no
        # name, from the next character ("the name on the booking is ...").
        while match := rule.pattern.search(text, position):
            group = next(i for i, value in enumerate(match.groups(), 1) if value)
            span = _capitalised_name(match, group, rule) or _lexicon_name(match, group, rule)
            if span:
                yield Finding("NAME", span)
            position = span[1] if span else match.start() + 1


def _capitalised_name(match: re.Match[str], group: int, rule: _NameRule) -> tuple[int, int] | None:
    """Span of the name words in ``group``: stop at the first word that cannot be part of a name."""
    if rule.endings is None:
        return None
    kept = _name_words(match.group(group), rule.any_word)
    base = match.start(group)
    if not kept or not _followed_by(match.string, base + _end(kept), rule.endings):
        return None
    if len(kept) < rule.min_words or (rule.min_words > 1 and _shouted_or_brand(kept)):
        return None
    needed = rule.first_name_needed
    if needed is not None and not _is_first_name(kept[0].group(), needed):
        return None
    if _next_word(match.string, base + _end(kept)) in _NOT_BEFORE_NAME:
        return None  # a brand: "Mr Men socks"
    return base + kept[0].start(), base + _end(kept)


def _name_words(words: str, any_word: bool) -> list[re.Match[str]]:
    kept: list[re.Match[str]] = []
    tokens = list(re.finditer(r"\S+", words))
    for index, word in enumerate(tokens):
        bare = word.group().strip(".,!?;:").lower()
        capitalised = word.group()[0].isupper()
        # A capitalised "Van" or "An" inside a capitalised name is part of it ("Nguyen Van An").
        inside_name = capitalised and kept and bare not in ("i", "and", "or")
        if not capitalised and not any_word and kept and _particle_joins(tokens, index):
            kept.append(word)  # "de" in "Anneke de Vries"
            continue
        if (bare in _NOT_NAME_WORDS and not inside_name) or not (capitalised or any_word):
            break
        kept.append(word)
        if word.group()[-1] in ".,!?;:":
            break
    return kept


def _particle_joins(tokens: list[re.Match[str]], index: int) -> bool:
    """Whether the lower-case words from ``index`` are particles before a capitalised word."""
    for word in tokens[index:]:
        if word.group()[0].isupper():
            return True
        if word.group() not in _PARTICLES:
            return False
    return False


def _lexicon_name(match: re.Match[str], group: int, rule: _NameRule) -> tuple[int, int] | None:
    """A first name from the lexicon, in any case ("i'm sarah"), with the surname after it if
    that ends where a name ends ("I am sarah jones", but only "sarah" in "sarah see you")."""
    words = list(re.finditer(r"\S+", match.group(group)))
    if rule.lexicon_endings is None or not _is_first_name(words[0].group()):
        return None
    kept, capitalised = words[:1], words[0].group()[0].isupper()
    for word in words[1:] if capitalised or rule.lower_case_surname else []:
        if word.group().lower() in _NOT_NAME_WORDS or word.group()[0].isupper() != capitalised:
            break
        kept.append(word)
    base = match.start(group)
    # Capitals mark a surname ("I'm Sarah Jones looking for..."); in lower case only its place
    # does: punctuation or a word no name holds ("i'm sarah jones need boots") must follow it.
    # "thanks sarah see you" loses "see" too: a word too many beats a surname that leaks.
    while len(kept) > 1 and not capitalised:
        end = base + _end(kept)
        if _followed_by(match.string, end, _SURNAME_ENDINGS) or (
            _next_word(match.string, end) in _NOT_NAME_WORDS
        ):
            break
        kept.pop()
    if not _followed_by(match.string, base + _end(kept), rule.lexicon_endings):
        return None
    return base + kept[0].start(), base + _end(kept)


def _shouted_or_brand(kept: list[re.Match[str]]) -> bool:
    words = [word.group().rstrip(".,!?;:") for word in kept]
    return any(word.isupper() and len(word) > 1 for word in words) or words[0].lower() in _BRANDS


def _is_first_name(word: str, also: frozenset[str] = frozenset()) -> bool:
    bare = word.lower().rstrip(".,!?;:")
    if bare in _NOT_NAME_WORDS or bare in _BRANDS:
        return False
    return bare in first_names() or bare in also


def _end(kept: list[re.Match[str]]) -> int:
    """End of the last kept word within its group, trailing punctuation left out."""
    return kept[-1].start() + len(kept[-1].group().rstrip(".,!?;:"))


def _followed_by(text: str, end: int, endings: tuple[str, ...]) -> bool:
    """Whether what follows ``end`` starts with one of ``endings`` ("" means nothing follows)."""
    if not endings:
        return True
    after = text[end:].lstrip().lower()
    return any(after.startswith(ending) if ending else not after for ending in endings)
