"""App Home: the team scorecard, the current top steps, and recent advice with its outcomes."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from smartstep.metrics.freshness import freshness_note
from smartstep.metrics.scorecard import build_scorecard
from smartstep.slack.blocks import home_view
from smartstep.slack.services import SlackServices
from smartstep.slack.store import recent_advice


class EventHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    def handle_app_home_opened(
        self, body: dict, event: dict[str, Any], client: WebClient, logger: logging.Logger
    ) -> None:
        if event.get("tab", "home") != "home" or not self.services.first_delivery(body):
            return  # the Messages tab needs nothing from us; a retry needs nothing more
        user = event["user"]
        context = self.services.context()
        rows = build_scorecard(context.history, context.period) if context.period else []
        view = home_view(rows, context.period, self.services.current_top_steps(), recent_advice(self.services.db()))
        note = (
            None
            if self.services.as_of
            else freshness_note(self.services.db(), self.services.settings.stale_after_hours)
        )
        if note:
            view["blocks"].insert(1, {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
        client.views_publish(user_id=user, view=view)
