"""The digest's one picture: 12 weeks of the key metrics, a small panel per metric, a line per team.

Made for a phone: two panels across, large type, the latest value labelled, and the
Okabe-Ito palette (safe for the common colour-vision deficiencies), with line styles as a
second cue once there are more teams than colours.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import cycle

import matplotlib

matplotlib.use("Agg")  # no display: the clock and CI have none

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from smartstep.definitions import load_definitions  # noqa: E402
from smartstep.digest.model import short_name  # noqa: E402
from smartstep.metrics.chart import mark_notes  # noqa: E402
from smartstep.metrics.noise import chart_points  # noqa: E402
from smartstep.metrics.notes import Note  # noqa: E402
from smartstep.metrics.reader import History  # noqa: E402
from smartstep.weeks import shift_week, week_range  # noqa: E402

CHART_METRICS = ("csat", "ces", "nps", "first_reply_hours", "backlog", "time_to_customer_value_days")
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
LINE_STYLES = ("-", "--", ":", "-.")
WEEKS = 12


def chart_png(history: History, period: str, teams: list[str], weeks: int = WEEKS, notes: Sequence[Note] = ()) -> bytes:
    """The PNG bytes of the trend chart for `teams` over the `weeks` weeks ending at `period`, with
    a mark in every panel for each note of those weeks (labelled in the first)."""
    figure = build_figure(history, period, teams, weeks, notes)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def build_figure(
    history: History, period: str, teams: list[str], weeks: int = WEEKS, notes: Sequence[Note] = ()
) -> Figure:
    axis_weeks = week_range(shift_week(period, -(weeks - 1)), period)
    metrics = [m for m in CHART_METRICS if any((t, m) in history for t in teams)] or list(CHART_METRICS[:2])
    rows = (len(metrics) + 1) // 2
    legend_rows = (len(teams) + 3) // 4
    panel, top, bottom = 3.4, 0.8, 0.5 + 0.32 * legend_rows  # inches
    height = rows * panel + top + bottom
    figure, axes = plt.subplots(rows, 2, figsize=(10, height), squeeze=False)
    # Fixed margins instead of tight_layout: measuring every label costs seconds with 20 teams.
    figure.subplots_adjust(left=0.08, right=0.95, top=1 - top / height, bottom=bottom / height, hspace=0.42, wspace=0.2)
    styles = list(zip(cycle(OKABE_ITO), [s for s in LINE_STYLES for _ in OKABE_ITO], strict=False))
    position = {week: i for i, week in enumerate(axis_weeks)}
    relevant = [n for n in notes if any(n.applies_to(t) for t in teams)]
    for index, metric in enumerate(metrics):
        _panel(axes[index // 2][index % 2], history, metric, teams, axis_weeks, styles)
        mark_notes(axes[index // 2][index % 2], relevant, position, labels=index == 0)
    for spare in range(len(metrics), rows * 2):
        axes[spare // 2][spare % 2].set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=14, frameon=False)
    figure.suptitle(f"Last {weeks} weeks to {period}", fontsize=18, fontweight="bold", y=1 - 0.25 / height)
    return figure


def _panel(axis: Axes, history: History, metric: str, teams: list[str], axis_weeks: list[str], styles: list) -> None:
    definition = load_definitions().get(metric)
    position = {week: i for i, week in enumerate(axis_weeks)}
    labelled: list[float] = []
    for team, (colour, style) in zip(teams, styles, strict=False):
        series = history.get((team, metric), [])
        points = [(position[period], value) for period, value in chart_points(series, metric) if period in position]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        axis.plot(xs, ys, color=colour, linestyle=style, linewidth=2.5, marker="o", markersize=4, label=team)
        if len(teams) <= 4 and all(abs(ys[-1] - y) > _gap(axis, ys) for y in labelled):
            labelled.append(ys[-1])
            label = f"{ys[-1]:.0f}" if abs(ys[-1]) >= 10 else f"{ys[-1]:.1f}"
            axis.annotate(label, (xs[-1], ys[-1]), xytext=(4, 0), textcoords="offset points", fontsize=12, color=colour)
    better = {"higher": " (higher is better)", "lower": " (lower is better)"}.get(definition.better, "")
    unit = f", {definition.unit}" if definition.unit not in ("pts",) else ""
    axis.set_title(f"{short_name(metric)}{unit}{better}", fontsize=14, loc="left")
    ticks = list(range(0, len(axis_weeks), 3))
    axis.set_xticks(ticks, [axis_weeks[i][-3:] for i in ticks], fontsize=12)
    axis.set_xlim(-0.5, len(axis_weeks) - 0.2)
    axis.tick_params(axis="y", labelsize=12)
    axis.yaxis.set_major_locator(MaxNLocator(5))
    axis.grid(True, alpha=0.3)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)


def _gap(axis: Axes, ys: tuple[float, ...]) -> float:
    """How far apart two end labels must be not to overlap (a share of the panel's range so far)."""
    low, high = axis.get_ylim()
    return 0.06 * max(high - low, max(ys) - min(ys), 1e-9)
