"""`/smartstep digest ...`, the digest's "List them" button and the "Called back" buttons it lists:
the Slack side of digest settings and call-backs.

Anyone may list subscriptions; subscribing and removing are for admins (SMARTSTEP_ADMINS).
A subscription belongs to the channel the command is typed in.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from smartstep.digest.blocks import callback_list_message
from smartstep.digest.data import load_callbacks, record_callback
from smartstep.digest.subscriptions import (
    list_subscriptions,
    parse_subscription,
    remove_subscription,
    save_subscription,
)
from smartstep.errors import UserError
from smartstep.metrics.reader import known_teams
from smartstep.slack.blocks import escape
from smartstep.slack.listeners.replies import recording
from smartstep.slack.services import SlackServices

USAGE = (
    "*/smartstep digest* sets up the weekly digest for this channel:\n"
    "• `/smartstep digest subscribe [all | TEAM,TEAM] [monday..sunday] [HH:MM] [Europe/Berlin] [quiet | skip]`\n"
    "   (defaults: all teams, Monday 09:00 UTC; `skip` posts nothing in a quiet week)\n"
    "• `/smartstep digest list` — every channel's subscription\n"
    "• `/smartstep digest remove` — stop the digest in this channel"
)
REFUSED = "Only smartstep admins (SMARTSTEP_ADMINS) can change digest subscriptions, sorry. Anyone can `list` them."


def digest_command(services: SlackServices, argument: str, body: dict[str, Any]) -> dict[str, Any]:
    """The reply to `/smartstep digest ARGUMENT` (an ephemeral message dict)."""
    words = argument.split(maxsplit=1)
    action = words[0].lower() if words else "list"
    rest = words[1] if len(words) > 1 else ""
    db = services.db()
    if action in ("list", "ls"):
        subs = list_subscriptions(db)
        lines = [s.describe() for s in subs] or ["No channel gets the weekly digest yet."]
        return {"text": "*Weekly digest subscriptions*\n" + "\n".join(f"• {line}" for line in lines)}
    if action not in ("subscribe", "add", "remove", "unsubscribe", "delete"):
        return {"text": USAGE}
    if not services.is_admin(body.get("user_id")):
        return {"text": REFUSED}
    channel = str(body.get("channel_id") or "")
    if action in ("remove", "unsubscribe", "delete"):
        found = remove_subscription(db, channel)
        return {
            "text": "This channel will no longer get the weekly digest."
            if found
            else "This channel had no digest subscription."
        }
    try:
        sub = parse_subscription(rest, channel, known_teams(db), user=body.get("user_id"))
    except UserError as error:
        return {"text": f"{escape(str(error))}.\n\n{USAGE}"}
    save_subscription(db, sub)
    return {"text": f"Subscribed: {sub.describe()}."}


def handle_called_back(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    logger: logging.Logger,
) -> None:
    """Record the call-back and tell the clicker; the answer drops off next week's list."""
    survey_id = str(action.get("value") or "")
    user = body["user"]["id"]
    with recording("call-back"):
        record_callback(services.db(), survey_id, user)
    channel = (body.get("channel") or {}).get("id")
    if channel:
        client.chat_postEphemeral(
            channel=channel, user=user, text=f"Recorded: <@{user}> called back ({escape(survey_id)})."
        )
    logger.info("call-back on survey %s recorded by %s", survey_id, user)


def handle_list_callbacks(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    logger: logging.Logger,
) -> None:
    """The digest's "List them": the team's unhappy answers still awaiting a call-back, each with
    its "Called back" button, shown only to the person who asked (the channel post stays short)."""
    period, _, team = str(action.get("value") or "").partition("|")
    channel = (body.get("channel") or {}).get("id")
    user = body["user"]["id"]
    if not channel or not team:
        return
    callbacks = load_callbacks(services.db(), period).get(team, []) if period else []
    message = callback_list_message(team, period, callbacks)
    client.chat_postEphemeral(channel=channel, user=user, text=message["text"], blocks=message["blocks"])
    logger.info("listed %d call-backs of %s (%s) for %s", len(callbacks), team, period, user)
