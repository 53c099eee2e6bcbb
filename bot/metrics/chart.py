"""One metric's trend as a PNG for a Slack thread: a line per team, the 90% interval shaded, phone-sized.

Uses matplotlib's object API (no pyplot state), so charts can be drawn from several listener threads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from smartstep.definitions import load_definitions
from smartstep.metrics.noise import chart_points
from smartstep.metrics.notes import Note
from smartstep.metrics.values import History

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")  # colour-blind safe
LINE_STYLES = ("-", "--", ":", "-.")


def metric_chart_png(
    history: History, metric: str, teams: list[str], period: str, weeks: int = 12, notes: Sequence[Note] = ()
) -> bytes:
    """The PNG bytes of `metric` for `teams` over the `weeks` weeks up to `period`, with a mark for
    each note dated in those weeks (for these teams or for everyone)."""
    definition = load_definitions().get(metric)
    figure = Figure(figsize=(6.4, 3.6), dpi=110)
    FigureCanvasAgg(figure)
    axis = figure.add_subplot()
    shown: list[str] = []
    for n, team in enumerate(teams[: len(OKABE_ITO) * len(LINE_STYLES)]):
        series = [v for v in history.get((team, metric), []) if v.period <= period]
        values = series[-weeks:]
        if not values:
            continue
        # Weeks on too few answers are drawn as their pooled weeks, or left out (the one decision's rule).
        drawn = dict(chart_points(series, metric))
        xs = [i for i, v in enumerate(values) if v.period in drawn]
        colour, style = OKABE_ITO[n % len(OKABE_ITO)], LINE_STYLES[n // len(OKABE_ITO)]
        axis.plot(xs, [drawn[values[i].period] for i in xs], style, color=colour, linewidth=2.2, marker="o", label=team)
        exact = [i for i in xs if values[i].ci and drawn[values[i].period] == values[i].value]
        if len(teams) <= 2 and exact == xs and xs:  # more bands than two hide the lines
            ci = [values[i].ci for i in xs]
            axis.fill_between(xs, [c[0] for c in ci], [c[1] for c in ci], color=colour, alpha=0.15)
        axis.set_xticks(list(range(len(values)))[::2], [v.period[-3:] for v in values][::2])
        shown = [v.period for v in values]
    mark_notes(axis, [n for n in notes if any(n.applies_to(t) for t in teams)], {w: i for i, w in enumerate(shown)})
    unit = f" ({definition.unit})" if definition.unit else ""
    axis.set_title(f"{definition.name}{unit}, last {weeks} weeks to {period}", fontsize=12)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=9, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def mark_notes(axis: Axes, notes: Sequence[Note], position: Mapping[str, int], *, labels: bool = True) -> int:
    """A dotted vertical line at the week of each note, labelled with the start of its text;
    returns how many were drawn. Notes outside the weeks shown are left out."""
    drawn = 0
    for note in notes:
        x = position.get(note.week)
        if x is None:
            continue
        axis.axvline(x, color="#555555", linestyle=":", linewidth=1.4, zorder=0)
        if labels:
            text = note.text if len(note.text) <= 22 else note.text[:21] + "…"
            axis.annotate(text, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points",
                          rotation=90, va="top", ha="left", fontsize=8, color="#555555")  # fmt: skip
        drawn += 1
    return drawn


def driver_chart_png(bars: list[tuple[str, float]], title: str) -> bytes:
    """A small horizontal bar chart: each stable driver's share of what moves the score, in percent."""
    bars = bars[:6]
    figure = Figure(figsize=(6.4, 0.6 + 0.45 * max(len(bars), 1)), dpi=110)
    FigureCanvasAgg(figure)
    axis = figure.add_subplot()
    labels = [label for label, _ in reversed(bars)]
    shares = [share for _, share in reversed(bars)]
    axis.barh(labels, shares, color=OKABE_ITO[0])
    for y, share in enumerate(shares):
        axis.text(share + 1, y, f"{share:.0f}%", va="center", fontsize=10)
    axis.set_xlim(0, max([*shares, 10]) * 1.2)
    axis.set_xlabel("share of what moves the score (%)", fontsize=10)
    axis.set_title(title, fontsize=12)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
