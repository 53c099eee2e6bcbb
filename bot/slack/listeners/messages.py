"""Mentions, direct messages and follow-ups in the bot's threads: text -> conversation engine ->
a threaded Block Kit reply.

A message in a channel thread the bot started or answered is a follow-up and needs no new
@mention ("and for Billing?"); one that mentions the bot comes as an app_mention too and is
answered there, and one addressed to a colleague (mentions someone else) is left alone.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk import WebClient

from smartstep.chat.engine import Answer
from smartstep.metrics.chart import driver_chart_png
from smartstep.slack.blocks import answer_message, driver_bars
from smartstep.slack.listeners.replies import question_of, with_cue
from smartstep.slack.services import SlackServices
from smartstep.slack.store import is_bot_thread, remember_thread

log = logging.getLogger("smartstep.slack")
CUE_EMOJI = "hourglass_flowing_sand"
MAX_QUESTION = 4000  # longer text is cut; nobody asks a 40k-character question on purpose
USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
QUIET_IN_THREADS = frozenset({"smalltalk", "unknown"})  # "thanks!" or chatter between colleagues needs no reply


def bot_user(body: dict[str, Any], context: Any) -> str | None:
    """The bot's own user id: from the event's authorizations, else from Bolt's auth.test."""
    for authorization in body.get("authorizations") or []:
        if authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return getattr(context, "bot_user_id", None) if context is not None else None


def is_thread_reply(event: dict[str, Any]) -> bool:
    """A person's message in a channel thread (not the thread's first message, not an edit or a bot)."""
    return (
        event.get("channel_type") in ("channel", "group")
        and bool(event.get("thread_ts"))
        and event.get("thread_ts") != event.get("ts")
        and not event.get("subtype")
        and not event.get("bot_id")
    )


class MessageHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    def handle_mention(self, body: dict, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """A mention in a channel is always answered in a thread, so the channel stays quiet."""
        thread_ts = event.get("thread_ts") or event["ts"]
        self._reply(body, client, event, question_of(event.get("text", "")), thread_ts, logger)
        remember_thread(self.services.db(), event["channel"], thread_ts)

    def handle_dm(self, body: dict, event: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """A direct message is answered in place (or in its thread when it came in one)."""
        if event.get("subtype") or event.get("bot_id"):
            return  # edits, joins and other bots' posts are not questions
        self._reply(body, client, event, question_of(event.get("text", "")), event.get("thread_ts"), logger)

    def handle_thread_reply(
        self, body: dict, event: dict[str, Any], client: WebClient, context: Any, logger: logging.Logger
    ) -> None:
        """A follow-up in a thread the bot started or answered, without a new @mention."""
        me = bot_user(body, context)
        text = event.get("text") or ""
        mentioned = set(USER_MENTION.findall(text))
        reason = None
        if event.get("user") == me:
            reason = "our own message"
        elif me and me in mentioned:
            reason = "it mentions the bot (answered as app_mention)"
        elif mentioned:
            reason = "it is addressed to someone else"
        elif not is_bot_thread(self.services.db(), event["channel"], event["thread_ts"]):
            reason = "not a thread the bot started or answered"
        if reason:
            log.info("thread message %s in %s not answered: %s", event.get("ts"), event.get("channel"), reason)
            return
        self._reply(body, client, event, question_of(text), event["thread_ts"], logger, quiet=QUIET_IN_THREADS)

    def _reply(
        self,
        body: dict,
        client: WebClient,
        event: dict[str, Any],
        text: str,
        thread_ts: str | None,
        logger: logging.Logger,
        quiet: frozenset[str] = frozenset(),
    ) -> None:
        channel = event["channel"]
        key = f"{channel}:{thread_ts or ''}"

        def cue() -> None:
            client.reactions_add(channel=channel, timestamp=event["ts"], name=CUE_EMOJI)

        def work() -> Answer | None:
            # The claim comes first: during an import it waits for the commit, under the cue.
            if not self.services.first_delivery(body):
                return None
            return self.services.ask(text[:MAX_QUESTION], key, event.get("user"))

        reply, cued = with_cue(work, cue)
        if reply is None:
            return  # a retry of an event answered already; its first delivery removes any cue
        if reply.understood["intent"] in quiet:
            log.info("thread message %s in %s not answered: %s", event.get("ts"), channel, reply.understood["intent"])
        else:
            self._post(client, channel, thread_ts, reply, logger)
            logger.debug("answered %s in %s with intent %s", event.get("ts"), channel, reply.intent)
        if cued:
            try:
                client.reactions_remove(channel=channel, timestamp=event["ts"], name=CUE_EMOJI)
            except Exception:
                logger.info("could not remove the working-on-it reaction", exc_info=True)

    def _post(self, client: WebClient, channel: str, thread_ts: str | None, reply: Any, logger: logging.Logger) -> None:
        message = answer_message(reply, self.services.settings.ticket_url)
        posted = client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **message)
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
