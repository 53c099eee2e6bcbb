"""Why a step ranked where it did, kept as data: the ranking and the symptom folding add and
count these, and each surface renders them to a sentence (`text`) only when it shows them, so
nothing ever parses a sentence back into numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from smartstep.advice.verdicts import PastSituation
from smartstep.definitions import load_definitions


@dataclass(frozen=True)
class LeadVotes:
    """Leads' ratings of this step: here, or (with none here yet) in other teams."""

    kind: ClassVar[str] = "votes"
    useful: int
    votes: int
    here: bool
    share: float  # the shrunk usefulness the score used

    @property
    def text(self) -> str:
        direction = "ranked up" if self.share > 0.5 else "ranked down" if self.share < 0.5 else "neutral"
        whose = "leads here" if self.here else "leads in other teams"
        return f"{direction}: {self.useful} of {self.votes} {whose} found this useful"


@dataclass(frozen=True)
class TrackRecord:
    """How often the step worked when it was done and measured (verdicts that teach only)."""

    kind: ClassVar[str] = "track_record"
    worked: int
    measured: int
    weight: float  # the certainty-weighted share the score used

    @property
    def text(self) -> str:
        return f"worked {self.worked} of {self.measured} times it was done and measured"


@dataclass(frozen=True)
class WorkedBefore:
    """The most similar earlier situation where the step was done and worked beyond noise."""

    kind: ClassVar[str] = "worked_before"
    situation: PastSituation

    @property
    def text(self) -> str:
        s = self.situation
        return f"worked before: {s.team}, {s.period} — {s.outcome.numbers}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.situation.as_dict(), "text": self.text}


@dataclass(frozen=True)
class StageFit:
    kind: ClassVar[str] = "stage_fit"

    @property
    def text(self) -> str:
        return "fits the team's maturity stage"


@dataclass(frozen=True)
class NewForTeam:
    kind: ClassVar[str] = "new_for_team"

    @property
    def text(self) -> str:
        return "new for this team"


@dataclass(frozen=True)
class Symptom:
    """A step folded into this one: its metric is a symptom of the same story."""

    kind: ClassVar[str] = "symptom"
    metric: str
    title: str

    @property
    def text(self) -> str:
        definitions = load_definitions()
        name = definitions.get(self.metric).name if self.metric in definitions.metrics else self.metric
        return f"also shows in {name}: {self.title[:1].lower()}{self.title[1:]}"


@dataclass(frozen=True)
class MoreSymptoms:
    kind: ClassVar[str] = "more_symptoms"
    count: int

    @property
    def text(self) -> str:
        return f"and {self.count} more related signs"


@dataclass(frozen=True)
class DriverReason:
    """What drives the target survey score for the team, in the driver analysis' own words."""

    kind: ClassVar[str] = "driver"
    line: str

    @property
    def text(self) -> str:
        return f"driver: {self.line}"


Reason = LeadVotes | TrackRecord | WorkedBefore | StageFit | NewForTeam | Symptom | MoreSymptoms | DriverReason


def reason_json(reason: Reason) -> dict[str, Any]:
    """`{"kind", ...its fields, "text"}` for `next-step --json`'s `ranking`."""
    if isinstance(reason, WorkedBefore):
        return reason.as_dict()
    return {"kind": reason.kind, **asdict(reason), "text": reason.text}
