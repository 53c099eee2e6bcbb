"""`/smartstep <subcommand>`: acknowledged at once, answered after the ack through the response_url.

Replies are ephemeral (only the person who asked sees them), so a question never adds noise
to a channel; mentions are the way to answer in public.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from smartstep.advice.assessment import questionnaire
from smartstep.chat.conversation import Answer
from smartstep.metrics.scorecard import build_scorecard
from smartstep.slack.assessment_blocks import assessment_modal
from smartstep.slack.blocks import WORKING, answer_message, escape, scorecard_text, text_sections
from smartstep.slack.listeners.replies import respond_url, with_cue
from smartstep.slack.markup import plain_text
from smartstep.slack.services import SlackServices

HELP = (
    "*/smartstep* asks the advisor without leaving Slack:\n"
    "• `/smartstep next [team]` — the smartest next steps\n"
    "• `/smartstep metrics [question]` — this week's scorecard, or a question such as `csat for Billing`\n"
    "• `/smartstep similar TEXT` — solved cases like this problem, with their resolutions\n"
    "• `/smartstep why` — the evidence behind the last answer\n"
    "• `/smartstep assess` — the capability assessment\n"
    "• `/smartstep digest` — weekly digest subscriptions (admins change them)\n"
    "• `/smartstep note TEXT [team] [date]` — record what happened (a release, an outage) for charts and verdicts\n"
    "• `/smartstep alerts here [team]` — new or growing problems in this channel, one message each (admins)\n"
    "• `/smartstep help` — this list\n"
    "You can also mention me in a channel (then keep asking in my thread, no mention needed) or send me a "
    "direct message; say *help* there for everything I can answer."
)
SIMILAR_USAGE = "Describe the problem after the command, e.g. `/smartstep similar refund not received`."
MAX_ARGUMENT = 2000


def split_command(text: str) -> tuple[str, str]:
    """`next Billing` -> ("next", "Billing"); empty text is "help"."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), (words[1] if len(words) > 1 else "")[:MAX_ARGUMENT]


class CommandHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services
        self.subcommands: dict[str, Callable[[str, dict[str, Any], WebClient], dict[str, Any] | None]] = {
            "help": self.help,
            "next": self.next_steps,
            "metrics": self.metrics,
            "similar": self.similar,
            "why": self.why,
            "assess": self.assess,
            "digest": self.digest,
            "note": self.note,
            "alerts": self.alerts,
        }

    def ack_command(self, ack: Callable[..., None]) -> None:
        """Slack waits at most 3 seconds for this; every answer comes after it."""
        ack()

    def handle_command(self, body: dict[str, Any], client: WebClient, logger: logging.Logger) -> None:
        sub, argument = split_command(plain_text(str(body.get("text") or "")))
        run = self.subcommands.get(sub)
        url = body["response_url"]
        if run is None:
            message = {"text": f"I don't know `/smartstep {escape(sub[:40])}`.\n\n{HELP}"}
            respond_url(url, message, response_type="ephemeral")
            return

        def cue() -> None:
            respond_url(url, {"text": WORKING}, response_type="ephemeral")

        message, cued = with_cue(lambda: run(argument, body, client), cue)
        if message is not None:
            respond_url(url, message, response_type="ephemeral", replace_original=cued)
        logger.debug("answered /smartstep %s for %s", sub, body.get("user_id"))

    def _message(self, reply: Answer) -> dict[str, Any]:
        return answer_message(reply, self.services.settings.ticket_url)

    def _thread_key(self, body: dict[str, Any]) -> str:
        return f"command:{body.get('channel_id')}:{body.get('user_id')}"

    def help(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        return {"text": HELP}

    def next_steps(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        question = f"what should we do next for {argument}" if argument else "what should we do next"
        return self._message(self.services.ask(question, self._thread_key(body), body.get("user_id")))

    def metrics(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        if argument.strip():
            return self._message(self.services.ask(argument, self._thread_key(body), body.get("user_id")))
        context = self.services.context()
        if context.period is None:
            return {"text": "There is no data yet: import some with `smartstep import`."}
        text = f"*Scorecard, {context.period}*\n" + scorecard_text(build_scorecard(context.history, context.period))
        return {"text": text[:3000], "blocks": text_sections(text)[:45]}

    def why(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        return self._message(self.services.ask("why?", self._thread_key(body), body.get("user_id")))

    def similar(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        if not argument.strip():
            return {"text": SIMILAR_USAGE}
        from smartstep.knowledge.replies import similar_reply, slack_style

        cases = self.services.similar_cases(argument, k=5)
        text = similar_reply(argument, cases, slack_style(escape))
        return {"text": text[:3000], "blocks": text_sections(text)}

    def assess(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any] | None:
        """Opens the modal; the trigger_id is only valid for 3 s, so this runs before anything slow."""
        team = argument.strip() or "all"
        client.views_open(trigger_id=body["trigger_id"], view=assessment_modal(questionnaire(), team))
        return None

    def note(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        from smartstep.slack.listeners.notes import note_command

        return note_command(self.services, argument, body)

    def digest(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        from smartstep.slack.listeners.digest import digest_command

        return digest_command(self.services, argument, body)

    def alerts(self, argument: str, body: dict[str, Any], client: WebClient) -> dict[str, Any]:
        from smartstep.slack.listeners.alerts import alerts_command

        return alerts_command(self.services, argument, body)
