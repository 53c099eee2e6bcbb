"""Signal, not noise: how often the one decision calls noise news, whether what it calls news holds
up under an independent bootstrap from the tickets, and the old decision in the same run.

    python bench/bench_signal.py                # 4 seeds of 52 weeks, 5 teams each
    python bench/bench_signal.py --seeds 2

Data: tests/planted_data.py (heavy-tailed, written without the product's code), imported with the
product's importer. Per seed: three control teams (60, 150 and 400 tickets a week, nothing
planted), one team with planted shifts, and one team of about 2 tickets a week. The last 24 weeks
of each team are judged. "Old" is the decision before this change, re-stated here from git: each
week against the week before, intervals only on survey scores, a 2% rule for other means and
medians, 10 answers minimum, 5% / 1 point / 5 tickets materiality, plus the 4-week drift line.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from planted_data import (  # noqa: E402
    SAMPLES,
    TeamPlan,
    bootstrap_beyond_noise,
    frames,
    generate,
    weekly_samples,
    write_csvs,
)

from smartstep.db import open_db  # noqa: E402
from smartstep.definitions import load_definitions  # noqa: E402
from smartstep.imports.importers import import_csv  # noqa: E402
from smartstep.metrics.noise import judge  # noqa: E402
from smartstep.metrics.reader import load_history  # noqa: E402
from smartstep.weeks import shift_week  # noqa: E402

LAST, JUDGED = "2026-W46", 24
CONTROLS = ("C60", "C150", "C400")
PLANS = (
    TeamPlan("C60", 60),
    TeamPlan("C150", 150),
    TeamPlan("C400", 400),
    TeamPlan(
        "Shifted",
        200,
        shifts={
            "resolve_median_h": {40: 40.0},
            "csat_top2": {40: 0.70},
            "reply_median_h": {44: 4.5},
            "escalate": {46: 0.18},
        },
    ),  # fmt: skip
    TeamPlan("Tiny", 2, dispersion=5),
)
SURVEYED = ("csat", "nps", "ces")
KEY = ("csat", "nps", "ces", "first_reply_hours", "backlog", "fcr")


def old_noise(a, b, metric: str) -> bool:
    """The decision before this change (bot/metrics/noise.py and digest.model.material, from git)."""
    unit = load_definitions().get(metric).unit

    def half(v):
        if v.ci is not None and metric in SURVEYED:
            return (v.ci[1] - v.ci[0]) / 2
        if unit == "%" and v.n:
            p = (min(max(v.value / 100, 0.0), 1.0) * v.n + 1) / (v.n + 2)
            return 1.6449 * math.sqrt(p * (1 - p) / v.n) * 100
        return None

    change = abs(a.value - b.value)
    if change == 0:
        return False
    ha, hb = half(a), half(b)
    if ha is not None and hb is not None:
        beyond = change > math.hypot(ha, hb)
    elif a.n is None and b.n is None:
        beyond = True
    else:
        beyond = (a.n or 0) >= 5 and (b.n or 0) >= 5 and change >= 0.02 * max(abs(a.value), abs(b.value))
    if not beyond:
        return False
    sizes = [v.n for v in (a, b) if v.n is not None]
    if sizes and min(sizes) < 10:
        return False
    if ha is not None and hb is not None and metric in SURVEYED:
        return True
    if unit == "%":
        return change >= 1.0
    if unit == "tickets" and change < 5:
        return False
    return change >= 0.05 * max(abs(a.value), abs(b.value))


def old_moves(values, period: str):
    """(compared weeks) for the old decision: week over week, or the 4-week drift of key metrics."""
    by = {v.period: v for v in values}
    now, prev, drift = by.get(period), by.get(shift_week(period, -1)), by.get(shift_week(period, -4))
    if now is None:
        return None
    if prev is not None and old_noise(now, prev, now.metric):
        return [prev.period]
    if now.metric in KEY and drift is not None and old_noise(now, drift, now.metric):
        return [drift.period]
    return None


def run_seed(seed: int, folder: Path) -> dict:
    rows = generate(PLANS, weeks=52, seed=seed)
    paths = write_csvs(rows, folder / f"s{seed}")
    db = open_db(folder / f"s{seed}.db")
    import_csv(db, "tickets", paths["tickets"])
    import_csv(db, "surveys", paths["surveys"])
    history = load_history(db)
    tickets, surveys = frames(rows)
    out = {"control_weeks": 0, "new_control": 0, "old_control": 0, "new_checked": 0, "new_beyond": 0,
           "old_checked": 0, "old_beyond": 0, "judge_s": 0.0, "judged": 0}  # fmt: skip
    cache: dict = {}
    for (team, metric), values in history.items():
        for i in range(JUDGED):
            period = shift_week(LAST, -i)
            series = [v for v in values if v.period <= period]
            if not series or series[-1].period != period:
                continue
            start = time.perf_counter()
            j = judge(series)
            out["judge_s"] += time.perf_counter() - start
            out["judged"] += 1
            old = old_moves(series, period)
            if team in CONTROLS:
                out["new_control"] += int(j.moved or j.drifting)
                out["old_control"] += int(old is not None)
            if metric not in SAMPLES:
                continue
            if (team, metric) not in cache:
                cache[(team, metric)] = weekly_samples(tickets, surveys, team, metric)
            samples = cache[(team, metric)]
            if j.moved:
                window = [shift_week(period, -k) for k in range(j.weeks - 1, -1, -1)]
                before = [shift_week(window[0], -k) for k in range(12, 0, -1)]
                if j.weeks == 1:
                    minimum = load_definitions().get(metric).signal.min_n
                    before = [w for w in before if len(samples.get(w, ())) >= minimum / 2]
                before = [w for w in before if len(samples.get(w, ()))]
                out["new_checked"] += 1
                out["new_beyond"] += bootstrap_beyond_noise(samples, metric, window, before, seed=out["new_checked"])
            if old is not None and len(samples.get(period, ())) and len(samples.get(old[0], ())):
                out["old_checked"] += 1
                # The old line compared two single weeks: bootstrap exactly those two.
                out["old_beyond"] += bootstrap_beyond_noise(samples, metric, [period], old, seed=out["old_checked"])
    out["control_weeks"] = len(CONTROLS) * JUDGED
    db.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args()
    totals: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.seeds + 1):
            result = run_seed(seed, Path(tmp))
            print(f"seed {seed}: {result}")
            for k, v in result.items():
                totals[k] = totals.get(k, 0) + v
    weeks = totals["control_weeks"]
    print(f"\ncontrol team-weeks: {weeks} (3 teams x {JUDGED} weeks x {args.seeds} seeds)")
    for name in ("new", "old"):
        per8 = 8 * totals[f"{name}_control"] / weeks
        share = totals[f"{name}_beyond"] / max(totals[f"{name}_checked"], 1)
        print(f"{name}: {per8:.2f} moves per control team per 8 weeks; "
              f"{totals[f'{name}_beyond']}/{totals[f'{name}_checked']} = {share:.0%} of sampled moves beyond "
              "noise by the ticket bootstrap")  # fmt: skip
    micro = 1e6 * totals["judge_s"] / totals["judged"]
    print(f"judge: {micro:.0f} us per team-metric-week ({totals['judged']} judged)")


if __name__ == "__main__":
    main()
