"""SQL per page: a list page or an export costs the same number of statements for 3 rows as
for 15, each with its own village, employer and payer (no query per row), and never loads a
related table whole."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Company, Contribution, Enrollment, Village, Worker
from app.services.identifiers import make_nik
from tests.helpers import count_queries

PAGES = [
    "/workerview/list/",
    "/companyview/list/",
    "/enrollmentview/list/",
    "/contributionview/list/",
    "/villageview/list/",
    "/workerview/export/csv",
    "/enrollmentview/export/xlsx",
]
CROWD = 12


def statements(app, client, path) -> list[str]:
    with count_queries(app) as seen:
        assert client.get(path).status_code == 200
    return seen


def add_crowd(app, first: int, last: int) -> None:
    """Workers in villages of their own, each with an employer, an enrollment and a bill."""
    with app.app_context():
        villages = (
            db.session.query(Village)
            .filter(Village.code.like("62.03.1%"))
            .order_by(Village.code)
            .all()
        )
        for n in range(first, last):
            village = villages[n]
            company = Company(
                name=f"PT Ramai {n}",
                regency_id=village.regency_id,
                village=village,
                size_class="small",
                risk_group=1,
                declared_workforce=1,
            )
            born = dt.date(1980, 1, 1) + dt.timedelta(days=n)
            worker = Worker(
                nik=make_nik(village.code[:8], born, "M", 800 + n),
                name=f"Ramai {n}",
                birth_date=born,
                sex="M",
                village=village,
                regency_id=village.regency_id,
                segment="bpu",
                company=company,
            )
            db.session.add_all([company, worker])
            db.session.flush()
            db.session.add(
                Enrollment(
                    worker=worker,
                    regency_id=worker.regency_id,
                    start_date=dt.date(2026, 1, 1),
                    status="active",
                    payer_type="worker",
                    declared_wage=1_000_000,
                    monthly_contribution=16_800,
                )
            )
            db.session.add(
                Contribution(
                    payer_key=f"worker:{worker.id}",
                    worker_id=worker.id,
                    regency_id=worker.regency_id,
                    period=dt.date(2026, 2, 1),
                    amount_due=16_800,
                )
            )
        db.session.commit()


@pytest.fixture(scope="module")
def before_and_after(app):
    """Statement counts per page for Sari (Kapuas staff) before and after the crowd arrives."""
    client = app.test_client()
    client.post("/login/", data={"username": "sari", "password": "correct-horse-battery-staple"})
    add_crowd(app, 0, 1)  # every list has at least one row of its own before
    before = {path: statements(app, client, path) for path in PAGES}
    add_crowd(app, 1, CROWD)
    after = {path: statements(app, client, path) for path in PAGES}
    return before, after


@pytest.mark.parametrize("path", PAGES)
def test_more_rows_cost_no_more_statements(before_and_after, path):
    """Rows add no statement. The list's count is left out: it runs only once a page is full,
    which other tests' records may make it between the two readings."""
    before, after = before_and_after

    def rows(seen):
        return [s for s in seen if not s.lstrip().upper().startswith("SELECT COUNT(")]

    assert len(rows(after[path])) == len(rows(before[path])), after[path]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_needs_few_statements_and_no_permission_queries(before_and_after, path):
    _, after = before_and_after
    assert len(after[path]) <= 16
    assert not any("ab_permission_view" in sql for sql in after[path])


def test_the_worker_list_never_loads_every_village_or_company(before_and_after):
    _, after = before_and_after
    for sql in after["/workerview/list/"]:
        if "FROM village" in sql or "FROM company" in sql:
            assert " IN (" in sql or "WHERE" in sql, sql
