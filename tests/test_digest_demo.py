"""The digest on the demo organisation: each planted storyline shows in its team's digest, no
agent is named, call-backs come from the week's unhappy answers, and the dry run writes files
and posts nothing.

One demo store per session (demo_support.demo_db_path, shared with the other demo tests); tests
that write use a copy.
"""

from __future__ import annotations

import json
import statistics
import struct

import pytest
from click.testing import CliRunner
from demo_support import demo_db_path
from digest_support import copy_db

from smartstep.advice.rule_inputs import load_rule_base
from smartstep.cli import main
from smartstep.db import open_db
from smartstep.definitions import load_definitions
from smartstep.digest.blocks import digest_message
from smartstep.digest.data import load_digest, record_callback
from smartstep.weeks import format_time, shift_week, week_end, week_start

PERIOD = "2026-W46"  # the demo's last complete week
TEAMS = ("Billing", "Technical", "Onboarding", "Enterprise")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = copy_db(demo_db_path(), tmp_path_factory.mktemp("digest-demo") / "demo.db")
    db = open_db(path)
    yield path, db
    db.close()


@pytest.fixture(scope="module")
def digests(demo):
    _, db = demo
    ruleset = load_rule_base(None)
    return {team: load_digest(db, ruleset, teams=[team], log=False) for team in TEAMS}


def targets(digest) -> set[str]:
    """Metrics the digest's steps are about: their targets, their evidence, and the related signs
    the advisor folded into them ("also shows in ...")."""
    names = {load_definitions().get(m).name: m for m in load_definitions().ids}
    found = set()
    for advice in digest.steps:
        found |= {advice.candidate.target} | {e["metric"] for e in advice.to_json()["evidence"]}
        found |= {names[n] for r in advice.reasons for n in names if r.startswith(f"also shows in {n}:")}
    return found


def test_each_storyline_shows_in_its_teams_digest(digests) -> None:
    technical, enterprise = digests["Technical"], digests["Enterprise"]
    billing, onboarding = digests["Billing"], digests["Onboarding"]
    assert all(d.period == PERIOD and [t.team for t in d.teams] == [team] for team, d in digests.items())
    # Technical: effort rising while CSAT stays high -> a CES step, and the driver line about CES.
    assert "ces" in targets(technical)
    assert "CES" in (technical.teams[0].driver or "")
    # Enterprise: Time to Smile climbing.
    assert "time_to_smile_days" in targets(enterprise)
    # Billing: survey response rate falling, and the invoice PDF problem solved again and again.
    assert "survey_response_rate" in targets(billing)
    repeat = billing.teams[0].repeat_line or ""
    assert "write up" in repeat.lower() and ("pdf" in repeat.lower() or "invoice" in repeat.lower())
    # Onboarding: backlog growing (moved this week) and Mid-market time to value slipping.
    assert "ttv_after_sale_days" in targets(onboarding)
    assert "backlog" in {m.metric for m in onboarding.teams[0].moves} | targets(onboarding)


def test_every_listed_move_matches_the_stored_weeks_it_compares(demo, digests) -> None:
    """Each move's numbers, recomputed here from the stored weeks with SQL and statistics (not the
    product's code): the week (or the pooled last 4 weeks), and the usual level it is compared with
    (the median of the 12 weeks before; for a pooled window, their pooled value; for a drift, where
    its 13-week window started)."""
    _, db = demo
    checked = 0
    for team, digest in digests.items():
        for move in digest.teams[0].moves:
            minimum = load_definitions().get(move.metric).signal.min_n
            rows = db.execute(
                "SELECT period, value, n FROM metric_values WHERE team = ? AND metric = ? AND period <= ? "
                "ORDER BY period",
                [team, move.metric, PERIOD],
            ).fetchall()
            stored = {p: (v, n) for p, v, n in rows}
            window = [shift_week(PERIOD, -i) for i in range(move.weeks - 1, -1, -1)]
            start = window[0]
            before = [shift_week(start, -i) for i in range(12, 0, -1)]
            if move.weeks == 1:
                assert move.value == pytest.approx(stored[PERIOD][0])
            else:
                sizes = [stored[w][1] for w in window if w in stored]
                values = [stored[w][0] for w in window if w in stored]
                assert move.value == pytest.approx(statistics.fmean(values, weights=sizes))
            if move.basis == "drift":
                points = [
                    stored[w][0] for w in [*before, PERIOD] if w in stored and (stored[w][1] or minimum) >= minimum / 2
                ]
                assert move.previous == pytest.approx(statistics.median(points[: len(points) // 3]))
            elif move.weeks == 1:
                usual = [stored[w][0] for w in before if w in stored and (stored[w][1] or minimum) >= minimum / 2]
                assert move.previous == pytest.approx(statistics.median(usual))
            else:
                usual = [stored[w] for w in before if w in stored and stored[w][1]]
                pooled = statistics.fmean([v for v, _ in usual], weights=[n for _, n in usual])
                assert move.previous == pytest.approx(pooled)
            better = load_definitions().get(move.metric).better
            if better != "context":
                assert move.good == ((move.value > move.previous) == (better == "higher"))
            checked += 1
    assert checked >= 4


def test_time_to_customer_value_adds_up_its_three_parts(digests) -> None:
    for digest in digests.values():
        value = digest.teams[0].value
        assert value is not None
        assert [label for label, _ in value.parts] == ["before sale", "after sale", "Time to Smile"]
        assert value.total == pytest.approx(sum(v for _, v in value.parts), abs=1e-6)


def test_no_agent_is_named_anywhere_in_the_digest(demo, digests) -> None:
    _, db = demo
    agents = {r[0] for r in db.execute("SELECT DISTINCT agent_id FROM tickets WHERE agent_id IS NOT NULL")}
    assert agents
    for digest in digests.values():
        text = json.dumps(digest.to_json()) + json.dumps(digest_message(digest))
        assert not [a for a in agents if a in text]


def test_callbacks_are_the_weeks_unhappy_answers_until_someone_calls_back(demo, digests, tmp_path) -> None:
    _, db = demo
    since, until = format_time(week_start(PERIOD)), format_time(week_end(PERIOD))
    expected = set()
    for sid, kind, score, ticket_team, customer_team in db.execute(
        "SELECT s.id, s.kind, s.score, t.team, c.team FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id "
        "LEFT JOIN customers c ON c.id = COALESCE(NULLIF(s.customer_id, ''), t.customer_id) "
        "WHERE s.responded_at >= ? AND s.responded_at < ?",
        [since, until],
    ):
        unhappy = score is not None and (score <= 6 if kind == "nps" else score <= 2)
        if unhappy and (ticket_team or customer_team) == "Billing":
            expected.add(sid)
    billing = digests["Billing"].teams[0]
    assert billing.callbacks_total == len(expected) > 0
    assert {c.survey_id for c in billing.callbacks} <= expected
    # Record one call-back on a copy: it leaves the list.
    path = copy_db(demo[0], tmp_path / "copy.db")
    copy = open_db(path)
    first = billing.callbacks[0].survey_id
    assert record_callback(copy, first, "ULEAD") is True
    assert record_callback(copy, first, "ULEAD") is False  # a second click changes nothing
    again = load_digest(copy, load_rule_base(None), teams=["Billing"], log=False, drivers=False).teams[0]
    assert again.callbacks_total == len(expected) - 1
    assert first not in {c.survey_id for c in again.callbacks}
    copy.close()


def test_dry_run_writes_block_kit_and_a_phone_sized_png_and_posts_nothing(demo, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    path = copy_db(demo[0], tmp_path / "dry.db")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["--db", str(path), "digest", "--team", "Onboarding", "--dry-run", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    message = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert message["blocks"][0]["text"]["text"] == f"Weekly digest · {PERIOD}"
    assert len(message["blocks"]) <= 50
    assert any(b["type"] == "actions" and b["block_id"].startswith("advice:") for b in message["blocks"])
    png = (out / "digest.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert 800 <= width <= 1200 and height >= 600
    db = open_db(path)
    assert db.execute("SELECT count(*) FROM advice").fetchone()[0] == 0  # a preview is not advice given
    assert db.execute("SELECT count(*) FROM digests").fetchone()[0] == 0
    db.close()


def test_json_prints_only_the_digest_data(demo, tmp_path) -> None:
    path = copy_db(demo[0], tmp_path / "json.db")
    result = CliRunner().invoke(main, ["--db", str(path), "digest", "--team", "Billing", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == PERIOD and [t["team"] for t in data["teams"]] == ["Billing"]
    assert {"moved", "steady", "outcomes", "callbacks", "repeated_problem", "time_to_customer_value"} <= set(
        data["teams"][0]
    )


def test_posting_without_a_token_or_subscriptions_is_one_sentence(demo, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    path = copy_db(demo[0], tmp_path / "post.db")
    result = CliRunner().invoke(main, ["--db", str(path), "digest"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "smartstep: SLACK_BOT_TOKEN is not set; use --dry-run to preview the digest without posting"
    )
    unknown = CliRunner().invoke(main, ["--db", str(path), "digest", "--team", "Bilin", "--json"])
    assert unknown.exit_code == 1 and unknown.stdout == ""
