"""The CLI's printed reply: cards show each product's own currency."""

from localbot.assistant import ProductCard, Reply
from localbot.commands.conversation import print_reply_details


def _reply(*cards: ProductCard) -> Reply:
    return Reply("s1", 7, "q", "a", "complete", products=list(cards))


def test_cards_show_the_products_own_currency(capsys):
    print_reply_details(_reply(
        ProductCard("TEN-1", "Ridge Tent", 379.95, "USD", 4, 0.9),
        ProductCard("STV-1", "Alpen Stove", 89.0, "EUR", 0, 0.8),
        ProductCard("WAT-1", "Bottle", 1200.0, "CHF", 2, 0.7),
    ))  # fmt: skip
    out = capsys.readouterr().out
    assert "[TEN-1]  $379.95 USD  4 in stock" in out
    assert "[STV-1]  €89.00 EUR  out of stock" in out
    assert "[WAT-1]  1,200.00 CHF  2 in stock" in out
    assert "$89.00" not in out and "$1,200" not in out
