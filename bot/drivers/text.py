"""Driver reports in words and plain data: for the CLI, and for the layers built on top.

Later layers call these instead of reading DriverReport internals:
- rules (condition "driver above a share of explained variance"): `driver_share(report, factor)`;
- advisor evidence: `driver_evidence(report)`;
- digest: `summary_line(report)`;
- Slack bar chart: `chart_bars(report)` (data) or `text_bars(report)` (a code block);
- the conversation's "why is CES down for Payments?" and the CLI: `report_lines(report)`;
- JSON: `report_to_dict(report)`.
Only stable drivers are ever stated as fact.
"""

from __future__ import annotations

from typing import Any

from smartstep.drivers.analysis import Driver, DriverReport
from smartstep.drivers.changes import DriverChange
from smartstep.drivers.factors import METRIC_NAMES


def _who(report: DriverReport) -> str:
    return report.team if report.team else "All teams"


def effect_text(driver: Driver, metric: str) -> str | None:
    """E.g. "tickets needing 3+ contacts score CES 1.4 lower than the rest"."""
    if driver.effect is None or driver.group is None:
        return None
    direction = "lower" if driver.effect < 0 else "higher"
    size = f"{abs(driver.effect):.1f}" if metric == "ces" else f"{abs(driver.effect):.0f} points"
    return f"{driver.group} score {METRIC_NAMES[metric]} {size} {direction} than the rest"


def _times(ratio: float) -> str:
    if ratio == float("inf"):
        return "far more"
    for value, words in ((2, "twice as much"), (3, "three times as much"), (0.5, "half as much")):
        if abs(ratio - value) <= 0.15 * value:
            return words
    return f"{ratio:.1f} times as much" if ratio > 1 else f"only {ratio:.0%} as much"


def change_text(change: DriverChange, metric: str) -> str:
    """E.g. "since 2026-W18, escalation explains twice as much of CSAT as before (24% vs 12% ...)"."""
    amount = _times(change.ratio)
    return (
        f"since {change.since}, {change.label} explains {amount} of {METRIC_NAMES[metric]} as before "
        f"({change.after:.0f}% vs {change.before:.0f}% of the variation in scores over both periods)"
    )


def need_more_text(report: DriverReport) -> str:
    name = METRIC_NAMES[report.metric]
    return (
        f"{_who(report)} has {report.n} {name} answers tied to tickets in {report.first_week}..{report.last_week}; "
        f"driver analysis needs at least {report.min_answers}, so {report.needed} more answers."
    )


def summary_line(report: DriverReport) -> str:
    """One line for the digest or a chat answer: the top stable driver, or why there is none."""
    name = METRIC_NAMES[report.metric]
    if report.needed:
        return need_more_text(report)
    stable = report.stable_drivers
    if not stable:
        return (
            f"No factor stands out reliably for {name} in {_who(report)} "
            f"({report.n} answers, {report.first_week}..{report.last_week})."
        )
    top = stable[0]
    effect = effect_text(top, report.metric)
    line = f"{_who(report)}: {top.label} explains {top.share:.0f}% of what moves {name}"
    return line + (f" ({effect})." if effect else ".")


def changes_checked(report: DriverReport) -> bool:
    """Whether change detection ran (enough answers on both sides of `since`)."""
    return report.since_counts is not None and min(report.since_counts) >= report.min_answers


def report_lines(report: DriverReport) -> list[str]:
    """The report as text lines: stable drivers as facts, unsure ones named as such, changes last."""
    name = METRIC_NAMES[report.metric]
    head = f"{_who(report)} · {name} · {report.first_week}..{report.last_week} · {report.n} answers"
    if report.needed:
        return [head, f"  {need_more_text(report)}"]
    lines = [head + f" · the factors explain {report.explained:.0f}% of the variation in scores"]
    for d in report.stable_drivers:
        lo, hi = d.share_ci
        lines.append(f"  {d.label:<28} {d.share:>3.0f}% ({lo:.0f}-{hi:.0f})  {effect_text(d, report.metric) or ''}")
    if not report.stable_drivers:
        lines.append("  No factor stands out reliably yet.")
    unsure = [d.label for d in report.drivers if not d.stable and d.share >= 5]
    if unsure:
        lines.append(f"  Not reliable (varies between resamples): {', '.join(unsure)}")
    lines += [f"  Change: {change_text(c, report.metric)}" for c in report.changes]
    if report.since is not None and not changes_checked(report):
        before, after = report.since_counts or (0, 0)
        lines.append(
            f"  Changes since {report.since} not checked: {before} answers before and {after} from then on, "
            f"{report.min_answers} needed on each side."
        )
    return lines


def driver_share(report: DriverReport, factor: str) -> float | None:
    """Percent of explained variance `factor` accounts for, if that is a stable finding.

    None when the report has too few answers to say anything; 0.0 when the factor is not a
    stable driver. The rule condition "driver above a share" is `driver_share(...) >= share`.
    """
    if report.needed:
        return None
    for driver in report.stable_drivers:
        if driver.factor == factor:
            return driver.share
    return 0.0


def chart_bars(report: DriverReport) -> list[tuple[str, float]]:
    """(label, share %) per stable driver, biggest first: the data of a small bar chart."""
    return [(d.label, d.share) for d in report.stable_drivers]


def text_bars(report: DriverReport, width: int = 20) -> list[str]:
    """The bar chart as text (for a Slack code block or the terminal): one bar per stable driver."""
    bars = chart_bars(report)
    if not bars:
        return []
    label_width = max(len(label) for label, _ in bars)
    return [
        f"{label:<{label_width}} {'█' * max(1, round(share / 100 * width)):<{width}} {share:.0f}%"
        for label, share in bars
    ]


def driver_evidence(report: DriverReport) -> list[dict[str, Any]]:
    """Stable drivers as evidence records an advisor step can carry."""
    return [
        {
            "kind": "driver",
            "metric": report.metric,
            "team": report.team,
            "factor": d.factor,
            "share": d.share,
            "effect": d.effect,
            "text": effect_text(d, report.metric),
            "n": report.n,
            "period": f"{report.first_week}..{report.last_week}",
        }
        for d in report.stable_drivers
    ]


def _driver_dict(driver: Driver, metric: str) -> dict[str, Any]:
    return {
        "factor": driver.factor,
        "label": driver.label,
        "share": driver.share,
        "share_ci": list(driver.share_ci),
        "explained": driver.explained,
        "explained_ci": list(driver.explained_ci),
        "group": driver.group,
        "n_group": driver.n_group,
        "effect": driver.effect,
        "text": effect_text(driver, metric),
        "sign_agreement": driver.sign_agreement,
        "stable": driver.stable,
    }


def report_to_dict(report: DriverReport) -> dict[str, Any]:
    """The JSON form: stable drivers under "drivers", the rest under "unstable" (not facts)."""
    return {
        "team": report.team,
        "metric": report.metric,
        "first_week": report.first_week,
        "last_week": report.last_week,
        "n": report.n,
        "min_answers": report.min_answers,
        "needed": report.needed,
        "without_ticket": report.without_ticket,
        "explained": report.explained,
        "explained_ci": list(report.explained_ci) if report.explained_ci else None,
        "resamples": report.resamples,
        "summary": summary_line(report),
        "drivers": [_driver_dict(d, report.metric) for d in report.stable_drivers],
        "unstable": [_driver_dict(d, report.metric) for d in report.drivers if not d.stable],
        "since": report.since,
        "changes_checked": changes_checked(report),
        "changes": [
            {
                "factor": c.factor,
                "label": c.label,
                "since": c.since,
                "before": c.before,
                "after": c.after,
                "change": c.change,
                "change_ci": list(c.change_ci),
                "n_before": c.n_before,
                "n_after": c.n_after,
                "text": change_text(c, report.metric),
            }
            for c in report.changes
        ],
    }
