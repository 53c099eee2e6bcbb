"""Planted help-desk data: realistic heavy-tailed tickets and surveys with known shifts, written
without any of smartstep's code, plus an independent bootstrap check of a reported change.

There are no public help-desk logs on this machine, so the shapes are calibrated to what published
incident and help-desk logs show: weekly arrivals over-dispersed relative to Poisson (negative
binomial, variance mu + mu^2/k), resolution times log-normal with a heavier second component (a
tenth of tickets wait on someone else, ten times longer), first replies log-normal with a long
tail, handling minutes log-normal, CSAT top-2-box around 85%, NPS about +25, CES around 5.4/7.

`generate` returns plain rows in the CSV shapes of the README; `write_csvs` writes them so a test
imports them with the product's own importer. `bootstrap_beyond_noise` re-derives a metric from the
raw rows with its own code (pandas on the generator's rows, not the product's formulas) and says
whether a reported change is beyond sampling noise.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

END = date(2026, 11, 15)  # a Sunday: the last day of ISO week 2026-W46
TICKET_COLUMNS = [
    "id",
    "created_at",
    "first_reply_at",
    "solved_at",
    "status",
    "team",
    "subject",
    "resolution",
    "customer_id",
    "contacts",
    "reopens",
    "handle_minutes",
    "escalated_to",
    "escalated_at",
    "returned_at",
]
SURVEY_COLUMNS = ["id", "ticket_id", "kind", "sent_at", "responded_at", "score"]
TOPICS = (
    "Cannot log in",
    "Refund request",
    "Invoice is wrong",
    "How do I export my data",
    "App crashes on start",
    "Change billing address",
    "Password reset email missing",
    "Add a user to our account",
    "Sync is slow",
    "Cancel my subscription",
    "Two-factor code not accepted",
    "Report shows no data",
)
CSAT_PROBS = (0.06, 0.04, 0.05, 0.25, 0.60)  # 1..5: top-2-box 85%
NPS_PROBS = (0.03, 0.02, 0.02, 0.03, 0.03, 0.03, 0.04, 0.17, 0.18, 0.22, 0.23)  # 0..10: +25
CES_PROBS = (0.03, 0.04, 0.06, 0.10, 0.20, 0.32, 0.25)  # 1..7: mean about 5.4


@dataclass(frozen=True)
class TeamPlan:
    """One team's parameters; `shifts` maps a parameter to {first week index: new value}."""

    name: str
    volume: float  # mean tickets a week
    dispersion: float = 30.0  # negative-binomial k (smaller: burstier weeks)
    reply_median_h: float = 1.5
    reply_sigma: float = 1.6
    resolve_median_h: float = 18.0
    resolve_sigma: float = 1.4
    slow_share: float = 0.10  # tickets waiting on someone else: ten times slower
    handle_median_min: float = 9.0
    fcr: float = 0.72
    reopen: float = 0.05
    escalate: float = 0.08
    csat_top2: float = 0.85
    survey_rate: float = 0.25
    shifts: Mapping[str, Mapping[int, float]] = field(default_factory=dict)

    def at(self, name: str, week: int) -> float:
        value = getattr(self, name)
        for start, new in sorted(self.shifts.get(name, {}).items()):
            if week >= start:
                value = new
        return value


def _csat_probs(top2: float) -> np.ndarray:
    """The CSAT mix with the top-2 share moved to `top2`, keeping the shape within each side."""
    base = np.array(CSAT_PROBS)
    low, high = base[:3] / base[:3].sum(), base[3:] / base[3:].sum()
    return np.r_[low * (1 - top2), high * top2]


def generate(plans: Sequence[TeamPlan], weeks: int = 52, seed: int = 1) -> dict[str, list[dict]]:
    """Tickets and surveys for `weeks` ISO weeks ending 2026-W46 (week index 0 is the first)."""
    rng = np.random.default_rng(seed)
    first_monday = END - timedelta(days=END.weekday()) - timedelta(weeks=weeks - 1)
    snapshot = datetime.combine(END, datetime.max.time(), UTC).replace(microsecond=0)
    tickets: list[dict] = []
    surveys: list[dict] = []
    for plan in plans:
        for week in range(weeks):
            monday = datetime.combine(first_monday + timedelta(weeks=week), datetime.min.time(), UTC)
            mu = plan.at("volume", week)
            k = plan.dispersion
            count = int(rng.negative_binomial(k, k / (k + mu))) if mu > 0 else 0
            for i in range(count):
                ticket, answers = _ticket(rng, plan, week, monday, i, snapshot)
                tickets.append(ticket)
                surveys.extend(answers)
    return {"tickets": tickets, "surveys": surveys}


def _ticket(rng, plan: TeamPlan, week: int, monday: datetime, i: int, snapshot: datetime):
    ident = f"{plan.name[:3].upper()}-{week:03d}-{i:04d}"
    topic = min(int(rng.zipf(1.6)) - 1, len(TOPICS) - 1)
    day = rng.choice(7, p=(0.19, 0.19, 0.18, 0.17, 0.15, 0.06, 0.06))
    created = monday + timedelta(days=int(day), seconds=int(rng.uniform(0, 86400)))
    reply_h = rng.lognormal(np.log(plan.at("reply_median_h", week)), plan.reply_sigma)
    slow = rng.random() < plan.at("slow_share", week)
    median = plan.at("resolve_median_h", week) * (10 if slow else 1)
    resolve_h = max(reply_h, rng.lognormal(np.log(median), 1.0 if slow else plan.at("resolve_sigma", week)))
    solved = created + timedelta(hours=float(resolve_h))
    first_reply = created + timedelta(hours=float(reply_h))
    done = solved <= snapshot
    escalated = rng.random() < plan.at("escalate", week)
    # Escalated half an hour after the first reply, and never after the ticket was solved.
    esc_at = created + timedelta(hours=float(min(reply_h + 0.5, resolve_h))) if escalated else None
    back = esc_at + (solved - esc_at) * 0.7 if escalated else None
    fcr = rng.random() < plan.at("fcr", week)
    reopened = rng.random() < plan.at("reopen", week)
    contacts = 1 if fcr and not reopened else 2 + int(rng.geometric(0.6)) - 1
    if fcr and not reopened and rng.random() < 0.2:
        contacts = 0  # solved with no contact (self-service, a proactive fix): zero-contact resolution
    ticket = {
        "id": ident,
        "created_at": _iso(created),
        "first_reply_at": _iso(first_reply) if first_reply <= snapshot else "",
        "solved_at": _iso(solved) if done else "",
        "status": "solved" if done else "open",
        "team": plan.name,
        "subject": f"{TOPICS[topic]} (order {rng.integers(10_000, 99_999)})",
        "resolution": _resolution(rng, topic) if done else "",
        "customer_id": f"C{rng.integers(1, 5000)}",
        "contacts": contacts,
        "reopens": int(reopened),
        "handle_minutes": round(float(rng.lognormal(np.log(plan.at("handle_median_min", week)), 0.8)), 1),
        "escalated_to": "engineering" if escalated else "",
        "escalated_at": _iso(esc_at) if escalated and esc_at <= snapshot else "",
        "returned_at": _iso(back) if escalated and done else "",
    }
    answers = []
    if done:
        sent = solved + timedelta(minutes=10)
        for kind, rate, probs, low in (
            ("csat", plan.at("survey_rate", week), _csat_probs(plan.at("csat_top2", week)), 1),
            ("ces", plan.at("survey_rate", week) * 0.6, np.array(CES_PROBS), 1),
            ("nps", plan.at("survey_rate", week) * 0.4, np.array(NPS_PROBS), 0),
        ):
            if sent > snapshot or rng.random() > 0.8:  # not every ticket is surveyed on every question
                continue
            answered = rng.random() < rate
            at = sent + timedelta(hours=float(rng.exponential(6)))
            answered = answered and at <= snapshot
            answers.append(
                {
                    "id": f"{ident}-{kind}",
                    "ticket_id": ident,
                    "kind": kind,
                    "sent_at": _iso(sent),
                    "responded_at": _iso(at) if answered else "",
                    "score": int(rng.choice(len(probs), p=probs / probs.sum())) + low if answered else "",
                }
            )
    return ticket, answers


def _resolution(rng, topic: int) -> str:
    """A well-run team: most answers cite the knowledge-base article for the topic."""
    return f"Answered with KB-{100 + topic}." if rng.random() < 0.9 else "Answered by hand."


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_csvs(rows: Mapping[str, list[dict]], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, columns in (("tickets", TICKET_COLUMNS), ("surveys", SURVEY_COLUMNS)):
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows[kind])
        out[kind] = path
    return out


# --- the independent check ------------------------------------------------------------------------


def iso_week(stamp: pd.Series) -> pd.Series:
    calendar = stamp.dt.isocalendar()
    return calendar["year"].astype(str) + "-W" + calendar["week"].astype(int).map("{:02d}".format)


def frames(rows: Mapping[str, list[dict]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw rows as frames with parsed times and ISO-week labels (UTC)."""
    t = pd.DataFrame(rows["tickets"])
    for column in ("created_at", "first_reply_at", "solved_at", "escalated_at", "returned_at"):
        t[column] = pd.to_datetime(t[column].replace("", None), utc=True)
    t["created_week"] = iso_week(t["created_at"])
    t["solved_week"] = iso_week(t["solved_at"].fillna(t["created_at"])).where(t["solved_at"].notna())
    s = pd.DataFrame(rows["surveys"])
    s["sent_at"] = pd.to_datetime(s["sent_at"], utc=True)
    s["responded_at"] = pd.to_datetime(s["responded_at"].replace("", None), utc=True)
    s["score"] = pd.to_numeric(s["score"].replace("", None))
    s["sent_week"] = iso_week(s["sent_at"])
    s["responded_week"] = iso_week(s["responded_at"].fillna(s["sent_at"])).where(s["responded_at"].notna())
    return t, s


def _hours(a: pd.Series, b: pd.Series) -> np.ndarray:
    return ((b - a).dt.total_seconds() / 3600).to_numpy()


# metric -> (table, week column, per-row value, statistic); values are numpy arrays per row.
Statistic = Callable[[np.ndarray], float]
SAMPLES: dict[str, tuple[str, str, Callable[[pd.DataFrame], np.ndarray], Statistic]] = {
    "first_reply_hours": ("t", "created_week", lambda t: _hours(t["created_at"], t["first_reply_at"]), np.median),
    "resolution_hours": ("solved", "solved_week", lambda t: _hours(t["created_at"], t["solved_at"]), np.median),
    "time_to_smile_days": ("solved", "solved_week", lambda t: _hours(t["created_at"], t["solved_at"]) / 24, np.mean),
    "aht": ("solved", "solved_week", lambda t: t["handle_minutes"].to_numpy(float), np.mean),
    "fcr": (
        "solved",
        "solved_week",
        lambda t: ((t["contacts"] <= 1) & (t["reopens"] == 0)).to_numpy(float) * 100,
        np.mean,
    ),
    "reopen_rate": ("solved", "solved_week", lambda t: (t["reopens"] >= 1).to_numpy(float) * 100, np.mean),
    "escalation_rate": ("t", "created_week", lambda t: (t["escalated_to"] != "").to_numpy(float) * 100, np.mean),
    "csat": ("csat", "responded_week", lambda s: (s["score"] >= 4).to_numpy(float) * 100, np.mean),
    "ces": ("ces", "responded_week", lambda s: s["score"].to_numpy(float), np.mean),
    "nps": (
        "nps",
        "responded_week",
        lambda s: np.where(s["score"] >= 9, 100.0, np.where(s["score"] <= 6, -100.0, 0.0)),
        np.mean,
    ),
}


def weekly_samples(t: pd.DataFrame, s: pd.DataFrame, team: str, metric: str) -> dict[str, np.ndarray]:
    """Per ISO week, the per-ticket (per-answer) values the metric is computed from."""
    table, week, values, _ = SAMPLES[metric]
    mine = t[t["team"] == team]
    source = {
        "t": mine,
        "solved": mine[mine["solved_at"].notna()],
    }.get(table)
    if source is None:
        answers = s[(s["kind"] == table) & s["responded_at"].notna()]
        source = answers[answers["ticket_id"].isin(set(mine["id"]))]
    data = source.assign(_v=values(source)).dropna(subset=["_v"])
    return {str(w): g["_v"].to_numpy(float) for w, g in data.groupby(week)}


def bootstrap_beyond_noise(
    samples: Mapping[str, np.ndarray],
    metric: str,
    judged: Sequence[str],
    baseline: Sequence[str],
    *,
    resamples: int = 400,
    level: float = 0.95,
    seed: int = 0,
) -> bool:
    """Whether the statistic of the `judged` weeks (pooled when several) differs from the usual level
    of the `baseline` weeks (their weekly median; pooled when `judged` is pooled) beyond sampling
    noise: the percentile bootstrap interval of the difference, resampling tickets within each week,
    excludes zero."""
    rng = np.random.default_rng(seed)
    statistic = SAMPLES[metric][3]
    pooled = len(judged) > 1
    diffs = np.empty(resamples)
    for b in range(resamples):
        draw = {w: rng.choice(samples[w], len(samples[w])) for w in (*judged, *baseline) if len(samples.get(w, ()))}
        now = statistic(np.concatenate([draw[w] for w in judged if w in draw]))
        if pooled:
            usual = statistic(np.concatenate([draw[w] for w in baseline if w in draw]))
        else:
            usual = float(np.median([statistic(draw[w]) for w in baseline if w in draw]))
        diffs[b] = now - usual
    low, high = np.quantile(diffs, [(1 - level) / 2, 1 - (1 - level) / 2])
    return bool(low > 0 or high < 0)
