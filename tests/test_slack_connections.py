"""Idle and slow connections cannot lock Slack out: with hundreds of sockets held open doing nothing
(or dribbling a request's headers), /healthz and a signed delivery are still answered well within
Slack's 3 seconds. The real app under the production server settings, on a loopback port."""

from __future__ import annotations

import select
import socket
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from slack_stub import SlackHarness, seeded_fixture, slack_fixture  # noqa: F401 (fixtures)

from smartstep.slack.http_server import BackgroundServer, create_server

DEADLINE = 3.0  # seconds: Slack's limit for an ack (today's server took 30-60 s behind 200 idle sockets)


@contextmanager
def held_open(port: int, idle: int, slow: int) -> Iterator[list[socket.socket]]:
    """`idle` connections that never send a byte and `slow` ones that sent half a request's headers."""
    sockets: list[socket.socket] = []
    try:
        for n in range(idle + slow):
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            if n >= idle:
                conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: smartstep\r\nContent-Type: application/json\r\n")
            sockets.append(conn)
        yield sockets
    finally:
        for conn in sockets:
            conn.close()


def timed_health(url: str) -> tuple[int, float]:
    started = time.monotonic()
    with urllib.request.urlopen(url + "/healthz", timeout=DEADLINE * 3) as response:
        return response.status, time.monotonic() - started


def mention(ts: str) -> dict:
    return {"type": "app_mention", "user": "U1", "text": "<@UBOT> ticket volume for Billing", "ts": ts, "channel": "C1"}


def test_two_hundred_idle_and_slow_connections_do_not_starve_health_or_deliveries(slack: SlackHarness) -> None:
    with held_open(slack.server.port, idle=150, slow=100):
        status, took = timed_health(slack.url)
        assert status == 200 and took < DEADLINE, f"/healthz took {took:.1f} s behind 250 idle connections"
        started = time.monotonic()
        assert slack.event(mention("1700000100.000100"))[0] == 200
        assert time.monotonic() - started < DEADLINE
        [reply] = slack.stub.wait_for("chat.postMessage")
        assert reply["thread_ts"] == "1700000100.000100"


def test_past_the_connection_limit_the_longest_idle_connections_make_room(slack: SlackHarness) -> None:
    """A flood larger than the limit (a deployment without a proxy in front): new requests still get in."""
    server = BackgroundServer(
        create_server(slack.app, health=slack.store.problems, host="127.0.0.1", port=0, connection_limit=40)
    ).start()
    url = f"http://127.0.0.1:{server.port}"
    try:
        with held_open(server.port, idle=60, slow=30) as flood:
            status, took = timed_health(url)
            assert status == 200 and took < DEADLINE, f"/healthz took {took:.1f} s past the connection limit"
            status, took = timed_health(url)  # and again: room is made each time, not once
            assert status == 200 and took < DEADLINE
            # The server hung up on the longest-idle ones to make that room: they read as end of file.
            hung_up, _, _ = select.select(flood, [], [], 1.0)
            closed = sum(1 for conn in hung_up if conn.recv(1) == b"")
            assert closed >= 10
    finally:
        server.stop()
