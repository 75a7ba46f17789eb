"""The Insights screen (staff, F6): what shoppers ask, where answers fail, what they want, and
the review list where staff approve answers for reuse or retire them.

The report (:meth:`Assistant.insights`) embeds and clusters the logged questions, so it is built
in a thread worker under the app's lock, like every other call here; the tables and charts are
filled when its message arrives. Every chart has its numbers in a table or a line beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from localbot.tui import messages
from localbot.tui.widgets.cards import money
from localbot.tui.widgets.charts import BarChart

if TYPE_CHECKING:
    from localbot.assistant import Assistant
    from localbot.insights import Cluster, InsightsReport
    from localbot.reuse import ReviewItem
    from localbot.tui.app import LocalbotApp

PERIODS: list[tuple[str, int]] = [
    ("All stored", 0),
    ("Last 7 days", 7),
    ("Last 14 days", 14),
    ("Last 30 days", 30),
]
REVIEW_LIMIT = 50
TREND_ARROWS = {"rising": "↑", "falling": "↓", "steady": "→"}
STATE_LABELS = {"approved": "✓ approved", "retired": "✕ retired", "pending": "· pending"}
CHART_LABEL = 26


class InsightsScreen(Screen[None]):
    """Tabs: overview, common questions, pain points, demand, and answers to review."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f6", "close", "Back to chat"),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("a", "review('approved')", "Approve answer"),
        Binding("x", "review('retired')", "Retire answer"),
    ]

    def __init__(self) -> None:
        super().__init__(id="insights")
        self.items: list[ReviewItem] = []

    @property
    def localbot(self) -> LocalbotApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """The title bar with the period and the tabs."""
        with Horizontal(id="insights-bar"):
            yield Static("[b]Insights[/b]", id="insights-title")
            yield Select(PERIODS, value=0, allow_blank=False, id="period", compact=True)
            yield Button("Refresh", id="insights-refresh", compact=True)
            yield Button("Back to chat", id="insights-back", compact=True)
        with TabbedContent(id="insights-tabs"):
            with TabPane("Overview", id="tab-overview"):
                yield from self._overview()
            with TabPane("Questions", id="tab-questions"):
                yield DataTable(id="clusters", cursor_type="row", zebra_stripes=True)
                yield BarChart(horizontal=True, id="cluster-chart")
            with TabPane("Pain points", id="tab-pain"):
                yield from self._pain()
            with TabPane("Demand", id="tab-demand"):
                yield DataTable(id="products", cursor_type="row", zebra_stripes=True)
                yield Static("", id="out-of-stock", classes="insight-text")
            with TabPane("Review answers", id="tab-review"):
                yield from self._review()
        yield Footer()

    def _overview(self) -> ComposeResult:
        yield Static("Reading the conversations…", id="summary", classes="insight-text")
        with Horizontal(classes="charts"):
            yield BarChart(id="hour-chart")
            yield BarChart(id="day-chart")

    def _pain(self) -> ComposeResult:
        yield DataTable(id="pain", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(classes="insight-notes"):
            yield Static("", id="unanswered", classes="insight-text")
            yield Static("", id="corrected", classes="insight-text")

    def _review(self) -> ComposeResult:
        yield DataTable(id="review", cursor_type="row", zebra_stripes=True)
        with Vertical(id="review-detail-box"):
            yield Static("Pick an answer to read it in full.", id="review-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("✓ Approve (a)", id="approve", variant="success", compact=True)
                yield Button("✕ Retire (x)", id="retire", variant="error", compact=True)

    def on_mount(self) -> None:
        """Set up the tables' columns and read the report and the review list."""
        self._columns()
        self.action_refresh()

    def _columns(self) -> None:
        self.query_one("#clusters", DataTable).add_columns(
            "#", "Asked", "Trend (2 wk)", "👎 rate", "Most central question", "Top terms"
        )
        self.query_one("#pain", DataTable).add_columns(
            "#", "Question", "Unanswered", "Weak match", "👎 rate", "Comments"
        )
        self.query_one("#products", DataTable).add_columns("SKU", "Name", "Asked", "Stock", "Price")
        self.query_one("#review", DataTable).add_columns(
            "Turn", "State", "👍", "👎", "Asked on", "Question", "Answer"
        )

    # Loading -------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Read the report for the chosen period and the review list again."""
        self.query_one("#insights-tabs").loading = True
        period = self.query_one("#period", Select).value
        self._load_report(int(period) if isinstance(period, int) and period else None)
        self._load_review()

    @on(Button.Pressed, "#insights-refresh")
    @on(Select.Changed, "#period")
    def _refresh_requested(self) -> None:
        if self.is_mounted:
            self.action_refresh()

    @work(thread=True, group="insights", exclusive=True, exit_on_error=False)
    def _load_report(self, since_days: int | None) -> None:
        report = self.localbot.guarded(lambda a: a.insights(since_days), self)
        if get_current_worker().is_cancelled:
            return
        if report is not None:
            self.post_message(messages.InsightsLoaded(report))
        else:
            self.app.call_from_thread(self._stop_loading)

    @work(thread=True, group="review", exclusive=True, exit_on_error=False)
    def _load_review(self) -> None:
        items = self.localbot.guarded(lambda a: a.answers_for_review(REVIEW_LIMIT), self)
        if items is not None and not get_current_worker().is_cancelled:
            self.post_message(messages.ReviewLoaded(items))

    def _stop_loading(self) -> None:
        self.query_one("#insights-tabs").loading = False

    @on(messages.ActionFailed)
    def _failed(self, event: messages.ActionFailed) -> None:
        self.notify(event.problem.fix, title=event.problem.title, severity="error", timeout=8)

    # The report ----------------------------------------------------------------------------

    @on(messages.InsightsLoaded)
    def _report_loaded(self, event: messages.InsightsLoaded) -> None:
        report = event.report
        self._stop_loading()
        self.query_one("#summary", Static).update(summary_text(report))
        self._show_volume(report)
        self._show_clusters(report)
        self._show_pain(report)
        self._show_demand(report)

    def _show_volume(self, report: InsightsReport) -> None:
        hours = [f"{h:02d}" for h in range(24)]
        by_hour = [report.volume_by_hour.get(h, 0) for h in range(24)]
        self.query_one("#hour-chart", BarChart).show_bars("Questions by hour (UTC)", hours, by_hour)
        days = [day[5:] for day in report.volume_by_day]  # MM-DD
        by_day = list(report.volume_by_day.values())
        self.query_one("#day-chart", BarChart).show_bars("Questions by day", days, by_day)

    def _show_clusters(self, report: InsightsReport) -> None:
        table = self.query_one("#clusters", DataTable)
        table.clear()
        for c in report.clusters:
            trend = f"{TREND_ARROWS.get(c.trend, '')} {c.trend} ({c.previous}→{c.recent})"
            table.add_row(
                str(c.id), c.size, trend, f"{c.down_rate:.0%}", _cut(c.name, 60), ", ".join(c.terms)
            )
        top = report.clusters[:10][::-1]  # the biggest at the top of a horizontal chart
        self.query_one("#cluster-chart", BarChart).show_bars(
            "Most asked (questions per group)",
            [_cut(c.name, CHART_LABEL) for c in top],
            [c.size for c in top],
        )

    def _show_pain(self, report: InsightsReport) -> None:
        table = self.query_one("#pain", DataTable)
        table.clear()
        for c in report.pain_points()[:10]:
            table.add_row(
                str(c.id), _cut(c.name, 50), c.no_match, c.low_similarity,
                f"{c.down_rate:.0%} of {c.thumbs_up + c.thumbs_down}", pain_comments(c),
            )  # fmt: skip
        self.query_one("#unanswered", Static).update(unanswered_text(report))
        self.query_one("#corrected", Static).update(corrected_text(report))

    def _show_demand(self, report: InsightsReport) -> None:
        table = self.query_one("#products", DataTable)
        table.clear()
        for p in report.top_products:
            table.add_row(p.sku, _cut(p.name, 50), p.asks, p.stock, money(p.price, p.currency))
        self.query_one("#out-of-stock", Static).update(out_of_stock_text(report))

    # Reviewing answers ---------------------------------------------------------------------

    @on(messages.ReviewLoaded)
    def _review_loaded(self, event: messages.ReviewLoaded) -> None:
        table = self.query_one("#review", DataTable)
        row = table.cursor_row
        self.items = event.items
        table.clear()
        for item in event.items:
            table.add_row(
                str(item.turn_id), state_label(item.state), item.ups, item.downs,
                item.created_at[:16].replace("T", " "), _cut(item.question, 40),
                _cut(item.answer, 60), key=str(item.turn_id),
            )  # fmt: skip
        if event.items:
            table.move_cursor(row=min(row, len(event.items) - 1))
        self._show_detail()

    @on(DataTable.RowHighlighted, "#review")
    def _show_detail(self) -> None:
        item = self.highlighted_item()
        detail = self.query_one("#review-detail", Static)
        if item is None:
            detail.update("No generated answers yet." if not self.items else "")
            return
        detail.update(review_detail(item))
        self.query_one("#approve", Button).disabled = item.state == "approved"
        self.query_one("#retire", Button).disabled = item.state == "retired"

    def highlighted_item(self) -> ReviewItem | None:
        """The answer under the review table's cursor."""
        table = self.query_one("#review", DataTable)
        if not self.items or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return next((i for i in self.items if str(i.turn_id) == key), None)

    @on(Button.Pressed, "#approve")
    def _approve_pressed(self) -> None:
        self.action_review("approved")

    @on(Button.Pressed, "#retire")
    def _retire_pressed(self) -> None:
        self.action_review("retired")

    def action_review(self, decision: str) -> None:
        """Approve (served again for same-meaning questions) or retire the highlighted answer."""
        item = self.highlighted_item()
        if item is None:
            self.notify("Pick an answer in the review list first.", timeout=3)
        elif item.state != decision:
            self._decide(item.turn_id, decision)

    @work(thread=True, group="review", exit_on_error=False)
    def _decide(self, turn_id: int, decision: str) -> None:
        def record(assistant: Assistant) -> bool:
            decide = assistant.approve_answer if decision == "approved" else assistant.retire_answer
            decide(turn_id)
            return True

        if self.localbot.guarded(record, self):
            self.post_message(messages.AnswerReviewed(turn_id, decision))

    @on(messages.AnswerReviewed)
    def _reviewed(self, event: messages.AnswerReviewed) -> None:
        if event.decision == "approved":
            text = f"Answer {event.turn_id} approved: questions that mean the same get it."
        else:
            text = f"Answer {event.turn_id} retired: it is no longer served again."
        self.notify(text, timeout=4)
        self._load_review()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Approve and retire only on the review tab."""
        if action == "review":
            return self.query_one(TabbedContent).active == "tab-review"
        return True

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    @on(Button.Pressed, "#insights-back")
    def action_close(self) -> None:
        """Back to the chat."""
        self.dismiss(None)


def summary_text(report: InsightsReport) -> Content:
    """The headline numbers: questions, conversations, TTFT, feedback, unanswered."""
    if not report.turns:
        return Content("No conversations in this period yet.")
    period = f"last {report.since_days} days" if report.since_days else "all stored"
    ttft = f"{report.median_ttft_ms:,.0f} ms" if report.median_ttft_ms is not None else "n/a"
    rows = [
        ("Period", period),
        ("Questions", f"{report.turns:,} in {report.sessions:,} conversations"),
        ("Median time to first token", ttft),
        ("Feedback rate", f"{report.feedback_rate:.0%} of answers rated"),
        ("Thumbs", f"{report.thumbs_up} up, {report.thumbs_down} down"),
        ("Not answered", f"{report.no_match} (nothing relevant found)"),
        ("Weak matches", str(report.low_similarity)),
        ("Question groups", str(len(report.clusters))),
    ]
    lines = [
        Content.from_markup("[b]$key[/b]", key=f"{key:<28}") + Content(value) for key, value in rows
    ]
    return Content("\n").join(lines)


def pain_comments(cluster: Cluster) -> str:
    """A pain point's first shopper comments, or a dash."""
    return _cut("; ".join(cluster.comments[:3]), 60) or "-"


def unanswered_text(report: InsightsReport) -> Content:
    """The questions most often left unanswered, with how often."""
    if not report.unanswered:
        return Content("No question went unanswered.")
    lines = [Content.from_markup("[b]Unanswered most often[/b]")]
    lines += [Content(f"• {p.text} ×{p.count}") for p in report.unanswered[:8]]
    return Content("\n").join(lines)


def corrected_text(report: InsightsReport) -> Content:
    """The latest answers whose facts the verifier corrected against the database."""
    if not report.corrections:
        return Content("\nNo answer needed a fact corrected.")
    lines = [
        Content.from_markup("\n[b]Corrected facts[/b] ($n answers)", n=len(report.corrections))
    ]
    for turn in report.corrections[-6:][::-1]:
        fixes = "; ".join(correction_words(c) for c in turn.corrections)
        lines.append(Content(f"• {_cut(turn.question, 50)}: {fixes}"))
    return Content("\n").join(lines)


def correction_words(correction: dict[str, Any]) -> str:
    """``price of TEN-0001 $359.96 → $449.95``, from a logged verifier correction."""
    said = correction.get("original", "?")
    right = correction.get("corrected") or "(removed)"
    sku = f" of {correction['sku']}" if correction.get("sku") else ""
    return f"{correction.get('kind', 'fact')}{sku} {said} → {right}"


def out_of_stock_text(report: InsightsReport) -> Content:
    """Products shoppers asked for that were out of stock."""
    if not report.out_of_stock:
        return Content("\nNothing asked for was out of stock.")
    lines = [Content.from_markup("\n[b $warning]Asked for but out of stock[/]")]
    lines += [Content(f"• {p.sku} {p.name} (asked {p.asks}×)") for p in report.out_of_stock]
    return Content("\n").join(lines)


def state_label(state: str) -> str:
    """An answer's review state with a mark (plain text: table columns size to plain text)."""
    return STATE_LABELS.get(state, state)


def review_detail(item: ReviewItem) -> Content:
    """An answer in full, with its question, state and ratings."""
    return Content.from_markup(
        "[b]Q:[/b] $question\n[b]A:[/b] $answer\n[dim]turn $turn · $state · $ups 👍 $downs 👎[/dim]",
        question=item.question,
        answer=item.answer,
        turn=item.turn_id,
        state=item.state,
        ups=item.ups,
        downs=item.downs,
    )


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
