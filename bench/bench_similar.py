"""Similar-cases speed: build, load, query p50/p95 and a 1,000-query batch, against SQLite FTS5 in one run.

    .venv/bin/python bench/bench_similar.py            # 100,000 synthetic cases
    .venv/bin/python bench/bench_similar.py --n 1000000

Cases come from bench/synthetic_cases.py and are written to a real SQLite store; the
index is built, saved beside it and loaded the way `find_similar` does; then 100 solved
tickets are imported and the first question after the import is timed. Queries mix short
typo'd titles, mid-length paraphrases and long bodies with log noise. FTS5 (BM25, Porter)
is built over the same text and asked the same queries as an OR of their words.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic_cases import generate_cases, ticket_rows  # noqa: E402

from smartstep.db import open_db  # noqa: E402
from smartstep.knowledge import IndexCache, find_similar, find_similar_batch  # noqa: E402
from smartstep.knowledge.evaluate import fts5_match  # noqa: E402
from smartstep.knowledge.store import build_case_index, index_dir, load_case_index, save_case_index  # noqa: E402


def make_queries(cases: list[dict[str, str]], count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        case = cases[rng.randrange(len(cases))]
        words = case["description"].split()
        if i % 3 == 0:  # short, with a typo
            title = case["subject"].split()
            word = title[0]
            out.append(" ".join([word[:-1] + word[-1] * 2, *title[1:3]]))
        elif i % 3 == 1:  # a paraphrase: part of the title and some body words, shuffled
            picked = rng.sample(words, min(8, len(words)))
            out.append(" ".join(case["subject"].split()[:2] + picked))
        else:  # a long mail with log noise
            out.append(
                f"Hello,\n{case['subject']} for us. {' '.join(words[:30])}\n"
                f"2026-10-12 08:14:02,118 ERROR [req-{i:08x}] java.lang.IllegalStateException: failed\n"
                f"    at com.client.App.run(App.java:{i % 400})\nThanks,\nAlex\n"
            )
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cpu_timed(action) -> tuple[float, float]:
    """(wall, CPU) seconds: the box is shared, so CPU time is what the code itself costs."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def summary(prefix: str, pairs: list[tuple[float, float]]) -> dict[str, float]:
    walls, cpus = [1000 * w for w, _ in pairs], [1000 * c for _, c in pairs]
    return {
        f"{prefix}p50_ms": statistics.median(walls),
        f"{prefix}p95_ms": percentile(walls, 0.95),
        f"{prefix}p50_cpu_ms": statistics.median(cpus),
        f"{prefix}p95_cpu_ms": percentile(cpus, 0.95),
    }


class PhasePeaks:
    """Peak RSS per phase of the run, sampled every 50 ms from /proc (Linux)."""

    def __init__(self) -> None:
        self.phase, self.peaks = "start", {}
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        status = Path("/proc/self/status")
        while status.exists():
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS:"))
            rss = int(line.split()[1]) / 1024**2
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), rss)
            time.sleep(0.05)


def new_tickets(count: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"NEW-{i}",
            "created_at": "2026-03-01T09:00:00Z",
            "solved_at": "2026-03-02T10:00:00Z",
            "status": "solved",
            "team": "Technical",
            "channel": "email",
            "product": "Doors",
            "subject": f"Badge scanner model {i} rejects QR codes",
            "description": "The scanner at the door refuses every QR badge since Monday.",
            "resolution": "Updated the scanner firmware.",
        }
        for i in range(count)
    ]


def bench_ours(db, db_path: Path, queries: list[str], batch: list[str], k: int, peaks: PhasePeaks) -> dict[str, float]:
    holder: dict[str, object] = {}
    peaks.phase = "build"
    build = cpu_timed(lambda: holder.update(index=build_case_index(db)))
    save = cpu_timed(lambda: save_case_index(holder["index"], index_dir(db_path)))
    holder.clear()  # one index in memory at a time, as in the bot
    gc.collect()
    peaks.phase = "load"
    loads = [cpu_timed(lambda: load_case_index(index_dir(db_path))) for _ in range(3)]
    gc.collect()
    peaks.phase = "query"
    cache = IndexCache()
    cache.get(db)  # the first call loads from disk and checks staleness, as the bot's first query does
    pairs = [cpu_timed(lambda q=q: find_similar(db, q, k=k, cache=cache)) for q in queries]
    batch_pair = cpu_timed(lambda: find_similar_batch(db, batch, k=k, cache=cache))
    # An import of 100 solved tickets, then the first question: the index follows without a rebuild.
    peaks.phase = "update"
    db["tickets"].insert_all(new_tickets(100))
    update = cpu_timed(lambda: find_similar(db, "badge scanner model 42 rejects QR", k=k, cache=cache))
    after = cpu_timed(lambda: find_similar(db, "QR badge scanner", k=k, cache=cache))
    db["tickets"].delete_where("id LIKE 'NEW-%'")
    peaks.phase = "done"
    return {
        "build_s": build[0] + save[0],
        "build_cpu_s": build[1] + save[1],
        "load_s": statistics.median(w for w, _ in loads),
        "load_cpu_s": statistics.median(c for _, c in loads),
        **summary("", pairs),
        "batch_s": batch_pair[0],
        "batch_cpu_s": batch_pair[1],
        "first_after_import_s": update[0],
        "next_after_import_s": after[0],
    }


def bench_fts5(
    rows: Iterable[tuple[str, str, str, str]], queries: list[str], batch: list[str], k: int
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "fts.db")
        conn.execute("CREATE VIRTUAL TABLE docs USING fts5(case_id UNINDEXED, body, tokenize='porter unicode61')")
        docs = ((i, f"{subject}\n{description}\n{resolution}") for i, subject, description, resolution in rows)
        build = cpu_timed(lambda: (conn.executemany("INSERT INTO docs VALUES (?, ?)", docs), conn.commit()))
        sql = "SELECT case_id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?"

        def ask(text: str) -> list:
            return conn.execute(sql, (fts5_match(text), k)).fetchall()

        pairs = [cpu_timed(lambda q=q: ask(q)) for q in queries]
        # FTS5 answers one query at a time; 200 of the batch are timed and scaled to 1,000.
        batch_pair = tuple(5 * t for t in cpu_timed(lambda: [ask(q) for q in batch[:200]]))
        conn.close()
    return {
        "build_s": build[0],
        "build_cpu_s": build[1],
        **summary("", pairs),
        "batch_s": batch_pair[0],
        "batch_cpu_s": batch_pair[1],
    }


def create_store(db_path: Path, n: int) -> None:
    """Runs in a child process, so the parent's peak memory is the index's, not the generator's."""
    gen_s, cases = timed(lambda: generate_cases(n))
    db = open_db(db_path)
    insert_s, _ = timed(lambda: db["tickets"].insert_all(ticket_rows(cases), batch_size=5000))
    db.close()
    print(f"{n:,} cases generated in {gen_s:.1f} s, stored in {insert_s:.1f} s", flush=True)


def sample_cases(db, n: int, count: int, seed: int = 5) -> list[dict[str, str]]:
    rowids = random.Random(seed).sample(range(1, n + 1), min(count, n))
    marks = ", ".join("?" for _ in rowids)
    return list(db.query(f"SELECT subject, description FROM tickets WHERE rowid IN ({marks})", rowids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of synthetic cases")
    parser.add_argument("--queries", type=int, default=300, help="single queries timed one by one")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--no-fts5", action="store_true", help="skip the FTS5 baseline (for the 1M run on a busy box)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        child = multiprocessing.get_context("fork").Process(target=create_store, args=(db_path, args.n))
        child.start()
        child.join()
        db = open_db(db_path)
        sample = sample_cases(db, args.n, 2000)
        queries, batch = make_queries(sample, args.queries), make_queries(sample, 1000, seed=12)
        peaks = PhasePeaks()
        ours = bench_ours(db, db_path, queries, batch, args.k, peaks)
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print("smartstep:", ", ".join(f"{key} {value:.3f}" for key, value in ours.items()), flush=True)
        print(f"peak memory of the index process (RSS): {peak_gb:.2f} GB", flush=True)
        print("peak RSS by phase (GB):", ", ".join(f"{k} {v:.2f}" for k, v in peaks.peaks.items()), flush=True)
        rows = db.execute("SELECT id, subject, description, resolution FROM tickets")
        fts5 = None if args.no_fts5 else bench_fts5(rows, queries, batch, args.k)
        db.close()
    if fts5 is None:
        return
    print(f"{'':<24}{'smartstep':>12}{'fts5':>12}{'ratio':>9}")
    labels = [
        ("build_s", "build (s)"),
        ("build_cpu_s", "build CPU (s)"),
        ("p50_ms", "query p50 (ms)"),
        ("p95_ms", "query p95 (ms)"),
        ("p50_cpu_ms", "query p50 CPU (ms)"),
        ("p95_cpu_ms", "query p95 CPU (ms)"),
        ("batch_s", "batch 1000 (s) *"),
        ("batch_cpu_s", "batch 1000 CPU (s) *"),
    ]
    for key, label in labels:
        print(f"{label:<24}{ours[key]:>12.2f}{fts5[key]:>12.2f}{ours[key] / max(fts5[key], 1e-9):>9.2f}")
    print(f"{'load (s)':<24}{ours['load_s']:>12.3f}   (CPU {ours['load_cpu_s']:.3f} s)")
    print("* FTS5 batch: 200 of the 1,000 queries timed one by one, times 5")


if __name__ == "__main__":
    main()
