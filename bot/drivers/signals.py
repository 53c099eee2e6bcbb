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

The names and meanings (`DRIVER_SIGNALS`) are plain data in `drivers.factors`, for the rule
base's registry; `drivers.data.load_driver_signals(db, teams)` computes the values from the store.
"""

from __future__ import annotations

from collections.abc import Iterable

from smartstep.drivers.analysis import DriverReport
from smartstep.drivers.factors import FACTORS, signal_name
from smartstep.drivers.text import driver_share, effect_text


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
