"""Helpdesk sync speed and the cost of the new driver factors, each against a baseline in the same run.

    .venv/bin/python bench/bench_sync.py [--tickets 5000] [--repeat 3]

1. Sync: a first Zendesk sync of N tickets from the local stand-in (tests/helpdesk_stubs.py: pages of
   1000, metric_sets, comments for solved tickets, ratings, SLA events) into an empty store, against
   a baseline that imports the very same rows written as the generic CSVs (`import_csv`, tickets
   then surveys: no HTTP, no per-page commits, no comment requests): the ratio is what pulling over
   HTTP page by page costs. Then an incremental sync with nothing new (the 15-minute schedule's usual run).
2. Driver factors: `analyse_drivers` (CES, 1258 answers, as many as the demo's Technical team) with
   the nine factors of a store without priority/type/SLA, against the same sample with those three
   filled in (twelve factors, 2^12 subsets instead of 2^9). CPU seconds, medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
from helpdesk_data import load_zendesk, make_account, write_zendesk_csvs  # noqa: E402
from helpdesk_stubs import ZendeskStub  # noqa: E402
from test_drivers import WEEKS, planted  # noqa: E402

from smartstep.db import open_db  # noqa: E402
from smartstep.drivers.analysis import analyse_drivers  # noqa: E402
from smartstep.imports.importers import import_csv  # noqa: E402
from smartstep.imports.sync.run import parse_since, run_sync  # noqa: E402
from smartstep.imports.sync.zendesk import ZendeskSource  # noqa: E402


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bench_sync(tickets: int, repeat: int) -> None:
    stub = ZendeskStub(page_size=1000)
    facts = make_account(tickets, seed=11)
    load_zendesk(stub, facts)
    first, again, baseline = [], [], []
    for _ in range(repeat):
        folder = Path(tempfile.mkdtemp())
        db = open_db(folder / "sync.db")
        source = ZendeskSource(stub.url, "lead@example.com", "zd-token")
        first.append(timed(lambda db=db, source=source: run_sync(db, source, since=parse_since("2026-09-01"))))
        again.append(timed(lambda db=db, source=source: run_sync(db, source)))
        source.close()
        db.close()
        csv_tickets, csv_surveys = write_zendesk_csvs(facts, folder)
        plain = open_db(folder / "csv.db")
        baseline.append(
            timed(
                lambda plain=plain, t=csv_tickets, s=csv_surveys: (
                    import_csv(plain, "tickets", t),
                    import_csv(plain, "surveys", s),
                )
            )
        )
        plain.close()
    stub.close()
    f, a, b = (statistics.median(x) for x in (first, again, baseline))
    print(f"sync: {tickets} tickets, first sync {f:.2f} s, CSV import of the same rows {b:.2f} s, ratio {f / b:.1f}")
    print(f"sync: incremental run with nothing new {a * 1000:.0f} ms")


def bench_factors(repeat: int) -> None:
    frame = planted(1258, seed=3, contacts=-0.6)
    rng = np.random.default_rng(1)
    extended = frame.assign(
        priority=rng.choice(["low", "normal", "high", "urgent"], len(frame)),
        ticket_type=rng.choice(["question", "incident", "problem"], len(frame)),
        sla_breached=(rng.random(len(frame)) < 0.2).astype(float),
    )
    results = {}
    for name, sample in (("9 factors", frame), ("12 factors", extended)):
        cpu = []
        for _ in range(repeat):
            start = time.process_time()
            analyse_drivers(sample, "ces", first_week=WEEKS[0], last_week=WEEKS[-1], team="Payments")
            cpu.append(time.process_time() - start)
        results[name] = statistics.median(cpu)
    base, new = results["9 factors"], results["12 factors"]
    print(f"drivers: 1258 CES answers, 9 factors {base:.3f} s CPU, 12 factors {new:.3f} s CPU, ratio {new / base:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench_sync(args.tickets, args.repeat)
    bench_factors(args.repeat)
