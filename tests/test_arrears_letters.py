"""Warning letters for arrears (issue 16, point 2): surat teguran I and II, then the
recommendation for sanction (TMP2T), their order, their PDF, the company page and the verdict."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ArrearsLetter, AuditEvent, Company, Contribution, IssuedLetter, LetterKind
from app.services import ServiceError, arrears, compliance
from tests.arrears_world import KAPUAS, KAPUAS_VILLAGE, make_company, remove
from tests.helpers import pdf_text, text_of
from tests.test_letters import BRANCH_HEAD, offices  # noqa: F401  (the Kapuas branch letterhead)

W1, W2, REC = (
    LetterKind.ARREARS_WARNING_1,
    LetterKind.ARREARS_WARNING_2,
    LetterKind.SANCTION_RECOMMENDATION,
)


def _at(day: int) -> dt.datetime:
    """10:00 WIB on a day of this month."""
    return dt.datetime.combine(dt.date.today().replace(day=day), dt.time(3, 0), tzinfo=dt.UTC)


@pytest.fixture
def company(app, offices):  # noqa: F811
    """A Kapuas company with two workers, July..November unpaid as seen on the 4th (5 months)."""
    with app.app_context():
        ids = [
            make_company(
                "PT Uji Surat Teguran",
                KAPUAS,
                KAPUAS_VILLAGE,
                2,
                [4, 3, 2, 1, 0],
                dt.date.today().replace(day=4),
                npp="KP900001",
            )
        ]
    yield ids[0]
    with app.app_context():
        remove(ids)


@pytest.fixture
def paid_up(app):
    with app.app_context():
        ids = [make_company("PT Uji Lunas", KAPUAS, KAPUAS_VILLAGE, 1, [], dt.date.today())]
    yield ids[0]
    with app.app_context():
        remove(ids)


def _issue(company_id: int, kind: str, day: int) -> ArrearsLetter:
    letter = arrears.issue(db.session, db.session.get(Company, company_id), kind, _at(day), None)
    db.session.commit()
    return letter


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(ArrearsLetter.id))),
        db.session.scalar(select(func.count(IssuedLetter.id))),
    )


def _refused(company_id: int, kind: str, day: int) -> str:
    before = _counts()
    with pytest.raises(ServiceError) as refusal:
        _issue(company_id, kind, day)
    db.session.rollback()
    assert _counts() == before, "a refused letter wrote something"
    return str(refusal.value.message)


def test_a_first_warning_keeps_the_arrears_as_they_stood_and_a_branch_number(app, company):
    with app.app_context():
        letter = _issue(company, W1, 4)
        # 2 workers × 462.000 × 5 months; penalty 13.980 × (4 + 3 + 2 + 1 + 0) months late
        assert (letter.months, letter.amount, letter.penalty) == (5, 4_620_000, 139_800)
        assert letter.deadline == dt.date.today().replace(day=14)  # 10 days
        assert letter.status == "open"
        assert re.fullmatch(r"\d{3}/KC-KPS/[IVX]+/\d{4}", letter.issued_letter.number)
        assert letter.issued_letter.kind == W1
        assert [m.outstanding for m in arrears.detail_of(letter)] == [924_000] * 5


def test_the_second_warning_waits_for_the_first_ones_deadline(app, company):
    with app.app_context():
        first = _issue(company, W1, 4)
        message = _refused(company, W2, 14)
        assert str(first) in message and "lewat" in message
        second = _issue(company, W2, 15)
        assert second.issued_letter.number != first.issued_letter.number


def test_the_recommendation_follows_only_a_second_warning_whose_deadline_passed(app, company):
    with app.app_context():
        assert "Surat teguran I" in _refused(company, REC, 4)
        _issue(company, W1, 4)
        assert "Surat teguran II" in _refused(company, REC, 15)
        _issue(company, W2, 15)
        _refused(company, REC, 25)  # the second warning's deadline is the 25th
        assert _issue(company, REC, 26).kind == REC


def test_the_same_letter_is_not_issued_twice_while_open(app, company):
    with app.app_context():
        first = _issue(company, W1, 4)
        assert str(first) in _refused(company, W1, 5)


def test_no_letter_for_a_company_without_arrears(app, paid_up):
    with app.app_context():
        assert "tidak memiliki iuran yang belum dibayar" in _refused(paid_up, W1, 4)


def _sanction(company_id: int, day: int):
    verdict = compliance.evaluate(
        db.session, db.session.get(Company, company_id), dt.date.today().replace(day=day)
    )
    return next(check for check in verdict.checks if check.code == "sanction")


def test_an_open_recommendation_fails_the_verdict_until_the_arrears_are_paid(app, company):
    with app.app_context():
        assert _sanction(company, 4).passed is True
        _issue(company, W1, 4)
        _issue(company, W2, 15)
        recommendation = _issue(company, REC, 26)
        check = _sanction(company, 26)
        assert check.passed is False and recommendation.issued_letter.number in check.reason
        for bill in db.session.scalars(
            select(Contribution).where(Contribution.company_id == company)
        ):
            bill.amount_paid, bill.paid_on = bill.amount_due, dt.date.today().replace(day=1)
        db.session.commit()
        assert _sanction(company, 26).passed is True  # paid: no longer open
        assert arrears.settle_paid(db.session, company, dt.date.today()) == 0  # done at commit
        statuses = {letter.status for letter in arrears.company_letters(db.session, company)}
        assert statuses == {"settled"}


def test_paying_on_screen_settles_the_open_letters(app, as_user, company):
    with app.app_context():
        letter_id = _issue(company, W1, 4).id
        bills = db.session.scalars(
            select(Contribution).where(Contribution.company_id == company)
        ).all()
        pays = [(b.id, b.amount_due) for b in bills]
    sari = as_user("sari")
    today = dt.date.today().isoformat()
    for pk, amount in pays:
        sari.post(f"/contributionview/edit/{pk}", data={"amount_paid": amount, "paid_on": today})
    with app.app_context():
        assert db.session.get(ArrearsLetter, letter_id).status == "settled"


def test_branch_staff_issue_on_screen_and_the_pdf_shows_number_and_amounts(app, as_user, company):
    sari = as_user("sari")
    with app.app_context():
        last_event = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    response = sari.post(f"/arrears/issue/{company}", data={"kind": W1}, follow_redirects=True)
    assert "Surat telah diterbitkan." in text_of(response)
    with app.app_context():
        letter = arrears.company_letters(db.session, company)[0]
        number, pk = letter.issued_letter.number, letter.id
        deadline = letter.deadline
    page = text_of(sari.get(f"/companyview/show/{company}"))
    assert number in page and "Surat teguran I" in page
    pdf = sari.get(f"/arrears/letter/{pk}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert f"Nomor: {number}" in text
    assert "Rp 924.000" in text and "Rp 4.620.000" in text
    assert "UU 24/2011 Pasal 17" in text and "PP 86/2013" in text
    assert "BPJS KETENAGAKERJAAN KANTOR CABANG KAPUAS" in text
    assert BRANCH_HEAD[0] in text and f"NIP. {BRANCH_HEAD[1]}" in text
    assert str(deadline.day) in text and "PT Uji Surat Teguran" in text
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.id > last_event,
                    AuditEvent.entity == "ArrearsLetter",
                    AuditEvent.entity_id == str(pk),
                    AuditEvent.action == "create",
                    AuditEvent.username == "sari",
                )
            )
            == 1
        )


def test_a_refusal_on_screen_is_in_indonesian_and_writes_nothing(app, as_user, company):
    with app.app_context():
        before = _counts()
    response = as_user("vina").post(
        f"/arrears/issue/{company}", data={"kind": REC}, follow_redirects=True
    )
    assert "Terbitkan “Surat teguran II” terlebih dahulu" in text_of(response)
    with app.app_context():
        assert _counts() == before


def test_barito_utara_staff_never_reach_a_kapuas_letter(app, as_user, company):
    with app.app_context():
        pk = _issue(company, W1, 4).id
    budi = as_user("budi")
    assert budi.get(f"/arrears/letter/{pk}").status_code == 404
    assert budi.post(f"/arrears/issue/{company}", data={"kind": W2}).status_code == 404
    assert budi.get(f"/companyview/show/{company}").status_code == 404


def test_the_permit_officer_sees_the_open_recommendation_in_the_verdict(app, as_user, company):
    with app.app_context():
        _issue(company, W1, 4)
        _issue(company, W2, 15)
        number = _issue(company, REC, 26).issued_letter.number
    putri = as_user("putri")
    page = text_of(putri.get(f"/permitdesk/?company={company}"))
    assert "Tidak ada rekomendasi sanksi yang terbuka" in page  # the check's title
    assert f"surat nomor {number}" in page
    assert number in text_of(putri.get(f"/companyview/show/{company}"))
    assert putri.post(f"/arrears/issue/{company}", data={"kind": W1}).status_code in (302, 403)


def test_the_auditor_reads_and_downloads_but_does_not_issue(app, as_user, company):
    with app.app_context():
        pk = _issue(company, W1, 4).id
    ani = as_user("ani")
    assert ani.get(f"/arrears/letter/{pk}").status_code == 200
    assert "PT Uji Surat Teguran" in text_of(ani.get("/arrears/"))
    with app.app_context():
        before = _counts()
    ani.post(f"/arrears/issue/{company}", data={"kind": W2})
    with app.app_context():
        assert _counts() == before


def test_a_payment_recorded_on_any_channel_settles_the_open_letters_at_commit(app, company):
    """Not only the screen: a REST call, an import or a job commits through the same session."""
    with app.app_context():
        letter_id = _issue(company, W1, 4).id
        bills = db.session.scalars(
            select(Contribution).where(Contribution.company_id == company)
        ).all()
        for bill in bills:
            bill.amount_paid = bill.amount_due
        db.session.commit()
        assert db.session.get(ArrearsLetter, letter_id).status == "settled"


def test_a_partial_payment_leaves_the_letters_open(app, company):
    with app.app_context():
        letter_id = _issue(company, W1, 4).id
        bill = db.session.scalars(
            select(Contribution)
            .where(
                Contribution.company_id == company,
                Contribution.amount_paid < Contribution.amount_due,
            )
            .order_by(Contribution.period)
        ).first()
        bill.amount_paid = bill.amount_due
        db.session.commit()
        assert db.session.get(ArrearsLetter, letter_id).status == "open"


def _overdue(letter_ids: list[int]) -> set[int]:
    from app.services import worklists

    clause = worklists.clause(db.session, IssuedLetter, "reply", "overdue", dt.date.today())
    found = db.session.scalars(
        select(ArrearsLetter.id)
        .join(IssuedLetter, IssuedLetter.id == ArrearsLetter.issued_letter_id)
        .where(clause, ArrearsLetter.id.in_(letter_ids))
    )
    return set(found)


def test_a_warning_past_its_deadline_is_a_reminder_until_the_next_letter_follows(app, company):
    with app.app_context():
        first = _issue(company, W1, 4)
        first.deadline = dt.date.today() - dt.timedelta(days=1)
        db.session.commit()
        assert _overdue([first.id]) == {first.id}
        second = _issue(company, W2, 15)
        assert _overdue([first.id, second.id]) == set()  # followed; the second is not yet due


def test_a_settled_warning_is_not_a_reminder(app, company):
    with app.app_context():
        first = _issue(company, W1, 4)
        first.deadline = dt.date.today() - dt.timedelta(days=1)
        first.status = "settled"
        db.session.commit()
        assert _overdue([first.id]) == set()
