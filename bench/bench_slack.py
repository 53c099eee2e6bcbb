"""Slack app under load: 200 signed mentions at concurrency 20 against HTTP mode on loopback.

    .venv/bin/python bench/bench_slack.py [--scale 1.0] [--requests 200] [--concurrency 20] [--cases 100000]
    .venv/bin/python bench/bench_slack.py --separate --workers 0,2 --rounds 3   # answer workers vs none

Measures, per mention, the ack latency (HTTP response from waitress + Bolt) and the reply latency
(until the local Web API stand-in records the threaded chat.postMessage), and counts lost and
duplicated replies. The store is the demo topped up to 100,000 solved cases with the similar-case
index built beside it; one question in seven is a similar-case search. The baseline, in the same
run, sends the same signed requests to a bare waitress WSGI app that answers 200 at once, so the
ack ratio isolates what smartstep adds.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import waitress  # noqa: E402
from slack_stub import SECRET, SlackStub, sign  # noqa: E402

from smartstep.db import open_db  # noqa: E402
from smartstep.metrics.reader import known_teams  # noqa: E402
from smartstep.settings import Settings  # noqa: E402
from smartstep.slack.app import build_app  # noqa: E402
from smartstep.slack.health import StoreFile  # noqa: E402
from smartstep.slack.http_server import BackgroundServer, create_server, favour_acks  # noqa: E402

QUESTIONS = [
    "how is csat for {team}?",
    "what's the backlog for {team}?",
    "first reply time {team} last 12 weeks",
    "ticket volume",
    "how is effort for {team}?",
    "nps {team}",
    "show similar cases for {case}",
]


def build_store(path: Path, scale: float) -> list[str]:
    db = open_db(path)
    try:
        from smartstep.demo import build_demo

        summary = build_demo(db, scale=scale)
        print(f"demo store: {summary.tickets:,} tickets, {summary.surveys:,} surveys, teams {', '.join(summary.teams)}")
    except ImportError:
        sys.exit("bench_slack needs smartstep.demo.build_demo")
    teams = known_teams(db)
    db.close()
    return teams


def add_cases(path: Path, total: int, teams: list[str]) -> list[str]:
    """Top the store up to `total` solved cases with synthetic ones (dated inside the demo's past,
    spread over its teams) and build the similar-case index beside it, as a deployment would have.
    Returns a few case titles to ask about."""
    from synthetic_cases import generate_cases, ticket_rows

    from smartstep.knowledge import IndexCache

    db = open_db(path)
    have = db.execute("SELECT count(*) FROM tickets WHERE status IN ('solved', 'closed')").fetchone()[0]
    extra = generate_cases(max(0, total - have), seed=5)
    rows = ticket_rows(extra)
    for n, row in enumerate(rows):
        row["team"] = teams[n % len(teams)]
        row["created_at"] = row["solved_at"] = min(row["solved_at"], "2026-10-31T12:00:00Z")
    db["tickets"].insert_all(rows, batch_size=5000)
    began = time.perf_counter()
    cases = len(IndexCache().get(db).ids)
    print(f"similar-case index: {cases:,} cases built in {time.perf_counter() - began:.1f} s")
    db.close()
    return [c["subject"] for c in extra[:: max(1, len(extra) // 50)]] or ["password reset email never arrives"]


def mention_body(n: int, team: str, case: str = "password reset email never arrives") -> tuple[str, str]:
    ts = f"1700100000.{n:06d}"
    text = QUESTIONS[n % len(QUESTIONS)].format(team=team, case=case)
    body = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": f"EvBench{n:06d}",
        "event_time": 1700100000,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": "C1"},
    }
    return ts, json.dumps(body)


def post(url: str, body: str) -> tuple[int, float, float]:
    """(status, sent_at, ack seconds) for one signed POST."""
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sign(body, stamp, SECRET),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status, started, time.monotonic() - started


def fire(url: str, bodies: list[str], concurrency: int) -> list[tuple[int, float, float]]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda b: post(url, b), bodies))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_baseline(bodies: list[str], concurrency: int) -> list[float]:
    def ok(environ, start_response):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    server = BackgroundServer(waitress.create_server(ok, host="127.0.0.1", port=0, threads=8)).start()
    try:
        url = f"http://127.0.0.1:{server.port}/slack/events"
        fire(url, bodies[:10], concurrency)
        return [ack for _, _, ack in fire(url, bodies, concurrency)]
    finally:
        server.stop()


def serve_process(db_path: Path, stub: RemoteStub, workers: int | None = None) -> tuple[subprocess.Popen, int]:
    """`smartstep serve --http` in its own process, as in production: the load generator and the Web
    API stand-in stay in this process and do not compete with the app for its interpreter lock."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": stub.api_url,
        "SMARTSTEP_DB": str(db_path),
    }
    env.pop("SLACK_APP_TOKEN", None)
    command = [sys.executable, "-m", "smartstep", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command + ([] if workers is None else ["--workers", str(workers)]),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # A session of its own, as a deployed server has: Linux's autogroup scheduling then shares the
        # cores between the app and this load generator instead of charging both to one group.
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("smartstep serve did not come up within 60 s")


def _stub_process(conn) -> None:  # noqa: ANN001 (a multiprocessing Connection)
    """The Web API stand-in in a process of its own, as Slack is a system of its own: its answers are not
    slowed by the load generator's threads. Answers `(command, arg)` requests from the bench over `conn`."""
    stub = SlackStub()
    conn.send(stub.api_url)
    while True:
        command, arg = conn.recv()
        if command == "count":
            conn.send(len(stub.calls_to(arg)))
        elif command == "calls":
            with stub.lock:
                conn.send([(m, b.get("thread_ts"), t) for (m, b), t in zip(stub.calls, stub.arrived, strict=True)])
        else:
            stub.close()
            conn.send(None)
            return


class RemoteStub:
    """The bench's handle on the stand-in process: call counts and (method, thread_ts, arrival) records.
    Arrival times are time.monotonic(), one clock for every process on the machine."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_stub_process, args=(child,), daemon=True)
        self.process.start()
        self.api_url: str = self.conn.recv()

    def _ask(self, command: str, arg: str = "") -> Any:
        self.conn.send((command, arg))
        return self.conn.recv()

    def count(self, method: str) -> int:
        return self._ask("count", method)

    def wait_for(self, method: str, count: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.count(method) < count:
            time.sleep(0.05)
        return self.count(method)

    def calls(self) -> list[tuple[str, str | None, float]]:
        return self._ask("calls")

    def close(self) -> None:
        self._ask("close")
        self.process.join(timeout=10)


def cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU seconds of `pid` and its child processes (Linux /proc), by pid."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(proc: Path) -> list[str]:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()

    found: dict[int, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = fields(proc)
        except OSError:
            continue
        if int(proc.name) == pid or int(stat[1]) == pid:
            found[int(proc.name)] = (int(stat[11]) + int(stat[12])) / tick
    return found


def run_app(
    db_path: Path, bodies: list[tuple[str, str]], concurrency: int, separate: bool = False, workers: int | None = None
) -> dict:
    stub = RemoteStub()
    process = server = None
    if separate:
        process, port = serve_process(db_path, stub, workers)
    else:
        settings = Settings(
            db_path=db_path, slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=stub.api_url
        )
        store = StoreFile(db_path)
        app = build_app(settings, db_path, store=store)
        server = BackgroundServer(create_server(app, health=store.problems, host="127.0.0.1", port=0)).start()
        port = server.port
    url = f"http://127.0.0.1:{port}/slack/events"
    # Event ids are claimed in the store, which every run shares: fresh ones per run, or a later run's
    # mentions would all be (rightly) taken for retries of an earlier run's.
    tag = uuid.uuid4().hex[:8]
    bodies = [(ts, body.replace('"event_id": "EvBench', f'"event_id": "EvBench{tag}')) for ts, body in bodies]
    try:
        # Every kind of question, three times over different threads, so every answer worker has loaded
        # the case index and the intent model before the burst.
        warm = [mention_body(900000 + n, "x")[1].replace("EvBench", f"EvBench{tag}") for n in range(3 * len(QUESTIONS))]
        fire(url, warm, 6)
        stub.wait_for("chat.postMessage", count=len(warm), timeout=60)
        already = len(stub.calls())
        cpu_before = cpu_seconds(process.pid if process else os.getpid())
        bench_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        results = fire(url, [b for _, b in bodies], concurrency)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and stub.count("chat.postMessage") < len(warm) + len(bodies):
            time.sleep(0.05)
        cpu_after = cpu_seconds(process.pid if process else os.getpid())
        bench_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - bench_before
        time.sleep(1.0)  # let any duplicate arrive before counting
        replies: dict[str, list[float]] = {}
        for method, thread_ts, arrived in stub.calls()[already:]:
            if method == "chat.postMessage":
                replies.setdefault(thread_ts, []).append(arrived)
        reply_latency, lost, duplicated = [], 0, 0
        for (ts, _), (_, sent, _) in zip(bodies, results, strict=True):
            got = replies.get(ts, [])
            lost += not got
            duplicated += max(0, len(got) - 1)
            if got:
                reply_latency.append(min(got) - sent)
        return {
            "acks": [a for _, _, a in results],
            "statuses": [s for s, _, _ in results],
            "reply": reply_latency,
            "lost": lost,
            "duplicated": duplicated,
            # CPU seconds the burst cost, per process (the app, then each answer worker)
            "cpu": [cpu_after.get(pid, 0.0) - cpu_before.get(pid, 0.0) for pid in cpu_after],
            "bench_cpu": bench_cpu,  # this process: the load generator and the Web API stand-in
        }
    finally:
        if server is not None:
            server.stop()
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        stub.close()


def report(label: str, app: dict, baseline: list[float]) -> dict[str, float]:
    acks, reply = app["acks"], app["reply"]
    ms = 1000
    figures = {
        "ack_p50": statistics.median(acks) * ms,
        "ack_p95": pct(acks, 0.95) * ms,
        "ack_max": max(acks) * ms,
        "reply_p50": statistics.median(reply) * ms if reply else float("nan"),
        "reply_p95": pct(reply, 0.95) * ms if reply else float("nan"),
        "reply_max": max(reply) * ms if reply else float("nan"),
        "lost": app["lost"],
        "duplicated": app["duplicated"],
    }
    print(
        f"{label}: statuses {sorted(set(app['statuses']))}; ack p50 {figures['ack_p50']:.1f} ms p95 "
        f"{figures['ack_p95']:.1f} ms max {figures['ack_max']:.1f} ms (ratio to bare waitress p95 "
        f"{figures['ack_p95'] / (pct(baseline, 0.95) * ms):.1f}x); reply p50 {figures['reply_p50']:.0f} ms p95 "
        f"{figures['reply_p95']:.0f} ms max {figures['reply_max']:.0f} ms; lost {app['lost']}, "
        f"duplicated {app['duplicated']}; CPU s per process {[round(c, 1) for c in app['cpu']]} "
        f"(load generator and stand-in {app['bench_cpu']:.1f}); "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="demo size (1.0 = the full demo)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--db", type=Path, help="copy this store instead of building the demo")
    parser.add_argument("--cases", type=int, default=100_000, help="solved cases in the similar-case index")
    parser.add_argument(
        "--separate", action="store_true", help="run the app as `smartstep serve --http` in its own process"
    )
    parser.add_argument(
        "--workers", default="", help="with --separate: comma-separated `serve --workers` values to compare, e.g. 0,2"
    )
    parser.add_argument("--rounds", type=int, default=1, help="runs of each --workers value, interleaved")
    parser.add_argument("--keep", type=Path, help="save the built store here, to reuse with --db")
    args = parser.parse_args()
    favour_acks()  # as `smartstep serve --http` does
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" is the queueing we measure
    variants: list[int | None] = [int(w) for w in args.workers.split(",") if w.strip()] or [None]
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        if args.db:
            source = open_db(args.db)
            source.conn.execute(f"VACUUM INTO '{db_path}'")
            teams = known_teams(source)
            source.close()
        else:
            teams = build_store(db_path, args.scale)
        asked = add_cases(db_path, args.cases, teams)
        if args.keep:
            source = open_db(db_path)
            source.conn.execute(f"VACUUM INTO '{args.keep}'")
            source.close()
        print(f"store built in {time.perf_counter() - started:.1f} s")
        bodies = [mention_body(n, teams[n % len(teams)], asked[n % len(asked)]) for n in range(args.requests)]
        baseline = run_baseline([b for _, b in bodies], args.concurrency)
        print(
            f"{args.requests} signed mentions, concurrency {args.concurrency}; bare waitress ack p50 "
            f"{statistics.median(baseline) * 1000:.1f} ms p95 {pct(baseline, 0.95) * 1000:.1f} ms"
        )
        results: dict[int | None, list[dict[str, float]]] = {v: [] for v in variants}
        for round_ in range(1, args.rounds + 1):
            for workers in variants:
                app = run_app(db_path, bodies, args.concurrency, separate=args.separate, workers=workers)
                label = f"round {round_}, " + ("serve default" if workers is None else f"--workers {workers}")
                results[workers].append(report(label, app, baseline))
    for workers, runs in results.items():
        name = "serve default" if workers is None else f"--workers {workers}"
        medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(
            f"median of {len(runs)}, {name}: ack p95 {medians['ack_p95']:.1f} ms, reply p50 "
            f"{medians['reply_p50']:.0f} ms, reply p95 {medians['reply_p95']:.0f} ms, reply max "
            f"{medians['reply_max']:.0f} ms; lost {sum(r['lost'] for r in runs):.0f}, "
            f"duplicated {sum(r['duplicated'] for r in runs):.0f}"
        )
    if len(variants) > 1 and variants[0] is not None:
        base = statistics.median(r["reply_p95"] for r in results[variants[0]])
        for workers in variants[1:]:
            ratio = statistics.median(r["reply_p95"] for r in results[workers]) / base
            print(f"reply p95, --workers {workers} / --workers {variants[0]}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
