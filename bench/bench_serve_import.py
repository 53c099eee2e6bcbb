"""Serving while a long import writes: signed mentions to `smartstep serve --http` during `smartstep import`.

    .venv/bin/python bench/bench_serve_import.py [--rows 200000] [--every 0.5] [--scale 1.0]

The store is the demo with its similar-case index saved beside it; the import is N generated tickets
(bench_import's generator) run as its own `smartstep import` process, as an operator would. A mention
(one of bench_slack's questions, a similar-case search among them) goes out every `--every` seconds
while the import runs and for a few seconds after. The baseline, in the same run and against the same
server, first sends `--baseline` mentions at the same pace with no import running. Prints ack and
reply latency for both, their ratio, and counts failed ("Sorry, something went wrong"), lost and
duplicated replies.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import generate  # noqa: E402
from bench_slack import build_store, mention_body, pct, post, serve_process  # noqa: E402
from slack_stub import SlackStub  # noqa: E402

from smartstep.db import open_db  # noqa: E402
from smartstep.knowledge import IndexCache  # noqa: E402
from smartstep.slack.blocks import FRIENDLY_ERROR  # noqa: E402

AFTER = 5.0  # seconds of mentions after the import ends


def send_while(url: str, start: int, every: float, running) -> list[tuple[str, float, float]]:
    """A mention every `every` s while `running()`; (thread ts, sent at, ack seconds) for each."""
    sent = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        n = start
        while running():
            ts, body = mention_body(n, ("Billing", "Technical", "Onboarding", "Enterprise")[n % 4])
            futures.append((ts, pool.submit(post, url, body)))
            n += 1
            time.sleep(every)
        for ts, future in futures:
            status, at, ack = future.result()
            assert status == 200, status
            sent.append((ts, at, ack))
    return sent


def outcome(stub: SlackStub, sent: list[tuple[str, float, float]], timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    wanted = {ts for ts, _, _ in sent}
    while time.monotonic() < deadline and not wanted <= {b.get("thread_ts") for b in stub.calls_to("chat.postMessage")}:
        time.sleep(0.1)
    time.sleep(1.0)  # let any duplicate arrive before counting
    replies: dict[str, list[tuple[float, str]]] = {}
    for (method, body), arrived in zip(list(stub.calls), list(stub.arrived), strict=True):
        if method == "chat.postMessage" and body.get("thread_ts") in wanted:
            replies.setdefault(body["thread_ts"], []).append((arrived, body.get("text", "")))
    latency = [min(replies[ts])[0] - at for ts, at, _ in sent if ts in replies]
    return {
        "acks": [ack for _, _, ack in sent],
        "reply": latency,
        "failed": sum(any(FRIENDLY_ERROR in text for _, text in replies.get(ts, [])) for ts, _, _ in sent),
        "lost": sum(ts not in replies for ts, _, _ in sent),
        "duplicated": sum(max(0, len(replies.get(ts, [])) - 1) for ts, _, _ in sent),
    }


def watch_commit(db_path: Path) -> list[float]:
    """When the import commits: a reader (never blocked in WAL mode) polls the ticket count."""
    moment: list[float] = []

    def poll() -> None:
        db = open_db(db_path, migrate=False)
        start = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
        while db.execute("SELECT count(*) FROM tickets").fetchone()[0] == start:
            time.sleep(0.1)
        moment.append(time.monotonic())
        db.close()

    threading.Thread(target=poll, daemon=True).start()
    return moment


def first_replies(stub: SlackStub, sent: list[tuple[str, float, float]]) -> list[float]:
    wanted = {ts for ts, _, _ in sent}
    first: dict[str, float] = {}
    for (method, body), arrived in zip(list(stub.calls), list(stub.arrived), strict=True):
        if method == "chat.postMessage" and body.get("thread_ts") in wanted:
            first.setdefault(body["thread_ts"], arrived)
    return list(first.values())


def show(name: str, result: dict) -> None:
    acks, reply, ms = result["acks"], result["reply"], 1000
    print(
        f"{name:9} {len(acks):4} mentions  ack p50 {statistics.median(acks) * ms:6.1f} ms"
        f"  p95 {pct(acks, 0.95) * ms:6.1f} ms  max {max(acks) * ms:6.1f} ms"
        f" | reply p50 {statistics.median(reply) * ms:7.0f} ms  p95 {pct(reply, 0.95) * ms:7.0f} ms"
        f"  max {max(reply) * ms:7.0f} ms"
        f" | failed {result['failed']}, lost {result['lost']}, duplicated {result['duplicated']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="tickets in the import")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between mentions")
    parser.add_argument("--scale", type=float, default=1.0, help="demo size (1.0 = the full demo)")
    parser.add_argument("--baseline", type=int, default=40, help="mentions sent with no import running")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path, csv_path = Path(tmp) / "served.db", Path(tmp) / "tickets.csv"
        build_store(db_path, args.scale)
        db = open_db(db_path)
        print(f"similar-case index: {len(IndexCache().get(db).ids):,} cases")
        db.close()
        generate(csv_path, args.rows)
        stub = SlackStub()
        process, port = serve_process(db_path, stub)
        url = f"http://127.0.0.1:{port}/slack/events"
        try:
            warm = [mention_body(900_000 + n, "Billing")[1] for n in range(7)]
            for body in warm:
                post(url, body)
            stub.wait_for("chat.postMessage", count=len(warm), timeout=120)
            left = [args.baseline]

            def counting() -> bool:
                left[0] -= 1
                return left[0] >= 0

            baseline = outcome(stub, send_while(url, 500_000, args.every, counting))
            importing = subprocess.Popen(
                [sys.executable, "-m", "smartstep", "--db", str(db_path), "import", "tickets", str(csv_path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            began = time.monotonic()
            ended: list[float] = []
            committed = watch_commit(db_path)

            def running() -> bool:
                if importing.poll() is None:
                    return True
                ended[:1] = ended[:1] or [time.monotonic()]
                return time.monotonic() - ended[0] < AFTER

            during = send_while(url, 0, args.every, running)
            out, err = importing.communicate()
            print(
                f"import of {args.rows:,} tickets: committed after {committed[0] - began:.1f} s (the write lock "
                f"held until then), exit {importing.returncode} after {ended[0] - began:.1f} s (index updated)"
            )
            print("  " + "\n  ".join(line for line in (out + err).splitlines() if line.strip()))
            result = outcome(stub, during)
            before = [row for row in during if row[1] < committed[0]]
            waits = [t - committed[0] for t in first_replies(stub, before)]
            if waits:
                print(
                    f"{len(before)} mentions sent before the commit: replied {statistics.median(waits):.1f} s "
                    f"(median) and at most {max(waits):.1f} s after it"
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
            stub.close()
    show("no import", baseline)
    show("importing", result)
    print(
        f"ratio importing/no import: ack p95 {pct(result['acks'], 0.95) / pct(baseline['acks'], 0.95):.1f}x, "
        f"reply p50 {statistics.median(result['reply']) / statistics.median(baseline['reply']):.1f}x"
    )


if __name__ == "__main__":
    main()
