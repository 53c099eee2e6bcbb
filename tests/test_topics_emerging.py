"""Topics and "new or growing" on planted tickets whose truth is known (tests/planted_topics.py): the goals
of the issue, the calibration of the noise bound, and `smartstep topics` as a user runs it."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from click.testing import CliRunner
from planted_topics import Planted, Problem, background, scenario, write

from smartstep.advice.emerging import ACCOUNT, EMERGING, STEADY, judge_growth, load_thresholds
from smartstep.advice.topics import load_topics
from smartstep.cli import main
from smartstep.db import open_db


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    planted, problems = scenario(7)
    path = tmp_path_factory.mktemp("topics") / "planted.db"
    db = open_db(path)
    write(db, planted)
    db.close()
    return path, planted, problems


def topic_of(report, planted: Planted, key: str):
    """The topic holding most of the planted problem's tickets (the truth decides, not the label)."""
    counts = Counter()
    for index, topic in enumerate(report.topics):
        ids = set(topic.ticket_ids) | set(topic.recent_ids)
        counts[index] = sum(1 for i in ids if planted.truth[i] == key)
    return report.topics[counts.most_common(1)[0][0]]


def test_a_new_problem_from_twenty_customers_in_two_weeks_is_emerging_in_its_team(planted):
    path, truth, problems = planted
    report = load_topics(open_db(path))
    topic = topic_of(report, truth, problems["new"].key)
    planted_ids = {i for i, key in truth.truth.items() if key == problems["new"].key}
    assert topic.emerging and topic.growth.status == EMERGING
    assert topic.team == "Platform"
    assert topic.growth.recent_customers == 20
    assert set(topic.recent_ids) == planted_ids  # every one of its tickets, and nothing else
    assert {"backup", "job", "blank"} <= set(topic.label.lower().split())
    assert report.emerging()[0] is topic  # emerging topics come first


def test_the_same_volume_from_one_customer_is_an_account_problem_not_emerging(planted):
    path, truth, problems = planted
    report = load_topics(open_db(path))
    topic = topic_of(report, truth, problems["account"].key)
    assert not topic.emerging
    assert topic.growth.status == ACCOUNT
    data = topic.to_json()
    assert data["account_problem"] == {"customer": "PLA-BIGCO", "tickets": topic.growth.recent_tickets}
    assert data["emerging"] is False and topic.growth.recent_tickets >= 20


def test_a_steady_forty_a_week_topic_is_not_emerging(planted):
    path, truth, problems = planted
    topic = topic_of(load_topics(open_db(path)), truth, problems["steady"].key)
    assert topic.growth.status == STEADY
    weekly = [w.tickets for w in topic.weekly]
    assert len(weekly) == 12 and 30 <= sum(weekly) / 12 <= 50


@pytest.mark.parametrize("seed", range(11, 19))
def test_steady_topics_never_count_whatever_their_volume(seed, tmp_path):
    """Calibration: eight stores of 16 steady problems (2 to 40 a week) each: not one emerging topic."""
    rng = random.Random(seed)
    planted = Planted([], {})
    background(rng, planted, "Platform", seed, 8)
    background(rng, planted, "Payments", seed + 20, 8)
    db = open_db(tmp_path / "steady.db")
    write(db, planted)
    report = load_topics(db)
    assert len(report.topics) >= 14
    assert report.emerging() == [], [(t.label, [w.tickets for w in t.weekly]) for t in report.emerging()]


def test_the_noise_bound_holds_its_false_alarm_rate_by_simulation():
    """An independent check of the bound: 4,000 steady Poisson(40) topics simulated, far fewer than 1%
    flagged (the bound is set at 0.1%, and the 1.5x growth floor cuts further)."""
    rng = random.Random(3)
    t = load_thresholds()
    flagged = 0
    for _ in range(4000):
        weekly = [_poisson(rng, 40.0) for _ in range(12)]
        flagged += judge_growth(weekly, [f"C{i}" for i in range(sum(weekly[-2:]))], t).growing
    assert flagged <= 4


def test_a_topic_that_always_swings_needs_a_bigger_jump_than_poisson_allows():
    """Weeks alternating 20 and 60 (mean 40): 60 and 62 in the last two weeks is its usual swing, not growth;
    Poisson noise alone (no over-dispersion) would have called it."""
    t = load_thresholds()
    weekly = [20, 60] * 5 + [60, 62]
    customers = [f"C{i}" for i in range(122)]
    growth = judge_growth(weekly, customers, t)
    assert growth.status == STEADY
    assert growth.upper_bound > 122 > 80 * 1.5 * 0.9  # the bound widened with the spread


def test_a_new_topic_counts_from_its_first_week():
    t = load_thresholds()
    growth = judge_growth([0] * 11 + [12], [f"C{i}" for i in range(12)], t)
    assert growth.status == EMERGING and growth.new and growth.growth is None


def _poisson(rng: random.Random, rate: float) -> int:
    from planted_topics import poisson

    return poisson(rng, rate)


def test_cli_topics_json_lists_topics_with_their_weeks_and_ticket_ids(planted):
    path, truth, problems = planted
    result = CliRunner().invoke(main, ["--db", str(path), "topics", "--json", "--team", "platform"])
    assert result.exit_code == 0, result.output
    topics = json.loads(result.output)
    first = topics[0]
    for field in ("label", "team", "tickets", "customers", "weekly", "emerging", "growth", "csat", "ces"):
        assert field in first
    assert "time_to_smile_days" in first and "ticket_ids" in first
    assert first["emerging"] is True and first["team"] == "Platform"
    assert [w["week"] for w in first["weekly"]][-1] == "2026-W46" and len(first["weekly"]) == 12
    assert all(truth.truth[i] == problems["new"].key for i in first["ticket_ids"])
    assert {t["team"] for t in topics} == {"Platform"}
    assert sum(1 for t in topics if not t["emerging"] and t["status"] == "steady") <= 10  # --limit default


def test_cli_topics_text_names_the_account_problem_apart_with_ids(planted):
    path, _, _ = planted
    result = CliRunner().invoke(main, ["--db", str(path), "topics", "--limit", "2"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.index("New or growing") < text.index("Account problems") < text.index("Top contact reasons")
    assert "customer PLA-BIGCO filed" in text
    assert "P-00" in text  # ticket ids in the terminal


def test_cli_topics_unknown_team_is_one_clear_sentence(planted):
    path, _, _ = planted
    result = CliRunner().invoke(main, ["--db", str(path), "topics", "--team", "Nowhere"])
    assert result.exit_code == 1
    assert "unknown team 'Nowhere'" in result.output and "Traceback" not in result.output


def test_topic_scores_wait_for_enough_answers(tmp_path):
    """CSAT of a topic on CSAT's minimum sample (metrics.yaml): 30 answers, 18 of them 4-5, give 60%;
    27 answers give 'too few' (null)."""
    from smartstep.definitions import load_definitions

    minimum = load_definitions().get("csat").signal.min_n
    assert minimum == 30  # the figures below are written for it
    rng = random.Random(1)
    planted = Planted([], {})
    csv = Problem("CSV export", ("times out",))
    planted.add(rng, csv, "Platform", [6.0] * 12, [f"C{i}" for i in range(50)])
    background(rng, planted, "Platform", 10, 6)  # other problems, so the IDF is a real queue's
    db = open_db(tmp_path / "scores.db")
    write(db, planted)
    ids = [r["id"] for r in planted.rows]
    scores = [5, 4, 4, 5, 4, 4, 5, 1, 2, 3, 2, 1] * 2 + [5, 4, 5, 4, 1, 2]  # 18 of 30 are 4-5
    db["surveys"].insert_all(
        {"id": f"S{i}", "ticket_id": ids[i], "kind": "csat", "sent_at": "2026-11-01T00:00:00Z",
         "responded_at": "2026-11-02T00:00:00Z", "score": s}
        for i, s in enumerate(scores)
    )  # fmt: skip
    topic = topic_of(load_topics(db), planted, csv.key)
    assert topic.csat.n == 30 and topic.csat.value == pytest.approx(100 * 18 / 30, abs=0.01)
    db.execute("DELETE FROM surveys WHERE id IN ('S0', 'S1', 'S2')")
    assert topic_of(load_topics(db), planted, csv.key).csat.value is None
