"""Arrears ageing and late-payment penalties (issue 16, point 1), against hand-worked figures.

The figures: see tests/arrears_world.py. A month billed Rp 462.000 per worker splits 312.000
under JKK/JKM/JHT (2 % a month late) and 150.000 JP (0,5 % a month late), so each month late
costs 312.000 × 2 % + 150.000 × 0,5 % = 6.240 + 750 = Rp 6.990 per worker.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import PenaltyRule
from app.scope import UNRESTRICTED
from app.services import arrears
from app.services.contributions import last_due_month
from tests.arrears_world import BARUT, BARUT_VILLAGE, KAPUAS, KAPUAS_VILLAGE, make_company, remove
from tests.helpers import text_of

ON = dt.date(2026, 12, 4)


@pytest.fixture
def day4(app):
    """The 4th of this month: ageing and penalties as hand-worked below hold on it."""
    return dt.date.today().replace(day=4)


@pytest.fixture
def companies(app, day4):
    """Kapuas: six months old with two workers at risk; one month old, a bigger sum, one worker.
    Barito Utara: two months old."""
    with app.app_context():
        ids = {
            "old": make_company(
                "PT Uji Tunggak Lama", KAPUAS, KAPUAS_VILLAGE, 2, [4, 3, 2, 1, 0], day4
            ),
            "new": make_company(
                "CV Uji Tunggak Baru", KAPUAS, KAPUAS_VILLAGE, 1, [0], day4, paid={}
            ),
            "barut": make_company("PT Uji Tunggak Barito", BARUT, BARUT_VILLAGE, 1, [1], day4),
        }
        # the one-worker company owes more: 12 workers' worth of one month (a large back bill)
        from app.models import Contribution

        bill = db.session.query(Contribution).filter_by(company_id=ids["new"]).one()
        bill.amount_due = 5_544_000
        db.session.commit()
    yield ids
    with app.app_context():
        remove(list(ids.values()))


def test_the_age_counts_months_up_to_the_last_month_due():
    # On 4 December 2026 the last month due is November: November is 1 month old, July 5.
    assert last_due_month(ON) == dt.date(2026, 11, 1)
    assert arrears.age_in_months(dt.date(2026, 11, 1), ON) == 1
    assert arrears.age_in_months(dt.date(2026, 7, 1), ON) == 5
    assert arrears.age_in_months(dt.date(2025, 12, 1), ON) == 12


@pytest.mark.parametrize(
    "age, bucket", [(1, "1"), (2, "2-3"), (3, "2-3"), (4, "4-6"), (6, "4-6"), (7, "7+"), (20, "7+")]
)
def test_each_age_falls_in_its_bucket(age, bucket):
    assert arrears.bucket_of(age) == bucket


@pytest.mark.parametrize(
    "period, on, late",
    [
        # October is due 15 November: not late on the 15th, 1 month late from the 16th,
        # still 1 on 15 December, 2 from 16 December.
        (dt.date(2026, 10, 1), dt.date(2026, 11, 15), 0),
        (dt.date(2026, 10, 1), dt.date(2026, 11, 16), 1),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 4), 1),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 15), 1),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 16), 2),
        # July is due 15 August: on 4 December, 4 months begun (16 Aug, 16 Sep, 16 Oct, 16 Nov)
        (dt.date(2026, 7, 1), dt.date(2026, 12, 4), 4),
        # December is due 15 January of the next year
        (dt.date(2025, 12, 1), dt.date(2026, 1, 16), 1),
    ],
)
def test_months_late_count_the_months_begun_after_the_due_date(period, on, late):
    assert arrears.months_late(period, on) == late


def _rule(program, pct, cap=None, start=dt.date(2015, 7, 1), end=None):
    return PenaltyRule(
        program=program,
        percent_per_month=Decimal(pct),
        cap_percent=None if cap is None else Decimal(cap),
        valid_from=start,
        valid_to=end,
    )


def test_the_penalty_splits_the_unpaid_amount_between_programs_as_billed():
    book = arrears.PenaltyBook(
        [_rule("jkk", "2"), _rule("jkm", "2"), _rule("jht", "2"), _rule("jp", "0.5")], ON
    )
    split = {"jkk": 12_000, "jkm": 15_000, "jht": 285_000, "jp": 150_000}
    # 3 months late: 312.000 × 6 % + 150.000 × 1,5 % = 18.720 + 2.250 = 20.970
    assert book.penalty(462_000, split, 3) == 20_970
    # part paid, 400.000 left, 1 month late: 400.000 × (312.000 × 2 + 150.000 × 0,5) / 462.000 %
    # = 400.000 × 699.000 / 46.200.000 = 6.051,95… → 6.052
    assert book.penalty(400_000, split, 1) == 6_052
    assert book.penalty(462_000, split, 0) == 0


def test_a_rule_for_all_programs_applies_where_a_program_has_none_and_the_cap_holds():
    book = arrears.PenaltyBook([_rule(None, "2", cap="5"), _rule("jp", "0.5")], ON)
    # JKK falls to the rule for all programs: 2 % × 2 = 4 % of 100.000 = 4.000
    assert book.penalty(100_000, {"jkk": 1}, 2) == 4_000
    # 4 months: 8 %, capped at 5 % = 5.000
    assert book.penalty(100_000, {"jkk": 1}, 4) == 5_000
    # half JKK (5 % capped), half JP (0,5 % × 4 = 2 %): 50.000 × 5 % + 50.000 × 2 % = 3.500
    assert book.penalty(100_000, {"jkk": 1, "jp": 1}, 4) == 3_500
    # no split known: the rule for all programs
    assert book.penalty(100_000, {}, 1) == 2_000


def test_only_the_rules_in_force_on_the_date_count():
    old = _rule("jkk", "9", start=dt.date(2010, 1, 1), end=dt.date(2015, 6, 30))
    new = _rule("jkk", "2")
    future = _rule("jkk", "7", start=dt.date(2027, 1, 1))
    book = arrears.PenaltyBook([old, new, future], ON)
    assert book.penalty(100_000, {"jkk": 1}, 1) == 2_000


def test_the_seeded_rules_are_2_and_half_percent_labelled_to_be_verified(app):
    with app.app_context():
        book = arrears.PenaltyBook.load(db.session, ON)
        assert {p: book.rule(p).percent_per_month for p in ("jkk", "jkm", "jht", "jp")} == {
            "jkk": Decimal(2),
            "jkm": Decimal(2),
            "jht": Decimal(2),
            "jp": Decimal("0.5"),
        }
        assert all("diverifikasi" in book.rule(p).legal_basis for p in ("jkk", "jp"))


def test_a_company_five_months_behind_owes_the_hand_worked_sum_and_penalty(app, companies, day4):
    with app.app_context():
        owed = arrears.payer_arrears(db.session, f"company:{companies['old']}", day4)
    # two workers: 924.000 a month, July..November on 4 December → 5 months, 4.620.000
    assert (owed.count, owed.amount, owed.age, owed.bucket) == (5, 4_620_000, 5, "4-6")
    # months late 4, 3, 2, 1, 0; 13.980 per month late (2 × 6.990)
    assert [m.late for m in owed.months] == [4, 3, 2, 1, 0]
    assert [m.penalty for m in owed.months] == [55_920, 41_940, 27_960, 13_980, 0]
    assert owed.penalty == 139_800


def test_the_worklist_puts_most_workers_at_risk_first_and_filters_by_bucket(app, companies, day4):
    with app.app_context():
        rows = arrears.worklist(db.session, UNRESTRICTED, day4, per_page=1000).rows
        keys = [r.payer_key for r in rows]
        old, new = f"company:{companies['old']}", f"company:{companies['new']}"
        # the one-worker company owes more, the two-worker one comes first
        assert keys.index(old) < keys.index(new)
        first = rows[keys.index(old)]
        assert (first.workers_at_risk, first.penalty) == (2, 139_800)
        in_bucket = arrears.worklist(db.session, UNRESTRICTED, day4, "4-6", per_page=1000).rows
        assert old in [r.payer_key for r in in_bucket]
        assert new not in [r.payer_key for r in in_bucket]
        one = arrears.worklist(db.session, UNRESTRICTED, day4, "1", per_page=1000).rows
        assert new in [r.payer_key for r in one] and old not in [r.payer_key for r in one]


def test_kapuas_staff_see_kapuas_arrears_and_never_barito_utara(as_user, companies):
    page = text_of(as_user("sari").get("/arrears/?bucket="))
    assert "PT Uji Tunggak Lama" in page and "CV Uji Tunggak Baru" in page
    assert "PT Uji Tunggak Barito" not in page
    other = text_of(as_user("budi").get("/arrears/"))
    assert "PT Uji Tunggak Barito" in other and "PT Uji Tunggak Lama" not in other


def test_the_screen_shows_bucket_months_amount_penalty_and_workers(as_user, companies):
    response = as_user("vina").get("/arrears/?bucket=4-6")
    assert response.status_code == 200
    page = text_of(response)
    assert "PT Uji Tunggak Lama" in page and "CV Uji Tunggak Baru" not in page
    assert "4–6 bulan" in page and "Rp 4.620.000" in page
    assert "Tunggakan iuran" in page


def test_an_empty_bucket_says_so(as_user, companies):
    page = text_of(as_user("budi").get("/arrears/?bucket=7%2B"))
    assert "Tidak ada pembayar" in page


def test_an_unknown_bucket_or_page_is_ignored(as_user, companies):
    response = as_user("sari").get("/arrears/?bucket=x&page=-3")
    assert response.status_code == 200 and "PT Uji Tunggak Lama" in text_of(response)


def test_roles_without_the_worklist_are_refused(as_user):
    for username in ("putri", "oki", "dodi"):
        response = as_user(username).get("/arrears/")
        assert response.status_code in (302, 403), username


def test_the_penalty_rules_are_read_by_branch_staff_and_edited_by_the_admin(as_user):
    assert "2,00" in text_of(as_user("sari").get("/penaltyruleview/list/"))
    assert as_user("sari").get("/penaltyruleview/add").status_code in (302, 403)
    assert as_user("admin").get("/penaltyruleview/add").status_code == 200


def test_a_negative_penalty_is_refused_in_indonesian_and_nothing_is_written(app, as_user):
    admin = as_user("admin")
    with app.app_context():
        before = db.session.query(PenaltyRule).count()
    response = admin.post(
        "/penaltyruleview/add",
        data={"program": "jkk", "percent_per_month": "-1", "valid_from": "2031-01-01"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Isikan persen per bulan keterlambatan" in text_of(response)
    with app.app_context():
        assert db.session.query(PenaltyRule).count() == before


def test_an_admin_adds_a_rule_that_applies_from_its_date(app, as_user):
    admin = as_user("admin")
    admin.post(
        "/penaltyruleview/add",
        data={"program": "", "percent_per_month": "3", "valid_from": "2031-01-01"},
    )
    with app.app_context():
        rule = db.session.query(PenaltyRule).filter_by(valid_from=dt.date(2031, 1, 1)).one()
        try:
            assert rule.program is None and rule.percent_per_month == Decimal(3)
            later = arrears.PenaltyBook.load(db.session, dt.date(2031, 2, 1))
            assert later.penalty(100_000, {"jkm": 1, "jkp": 1}, 1) == 2_500  # JKM 2 %, JKP 3 %
            assert arrears.PenaltyBook.load(db.session, ON).rule("jkp") is None
        finally:
            db.session.delete(rule)
            db.session.commit()
