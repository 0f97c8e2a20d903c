"""The award screens and PDFs, as the personas use them.

A 2031 period ranks the world's two regencies, Kapuas and Barito Utara (each given a potential
workforce for 2031). Vina supervises the Kapuas branch: she marks Kapuas, never Barito Utara, and
her ranking shows Kapuas only, with its rank among all. Admins set the weights and see every
participant. Oki, a village operator, has no award screens.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AwardIndicator, AwardInput, AwardPeriod
from tests.award_world import drop_period, make_period
from tests.award_world import indicator_id as _indicator
from tests.award_world import score_of as _score
from tests.helpers import pdf_pages, pdf_text, text_of

YEAR = 2031


@pytest.fixture
def world(app, today):
    drop_period(app, YEAR)
    yield make_period(app, today, YEAR)
    drop_period(app, YEAR)


def test_the_panels_interview_marks_make_the_panel_score(app, world):
    barut = _score(app, world["period"], world["barut"])
    kapuas = _score(app, world["period"], world["kapuas"])
    assert barut.panel_score == 2571  # 10 * 90 / 35 panel weights
    assert kapuas.panel_score == 1143  # 10 * 40 / 35


def test_vina_sees_her_regency_with_its_rank_among_all_but_not_barito_utara(as_user, world):
    page = text_of(as_user("vina").get(f"/awards/{YEAR}/?category=regency"))
    assert "Kabupaten Kapuas" in page
    assert "Barito Utara" not in page
    assert "2 peserta" in page or "2 participants" in page


def test_budi_of_barito_utara_does_not_see_kapuas(as_user, world):
    page = text_of(as_user("budi").get(f"/awards/{YEAR}/?category=regency"))
    assert "Barito Utara" in page
    assert "Kabupaten Kapuas<" not in page
    response = as_user("budi").get(f"/awards/{YEAR}/regency/{world['kapuas']}")
    assert response.status_code == 404


def test_provinces_are_shown_to_admins_only(as_user, world):
    assert "Kalimantan Tengah" in text_of(
        as_user("admin").get(f"/awards/{YEAR}/?category=province")
    )
    assert "Kalimantan Tengah" not in text_of(
        as_user("vina").get(f"/awards/{YEAR}/?category=province")
    )


def test_the_operator_has_no_award_screens(as_user, world):
    response = as_user("oki").get(f"/awards/{YEAR}/")
    assert response.status_code == 403
    with as_user("oki") as client:
        assert client.get("/awards/").status_code == 403


def test_vina_marks_kapuas_with_evidence_and_the_mark_is_kept(app, as_user, world):
    interview = _indicator(app, world["period"], "interview")
    response = as_user("vina").post(
        f"/awards/{YEAR}/regency/{world['kapuas']}/mark",
        data={f"value-{interview}": "87,5", f"evidence-{interview}": "Notulen wawancara 3 Mei"},
    )
    assert response.status_code == 302
    with app.app_context():
        mark = db.session.scalars(
            select(AwardInput).where(
                AwardInput.indicator_id == interview, AwardInput.subject_id == world["kapuas"]
            )
        ).one()
        assert (mark.value, mark.evidence) == (8750, "Notulen wawancara 3 Mei")


def test_vina_cannot_mark_barito_utara(app, as_user, world):
    interview = _indicator(app, world["period"], "interview")
    response = as_user("vina").post(
        f"/awards/{YEAR}/regency/{world['barut']}/mark", data={f"value-{interview}": "0"}
    )
    assert response.status_code == 404
    with app.app_context():
        mark = db.session.scalars(
            select(AwardInput.value).where(
                AwardInput.indicator_id == interview, AwardInput.subject_id == world["barut"]
            )
        ).one()
        assert mark == 9000


def test_a_bad_mark_changes_nothing_and_says_why(app, as_user, world):
    interview = _indicator(app, world["period"], "interview")
    budget = _indicator(app, world["period"], "budget")
    client = as_user("vina")
    response = client.post(
        f"/awards/{YEAR}/regency/{world['kapuas']}/mark",
        data={f"value-{budget}": "60", f"value-{interview}": "seratus"},
        follow_redirects=True,
    )
    assert "0 sampai 100" in text_of(response) or "0 to 100" in text_of(response)
    with app.app_context():
        values = dict(
            db.session.execute(
                select(AwardInput.indicator_id, AwardInput.value).where(
                    AwardInput.subject_id == world["kapuas"],
                    AwardInput.indicator_id.in_([interview, budget]),
                )
            ).all()
        )
    assert values == {interview: 4000}  # the valid budget mark was not saved either


def test_admin_changes_a_weight_and_the_recomputed_ranking_follows(app, as_user, world):
    interview = _indicator(app, world["period"], "interview")
    client = as_user("admin")
    client.post(f"/awards/{YEAR}/weights", data={"category": "regency", f"weight-{interview}": "0"})
    with app.app_context():
        assert db.session.get(AwardIndicator, interview).weight == 0
    client.post(f"/awards/{YEAR}/compute", data={"category": "regency"})
    barut = _score(app, world["period"], world["barut"])
    assert barut.panel_score == 0  # the only mark now weighs nothing


def test_a_weight_out_of_range_changes_no_weight(app, as_user, world):
    interview = _indicator(app, world["period"], "interview")
    budget = _indicator(app, world["period"], "budget")
    response = as_user("admin").post(
        f"/awards/{YEAR}/weights",
        data={"category": "regency", f"weight-{budget}": "30", f"weight-{interview}": "150"},
        follow_redirects=True,
    )
    assert "0 sampai 100" in text_of(response) or "0 to 100" in text_of(response)
    with app.app_context():
        assert db.session.get(AwardIndicator, budget).weight == 10
        assert db.session.get(AwardIndicator, interview).weight == 10


def test_a_supervisor_cannot_change_weights(app, as_user, world):
    interview = _indicator(app, world["period"], "interview")
    response = as_user("vina").post(
        f"/awards/{YEAR}/weights", data={"category": "regency", f"weight-{interview}": "50"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(AwardIndicator, interview).weight == 10


def test_the_admin_locks_the_period_and_it_no_longer_changes(app, as_user, world):
    client = as_user("admin")
    client.post(f"/awards/{YEAR}/lock")
    with app.app_context():
        period = db.session.get(AwardPeriod, world["period"])
        assert period.locked and period.locked_by_id is not None
    before = _score(app, world["period"], world["barut"]).computed_at
    response = client.post(f"/awards/{YEAR}/compute", follow_redirects=True)
    assert "dikunci" in text_of(response)
    assert _score(app, world["period"], world["barut"]).computed_at == before
    interview = _indicator(app, world["period"], "interview")
    as_user("admin").post(
        f"/awards/{YEAR}/weights", data={"category": "regency", f"weight-{interview}": "50"}
    )
    with app.app_context():
        assert db.session.get(AwardIndicator, interview).weight == 10


def test_the_ranking_report_prints_names_ranks_and_scores_as_on_screen(app, as_user, world):
    response = as_user("admin").get(f"/awards/{YEAR}/regency/ranking.pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    barut = _score(app, world["period"], world["barut"])
    kapuas = _score(app, world["period"], world["kapuas"])
    final = f"{barut.final_score // 100},{barut.final_score % 100:02d}"
    assert f"{barut.rank} Kabupaten Barito Utara" in text
    assert f"{kapuas.rank} Kabupaten Kapuas" in text
    assert final in text
    assert str(YEAR) in text
    assert "ilustratif" in text or "illustrative" in text
    screen = text_of(as_user("admin").get(f"/awards/{YEAR}/?category=regency"))
    assert final in screen


def test_vinas_ranking_report_leaves_out_barito_utara(as_user, world):
    text = pdf_text(as_user("vina").get(f"/awards/{YEAR}/regency/ranking.pdf").data)
    assert "Kabupaten Kapuas" in text
    assert "Barito Utara" not in text


def test_certificates_are_one_landscape_page_per_winner(as_user, world):
    response = as_user("admin").get(f"/awards/{YEAR}/regency/piagam.pdf")
    pages = pdf_pages(response.data)
    assert len(pages) == 2  # two participants, both among the first three
    width, height = pages[0].mediabox.width, pages[0].mediabox.height
    assert width > height
    assert "Kabupaten Barito Utara" in pdf_text(response.data)


def test_opening_a_period_before_the_award_existed_is_refused(app, as_user, world):
    response = as_user("admin").post("/awards/open", data={"year": "1999"}, follow_redirects=True)
    assert "2017" in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(AwardPeriod.id).where(AwardPeriod.year == 1999)) is None


def test_every_download_is_audited(app, as_user, world):
    from app.models import AuditEvent

    with app.app_context():
        before = db.session.query(AuditEvent).filter_by(entity="AwardPeriod").count()
    as_user("ani").get(f"/awards/{YEAR}/regency/ranking.pdf")
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(entity="AwardPeriod").count() == before + 1
