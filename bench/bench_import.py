"""Import speed and memory: N generated tickets through `import_csv`, against a no-checks baseline.

    .venv/bin/python bench/bench_import.py --rows 1000000 --repeat 3

Prints, as medians over the repeats: the full import (validation, writes, index rebuild and
the metric recompute it triggers, run in a child process so its peak RSS can be read), a
baseline in this process (csv.reader + executemany INSERT into the same schema, no checks),
their ratio, a full recompute on the imported store, a one-week incremental import
(+ recompute) on top of it, and a re-import of the whole first file (nothing in it changed).
Targets on the 2-core box: import <= 30 s, full recompute <= 15 s, incremental <= 1 s, peak
memory <= 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = [
    "id", "created_at", "first_reply_at", "solved_at", "status", "team", "channel", "product", "subject",
    "description", "resolution", "customer_id", "agent_id", "contacts", "reopens", "handle_minutes",
    "escalated_to", "escalated_at", "returned_at",
]  # fmt: skip
TEAMS = ("Billing", "Technical", "Onboarding", "Enterprise")
SUBJECTS = ("Cannot log in", "Refund for double charge", "Export times out", "Invite a colleague", "API 401")
# A Monday two years and a few weeks back: two years of weeks and the extra week follow, and the
# latest reply and solve still land before today (imports refuse times more than a day ahead).
_BACK = (datetime.now(UTC) - timedelta(days=750)).replace(hour=0, minute=0, second=0, microsecond=0)
START = _BACK - timedelta(days=_BACK.weekday())


def _fmt(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def generate(path: Path, rows: int, *, first_day: int = 0, days: int = 728, prefix: str = "T", seed: int = 7) -> None:
    """Plain, fast, deterministic tickets: enough variety for every metric, no storylines."""
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            created = START + timedelta(days=first_day, seconds=rnd.randrange(days * 86400))
            replied = created + timedelta(minutes=rnd.randrange(5, 2880))
            solved = replied + timedelta(minutes=rnd.randrange(10, 8000)) if rnd.random() < 0.92 else None
            escalated = rnd.random() < 0.08
            writer.writerow([
                f"{prefix}{i}", _fmt(created), _fmt(replied), _fmt(solved), "solved" if solved else "open",
                TEAMS[i % 4], rnd.choice(("email", "chat", "phone", "web")), "Widget", rnd.choice(SUBJECTS),
                "Customer reports the problem after the last update; steps attached.", "Fixed" if solved else "",
                f"C{rnd.randrange(50_000)}", f"A{rnd.randrange(80)}", rnd.randrange(0, 4), rnd.randrange(0, 2),
                round(rnd.uniform(3, 90), 1), "engineering" if escalated else "",
                _fmt(replied + timedelta(hours=1)) if escalated else "",
                _fmt(replied + timedelta(hours=30)) if escalated and solved else "",
            ])  # fmt: skip


def child_import(db_path: str, csv_path: str) -> None:
    """Run in a subprocess: one import, printing its timings as JSON on stdout."""
    import smartstep.metrics.store as store
    from smartstep.db import open_db
    from smartstep.imports.importers import import_csv

    spent = {"recompute": 0.0, "recompute_cpu": 0.0}
    real = store.recompute

    def timed(db, since=None, **options):  # instrumentation only: the bench's own wrapper, not a stand-in
        began, cpu = time.perf_counter(), time.process_time()
        written = real(db, since=since, **options)
        spent["recompute"] += time.perf_counter() - began
        spent["recompute_cpu"] += time.process_time() - cpu
        return written

    store.recompute = timed
    db = open_db(db_path)
    began, cpu = time.perf_counter(), time.process_time()
    summary = import_csv(db, "tickets", Path(csv_path))
    total, cpu = time.perf_counter() - began, time.process_time() - cpu
    db.close()
    print(json.dumps({"total": total, "cpu": cpu, "added": summary.added, **spent}))


def run_child(db_path: Path, csv_path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(db_path), str(csv_path)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def baseline(db_path: Path, csv_path: Path) -> tuple[float, float]:
    """The same rows into the same schema with csv.reader + executemany and no checks at all."""
    from smartstep.db import open_db

    db = open_db(db_path)
    sql = f"INSERT INTO tickets VALUES ({', '.join('?' * len(HEADER))})"
    began, cpu = time.perf_counter(), time.process_time()
    with db.atomic(), csv_path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 5000:
                db.conn.executemany(sql, batch)
                batch = []
        db.conn.executemany(sql, batch)
    spent, cpu = time.perf_counter() - began, time.process_time() - cpu
    db.close()
    return spent, cpu


def full_recompute(db_path: Path) -> float:
    from smartstep.db import open_db
    from smartstep.metrics.store import recompute

    db = open_db(db_path)
    began = time.perf_counter()
    with db.atomic():
        recompute(db)
    spent = time.perf_counter() - began
    db.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("DB", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench_import_") as folder:
        measure(Path(folder), args.rows, args.repeat)


def measure(folder: Path, rows: int, repeat: int) -> None:
    source, week = folder / "tickets.csv", folder / "week.csv"
    began = time.perf_counter()
    generate(source, rows)
    generate(week, max(1, rows // 104), first_day=728, days=7, prefix="W", seed=8)  # the next week
    print(f"generated {rows:,} tickets ({source.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - began:.1f} s")
    imports, cpus, recomputes, recompute_cpus, baselines, base_cpus, fulls = [], [], [], [], [], [], []
    incrementals, inc_recomputes, inc_cpus, reimports, reimport_cpus = [], [], [], [], []
    for n in range(repeat):
        store = folder / f"import{n}.db"
        result = run_child(store, source)
        assert result["added"] == rows, result
        imports.append(result["total"])
        cpus.append(result["cpu"])
        recomputes.append(result["recompute"])
        recompute_cpus.append(result["recompute_cpu"])
        wall, cpu = baseline(folder / f"baseline{n}.db", source)
        baselines.append(wall)
        base_cpus.append(cpu)
        fulls.append(full_recompute(store))
        week_result = run_child(store, week)  # a fresh process, as a scheduled import would be
        incrementals.append(week_result["total"])
        inc_recomputes.append(week_result["recompute"])
        inc_cpus.append(week_result["cpu"])
        again = run_child(store, source)  # the same file again: every row is already stored as it is
        reimports.append(again["total"])
        reimport_cpus.append(again["cpu"])
        print(f"  run {n + 1}: import {imports[-1]:.1f} s, baseline {baselines[-1]:.1f} s", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    med = statistics.median
    print(f"rows: {rows:,}, repeats: {repeat} (medians)")
    print(f"import (checks + writes + recompute): {med(imports):.2f} s, of which recompute {med(recomputes):.2f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"baseline (csv.reader + executemany, no checks, no recompute): {med(baselines):.2f} s")
    print(f"ratio import / baseline: {med(imports) / med(baselines):.2f}x")
    cpu_ratio = med(cpus) / med(base_cpus)
    print(f"CPU seconds: import {med(cpus):.2f}, baseline {med(base_cpus):.2f}, ratio {cpu_ratio:.2f}x")
    print(f"import without its recompute / baseline: {(med(imports) - med(recomputes)) / med(baselines):.2f}x")
    own_cpu = med(cpus) - med(recompute_cpus)
    print(f"CPU seconds without the recompute: import {own_cpu:.2f}, ratio {own_cpu / med(base_cpus):.2f}x")
    print(f"full recompute on the imported store: {med(fulls):.2f} s")
    week_rows = max(1, rows // 104)
    print(
        f"one-week incremental import + recompute ({week_rows:,} tickets): {med(incrementals):.2f} s "
        f"(CPU {med(inc_cpus):.2f} s), of which recompute {med(inc_recomputes):.2f} s"
    )
    print(f"re-import of the same {rows:,} tickets: {med(reimports):.2f} s (CPU {med(reimport_cpus):.2f} s)")
    print(f"peak RSS of the import process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
