"""The scorecard as a terminal table (rich), for `metrics` and the demo's tour."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from smartstep.definitions import CATEGORIES, load_definitions
from smartstep.metrics.noise import settings
from smartstep.metrics.scorecard import ScoreRow, format_value, sparkline


def _judged_text(row: ScoreRow) -> Text:
    """The change column: the one decision in words, coloured only when it is news."""
    judgement = row.judgement
    definition = load_definitions().get(row.metric)
    if judgement.too_few or judgement.status == "no_history":
        return Text(judgement.words, style="dim")
    if not judgement.news:
        return Text("steady", style="dim")
    change = judgement.change or 0.0
    arrow = ("↑" if change > 0 else "↓") if judgement.moved else ("↗" if change > 0 else "↘")
    since = f"vs {format_value(judgement.baseline or 0.0, definition.unit)}" if judgement.moved else "drifting"
    good = definition.improved(change)
    return Text(f"{arrow} {abs(change):.1f} {since}", style="green" if good else "red" if good is False else "yellow")


def _now_text(row: ScoreRow) -> str:
    judgement, unit = row.judgement, load_definitions().get(row.metric).unit
    if judgement.too_few:
        return "–"
    if judgement.weeks > 1 and judgement.value is not None:
        return f"{format_value(judgement.value, unit)} ({judgement.weeks} wk)"
    return format_value(row.latest.value, unit) + (" *" if row.latest.partial else "")


def render_scorecard(rows: list[ScoreRow], period: str) -> Group:
    """One table per team; metrics grouped by OCMF category, each judged by the one decision."""
    definitions = load_definitions()
    tables = []
    for team in sorted({r.team for r in rows}):
        table = Table(title=f"{team} · {period}", title_justify="left", expand=False)
        for name, justify in (
            ("OCMF", "left"),
            ("metric", "left"),
            ("now", "right"),
            ("vs usual", "left"),
            ("n", "right"),
            ("trend", "left"),
        ):
            table.add_column(name, justify=justify)
        team_rows = sorted(
            (r for r in rows if r.team == team), key=lambda r: CATEGORIES.index(definitions.get(r.metric).category)
        )
        for row in team_rows:
            d = definitions.get(row.metric)
            judgement = row.judgement
            n = judgement.n if judgement.weeks > 1 else row.latest.n
            table.add_row(
                d.category,
                d.name,
                _now_text(row),
                _judged_text(row),
                "" if n is None else str(n),
                "" if judgement.too_few else sparkline([v.value for v in row.values]),
            )
        tables.append(table)
    usual = settings().baseline_weeks
    note = Text(
        f"steady: within noise of the usual level (median of the {usual} weeks before) · ↑↓ moved beyond noise "
        "and by enough to act on · ↗↘ slow drift · (4 wk): a small week judged with the 3 before · "
        "* partial (a part had no data) · green better, red worse",
        style="dim",
    )
    return Group(*tables, note)
