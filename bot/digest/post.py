"""Building a digest ready to send, and sending it: the message, then the chart in its thread.

The chart goes through Slack's current upload flow (files.getUploadURLExternal, the upload,
files.completeUploadExternal: `WebClient.files_upload_v2`), as a reply to the digest so the
channel gets one post a week.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils
from slack_sdk import WebClient

from smartstep.advice.log import new_advice_id
from smartstep.digest.blocks import MAX_BLOCKS, digest_message
from smartstep.digest.chart import chart_png
from smartstep.digest.data import load_digest
from smartstep.digest.model import Digest
from smartstep.metrics.freshness import data_freshness
from smartstep.rules.loader import RuleSet

log = logging.getLogger("smartstep.digest.model")


@dataclass(frozen=True)
class RenderedDigest:
    digest: Digest
    message: dict[str, Any]
    png: bytes | None  # None when there is nothing to draw (no data, or a quiet week's single line)


def render_digest(
    db: sqlite_utils.Database,
    ruleset: RuleSet,
    *,
    teams: Sequence[str] | None = None,
    as_of: datetime | None = None,
    log: bool = True,
    at: datetime | None = None,
    make_id: Callable[[], str] = new_advice_id,
    chart: bool = True,
    stale_after_hours: float = 72.0,
    ticket_url: str | None = None,
) -> RenderedDigest:
    digest = load_digest(db, ruleset, teams=teams, as_of=as_of, log=log, at=at, make_id=make_id)
    png = None
    if chart and digest.period is not None and digest.teams and not digest.quiet:
        png = chart_png(digest.history, digest.period, [t.team for t in digest.teams], notes=digest.notes)
    message = digest_message(digest, chart_note=png is not None, ticket_url=ticket_url)
    note = None if as_of is not None else data_freshness(db, now=at, stale_after_hours=stale_after_hours).note()
    if note and len(message["blocks"]) < MAX_BLOCKS:
        message["blocks"].insert(1, {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return RenderedDigest(digest, message, png)


def post_digest(
    client: WebClient, channel: str, rendered: RenderedDigest, on_posted: Callable[[str], None] | None = None
) -> str:
    """Post the digest to `channel` and its chart in the thread; returns the message's ts.

    `on_posted` runs as soon as Slack has the message, before the chart: once the post exists it
    must be recorded, so a failing upload can never cause the digest to be posted again. A failed
    upload is logged and the digest stands without its chart.
    """
    message = rendered.message
    response = client.chat_postMessage(channel=channel, text=message["text"], blocks=message["blocks"])
    ts = str(response["ts"])
    if on_posted is not None:
        on_posted(ts)
    if rendered.png is not None:
        try:
            upload_chart(client, channel, ts, rendered)
        except Exception:
            log.exception(
                "the %s digest in %s was posted, but its chart could not be uploaded", rendered.digest.period, channel
            )
    return ts


def upload_chart(client: WebClient, channel: str, thread_ts: str, rendered: RenderedDigest) -> None:
    period = rendered.digest.period
    client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        file=rendered.png,
        filename=f"smartstep-digest-{period}.png",
        title=f"12-week trends to {period}",
        alt_txt="Small multiples: CSAT, CES, NPS, first reply time, backlog and Time to Customer Value per team",
    )
