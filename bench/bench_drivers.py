"""Driver analysis speed on the demo: one team, 26 weeks, all three survey metrics, against plain fits.

    .venv/bin/python bench/bench_drivers.py [--repeat 5] [--seed 7] [--db PATH]

Builds the demo (seed 7, full scale) into a temporary store, unless --db points at a store
that already holds it. For each team, "full analysis" = `load_driver_report` for csat, ces and
nps over the 26 weeks up to now: the SQL join, the Shapley decomposition over every subset of
the nine factors, 200 bootstrap resamples, effects, and change detection (2 x 200 more). The
baseline, in the same run, is one plain scikit-learn LinearRegression fit per metric on the
same design matrix (what a one-shot regression would cost). Also printed: what the same
Shapley decomposition costs as 2^G separate LinearRegression fits for the sample alone
(no resamples), and the demo storylines as the analysis sees them. Target: <= 2 s per team.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LinearRegression

from smartstep.db import open_db
from smartstep.drivers.data import SURVEY_METRICS, load_answers, load_driver_report
from smartstep.drivers.features import build_design
from smartstep.drivers.text import change_text, summary_line
from smartstep.metrics.reader import current_period, known_teams
from smartstep.weeks import shift_week

WEEKS = 26


def build_store(path: Path, seed: int) -> None:
    """The demo's rows written straight into the tables (the analysis reads only raw rows)."""
    from smartstep.demo import generate_demo

    data = generate_demo(seed)
    db = open_db(path)
    with db.atomic():
        db["customers"].insert_all(data.customers)
        db["tickets"].insert_all(data.tickets)
        db["surveys"].insert_all(data.surveys)
    db.close()


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds: on a shared, loaded box the CPU time is what the code costs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def full_analysis(db, team: str) -> None:
    for metric in SURVEY_METRICS:
        load_driver_report(db, metric, team=team, weeks=WEEKS)


def baseline(designs: list[np.ndarray]) -> None:
    for matrix in designs:
        LinearRegression().fit(matrix[:, :-1], matrix[:, -1])


def naive_shapley_seconds(matrix: np.ndarray, sizes: tuple[int, ...]) -> float:
    """2^G LinearRegression fits: the same decomposition, one subset at a time, sample only."""
    starts = np.concatenate([[0], np.cumsum(sizes)])
    started = time.perf_counter()
    for mask in range(1, 2 ** len(sizes)):
        columns = [c for g in range(len(sizes)) if mask >> g & 1 for c in range(starts[g], starts[g + 1])]
        LinearRegression().fit(matrix[:, columns], matrix[:, -1])
    return time.perf_counter() - started


def storylines(db) -> None:
    from smartstep.demo import STORYLINES

    for story in STORYLINES:
        if story.key not in ("effort_rising", "smile_climbing"):
            continue
        for metric in ("ces", "csat"):
            report = load_driver_report(db, metric, team=story.team, weeks=WEEKS, since=story.start_week)
            print(f"  [{story.key}] {summary_line(report)}")
            for change in report.changes:
                print(f"      change: {change_text(change, metric)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="a store that already holds the demo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "demo.db"
        if args.db is None:
            started = time.perf_counter()
            build_store(path, args.seed)
            print(f"demo store built in {time.perf_counter() - started:.1f} s (not part of the figures)")
        db = open_db(path)
        now = current_period(db)
        first = shift_week(now, -(WEEKS - 1))
        print(f"window {first}..{now}, {args.repeat} repeats, medians, load average {os.getloadavg()[0]:.1f}\n")
        head = f"{'team':<12} {'answers':>8} {'full s':>8} {'full cpu s':>11} {'baseline ms':>12} {'ratio':>7}"
        print(head + f" {'naive 2^G s':>12}")
        worst = 0.0
        for team in known_teams(db):
            frames = [load_answers(db, m, first, now, team) for m in SURVEY_METRICS]
            frames = [f[f["has_ticket"].astype(bool)] for f in frames]
            frames = [f for f in frames if len(f) >= 2]
            designs = [build_design(f.reset_index(drop=True)) for f in frames]
            full, full_cpu = timed(lambda team=team: full_analysis(db, team), args.repeat)
            base, _ = timed(lambda d=designs: baseline([x.matrix for x in d]), args.repeat)
            biggest = max(designs, key=lambda d: len(d.matrix))
            naive = naive_shapley_seconds(biggest.matrix, biggest.sizes)
            answers = sum(len(f) for f in frames)
            row = f"{team:<12} {answers:>8} {full:>8.3f} {full_cpu:>11.3f} {base * 1000:>12.2f} {full / base:>7.0f}"
            print(row + f" {naive:>12.2f}")
            worst = max(worst, full)
        print(f"\nslowest team: {worst:.3f} s (target <= 2 s): {'OK' if worst <= 2.0 else 'TOO SLOW'}")
        print("naive 2^G = the sample's 511 subset fits with LinearRegression; x201 for the resamples.\n")
        print("storylines:")
        storylines(db)
        db.close()
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
