"""Redraw the README's screenshots (docs/screenshot-*.svg) from the real app, headless.

Runs the terminal UI over the demo store of LOCALBOT_HOME (or --home) with the real models, asks
one question in each mode, and saves what the terminal shows. The answers come from the model,
so each run draws slightly different text. Usage (after ``make setup``):
``.venv/bin/python scripts/screenshots.py [--home DIR] [staff] [kiosk]``.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from localbot.config import load_settings
from localbot.tui.app import make_app

ROOT = Path(__file__).resolve().parents[1]
# Tall enough for the question, the whole answer and its first cards (the view is scrolled to
# the top all the same, so a longer answer loses its end, never its question).
SHOTS = {  # mode: (file, terminal size, question)
    "staff": ("screenshot-staff.svg", (120, 46), "I need a light 2 person tent for backpacking"),
    "kiosk": ("screenshot-kiosk.svg", (100, 46), "can I return a used tent?"),
}


async def shoot(home: str | None, mode: str) -> Path:
    """Ask the mode's question, wait for the whole answer, save the screen."""
    name, size, question = SHOTS[mode]
    app = make_app(load_settings({"home": home}), mode)
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        await pilot.click("#question")
        await pilot.press(*question, "enter")
        await _settle(pilot)
        app.screen.query_one("#conversation").scroll_home(animate=False)
        app.set_focus(None)  # no blinking cursor in the picture
        await pilot.pause()
        app.save_screenshot(filename=name, path=str(ROOT / "docs"))
    return ROOT / "docs" / name


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):  # workers may start more workers (history, next-turn preparation)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def main() -> None:
    """Draw both screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="data folder (default: LOCALBOT_HOME)")
    parser.add_argument("modes", nargs="*", help="staff and/or kiosk (default: both)")
    args = parser.parse_args()
    if unknown := set(args.modes) - set(SHOTS):
        parser.error(f"unknown mode {sorted(unknown)[0]!r}; use staff or kiosk")
    for mode in args.modes or SHOTS:
        print(asyncio.run(shoot(args.home, mode)))


if __name__ == "__main__":
    main()
