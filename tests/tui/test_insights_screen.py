"""The staff Insights screen on the real embedder and a copy of the demo database.

It shows the report over a simulated history (clusters, numbers, charts), and staff approve an
answer from its review list, after which a reworded question is served that answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Static, TabbedContent
from tui_helpers import ANSWER, QUESTION, REWORDED, load_simulator, settle

from localbot.store import TurnRecord
from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.insights import InsightsScreen
from localbot.tui.widgets.charts import BarChart
from localbot.tui.widgets.conversation import AnswerView

pytestmark = [pytest.mark.anyio, pytest.mark.real]


def rows(app: Any, selector: str) -> list[list[Any]]:
    table = app.screen.query_one(selector, DataTable)
    return [table.get_row_at(i) for i in range(table.row_count)]


async def test_insights_show_question_groups_numbers_and_charts(assistant, build_app) -> None:
    load_simulator().simulate(assistant.db, turns=300, weeks=4, seed=11)
    expected = assistant.insights()
    app = build_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, InsightsScreen)
        summary = str(app.screen.query_one("#summary", Static).content)
        assert f"{expected.turns} in {expected.sessions} conversations" in summary
        assert f"{expected.feedback_rate:.0%} of answers rated" in summary
        assert f"{expected.median_ttft_ms:,.0f} ms" in summary
        clusters = rows(app, "#clusters")
        assert [row[1] for row in clusters] == [c.size for c in expected.clusters]
        assert expected.clusters[0].name[:40] in str(clusters[0][4])
        assert rows(app, "#pain") and rows(app, "#products")
        hours = app.screen.query_one("#hour-chart", BarChart)
        assert "Questions by hour" in hours.plt.build()
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_approving_an_answer_in_the_review_list_makes_it_reused(assistant, build_app) -> None:
    session = assistant.new_session()
    record = TurnRecord(session, QUESTION, "", ANSWER, "complete", "m", [], ["TEN-0001"], [], {})
    turn = assistant.store.record_turn(record)
    app = build_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("a")  # not on the review tab: nothing happens
        await settle(pilot)
        assert [i.state for i in assistant.answers_for_review()] == ["pending"]
        app.screen.query_one(TabbedContent).active = "tab-review"
        await pilot.pause()
        assert rows(app, "#review")[0][0] == str(turn)
        assert QUESTION in str(app.screen.query_one("#review-detail", Static).content)
        await pilot.press("a")
        await settle(pilot)
        assert [(i.turn_id, i.state) for i in assistant.answers_for_review()] == [
            (turn, "approved")
        ]
        assert "approved" in str(rows(app, "#review")[0][1])
        assert app.screen.query_one("#approve").disabled

        await pilot.press("escape")
        await pilot.click("#question")
        await pilot.press(*REWORDED, "enter")
        await settle(pilot)
        view = app.screen.query_one(AnswerView)
        assert view.query(".reused") and "Ridgeback 2" in view.text
        stored = assistant.store.turn(view.turn_id)
        assert stored["model"] == "reused"
