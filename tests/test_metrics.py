"""Each metric's formula on small data computed by hand."""

from __future__ import annotations

import pytest

from smartstep.metrics.formulas import SURVEY_METRICS, TICKET_METRICS
from smartstep.metrics.reader import load_history
from smartstep.metrics.store import recompute

# 2026-11-02 is the Monday of 2026-W45; 2026-11-09 of W46.
W45, W46 = "2026-W45", "2026-W46"


def ticket(id, created, solved=None, **extra):
    row = {
        "id": id,
        "created_at": created,
        "solved_at": solved,
        "status": "solved" if solved else "open",
        "team": "Billing",
        "channel": "email",
        "contacts": 1,
        "reopens": 0,
        "handle_minutes": 10.0,
        "first_reply_at": None,
        "escalated_to": None,
        "escalated_at": None,
        "returned_at": None,
        "customer_id": "c1",
    }
    row.update(extra)
    return row


@pytest.fixture
def small(db):
    db["tickets"].insert_all(
        [
            # W45: created Mon 10:00, first reply after 2 h, solved after 1 day in one contact.
            ticket("t1", "2026-11-02T10:00:00Z", "2026-11-03T10:00:00Z", first_reply_at="2026-11-02T12:00:00Z"),
            # W45: first reply after 28 h (SLA 24 h breached), 3 contacts, reopened, escalated to
            # engineering for 4 of its 7 days; solved in W46.
            ticket(
                "t2",
                "2026-11-03T10:00:00Z",
                "2026-11-10T10:00:00Z",
                first_reply_at="2026-11-04T14:00:00Z",
                contacts=3,
                reopens=1,
                handle_minutes=30.0,
                escalated_to="engineering",
                escalated_at="2026-11-05T10:00:00Z",
                returned_at="2026-11-09T10:00:00Z",
            ),
            # W45: solved by self-service with no contact, 12 hours later.
            ticket("t3", "2026-11-04T00:00:00Z", "2026-11-04T12:00:00Z", contacts=0, handle_minutes=0.0),
            # W46: still open at the end of W46.
            ticket("t4", "2026-11-10T10:00:00Z"),
        ]
    )
    db["customers"].insert_all(
        [
            {
                "id": "c1",
                "team": "Billing",
                "segment": "SMB",
                "signed_at": "2025-06-01T00:00:00Z",
                "first_value_before_sale_at": "2025-05-20T00:00:00Z",
                "first_value_after_sale_at": "2025-06-21T00:00:00Z",
                "renewed_at": "2026-05-20T00:00:00Z",
            },
            {
                "id": "c2",
                "team": "Billing",
                "segment": "SMB",
                "signed_at": "2025-06-02T00:00:00Z",
                "churned_at": "2026-05-25T00:00:00Z",
            },
        ]
    )
    surveys = [
        # CSAT in W45: scores 5, 4, 3, 1 -> top-2-box 2 of 4 = 50 %.
        *(
            {
                "id": f"cs{i}",
                "ticket_id": "t1",
                "kind": "csat",
                "sent_at": "2026-11-03T11:00:00Z",
                "responded_at": "2026-11-03T12:00:00Z",
                "score": s,
            }
            for i, s in enumerate([5, 4, 3, 1])
        ),
        # Two CSAT surveys sent in W45 never answered -> response rate 4 of 6 sent (CSAT)...
        *(
            {
                "id": f"cx{i}",
                "ticket_id": "t1",
                "kind": "csat",
                "sent_at": "2026-11-03T11:00:00Z",
                "responded_at": None,
                "score": None,
            }
            for i in range(2)
        ),
        # NPS in W45: 10, 9, 8, 6, 0 -> promoters 2, detractors 2 of 5 -> 0.
        *(
            {
                "id": f"np{i}",
                "ticket_id": "t1",
                "kind": "nps",
                "sent_at": "2026-11-04T11:00:00Z",
                "responded_at": "2026-11-04T12:00:00Z",
                "score": s,
            }
            for i, s in enumerate([10, 9, 8, 6, 0])
        ),
        # CES in W45: 7, 5, 3 -> mean 5.
        *(
            {
                "id": f"ce{i}",
                "ticket_id": "t1",
                "kind": "ces",
                "sent_at": "2026-11-04T11:00:00Z",
                "responded_at": "2026-11-04T13:00:00Z",
                "score": s,
            }
            for i, s in enumerate([7, 5, 3])
        ),
    ]
    db["surveys"].insert_all(surveys)
    with db.atomic():
        recompute(db)
    return db


def value(db, metric, period, team="Billing"):
    history = load_history(db, teams=[team], metrics=[metric])
    found = [v for v in history.get((team, metric), []) if v.period == period]
    assert found, f"no {metric} for {period}"
    return found[0]


def test_ticket_volume_and_backlog(small):
    assert value(small, "ticket_volume", W45).value == 3
    assert value(small, "ticket_volume", W46).value == 1
    # End of W45: t2 open (t1, t3 solved). End of W46: t2 solved, t4 open.
    assert value(small, "backlog", W45).value == 1
    assert value(small, "backlog", W46).value == 1


def test_fcr_zcr_reopen_aht_by_solved_week(small):
    # Solved in W45: t1 (1 contact), t3 (0 contacts) -> FCR 100 %, ZCR 50 %, AHT (10+0)/2.
    assert value(small, "fcr", W45).value == 100
    assert value(small, "zcr", W45).value == 50
    assert value(small, "aht", W45).value == 5
    assert value(small, "reopen_rate", W45).value == 0
    # Solved in W46: t2 with 3 contacts and a reopen.
    assert value(small, "fcr", W46).value == 0
    assert value(small, "reopen_rate", W46).value == 100
    assert value(small, "aht", W46).value == 30


def test_reply_resolution_sla_and_escalation(small):
    # First replies of tickets created in W45: 2 h and 28 h (t3 never needed one) -> median 15.
    assert value(small, "first_reply_hours", W45).value == 15
    assert value(small, "first_reply_hours", W45).n == 2
    # Resolution of W45-solved tickets: 24 h and 12 h -> median 18.
    assert value(small, "resolution_hours", W45).value == 18
    assert value(small, "sla_breach_rate", W45).value == 0
    assert value(small, "sla_breach_rate", W46).value == 100  # t2: first reply after 28 h
    # One of three tickets created in W45 escalated.
    assert value(small, "escalation_rate", W45).value == pytest.approx(100 / 3)


def test_time_to_smile_mean_and_department_split(small):
    smile = value(small, "time_to_smile_days", W46)
    assert smile.value == pytest.approx(7.0)
    assert smile.detail == {"support": pytest.approx(3.0), "engineering": pytest.approx(4.0)}
    # W45: t1 took 1 day, t3 half a day -> mean 0.75 (a mean, not a median).
    assert value(small, "time_to_smile_days", W45).value == pytest.approx(0.75)


def test_survey_scores(small):
    csat = value(small, "csat", W45)
    assert csat.value == 50 and csat.n == 4
    nps = value(small, "nps", W45)
    assert nps.value == 0 and nps.n == 5
    ces = value(small, "ces", W45)
    assert ces.value == 5 and ces.n == 3
    # 4 + 5 + 3 answered of 6 + 5 + 3 sent in W45.
    assert value(small, "survey_response_rate", W45).value == pytest.approx(12 / 14 * 100)


def test_confidence_intervals_are_90_percent():
    from smartstep.metrics.formulas import nps_interval, wilson_interval

    # Wilson 90 % for 9 of 12, by hand: centre 0.7040, half-width 0.1914.
    low, high = wilson_interval(9, 12, 1.6449)
    assert low == pytest.approx(51.27, abs=0.05) and high == pytest.approx(89.54, abs=0.05)
    # A sample of 12 cannot pin NPS to within ten points either way.
    low, high = nps_interval(6, 2, 12, 1.6449)
    assert high - low > 40


def test_customer_time_to_value_and_retention(small):
    before = value(small, "ttv_before_sale_days", "2025-W21")  # value on 2025-05-20, 12 days before signing
    assert before.value == pytest.approx(-12)
    after = value(small, "ttv_after_sale_days", "2025-W25")  # go-live 20 days after signing
    assert after.value == pytest.approx(20) and after.detail == {"SMB": 20.0}
    # Both were due for renewal a year after signing (2026-06-01/02, W23): one renewed, one churned.
    assert value(small, "retention_rate", "2026-W23").value == 50


def test_time_to_customer_value_adds_its_parts_and_marks_partial(small):
    ttcv = value(small, "time_to_customer_value_days", W46)
    assert ttcv.value == pytest.approx(7.0)  # only Time to Smile has data that week
    assert ttcv.partial is True
    assert ttcv.detail["time_to_smile_days"] == pytest.approx(7.0)


def test_incremental_recompute_matches_full_and_leaves_older_weeks_alone(small):
    db = small
    # Ticket and survey metrics are the expensive ones; customer metrics and Klever's Law are
    # recomputed whole by design (a few thousand customers).
    old_rows = "SELECT rowid, * FROM metric_values WHERE period < ? AND metric IN ({}) ORDER BY rowid".format(
        ",".join(f"'{m}'" for m in TICKET_METRICS + SURVEY_METRICS)
    )
    older = db.execute(old_rows, [W46]).fetchall()
    db["tickets"].insert(ticket("t5", "2026-11-11T09:00:00Z", "2026-11-11T15:00:00Z", contacts=1))
    with db.atomic():
        recompute(db, since={"Billing": W46})
    assert db.execute(old_rows, [W46]).fetchall() == older
    incremental = db.execute("SELECT * FROM metric_values ORDER BY team, metric, period").fetchall()
    with db.atomic():
        recompute(db)
    assert db.execute("SELECT * FROM metric_values ORDER BY team, metric, period").fetchall() == incremental
    assert value(db, "ticket_volume", W46).value == 2


def test_team_time_zone_moves_a_ticket_into_its_local_week(db):
    # Sunday 23:30 UTC is already Monday in Berlin: the ticket belongs to the next ISO week there.
    db["tickets"].insert(ticket("z1", "2026-11-08T23:30:00Z", team="Berlin"))
    db["teams"].insert({"name": "Berlin", "timezone": "Europe/Berlin"}, replace=True)
    with db.atomic():
        recompute(db)
    assert value(db, "ticket_volume", W46, team="Berlin").value == 1


def test_imported_values_override_computed(small):
    small["imported_metrics"].insert({"team": "Billing", "metric": "csat", "date": "2026-11-05", "value": 91.0})
    with small.atomic():
        recompute(small)
    csat = value(small, "csat", W45)
    assert csat.value == 91.0 and csat.source == "imported"
