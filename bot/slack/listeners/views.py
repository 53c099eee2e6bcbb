"""Modal submissions: the capability assessment is scored, stored, and the result sent as a DM."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from smartstep.advice.assessment import load_assessments, questionnaire, save_assessment, score
from smartstep.slack.assessment_blocks import assessment_result, missing_answer_errors, submitted_answers
from smartstep.slack.listeners.replies import recording
from smartstep.slack.services import SlackServices


class ViewHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    def handle_assessment(
        self,
        ack: Callable[..., None],
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        questions = questionnaire()
        known = {q.id for q in questions.questions}  # a form from an older questionnaire may carry retired ones
        answers = {k: v for k, v in submitted_answers(view.get("state", {}).get("values", {})).items() if k in known}
        errors = missing_answer_errors(questions, answers)
        if errors:  # the modal stays open with each unanswered question marked (Slack requires them, but
            ack(response_action="errors", errors=errors)  # an old or altered form can still arrive short)
            return
        ack()  # closes the modal at once; scoring and the DM follow
        user = body["user"]["id"]
        team = view.get("private_metadata") or "all"
        db = self.services.db()
        earlier = load_assessments(db, team)
        profile = score(answers, team=team)
        with recording("assessment"):
            save_assessment(db, profile, answers, user)
        message = assessment_result(profile, questions.stages, earlier[-1] if earlier else None)
        client.chat_postMessage(channel=user, **message)
        logger.info("assessment for %s saved by %s: overall stage %s", team, user, profile.overall)
