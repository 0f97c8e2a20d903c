"""Claims after a worker's death: cover on the date, benefits, scholarships, progress, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, BenefitRule, Claim, ScholarshipYear
from app.scope import UNRESTRICTED, Scope, scope_for_user
from app.services import Conflict, ServiceError, claims
from app.services.claims import HeirInput
from tests.claim_helpers import months, remove, sponsored_worker
from tests.helpers import pdf_text, text_of
from tests.world import BARUT_VILLAGE, KAPUAS_OTHER_VILLAGE, KAPUAS_VILLAGE

TODAY = dt.date(2026, 11, 30)
EVENT = dt.date(2024, 6, 1)
SPOUSE = HeirInput(name="Maria Uji", relation="spouse")


def child(name, born, level, year=1, **flags):
    return HeirInput(
        name=name, relation="child", birth_date=born, school_level=level, level_year=year, **flags
    )


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def rules(session):
    return claims.rules_on(session, EVENT)


def _report(session, worker, heirs=(SPOUSE,), event_type="death", on=EVENT):
    return claims.report_event(session, worker, event_type, on, list(heirs), today=TODAY)


# --- the benefit table and the computations, against figures worked by hand -----------------


def test_the_seeded_table_holds_the_pp_82_2019_amounts(rules):
    fixed = {(r.event_type, r.item): (r.amount, r.multiplier) for r in rules if r.level is None}
    assert fixed[("death", "lump_sum")] == (20_000_000, 0)
    assert fixed[("death", "periodic")] == (12_000_000, 0)
    assert fixed[("death", "funeral")] == (10_000_000, 0)
    assert fixed[("work_death", "wage_multiple")] == (0, 48)
    assert all("PP 82/2019" in (r.legal_basis or "") for r in rules)


def test_a_death_not_from_work_is_owed_42_juta(rules):
    lines = claims.one_off_benefits(rules, "death", 1_000_000)
    # 20.000.000 + 12.000.000 + 10.000.000
    assert sum(amount for _item, amount, _basis in lines) == 42_000_000


def test_a_work_accident_death_is_owed_48_wages_funeral_and_periodic(rules):
    lines = dict(
        (item, amount)
        for item, amount, _ in claims.one_off_benefits(rules, "work_death", 2_500_000)
    )
    # 48 × 2.500.000 = 120.000.000; + 10.000.000 funeral + 12.000.000 periodic = 142.000.000
    assert lines == {"wage_multiple": 120_000_000, "funeral": 10_000_000, "periodic": 12_000_000}


def test_a_rule_no_longer_in_force_is_not_used(session):
    old = BenefitRule(
        event_type="death",
        item="lump_sum",
        amount=16_200_000,
        valid_from=dt.date(2015, 7, 1),
        valid_to=dt.date(2019, 12, 1),
        legal_basis="PP 44/2015",
    )
    session.add(old)
    session.flush()
    in_2018 = claims.one_off_benefits(claims.rules_on(session, dt.date(2018, 1, 1)), "death", 1)
    in_2024 = claims.one_off_benefits(claims.rules_on(session, EVENT), "death", 1)
    assert [amount for _i, amount, _b in in_2018] == [16_200_000]
    assert sum(amount for _i, amount, _b in in_2024) == 42_000_000


def test_jkm_scholarship_needs_36_paid_months_jkk_none():
    assert claims.scholarship_allowed("death", 36)
    assert not claims.scholarship_allowed("death", 35)
    assert claims.scholarship_allowed("work_death", 0)


def test_a_primary_pupil_is_scheduled_to_age_23(rules):
    # Born 10 March 2015, SD year 3 on 1 June 2024: SD 3–6 (2024–2027) 4 × 1,5 jt = 6 jt; SMP
    # 2028–2030 3 × 2 jt = 6 jt; SMA 2031–2033 3 × 3 jt = 9 jt; higher 2034–2037 (ages 19–22)
    # 4 × 12 jt = 48 jt; 1 June 2038 is after the 23rd birthday (10 March 2038). 69 jt, 14 years.
    schedule = claims.scholarship_schedule(rules, dt.date(2015, 3, 10), "sd", 3, EVENT)
    assert len(schedule.years) == 14
    assert schedule.total == 69_000_000
    assert schedule.years[0] == claims.PlannedYear(EVENT, "sd", 3, 1_500_000)
    assert schedule.years[4] == claims.PlannedYear(dt.date(2028, 6, 1), "smp", 1, 2_000_000)
    assert schedule.years[-1] == claims.PlannedYear(dt.date(2037, 6, 1), "higher", 4, 12_000_000)
    assert (schedule.ends_on, schedule.end_reason) == (dt.date(2038, 3, 10), "age")


def test_a_child_not_yet_at_school_starts_at_school_age(rules):
    # Born 20 August 2022: school age (5) on 20 August 2027. TK 2027–2028 3 jt, SD 2029–2034
    # 9 jt, SMP 2035–2037 6 jt, SMA 2038–2040 9 jt, higher 2041–2044 48 jt: 75 jt, 18 years.
    schedule = claims.scholarship_schedule(rules, dt.date(2022, 8, 20), "none", 1, EVENT)
    assert schedule.years[0] == claims.PlannedYear(dt.date(2027, 8, 20), "tk", 1, 1_500_000)
    assert len(schedule.years) == 18
    assert schedule.total == 75_000_000
    assert schedule.ends_on == dt.date(2045, 8, 20)


def test_a_student_stops_when_the_last_level_s_years_run_out(rules):
    # Born 1 September 2006, first year of higher education on 1 June 2024: five years
    # 2024–2028 (ages 17–21) × 12 jt = 60 jt; on 1 June 2029 (age 22) no level is left.
    schedule = claims.scholarship_schedule(rules, dt.date(2006, 9, 1), "higher", 1, EVENT)
    assert [y.due_on.year for y in schedule.years] == [2024, 2025, 2026, 2027, 2028]
    assert schedule.total == 60_000_000
    assert (schedule.ends_on, schedule.end_reason) == (dt.date(2029, 6, 1), "levels_done")


# --- cover on the date ------------------------------------------------------------------------


def test_a_covered_vulnerable_worker_s_death_yields_the_42_juta_claim(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 1, 1), months(dt.date(2024, 1, 1), 6)
    )
    claim = _report(session, worker)
    assert claim.status == "reported"
    assert claim.amount_due == 42_000_000
    assert claim.paid_months == 6  # January to June 2024
    assert not claim.scholarship_allowed


def test_a_death_in_a_month_whose_bill_is_unpaid_is_not_covered(session):
    worker = sponsored_worker(
        session,
        KAPUAS_VILLAGE,
        dt.date(2024, 1, 1),
        months(dt.date(2024, 1, 1), 5),
        unpaid=[dt.date(2024, 6, 1)],
    )
    claim = _report(session, worker)
    assert claim.status == "not_covered" and claim.amount_due == 0 and not claim.benefits
    assert (claim.reason, claim.reason_month) == ("unpaid", dt.date(2024, 6, 1))
    assert claims.reason_text(claim) == "perlindungan terputus: iuran Juni 2024 belum dibayar"


def test_a_death_with_no_bill_for_the_month_is_not_covered(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 1, 1), months(dt.date(2024, 1, 1), 5)
    )
    assert _report(session, worker).reason == "unpaid"


def test_a_month_still_within_its_time_is_judged_by_the_month_before(session):
    # Died 20 November 2026; November's contribution is payable until 15 December.
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2026, 1, 1), months(dt.date(2026, 1, 1), 10)
    )
    died = dt.date(2026, 11, 20)
    assert claims.check_coverage(session, worker, "death", died, dt.date(2026, 12, 10)).covered
    late = claims.check_coverage(session, worker, "death", died, dt.date(2026, 12, 16))
    assert (late.reason, late.month) == ("unpaid", dt.date(2026, 11, 1))


def test_within_its_time_an_unpaid_month_before_still_lapses_the_cover(session):
    paid = [m for m in months(dt.date(2026, 1, 1), 10) if m != dt.date(2026, 10, 1)]
    worker = sponsored_worker(session, KAPUAS_VILLAGE, dt.date(2026, 1, 1), paid)
    check = claims.check_coverage(session, worker, "death", dt.date(2026, 11, 20), TODAY)
    assert (check.reason, check.month) == ("unpaid", dt.date(2026, 10, 1))


def test_a_first_month_within_its_time_is_covered(session):
    worker = sponsored_worker(session, KAPUAS_VILLAGE, dt.date(2026, 11, 1), [])
    assert claims.check_coverage(session, worker, "death", dt.date(2026, 11, 20), TODAY).covered


def test_a_death_before_the_enrollment_started_is_not_covered(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 7, 1), months(dt.date(2024, 7, 1), 3)
    )
    claim = _report(session, worker)
    assert claim.reason == "no_enrollment" and claim.enrollment is None
    assert claims.reason_text(claim) == "tidak ada kepesertaan aktif pada 1 Juni 2024"


def test_36_paid_months_give_the_children_a_scholarship(session):
    # Paid June 2021 to May 2024 is 36 months, plus June 2024: 37.
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2021, 6, 1), months(dt.date(2021, 6, 1), 37)
    )
    claim = _report(session, worker, [SPOUSE, child("Ana", dt.date(2015, 3, 10), "sd", 3)])
    assert claim.paid_months == 37 and claim.scholarship_allowed
    heir = claim.heirs[1]
    assert heir.scholarship and sum(y.amount for y in heir.years) == 69_000_000


def test_35_paid_months_give_no_jkm_scholarship(session):
    # July 2021 to June 2024 would be 36; one unpaid month (May 2023) leaves 35.
    all_months = months(dt.date(2021, 7, 1), 36)
    gap = dt.date(2023, 5, 1)
    worker = sponsored_worker(
        session,
        KAPUAS_VILLAGE,
        dt.date(2021, 7, 1),
        [m for m in all_months if m != gap],
        unpaid=[gap],
    )
    claim = _report(session, worker, [SPOUSE, child("Ana", dt.date(2015, 3, 10), "sd", 3)])
    assert claim.status == "reported" and claim.paid_months == 35
    assert not claim.scholarship_allowed and not claim.heirs[1].years


def test_a_work_accident_needs_no_minimum_and_pays_on_the_reported_wage(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 5, 1), months(dt.date(2024, 5, 1), 2), wage=2_500_000
    )
    claim = _report(
        session, worker, [SPOUSE, child("Ana", dt.date(2015, 3, 10), "sd", 3)], "work_death"
    )
    assert claim.amount_due == 142_000_000 and claim.scholarship_allowed
    assert len(claim.heirs[1].years) == 14


def test_at_most_two_children_and_never_a_married_or_working_one(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 5, 1), months(dt.date(2024, 5, 1), 2)
    )
    heirs = [
        child("Sulung", dt.date(2004, 1, 1), "higher", 1, married=True),
        child("Kedua", dt.date(2010, 1, 1), "smp", 1),
        child("Ketiga", dt.date(2012, 1, 1), "sd", 6, working=False),
        child("Bungsu", dt.date(2016, 1, 1), "sd", 2),
    ]
    claim = _report(session, worker, heirs, "work_death")
    assert [h.scholarship for h in claim.heirs] == [False, True, True, False]


def test_bad_reports_are_refused_and_nothing_is_written(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 1, 1), months(dt.date(2024, 1, 1), 6)
    )
    cases = [
        ("death", EVENT, []),
        ("fire", EVENT, [SPOUSE]),
        ("death", TODAY + dt.timedelta(days=1), [SPOUSE]),
        ("death", EVENT, [HeirInput(name="Ana", relation="child")]),
        ("death", EVENT, [HeirInput(name="Ana", relation="child", birth_date=dt.date(2015, 1, 1))]),
        ("death", EVENT, [HeirInput(name="X", relation="spouse", nik="12345")]),
    ]
    for event_type, on, heirs in cases:
        with pytest.raises(ServiceError):
            claims.report_event(session, worker, event_type, on, heirs, today=TODAY)
    assert session.scalar(select(Claim.id).where(Claim.worker_id == worker.id)) is None


def test_a_second_death_for_the_same_worker_is_refused(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 1, 1), months(dt.date(2024, 1, 1), 6)
    )
    _report(session, worker)
    with pytest.raises(Conflict):
        _report(session, worker)


# --- progress to payment ----------------------------------------------------------------------


def test_a_claim_moves_to_payment_step_by_step(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 1, 1), months(dt.date(2024, 1, 1), 6)
    )
    claim = _report(session, worker)
    with pytest.raises(Conflict):
        claims.advance(session, claim, "paid", paid_on=TODAY, amount=1, today=TODAY)
    claims.advance(session, claim, "documents", today=TODAY)
    claims.advance(session, claim, "submitted", today=TODAY)
    with pytest.raises(ServiceError):
        claims.advance(
            session, claim, "paid", paid_on=TODAY + dt.timedelta(days=1), amount=1, today=TODAY
        )
    with pytest.raises(ServiceError):
        claims.advance(session, claim, "paid", paid_on=TODAY, amount=0, today=TODAY)
    assert claim.status == "submitted"
    claims.advance(
        session, claim, "paid", paid_on=dt.date(2024, 7, 15), amount=42_000_000, today=TODAY
    )
    assert (claim.status, claim.paid_on, claim.amount_paid) == (
        "paid",
        dt.date(2024, 7, 15),
        42_000_000,
    )
    assert claims.next_statuses(claim) == []


def test_a_rejection_needs_a_reason_and_stops_the_scholarships(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 5, 1), months(dt.date(2024, 5, 1), 2)
    )
    claim = _report(
        session, worker, [SPOUSE, child("Ana", dt.date(2015, 3, 10), "sd", 3)], "work_death"
    )
    with pytest.raises(ServiceError):
        claims.advance(session, claim, "rejected", reason="  ", today=TODAY)
    claims.advance(session, claim, "rejected", reason="Bukan kecelakaan kerja", today=TODAY)
    assert {y.status for y in claim.heirs[1].years} == {"stopped"}
    assert claims.scholarship_claims_due(session, UNRESTRICTED, dt.date(2030, 1, 1)) == [] or all(
        y.claim_id != claim.id
        for y in claims.scholarship_claims_due(session, UNRESTRICTED, dt.date(2030, 1, 1))
    )


def _due_for(session, claim, on, scope=UNRESTRICTED):
    return [y for y in claims.scholarship_claims_due(session, scope, on) if y.claim_id == claim.id]


def test_a_scholarship_schedule_runs_to_its_end_as_the_date_moves(session):
    # Born 15 January 2007, SMA year 2 on 1 June 2024: SMA 2 and 3 (3 jt each), then higher
    # education 2026–2029 (12 jt each) until the 23rd birthday on 15 January 2030: 54 jt.
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 5, 1), months(dt.date(2024, 5, 1), 2)
    )
    claim = _report(
        session, worker, [SPOUSE, child("Ana", dt.date(2007, 1, 15), "sma", 2)], "work_death"
    )
    seen, paid = [], 0
    for year in range(2024, 2032):
        on = dt.date(year, 6, 2)
        due = _due_for(session, claim, on)
        seen.append([(y.level, y.level_year) for y in due])
        for entry in due:
            claims.pay_scholarship_year(session, entry, on, today=on)
            paid += entry.amount
    assert seen == [
        [("sma", 2)],
        [("sma", 3)],
        [("higher", 1)],
        [("higher", 2)],
        [("higher", 3)],
        [("higher", 4)],
        [],
        [],
    ]
    assert paid == 54_000_000
    assert (claim.heirs[1].ended_on, claim.heirs[1].end_reason) == (dt.date(2030, 1, 15), "age")


def test_marriage_stops_the_years_still_to_come(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 5, 1), months(dt.date(2024, 5, 1), 2)
    )
    claim = _report(
        session, worker, [SPOUSE, child("Ana", dt.date(2007, 1, 15), "sma", 2)], "work_death"
    )
    heir = claim.heirs[1]
    claims.pay_scholarship_year(session, heir.years[0], dt.date(2024, 7, 1), today=TODAY)
    claims.end_scholarship(session, heir, "married", dt.date(2025, 3, 1), today=TODAY)
    assert [y.status for y in heir.years] == [
        "paid",
        "stopped",
        "stopped",
        "stopped",
        "stopped",
        "stopped",
    ]
    assert heir.married and heir.end_reason == "married"
    assert _due_for(session, claim, dt.date(2027, 1, 1)) == []
    with pytest.raises(ServiceError):
        claims.end_scholarship(session, heir, "graduated", dt.date(2025, 3, 1), today=TODAY)


def test_a_year_not_yet_due_cannot_be_paid(session):
    worker = sponsored_worker(
        session, KAPUAS_VILLAGE, dt.date(2024, 5, 1), months(dt.date(2024, 5, 1), 2)
    )
    claim = _report(
        session, worker, [SPOUSE, child("Ana", dt.date(2007, 1, 15), "sma", 2)], "work_death"
    )
    with pytest.raises(Conflict):
        claims.pay_scholarship_year(
            session, claim.heirs[1].years[3], dt.date(2024, 7, 1), today=TODAY
        )


# --- scope, screens and the guide, as personas ------------------------------------------------


@pytest.fixture
def committed(app):
    """A covered death in Kapuas (oki's village) and one in Barito Utara, committed."""
    made = {}
    with app.app_context():
        s = db.session
        start = dt.date(2021, 1, 1)
        kapuas = sponsored_worker(s, KAPUAS_VILLAGE, start, months(start, 48), name="Yosep Kapuas")
        other = sponsored_worker(
            s, KAPUAS_OTHER_VILLAGE, start, months(start, 48), name="Lukas Desa Lain"
        )
        barut = sponsored_worker(s, BARUT_VILLAGE, start, months(start, 48), name="Hendra Barut")
        lapsed = sponsored_worker(
            s, KAPUAS_VILLAGE, start, months(start, 41), [dt.date(2024, 6, 1)], name="Tomas Lapsed"
        )
        heirs = [
            HeirInput(name="Maria Kapuas", relation="spouse", nik=None),
            child("Ana Kapuas", dt.date(2015, 3, 10), "sd", 3),
        ]
        for worker in (kapuas, other, barut, lapsed):
            claim = claims.report_event(s, worker, "death", dt.date(2024, 6, 1), heirs, today=TODAY)
            made[worker.name] = (worker.id, claim.id)
        s.commit()
    yield made
    with app.app_context():
        for worker_id, _claim_id in made.values():
            remove(db.session, worker_id)


def test_kapuas_staff_never_see_a_barito_utara_claim(app, as_user, committed):
    sari = as_user("sari")
    _wid, barut_claim = committed["Hendra Barut"]
    _wid, kapuas_claim = committed["Yosep Kapuas"]
    page = text_of(sari.get("/claims/"))
    assert "Yosep Kapuas" in page and "Hendra Barut" not in page
    assert sari.get(f"/claims/{barut_claim}").status_code == 404
    assert sari.get(f"/claims/{barut_claim}/guide.pdf").status_code == 404
    assert sari.get(f"/claims/{kapuas_claim}").status_code == 200
    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        user = db.session.scalars(select(User).where(User.username == "sari")).one()
        scope = scope_for_user(user)
        due = claims.scholarship_claims_due(db.session, scope, dt.date(2026, 6, 2))
        assert {y.claim_id for y in due} >= {kapuas_claim}
        assert barut_claim not in {y.claim_id for y in due}


def test_a_village_operator_sees_only_their_village_s_claims(as_user, committed):
    oki = as_user("oki")
    page = text_of(oki.get("/claims/"))
    assert "Yosep Kapuas" in page
    assert "Lukas Desa Lain" not in page and "Hendra Barut" not in page
    _wid, other_claim = committed["Lukas Desa Lain"]
    assert oki.get(f"/claims/{other_claim}").status_code == 404


def test_the_opd_operator_sees_no_village_worker_s_claim(as_user, committed):
    page = text_of(as_user("dodi").get("/claims/"))
    assert "Yosep Kapuas" not in page and "Hendra Barut" not in page


def test_an_operator_cannot_move_a_claim(as_user, committed):
    _wid, claim_id = committed["Yosep Kapuas"]
    response = as_user("oki").post(f"/claims/{claim_id}/status", data={"status": "documents"})
    assert response.status_code in (302, 403)
    with as_user("oki").application.app_context():
        assert db.session.get(Claim, claim_id).status == "reported"


def test_the_claim_guide_shows_the_42_juta_and_where_to_go(as_user, committed):
    _wid, claim_id = committed["Yosep Kapuas"]
    response = as_user("sari").get(f"/claims/{claim_id}/guide.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Rp 42.000.000" in text
    assert "Rp 69.000.000" in text  # Ana's scholarship years in total
    assert "BPJS Ketenagakerjaan cabang Kapuas" in text
    assert "Surat keterangan ahli waris" in text


def test_heirs_personal_data_is_masked_for_the_auditor(app, as_user, committed):
    _wid, claim_id = committed["Yosep Kapuas"]
    page = text_of(as_user("ani").get(f"/claims/{claim_id}"))
    assert "**** 2015" in page and "10 Maret 2015" not in page
    assert "10 Maret 2015" in text_of(as_user("sari").get(f"/claims/{claim_id}"))


def test_staff_move_a_claim_and_the_change_is_audited(app, as_user, committed):
    _wid, claim_id = committed["Yosep Kapuas"]
    sari = as_user("sari")
    sari.post(f"/claims/{claim_id}/status", data={"status": "documents"})
    with app.app_context():
        assert db.session.get(Claim, claim_id).status == "documents"
        changes = db.session.scalars(
            select(AuditEvent.changes).where(
                AuditEvent.entity == "Claim",
                AuditEvent.entity_id == str(claim_id),
                AuditEvent.action == "update",
            )
        ).all()
        assert any('"documents"' in (c or "") for c in changes)


def test_a_bad_payment_on_screen_changes_nothing(app, as_user, committed):
    _wid, claim_id = committed["Yosep Kapuas"]
    sari = as_user("sari")
    sari.post(f"/claims/{claim_id}/status", data={"status": "documents"})
    sari.post(f"/claims/{claim_id}/status", data={"status": "submitted"})
    response = sari.post(
        f"/claims/{claim_id}/status",
        data={"status": "paid", "paid_on": "kemarin", "amount": "x"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Masukkan tanggal pembayaran" in text_of(response)
    with app.app_context():
        assert db.session.get(Claim, claim_id).status == "submitted"


def test_an_operator_reports_a_death_by_nik(app, as_user):
    with app.app_context():
        start = dt.date(2024, 1, 1)
        worker = sponsored_worker(
            db.session, KAPUAS_VILLAGE, start, months(start, 6), name="Paulus Oki"
        )
        nik, worker_id = worker.nik, worker.id
        db.session.commit()
    try:
        response = as_user("oki").post(
            "/claims/new",
            data={
                "nik": nik,
                "event_type": "death",
                "event_date": "2024-06-10",
                "heir-0-name": "Rosa",
                "heir-0-relation": "spouse",
            },
        )
        assert response.status_code == 302
        with app.app_context():
            claim = db.session.scalars(select(Claim).where(Claim.worker_id == worker_id)).one()
            assert claim.amount_due == 42_000_000 and claim.heirs[0].name == "Rosa"
    finally:
        with app.app_context():
            remove(db.session, worker_id)


def test_an_operator_cannot_report_a_death_outside_their_village(app, as_user, committed):
    with app.app_context():
        start = dt.date(2024, 1, 1)
        worker = sponsored_worker(
            db.session, BARUT_VILLAGE, start, months(start, 6), name="Orang Barut"
        )
        nik, worker_id = worker.nik, worker.id
        db.session.commit()
    try:
        response = as_user("oki").post(
            "/claims/new",
            data={
                "nik": nik,
                "event_type": "death",
                "event_date": "2024-06-10",
                "heir-0-name": "Rosa",
                "heir-0-relation": "spouse",
            },
        )
        assert response.status_code == 200 and "Tidak ada pekerja" in text_of(response)
        with app.app_context():
            assert db.session.scalar(select(Claim.id).where(Claim.worker_id == worker_id)) is None
    finally:
        with app.app_context():
            remove(db.session, worker_id)


def test_the_scholarship_reminders_are_scoped(session):
    worker = sponsored_worker(
        session, BARUT_VILLAGE, dt.date(2024, 5, 1), months(dt.date(2024, 5, 1), 2)
    )
    claim = _report(
        session, worker, [SPOUSE, child("Ana", dt.date(2007, 1, 15), "sma", 2)], "work_death"
    )
    kapuas_only = Scope(regency_ids=frozenset({claim.regency_id + 100_000}))
    assert _due_for(session, claim, dt.date(2025, 6, 2), kapuas_only) == []
    assert len(_due_for(session, claim, dt.date(2025, 6, 2))) == 2  # 2024's and 2025's years
    assert isinstance(_due_for(session, claim, dt.date(2025, 6, 2))[0], ScholarshipYear)


# --- the benefit table on screen ---------------------------------------------------------------


def test_staff_read_the_benefit_table_and_operators_do_not(as_user):
    page = text_of(as_user("sari").get("/benefitruleview/list/"))
    assert "Rp 20.000.000" in page and "Santunan kematian (sekaligus)" in page
    assert as_user("oki").get("/benefitruleview/list/").status_code in (302, 403)


def test_a_rule_that_cannot_be_applied_is_refused_and_a_good_one_kept(app, as_user):
    admin = as_user("admin")
    bad = {
        "item": "scholarship",
        "event_type": "death",
        "amount": "1000",
        "multiplier": "0",
        "years": "0",
        "valid_from": "2031-01-01",
        "legal_basis": "uji",
    }
    response = admin.post("/benefitruleview/add", data=bad, follow_redirects=True)
    assert "Beasiswa memerlukan jenjang sekolah" in text_of(response)
    good = bad | {"event_type": "", "level": "sd", "years": "6", "amount": "2000000"}
    admin.post("/benefitruleview/add", data=good)
    with app.app_context():
        rule = db.session.scalars(select(BenefitRule).where(BenefitRule.legal_basis == "uji")).one()
        try:
            assert (rule.event_type, rule.level, rule.amount) == (None, "sd", 2_000_000)
            assert rule in claims.rules_on(db.session, dt.date(2031, 6, 1))
        finally:
            db.session.delete(rule)
            db.session.commit()


def test_a_lapsed_worker_s_note_says_not_covered_and_why(as_user, committed):
    _wid, claim_id = committed["Tomas Lapsed"]
    sari = as_user("sari")
    assert "perlindungan terputus: iuran Juni 2024 belum dibayar" in text_of(sari.get("/claims/"))
    text = pdf_text(sari.get(f"/claims/{claim_id}/guide.pdf").data)
    assert "Tidak terlindungi" in text
    assert "perlindungan terputus: iuran Juni 2024 belum dibayar" in text
    assert "Rp 42.000.000" not in text


def test_the_claims_page_reminds_of_the_scholarship_years_due(as_user, committed):
    page = text_of(as_user("oki").get("/claims/"))
    assert "Klaim beasiswa jatuh tempo" in page and "Ana Kapuas" in page


def test_staff_record_a_scholarship_year_paid_and_operators_cannot(app, as_user, committed):
    _wid, claim_id = committed["Yosep Kapuas"]
    with app.app_context():
        first = db.session.scalars(
            select(ScholarshipYear)
            .where(ScholarshipYear.claim_id == claim_id)
            .order_by(ScholarshipYear.due_on)
        ).first()
        year_id = first.id
    as_user("oki").post(f"/claims/year/{year_id}/pay", data={"paid_on": "2024-07-01"})
    with app.app_context():
        assert db.session.get(ScholarshipYear, year_id).status == "open"
    as_user("sari").post(f"/claims/year/{year_id}/pay", data={"paid_on": "2024-07-01"})
    with app.app_context():
        year = db.session.get(ScholarshipYear, year_id)
        assert (year.status, year.paid_on) == ("paid", dt.date(2024, 7, 1))


def test_a_child_without_a_birth_date_is_refused_on_screen_and_nothing_written(app, as_user):
    with app.app_context():
        start = dt.date(2024, 1, 1)
        worker = sponsored_worker(db.session, KAPUAS_VILLAGE, start, months(start, 6))
        worker_id = worker.id
        db.session.commit()
    try:
        response = as_user("sari").post(
            "/claims/new",
            data={
                "worker_id": worker_id,
                "event_type": "death",
                "event_date": "2024-06-10",
                "heir-0-name": "Ana",
                "heir-0-relation": "child",
                "heir-0-school_level": "sd",
            },
        )
        page = text_of(response)
        assert response.status_code == 200 and "Masukkan tanggal lahir setiap anak." in page
        assert 'value="Ana"' in page  # what was typed is kept
        with app.app_context():
            assert db.session.scalar(select(Claim.id).where(Claim.worker_id == worker_id)) is None
    finally:
        with app.app_context():
            remove(db.session, worker_id)


def test_the_worker_page_offers_reporting_a_death_to_those_who_may(app, as_user):
    from app.models import Worker

    with app.app_context():
        worker = db.session.scalars(select(Worker).where(Worker.name == "Siti Lestari")).one()
        pk = worker.id
    link = f"/claims/new?worker={pk}"
    assert link in as_user("sari").get(f"/workerview/show/{pk}").get_data(as_text=True)
    auditor = as_user("ani").get(f"/workerview/show/{pk}")
    assert auditor.status_code == 200 and link not in auditor.get_data(as_text=True)
    form = as_user("sari").get(link)
    assert form.status_code == 200 and "Siti Lestari" in text_of(form)
