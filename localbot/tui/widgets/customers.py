"""Staff mode's customer panel and the chat's customer bar: who the conversation is with.

The panel searches customers by name or loyalty number, and shows a picked customer's profile
(loyalty number, consent, a few past purchases, the top suggestions and why) in its own thread
workers under the app's lock. It tells the chat screen by :class:`~localbot.tui.messages.
CustomerChosen`; the screen then runs the chat for that customer and shows the bar above the
conversation. Contact details are never read: the profile API does not return them. Neither
widget exists in kiosk mode, so a kiosk never asks for customer data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from localbot.tui import messages
from localbot.tui.widgets.cards import money

if TYPE_CHECKING:
    from localbot.assistant import Assistant
    from localbot.customers import CustomerProfile, CustomerSummary
    from localbot.customers.service import Recommendations
    from localbot.tui.app import LocalbotApp

RESULTS = 20
PURCHASES_SHOWN = 4
SUGGESTIONS_SHOWN = 3


class CustomerPanel(Vertical):
    """Search box, matching customers, and the picked customer's profile."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer: CustomerSummary | None = None

    @property
    def localbot(self) -> LocalbotApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """Title, search box, results, profile and the clear button."""
        yield Static("Customer", classes="panel-title")
        yield Input(placeholder="Name or loyalty number", id="customer-search", max_length=60)
        yield OptionList(id="customer-results")
        with VerticalScroll(id="customer-profile-box"):
            yield Static("", id="customer-profile")
        with Horizontal(classes="history-buttons"):
            yield Button("Clear customer", id="customer-clear-panel", compact=True)

    def on_mount(self) -> None:
        """Nothing is shown until staff search."""
        self.query_one("#customer-results").display = False
        self.query_one("#customer-profile-box").display = False

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#customer-search", Input).focus()

    # Searching -----------------------------------------------------------------------------

    @on(Input.Changed, "#customer-search")
    @on(Input.Submitted, "#customer-search")
    def _search_changed(self, event: Input.Changed | Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.query_one("#customer-results").display = False
        elif self.localbot.ready:
            self._search(text)

    @work(thread=True, group="customer-search", exclusive=True, exit_on_error=False)
    def _search(self, text: str) -> None:
        found = self.localbot.guarded(lambda a: a.find_customers(text, RESULTS), self)
        if found is not None and not get_current_worker().is_cancelled:
            self.post_message(messages.CustomersFound(text, found))

    @on(messages.CustomersFound)
    def _found(self, event: messages.CustomersFound) -> None:
        event.stop()
        if event.text != self.query_one("#customer-search", Input).value.strip():
            return  # typed on since: a newer search is on its way
        results = self.query_one("#customer-results", OptionList)
        results.clear_options()
        results.add_options([Option(customer_label(c), id=c.id) for c in event.customers])
        if not event.customers:
            results.add_option(Option("No customer matches", disabled=True))
        results.display = True

    # Picking and clearing ------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#customer-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._load_profile(event.option.id)

    @work(thread=True, group="customer-profile", exclusive=True, exit_on_error=False)
    def _load_profile(self, customer_id: str) -> None:
        def read(assistant: Assistant) -> tuple[CustomerProfile, Recommendations]:
            profile = assistant.customer_profile(customer_id)
            return profile, assistant.recommend(customer_id, limit=SUGGESTIONS_SHOWN)

        loaded = self.localbot.guarded(read, self)
        if loaded is not None and not get_current_worker().is_cancelled:
            self.post_message(messages.CustomerLoaded(*loaded))

    @on(messages.CustomerLoaded)
    def _loaded(self, event: messages.CustomerLoaded) -> None:
        event.stop()
        self.customer = event.profile.summary
        self.query_one("#customer-profile", Static).update(
            profile_text(event.profile, event.recommendations)
        )
        self.query_one("#customer-profile-box").display = True
        self.query_one("#customer-results").display = False
        self.post_message(messages.CustomerChosen(self.customer))

    @on(Button.Pressed, "#customer-clear-panel")
    def _clear_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(messages.CustomerChosen(None))

    def forget(self) -> None:
        """The chat is anonymous again: hide the profile (the search text stays)."""
        self.customer = None
        self.query_one("#customer-profile", Static).update("")
        self.query_one("#customer-profile-box").display = False


class CustomerBar(Horizontal):
    """Above the conversation: which customer the chat is for, with a button to clear it."""

    def compose(self) -> ComposeResult:
        """The customer's name and consent, and the clear button."""
        yield Static("", id="customer-label")
        yield Button("✕ Clear", id="customer-clear", compact=True)

    def on_mount(self) -> None:
        """Hidden while the chat is anonymous."""
        self.display = False

    def show(self, customer: CustomerSummary | None) -> None:
        """Show who the chat is with, or hide the bar for None."""
        self.display = customer is not None
        if customer is not None:
            self.query_one("#customer-label", Static).update(customer_banner(customer))


def customer_label(customer: CustomerSummary) -> Content:
    """Two lines of a search result: the name, then loyalty number, consent and purchases."""
    meta = [customer.loyalty_number or "no loyalty number", consent_word(customer.consent)]
    if customer.purchases is not None:
        meta.append(f"{customer.purchases} purchases")
    return Content.from_markup(
        "$name\n[dim]$meta[/dim]", name=customer.display_name, meta=" · ".join(meta)
    )


def consent_word(consent: bool) -> str:
    """How a list says whether a customer agreed to personalisation."""
    return "consent yes" if consent else "consent no"


def customer_banner(customer: CustomerSummary) -> Content:
    """The chat's customer bar: name, loyalty number, and whether replies are personalised."""
    state = (
        "[b $success]replies personalised[/]"
        if customer.consent
        else "[b $warning]personalisation off (no consent)[/]"
    )
    return Content.from_markup(
        f"Serving [b]$name[/b] [dim]($loyalty)[/dim] · {state}",
        name=customer.display_name,
        loyalty=customer.loyalty_number or "no loyalty number",
    )


def profile_text(profile: CustomerProfile, recommendations: Recommendations) -> Content:
    """The profile summary: who, consent, tastes, recent purchases and top suggestions."""
    summary = profile.summary
    parts = [
        Content.from_markup("[b]$name[/b]", name=summary.display_name),
        Content(f"Loyalty: {summary.loyalty_number or '-'}"),
        Content(f"Customer since {summary.created_at[:7]}"),
        _consent_line(profile),
    ]
    if profile.favourite_categories:
        likes = ", ".join(f"{name} {share:.0%}" for name, share in profile.favourite_categories)
        parts.append(Content(f"Likes: {likes}"))
    if profile.recent_purchases:
        parts.append(Content.from_markup("\n[b]Recent purchases[/b]"))
        parts.extend(
            Content(f"• {p.name} ({p.purchased_at[:10]})")
            for p in profile.recent_purchases[:PURCHASES_SHOWN]
        )
    parts.extend(_suggestions(recommendations))
    return Content("\n").join(parts)


def _consent_line(profile: CustomerProfile) -> Content:
    if profile.summary.consent:
        return Content.from_markup("Consent: [b $success]yes[/] · replies are personalised")
    return Content.from_markup("Consent: [b $warning]no[/] · personalisation is off")


def _suggestions(recommendations: Recommendations) -> list[Content]:
    title = "Suggestions" if recommendations.personalised else "Popular (not personal)"
    lines = [Content.from_markup("\n[b]$title[/b]", title=title)]
    for item in recommendations.items[:SUGGESTIONS_SHOWN]:
        why = "; ".join(item.reasons) or "popular"
        lines.append(
            Content.from_markup(
                "• $name $price\n  [dim]$why[/dim]",
                name=item.name,
                price=money(item.price, item.currency),
                why=why,
            )
        )
    return lines if recommendations.items else []
