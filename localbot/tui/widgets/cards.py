"""Product cards under an answer: name, SKU, price, stock and why it matched, all from the database.

A card whose facts the verifier had to correct in the answer carries a visible mark, so a
shopper reading "$99" in an old sentence sees the card's price is the one that counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from localbot.assistant import ProductCard

SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "EUR": "€", "GBP": "£"}
LOW_STOCK = 5
TWO_COLUMNS_WIDTH = 64


def money(price: float, currency: str) -> str:
    """A price as a shopper reads it: ``$129.00`` (other currencies keep their code)."""
    symbol = SYMBOLS.get(currency.upper())
    return f"{symbol}{price:,.2f}" if symbol else f"{price:,.2f} {currency}"


def stock_label(stock: int) -> tuple[str, str]:
    """Words and a style for a stock level."""
    if stock <= 0:
        return "Out of stock", "$error"
    if stock <= LOW_STOCK:
        return f"Only {stock} left", "$warning"
    return f"In stock ({stock})", "$success"


def correction_note(corrections: Iterable[Mapping[str, Any]]) -> str:
    """One line saying which facts of this product were corrected in the answer."""
    notes = [
        f"{c['kind']} {c['original']!s} → {c['corrected'] or 'removed'!s}" for c in corrections
    ]
    return "; ".join(notes)


class ProductCardView(Static):
    """One product, read from the database at answer time."""

    def __init__(self, card: ProductCard, corrections: list[Mapping[str, Any]]) -> None:
        super().__init__(classes="-corrected" if corrections else "")
        self.card = card
        self.corrections = corrections
        self.border_title = card.sku

    def on_mount(self) -> None:
        """Render the card's lines."""
        self.update(self._content())

    def _content(self) -> Content:
        card = self.card
        stock, stock_style = stock_label(card.stock)
        lines = [
            Content.from_markup("[b]$name[/b]", name=card.name),
            Content.from_markup(
                f"[b]$price[/b]  [{stock_style}]$stock[/]",
                price=money(card.price, card.currency),
                stock=stock,
            ),
        ]
        if card.why:
            lines.append(Content.from_markup("[dim]Why: $why[/dim]", why=card.why))
        if self.corrections:
            note = correction_note(self.corrections)
            lines.append(Content.from_markup("[$warning]✎ Answer corrected: $note[/]", note=note))
        return Content("\n").join(lines)


class ProductCards(Grid):
    """The cards of one answer, two to a row on a wide screen."""

    def __init__(self, cards: list[ProductCard], corrections: Sequence[Mapping[str, Any]]) -> None:
        super().__init__()
        self.cards = cards
        self.corrections = corrections

    def on_resize(self, event: events.Resize) -> None:
        """Two cards to a row when they fit, else one (long product names stay readable)."""
        self.styles.grid_size_columns = 2 if event.size.width >= TWO_COLUMNS_WIDTH else 1

    def compose(self) -> ComposeResult:
        """One card per product, each with the corrections that name its SKU."""
        for card in self.cards:
            yield ProductCardView(card, [c for c in self.corrections if c.get("sku") == card.sku])
