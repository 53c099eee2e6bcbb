"""Driver findings as rule-engine signals: "a driver above a share of explained variance".

The rule engine already takes per-team numbers from outside the metrics as signals
((team, name) -> (value, label), `rules.snapshot.add_signals`). Each (metric, factor) pair is
one signal named `driver_<metric>_<factor>`, e.g. `driver_ces_contacts`; its value is the
factor's share (percent) of what moves the metric when that is a stable finding, 0 when the
factor was analysed but is not a stable driver; teams with too few answers get no value, so
no condition on them fires. A rule then reads:

    - kind: signal
      name: driver_ces_contacts
      above: 40

Pure (no store access), so the rule base may import DRIVER_SIGNALS for its registry;
`driver_data.load_driver_signals(db, teams)` computes the values from the store.
"""

from __future__ import annotations

from collections.abc import Iterable

from smartstep.drivers.analysis import SURVEY_METRICS, DriverReport
from smartstep.drivers.features import FACTORS
from smartstep.drivers.text import METRIC_NAMES, driver_share, effect_text

DRIVER_SIGNALS: dict[str, str] = {
    f"driver_{metric}_{factor.id}": (
        f"percent of what moves {METRIC_NAMES[metric]} that {factor.label} explains over the last 26 weeks "
        "(stable findings only, else 0)"
    )
    for metric in SURVEY_METRICS
    for factor in FACTORS
}
"""Every signal name this module can produce, with what it means (for the rule base's registry)."""


def signal_name(metric: str, factor: str) -> str:
    return f"driver_{metric}_{factor}"


def driver_signals(reports: Iterable[DriverReport]) -> dict[tuple[str, str], tuple[float, str]]:
    """(team, signal name) -> (share %, plain-words label) for every factor of every report with data."""
    out: dict[tuple[str, str], tuple[float, str]] = {}
    for report in reports:
        if report.needed or report.team is None:
            continue
        by_factor = {d.factor: d for d in report.drivers}
        for factor in FACTORS:
            share = driver_share(report, factor.id) or 0.0
            driver = by_factor.get(factor.id)
            label = (effect_text(driver, report.metric) if driver is not None and share else None) or factor.label
            out[(report.team, signal_name(report.metric, factor.id))] = (share, label)
    return out
