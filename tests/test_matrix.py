"""Every registered view and API, every scoped persona, a record outside their area.

Generated from what the app registers (`appbuilder.baseviews`), so a view or API added later is
covered without a new test. For each persona and each data view or API, a record of its model
that lies outside the persona's scope is read, edited, deleted, run through every action,
filtered for in the list and the export, and read, changed and deleted through the API. Every
answer must be 403, 404 or FAB's redirect for a missing permission, never the record; and the
record must be unchanged in the database afterwards.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import not_, select, text

from app.extensions import db
from app.models import (
    Company,
    ComplianceRule,
    ConstructionProject,
    Contribution,
    EnrollmentBatch,
    IssuedLetter,
    Letterhead,
    MinimumWage,
    Opd,
    PermitCheck,
    Regency,
    RegencyWorkforce,
    Sponsor,
    SponsorCommitment,
)
from app.scope import read_clause, scope_for_user
from tests.test_api import token
from tests.world import BARUT

PERSONAS = ["sari", "vina", "putri", "oki", "ani", "dodi"]
REFUSED = {302, 401, 403, 404, 405}
MARKER = "Matriks Barut"


def _ensure_outsiders(session) -> None:
    """One Barito Utara record of every scoped model the small world lacks."""
    if session.scalar(select(Sponsor.id).where(Sponsor.name == f"{MARKER} APBD")):
        return
    barut = session.scalar(select(Regency).where(Regency.code == BARUT))
    company = session.scalar(select(Company).where(Company.regency_id == barut.id).limit(1))
    sponsor = Sponsor(name=f"{MARKER} APBD", kind="apbd", regency_id=barut.id)
    admin = session.execute(text("SELECT id FROM ab_user WHERE username = 'admin'")).scalar()
    session.add_all(
        [
            sponsor,
            Opd(name=f"{MARKER} Dinas", kind="dinas", regency_id=barut.id),
            RegencyWorkforce(regency_id=barut.id, year=2031, wage_earners=10, informal_workers=5),
            ComplianceRule(regency_id=barut.id, valid_from=dt.date(2031, 1, 1)),
            MinimumWage(province_code="62", regency_id=barut.id, year=2031, amount=3_000_000),
            Contribution(
                payer_key=f"company:{company.id}",
                company_id=company.id,
                regency_id=barut.id,
                period=dt.date(2031, 1, 1),
                amount_due=1_000,
            ),
            ConstructionProject(
                name=f"{MARKER} Jembatan",
                spk_number="SPK-MATRIX-1",
                spk_date=dt.date(2026, 1, 5),
                company_id=company.id,
                regency_id=barut.id,
                contract_value=1_000_000_000,
                funding="apbn",
            ),
            PermitCheck(
                company_id=company.id,
                regency_id=barut.id,
                permit_type="business",
                application_number="OSS-MATRIX-1",
                checked_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                compliant=True,
                verdict="[]",
                parameters="{}",
            ),
        ]
    )
    session.flush()
    letterhead = Letterhead(
        kind="regency_gov",
        regency_id=barut.id,
        heading=f"PEMERINTAH KABUPATEN BARITO UTARA\n{MARKER}",
        unit_code="MATRIKS",
        place="Muara Teweh",
    )
    if not session.scalar(
        select(Letterhead.id).where(
            Letterhead.kind == "regency_gov", Letterhead.regency_id == barut.id
        )
    ):
        session.add(letterhead)
        session.flush()
    permit = session.scalar(
        select(PermitCheck).where(PermitCheck.application_number == "OSS-MATRIX-1")
    )
    session.add_all(
        [
            IssuedLetter(
                office_key="matrix:62.05",
                regency_id=barut.id,
                year=2026,
                seq=1,
                number=f"{MARKER} 001",
                kind="permit_refusal",
                subject_type="PermitCheck",
                subject_id=permit.id,
                issued_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            ),
            SponsorCommitment(
                sponsor=sponsor,
                regency_id=barut.id,
                reference=f"{MARKER} SK",
                workers_quota=1,
                programs="JKK,JKM",
                ceiling_amount=201_600,
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 12, 31),
            ),
            EnrollmentBatch(
                title=f"{MARKER} Batch",
                regency_id=barut.id,
                sponsor_id=sponsor.id,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
                maker_id=admin,
                created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            ),
        ]
    )
    session.commit()


def _snapshot(session, model, pk) -> dict | None:
    table = model.__table__
    row = session.execute(select(table).where(table.c.id == pk)).mappings().first()
    return dict(row) if row is not None else None


def _targets(app, username):
    """(view, model, pk) for each registered data view or API with a record out of scope."""
    sm = app.appbuilder.sm
    user = sm.find_user(username)
    scope = scope_for_user(user)
    for view in app.appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if datamodel is None:
            continue
        model = datamodel.obj
        if not hasattr(model, "__table__") or "id" not in model.__table__.c:
            continue
        query = select(model.id).where(not_(read_clause(model, scope)))
        if model is sm.user_model:  # signing in changes the persona's own row
            query = query.where(model.id != user.id)
        pk = db.session.scalar(query.order_by(model.id.desc()))
        if pk is not None:
            yield view, model, pk


def _show_link(pk) -> re.Pattern:
    return re.compile(rf"/show/{pk}[\"'?/]")


def _screen_cases(view, pk):
    base = view.route_base
    cases = [
        ("get", f"{base}/show/{pk}", None),
        ("get", f"{base}/edit/{pk}", None),
        ("post", f"{base}/edit/{pk}", {"name": "x"}),
        ("post", f"{base}/delete/{pk}", None),
        ("get", f"{base}/delete/{pk}", None),
    ]
    for name in getattr(view, "actions", {}):
        cases.append(("post", f"{base}/action_post", {"action": name, "rowid": str(pk)}))
        cases.append(("get", f"{base}/action/{name}/{pk}", None))
    return cases


@pytest.mark.parametrize("username", PERSONAS)
def test_no_persona_reaches_a_record_outside_their_area_on_any_registered_path(
    app, client, username
):
    with app.app_context():
        if app.appbuilder.sm.find_user(username) is None:
            pytest.skip(f"the world has no persona {username}")
        _ensure_outsiders(db.session)
        targets = [(v, m, pk, _snapshot(db.session, m, pk)) for v, m, pk in _targets(app, username)]
    assert targets, "the world should hold records outside every persona's area"
    screen = app.test_client()
    from tests.conftest import Auth

    Auth(screen).login(username)
    headers = token(client, username)
    leaks = []
    for view, model, pk, _before in targets:
        if hasattr(view, "resource_name"):
            base = f"/api/v1/{view.resource_name}"
            calls = [
                ("get", f"{base}/{pk}", None),
                ("put", f"{base}/{pk}", {"name": "x"}),
                ("delete", f"{base}/{pk}", None),
            ]
            for method, url, body in calls:
                response = getattr(client, method)(url, json=body, headers=headers)
                if response.status_code not in REFUSED:
                    leaks.append(f"{method.upper()} {url}: {response.status_code}")
            listed = client.get(
                f"{base}/?q=(filters:!((col:id,opr:eq,value:{pk})))", headers=headers
            )
            if listed.status_code == 200 and pk in listed.get_json().get("ids", []):
                leaks.append(f"GET {base}/?q=id={pk}: listed")
            continue
        for method, url, data in _screen_cases(view, pk):
            response = getattr(screen, method)(url, data=data)
            if response.status_code not in REFUSED:
                leaks.append(f"{method.upper()} {url}: {response.status_code}")
        base = view.route_base
        listed = screen.get(f"{base}/list/?_flt_0_id={pk}&psize_{type(view).__name__}=100")
        if listed.status_code == 200 and _show_link(pk).search(listed.get_data(as_text=True)):
            leaks.append(f"GET {base}/list/: shows {pk}")
        exported = screen.get(f"{base}/export/csv")
        if exported.status_code == 200 and MARKER in exported.get_data(as_text=True):
            leaks.append(f"GET {base}/export/csv: exports {model.__name__} {pk}")
    with app.app_context():
        for view, model, pk, before in targets:
            if _snapshot(db.session, model, pk) != before:
                leaks.append(f"{type(view).__name__}: {model.__name__} {pk} changed")
    assert not leaks, "\n".join(leaks)


def test_the_matrix_covers_every_scoped_data_view_and_api(app):
    """The generated cases reach every registered view and API over a scoped model."""
    with app.app_context():
        _ensure_outsiders(db.session)
        covered = {type(v).__name__ for v, _m, _pk in _targets(app, "sari")}
    scoped = {
        type(v).__name__
        for v in app.appbuilder.baseviews
        if hasattr(getattr(v, "datamodel", None), "obj")
        and hasattr(v.datamodel.obj, "scope_clause")
    }
    assert scoped - covered == set()


@pytest.mark.parametrize("username", ["sari", "oki", "dodi"])
def test_every_relation_choice_of_every_form_lies_in_the_personas_area(app, as_user, username):
    """The selects of every add and search form offer only records the persona may read."""
    client = as_user(username)
    with app.app_context():
        scope = scope_for_user(app.appbuilder.sm.find_user(username))
        offered_outside = []
        for view in app.appbuilder.baseviews:
            datamodel = getattr(view, "datamodel", None)
            if datamodel is None or hasattr(view, "resource_name"):
                continue
            add_columns = getattr(view, "add_columns", None) or []
            columns = [c for c in add_columns if datamodel.is_relation(c)]
            if not columns:
                continue
            response = client.get(f"{view.route_base}/add")
            if response.status_code != 200:
                continue
            page = response.get_data(as_text=True)
            for column in columns:
                model = datamodel.get_related_model(column)
                select_html = re.search(
                    rf'<select[^>]*name="{column}"[^>]*>(.*?)</select>', page, re.S
                )
                if select_html is None:
                    continue  # a picker: its search is scoped and tested with the pickers
                ids = {int(v) for v in re.findall(r'value="(\d+)"', select_html.group(1))}
                allowed = set(
                    db.session.scalars(
                        select(model.id).where(model.id.in_(ids), read_clause(model, scope))
                    )
                )
                if ids - allowed:
                    offered_outside.append(f"{view.route_base}/add {column}: {ids - allowed}")
    assert not offered_outside, "\n".join(offered_outside)
