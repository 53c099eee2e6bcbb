"""`smartstep rules lint|test|explain` and `smartstep next-step`, driven as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartstep.cli import main
from smartstep.db import open_db
from smartstep.weeks import shift_week

NOW = "2026-W46"
RULE = """\
rules:
  - id: backlog.high
    title: Backlog over the line
    category: employee
    when: {kind: threshold, metric: backlog, above: 100}
    why: "{team}: backlog {backlog_value:.0f}."
    steps: [Agree a cap on new work for two weeks.]
    impact: 3
    urgency: 3
    examples:
      - {given: {backlog: [120]}, fires: true}
      - {given: {backlog: [90]}, fires: false}
"""


def run(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A real store whose metric values show Billing's backlog growing and Technical steady."""
    path = tmp_path / "s.db"
    db = open_db(path)
    rows = []
    for i in range(14):
        period = shift_week(NOW, i - 13)
        rows.append({"team": "Billing", "metric": "backlog", "period": period, "value": 40.0 + 12 * i})
        rows.append({"team": "Technical", "metric": "backlog", "period": period, "value": 30.0 + (i % 2)})
    db["metric_values"].insert_all(rows)
    db.close()
    return path


def test_lint_default_rule_base_is_clean() -> None:
    result = run("rules", "lint")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("file(s): no errors.")


def test_lint_reports_problems_with_position_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE.replace("metric: backlog", "metric: backlgo"), encoding="utf-8")
    result = run("rules", "lint", path)
    assert result.exit_code == 1
    assert result.stdout == f"{path}:5:37: unknown metric 'backlgo' — did you mean 'backlog'?\n"


def test_rules_test_runs_examples_and_names_the_failing_one(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE, encoding="utf-8")
    assert run("rules", "test", path).stdout == "2 examples in 1 rules: all pass.\n"
    path.write_text(RULE.replace("[90]}, fires: false", "[90]}, fires: true"), encoding="utf-8")
    result = run("rules", "test", path)
    assert result.exit_code == 1
    assert result.stdout == f"{path}:12:9: rule 'backlog.high' example 2: expected to fire but it did not\n"


def test_next_step_json_shape_and_team_filter(store: Path, tmp_path: Path) -> None:
    result = run("--db", store, "next-step", "--team", "billing", "--json")
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    assert advice and {a["team"] for a in advice} == {"Billing"}
    first = advice[0]
    assert first["rule_id"] == "capacity.backlog_growing"
    assert set(first) >= {
        "advice_id",
        "rule_id",
        "team",
        "title",
        "why",
        "steps",
        "score",
        "evidence",
        "similar_situations",
    }
    evidence = first["evidence"][0]
    # the trend's evidence: the latest value against the first of the 6-week window
    assert (evidence["metric"], evidence["value"], evidence["previous"], evidence["period"]) == (
        "backlog",
        196,
        136,
        NOW,
    )
    assert evidence["change"] == 60
    assert [a["score"] for a in advice] == sorted((a["score"] for a in advice), reverse=True)


def test_next_step_unknown_team_is_one_sentence(store: Path) -> None:
    result = run("--db", store, "next-step", "--team", "Billng")
    assert result.exit_code == 1
    assert result.stderr == "smartstep: unknown team 'Billng' — did you mean 'Billing'?\n"


def test_next_step_on_an_empty_store(tmp_path: Path) -> None:
    result = run("--db", tmp_path / "empty.db", "next-step")
    assert result.exit_code == 1
    assert result.stderr == "smartstep: the store has no metric data yet; import data or run `smartstep demo` first\n"


def test_rules_from_the_environment(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "r.yaml").write_text(RULE, encoding="utf-8")
    result = run("--db", store, "next-step", "--json", env={"SMARTSTEP_RULES": str(folder)})
    assert result.exit_code == 0, result.output
    assert [(a["rule_id"], a["team"], a["why"]) for a in json.loads(result.stdout)] == [
        ("backlog.high", "Billing", "Billing: backlog 196.")
    ]
    broken = run("--db", store, "next-step", env={"SMARTSTEP_RULES": str(tmp_path / "nope")})
    assert broken.exit_code == 1 and broken.stderr == f"smartstep: rule path '{tmp_path / 'nope'}' does not exist\n"


def test_explain_says_what_where_and_when(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE, encoding="utf-8")
    db = open_db(store)
    db["advice"].insert(
        {"id": "a1", "rule_id": "backlog.high", "team": "Billing", "created_at": "2026-11-02T09:00:00Z"}
    )
    db.close()
    result = run("--db", store, "rules", "explain", "backlog.high", "--rules", path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Fires when Backlog is above 100 this week" in out
    assert "Fires now (2026-W46) for:\n  Billing (score" in out and "Technical" not in out
    assert "Last fired: Billing at 2026-11-02T09:00:00Z." in out
    unknown = run("--db", store, "rules", "explain", "backlog.hgh", "--rules", path)
    assert unknown.exit_code == 1
    assert unknown.stderr == "smartstep: unknown rule 'backlog.hgh' — did you mean 'backlog.high'?\n"


def test_rules_commands_speak_json(tmp_path):
    import json as _json

    from click.testing import CliRunner as _Runner

    from smartstep.cli import main as _main

    runner = _Runner()
    db = str(tmp_path / "s.db")
    lint = runner.invoke(_main, ["--db", db, "rules", "lint", "--json"])
    assert lint.exit_code == 0 and _json.loads(lint.stdout)["problems"] == []
    tested = _json.loads(runner.invoke(_main, ["--db", db, "rules", "test", "--json"]).stdout)
    assert tested["examples"] >= 40 and tested["failures"] == []
    explained = _json.loads(
        runner.invoke(_main, ["--db", db, "rules", "explain", "customer.effort_hidden_by_csat", "--json"]).stdout
    )
    assert explained["rule_id"] == "customer.effort_hidden_by_csat" and explained["fires_now"] == []
    assert explained["defined_in"].endswith("customer.yaml:4")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x\n", encoding="utf-8")
    broken = runner.invoke(_main, ["--db", db, "rules", "lint", str(bad), "--json"])
    assert broken.exit_code == 1 and _json.loads(broken.stdout)["problems"][0]["line"] >= 1
