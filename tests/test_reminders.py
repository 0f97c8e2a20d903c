"""Reminders on the home page (issue 16, point 7): dates coming up that someone must act on.

Each reminder is a named condition of a list (app/services/worklists.py): the home tile counts it
and opens the list filtered by it. The tests make their own records around today's date and
remove them afterwards.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from app.extensions import db
from app.models import Company, PermitCheck, Regency, Sponsor, SponsorCommitment
from app.roles import ADMIN, BRANCH_STAFF, OPERATOR, PERMIT_OFFICER
from app.scope import Scope
from app.services.dashboard import reminders_for
from tests.world import BARUT, KAPUAS

REMINDERS = re.compile(
    r'<h3 class="lindungi-reminders">.*?</h3>\s*<div class="row">(.*?)</div>\s*</div>\s*</div>',
    re.S,
)
TILE = re.compile(
    r'<a class="lindungi-task[^"]*" href="([^"]+)">\s*'
    r'<span class="lindungi-task-count">([\d.]+)</span>\s*'
    r'<span class="lindungi-task-title">([^<]+)</span>'
)
EVERYONE = Scope(unrestricted=True)


def _tiles(client) -> dict[str, tuple[str, int]]:
    page = client.get("/").get_data(as_text=True)
    return {
        title.strip(): (html.unescape(href), int(count.replace(".", "")))
        for href, count, title in TILE.findall(page)
    }


@pytest.fixture
def commitments(app):
    """Kapuas commitments ending in 20 and 90 days and one gone by; one in Barito Utara in 20."""
    today = dt.date.today()
    ids = []
    with app.app_context():
        for code, days, ref in (
            (KAPUAS, 20, "PKS-SOON"),
            (KAPUAS, 90, "PKS-LATER"),
            (KAPUAS, -3, "PKS-GONE"),
            (BARUT, 20, "PKS-BARUT"),
        ):
            regency = db.session.query(Regency).filter_by(code=code).one()
            sponsor = Sponsor(name=f"CSR Pengingat {ref}", kind="csr_company", regency=regency)
            commitment = SponsorCommitment(
                sponsor=sponsor,
                regency_id=regency.id,
                reference=ref,
                workers_quota=10,
                ceiling_amount=1_000_000,
                start_date=today - dt.timedelta(days=300),
                end_date=today + dt.timedelta(days=days),
            )
            db.session.add(commitment)
            db.session.flush()
            ids.append((commitment.id, sponsor.id))
        db.session.commit()
    yield
    with app.app_context():
        for commitment_id, sponsor_id in ids:
            db.session.query(SponsorCommitment).filter_by(id=commitment_id).delete()
            db.session.query(Sponsor).filter_by(id=sponsor_id).delete()
        db.session.commit()


@pytest.fixture
def certificates(app):
    """Kapuas certificates: in force for 10 more days, revoked, in force for 60 days, refused."""
    today, now = dt.date.today(), dt.datetime.now(dt.UTC)
    made = []
    with app.app_context():
        regency = db.session.query(Regency).filter_by(code=KAPUAS).one()
        company = db.session.query(Company).filter_by(regency_id=regency.id).first()
        for n, (decision, days, revoked) in enumerate(
            (
                ("issued", 10, False),
                ("issued", 10, True),
                ("issued", 60, False),
                ("refused", 10, False),
            )
        ):
            check = PermitCheck(
                company_id=company.id,
                regency_id=regency.id,
                permit_type="business",
                application_number=f"OSS-PENGINGAT-{n}",
                checked_at=now,
                compliant=decision == "issued",
                verdict="[]",
                parameters="{}",
                decision=decision,
                valid_until=today + dt.timedelta(days=days),
                revoked_at=now if revoked else None,
            )
            db.session.add(check)
            db.session.flush()
            made.append(check.id)
        db.session.commit()
    yield
    with app.app_context():
        db.session.query(PermitCheck).filter(PermitCheck.id.in_(made)).delete()
        db.session.commit()


COMMITMENTS, CERTIFICATES = "SponsorCommitmentView.list", "PermitCheckView.list"
LETTERS, DISCREPANCIES = "IssuedLetterView.list", "ReconciliationView.worklist"
SCHOLARSHIPS = "ClaimView.index"


def _count(app, roles, scope, endpoint):
    with app.app_context():
        tasks = reminders_for(db.session, roles, scope, dt.date.today())
        return next(t.count for t in tasks if t.endpoint == endpoint)


def test_a_commitment_ending_within_60_days_is_a_reminder_and_a_later_one_is_not(app, commitments):
    with app.app_context():
        kapuas = db.session.query(Regency).filter_by(code=KAPUAS).one()
    kapuas_only = Scope(regency_ids=frozenset({kapuas.id}))
    before = _count(app, {BRANCH_STAFF}, kapuas_only, COMMITMENTS)
    with app.app_context():
        db.session.query(SponsorCommitment).filter_by(reference="PKS-SOON").update(
            {"end_date": dt.date.today() + dt.timedelta(days=61)}
        )
        db.session.commit()
    assert _count(app, {BRANCH_STAFF}, kapuas_only, COMMITMENTS) == before - 1


def test_branch_staff_see_their_branch_commitments_ending_in_the_list_the_tile_opens(
    as_user, commitments
):
    client = as_user("sari")
    href, count = _tiles(client)["Komitmen penyandang dana berakhir dalam 60 hari"]
    page = client.get(href).get_data(as_text=True)
    assert "PKS-SOON" in page
    assert "PKS-LATER" not in page and "PKS-GONE" not in page
    assert "PKS-BARUT" not in page  # Barito Utara's is not Kapuas staff's business
    assert count >= 1
    assert "PKS-BARUT" in as_user("budi").get(href).get_data(as_text=True)


def test_a_certificate_in_force_expiring_soon_is_a_reminder_for_the_permit_officer(
    as_user, certificates
):
    client = as_user("putri")
    href, count = _tiles(client)["Sertifikat berakhir dalam 30 hari"]
    page = client.get(href).get_data(as_text=True)
    assert "OSS-PENGINGAT-0" in page
    for other in ("OSS-PENGINGAT-1", "OSS-PENGINGAT-2", "OSS-PENGINGAT-3"):
        assert other not in page  # revoked, later, refused
    assert count >= 1


def test_a_revoked_certificate_is_not_counted(app, certificates):
    everyone = _count(app, {ADMIN}, EVERYONE, CERTIFICATES)
    with app.app_context():
        db.session.query(PermitCheck).filter_by(application_number="OSS-PENGINGAT-0").update(
            {"revoked_at": dt.datetime.now(dt.UTC)}
        )
        db.session.commit()
    assert _count(app, {ADMIN}, EVERYONE, CERTIFICATES) == everyone - 1


def test_each_role_gets_only_the_reminders_it_can_act_on(app):
    today = dt.date.today()
    with app.app_context():
        lists = {
            role: {t.endpoint for t in reminders_for(db.session, {role}, EVERYONE, today)}
            for role in (BRANCH_STAFF, PERMIT_OFFICER, OPERATOR)
        }
    assert lists[BRANCH_STAFF] == {COMMITMENTS, LETTERS, DISCREPANCIES, SCHOLARSHIPS}
    assert lists[PERMIT_OFFICER] == {CERTIFICATES}
    assert lists[OPERATOR] == {SCHOLARSHIPS}  # commitments are outside a village's scope


def test_the_home_page_shows_reminders_under_their_own_heading(as_user):
    page = as_user("sari").get("/").get_data(as_text=True)
    assert "Pengingat" in page
    assert REMINDERS.search(page) is not None
