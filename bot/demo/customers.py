"""The demo's customers: who signed when, trials, go-lives, renewals, and who files tickets.

A customer's `health` is a hidden trait: unhealthy accounts have rougher tickets and churn
more, so retention after bad experiences is there for later layers to find.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from smartstep.demo import plan

SEGMENTS = (("SMB", 0.55), ("Mid-market", 0.30), ("Enterprise", 0.15))
_TRIAL_SHARE = {"SMB": 0.75, "Mid-market": 0.55, "Enterprise": 0.25}
_TTV_MEDIAN = {"SMB": 9.0, "Mid-market": 20.0, "Enterprise": 55.0}
_CHURN = {"SMB": 0.17, "Mid-market": 0.10, "Enterprise": 0.06}
_ARR = {"SMB": 7_000.0, "Mid-market": 36_000.0, "Enterprise": 170_000.0}
EARLIEST_SIGNING = plan.START - timedelta(weeks=38)
DAY = timedelta(days=1)


@dataclass
class Customer:
    id: str
    segment: str
    team: str
    health: float
    activity: float  # relative ticket-filing rate
    first_contact_at: datetime
    trial_value_at: datetime | None
    signed_at: datetime
    live_at: datetime | None  # go-live, when reached by the snapshot
    live_due: datetime  # when go-live happens (or will)
    renewed_at: datetime | None = None
    churned_at: datetime | None = None
    arr: float = 0.0

    def record(self) -> dict[str, object]:
        """The customers CSV row for this customer."""
        return {
            "id": self.id,
            "team": self.team,
            "segment": self.segment,
            "first_contact_at": _t(self.first_contact_at),
            "first_value_before_sale_at": _t(self.trial_value_at),
            "signed_at": _t(self.signed_at),
            "first_value_after_sale_at": _t(self.live_at),
            "renewed_at": _t(self.renewed_at),
            "churned_at": _t(self.churned_at),
            "arr": round(self.arr, 2),
        }


def _t(moment: datetime | None) -> str | None:
    return None if moment is None or moment > plan.SNAPSHOT else plan.stamp(moment)


def build_customers(r: random.Random, count: int) -> list[Customer]:
    """`count` customers, signing at a rate that grows over the 2.7 years up to the snapshot."""
    span = (plan.SNAPSHOT - 3 * DAY - EARLIEST_SIGNING).total_seconds()
    growth = 1.2
    customers = []
    for n in range(count):
        u = r.random()
        x = (-1 + math.sqrt(1 + 2 * growth * u * (1 + growth / 2))) / growth  # linear density, inverted
        signed = EARLIEST_SIGNING + timedelta(seconds=x * span)
        signed = signed.replace(hour=r.randint(8, 18), minute=r.randint(0, 59), second=0)
        customers.append(_customer(r, f"{plan.ID_PREFIX}C{n + 1:05d}", signed))
    customers.sort(key=lambda c: c.signed_at)
    return customers


def _customer(r: random.Random, cid: str, signed: datetime) -> Customer:
    segment = r.choices([s for s, _ in SEGMENTS], [w for _, w in SEGMENTS])[0]
    team = {"Enterprise": "Enterprise", "Mid-market": "Onboarding"}.get(segment) or r.choices(
        ("Onboarding", "Billing", "Technical"), (0.6, 0.2, 0.2)
    )[0]
    lead_days = r.uniform(60, 200) if segment == "Enterprise" else r.uniform(10, 90)
    first_contact = signed - timedelta(days=lead_days, hours=r.uniform(0, 10))
    trial = None
    if r.random() < _TRIAL_SHARE[segment]:
        trial = signed - timedelta(days=r.uniform(2, min(lead_days - 1, 35)), hours=r.uniform(0, 8))
    median = _TTV_MEDIAN[segment]
    if segment == "Mid-market":
        median = plan.mid_market_ttv_days(plan.week_index(signed))
    live_due = signed + timedelta(days=median * math.exp(r.gauss(0, 0.28)), hours=r.uniform(0, 9))
    health = r.gauss(0, 1)
    arr = _ARR[segment] * math.exp(r.gauss(0, 0.5))
    activity = math.exp(r.gauss(0, 0.6)) * {"SMB": 0.8, "Mid-market": 1.2, "Enterprise": 1.6}[segment]
    c = Customer(
        cid,
        segment,
        team,
        health,
        activity,
        first_contact,
        trial,
        signed,
        live_due if live_due <= plan.SNAPSHOT else None,
        live_due,
        arr=arr,
    )
    _renewals(r, c)
    return c


def _renewals(r: random.Random, c: Customer) -> None:
    """Renew or churn at each anniversary reached; unhealthy accounts churn more."""
    base = _CHURN[c.segment]
    odds = base / (1 - base) * math.exp(-0.7 * c.health)
    churn = odds / (1 + odds)
    due = c.signed_at + timedelta(days=365)
    while due <= plan.SNAPSHOT:
        if r.random() < churn:
            c.churned_at = due + timedelta(days=r.uniform(0, 12))
            return
        c.renewed_at = due - timedelta(days=r.uniform(0, 20))
        due += timedelta(days=365)


class CustomerPools:
    """Which customers can file a ticket with a team in a given week, weighted by activity."""

    def __init__(self, customers: list[Customer]) -> None:
        self.customers = customers
        self._cache: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        far = plan.SNAPSHOT + timedelta(days=10_000)

        def days(moments: list[datetime | None]) -> np.ndarray:
            return np.array([((m or far) - plan.START).total_seconds() / 86400 for m in moments])

        self._contact = days([c.first_contact_at for c in customers])
        self._churned = days([c.churned_at for c in customers])
        self._signed = days([c.signed_at for c in customers])
        self._live = days([c.live_due for c in customers])
        self._enterprise = np.array([c.segment == "Enterprise" for c in customers])
        self._activity = np.array([c.activity for c in customers])

    def pick(self, r: random.Random, team: str, index: int, when: datetime) -> Customer:
        ids, cum = self._pool(team, index, when)
        return self.customers[int(ids[bisect_right(cum, r.random() * cum[-1])])]

    def _pool(self, team: str, index: int, when: datetime) -> tuple[np.ndarray, np.ndarray]:
        key = (team, index)
        if key not in self._cache:
            ids = np.flatnonzero(self._eligible(team, (when - plan.START).total_seconds() / 86400))
            if not len(ids):  # very early weeks: anyone active
                ids = np.flatnonzero(self._contact <= (when - plan.START).total_seconds() / 86400)
            self._cache[key] = (ids, np.cumsum(self._activity[ids]).tolist())
        return self._cache[key]

    def _eligible(self, team: str, day: float) -> np.ndarray:
        active = (self._contact <= day) & (self._churned >= day)
        if team == "Enterprise":
            return active & self._enterprise & (self._signed - 30 <= day)
        active &= ~self._enterprise
        if team == "Onboarding":
            return active & (self._signed - 21 <= day) & (day <= self._live + 21)
        return active & (self._signed - 10 <= day)
