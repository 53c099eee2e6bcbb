"""Block Kit for the capability assessment: the modal (one compact select per question) and the result.

Pure: questionnaire and profiles in, view and message dicts out.
"""

from __future__ import annotations

from typing import Any

from smartstep.advice.assessment import Profile, Questionnaire
from smartstep.slack.markup import escape

CALLBACK_ID = "assessment"
ANSWER_ACTION = "answer"
OPTION_LIMIT = 75  # Slack's limit for an option's text
MISSING_ANSWER = "Pick the answer closest to how your team works today."


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…", "emoji": True}


def assessment_modal(questionnaire: Questionnaire, team: str = "all") -> dict[str, Any]:
    """About 14 questions, five minutes; every answer is required so the score is never a guess."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Pick the answer closest to how your team works today."}],
        }
    ]
    for question in questionnaire.questions:
        options = [
            {"text": _plain(answer, OPTION_LIMIT), "value": str(stage)}
            for stage, answer in enumerate(question.answers, start=1)
        ]
        blocks.append(
            {
                "type": "input",
                "block_id": question.id,
                "label": _plain(f"{question.dimension.capitalize()}: {question.text}", 2000),
                "element": {"type": "static_select", "action_id": ANSWER_ACTION, "options": options},
            }
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": team,
        "title": _plain("Capability assessment", 24),
        "submit": _plain("Score it", 24),
        "close": _plain("Cancel", 24),
        "blocks": blocks,
    }


def submitted_answers(state_values: dict[str, Any]) -> dict[str, int]:
    """question id -> chosen stage, from a view_submission's `view.state.values`."""
    answers = {}
    for block_id, actions in state_values.items():
        selected = ((actions if isinstance(actions, dict) else {}).get(ANSWER_ACTION) or {}).get("selected_option")
        value = str((selected if isinstance(selected, dict) else {}).get("value", ""))
        if value.isascii() and value.isdigit():
            answers[str(block_id)] = int(value)
    return answers


def missing_answer_errors(questionnaire: Questionnaire, answers: dict[str, int]) -> dict[str, str]:
    """The `errors` of a `response_action: errors` ack: input block id -> what to do, per unanswered
    question (or an answer outside the question's stages)."""
    return {q.id: MISSING_ANSWER for q in questionnaire.questions if not 1 <= answers.get(q.id, 0) <= len(q.answers)}


def assessment_result(profile: Profile, stages: dict[int, str], before: Profile | None) -> dict[str, Any]:
    """The stage per dimension, the overall stage, and the change since the last take."""
    overall = f"overall *{stages[profile.overall]}* (stage {profile.overall} of 5)"
    lines = [f"*Capability assessment ({escape(profile.team)})*: {overall}"]
    for dimension, stage in profile.stages.items():
        line = f"• {dimension.capitalize()}: {stages[stage]} ({stage})"
        if before is not None and dimension in before.stages and before.stages[dimension] != stage:
            change = stage - before.stages[dimension]
            line += f", {'up' if change > 0 else 'down'} {abs(change)} since {before.answered_at[:10]}"
        lines.append(line)
    text = "\n".join(lines)
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
