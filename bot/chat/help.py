"""What the bot says about itself: the full list of what it can do (every example works on the
demo), replies to small talk (which never change anything), and clarifying questions whose
options are real questions one can send back."""

from __future__ import annotations

import re

from smartstep.chat.conversation import Answer, Context, Frame
from smartstep.definitions import load_definitions

# (what, examples): every example is answered on the demo store (tests/test_chat_help.py asks each).
CAPABILITIES = (
    (
        "A metric, a team, a period",
        ("how is CSAT trending for Billing?", "backlog for Onboarding over the last 12 weeks", "CES in 2026-W40"),
    ),
    ("How a team (or everyone) is doing", ("how are we doing?", "how is Technical doing?")),
    ("What changed", ("what changed last week?", "what moved since October?")),
    (
        "Which team is struggling, or best or worst on a metric",
        ("which team is struggling?", "which team has the worst CSAT?"),
    ),
    ("Teams or periods side by side", ("compare CES between Technical and Billing", "CSAT this month vs last month")),
    ("What a metric means and how it is computed", ("what is FCR?", "how is NPS calculated?")),
    ("How to improve a metric", ("how do I improve FCR?",)),
    ("The smartest next steps", ("what should Billing do next?", "what should we do next?")),
    ("Why: the evidence behind the last answer, or what drives a score", ("why?", "why is CES down for Technical?")),
    (
        "The tickets behind a number",
        ("show the tickets behind Technical's CES", "open tickets waiting longest at Onboarding"),
    ),
    ("Problems solved again and again without a knowledge article", ("repeated problems without an article",)),
    (
        "What customers write about, and what is new or growing",
        ("top contact reasons for Technical", "what are Billing's customers writing about?", "what's new this week?"),
    ),
    ("Solved cases like a problem, with their resolutions", ("similar cases for invoice pdf is blank",)),
)
FOLLOW_UPS = ('"and for Technical?"', '"what about the last 12 weeks?"', '"more"', '"the second one"')
FEEDBACK = ('"useful"', '"not useful"', '"done" (or "we did it")', '"snooze"')


def help_text() -> str:
    lines = ["Here is what I can do — ask in your own words:"]
    for what, examples in CAPABILITIES:
        lines.append(f"• *{what}*: " + " · ".join(f"_{e}_" for e in examples))
    lines.append("• *Follow-ups* keep the thread's context: " + ", ".join(FOLLOW_UPS))
    lines.append(
        "• *Feedback on a step* after next steps: " + ", ".join(FEEDBACK) + " — recorded against that step; "
        '"thanks" is just thanks.'
    )
    lines.append("• *The capability assessment*: `smartstep assess` or `/smartstep assess`")
    lines.append("• *help*: this list")
    return "\n".join(lines)


def help_answer(frame: Frame) -> Answer:
    if frame.action == "assess":
        text = (
            "The capability assessment is a 14-question form (about 5 minutes): run `smartstep assess` in a "
            "terminal, or `/smartstep assess` in Slack to get it as a form."
        )
        return Answer("help", text, frame=frame)
    return Answer("help", help_text(), frame=frame)


def smalltalk_answer(frame: Frame) -> Answer:
    """A short, friendly reply; no rating, no state change."""
    lowered = frame.text.lower()
    if re.search(r"\b(thank|thanks|thx|ty|cheers|appreciate)", lowered):
        text = "You're welcome."
    elif re.search(r"\b(bye|goodbye|see you|later)\b", lowered):
        text = "Bye — ask me again any time."
    elif re.search(r"\b(hi|hello|hey|morning|afternoon|evening|howdy)\b", lowered):
        text = (
            "Hi! Ask me e.g. _how is CSAT trending?_, _which team is struggling?_ or _what should we do next?_ "
            '— or "help" for everything I can do.'
        )
    else:
        text = 'Noted. Ask me about a metric, a team or the next steps whenever you like ("help" lists everything).'
    return Answer("smalltalk", text, frame=frame)


def unknown_answer(frame: Frame) -> Answer:
    text = (
        "I can't answer that one. I know your support metrics, teams, next steps and solved cases — "
        'for example _how is CSAT for Billing?_ or _what should we do next?_ ("help" lists everything).'
    )
    return Answer("unknown", text, frame=frame)


def clarify_answer(frame: Frame, context: Context) -> Answer:
    """Options that are questions one can send back as they are."""
    definitions = load_definitions()
    who = f" for {frame.teams[0]}" if frame.teams else ""
    if frame.metrics:  # a word such as "rate" or "how long" that several metrics fit
        options = tuple(f"what's the {_plain(definitions.get(m).name)}{who}?" for m in frame.metrics[:5])
        question = "Which one do you mean?"
    else:
        team = frame.teams[0] if frame.teams else (context.teams[0] if context.teams else "Billing")
        if frame.wants == "define":
            options = ("what is CSAT?", "what is FCR?", "what is Time to Smile?")
        else:
            options = (f"how is CSAT for {team}?", f"how is {team} doing?", f"what should {team} do next?")
        question = "Which of these do you mean?"
    text = question + "\n" + "\n".join(f"{i}. _{o}_" for i, o in enumerate(options, start=1))
    return Answer("clarify", text + "\n(Reply with the number or the question.)", options=options, frame=frame)


def _plain(name: str) -> str:
    return name.split(" (")[0][0].lower() + name.split(" (")[0][1:] if not name[:2].isupper() else name


def unknown_team_answer(frame: Frame, context: Context) -> Answer:
    """Never an answer for another team: say so, with the closest names the store knows."""
    from rapidfuzz import process, utils

    asked = frame.unknown_teams[0]
    close = [m[0] for m in process.extract(asked, context.teams, processor=utils.default_process, limit=3)]
    text = f"I don't know a team called *{asked}*."
    options: tuple[str, ...] = ()
    if close:
        text += " The closest teams I know: " + ", ".join(close) + "."
        question = re.sub(re.escape(asked), "{team}", frame.text, flags=re.I)
        if "{team}" in question:
            options = tuple(question.replace("{team}", c) for c in close)
            text += "\nDid you mean:\n" + "\n".join(f"{i}. _{o}_" for i, o in enumerate(options, start=1))
    return Answer("unknown_team", text, options=options, frame=frame)
