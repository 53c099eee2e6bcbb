"""How long `smartstep demo` takes to build the demo organisation, against a bare insert.

    .venv/bin/python bench/bench_demo.py [--repeat 3] [--seed 7]

Each repeat, into a fresh temporary store: generate the rows (pure Python), then import them
through the importer (validation, upserts, metric recompute), as `smartstep demo` does. The
baseline, in the same run, is writing the same rows into an identical fresh store with one
plain `executemany` per table (no validation, no metrics): the floor any import could reach.
Prints wall-clock and CPU medians. Target: the whole build under 60 s (aim: 30 s).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from smartstep.db import open_db
from smartstep.demo import generate_demo, import_demo


def _timed(runs: list, action, *args):
    """Call `action(*args)`, append its (wall, cpu) seconds to `runs`, return its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action(*args)
    runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return result


def _bare_insert(path: Path, data) -> None:
    db = open_db(path)
    with db.conn:
        for table, rows in (("customers", data.customers), ("tickets", data.tickets), ("surveys", data.surveys)):
            columns = list(rows[0])
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            db.conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    import smartstep.imports.importers  # noqa: F401 - load pandas/scipy once, outside the timings
    import smartstep.metrics.store  # noqa: F401

    runs: dict[str, list[tuple[float, float]]] = {"generate": [], "import": [], "baseline": []}
    for n in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            data = _timed(runs["generate"], generate_demo, args.seed)
            db = open_db(Path(tmp) / "demo.db")
            _timed(runs["import"], import_demo, db, data)
            db.close()
            _timed(runs["baseline"], _bare_insert, Path(tmp) / "bare.db", data)
        print(f"run {n + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f}s" for k, v in runs.items()), flush=True)
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
    build = med["generate"][0] + med["import"][0]
    print(f"rows: {len(data.tickets):,} tickets, {len(data.surveys):,} surveys, {len(data.customers):,} customers")
    for key, (wall, cpu) in med.items():
        print(f"{key:9s} median wall {wall:6.2f} s   cpu {cpu:6.2f} s")
    print(f"build (generate + import) median {build:.2f} s; target < 60 s: {'ok' if build < 60 else 'MISSED'}")
    print(f"import / bare executemany baseline: {med['import'][0] / med['baseline'][0]:.1f}x")


if __name__ == "__main__":
    main()
