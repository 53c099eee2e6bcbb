"""Wiring only: which Slack event, command or action reaches which handler."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from functools import partial
from typing import Any

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
    """Bolt's listener threads only acknowledge (events are acknowledged by Bolt itself); every handler
    runs on a store worker, so a write waiting for an import never delays the ack of another request."""

    def later(handler: Callable[..., None]) -> Callable[..., None]:
        return offloaded(services, handler)

    messages = MessageHandlers(services)
    app.event("app_mention")(later(messages.handle_mention))
    app.event("message", matchers=[_direct_message])(later(messages.handle_dm))
    app.event("message", matchers=[_thread_reply])(later(messages.handle_thread_reply))
    app.event("message")(_ignore)  # other message events (edits, channel chatter outside threads) need no reply

    commands = CommandHandlers(services)
    app.command("/smartstep")(ack=commands.ack_command, lazy=[later(commands.handle_command)])

    actions = ActionHandlers(services)
    app.action(re.compile(r"^rate_(up|down|done|snooze)$"))(ack=_ack, lazy=[later(actions.handle_rating)])
    app.action("advice_more")(ack=_ack, lazy=[later(actions.handle_more)])
    app.action("metric_chart")(ack=_ack, lazy=[later(actions.handle_chart)])
    called_back = partial(handle_called_back, services)
    app.action(re.compile(r"^digest_called_back_\d+$"))(ack=_ack, lazy=[later(called_back)])
    app.action("digest_list_callbacks")(ack=_ack, lazy=[later(partial(handle_list_callbacks, services))])

    # The ack keeps a form with missing answers open, or closes it; scoring, storing and the DM follow.
    views = ViewHandlers(services)
    app.view("assessment")(ack=views.ack_assessment, lazy=[later(views.handle_assessment)])

    app.event("app_home_opened")(later(EventHandlers(services).handle_app_home_opened))


def offloaded(services: SlackServices, handler: Callable[..., None]) -> Callable[..., None]:
    """A listener that hands `handler` (guarded: it reports its own failures) to a store worker and
    returns at once. Keeps the handler's signature visible to Bolt's argument injection."""
    work = guarded(handler)

    @functools.wraps(handler)
    def hand_over(**kwargs: Any) -> None:
        services.run_later(partial(work, **kwargs))

    return hand_over


def _ack(ack: Callable[..., None]) -> None:
    ack()


def _direct_message(event: dict) -> bool:
    return event.get("channel_type") == "im"


def _thread_reply(event: dict) -> bool:
    return is_thread_reply(event)


def _ignore() -> None:
    return None
