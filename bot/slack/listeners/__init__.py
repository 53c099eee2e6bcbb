"""Wiring only: which Slack event, command or action reaches which handler."""

from __future__ import annotations

import re
from functools import partial

from slack_bolt import App

from smartstep.slack.listeners.actions import ActionHandlers
from smartstep.slack.listeners.commands import CommandHandlers
from smartstep.slack.listeners.digest import handle_called_back, handle_list_callbacks
from smartstep.slack.listeners.events import EventHandlers
from smartstep.slack.listeners.messages import MessageHandlers, is_thread_reply
from smartstep.slack.listeners.replies import guarded
from smartstep.slack.listeners.views import ViewHandlers
from smartstep.slack.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    messages = MessageHandlers(services)
    app.event("app_mention")(messages.handle_mention)
    app.event("message", matchers=[_direct_message])(messages.handle_dm)
    app.event("message", matchers=[_thread_reply])(messages.handle_thread_reply)
    app.event("message")(_ignore)  # other message events (edits, channel chatter outside threads) need no reply

    commands = CommandHandlers(services)
    app.command("/smartstep")(ack=commands.ack_command, lazy=[guarded(commands.handle_command)])

    actions = ActionHandlers(services)
    # Guarded: an exception after ack() would otherwise hold the HTTP response until Bolt's 3 s timeout.
    app.action(re.compile(r"^rate_(up|down|done|snooze)$"))(guarded(actions.handle_rating))
    app.action("advice_more")(guarded(actions.handle_more))
    app.action("metric_chart")(guarded(actions.handle_chart))
    app.action(re.compile(r"^digest_called_back_\d+$"))(guarded(partial(handle_called_back, services)))
    app.action("digest_list_callbacks")(guarded(partial(handle_list_callbacks, services)))

    app.view("assessment")(guarded(ViewHandlers(services).handle_assessment))

    app.event("app_home_opened")(EventHandlers(services).handle_app_home_opened)


def _direct_message(event: dict) -> bool:
    return event.get("channel_type") == "im"


def _thread_reply(event: dict) -> bool:
    return is_thread_reply(event)


def _ignore() -> None:
    return None
