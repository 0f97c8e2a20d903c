"""Award decisions in the owner's area (issue 12, point 4).

- Opening, computing and locking a period belong to the national administrator: refused to vina,
  the Kapuas branch supervisor, by the screens and by the service itself.
- Regencies and cities are ranked within their province (the award's provincial round): the ranks
  of Kalimantan Barat and Kalimantan Tengah each start from 1, and the screen, the ranking report
  and the certificates show the province with the rank. Companies keep one national ranking.
- A branch supervisor marks and reads only the participants of its branch: Barito Utara, its
  companies and the provinces read as not found to vina, on the screens and in the service.

Each test builds its own award period (a year no other test file uses) and removes it after.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import insert, select

from app.errors import Forbidden
from app.extensions import db
from app.models import (
    AwardIndicator,
    AwardInput,
    AwardPeriod,
    AwardScore,
    Company,
    Province,
    Regency,
    RegencyWorkforce,
)
from app.roles import SUPERVISOR
from app.scope import UNRESTRICTED, scope_for_user
from app.services import NotFound, award_figures, awards
from tests.award_world import drop_period, make_period
from tests.award_world import indicator_id as _indicator
from tests.helpers import pdf_pages, pdf_text, text_of
from tests.world import BARUT_NIB, KAPUAS_NIB

YEAR = 2043  # the Kalimantan Tengah period (Kapuas and Barito Utara)
TWO_YEAR = 2045  # the period with regencies of Kalimantan Barat too
NOW = dt.datetime(2043, 6, 1, tzinfo=dt.UTC)
# Two Kalimantan Barat regencies, as in the Kemendagri data set (tests/world.py loads only 62).
KALBAR = {"61.05": "Kabupaten Sintang", "61.06": "Kabupaten Kapuas Hulu"}


@pytest.fixture
def period(app, today):
    drop_period(app, YEAR)
    yield make_period(app, today, YEAR)
    drop_period(app, YEAR)


@pytest.fixture
def two_provinces(app, today):
    """A period ranking Kapuas and Barito Utara (62) with Sintang and Kapuas Hulu (61).

    Nobody is covered in the two Kalimantan Barat regencies; the panel gives Sintang 70 and
    Kapuas Hulu 20 for the interview. Barito Utara (panel 90, and covered workers) beats both in
    any national ranking, so Kalimantan Barat can only hold ranks 1 and 2 if it ranks apart.
    """
    drop_period(app, TWO_YEAR)
    created: list = []
    with app.app_context():
        province = db.session.scalars(select(Province).where(Province.code == "61")).first()
        if province is None:
            province = Province(code="61", name="Kalimantan Barat")
            db.session.add(province)
            db.session.flush()
            created.append(province)
        kalbar = {}
        for code, name in KALBAR.items():
            regency = db.session.scalars(select(Regency).where(Regency.code == code)).first()
            if regency is None:
                regency = Regency(code=code, name=name, province_id=province.id)
                db.session.add(regency)
                db.session.flush()
                created.insert(0, regency)
            kalbar[code] = regency.id
            db.session.add(
                RegencyWorkforce(
                    regency_id=regency.id, year=TWO_YEAR, wage_earners=100, informal_workers=100
                )
            )
        db.session.commit()
        created = [(type(row), row.id) for row in created]
    try:
        made = make_period(app, today, TWO_YEAR)
        with app.app_context():
            record = db.session.get(AwardPeriod, made["period"])
            interview = {(i.category, i.code): i for i in record.indicators}["regency", "interview"]
            for code, mark in (("61.05", 70), ("61.06", 20)):
                awards.set_input(db.session, interview, kalbar[code], mark, "", None, NOW)
            awards.compute_scores(db.session, record, "regency", today, NOW, scope=UNRESTRICTED)
            db.session.commit()
        yield {**made, "sintang": kalbar["61.05"], "kapuas_hulu": kalbar["61.06"]}
    finally:
        drop_period(app, TWO_YEAR)
        with app.app_context():
            for model, pk in created:
                db.session.execute(model.__table__.delete().where(model.id == pk))
            db.session.commit()


def _vina_scope(app):
    return scope_for_user(app.appbuilder.sm.find_user("vina"))


def _computed_at(app, period_id):
    with app.app_context():
        return db.session.scalars(
            select(AwardScore.computed_at).where(AwardScore.period_id == period_id)
        ).all()


def _ranks(app, period_id, category="regency") -> dict[int, int]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(AwardScore.subject_id, AwardScore.rank).where(
                    AwardScore.period_id == period_id, AwardScore.category == category
                )
            ).all()
        )


def _row_of(page: str, name: str) -> str:
    """The ranking table's row that links to a participant named exactly `name`."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if f">{name}</a>" in row]
    assert len(rows) == 1, f"{name} should be listed once"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0])).strip()


def _company_id(app, nib) -> int:
    with app.app_context():
        return db.session.scalar(select(Company.id).where(Company.nib == nib))


def _input_of(app, indicator, subject_id):
    with app.app_context():
        return db.session.scalar(
            select(AwardInput.value).where(
                AwardInput.indicator_id == indicator, AwardInput.subject_id == subject_id
            )
        )


# 1. Opening, computing and locking belong to the national administrator.


def test_the_service_refuses_a_branch_supervisor_computing_a_period(app, period):
    before = _computed_at(app, period["period"])
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        with pytest.raises(Forbidden):
            awards.compute_all(db.session, record, NOW.date(), NOW, scope=_vina_scope(app))
        with pytest.raises(Forbidden):
            awards.compute_scores(
                db.session, record, "regency", NOW.date(), NOW, scope=_vina_scope(app)
            )
        db.session.rollback()
    assert _computed_at(app, period["period"]) == before


def test_the_service_refuses_a_branch_supervisor_locking_a_period(app, period):
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        with pytest.raises(Forbidden):
            awards.lock(db.session, record, None, NOW, scope=_vina_scope(app))
        db.session.rollback()
        assert not db.session.get(AwardPeriod, period["period"]).locked


def test_the_service_refuses_a_branch_supervisor_opening_a_period(app):
    with app.app_context():
        with pytest.raises(Forbidden):
            awards.open_period(db.session, 2046, scope=_vina_scope(app))
        db.session.rollback()
        assert db.session.scalar(select(AwardPeriod.id).where(AwardPeriod.year == 2046)) is None


def test_a_branch_supervisor_cannot_compute_through_the_screen(app, as_user, period):
    before = _computed_at(app, period["period"])
    assert as_user("vina").post(f"/awards/{YEAR}/compute").status_code == 403
    assert _computed_at(app, period["period"]) == before


def test_a_branch_supervisor_cannot_lock_through_the_screen(app, as_user, period):
    assert as_user("vina").post(f"/awards/{YEAR}/lock").status_code == 403
    with app.app_context():
        assert not db.session.get(AwardPeriod, period["period"]).locked


def test_a_supervisor_role_granted_compute_and_lock_is_still_refused_by_the_service(
    app, as_user, period, monkeypatch
):
    """Were the Supervisor role given compute and lock again, the rule below the view holds."""
    sm = app.appbuilder.sm
    granted = [*sm.builtin_roles[SUPERVISOR], ["^AwardView$", "^can_(compute|lock)$"]]
    monkeypatch.setitem(sm.builtin_roles, SUPERVISOR, granted)
    before = _computed_at(app, period["period"])
    vina = as_user("vina")
    compute = vina.post(f"/awards/{YEAR}/compute", follow_redirects=True)
    lock = vina.post(f"/awards/{YEAR}/lock", follow_redirects=True)
    for response in (compute, lock):
        assert response.status_code == 200
        page = text_of(response)
        assert "Hanya administrator nasional" in page or "Only the national administrator" in page
    assert _computed_at(app, period["period"]) == before
    with app.app_context():
        assert not db.session.get(AwardPeriod, period["period"]).locked


def test_the_admin_computes_and_then_locks_a_period(app, as_user, period):
    before = _computed_at(app, period["period"])
    admin = as_user("admin")
    assert admin.post(f"/awards/{YEAR}/compute").status_code == 302
    after = _computed_at(app, period["period"])
    assert after and min(after) > max(before)
    assert admin.post(f"/awards/{YEAR}/lock").status_code == 302
    with app.app_context():
        assert db.session.get(AwardPeriod, period["period"]).locked


def test_the_unrestricted_scope_computes_every_category(app, period):
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        counts = awards.compute_all(db.session, record, NOW.date(), NOW, scope=UNRESTRICTED)
        db.session.rollback()
    assert set(counts) == set(awards.CATEGORIES)
    assert counts["regency"] == 2


# 2. Regencies are ranked within their province; companies and provinces nationally.


def test_the_regencies_of_each_province_are_ranked_from_1(app, two_provinces):
    ranks = _ranks(app, two_provinces["period"])
    assert (ranks[two_provinces["sintang"]], ranks[two_provinces["kapuas_hulu"]]) == (1, 2)
    assert {ranks[two_provinces["kapuas"]], ranks[two_provinces["barut"]]} == {1, 2}


def test_the_ranking_screen_shows_each_regencys_province_next_to_its_rank(as_user, two_provinces):
    page = text_of(as_user("admin").get(f"/awards/{TWO_YEAR}/?category=regency"))
    assert _row_of(page, "Kabupaten Sintang").startswith("Kalimantan Barat 1 Kabupaten Sintang")
    assert _row_of(page, "Kabupaten Kapuas Hulu").startswith("Kalimantan Barat 2 ")
    assert _row_of(page, "Kabupaten Barito Utara").startswith("Kalimantan Tengah ")
    assert "provinsinya sendiri" in page or "within their own province" in page


def test_a_regencys_page_gives_its_rank_in_its_province(as_user, two_provinces):
    page = text_of(
        as_user("admin").get(f"/awards/{TWO_YEAR}/regency/{two_provinces['kapuas_hulu']}")
    )
    assert "Peringkat di Kalimantan Barat" in page or "Rank in Kalimantan Barat" in page


def test_the_ranking_report_prints_each_province_with_its_own_ranks(as_user, two_provinces):
    text = pdf_text(as_user("admin").get(f"/awards/{TWO_YEAR}/regency/ranking.pdf").data)
    assert "Kalimantan Barat 1 Kabupaten Sintang" in text
    assert "Kalimantan Barat 2 Kabupaten Kapuas Hulu" in text
    assert re.search(r"Kalimantan Tengah 1 Kabupaten (Kapuas|Barito Utara)\b", text)
    assert "provinsinya sendiri" in text or "within their own province" in text


def test_each_province_gets_certificates_for_its_own_winners(as_user, two_provinces):
    response = as_user("admin").get(f"/awards/{TWO_YEAR}/regency/piagam.pdf")
    text = pdf_text(response.data)
    assert len(pdf_pages(response.data)) == 4  # two per province, both among the first three
    assert f"PRT/{TWO_YEAR}/KABKOTA/61/1" in text
    assert f"PRT/{TWO_YEAR}/KABKOTA/62/1" in text
    assert "Kalimantan Barat" in text


def _figures(province_id, funded) -> dict:
    """A region's raw figures: nothing but the vulnerable workers funded."""
    keys = (
        "wage_covered wage_potential informal_covered informal_potential villages villages_at_100 "
        "non_asn non_asn_covered companies companies_compliant projects projects_registered "
        "contributions_due contributions_paid"
    )
    return {
        "name": f"R{province_id}-{funded}",
        "province_id": province_id,
        "vulnerable_funded": funded,
        **dict.fromkeys(keys.split(), 0),
    }


def test_a_regencys_vulnerable_workers_funded_are_scaled_to_the_best_of_its_province(
    monkeypatch,
):
    """Kalimantan Barat's best funds 40 workers, Kalimantan Tengah's 400: each scores 100."""
    regencies = {1: _figures(62, 400), 2: _figures(62, 100), 3: _figures(61, 40)}
    monkeypatch.setattr(award_figures, "regency_figures", lambda *_args: regencies)
    _figures_of, values = award_figures.figures_and_values(None, None, "regency", NOW.date())
    assert [values[r]["vulnerable_funded"] for r in (1, 2, 3)] == [10_000, 2_500, 10_000]


def test_companies_keep_one_national_ranking_listed_by_rank(app, as_user, two_provinces):
    """A Kalimantan Barat company ranked 2nd is listed after a Kalimantan Tengah one ranked 1st."""
    with app.app_context():
        db.session.execute(
            insert(AwardScore),
            [
                {
                    "period_id": two_provinces["period"],
                    "category": "large",
                    "subject_id": subject,
                    "subject_name": name,
                    "regency_id": regency,
                    "desk_score": final,
                    "panel_score": 0,
                    "final_score": final,
                    "rank": rank,
                    "inputs": '{"indicators": {}, "figures": {}}',
                    "computed_at": NOW,
                }
                for subject, name, regency, final, rank in (
                    (980001, "PT Uji Kapuas Hulu Besar", two_provinces["kapuas_hulu"], 5000, 2),
                    (980002, "PT Uji Kapuas Besar", two_provinces["kapuas"], 6000, 1),
                )
            ],
        )
        db.session.commit()
    page = text_of(as_user("admin").get(f"/awards/{TWO_YEAR}/?category=large&q=PT Uji"))
    assert page.index("PT Uji Kapuas Besar<") < page.index("PT Uji Kapuas Hulu Besar<")
    assert _row_of(page, "PT Uji Kapuas Hulu Besar").startswith("2 PT Uji Kapuas Hulu Besar")


def test_ranks_restart_for_each_group():
    rows = [
        {"name": "A", "final": 90, "panel": 0, "desk": 0, "province": 1},
        {"name": "B", "final": 80, "panel": 0, "desk": 0, "province": 2},
        {"name": "C", "final": 70, "panel": 0, "desk": 0, "province": 1},
        {"name": "D", "final": 60, "panel": 0, "desk": 0, "province": 2},
    ]
    ranked = {r["name"]: r["rank"] for r in awards.rank(rows, lambda r: r["province"])}
    assert ranked == {"A": 1, "B": 1, "C": 2, "D": 2}


def test_without_groups_ranks_run_across_everyone():
    rows = [
        {"name": "A", "final": 90, "panel": 0, "desk": 0},
        {"name": "B", "final": 80, "panel": 0, "desk": 0},
    ]
    assert [r["rank"] for r in awards.rank(rows)] == [1, 2]


# 3. A branch supervisor marks and reads only the participants of its branch.


def test_vina_cannot_open_barito_utara(as_user, period):
    assert as_user("vina").get(f"/awards/{YEAR}/regency/{period['barut']}").status_code == 404


def test_vina_cannot_open_a_barito_utara_company_but_opens_a_kapuas_one(app, as_user, period):
    vina = as_user("vina")
    barut_company = _company_id(app, BARUT_NIB)
    kapuas_company = _company_id(app, KAPUAS_NIB)
    assert vina.get(f"/awards/{YEAR}/small/{barut_company}").status_code == 404
    assert vina.get(f"/awards/{YEAR}/medium/{kapuas_company}").status_code == 200


def test_vina_cannot_mark_barito_utara_through_the_screen(app, as_user, period):
    interview = _indicator(app, period["period"], "interview")
    response = as_user("vina").post(
        f"/awards/{YEAR}/regency/{period['barut']}/mark", data={f"value-{interview}": "5"}
    )
    assert response.status_code == 404
    assert _input_of(app, interview, period["barut"]) == 9000


def test_the_service_refuses_vinas_mark_on_barito_utara(app, period):
    interview = _indicator(app, period["period"], "interview")
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        with pytest.raises(NotFound):
            awards.set_marks(
                db.session, record, "regency", period["barut"], {interview: ("5", "")}, None, NOW,
                scope=_vina_scope(app),
            )  # fmt: skip
        db.session.rollback()
    assert _input_of(app, interview, period["barut"]) == 9000


def test_the_service_refuses_vinas_mark_on_a_barito_utara_company(app, period):
    barut_company = _company_id(app, BARUT_NIB)
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        panel = db.session.scalar(
            select(AwardIndicator.id).where(
                AwardIndicator.period_id == record.id,
                AwardIndicator.category == "small",
                AwardIndicator.source == "panel",
            )
        )
        with pytest.raises(NotFound):
            awards.set_marks(
                db.session, record, "small", barut_company, {panel: ("50", "")}, None, NOW,
                scope=_vina_scope(app),
            )  # fmt: skip
        db.session.rollback()
    assert _input_of(app, panel, barut_company) is None


def test_the_service_refuses_vinas_mark_on_a_province(app, period):
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        kalteng = db.session.scalar(select(Province.id).where(Province.code == "62"))
        panel = db.session.scalar(
            select(AwardIndicator.id).where(
                AwardIndicator.period_id == record.id,
                AwardIndicator.category == "province",
                AwardIndicator.source == "panel",
            )
        )
        with pytest.raises(NotFound):
            awards.set_marks(
                db.session, record, "province", kalteng, {panel: ("50", "")}, None, NOW,
                scope=_vina_scope(app),
            )  # fmt: skip
        db.session.rollback()
    assert _input_of(app, panel, kalteng) is None


def test_the_service_takes_vinas_mark_on_kapuas(app, period):
    interview = _indicator(app, period["period"], "interview")
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        awards.set_marks(
            db.session, record, "regency", period["kapuas"], {interview: ("55", "")}, None, NOW,
            scope=_vina_scope(app),
        )  # fmt: skip
        db.session.commit()
    assert _input_of(app, interview, period["kapuas"]) == 5500
