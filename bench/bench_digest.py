"""Benchmark: the weekly digest for 20 teams, including the chart, must build in <= 5 s.

Builds a synthetic 20-team store in a temp file (26 weeks of every metric with samples and
intervals, drifting and noisy; 60 solved tickets per team in the last 8 weeks with repeated
subjects; low survey answers in the last week), then times `render_digest` (advice pipeline
with the shipped rule base, outcomes, call-backs, repeated problems, driver lines, Block Kit
and the PNG) against a baseline measured in the same process: loading the history and
building the scorecard alone.

    .venv/bin/python bench/bench_digest.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
import time
from pathlib import Path

from smartstep.advice.rule_inputs import load_rule_base
from smartstep.db import open_db
from smartstep.definitions import load_definitions
from smartstep.digest.post import render_digest
from smartstep.metrics.reader import current_period, load_history
from smartstep.metrics.scorecard import build_scorecard
from smartstep.weeks import format_time, shift_week, week_start

LAST = "2026-W46"
WEEKS = 26
TEAMS = [f"Team {i:02d}" for i in range(1, 21)]
LEVELS = {"%": 60.0, "pts": 20.0, "/7": 5.2, "min": 15.0, "h": 8.0, "d": 6.0, "tickets": 120.0}


def build_store(path: Path, seed: int = 1) -> None:
    r = random.Random(seed)
    db = open_db(path)
    rows, tickets, surveys = [], [], []
    for t, team in enumerate(TEAMS):
        for metric in load_definitions().ids:
            unit = load_definitions().get(metric).unit
            level, drift = LEVELS.get(unit, 10.0), r.uniform(-0.02, 0.02)
            for w in range(WEEKS):
                period = shift_week(LAST, w - WEEKS + 1)
                n = r.randint(20, 300)
                value = level * (1 + drift * w) + r.gauss(0, level * 0.05)
                half = 1.645 * level * 0.5 / math.sqrt(n) if unit in ("%", "pts", "/7") else None
                rows.append({"team": team, "metric": metric, "period": period, "value": value, "n": n,
                             "ci_lo": None if half is None else value - half,
                             "ci_hi": None if half is None else value + half, "source": "computed"})  # fmt: skip
        for k in range(60):
            created = week_start(shift_week(LAST, -(k % 8))) + _hours(r, 100)
            subject = r.choice(["Invoice PDF blank", "Reset password", "Export fails", f"Question {k}"])
            tickets.append({"id": f"T{t}-{k}", "created_at": format_time(created), "status": "solved",
                            "solved_at": format_time(created + _hours(r, 40)), "team": team, "subject": subject,
                            "resolution": f"Explained the steps for {subject.lower()} by hand"})  # fmt: skip
        for k in range(8):
            answered = week_start(LAST) + _hours(r, 150)
            surveys.append({"id": f"S{t}-{k}", "ticket_id": f"T{t}-{k * 8}", "kind": r.choice(["nps", "csat", "ces"]),
                            "sent_at": format_time(answered), "responded_at": format_time(answered),
                            "score": r.choice([1, 2, 3, 5, 6])})  # fmt: skip
    with db.atomic():
        db["metric_values"].insert_all(rows, pk=("team", "metric", "period"), replace=True)
        db["tickets"].insert_all(tickets, pk="id", replace=True)
        db["surveys"].insert_all(surveys, pk="id", replace=True)
    db.close()


def _hours(r: random.Random, most: int):
    from datetime import timedelta

    return timedelta(hours=r.uniform(1, most))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build_store(path)
        db = open_db(path)
        ruleset = load_rule_base(None)
        render_digest(db, ruleset, log=False)  # warm-up: imports, matplotlib font cache
        full, baseline, cpu = [], [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            rendered = render_digest(db, ruleset, log=False)
            full.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            started = time.perf_counter()
            period = current_period(db)
            build_scorecard(load_history(db, until=period, weeks=12), period)
            baseline.append(time.perf_counter() - started)
        db.close()
    teams = len(rendered.digest.teams)
    f, c, b = statistics.median(full), statistics.median(cpu), statistics.median(baseline)
    print(f"teams {teams}, blocks {len(rendered.message['blocks'])}, png {len(rendered.png or b'') / 1024:.0f} KiB")
    print(f"digest incl. chart: median {f:.2f} s wall, {c:.2f} s CPU (max {max(full):.2f} s) over {args.repeat} runs")
    print(f"baseline (history + scorecard only): median {b * 1000:.0f} ms; ratio {f / b:.1f}x")
    print("target <= 5 s:", "met" if f <= 5 else "MISSED")


if __name__ == "__main__":
    main()
