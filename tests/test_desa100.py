"""'1 Desa 100': per village, protected vulnerable workers against 100, and who pays.

Two Kapuas villages get a known population here: Sei Satu reaches 100 (98 paid by its village
fund, 2 by CSR), Sei Dua has 7 (5 by APBD, 2 by the village fund)
plus people who must not count: an ended enrollment, one that starts next year, two village
officials. Oki (operator of Pulau Telo) sees only his village; Budi (Barito Utara) sees no Kapuas
village; Putri (permit officer) has no such page.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import insert, select

from app.extensions import db
from app.models import Company, District, Enrollment, Regency, Sponsor, Village, Worker
from app.services import villages as desa100
from app.services.identifiers import make_nik
from tests.helpers import count_queries, text_of
from tests.world import KAPUAS, KAPUAS_OTHER_VILLAGE, KAPUAS_VILLAGE

ON = dt.date(2026, 6, 30)
SERIALS = itertools.count(7001)


def _payers(session, village: Village) -> dict[str, dict]:
    """Who pays, as enrollment columns: sponsors of the regency, the world's Kapuas company."""
    apbd = session.scalar(select(Sponsor.id).where(Sponsor.name == "APBD Kabupaten Kapuas"))
    fund = session.scalar(select(Sponsor.id).where(Sponsor.village_id == village.id))
    if fund is None:
        fund_sponsor = Sponsor(
            name=f"Dana Desa {village.name}",
            kind="apbdes",
            regency_id=village.regency_id,
            village_id=village.id,
        )
        csr = Sponsor(name=f"CSR {village.name}", kind="csr_company", regency_id=village.regency_id)
        session.add_all([fund_sponsor, csr])
        session.flush()
        fund = fund_sponsor.id
    csr = session.scalar(select(Sponsor.id).where(Sponsor.name == f"CSR {village.name}"))
    company = session.scalar(select(Company.id).where(Company.regency_id == village.regency_id))
    return {
        "apbd": {"sponsor_id": apbd, "company_id": None},
        "apbdes": {"sponsor_id": fund, "company_id": None},
        "csr": {"sponsor_id": csr, "company_id": None},
        "employer": {"sponsor_id": None, "company_id": company},
    }


def _people(session, village: Village, specs) -> None:
    """Insert workers with their enrollments: specs of (segment, [(payer, start, end, status)])."""
    district = session.get(District, village.district_id).code
    workers, enrollments = [], []
    for segment, plans in specs:
        serial = next(SERIALS)
        born = dt.date(1975, 1, 1) + dt.timedelta(days=serial)
        nik = make_nik(district, born, "M", serial)
        workers.append(
            {
                "nik": nik,
                "name": f"Warga {serial}",
                "birth_date": born,
                "sex": "M",
                "village_id": village.id,
                "regency_id": village.regency_id,
                "segment": segment,
            }
        )
        for payer, start, end, status in plans:
            enrollments.append((nik, payer, start, end, status))
    payers = _payers(session, village)
    session.execute(insert(Worker), workers)
    ids = dict(
        session.execute(
            select(Worker.nik, Worker.id).where(Worker.nik.in_([w["nik"] for w in workers]))
        ).all()
    )
    session.execute(
        insert(Enrollment),
        [
            {
                "worker_id": ids[nik],
                "regency_id": village.regency_id,
                "start_date": start,
                "end_date": end,
                "status": status,
                "payer_type": payer,
                "declared_wage": 1_000_000,
                "jkk": True,
                "jkm": True,
                "jht": False,
                "jp": False,
                "jkp": False,
                "monthly_contribution": 16_800,
                **payers[payer],
            }
            for nik, payer, start, end, status in enrollments
        ],
    )


YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "active")


@pytest.fixture(scope="module")
def villages(app):
    """The two villages with their known population; returns their ids."""
    with app.app_context():
        session = db.session
        kapuas = session.scalars(select(Regency).where(Regency.code == KAPUAS)).one()
        taken = {KAPUAS_VILLAGE, KAPUAS_OTHER_VILLAGE}
        satu, dua = session.scalars(
            select(Village)
            .where(Village.regency_id == kapuas.id, Village.code.not_in(taken))
            .order_by(Village.code.desc())
            .limit(2)
        ).all()
        _people(session, satu, [("vulnerable", [("apbdes", *YEAR)])] * 98)
        _people(session, satu, [("vulnerable", [("csr", *YEAR)])] * 2)
        _people(session, dua, [("vulnerable", [("apbd", *YEAR)])] * 5)
        _people(session, dua, [("vulnerable", [("apbdes", *YEAR)])] * 2)
        _people(
            session,
            dua,
            [
                ("vulnerable", [("apbd", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "ended")]),
                ("vulnerable", [("apbd", dt.date(2027, 1, 1), None, "active")]),
                ("village_official", [("apbdes", *YEAR)]),
                ("village_official", [("apbdes", *YEAR)]),
            ],
        )
        session.commit()
        return satu.id, dua.id, kapuas.id


def _progress(app, regency_id):
    from app.scope import UNRESTRICTED

    with app.app_context():
        return {v.id: v for v in desa100.regency_progress(db.session, regency_id, UNRESTRICTED, ON)}


def test_a_village_with_100_protected_vulnerable_workers_reached_the_target(app, villages):
    satu, _dua, kapuas = villages
    village = _progress(app, kapuas)[satu]
    assert village.protected == 100
    assert village.reached
    assert village.by_payer == {"apbdes": 98, "csr": 2}


def test_ended_future_and_non_vulnerable_enrollments_do_not_count(app, villages):
    _satu, dua, kapuas = villages
    village = _progress(app, kapuas)[dua]
    assert village.protected == 7
    assert not village.reached
    assert village.by_payer == {"apbd": 5, "apbdes": 2}
    assert village.percent == 7


def test_the_regency_summary_counts_villages_that_reached_it(app, villages):
    satu, dua, kapuas = villages
    progress = _progress(app, kapuas)
    summary = desa100.summary([progress[satu], progress[dua]])
    assert summary == {
        "villages": 2,
        "reached": 1,
        "protected": 107,
        "by_payer": {"apbdes": 100, "apbd": 5, "csr": 2},
    }


def test_the_page_shows_the_villages_and_the_regency_count(app, villages, as_user):
    _satu, _dua, kapuas = villages
    page = text_of(as_user("vina").get(f"/desa100/?regency={kapuas}&on=2026-06-30&sort=most"))
    assert "100 / 100" in page
    assert "7 / 100" in page
    assert "desa di Kabupaten Kapuas mencapai 100" in page


def test_the_village_operator_sees_only_his_village(app, villages, as_user):
    _satu, _dua, kapuas = villages
    page = text_of(as_user("oki").get(f"/desa100/?regency={kapuas}&on=2026-06-30"))
    assert KAPUAS_VILLAGE in page
    with app.app_context():
        others = [db.session.get(Village, pk).code for pk in villages[:2]]
    assert all(code not in page for code in others)
    assert "1 desa cocok" in page


def test_barito_utara_staff_cannot_open_kapuas(app, villages, as_user):
    _satu, _dua, kapuas = villages
    assert as_user("budi").get(f"/desa100/?regency={kapuas}").status_code == 404


def test_the_permit_officer_has_no_village_page(app, as_user):
    response = as_user("putri").get("/desa100/")
    assert response.status_code == 403


def test_the_page_costs_the_same_queries_however_many_workers(app, villages, as_user):
    satu, _dua, kapuas = villages
    vina = as_user("vina")
    url = f"/desa100/?regency={kapuas}&on=2026-06-30"
    vina.get(url)
    with count_queries(app) as before:
        vina.get(url)
    with app.app_context():
        # Another village of the regency: the counts of Sei Satu and Sei Dua stay as the
        # other tests expect them, whatever the order.
        third = db.session.scalars(
            select(Village)
            .where(Village.regency_id == kapuas, Village.id.not_in(villages[:2]))
            .order_by(Village.code)
            .limit(1)
        ).one()
        _people(db.session, third, [("vulnerable", [("apbd", *YEAR)])] * 30)
        db.session.commit()
    with count_queries(app) as after:
        vina.get(url)
    assert len(after) == len(before)
