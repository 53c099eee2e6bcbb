"""Mentions and direct messages: text -> conversation engine -> a threaded Block Kit reply."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from smartstep.metrics.chart import driver_chart_png
from smartstep.slack.blocks import answer_message, driver_bars
from smartstep.slack.listeners.replies import question_of, with_cue
from smartstep.slack.services import SlackServices

CUE_EMOJI = "hourglass_flowing_sand"
MAX_QUESTION = 4000  # longer text is cut; nobody asks a 40k-character question on purpose


class MessageHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    def handle_mention(self, body: dict, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """A mention in a channel is always answered in a thread, so the channel stays quiet."""
        if not self.services.first_delivery(body):
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        self._reply(client, event, question_of(event.get("text", "")), thread_ts, logger)

    def handle_dm(self, body: dict, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """A direct message is answered in place (or in its thread when it came in one)."""
        if event.get("subtype") or event.get("bot_id"):
            return  # edits, joins and other bots' posts are not questions
        if not self.services.first_delivery(body):
            return
        self._reply(client, event, question_of(event.get("text", "")), event.get("thread_ts"), logger)

    def _reply(
        self, client: WebClient, event: dict[str, Any], text: str, thread_ts: str | None, logger: logging.Logger
    ) -> None:
        channel = event["channel"]
        key = f"{channel}:{thread_ts or ''}"

        def cue() -> None:
            client.reactions_add(channel=channel, timestamp=event["ts"], name=CUE_EMOJI)

        reply, cued = with_cue(lambda: self.services.ask(text[:MAX_QUESTION], key, event.get("user")), cue)
        message = answer_message(reply)
        posted = client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **message)
        logger.debug("answered %s in %s with intent %s", event.get("ts"), channel, reply.intent)
        bars = driver_bars(reply)
        if bars:
            png = driver_chart_png(
                bars, f"What drives {reply.data['metric'].upper()} for {reply.data.get('team') or 'all teams'}"
            )
            client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts or posted.get("ts"),
                content=png,
                filename="drivers.png",
                title="Drivers",
            )
        if cued:
            try:
                client.reactions_remove(channel=channel, timestamp=event["ts"], name=CUE_EMOJI)
            except Exception:
                logger.info("could not remove the working-on-it reaction", exc_info=True)
