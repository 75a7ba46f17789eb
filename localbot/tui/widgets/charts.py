"""Terminal bar charts for the Insights screen, drawn by plotext through ``textual-plotext``.

Every chart is given its numbers as labels and values; the same numbers are also shown as text
beside it, since a chart in a terminal is too coarse to read exact values from.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

# Bars need room for labels; with more bars than this only every n-th label is written, few
# enough that plotext never has to drop overlapping ones (which it does unevenly).
MAX_LABELS = 8


class BarChart(PlotextPlot):
    """A titled bar chart (vertical, or horizontal for long labels such as questions)."""

    def __init__(self, horizontal: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, classes="chart")
        self.horizontal = horizontal

    def show_bars(self, title: str, labels: Sequence[str], values: Sequence[float]) -> None:
        """Replace the chart with one bar per label (nothing but the title when empty)."""
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        if labels:
            positions = [float(n) for n in range(1, len(labels) + 1)]
            if self.horizontal:
                plt.bar(positions, list(values), orientation="horizontal", width=0.6)
            else:
                plt.bar(positions, list(values), orientation="vertical", width=0.6)
            ticks, names = _thinned(positions, labels)
            if self.horizontal:
                plt.yticks(ticks, names)
            else:
                plt.xticks(ticks, names)
        self.refresh()


def _thinned(positions: list[float], labels: Sequence[str]) -> tuple[list[float], list[str]]:
    """At most :data:`MAX_LABELS` tick labels, evenly spaced, so they do not overprint."""
    step = max(1, -(-len(labels) // MAX_LABELS))
    return positions[::step], list(labels[::step])
