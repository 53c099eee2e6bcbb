"""The demo organisation: deterministic, varied, realistic rates, and every planted story visible.

The full demo is generated once per module and imported once into a real SQLite file; the
storyline checks read the metrics the real engine computed from it, and recompute the
expectations from the raw rows or the planted parameters, never from the generator's output.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from demo_support import demo_data, demo_db_path

from smartstep.db import open_db
from smartstep.definitions import load_definitions
from smartstep.demo import STORYLINES, generate_demo, plan, store_kind
from smartstep.demo import catalogue as demo_catalogue
from smartstep.demo import catalogue_accounts as demo_catalogue_accounts
from smartstep.demo import text as demo_text
from smartstep.metrics.reader import current_period, load_history
from smartstep.weeks import parse_time, shift_week


@pytest.fixture(scope="module")
def demo():
    db = open_db(demo_db_path())
    yield demo_data(), db
    db.close()


@pytest.fixture(scope="module")
def history(demo):
    return load_history(demo[1])


def _weekly(history, team: str, metric: str) -> dict[str, tuple[float, int]]:
    return {v.period: (v.value, v.n or 0) for v in history[(team, metric)]}


def _mean(history, team: str, metric: str, first: int, last: int, weighted: bool = False) -> float:
    """Mean of the weekly values from `first` to `last` weeks back (0 = the last demo week)."""
    weeks = _weekly(history, team, metric)
    picked = [
        weeks[shift_week(plan.END_WEEK, -k)] for k in range(last, first + 1) if shift_week(plan.END_WEEK, -k) in weeks
    ]
    if weighted:
        return sum(v * n for v, n in picked) / sum(n for _, n in picked)
    return statistics.fmean(v for v, _ in picked)


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_identical_rows_and_another_seed_differs():
    first, again, other = generate_demo(3, scale=0.08), generate_demo(3, scale=0.08), generate_demo(4, scale=0.08)
    assert first == again
    assert first.tickets != other.tickets and first.surveys != other.surveys


# --- volumes, calendar and variety ---------------------------------------------------------------


def test_two_years_of_weekly_history_for_four_teams(demo, history):
    data, db = demo
    assert 36_000 <= len(data.tickets) <= 44_000
    assert 1_000 <= len(data.customers) <= 1_500
    assert current_period(db) == plan.END_WEEK == "2026-W46"
    for team in ("Billing", "Technical", "Onboarding", "Enterprise"):
        weeks = _weekly(history, team, "ticket_volume")
        assert len(weeks) == 104 and min(weeks) == shift_week("2026-W46", -103)
        assert min(v for v, _ in weeks.values()) >= 15


def test_ids_mark_the_store_as_a_demo(demo):
    data, db = demo
    assert store_kind(db) == "demo"
    assert all(row["id"].startswith("DEMO-") for row in data.tickets + data.surveys + data.customers)
    agents = {t["agent_id"] for t in data.tickets if t["agent_id"]}
    assert agents and all(re.fullmatch(r"agent-\d{3}", a) for a in agents)


def test_at_least_sixty_problem_types_across_all_teams(demo):
    data, _ = demo
    used = Counter(data.problem_keys)
    assert len(used) >= 60
    teams_of = {p.key: p.team for p in demo_catalogue.BILLING + demo_catalogue.TECHNICAL}
    teams_of |= {p.key: p.team for p in demo_catalogue_accounts.ONBOARDING + demo_catalogue_accounts.ENTERPRISE}
    assert Counter(teams_of[k] for k in used) == Counter(
        {"Technical": 20, "Billing": 16, "Onboarding": 15, "Enterprise": 15}
    )


def _vocabulary() -> set[str]:
    words: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]+", value))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            walk(list(value.keys()) + list(value.values()))
        elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
            walk([getattr(value, f) for f in value.__dataclass_fields__])

    for module in (demo_catalogue, demo_catalogue_accounts, demo_text):
        walk(list(vars(module).values()))
    return words


def test_text_has_real_variety_typos_logs_and_personal_data(demo):
    data, _ = demo
    tickets = data.tickets
    assert len({t["subject"] for t in tickets}) > 3_000
    assert len({t["description"] for t in tickets}) > 30_000
    known = _vocabulary()
    typo = [t for t in tickets if any(w.lower() not in known for w in re.findall(r"[A-Za-z]{4,}", t["description"]))]
    assert 0.05 < len(typo) / len(tickets) < 0.3
    text = [t["description"] for t in tickets]
    assert sum("Traceback (most recent call last)" in d for d in text) > 100
    assert sum(bool(re.search(r"(ERROR|WARN) ", d)) for d in text) > 100
    assert sum(bool(re.search(r"[\w.]+@[\w-]+\.example", d)) for d in text) > 500
    assert sum(bool(re.search(r"555[ -]01\d\d", d)) for d in text) > 100
    assert sum("\n> " in d for d in text) > 1_000  # quoted reply chains
    assert {t["channel"] for t in tickets} == {"email", "chat", "web", "phone", "self-service"}
    assert sum(t["contacts"] == 0 and t["solved_at"] is not None for t in tickets) > 300
    assert {t["escalated_to"] for t in tickets} == {None, "engineering", "billing-ops", "product"}
    for t in tickets:
        if t["escalated_to"] and t["returned_at"]:
            assert t["created_at"] <= t["escalated_at"] < t["returned_at"] <= (t["solved_at"] or "9999")


def test_resolutions_mostly_cite_articles_some_are_written_out(demo):
    data, _ = demo
    solved = [t for t in data.tickets if t["resolution"]]
    citing = sum("KB-" in t["resolution"] for t in solved)
    assert 0.5 < citing / len(solved) < 0.9


# --- surveys -------------------------------------------------------------------------------------


def test_response_rates_are_realistic(demo):
    data, _ = demo
    answered = [s for s in data.surveys if s["responded_at"]]
    assert 0.15 <= len(answered) / len(data.surveys) <= 0.35
    for s in answered:
        low, high = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}[s["kind"]]
        assert low <= s["score"] <= high and s["responded_at"] >= s["sent_at"]


def test_effort_is_driven_by_contacts_not_by_channel(demo):
    """Within a team, more contacts mean a lower CES; on one-contact tickets channel barely matters."""
    data, _ = demo
    tickets = {t["id"]: t for t in data.tickets}
    by_contacts, by_channel = defaultdict(list), defaultdict(list)
    for s in data.surveys:
        if s["kind"] == "ces" and s["responded_at"] and s["ticket_id"]:
            t = tickets[s["ticket_id"]]
            if t["team"] == "Technical":
                by_contacts[min(t["contacts"], 3)].append(s["score"])
                if t["contacts"] == 1 and not t["reopens"] and not t["escalated_to"]:
                    by_channel[t["channel"]].append(s["score"])
    assert statistics.fmean(by_contacts[1]) - statistics.fmean(by_contacts[3]) > 1.0
    channel_means = [statistics.fmean(v) for v in by_channel.values() if len(v) > 50]
    assert max(channel_means) - min(channel_means) < 0.4


# --- the planted storylines ---------------------------------------------------------------------


def test_storylines_are_listed_with_real_metrics_and_recent_starts():
    known = set(load_definitions().ids)
    assert len(STORYLINES) == 6
    assert {s.team for s in STORYLINES} == {"Billing", "Technical", "Onboarding", "Enterprise"}
    for story in STORYLINES:
        assert story.metric is None or story.metric in known
        assert shift_week(plan.END_WEEK, -13) <= story.start_week <= shift_week(plan.END_WEEK, -6)


def test_technical_effort_rises_while_csat_stays_high(history):
    baseline_ces = _mean(history, "Technical", "ces", 26, 13, weighted=True)
    recent_ces = _mean(history, "Technical", "ces", 3, 0, weighted=True)
    assert 5.3 <= baseline_ces <= 5.9
    assert recent_ces <= baseline_ces - 0.6
    baseline_csat = _mean(history, "Technical", "csat", 26, 13, weighted=True)
    recent_csat = _mean(history, "Technical", "csat", 7, 0, weighted=True)
    assert 85 <= baseline_csat <= 93
    assert abs(recent_csat - baseline_csat) <= 4


def test_technical_tickets_need_more_contacts_in_the_story_weeks(demo):
    data, _ = demo
    start = plan.START + timedelta(weeks=plan.EFFORT_START + 5)
    recent, before = [], []
    for t in data.tickets:
        if t["team"] == "Technical" and t["contacts"] and t["solved_at"]:
            (recent if parse_time(t["created_at"]) >= start else before).append(t["contacts"])
    planted = plan.transfers_mean(plan.WEEKS)  # extra contacts per ticket from transfers
    assert statistics.fmean(recent) - statistics.fmean(before) > 0.75 * planted


def test_enterprise_time_to_smile_climbs_with_engineering_waits(demo, history):
    data, _ = demo
    baseline = _mean(history, "Enterprise", "time_to_smile_days", 26, 13)
    recent = _mean(history, "Enterprise", "time_to_smile_days", 3, 0)
    assert recent >= baseline + 1.0
    waits = defaultdict(list)
    story = plan.START + timedelta(weeks=plan.SMILE_START + 6)
    for t in data.tickets:
        if t["team"] == "Enterprise" and t["escalated_to"] == "engineering" and t["returned_at"]:
            days = (parse_time(t["returned_at"]) - parse_time(t["escalated_at"])).total_seconds() / 86400
            waits[parse_time(t["created_at"]) >= story].append(days)
    assert statistics.fmean(waits[False]) < 3 and statistics.fmean(waits[True]) > 6
    assert _mean(history, "Enterprise", "escalation_rate", 5, 0) > _mean(
        history, "Enterprise", "escalation_rate", 26, 13
    )


def test_billing_response_rate_falls_after_survey_frequency_rises(demo, history):
    data, _ = demo
    assert _mean(history, "Billing", "survey_response_rate", 26, 13, weighted=True) >= 24
    assert _mean(history, "Billing", "survey_response_rate", 3, 0, weighted=True) <= 16
    tickets = {t["id"]: t for t in data.tickets}
    change = plan.START + timedelta(weeks=plan.SURVEY_START)
    per_customer = defaultdict(Counter)
    for s in data.surveys:
        if s["ticket_id"] and tickets[s["ticket_id"]]["team"] == "Billing" and s["kind"] != "ces":
            sent = parse_time(s["sent_at"])
            if change - timedelta(weeks=4) <= sent < change:
                per_customer[False][s["customer_id"]] += 1
            elif sent >= plan.START + timedelta(weeks=plan.WEEKS - 4):  # rolled out to every customer by then
                per_customer[True][s["customer_id"]] += 1
    before = statistics.fmean(per_customer[False].values())
    after = statistics.fmean(per_customer[True].values())
    assert after >= 2 * before  # customers now get several a month


def test_onboarding_backlog_grows_faster_than_capacity(demo, history):
    data, _ = demo
    backlog = [_weekly(history, "Onboarding", "backlog")[shift_week(plan.END_WEEK, -k)][0] for k in range(9, -1, -1)]
    assert backlog[-1] >= 4 * _mean(history, "Onboarding", "backlog", 26, 13)
    assert sum(b > a for a, b in zip(backlog, backlog[1:], strict=False)) >= 7
    created, solved = Counter(), Counter()
    for t in data.tickets:
        if t["team"] == "Onboarding":
            created[parse_time(t["created_at"]).isocalendar()[:2]] += 1
            if t["solved_at"]:
                solved[parse_time(t["solved_at"]).isocalendar()[:2]] += 1
    last_ten = [parse_time(shift_week(plan.END_WEEK, -k) + "-1").isocalendar()[:2] for k in range(10)]
    assert sum(created[w] > solved[w] for w in last_ten) >= 8
    assert _mean(history, "Onboarding", "first_reply_hours", 3, 0) > 5 * _mean(
        history, "Onboarding", "first_reply_hours", 26, 13
    )


def test_one_billing_problem_is_solved_again_and_again_without_an_article(demo):
    data, _ = demo
    since = plan.START + timedelta(weeks=plan.WEEKS - 12)
    blank_pdf = re.compile(r"(blank|empty|white)", re.I)
    repeated = [
        t
        for t in data.tickets
        if t["team"] == "Billing"
        and "pdf" in (t["subject"] + t["description"]).lower()
        and blank_pdf.search(t["subject"] + t["description"])
    ]
    assert all(parse_time(t["created_at"]) >= since for t in repeated)
    assert 30 <= len(repeated) <= 60
    solved = [t for t in repeated if t["resolution"]]
    assert len(solved) >= 25 and not any("KB-" in t["resolution"] for t in solved)
    assert len({t["resolution"] for t in solved}) >= 10  # written by hand each time
    # Unlike the other frequent Billing problems of those weeks, which mostly cite their article.
    recent = Counter(
        k
        for k, t in zip(data.problem_keys, data.tickets, strict=True)
        if t["team"] == "Billing" and parse_time(t["created_at"]) >= since
    )
    for key, _ in recent.most_common(4):
        if key == "invoice_pdf_blank":
            continue
        rows = [t for k, t in zip(data.problem_keys, data.tickets, strict=True) if k == key and t["resolution"]]
        assert sum("KB-" in t["resolution"] for t in rows) / len(rows) > 0.6, key


def test_mid_market_time_to_value_slips_while_smb_holds(demo, history):
    data, _ = demo
    cutoff = (plan.START + timedelta(weeks=plan.WEEKS - 10)).isoformat()[:10]
    days = defaultdict(list)
    for c in data.customers:
        if c["first_value_after_sale_at"] and c["team"] == "Onboarding":
            d = (parse_time(c["first_value_after_sale_at"]) - parse_time(c["signed_at"])).total_seconds() / 86400
            when = "recent" if c["first_value_after_sale_at"] >= cutoff else "before"
            if c["first_value_after_sale_at"] >= "2025-06-01":
                days[(c["segment"], when)].append(d)
    mm_before, mm_recent = (
        statistics.fmean(days[("Mid-market", "before")]),
        statistics.fmean(days[("Mid-market", "recent")]),
    )
    smb_before, smb_recent = statistics.fmean(days[("SMB", "before")]), statistics.fmean(days[("SMB", "recent")])
    assert 16 <= mm_before <= 25 and mm_recent >= mm_before + 12
    assert abs(smb_recent - smb_before) <= 4
    assert (
        _mean(history, "Onboarding", "ttv_after_sale_days", 5, 0)
        > _mean(history, "Onboarding", "ttv_after_sale_days", 30, 13) + 5
    )


# --- smartstep demo ------------------------------------------------------------------------------


def _run(db_path, *args):
    from click.testing import CliRunner

    from smartstep.cli import main

    return CliRunner().invoke(main, ["--db", str(db_path), "demo", "--scale", "0.06", *args], input="")


def _ids(db_path) -> set[str]:
    db = open_db(db_path)
    try:
        return {r[0] for r in db.execute("SELECT id FROM tickets").fetchall()}
    finally:
        db.close()


def test_demo_command_refuses_real_data_unless_forced_and_rebuilds_an_earlier_demo(tmp_path):
    from smartstep.imports.importers import import_records

    db_path = tmp_path / "smartstep.db"
    db = open_db(db_path)
    import_records(
        db, "tickets", [{"id": "ZD-1", "created_at": "2026-11-02T10:00:00Z", "status": "open", "team": "Ops"}]
    )
    db.close()
    refused = _run(db_path)
    assert refused.exit_code == 1
    assert "already holds tickets, surveys or customers that are not the demo's" in refused.output
    assert _ids(db_path) == {"ZD-1"}

    forced = _run(db_path, "--force", "--seed", "5")  # stdin is closed: tour, no chat, exit 0
    assert forced.exit_code == 0, forced.output
    assert "4 teams, 104 weeks (2024-W47 to 2026-W46)" in forced.output
    assert "Technical · 2026-W46" in forced.output  # the scorecard
    assert "Smartest next step per team, 2026-W46" in forced.output
    seed5 = _ids(db_path)
    assert "ZD-1" not in seed5 and len(seed5) > 1000

    again = _run(db_path, "--seed", "6", "--no-chat")  # an earlier demo is rebuilt without --force
    assert again.exit_code == 0, again.output
    expected = {t["id"] for t in generate_demo(6, scale=0.06).tickets}
    assert _ids(db_path) == expected
    db = open_db(db_path)
    subjects = {r[0] for r in db.execute("SELECT subject FROM tickets").fetchall()}
    db.close()
    assert subjects == {t["subject"] for t in generate_demo(6, scale=0.06).tickets}
