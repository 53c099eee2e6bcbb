"""Rating buttons on advice: store the rating, then show on the message that it was recorded."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk import WebClient

from smartstep.advice.feedback import record_rating
from smartstep.definitions import load_definitions
from smartstep.errors import UserError
from smartstep.metrics.chart import metric_chart_png
from smartstep.metrics.note_store import notes_between
from smartstep.slack.blocks import RATE_ACTION, advice_detail_message, with_ratings
from smartstep.slack.listeners.replies import recording, respond_url
from smartstep.slack.services import SlackServices
from smartstep.slack.store import load_advice, load_ratings
from smartstep.weeks import is_week, shift_week

GONE = "That advice is no longer in smartstep's store, so the click was not recorded."


class ActionHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    def handle_rating(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        """One record per (advice, user): a second click updates it, and the message shows the latest."""
        advice_id = str(action.get("value") or "")
        rating = str(action.get("action_id", "")).removeprefix(RATE_ACTION)
        user = body["user"]["id"]
        db = self.services.db()
        with self.services.store_lock, recording("rating"):  # two clicks at once: one write at a time
            try:
                record_rating(db, advice_id, user, rating)
            except UserError:
                raise UserError(GONE) from None
            ratings = load_ratings(db, advice_id)
        message = body.get("message") or {}
        blocks = with_ratings(message.get("blocks") or [], advice_id, ratings)
        text = message.get("text") or "smartstep advice"
        container = body.get("container") or {}
        if container.get("is_ephemeral") or not message.get("ts"):
            respond_url(body["response_url"], {"text": text, "blocks": blocks}, replace_original=True)
        else:
            client.chat_update(channel=body["channel"]["id"], ts=message["ts"], text=text, blocks=blocks)
        logger.info("rating %s on advice %s by %s recorded", rating, advice_id, user)

    def handle_more(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        """The evidence and playbook, shown only to whoever asked for them."""
        advice = load_advice(self.services.db(), str(action.get("value") or ""))
        if advice is None:
            raise UserError(GONE.replace("the click was not recorded", "there is nothing more to show"))
        respond_url(
            body["response_url"], advice_detail_message(advice), response_type="ephemeral", replace_original=False
        )

    def handle_chart(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        """Draw the metric the answer was about and upload it under that answer (or in a DM for a private one)."""
        request = chart_request_from(action.get("value"))
        context = self.services.context()
        if context.period is None:
            raise UserError("There is no data to chart yet.")
        first = shift_week(request["period"], -(request["weeks"] - 1))
        notes = notes_between(self.services.db(), first, request["period"])
        png = metric_chart_png(
            context.history, request["metric"], request["teams"], request["period"], request["weeks"], notes
        )
        container, message = body.get("container") or {}, body.get("message") or {}
        if container.get("is_ephemeral") or not container.get("message_ts"):
            channel, thread = client.conversations_open(users=body["user"]["id"])["channel"]["id"], None
        else:
            channel = container.get("channel_id") or body["channel"]["id"]
            thread = container.get("thread_ts") or message.get("thread_ts") or container["message_ts"]
        name = f"{request['metric']}-{request['period']}.png"
        client.files_upload_v2(channel=channel, thread_ts=thread, content=png, filename=name, title=name)
        logger.info("chart %s uploaded to %s", name, channel)


def chart_request_from(value: Any) -> dict[str, Any]:
    """The button's value, checked: a known metric, team names, an ISO week and a sane span."""
    try:
        request = json.loads(str(value))
        metric, teams, period = str(request["metric"]), [str(t) for t in request["teams"]], str(request["period"])
        weeks = min(max(int(request["weeks"]), 2), 104)
    except (ValueError, KeyError, TypeError):
        raise UserError("That chart button is broken; ask the question again.") from None
    if metric not in load_definitions().metrics or not is_week(period):
        raise UserError("That chart button is broken; ask the question again.")
    return {"metric": metric, "teams": teams, "period": period, "weeks": weeks}
