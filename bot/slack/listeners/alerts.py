"""`/smartstep alerts ...`: the opt-in channel for new or growing topics (admins change it, anyone may ask).

alerts here [all | TEAM[,TEAM...]]   this channel gets one message per emerging topic, updated in place
alerts off                           stop them here
alerts                               where alerts go
"""

from __future__ import annotations

from typing import Any

from smartstep.digest.alerts import ALERT_MINUTES, alert_channels, remove_alert_channel, save_alert_channel
from smartstep.errors import UserError
from smartstep.metrics.reader import known_teams
from smartstep.names import resolve
from smartstep.slack.blocks import escape
from smartstep.slack.services import SlackServices

USAGE = (
    "*/smartstep alerts* posts new or growing problems as they happen:\n"
    "• `/smartstep alerts here [all | TEAM,TEAM]` — this channel gets one message per emerging topic, "
    "updated in place as it grows (admins)\n"
    "• `/smartstep alerts off` — stop them in this channel (admins)\n"
    "• `/smartstep alerts` — where alerts go"
)
REFUSED = "Only smartstep admins (SMARTSTEP_ADMINS) can change where alerts go, sorry. `/smartstep alerts` lists them."


def alerts_command(services: SlackServices, argument: str, body: dict[str, Any]) -> dict[str, Any]:
    words = argument.replace(", ", ",").split()
    action = words[0].lower() if words else "list"
    db = services.db()
    if action in ("list", "ls"):
        lines = [
            f"<#{escape(c.channel)}>: {escape(', '.join(c.teams)) if c.teams else 'all teams'}"
            for c in alert_channels(db)
        ]
        return {"text": "*Topic alert channels*\n" + ("\n".join(f"• {x}" for x in lines) or "None yet.")}
    if action not in ("here", "on", "off", "stop", "remove"):
        return {"text": USAGE}
    if not services.is_admin(body.get("user_id")):
        return {"text": REFUSED}
    channel = str(body.get("channel_id") or "")
    if action in ("off", "stop", "remove"):
        found = remove_alert_channel(db, channel)
        return {"text": "Topic alerts are off in this channel." if found else "This channel had no topic alerts."}
    teams: list[str] = []
    try:
        for word in words[1:]:
            if word.lower() in ("all", "every"):
                teams = []
                continue
            teams += [resolve(name, known_teams(db), "team") for name in word.split(",") if name]
    except UserError as error:
        return {"text": f"{escape(str(error))}.\n\n{USAGE}"}
    save_alert_channel(db, channel, teams or None, body.get("user_id"))
    who = escape(", ".join(teams)) if teams else "every team"
    return {
        "text": f"Topic alerts on in this channel for {who}: each new or growing problem gets one message here, "
        f"updated in place as it grows (checked every {ALERT_MINUTES} minutes)."
    }
