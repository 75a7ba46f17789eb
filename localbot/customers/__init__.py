"""Known customers: profiles, purchases, browsing, consent, recommendations and personalisation.

- :mod:`.validation` and :mod:`.importer`: ``localbot customers import`` (validated, quarantined);
- :mod:`.profiles`: :class:`CustomerStore`, which refuses to exist in kiosk mode;
- :mod:`.recommend`: the blend of bought-together, history similarity and popularity;
- :mod:`.service`: what the Assistant calls: find, profile, recommend, personalise a reply.

Personal use of a customer's data needs their consent (``consent_personalisation``); without it
they get what any shopper gets. The tables are registered in :mod:`localbot.governance`, so
``forget`` and ``export --customer`` cover them.
"""

from localbot.customers.profiles import (
    CustomerError,
    CustomerHistory,
    CustomerProfile,
    CustomerStore,
    CustomerSummary,
    refuse_in_kiosk,
)

__all__ = [
    "CustomerError",
    "CustomerHistory",
    "CustomerProfile",
    "CustomerStore",
    "CustomerSummary",
    "refuse_in_kiosk",
]
