"""The plain data of a conversation: what a question was understood as (`Frame`), the reply
(`Answer`), what a thread remembers between questions (`ConversationState`) and the facts an
answer is computed from (`Context`). No behaviour beyond (de)serialising state, so every
surface (terminal, `ask --session`, Slack threads) can keep it wherever it likes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from smartstep.metrics.notes import Note
from smartstep.metrics.values import History

# What `understood.intent` can say (the public contract of `ask --json`).
PUBLIC_INTENTS = (
    "metric",
    "overview",
    "changes",
    "ranking",
    "compare",
    "define",
    "improve",
    "next_steps",
    "why",
    "tickets",
    "repeated",
    "topics",
    "similar",
    "feedback",
    "smalltalk",
    "help",
    "clarify",
    "unknown",
)


@dataclass(frozen=True)
class Period:
    """A span of ISO weeks, both ends included, and the words it was asked with."""

    start: str
    end: str
    text: str = ""

    @property
    def single(self) -> bool:
        return self.start == self.end

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Frame:
    """What a question asks, after follow-ups were resolved against the thread."""

    intent: str
    teams: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    period: Period | None = None
    compare: str | None = None  # "teams" | "periods"
    periods: tuple[Period, ...] = ()  # both sides of a comparison of periods
    segments: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    unknown_teams: tuple[str, ...] = ()
    direction: str | None = None  # ranking: "worst" | "best" | "highest" | "lowest"
    rating: str | None = None  # feedback: up | down | done | snooze
    ordinal: int | None = None  # "the second one"
    action: str | None = None  # "more" | "choice" (an item of the last list) | "option" | "assess"
    wants: str | None = None  # clarify: the intent the question still lacks a name for
    text: str = ""  # the question (the problem, for similar cases)

    def understood(self) -> dict[str, Any]:
        """The `understood` object of `ask --json`."""
        return {
            "intent": self.intent,
            "teams": list(self.teams),
            "metrics": list(self.metrics),
            "period": self.period.as_dict() if self.period else None,
            "compare": self.compare,
            "segments": list(self.segments),
            "products": list(self.products),
            "channels": list(self.channels),
            "unknown_teams": list(self.unknown_teams),
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Frame:
        def period(value: Any) -> Period | None:
            return Period(**value) if isinstance(value, dict) else None

        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in ("teams", "metrics", "segments", "products", "channels", "unknown_teams"):
            values[name] = tuple(values.get(name) or ())
        values["period"] = period(values.get("period"))
        values["periods"] = tuple(p for p in (period(v) for v in values.get("periods") or ()) if p)
        return cls(**values)

    def but(self, **changes: Any) -> Frame:
        return replace(self, **changes)


@dataclass(frozen=True)
class Answer:
    """A reply: `text` for people (Slack mrkdwn-compatible), `data` for --json and Block Kit.

    `intent` names the kind of answer (`drivers` is a `why` answered by the driver analysis);
    `frame` is what the question was understood as."""

    intent: str
    text: str
    data: Any = None
    options: tuple[str, ...] = ()
    frame: Frame | None = None
    items: tuple[dict[str, Any], ...] = ()  # what "the second one" and "more" refer to
    basis: str = ""  # what "why?" says about this answer when it has no advice behind it
    tickets: tuple[str, ...] = ()  # the ticket ids the text shows (as code): a surface may link them

    @property
    def understood(self) -> dict[str, Any]:
        return (self.frame or Frame(self.intent if self.intent in PUBLIC_INTENTS else "unknown")).understood()


@dataclass
class ConversationState:
    """What a thread remembers between questions: the last settled frame, the list the last
    answer showed (advice, cases, tickets, options) and which of them is in focus."""

    frame: Frame | None = None
    kind: str | None = None  # the last answer's intent
    items: list[dict[str, Any]] = field(default_factory=list)
    shown: int = 0  # how many of `items` were shown ("more" shows the next ones)
    focus: int | None = None  # index into `items` of the one talked about ("the second one")
    referent_teams: tuple[str, ...] = ()  # who "they" are: the teams the last answer was about
    options: tuple[str, ...] = ()  # the questions a clarifying reply offered
    basis: str = ""  # what "why?" says about the last answer
    last_data: Any = None  # the last answer's data, for "why?" after a metric answer

    @property
    def advice(self) -> list[dict[str, Any]]:
        """The advice (docs/interface.md JSON shape) the last next-steps answer showed."""
        return [i for i in self.items if i.get("advice_id")] if self.kind in ("next_steps", "improve") else []

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["frame"] = self.frame.to_dict() if self.frame else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["frame"] = Frame.from_dict(values["frame"]) if values.get("frame") else None
        values["referent_teams"] = tuple(values.get("referent_teams") or ())
        values["options"] = tuple(values.get("options") or ())
        values["items"] = list(values.get("items") or [])
        return cls(**values)


# A capability the engine can call but does not own (the advisor, the case index, tickets, feedback):
# the caller injects it as `skill(frame, state) -> Answer`, so the engine stays free of I/O.
Skill = Callable[[Frame, ConversationState], Answer]


@dataclass(frozen=True)
class Context:
    """The facts a question is answered from, read from the store by the caller, and the
    skills the caller makes available."""

    history: History
    teams: tuple[str, ...]
    period: str | None
    skills: dict[str, Skill] = field(default_factory=dict)
    segments: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()  # what happened (releases, outages, steps done) within `history`'s weeks
    note: str | None = None  # why "now" is not the data's last week (a straggler week skipped), if so
