"""The metric formulas: plain tables of tickets, surveys and customers in, weekly values out.

Nothing here touches SQLite. Times arrive as epoch seconds (float, NaN when missing) and weeks
as "week keys" (the epoch day of the week's Monday, an int), so a full recompute over a million
tickets is a handful of vectorised group-bys. `metric_store` does the reading and writing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import special  # the quantile functions alone: scipy.stats costs half a second to import

from smartstep.definitions import load_definitions
from smartstep.metrics.intervals import (
    grouped_intervals,
    mean_interval,
    nps_interval,
    poisson_interval,
    wilson_interval,
)
from smartstep.metrics.values import MetricValue
from smartstep.weeks import iso_week

DAY = 86400.0
HOUR = 3600.0
_EPOCH = date(1970, 1, 1)

TICKET_METRICS = (
    "ticket_volume",
    "escalation_rate",
    "first_reply_hours",
    "fcr",
    "aht",
    "zcr",
    "reopen_rate",
    "resolution_hours",
    "sla_breach_rate",
    "time_to_smile_days",
    "backlog",
)
SURVEY_METRICS = load_definitions().survey_metrics
CUSTOMER_METRICS = ("ttv_before_sale_days", "ttv_after_sale_days", "retention_rate")
TTCV = "time_to_customer_value_days"


def week_key(epoch_seconds: np.ndarray | pd.Series) -> np.ndarray:
    """Epoch seconds -> the epoch day of that ISO week's Monday (NaN stays NaN)."""
    days = np.floor(np.asarray(epoch_seconds, dtype="float64") / DAY)
    return days - np.mod(days + 3, 7)  # 1970-01-01 was a Thursday (weekday 3)


def week_label(key: float) -> str:
    return iso_week(_EPOCH + timedelta(days=int(key)))


def label_key(period: str) -> int:
    from smartstep.weeks import week_start

    return (week_start(period).date() - _EPOCH).days


@dataclass(frozen=True)
class Params:
    sla_first_reply_hours: float = 24.0
    sla_resolution_hours: float = 120.0
    renewal_term_days: float = 365.0
    renewal_grace_days: float = 30.0
    confidence: float = 0.90

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Params:
        return cls(**{k: float(v) for k, v in values.items() if k in cls.__dataclass_fields__})

    @property
    def z(self) -> float:
        return float(special.ndtri(0.5 + self.confidence / 2))


# --- tickets ---------------------------------------------------------------------------------


def _values(
    team: str, metric: str, grouped: pd.DataFrame, start: float, cis: Mapping[float, tuple[float, float]] | None = None
) -> Iterator[MetricValue]:
    cis = cis or {}
    for key, row in grouped.iterrows():
        if key >= start and row["n"] > 0 and not np.isnan(row["value"]):
            yield MetricValue(team, metric, week_label(key), float(row["value"]), n=int(row["n"]), ci=cis.get(key))


def _weekly(
    team: str, metric: str, frame: pd.DataFrame, week: str, value: pd.Series, how: str, start: float, params: Params
) -> Iterator[MetricValue]:
    """One metric by week, each value with its sampling interval (`how`: mean, median or share)."""
    grouped = _by_week(frame, week, value, "mean" if how == "share" else how)
    cis = grouped_intervals(frame[week], value, how, params.confidence)
    return _values(team, metric, grouped, start, cis)


def _by_week(frame: pd.DataFrame, week: str, value: pd.Series, how: str) -> pd.DataFrame:
    keep = value.notna() & frame[week].notna()
    groups = value[keep].groupby(frame[week][keep])
    # Named reductions take pandas' fast paths; agg([how, "size"]) went through the slow one.
    return pd.DataFrame({"value": getattr(groups, how)(), "n": groups.size()})


def ticket_metrics(
    tickets: pd.DataFrame, team: str, start: float, last: float, backlog_base: int, params: Params
) -> list[MetricValue]:
    """Weekly ticket metrics for one team, for weeks from `start` to `last` (week keys).

    `tickets` holds every ticket of the team created or solved on/after `start` (and the open
    ones), with epoch-second columns created, first_reply, solved (NaN if not solved),
    escalated_at, returned_at, week keys created_week, solved_week, and optionally sla_breached
    (1/0 from the helpdesk; where it is missing the fixed first-reply/resolution rule decides). `backlog_base` is the
    number of tickets open when week `start` began.
    """
    t = tickets
    solved = t[t["solved"].notna()]
    out: list[MetricValue] = []
    created_in = t[t["created_week"] >= start]
    weeks = np.arange(start, last + 1, 7.0)

    volume = created_in.groupby("created_week").size().reindex(weeks, fill_value=0)
    out += [
        MetricValue(team, "ticket_volume", week_label(k), float(v), n=int(v), ci=poisson_interval(v, params.confidence))
        for k, v in volume.items()
    ]
    escalated = created_in["escalated_to"].fillna("").astype(str).str.strip().ne("").astype(float) * 100
    out += _weekly(team, "escalation_rate", created_in, "created_week", escalated, "share", start, params)
    first_reply = (created_in["first_reply"] - created_in["created"]) / HOUR
    out += _weekly(team, "first_reply_hours", created_in, "created_week", first_reply, "median", start, params)

    contacts, reopens = solved["contacts"], solved["reopens"]
    fcr = ((contacts <= 1) & (reopens.fillna(0) == 0)).astype(float).where(contacts.notna()) * 100
    out += _weekly(team, "fcr", solved, "solved_week", fcr, "share", start, params)
    out += _weekly(team, "aht", solved, "solved_week", solved["handle_minutes"], "mean", start, params)
    zcr = (contacts == 0).astype(float).where(contacts.notna()) * 100
    out += _weekly(team, "zcr", solved, "solved_week", zcr, "share", start, params)
    reopen = (reopens >= 1).astype(float).where(reopens.notna()) * 100
    out += _weekly(team, "reopen_rate", solved, "solved_week", reopen, "share", start, params)
    resolution = (solved["solved"] - solved["created"]) / HOUR
    out += _weekly(team, "resolution_hours", solved, "solved_week", resolution, "median", start, params)
    reply_late = ((solved["first_reply"] - solved["created"]) / HOUR > params.sla_first_reply_hours).fillna(False)
    breach = (reply_late | (resolution > params.sla_resolution_hours)).astype(float) * 100
    if "sla_breached" in solved:  # the helpdesk's own outcome (its targets depend on priority) wins
        own = pd.to_numeric(solved["sla_breached"], errors="coerce")
        breach = (own * 100).where(own.notna(), breach)
    out += _weekly(team, "sla_breach_rate", solved, "solved_week", breach, "share", start, params)
    out += _time_to_smile(solved, team, start, params)
    out += _backlog(t, team, weeks, backlog_base)
    return out


def _time_to_smile(solved: pd.DataFrame, team: str, start: float, params: Params) -> list[MetricValue]:
    """Mean days created -> solved, split into time away in other departments and the rest."""
    total = (solved["solved"] - solved["created"]) / DAY
    dept = solved["escalated_to"].fillna("").astype(str).str.strip().str.lower()
    back = solved["returned_at"].fillna(solved["solved"])
    away = ((back - solved["escalated_at"]) / DAY).clip(lower=0).where(dept.ne("")).fillna(0.0)
    away = np.minimum(away, total)
    frame = pd.DataFrame({"week": solved["solved_week"], "total": total, "away": away, "dept": dept})
    frame = frame[frame["week"] >= start]
    if frame.empty:
        return []
    per_week = frame.groupby("week").agg(n=("total", "size"), total=("total", "sum"), away=("away", "sum"))
    away = frame[frame["dept"] != ""].groupby(["week", "dept"])["away"].sum()
    details: dict[float, dict[str, float]] = {}
    for (key, name), days in away.items():
        details.setdefault(key, {})[str(name)] = round(float(days / per_week.at[key, "n"]), 3)
    cis = grouped_intervals(frame["week"], frame["total"], "mean", params.confidence)
    out = []
    for key, row in per_week.iterrows():
        n = int(row["n"])
        detail = {"support": round(float((row["total"] - row["away"]) / n), 3), **details.get(key, {})}
        out.append(
            MetricValue(
                team,
                "time_to_smile_days",
                week_label(key),
                float(row["total"] / n),
                n=n,
                ci=cis.get(key),
                detail=detail,
            )
        )
    return out


def _backlog(t: pd.DataFrame, team: str, weeks: np.ndarray, base: int) -> list[MetricValue]:
    """Open tickets at the end of each week: the running sum of created minus solved."""
    created = t[t["created_week"] >= weeks[0]].groupby("created_week").size().reindex(weeks, fill_value=0)
    # Tickets created before the window are already in `base`; only their solving subtracts.
    solved = t[t["solved"].notna() & (t["solved_week"] >= weeks[0])]
    solved = solved.groupby("solved_week").size().reindex(weeks, fill_value=0)
    level = base + np.cumsum(created.to_numpy() - solved.to_numpy())
    return [MetricValue(team, "backlog", week_label(k), float(v)) for k, v in zip(weeks, level, strict=True)]


# --- surveys ---------------------------------------------------------------------------------


def survey_metrics(surveys: pd.DataFrame, team: str, start: float, params: Params) -> list[MetricValue]:
    """Response rate by week sent; CSAT, NPS and CES by week answered, each with n and a CI."""
    out: list[MetricValue] = []
    sent = surveys[surveys["sent_week"] >= start]
    answered = sent["responded"].notna().astype(float) * 100
    out += _weekly(team, "survey_response_rate", sent, "sent_week", answered, "share", start, params)
    responses = surveys[surveys["responded"].notna() & (surveys["responded_week"] >= start)]
    for (kind, key), group in responses.groupby(["kind", "responded_week"]):
        scores = group["score"].dropna().to_numpy(dtype="float64")
        n = len(scores)
        if n == 0:
            continue
        period = week_label(key)
        if kind == "csat":
            top = int((scores >= 4).sum())
            out.append(MetricValue(team, "csat", period, top / n * 100, n=n, ci=wilson_interval(top, n, params.z)))
        elif kind == "nps":
            pro, det = int((scores >= 9).sum()), int((scores <= 6).sum())
            value = (pro - det) / n * 100
            shares = {"promoters": round(pro / n * 100, 2), "detractors": round(det / n * 100, 2)}
            ci = nps_interval(pro, det, n, params.z)
            out.append(MetricValue(team, "nps", period, value, n=n, ci=ci, detail=shares))
        elif kind == "ces":
            out.append(
                MetricValue(team, "ces", period, float(scores.mean()), n=n, ci=mean_interval(scores, params.confidence))
            )
    return out


# --- customers -------------------------------------------------------------------------------


def customer_metrics(customers: pd.DataFrame, now: float, params: Params) -> list[MetricValue]:
    """Time-to-value parts and retention per team-week; detail splits them by segment.

    `customers` has team, segment and epoch-second columns signed, value_before, value_after,
    renewed, churned. `now` (epoch seconds) decides which renewals are due and decided.
    """
    out: list[MetricValue] = []
    c = customers
    parts = {
        "ttv_before_sale_days": ((c["value_before"] - c["signed"]) / DAY, c["value_before"]),
        "ttv_after_sale_days": ((c["value_after"] - c["signed"]) / DAY, c["value_after"]),
    }
    for metric, (days, when) in parts.items():
        out += _segment_means(c.assign(days=days, week=week_key(when)), metric, params)
    due = c["signed"] + params.renewal_term_days * DAY
    renewed = c["renewed"].notna()
    lost = ~renewed & (c["churned"].notna() | (due + params.renewal_grace_days * DAY < now))
    decided = c.assign(week=week_key(due), kept=renewed.astype(float) * 100)[(renewed | lost) & (due <= now)]
    z = params.z
    for (team, key), group in decided.groupby(["team", "week"]):
        n, kept = len(group), float(group["kept"].mean())
        ci = wilson_interval(kept / 100 * n, n, z)
        out.append(MetricValue(str(team), "retention_rate", week_label(key), kept, n=n, ci=ci))
    return out


def _segment_means(frame: pd.DataFrame, metric: str, params: Params) -> list[MetricValue]:
    """Mean days per team-week with its interval, and the per-segment means as detail."""
    frame = frame.dropna(subset=["days", "week"]).assign(segment=lambda f: f["segment"].fillna("unknown"))
    totals = frame.groupby(["team", "week"])["days"].agg(["mean", "size", "std"])
    parts = frame.groupby(["team", "week", "segment"])["days"].mean().round(2)
    details: dict[tuple, dict[str, float]] = {}
    for (team, key, segment), value in parts.items():
        details.setdefault((team, key), {})[str(segment)] = float(value)
    out = []
    for (team, key), row in zip(totals.index, totals.itertuples(), strict=True):
        n = int(row.size)
        ci = None
        if n >= 2:
            half = float(special.stdtrit(n - 1, 0.5 + params.confidence / 2)) * (float(row.std) or 0.5) / np.sqrt(n)
            ci = (float(row.mean) - half, float(row.mean) + half)
        out.append(
            MetricValue(str(team), metric, week_label(key), float(row.mean), n=n, ci=ci, detail=details[(team, key)])
        )
    return out


def time_to_customer_value(
    parts: Mapping[str, Mapping[str, float]],
    team: str,
    errors: Mapping[str, Mapping[str, tuple[int | None, float | None]]] | None = None,
    confidence: float = 0.90,
) -> list[MetricValue]:
    """Klever's Law per week: TtV before sale + TtV after sale + Time to Smile.

    `parts` maps each part's metric id to {period: value}; a part missing in a week counts as
    0 and marks the value partial, as the interface promises. `errors` ({metric: {period: (n,
    interval half-width)}}) gives the sum its sample: the smallest n among the parts present, and
    the half-widths added in quadrature (the parts are independent samples).
    """
    names = ("ttv_before_sale_days", "ttv_after_sale_days", "time_to_smile_days")
    periods = sorted(set().union(*(parts.get(n, {}).keys() for n in names)))
    errors = errors or {}
    out = []
    for period in periods:
        detail = {n: float(parts.get(n, {}).get(period, 0.0)) for n in names}
        partial = any(period not in parts.get(n, {}) for n in names)
        known = [errors.get(n, {}).get(period) for n in names if period in parts.get(n, {})]
        sizes = [e[0] for e in known if e is not None and e[0] is not None]
        halves = [e[1] for e in known if e is not None and e[1] is not None]
        total = sum(detail.values())
        n = min(sizes) if sizes and len(sizes) == len(known) else None
        ci = None
        if n is not None and len(halves) == len(known):
            half = float(np.sqrt(sum(h * h for h in halves)))
            ci = (total - half, total + half)
        out.append(MetricValue(team, TTCV, period, total, n=n, ci=ci, partial=partial, detail=detail))
    return out
