"""`smartstep feedback add`, `smartstep outcomes`, `smartstep note` and the feedback export, run as a
script would run them, on a real store with planted weekly values."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import timedelta

from click.testing import CliRunner
from conftest import table_dump
from test_advisor_outcomes import LEVELS, RULE, advise, noisy, plant, week

from smartstep.cli import main
from smartstep.weeks import week_start

P = 25
RULES = f"""
rules:
  - id: {RULE}
    title: First replies are slow
    category: employee
    when: {{kind: threshold, metric: first_reply_hours, above: 100}}
    why: "{{team}}: slow."
    steps: [Answer the oldest first.]
    impact: 3
    urgency: 3
    target: first_reply_hours
    horizon_weeks: 3
    examples:
      - given: {{first_reply_hours: [150]}}
        fires: true
"""


def run(db_path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db_path), *args])


def planted(db, tmp_path):
    """Four teams over 30 weeks; Alpha's first replies really improve after the step is done."""
    rng = random.Random(31)
    for team, level in LEVELS.items():
        values = noisy(rng, level, 30)
        if team == "Alpha":
            values[P + 2 :] = [v - 2.8 for v in values[P + 2 :]]
        plant(db, team, values)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    return advise(db, "Alpha", P), advise(db, "Beta", P), str(rules)


def monday_after(i: int) -> str:
    return week_start(week(i + 1)).strftime("%Y-%m-%dT09:00:00Z")


def test_feedback_add_records_one_rating_per_user_and_a_second_updates_it(db_path, db, tmp_path):
    alpha, _, _ = planted(db, tmp_path)
    first = run(db_path, "feedback", "add", alpha, "up", "--user", "U1", "--comment", "useful")
    assert first.exit_code == 0, first.output
    assert first.stdout == f"Recorded U1's rating of {alpha}: up.\n"
    again = run(db_path, "feedback", "add", alpha, "done", "--user", "U1", "--at", monday_after(P))
    assert again.stdout == f"Updated U1's rating of {alpha}: done.\n"
    rows = list(db.query("SELECT user, rating, comment, at FROM feedback"))
    assert rows == [{"user": "U1", "rating": "done", "comment": "useful", "at": monday_after(P)}]


def test_feedback_add_refuses_bad_input_in_one_sentence_and_changes_nothing(db_path, db, tmp_path):
    alpha, _, _ = planted(db, tmp_path)
    before = table_dump(db)
    unknown = run(db_path, "feedback", "add", "adv-nope", "up")
    assert unknown.exit_code == 1 and unknown.stderr == "smartstep: no advice with id 'adv-nope'\n"
    bad_time = run(db_path, "feedback", "add", alpha, "done", "--at", "last tuesday")
    assert bad_time.exit_code == 1
    assert bad_time.stderr.startswith("smartstep: --at: 'last tuesday' is not a date or time")
    too_early = run(db_path, "feedback", "add", alpha, "done", "--at", "2025-01-01")
    assert too_early.exit_code == 1 and f"is about {week(P)}" in too_early.stderr
    bad_rating = run(db_path, "feedback", "add", alpha, "great")
    assert bad_rating.exit_code == 2  # a usage error: the choices are listed by --help
    assert table_dump(db) == before


def test_outcomes_json_lists_every_done_step_with_its_verdict_and_numbers(db_path, db, tmp_path):
    alpha, beta, rules = planted(db, tmp_path)
    for advice_id in (alpha, beta):
        assert run(db_path, "feedback", "add", advice_id, "done", "--at", monday_after(P)).exit_code == 0
    as_of = week_start(week(P + 4)).strftime("%Y-%m-%d")  # W29 is in, so nothing is measurable yet
    early = run(db_path, "--as-of", as_of, "outcomes", "--rules", rules, "--json")
    assert early.exit_code == 0, early.output
    assert [(o["verdict"], o["due"]) for o in json.loads(early.stdout)] == [("too early", week(P + 4))] * 2
    result = run(db_path, "outcomes", "--rules", rules, "--json")  # the data's latest week: W30
    assert result.exit_code == 0, result.output
    records = {o["team"]: o for o in json.loads(result.stdout)}
    fields = {
        "advice_id",
        "rule_id",
        "team",
        "metric",
        "verdict",
        "effect",
        "interval",
        "before",
        "after",
        "comparison",
    }
    assert all(fields <= set(o) for o in records.values())
    assert records["Alpha"]["verdict"] == "worked" and records["Beta"]["verdict"] == "no effect"
    lo, hi = records["Alpha"]["interval"]
    assert lo < -2.8 < hi < 0
    assert records["Alpha"]["comparison"]["teams"] == ["Delta", "Gamma"]  # Beta acted too: no comparison
    only = run(db_path, "outcomes", "--team", "beta", "--rules", rules)
    assert only.exit_code == 0 and "no effect: First reply time" in only.stdout and "Alpha" not in only.stdout


def test_the_feedback_export_carries_the_same_verdict_in_json_and_csv(db_path, db, tmp_path):
    alpha, beta, rules = planted(db, tmp_path)
    run(db_path, "feedback", "add", alpha, "done", "--user", "U1", "--at", monday_after(P), "--comment", "did it")
    run(db_path, "feedback", "add", alpha, "up", "--user", "U2", "--at", monday_after(P))
    exported = run(db_path, "feedback", "export", "--json", "--rules", rules)
    assert exported.exit_code == 0, exported.output
    records = json.loads(exported.stdout)
    assert [(r["advice_id"], r["user"], r["rating"]) for r in records] == [
        (alpha, "U1", "done"),
        (alpha, "U2", "up"),
        (beta, None, None),
    ]
    assert set(records[0]) >= {"advice_id", "rule_id", "team", "user", "rating", "comment", "at", "outcome"}
    listed = json.loads(run(db_path, "outcomes", "--json", "--rules", rules).stdout)
    assert records[0]["outcome"] == records[1]["outcome"] == listed[0]
    assert records[0]["outcome"]["verdict"] == "worked" and records[2]["outcome"] is None
    table = list(csv.DictReader(io.StringIO(run(db_path, "feedback", "export", "--csv", "--rules", rules).stdout)))
    assert list(table[0])[:8] == ["advice_id", "rule_id", "team", "user", "rating", "comment", "at", "outcome"]
    assert (table[0]["comment"], table[0]["outcome"]) == ("did it", "worked")
    assert float(table[0]["interval_lo"]) < float(table[0]["effect"]) < float(table[0]["interval_hi"]) < 0
    assert table[2]["outcome"] == "" and table[2]["effect"] == ""


def test_notes_are_added_listed_and_removed(db_path, db, tmp_path):
    planted(db, tmp_path)
    added = run(db_path, "note", "add", "Release", "4.2", "shipped", "--team", "alpha", "--at", "2026-06-10")
    assert added.exit_code == 0, added.output
    assert added.stdout == "Note 1 for Alpha on 2026-06-10: Release 4.2 shipped\n"
    assert run(db_path, "note", "add", "Pricing change", "--at", "2026-06-01").exit_code == 0
    listed = json.loads(run(db_path, "note", "list", "--json").stdout)
    assert [(n["date"], n["team"], n["text"], n["week"]) for n in listed] == [
        ("2026-06-01", None, "Pricing change", "2026-W23"),
        ("2026-06-10", "Alpha", "Release 4.2 shipped", "2026-W24"),
    ]
    assert [n["text"] for n in json.loads(run(db_path, "note", "list", "--team", "Beta", "--json").stdout)] == [
        "Pricing change"
    ]
    assert run(db_path, "note", "remove", "1").stdout == "Removed note 1: Release 4.2 shipped\n"
    assert [n["id"] for n in json.loads(run(db_path, "note", "list", "--json").stdout)] == [2]


def test_a_bad_note_is_refused_in_one_sentence_and_nothing_is_stored(db_path, db, tmp_path):
    planted(db, tmp_path)
    before = table_dump(db)
    bad_day = run(db_path, "note", "add", "Release", "--at", "12/10/2026")
    assert bad_day.exit_code == 1 and bad_day.stderr == "smartstep: --at: '12/10/2026' is not a date like 2026-10-12\n"
    bad_team = run(db_path, "note", "add", "Release", "--team", "Bilingg")
    assert bad_team.exit_code == 1 and "unknown team 'Bilingg'" in bad_team.stderr
    blank = run(db_path, "note", "add", "   ")
    assert blank.exit_code == 1 and "a note needs some text" in blank.stderr
    gone = run(db_path, "note", "remove", "7")
    assert gone.exit_code == 1 and gone.stderr == "smartstep: no note with id 7\n"
    assert table_dump(db) == before


def test_from_a_metrics_csv_through_the_shipped_rules_to_a_verdict_as_a_script_would(db_path, tmp_path):
    """Weekly first-reply times imported from a CSV; the shipped rule for slow first replies fires for
    Onboarding; the lead backfills "done"; Onboarding's replies then really speed up while the other
    teams stay where they were; and an organisation-wide speed-up later is not credited to a second
    done step."""
    rng = random.Random(41)
    levels = {"Onboarding": 30.0, "Billing": 10.0, "Technical": 14.0, "Enterprise": 18.0}
    lines = ["date,team,metric,value"]
    for i in range(40):
        monday = week_start(week(i)).date()
        for team, level in levels.items():
            value = level + rng.gauss(0, 1.0)
            if team == "Onboarding" and 27 <= i < 33:
                value -= 14.0  # the step worked: from about 30 h to about 16 h
            if i >= 35:
                value *= 0.5  # week 35 on: a new routing tool halves everyone's first reply time
            lines.append(f"{monday.isoformat()},{team},first_reply_hours,{value:.2f}")
    (tmp_path / "metrics.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(db_path, "import", "metrics", str(tmp_path / "metrics.csv")).exit_code == 0

    def advise_and_do(i: int) -> str:
        sunday = (week_start(week(i)) + timedelta(days=6)).date().isoformat()
        advice = json.loads(run(db_path, "--as-of", sunday, "next-step", "--team", "Onboarding", "--json").stdout)
        [step] = [a for a in advice if a["rule_id"] == "customer.first_reply_too_slow"]
        done = run(db_path, "feedback", "add", step["advice_id"], "done", "--user", "ULEAD", "--at", monday_after(i))
        assert done.exit_code == 0, done.output
        return step["advice_id"]

    worked, everyone = advise_and_do(25), advise_and_do(33)
    result = run(db_path, "outcomes", "--json")
    assert result.exit_code == 0, result.output
    verdicts = {o["advice_id"]: o for o in json.loads(result.stdout)}
    assert verdicts[worked]["verdict"] == "worked", verdicts[worked]["text"]
    assert verdicts[worked]["interval"][0] < -14 < verdicts[worked]["interval"][1] < 0
    assert verdicts[everyone]["verdict"] != "worked", verdicts[everyone]["text"]
    assert verdicts[everyone]["comparison"]["teams_change"] < -4
