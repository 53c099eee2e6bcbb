"""Answers from worker processes: every question answered exactly once, a thread's "why?" reaches the
worker that gave the answer it is about, a dead worker is replaced, a retry is not answered twice by
another process, and workers do not outlive the app. Real processes, the real app over HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_data import advice_skills
from slack_stub import SECRET, SlackHarness, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

TEAMS = {"Billing": "6 in 2026-W46", "Technical": "2 in 2026-W46"}  # read off the seed data


def mention(text: str, ts: str, thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": "C1"}
    return {**event, "thread_ts": thread_ts} if thread_ts else event


def workers_on(slack: SlackHarness, count: int = 2) -> SlackHarness:
    return SlackHarness(slack.db_path, slack.stub, skills=advice_skills, workers=count)


def test_a_burst_is_answered_by_two_workers_once_each_and_why_follows_its_thread(slack: SlackHarness) -> None:
    app = workers_on(slack)
    try:
        pids = app.answer_workers.start()
        assert len(set(pids)) == 2 and os.getpid() not in pids  # two processes of their own
        threads = {f"1700002000.{n:06d}": team for n, team in enumerate(["Billing", "Technical"] * 4)}
        firsts = [mention(f"ticket volume for {team}", ts) for ts, team in threads.items()]
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(lambda e: app.event(e)[0], firsts)) == [200] * 8
        replies = slack.stub.wait_for("chat.postMessage", count=8, timeout=60)
        assert sorted(r["thread_ts"] for r in replies) == sorted(threads)  # none lost, none twice
        for reply in replies:
            assert TEAMS[threads[reply["thread_ts"]]] in reply["text"]
        whys = [mention("why?", f"{ts}9", thread_ts=ts) for ts in threads]
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(lambda e: app.event(e)[0], whys)) == [200] * 8
        answers = slack.stub.wait_for("chat.postMessage", count=16, timeout=60)[8:]
        assert sorted(a["thread_ts"] for a in answers) == sorted(threads)
        for why in answers:  # the worker that answered the thread remembers it: the metric's definition
            assert "Latest samples:" in why["text"], why["text"]
    finally:
        app.close()


def test_a_killed_worker_costs_one_friendly_reply_and_is_replaced(slack: SlackHarness) -> None:
    app = workers_on(slack, count=1)
    try:
        [pid] = app.answer_workers.start()
        os.kill(pid, signal.SIGKILL)
        app.event(mention("ticket volume for Billing", "1700003000.000100"))
        [sorry] = slack.stub.wait_for("chat.postMessage", timeout=60)
        assert sorry["text"].startswith("Sorry, something went wrong on my side")
        app.event(mention("ticket volume for Billing", "1700003000.000200"))
        replies = slack.stub.wait_for("chat.postMessage", count=2, timeout=60)
        assert "6 in 2026-W46" in replies[1]["text"]
        [replacement] = app.answer_workers.start()
        assert replacement != pid
    finally:
        app.close()


def test_the_same_delivery_reaching_two_processes_at_once_is_answered_once(slack: SlackHarness) -> None:
    other = SlackHarness(slack.db_path, slack.stub, skills=advice_skills)  # a second process's memory
    try:
        event = mention("ticket volume for Billing", "1700004000.000100")
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(slack.event, event, event_id="EvTWICE")
            second = pool.submit(other.event, event, event_id="EvTWICE", headers=retry)
            assert (first.result()[0], second.result()[0]) == (200, 200)
        fence = mention("ticket volume for Technical", "1700004000.000200")
        assert other.event(fence, event_id="EvFENCE")[0] == 200  # after the pair: its reply comes last
        replies = slack.stub.wait_for("chat.postMessage", count=2, timeout=10)
        assert sorted(r["thread_ts"] for r in replies) == ["1700004000.000100", "1700004000.000200"]
    finally:
        other.close()


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_stop_when_the_app_process_is_killed(seeded: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    db.write_bytes(seeded.read_bytes())
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SMARTSTEP_DB": str(db)}
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/"  # never called: no request is sent to it
    command = [sys.executable, "-m", "smartstep", "serve", "--http", "--host", "127.0.0.1", "--port", "0"]
    serve = subprocess.Popen([*command, "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert serve.stderr is not None
        line = ""
        while "serving" not in line:
            line = serve.stderr.readline()
            assert line, "smartstep serve stopped before serving"
        assert re.search(r"\(2 answer worker\(s\)\)", line)
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {p for p in children(serve.pid) if "multiprocessing" in Path(f"/proc/{p}/cmdline").read_text()}
            time.sleep(0.2)
        assert len(workers) >= 2, "the answer workers did not start"
        serve.kill()  # kill -9: no chance to stop them
        serve.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(p) for p in workers):
            time.sleep(0.2)
        assert not any(alive(p) for p in workers), "answer workers outlived the app"
    finally:
        serve.kill()
