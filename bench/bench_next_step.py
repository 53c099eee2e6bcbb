"""How fast the advisor answers "what should we do next?" on the demo store.

    .venv/bin/python bench/bench_next_step.py [--repeat 15] [--db PATH]

Builds the seed-7 demo with its advice history into a temporary store (or uses --db), then
times, in one process: the whole pipeline (`pipeline.next_steps`: outcomes check, history,
rule evaluation, learning, similar situations, ranking, logging) and, as the baseline, the rule
engine alone (`rules.engine.evaluate` over a history already in memory). Medians; the ratio is
what the advisor adds on top of bare rule evaluation. Also times `smartstep next-step --json`
as a fresh process (imports included), as a user at a terminal sees it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from smartstep.advice.pipeline import next_steps
from smartstep.advice.rule_inputs import load_rule_base
from smartstep.db import open_db
from smartstep.demo import build_demo
from smartstep.demo.history import plant_advice_history
from smartstep.metrics.reader import current_period, load_history
from smartstep.rules.engine import evaluate, weeks_needed


def _median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "demo.db"
        db = open_db(path)
        rules = load_rule_base(None)
        if args.db is None:
            build_demo(db, seed=7)
            plant_advice_history(db, rules, current_period(db), seed=7)
        period = current_period(db)
        next_steps(db, rules, k=5)  # warm: imports, first-use caches
        pipeline = _median_ms(lambda: next_steps(db, rules, k=5), args.repeat)
        history = load_history(db, until=period, weeks=weeks_needed(rules.rules))
        engine = _median_ms(lambda: evaluate(rules.rules, history, period), args.repeat)
        cli = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "smartstep", "--db", str(path), "next-step", "--json"],
                check=True,
                capture_output=True,
            )
            cli.append((time.perf_counter() - start) * 1000)
        print(f"demo store: {path} (now = {period}, {db['advice'].count} advice logged so far)")
        print(f"pipeline next_steps (in process), median of {args.repeat}: {pipeline:.0f} ms  (target <= 300 ms)")
        print(f"baseline rules.engine.evaluate alone, median of {args.repeat}: {engine:.0f} ms")
        print(f"ratio pipeline / engine: {pipeline / engine:.1f}x")
        print(f"`smartstep next-step --json` as a new process, median of 5: {statistics.median(cli):.0f} ms")


if __name__ == "__main__":
    main()
