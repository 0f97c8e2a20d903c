"""A sponsor pays only for the programs its commitment funds (issue 15, wrong result 2)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Enrollment, Sponsor, SponsorCommitment, Worker
from app.services import ServiceError
from app.services.enrollments import prepare_enrollment
from tests.helpers import record_id


def _sponsored(session, programs: tuple[str, ...], funded: str) -> Enrollment:
    worker = session.get(Worker, record_id_cache["worker"])
    sponsor = Sponsor(name=f"APBD uji {funded}", kind="apbd", regency_id=worker.regency_id)
    session.add(sponsor)
    session.flush()
    session.add(
        SponsorCommitment(
            sponsor=sponsor,
            regency_id=worker.regency_id,
            reference=f"SK uji {funded}",
            workers_quota=10,
            programs=funded,
            ceiling_amount=10_000_000,
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 12, 31),
        )
    )
    session.flush()
    flags = {p: p in programs for p in ("jkk", "jkm", "jht", "jp", "jkp")}
    return Enrollment(
        worker=worker,
        start_date=dt.date(2026, 2, 1),
        payer_type="apbd",
        sponsor=sponsor,
        declared_wage=1_000_000,
        **flags,
    )


record_id_cache: dict[str, int] = {}


@pytest.fixture
def session(app):
    record_id_cache["worker"] = record_id(app, Worker, name="Yohanes Ngabut")
    with app.app_context():
        yield db.session
        db.session.rollback()


def test_jht_on_a_jkk_and_jkm_commitment_is_refused(session):
    enrollment = _sponsored(session, ("jkk", "jkm", "jht"), "JKK,JKM")
    with pytest.raises(ServiceError) as refused:
        prepare_enrollment(session, enrollment)
    assert refused.value.field == "jht"
    assert "JHT" in str(refused.value.message) and "SK uji JKK,JKM" in str(refused.value.message)


def test_the_programs_a_commitment_funds_are_accepted(session):
    enrollment = _sponsored(session, ("jkk", "jkm", "jht"), "JKK,JKM,JHT")
    prepare_enrollment(session, enrollment)
    assert enrollment.status == "active" and enrollment.monthly_contribution > 0
