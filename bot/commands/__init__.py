"""CLI commands, one module each, imported only when their command runs, so `smartstep metrics`
does not pay for loading scikit-learn, Slack or matplotlib. Add a command with one line here."""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "ask": "smartstep.commands.chat_cmd:ask_command",
    "assess": "smartstep.commands.assess_cmd:assess_command",
    "backup": "smartstep.commands.backup_cmd:backup_command",
    "chat": "smartstep.commands.chat_cmd:chat_command",
    "clock": "smartstep.commands.clock_cmd:clock_command",
    "demo": "smartstep.commands.demo_cmd:demo_command",
    "digest": "smartstep.commands.digest_cmd:digest_command",
    "drivers": "smartstep.commands.drivers_cmd:drivers_command",
    "feedback": "smartstep.commands.feedback_cmd:feedback_command",
    "import": "smartstep.commands.import_cmd:import_command",
    "metrics": "smartstep.commands.metrics_cmd:metrics_command",
    "next-step": "smartstep.commands.next_step_cmd:next_step_command",
    "note": "smartstep.commands.note_cmd:note_command",
    "outcomes": "smartstep.commands.outcomes_cmd:outcomes_command",
    "rules": "smartstep.commands.rules_cmd:rules_command",
    "serve": "smartstep.commands.serve_cmd:serve_command",
    "similar": "smartstep.commands.similar_cmd:similar_command",
    "sync": "smartstep.commands.sync_cmd:sync_command",
    "teams": "smartstep.commands.teams_cmd:teams_command",
    "topics": "smartstep.commands.topics_cmd:topics_command",
}

# One line per command for `smartstep --help`, so listing the commands imports none of them
# (tests/test_cli_startup.py checks each against the command's own help).
SUMMARIES: dict[str, str] = {
    "ask": "One question, one answer (the same engine as chat and Slack).",
    "backup": "Copy the store to PATH consistently, even while `smartstep serve` is running.",
    "assess": "Place your support organisation on the five maturity stages, per dimension (about 5 minutes).",
    "chat": "Talk to the advisor in the terminal.",
    "clock": (
        "Post each digest subscription's weekly digest and sync the configured helpdesks on schedule "
        "(runs until stopped)."
    ),
    "demo": "Build the demo organisation (2 years, 4 teams, ~40,000 tickets) into the store, then chat.",
    "digest": "Build the weekly digest: scorecard moves, top steps, outcomes, call-backs, trend chart.",
    "drivers": "What actually moves CSAT, effort (CES) and NPS for each team, and how sure that is.",
    "feedback": "Ratings and measured outcomes of the advice given.",
    "import": "Import tickets, surveys, customers or metrics from FILE.csv; re-importing an id updates it.",
    "metrics": "The scorecard: every metric per team per week, with change vs the previous week.",
    "next-step": "The smartest next steps right now, with the evidence behind each.",
    "note": "Notes that explain shifts: add, list, remove.",
    "outcomes": "Every step marked done: worked, no effect, worse, too early or cannot tell, with the numbers.",
    "rules": "Check, test and explain the rule base (YAML files).",
    "serve": (
        "Run the Slack app (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP) with the weekly digests "
        "and the helpdesk syncs on schedule."
    ),
    "similar": "Similar solved cases for a problem, with their resolutions and why they matched.",
    "sync": "Sync tickets, CSAT ratings and SLA outcomes from Zendesk or Freshdesk (credentials from the environment).",
    "teams": "The teams and their time zones; `teams set-zone TEAM ZONE` changes where a team's weeks start.",
    "topics": "Topics of recent tickets with their weekly trend; new or growing ones first, account problems apart.",
}
