"""Redaction: typed placeholders per kind of personal data, look-alikes left alone, measured quality."""

import importlib.util
import subprocess
import sys
import time
import tomllib
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localbot.privacy import PII_TYPES, find_personal_data, first_names, is_card_number, redact

ROOT = Path(__file__).resolve().parents[1]


def load_bench():
    spec = importlib.util.spec_from_file_location(
        "bench_redaction", ROOT / "bench" / "redaction.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jane.doe@example.com now", "mail [EMAIL] now"),
        ("call (541) 555-0142 or +44 20 7946 0958", "call [PHONE] or [PHONE]"),
        ("card 4539 1488 0343 6467 exp 04/27", "card [CARD] exp 04/27"),
        ("IBAN DE89 3704 0044 0532 0130 00.", "IBAN [IBAN]."),
        ("ship to 418 Cedar Hollow Road, Bend, OR 97701", "ship to [ADDRESS], Bend, OR [POSTCODE]"),
        ("postcode SW1A 1AA", "postcode [POSTCODE]"),
        ("born on 14 March 1985", "born on [DOB]"),
        ("my name is John Smith and I need boots", "my name is [NAME] and I need boots"),
    ],
)
def test_each_type_becomes_its_placeholder(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Is JKT-0001 in XL under $449.95?",
        "order 4111 1111 1111 1112 was cancelled",  # fails the Luhn check
        "SKU 4402-1187-33 and part no 1200-5567-89",
        "a 2 person tent for 3 season use, 20000 mAh power bank",
        "is delivery on March 14, 2025 possible?",
        "I'm looking for Dr. Martens boots",
        "barcode 4006381333931, UPC 012345678905",
    ],
)
def test_look_alikes_are_left_alone(text):
    assert redact(text).text == text


# --- regressions from the privacy audit (issue #4, gaps 1-4) ----------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111 - 1111 - 1111 - 1111 for boots", "card [CARD] for boots"),
        ("ref 4539 1488 0343 6467 is my card", "ref [CARD] is my card"),
        ("my order number is 4539148803436467", "my order number is [CARD]"),
        ("visa 4111.1111.1111.1111", "visa [CARD]"),
        ("cc:4111111111111111exp0427", "cc:[CARD]exp0427"),
        ("card 4539  1488  0343  6467 thanks", "card [CARD] thanks"),
        ("diners 3654.2474.4805.96", "diners [CARD]"),
        ("mir 2200 1234 5678 9019", "mir [CARD]"),
    ],
    ids=["spaced-dashes", "after-ref", "after-order", "dots", "glued", "double-spaced",
         "dotted-diners", "mir"],
)  # fmt: skip
def test_a_card_is_found_whatever_its_separators_or_the_word_before(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["order #4539148803436468 hasn't arrived", "EAN 5012345678900", "barcode 4006381333931",
     "sizes 36 37 38 39 40 41 42 43", "49.99 59.99 69.99 79.99", "ISBN 978-0-306-40615-7",
     "USPS 9400 1000 0000 0000 0000 00", "from 2024-11-05 to 2024-11-06"],
    ids=["order-fails-luhn", "ean-13", "german-ean-13", "sizes", "prices", "isbn", "usps", "dates"],
)  # fmt: skip
def test_numbers_that_only_look_like_cards_stay(text):
    assert "[CARD]" not in redact(text).text


# --- regressions from the fourth privacy audit: other marks, other scripts --------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111/1111/1111/1111 exp 12/26", "card [CARD] exp 12/26"),
        ("card 4111_1111_1111_1111", "card [CARD]"),
        ("card 4111,1111,1111,1111, thanks", "card [CARD], thanks"),
        ("card 4111*1111*1111*1111", "card [CARD]"),
        ("card 4111•1111•1111•1111", "card [CARD]"),
        ("card 4111 | 1111 | 1111 | 1111", "card [CARD]"),
        ("card (4111) 1111-1111-1111", "card ([CARD]"),
        ("card 4111~1111~1111~1111", "card [CARD]"),
        ("card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 please", "card [CARD] please"),
        ("card ４１１１１１１１１１１１１１１１", "card [CARD]"),
        ("card ４１１１-１１１１-１１１１-１１１１ ok", "card [CARD] ok"),
        ("card ٤١١١ ١١١١ ١١١١ ١١١١", "card [CARD]"),
        ("card ۴۱۱۱۱۱۱۱۱۱۱۱۱۱۱۱", "card [CARD]"),
        ("mail jane.doe＠example.com today", "mail [EMAIL] today"),
        ("ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ please", "[EMAIL] please"),
        ("call ０２０ ７９４６ ０９５８", "call [PHONE]"),
    ],
    ids=["slashes", "underscores", "commas", "stars", "bullets", "bars", "brackets", "tildes",
         "digit-by-digit", "full-width", "full-width-dashes", "arabic-indic", "persian",
         "full-width-at", "full-width-email", "full-width-phone"],
)  # fmt: skip
def test_cards_with_any_mark_and_digits_of_any_script_are_found(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["sizes 36, 37, 38, 39, 40, 41, 42, 43", "orders 4539148803436468, 4012888888881882",
     "call 541-555-0142, 541-555-0199 or 541-555-0143", "from 12/03/2025 to 14/03/2025",
     "SKU 1234/5678/9012/3456", "versions 1.2.3.4.5.6.7.8", "prices 49,99 / 59,99 / 69,99",
     "sizes ３６ ３７ ３８ ３９ ４０ ４１ ４２ ４３", "barcode ４００６３８１３３３９３１"],
    ids=["comma-sizes", "two-orders", "phone-list", "dates", "sku", "versions", "euro-prices",
         "full-width-sizes", "full-width-ean"],
)  # fmt: skip
def test_the_safety_net_leaves_number_lists_alone(text):
    assert "[CARD]" not in redact(text).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je m'appelle Pierre Dupont et je cherche une tente",
         "Je m'appelle [NAME] et je cherche une tente"),
        ("Ich heiße Hans Müller und suche Schuhe", "Ich heiße [NAME] und suche Schuhe"),
        ("me llamo carlos y necesito botas", "me llamo [NAME] y necesito botas"),
        ("Hola, me llamo Ana Lucía García. ¿Tienen botas?", "Hola, me llamo [NAME]. ¿Tienen botas?"),
        ("mi chiamo Giulia Rossi", "mi chiamo [NAME]"),
        ("ik heet Daan de Vries", "ik heet [NAME]"),
        ("I booked it under Fatima Al-Sayed, table for 2", "I booked it under [NAME], table for 2"),
        ("please put it under Fatima Al-Sayed", "please put it under [NAME]"),
    ],
    ids=["french", "german", "spanish-lower-case", "spanish-full", "italian", "dutch",
         "booked-under", "put-under"],
)  # fmt: skip
def test_names_introduced_in_other_languages_or_booked_under(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["it is under 100 dollars", "I put it under the tent", "me llama la atención esta tienda",
     "booked under Osprey promo", "Ich heiße Sie willkommen", "kept them under Gore-Tex covers",
     "it's under Salomon in the list"],
)  # fmt: skip
def test_shop_talk_after_those_cues_is_no_name(text):
    assert "NAME" not in redact(text).types


def test_folding_other_digits_keeps_the_rest_of_the_text_as_typed():
    text = "Grüße, card ４１１１ １１１１ １１１１ １１１１ für 49,99 €"
    redaction = redact(text)
    assert redaction.text == "Grüße, card [CARD] für 49,99 €"
    (finding,) = redaction.findings
    assert text[slice(*finding.span)] == "４１１１ １１１１ １１１１ １１１１"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i'm sarah, need boots", "i'm [NAME], need boots"),
        ("I am sarah jones", "I am [NAME]"),
        ("this is sarah speaking", "this is [NAME] speaking"),
        ("thanks sarah", "thanks [NAME]"),
        ("thanks sarah, see you soon", "thanks [NAME], see you soon"),
        ("i'm sarah jones need boots", "i'm [NAME] need boots"),
        ("I'm Sarah Jones looking for boots", "I'm [NAME] looking for boots"),
        ("Kind regards, Sarah Jones", "Kind regards, [NAME]"),
        ("it's dave from the club", "it's [NAME] from the club"),
        ("I'm Sarah looking for boots", "I'm [NAME] looking for boots"),
        ("Sarah Jones here, any tents?", "[NAME] here, any tents?"),
        ("my wife's name is Maria", "my wife's name is [NAME]"),
        ("hi, i'm jose", "hi, i'm [NAME]"),
    ],
)
def test_names_after_a_cue_are_found_in_any_case(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["i'm looking for a tent", "I am after a rain jacket", "this is great", "thanks so much",
     "thanks, will do", "it's june next week", "I'm Large in most brands", "Mr Men socks for kids",
     "call me crazy", "I love Osprey", "which is the best Osprey", "Boots here?"],
)  # fmt: skip
def test_cue_words_followed_by_ordinary_words_are_not_names(text):
    assert "NAME" not in redact(text).types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email jane[at]example.com please", "email [EMAIL] please"),
        ("send it to tom @ example.com", "send it to [EMAIL]"),
        ("my email is jane dot doe at gmail dot com", "my email is [EMAIL]"),
        ("born in March 1985", "born in [DOB]"),
        ("my DOB is 1985/03/14", "my DOB is [DOB]"),
        ("birthday: 14-Mar-1985", "birthday: [DOB]"),
        ("date of birth 19850314", "date of birth [DOB]"),
        ("ship to sw1a 1aa", "ship to [POSTCODE]"),
        ("I live at 42 Wallaby Way, Sydney NSW 2000", "I live at [ADDRESS], Sydney NSW [POSTCODE]"),
        ("I live at 12 Oak Hill, Leeds", "I live at [ADDRESS], Leeds"),
        ("you can contact me on 0412 345 678", "you can contact me on [PHONE]"),
        ("0412 345 678 is my mobile", "[PHONE] is my mobile"),
        ("my French mobile is 06 12 34 56 78", "my French mobile is [PHONE]"),
        ("+447700900123 is my number", "[PHONE] is my number"),
        ("IBAN DE89-3704-0044-0532-0130-00", "IBAN [IBAN]"),
    ],
)
def test_other_forms_the_audit_found(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["look at rei.com for the price", "deliver to 2 people", "05 10 15 20 25 litre packs",
     "WA 6000 lumens", "born in the USA t-shirt", "ship to a5 4th floor"],
)  # fmt: skip
def test_look_alikes_of_the_new_forms_are_left_alone(text):
    assert redact(text).text == text


# --- classes the blind held-out set found (tests/data/pii_heldout.jsonl) ------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call (555) 013-4471 today", "call [PHONE] today"),
        ("555.012.9087 is my work line", "[PHONE] is my work line"),
        ("+1-555-019-2233 ext. 41 after six", "[PHONE] after six"),
        ("my desk is 555-014-7710 x12", "my desk is [PHONE]"),
        ("text me 07700 900 461 please", "text me [PHONE] please"),
        ("555-0137 is my number", "[PHONE] is my number"),
        ("(555) 016-4410x7 is the desk", "[PHONE] is the desk"),
    ],
    ids=[
        "parentheses",
        "dots",
        "plus-one-extension",
        "x-extension",
        "uk-mobile-5-3-3",
        "cue-after",
        "glued-extension",
    ],
)
def test_phone_shaped_numbers_are_phones_whether_or_not_the_exchange_is_assignable(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["ups tracking 1Z 999 AA1 01 2345 6784 says delivered", "UPS 1Z4E109W0398765432 is late",
     "tracking no: 0161 496 0321 88 stuck", "loyalty ref 4410 0723 5672 5416",
     "pack sizes 100 200 3000 in the range?", "order 555-013-4471 never arrived",
     "SKU 123-456-7890 in stock"],
)  # fmt: skip
def test_tracking_numbers_and_digit_runs_hold_no_phone(text):
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Telefon 0711 / 234 567 89", "Telefon [PHONE]"),
        ("Tel. 040/7654321 bitte", "Tel. [PHONE] bitte"),
        ("erreichbar unter 0221 / 98 76 54 30", "erreichbar unter [PHONE]"),
    ],
)
def test_german_numbers_with_a_slash_after_the_area_code_are_phones(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mi móvil es 654 321 987", "mi móvil es [PHONE]"),
        ("teléfono: 699 112 233", "teléfono: [PHONE]"),
        ("telefono 348 765 4321", "telefono [PHONE]"),
        ("mon portable 07 98 76 54 32", "mon portable [PHONE]"),
        ("Handy 0172 3456789", "Handy [PHONE]"),
        ("komórka 601 234 567", "komórka [PHONE]"),
        ("numer telefonu 512 987 654", "numer telefonu [PHONE]"),
    ],
)
def test_numbers_after_a_phone_cue_in_other_languages_are_phones(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email me at sara dot lind at proton dot me", "email me at [EMAIL]"),
        ("reach me at tom dot okafor at outlook dot com", "reach me at [EMAIL]"),
        ("my email is jane dot doe at gmail dot com", "my email is [EMAIL]"),
    ],
)
def test_a_spelled_out_address_is_not_cut_short_by_an_earlier_at(text, expected):
    redaction = redact(text)
    assert redaction.text == expected
    assert len(redaction.findings) == 1


@pytest.mark.parametrize(
    "text",
    ["I placed three orders: 3106620471, 7183340925 and 4156720384",
     "order numbers 6465550178 & 9173340022 both late",
     "my orders are 2129876543 and 3125559876 - any news?"],
)  # fmt: skip
def test_bare_digit_runs_listed_after_order_are_order_numbers(text):
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("orders 3106620471 and 7183340925, call me on 4156720384",
         "orders 3106620471 and 7183340925, call me on [PHONE]"),
        ("two orders, 3106620471 and (718) 334-0925", "two orders, 3106620471 and [PHONE]"),
        ("orders 3106620471, my mobile 7183340925", "orders 3106620471, my mobile [PHONE]"),
    ],
)  # fmt: skip
def test_a_phone_among_order_numbers_is_still_a_phone(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deliver to Herengracht 401-III, 1017 BP Amsterdam",
         "deliver to [ADDRESS], [POSTCODE] Amsterdam"),
        ("envío a Calle de Alcalá 45, 2º 1ª, 28014 Madrid", "envío a [ADDRESS], [POSTCODE] Madrid"),
        ("Unit 3, 14 Harbour Quay, Cork T12 X70A", "[ADDRESS], Cork [POSTCODE]"),
        ("my eircode is A65 F4E2 ok", "my eircode is [POSTCODE] ok"),
        ("Ivy Cottage, Church Lane, Ambleside LA22 0BU", "[ADDRESS], Ambleside [POSTCODE]"),
        ("7 Heol y Nant, Aberystwyth SY23 1AB", "[ADDRESS], Aberystwyth [POSTCODE]"),
        ("home is Flat 2, 9-11 Dock Wharf so ring", "home is [ADDRESS] so ring"),
        ("send to 14 the avenue m20 2ab", "send to [ADDRESS] [POSTCODE]"),
        ("ship to 880 Juniper Ave redmond 98052", "ship to [ADDRESS] redmond [POSTCODE]"),
        ("my postcode is ls61ap, ok?", "my postcode is [POSTCODE], ok?"),
        ("ship to Damrak 70, 1012 LM Amsterdam", "ship to [ADDRESS], [POSTCODE] Amsterdam"),
        ("Rua Augusta 100, 1100-053 Lisboa", "[ADDRESS], [POSTCODE] Lisboa"),
    ],
    ids=["dutch", "spanish-floor", "irish-unit-quay", "eircode-cue", "house-name",
         "welsh-postcode-after", "home-is-unit", "lower-case-the", "zip-after-town", "compact-uk",
         "name-then-number", "portuguese"],
)  # fmt: skip
def test_addresses_without_an_english_street_word_are_found_by_their_cues(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["is the Ridge Road trail shoe waterproof", "grid ref NY 342 151 for the start",
     "the Harbour Rise jacket in size 12", "model A12 B345 in black", "Via Ferrata 2 kit",
     "zip 3000 cycles on the YKK", "D02 P593 adaptor for the stove", "model XR2 4GB edition"],
)  # fmt: skip
def test_place_shaped_product_talk_stays(text):
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the name on the reservation is Sofia de la Cruz", "the name on the reservation is [NAME]"),
        ("first name Tomasz last name Nowak", "first name [NAME] last name [NAME]"),
        ("cardholder Elena Rossi, expiry 09/27", "cardholder [NAME], expiry 09/27"),
        ("my nephew Oisin wants a headtorch", "my nephew [NAME] wants a headtorch"),
        ("please ask for Frank at the bay", "please ask for [NAME] at the bay"),
        ("could Fiona Grant collect my order", "could [NAME] collect my order"),
        ("any news on my repair? - Declan", "any news on my repair? - [NAME]"),
        ("Best, Olga", "Best, [NAME]"),
        ("Chloe Martin - (555) 014-9901", "[NAME] - [PHONE]"),
        ("deliver to Amara Okafor, 5 Elm Grove", "deliver to [NAME], [ADDRESS]"),
        ("kind regards Joost van Dijk, Amsterdam", "kind regards [NAME], Amsterdam"),
        ("it's Aisling - is the sale on", "it's [NAME] - is the sale on"),
        ("collect under the name Fitzgerald", "collect under the name [NAME]"),
        ("the booking is under Priya Shah", "the booking is under [NAME]"),
        ("is it in stock?\nSent from my iPhone\nMegan", "is it in stock?\nSent from my iPhone\n[NAME]"),
        ("hi Aisha, thanks", "hi [NAME], thanks"),
        ("Olusegun Adebayo, 07700 900 118", "[NAME], [PHONE]"),
    ],
    ids=["name-on-booking", "first-last", "cardholder", "relation", "ask-for", "collect",
         "dash-sign-off", "best", "contact-line", "ship-to-name", "particles", "its-dash",
         "under-the-name", "booking-under", "last-line", "greeting", "contact-line-capitals"],
)  # fmt: skip
def test_names_after_labels_relations_and_sign_offs_are_found(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["ask for Gore-Tex if you want waterproof", "I spoke to Customer Service yesterday",
     "the name Osprey Talon confuses me", "sizes 9 and 10 - Salomon", "it's Luna, the headlamp",
     "Regards, Customer Team", "can Large be swapped for Medium", "can Osprey packs be returned",
     "what is the name of the blue tent", "my friend recommended the Merrell Moab",
     "North Face: 0800 123 4567", "REI Co-op - (555) 019-2288", "it's for Summer camping",
     "Trail Runner, 42 in stock"],
)  # fmt: skip
def test_brands_and_shop_words_after_the_new_cues_are_not_names(text):
    assert "NAME" not in redact(text).types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4539\t1488\u00a00343  6467", "card [CARD]"),
        ("card 4111\u200b1111\u200b1111\u200b1111", "card [CARD]"),
        ("my name is\u00a0Sarah", "my name is\u00a0[NAME]"),
        ("call me on 541\u2009555\u20090142", "call me on [PHONE]"),
        ("great,  my number is  +44  7700  900123", "great,  my number is  [PHONE]"),
        ("thanks,\n\tsarah", "thanks,\n\t[NAME]"),
    ],
    ids=["tab-nbsp-double", "zero-width", "nbsp-name", "thin-spaces", "double-spaces", "newline"],
)
def test_any_whitespace_between_the_parts_is_redacted_whole(text, expected):
    """Feedback comments reach the redactor untidied: it must not rely on its callers."""
    assert redact(text).text == expected


def test_the_lexicon_holds_first_names_not_english_words():
    names = first_names()
    assert {"sarah", "dave", "priya", "jose", "josé", "emma", "kenji"} <= names
    assert not {"will", "may", "june", "grace", "after", "great", "looking", "so"} & names


def test_the_lexicon_ships_as_package_data_and_faker_stays_out_of_the_runtime():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/*.txt" in pyproject["tool"]["setuptools"]["package-data"]["localbot"]
    assert not any("faker" in dep.lower() for dep in pyproject["project"]["dependencies"])
    code = ("import sys; from localbot.privacy import redact; "
            "assert redact(\"i'm sarah\").text == \"i'm [NAME]\"; assert 'faker' not in sys.modules")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_findings_carry_type_and_span_in_the_original_text():
    text = "Hi, I'm Dana, dana@example.com"
    result = redact(text)
    assert [(f.type, text[slice(*f.span)]) for f in result.findings] == [
        ("NAME", "Dana"),
        ("EMAIL", "dana@example.com"),
    ]
    assert result.types == {"NAME", "EMAIL"}


def test_card_checks_luhn_and_issuer():
    assert is_card_number("4111111111111111")
    assert not is_card_number("4111111111111112")
    assert not is_card_number("9111111111111119")  # no issuer starts with 9
    assert not is_card_number("4006381333931")  # an EAN-13 barcode


def test_labelled_set_meets_the_bar():
    bench = load_bench()
    cases = bench.load_cases()
    scores = bench.score(cases)
    assert len(cases) >= 300
    assert sum(1 for case in cases if not case["pii"]) >= 100  # look-alikes
    for kind in bench.CRITICAL_TYPES:
        assert scores.recall(kind) >= 0.98, kind
    for kind in PII_TYPES:
        assert scores.precision(kind) >= 0.95, kind
        assert scores.gold[kind] >= 10, f"too few labelled {kind}"


@pytest.mark.parametrize("name", ["pii_heldout.jsonl", "pii_heldout2.jsonl"])
def test_held_out_sets_meet_the_bar_for_cards_emails_and_phones(name):
    # Written by people who had not seen the redactor, but since tuned on (they exposed classes
    # of mistakes that were then fixed): regression sets now, not blind ones. The other types
    # are reported by the bench (bench/RESULTS.md), since names and addresses generalise less.
    bench = load_bench()
    scores = bench.score(bench.load_cases(bench.DEFAULT_CASES.parent / name))
    for kind in bench.CRITICAL_TYPES:
        assert scores.recall(kind) >= 0.98, kind
        assert scores.precision(kind) >= 0.95, kind
    assert min(scores.precision(kind) for kind in PII_TYPES) >= 0.95


def test_generated_cards_are_all_found_and_look_alikes_rarely_taken_for_cards():
    trade_off = load_bench().card_trade_off()
    assert trade_off.recall == 1.0
    assert trade_off.marked_recall == 1.0 and trade_off.marked_cards == 400  # other marks, digits
    # Only Luhn-valid order numbers with an issuer's prefix, on purpose: about 2% of them.
    assert trade_off.lookalike_rate <= 0.01, trade_off.lookalikes


def test_bench_prints_one_result_line(capsys, monkeypatch):
    bench = load_bench()
    monkeypatch.setattr("sys.argv", ["redaction.py"])
    assert bench.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("RESULT ") and "card_r=" in lines[-1]
    assert sum(line.startswith("RESULT") for line in lines) == 1


def test_redaction_is_fast():
    text = "Hi, my name is John Smith, call me on (541) 555-0142 about the 2 person tent"
    started = time.perf_counter()
    for _ in range(200):
        redact(text)
    # About 0.2 ms on an idle machine; the margin absorbs a CI box busy with other suites.
    assert (time.perf_counter() - started) / 200 < 0.02


@pytest.mark.parametrize(
    "text",
    ["1 " * 1000, "call " + "1-" * 1000, "4111 1111 1111 1111 " * 100, "a." * 1000 + "@",
     "12 Oak Oak Oak " * 150, "my name is " * 200, "+1 " * 700, "a dot " * 1000 + "at",
     "jane dot " * 500 + "at b dot " * 500, "\u200b \t" * 2000 + "1", "0412 " * 1000,
     "thanks sarah " * 500, "ship to 12 " * 500, "111." * 1000],
    ids=["digit-groups", "cued-digits", "many-cards", "dots", "streets", "names", "plus-signs",
         "spelled-dots", "spelled-email", "invisible", "trunk-zeros", "lexicon", "cued-street",
         "dotted-groups"],
)  # fmt: skip
def test_pathological_input_stays_fast(text):
    """A kiosk user pasting junk must not stall the assistant (no cubic or exponential paths)."""
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 5.0  # under 0.5 s idle; the cubic version took minutes


# --- properties ---------------------------------------------------------------------------------


def luhn_complete(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


cards = st.builds(
    lambda prefix, rest: luhn_complete((prefix + rest)[:15]),
    st.sampled_from(["4", "51", "55", "6011", "3528"]),
    st.text("0123456789", min_size=14, max_size=14),
)
# Whatever people type between the groups, and whatever word comes before (gap 1 of the audit).
separators = st.sampled_from(["", " ", "-", "  ", " - ", ".", "\t", "\u00a0", "–", "\u200b",
                              "/", "_", ",", "*", "•", " | ", "~", "+", ":", ") ("])  # fmt: skip
# Digits as other keyboards type them: ASCII, full-width, Arabic-Indic, Persian, Devanagari.
DIGIT_SCRIPTS = ["0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९"]
scripts = st.sampled_from(DIGIT_SCRIPTS)


def in_script(text: str, script: str) -> str:
    return text.translate(str.maketrans("0123456789", script))


def as_ascii(text: str) -> str:
    """The digits of ``text`` in ASCII, whatever script they were written in."""
    return "".join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())


words = st.lists(
    st.sampled_from(["tent", "jacket", "size", "under", "$49.99", "XL", "please", "stock", "for",
                     "order", "ref", "receipt", "serial no", "sku"]),
    max_size=6,
).map(" ".join)  # fmt: skip
glue = st.sampled_from([" ", "", ":", " #"])


@settings(max_examples=300, deadline=None)
@given(cards, separators, words, glue, words, scripts)
def test_a_card_number_never_survives(card, separator, before, joint, after, script):
    assert is_card_number(card)
    shown = in_script(separator.join(card[i : i + 4] for i in range(0, 16, 4)), script)
    if before[-1:].isdigit() and not joint.strip():
        joint = " "  # "$49.994111...": digits glued to digits are one number, for a reader too
    text = f"{before}{joint}{shown} {after}"
    redacted = redact(text).text
    assert "[CARD]" in redacted
    assert card not in as_ascii(redacted)


emails = st.builds(
    lambda user, domain, tld: f"{user}@{domain}.{tld}",
    st.from_regex(r"[a-z][a-z0-9._+-]{0,15}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True),
    st.sampled_from(["com", "org", "co.uk", "de", "io"]),
)


@settings(max_examples=150, deadline=None)
@given(emails, words)
def test_an_email_never_survives(email, context):
    assert email not in redact(f"{context} {email}, {context}").text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_redaction_is_idempotent_and_findings_are_ordered(text):
    first = redact(text)
    assert redact(first.text).text == first.text
    spans = [finding.span for finding in find_personal_data(text)]
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    assert all(0 <= start < end <= len(text) for start, end in spans)
