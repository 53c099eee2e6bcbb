"""Modal submissions: the capability assessment is checked when it is acknowledged (a form with
missing answers stays open with each one marked), then scored, stored, and the result sent as a DM."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from smartstep.advice.assessment import Questionnaire, load_assessments, questionnaire, save_assessment, score
from smartstep.slack.assessment_blocks import assessment_result, missing_answer_errors, submitted_answers
from smartstep.slack.listeners.replies import recording
from smartstep.slack.services import SlackServices


def _answers(view: dict[str, Any], questions: Questionnaire) -> dict[str, int]:
    known = {q.id for q in questions.questions}  # a form from an older questionnaire may carry retired ones
    return {k: v for k, v in submitted_answers(view.get("state", {}).get("values", {})).items() if k in known}


class ViewHandlers:
    def __init__(self, services: SlackServices) -> None:
        self.services = services

    @staticmethod
    def ack_assessment(ack: Callable[..., None], view: dict[str, Any]) -> None:
        """On Bolt's thread, touching no store: a form with unanswered questions stays open with each
        marked (Slack requires them, but an old or altered form can still arrive short); a complete
        one closes at once, and scoring and the DM follow on a store worker."""
        questions = questionnaire()
        errors = missing_answer_errors(questions, _answers(view, questions))
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    def handle_assessment(
        self,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        questions = questionnaire()
        answers = _answers(view, questions)
        if missing_answer_errors(questions, answers):
            return  # the form stayed open (ack_assessment); nothing is saved
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
