"""Build localbot/data/first_names.txt: the first-name lexicon the redactor uses for names typed
in lower case ("i'm sarah, need boots").

Capitalisation tells the redactor that "I'm Sarah" is a name; in lower case only a list can tell
"i'm sarah" from "i'm after". The list is Faker's first names (MIT) for every locale written in
Latin script, lower-cased, with accent-free spellings added ("josé" and "jose"), minus words
that are also common English words ("will", "frank", "may", "grace"): those stay names only when
capitalised. The English words are the lower-case entries of a system word list (Debian's
``wamerican``/``wbritish``, at /usr/share/dict); capitalised entries there are proper nouns, so
they do not remove names. A few very common names that are rarely meant as the word after
"I'm" or "thanks" are kept (``KEEP``).

The output is committed, so the runtime never imports Faker. Rebuild after upgrading Faker:
``apt-get install wamerican wbritish`` (once), then
``.venv/bin/python scripts/build_first_names.py [--words FILE ...] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import faker
import faker.providers.person

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "localbot" / "data" / "first_names.txt"
DEFAULT_WORDS = [Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english")]
NAME_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female",
                   "first_names_nonbinary", "first_romanized_names")  # fmt: skip
# Latin letters only: the cues are English, and a name in another script has no case to lose.
LATIN_NAME = re.compile(r"^[a-zß-öø-ÿā-ſ]+(?:['’-][a-zß-öø-ÿā-ſ]+)*$")
# Words the system list lacks in lower case but that follow "it's" or "I'm" in shop talk.
EXTRA_STOP_WORDS = set(
    "january february march april may june july august september october november december"
    " monday tuesday wednesday thursday friday saturday sunday"
    " ok okay hi hey hello bye thanks thx cheers yes yeah yep nope lol pls btw im dont cant wont"
    " english british american dutch german french irish scottish welsh spanish italian"
    " xs xl xxl xxxl".split()
)
# Common names that are also English words, but nouns nobody puts after "I'm", "this is ... here"
# or "thanks" for their other sense; without them "i'm john" would go through.
KEEP = set(
    "john tom maria mike nick jack peter harry terry jimmy bobby billy sally tony martin victor"
    " roger carol josh matt rob ken don ray jay dean pat sue heather holly jasmine daisy lily"
    " ruby rose robin hazel iris ivy".split()
)


def faker_first_names() -> Iterator[str]:
    """Every first name in every Faker person provider (names with a space give each part)."""
    for module in pkgutil.iter_modules(faker.providers.person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for attribute in NAME_ATTRIBUTES:
            names = provider.__dict__.get(attribute) or getattr(provider, attribute, None)
            if isinstance(names, dict | list | tuple):  # some locales define them as properties
                for name in names:
                    yield from name.split()


def spellings(name: str) -> set[str]:
    """The lower-cased name and its accent-free spelling, if Latin letters throughout."""
    lowered = name.lower()
    if not LATIN_NAME.match(lowered):
        return set()
    plain = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return {lowered, plain} if LATIN_NAME.match(plain) else {lowered}


def english_words(paths: Iterable[Path]) -> set[str]:
    """Lower-case entries of the word lists (capitalised ones are names and places)."""
    words = set(EXTRA_STOP_WORDS)
    for path in paths:
        words |= {w for w in path.read_text(encoding="utf-8").split() if w.islower()}
    return words


def build(word_lists: Iterable[Path]) -> list[str]:
    """Sorted lexicon: Faker's names in Latin script, at least two letters, minus English words."""
    names = {spelling for name in faker_first_names() for spelling in spellings(name)}
    names = {name for name in names if len(name) >= 2}
    return sorted((names - english_words(word_lists)) | (KEEP & names))


def main() -> int:
    """Write the lexicon with a header that says where it came from."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=Path, nargs="+", default=DEFAULT_WORDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    missing = [path for path in args.words if not path.exists()]
    if missing:
        parser.error(f"no word list at {missing[0]}; apt-get install wamerican wbritish")
    names = build(args.words)
    header = (f"# {len(names)} first names, lower case: Faker {faker.VERSION} (MIT), Latin-script "
              "locales, minus common English words.\n# Generated by scripts/build_first_names.py; "
              "do not edit by hand.\n")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
