"""The scorecard as a terminal table (rich), for `metrics` and the demo's tour."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from smartstep.definitions import CATEGORIES, load_definitions
from smartstep.metrics.scorecard import ScoreRow, format_value, sparkline


def _change_text(row: ScoreRow) -> Text:
    if row.change is None:
        return Text("–", style="dim")
    definition = load_definitions().get(row.metric)
    arrow = "↑" if row.change > 0 else "↓" if row.change < 0 else "→"
    text = f"{arrow} {abs(row.change):.1f}"
    if not row.significant:
        return Text(f"{text} ~", style="dim")
    good = definition.improved(row.change)
    return Text(text, style="green" if good else "red" if good is False else "yellow")


def render_scorecard(rows: list[ScoreRow], period: str) -> Group:
    """One table per team; metrics grouped by OCMF category. `~` marks a change within noise."""
    definitions = load_definitions()
    tables = []
    for team in sorted({r.team for r in rows}):
        table = Table(title=f"{team} · {period}", title_justify="left", expand=False)
        for name, justify in (
            ("OCMF", "left"),
            ("metric", "left"),
            ("now", "right"),
            ("vs prev", "right"),
            ("n", "right"),
            ("trend", "left"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        team_rows = sorted(
            (r for r in rows if r.team == team), key=lambda r: CATEGORIES.index(definitions.get(r.metric).category)
        )
        for row in team_rows:
            d = definitions.get(row.metric)
            latest = row.latest
            value = format_value(latest.value, d.unit) + (" *" if latest.partial else "")
            table.add_row(
                d.category,
                d.name,
                value,
                _change_text(row),
                "" if latest.n is None else str(latest.n),
                sparkline([v.value for v in row.values]),
            )
        tables.append(table)
    note = Text("~ change within noise · * partial (a part had no data) · arrows: green better, red worse", style="dim")
    return Group(*tables, note)
