"""Modal submissions: the capability assessment is scored, stored, and the result sent as a DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from smartstep.advice.assessment import load_assessments, questionnaire, save_assessment, score
from smartstep.slack.assessment_blocks import assessment_result, submitted_answers
from smartstep.slack.services import SlackServices


class ViewHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    def handle_assessment(
        self,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        user = body["user"]["id"]
        team = view.get("private_metadata") or "all"
        answers = submitted_answers(view.get("state", {}).get("values", {}))
        db = self.services.db()
        earlier = load_assessments(db, team)
        profile = score(answers, team=team)
        save_assessment(db, profile, answers, user)
        message = assessment_result(profile, questionnaire().stages, earlier[-1] if earlier else None)
        client.chat_postMessage(channel=user, **message)
        logger.info("assessment for %s saved by %s: overall stage %s", team, user, profile.overall)
