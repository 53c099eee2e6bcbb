"""Topics speed and memory at scale: `load_topics` over 100,000 tickets of 12 weeks, in a child process each.

    .venv/bin/python bench/bench_topics.py              # 100,000 tickets, 3 runs each
    .venv/bin/python bench/bench_topics.py --n 20000 --runs 1

The store is planted by tests/planted_topics.py (5 teams, 300 problems at 2-60 tickets a week,
one new problem from 20 customers in the last 2 weeks) and written to a real SQLite file. Each
measurement runs in a fresh process so its peak RSS is its own; runs are interleaved:

- topics: `smartstep.advice.topics.load_topics` (read, clean, vectorise, group, count, judge);
- floor (baseline): the same read, cleaning and vectors with no grouping: what any grouping pays;
- kmeans (baseline): the same vectors grouped by scikit-learn's MiniBatchKMeans with as many
  clusters per team as the topics found, the alternative the issue names.

Modules are imported before each child's clock starts (about 1 s of a cold `smartstep topics`).
Medians are printed, with the 1-minute load average before and after (2 shared cores).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CHILD = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
from smartstep.db import open_db
from smartstep.advice.topics import load_topics
from smartstep.knowledge.grouping import GroupingParams, topic_vectors
from smartstep.knowledge.topic_text import ticket_texts
from smartstep.advice.emerging import load_thresholds
from sklearn.cluster import MiniBatchKMeans
import scipy.stats
db = open_db(path)
start = time.perf_counter()  # modules are imported before the clock starts: the same for every mode
if mode == "topics":
    report = load_topics(db)
    per_team = {}
    for t in report.topics:
        per_team[t.team] = per_team.get(t.team, 0) + 1
    extra = {"topics": len(report.topics), "emerging": [t.label for t in report.emerging()], "per_team": per_team}
else:
    from smartstep.metrics.reader import current_period
    from smartstep.weeks import format_time, shift_week, week_end, week_start
    period = current_period(db)
    since = format_time(week_start(shift_week(period, -11)))
    rows = db.execute("SELECT id, team, coalesce(customer_id, ''), created_at, solved_at, subject, description "
                      "FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY team, created_at, id",
                      [since, format_time(week_end(period))]).fetchall()
    params = GroupingParams(**load_thresholds().grouping)
    by_team = {}
    for r in rows:
        by_team.setdefault(r[1], []).append(r)
    k = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    cleaned = iter(ticket_texts([(r[5], r[6]) for r in rows]))
    for team, team_rows in by_team.items():
        vectors = topic_vectors([next(cleaned)[0] for _ in team_rows], params)
        if mode == "kmeans":
            MiniBatchKMeans(n_clusters=k.get(team, 50), random_state=0, n_init=1, batch_size=4096).fit(vectors)
    extra = {}
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
"""


def plant(path: Path, n: int, seed: int = 5) -> None:
    from planted_topics import Planted, problem, write

    from smartstep.db import open_db

    rng = random.Random(seed)
    planted = Planted([], {})
    teams = ("Billing", "Technical", "Onboarding", "Enterprise", "Success")
    per_week = n / 12
    rates = [rng.uniform(2, 60) for _ in range(300)]
    scale = (per_week - 30) / sum(rates)
    pools = {team: [f"{team[:3].upper()}-C{i:05d}" for i in range(6000)] for team in teams}
    for i, rate in enumerate(rates):
        team = teams[i % len(teams)]
        planted.add(rng, problem(i), team, [rate * scale] * 12, pools[team])
    planted.add(rng, problem(301), "Technical", [0.0] * 10 + [14.0, 16.0], [f"NEW-{i}" for i in range(20)], cycle=True)
    db = open_db(path)
    write(db, planted)
    db.close()


def run(mode: str, path: Path, *args: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), *args], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "topics.db"
        began = time.perf_counter()
        plant(path, args.n)
        print(f"planted {args.n:,} tickets in {time.perf_counter() - began:.1f} s; load {os.getloadavg()[0]:.2f}")
        results: dict[str, list[dict]] = {"topics": [], "floor": [], "kmeans": []}
        first = run("topics", path)
        print(f"topics found: {first['topics']}, emerging: {first['emerging']}")
        per_team = json.dumps(first["per_team"])
        for _ in range(args.runs):
            results["topics"].append(run("topics", path))
            results["floor"].append(run("floor", path))
            results["kmeans"].append(run("kmeans", path, per_team))
        load = os.getloadavg()[0]
        rows = {
            mode: (statistics.median(r["seconds"] for r in rs), max(r["peak_mb"] for r in rs))
            for mode, rs in results.items()
        }
        for mode, (seconds, peak) in rows.items():
            ratio = seconds / rows["floor"][0]
            print(f"{mode:7s} median {seconds:6.2f} s  peak RSS {peak:6.0f} MB  ({ratio:.2f}x the floor)")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"load average after: {load:.2f}; this process peak {own:.0f} MB")


if __name__ == "__main__":
    main()
