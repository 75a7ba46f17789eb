"""What an answer may quote: amounts in the store documents it was given (rates, fees)."""

import re
from typing import Any

PRICE = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")


def document_amounts(db: Any, reply: Any) -> set[float]:
    """Dollar amounts written in the documents ``reply`` names as the ones it drew on."""
    amounts = set()
    for document in reply.documents:
        for (text,) in db.execute("SELECT text FROM documents WHERE path = ?", [document["path"]]):
            amounts |= {round(float(a.replace(",", "")), 2) for a in PRICE.findall(text)}
    return amounts
