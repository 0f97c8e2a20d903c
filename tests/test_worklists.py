"""Every home tile opens the filtered list of exactly what it counts (issue 15, worklists).

The tiles and the lists' filters share one definition per condition (app/services/worklists.py):
these tests follow each tile of each persona to its list and compare the list's record count
with the tile's number, and check each condition against a hand-made case.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import delete

from tests.helpers import text_of

PERSONAS = ["admin", "sari", "budi", "vina", "putri", "oki", "dodi", "ani"]
TILE = re.compile(
    r'<a class="lindungi-task[^"]*" href="([^"]+)">\s*'
    r'<span class="lindungi-task-count">([\d.]+)</span>\s*'
    r'<span class="lindungi-task-title">([^<]+)</span>'
)
DATA_COUNT = re.compile(r'data-count="(\d+)"')
COUNT = re.compile(r"<strong>[^<]*:</strong>\s*([\d.]+)")


@pytest.fixture
def live_figures(app):
    """No kept coverage figures: the tile counts now, like the list."""
    from app.extensions import db
    from app.models import CoverageFigure

    with app.app_context():
        db.session.execute(delete(CoverageFigure))
        db.session.commit()


def _tiles(client) -> list[tuple[str, int, str]]:
    page = client.get("/").get_data(as_text=True)
    return [
        (html.unescape(href), int(count.replace(".", "")), title.strip())
        for href, count, title in TILE.findall(page)
    ]


def _list_count(client, href: str) -> int:
    page = client.get(href)
    assert page.status_code == 200, href
    found = COUNT.search(page.get_data(as_text=True))
    if found is None:  # an empty list shows no count
        assert "Tidak ada data" in text_of(page) or "No records" in text_of(page), href
        return 0
    return int(found.group(1).replace(".", ""))


@pytest.mark.parametrize("username", PERSONAS)
def test_each_tile_opens_a_list_of_exactly_its_count(app, as_user, live_figures, username):
    client = as_user(username)
    tiles = _tiles(client)
    for href, count, title in tiles:
        if "/auditeventview/" in href:
            continue  # the audit trail grows with every page read, this one included
        if "_flt_" not in href:  # a worklist page of its own says what it counts
            page = client.get(href)
            assert page.status_code == 200, href
            marked = DATA_COUNT.search(page.get_data(as_text=True))
            assert (int(marked.group(1)) if marked else 0) == count, f"{username}: {title}"
            continue
        assert _list_count(client, href) == count, f"{username}: {title} ({href})"


def test_branch_staff_have_the_worklists_of_the_branch(as_user, live_figures):
    titles = {title for _, _, title in _tiles(as_user("sari"))}
    assert {
        "Perusahaan menunggak",
        "Pekerja tanpa perlindungan aktif",
        "Tagihan bulan lalu yang belum dibayar",
        "Batch yang dikembalikan kepada Anda",
    } <= titles


def test_a_permit_officer_sees_the_applications_pending(app, as_user, live_figures):
    from app.extensions import db
    from app.models import Decision, PermitCheck
    from app.scope import scope_for_user
    from app.services.dashboard import _count

    client = as_user("putri")
    tiles = {title: (href, count) for href, count, title in _tiles(client)}
    href, count = tiles["Permohonan izin menunggu keputusan"]
    with app.app_context():
        scope = scope_for_user(app.appbuilder.sm.find_user(username="putri"))
        pending = _count(db.session, PermitCheck, scope, PermitCheck.decision == Decision.PENDING)
    assert count == pending
    assert "decision=pending" in href


def test_the_uncovered_filter_finds_a_new_worker_and_not_an_enrolled_one(app, as_user):
    from app.extensions import db
    from app.models import Enrollment, EnrollmentStatus, Worker
    from app.scope import Scope
    from app.services import worklists

    with app.app_context():
        clause = worklists.clause(db.session, Worker, "coverage", "uncovered", dt.date.today())
        uncovered = set(db.session.scalars(db.select(Worker.id).where(clause)))
        active = set(
            db.session.scalars(
                db.select(Enrollment.worker_id).where(Enrollment.status == EnrollmentStatus.ACTIVE)
            )
        )
        everyone = set(
            db.session.scalars(
                db.select(Worker.id).where(Worker.scope_clause(Scope(unrestricted=True)))
            )
        )
    assert uncovered and active
    assert uncovered.isdisjoint(active)
    assert uncovered | active == everyone


def test_an_unknown_filter_value_lists_nothing_and_does_not_fail(as_user):
    page = as_user("sari").get("/workerview/list/?_flt_0_coverage=bogus")
    assert page.status_code == 200
    found = COUNT.search(page.get_data(as_text=True))
    assert found is None or found.group(1) == "0"


def test_the_coverage_filter_is_offered_in_the_list_with_indonesian_choices(as_user):
    page = as_user("sari").get("/workerview/list/").get_data(as_text=True)
    assert "Perlindungan" in page
    assert "Tanpa perlindungan aktif" in page


def test_the_list_filter_keeps_the_scope(app, as_user, live_figures):
    """A Kapuas staffer's uncovered workers are Kapuas workers only."""
    client = as_user("sari")
    page = client.get("/workerview/list/?_flt_0_coverage=uncovered&psize_WorkerView=100")
    listed = text_of(page)
    assert "Barito Utara" not in listed


def test_returned_batches_tile_counts_only_the_makers_own(app, as_user):
    from app.extensions import db
    from app.models import EnrollmentBatch
    from app.services import worklists

    with app.app_context():
        sari = app.appbuilder.sm.find_user(username="sari")
        clause = worklists.clause(
            db.session, EnrollmentBatch, "mine", "1", dt.date.today(), sari.id
        )
        makers = set(db.session.scalars(db.select(EnrollmentBatch.maker_id).where(clause)))
        nobody = worklists.clause(db.session, EnrollmentBatch, "mine", "1", dt.date.today(), None)
        none_found = db.session.scalars(db.select(EnrollmentBatch.id).where(nobody)).all()
    assert makers <= {sari.id}
    assert none_found == []


def test_a_list_opened_from_a_tile_says_what_it_holds(as_user):
    page = text_of(as_user("sari").get("/workerview/list/?_flt_0_coverage=uncovered"))
    assert "Daftar ini menampilkan:" in page
    assert "Perlindungan: Tanpa perlindungan aktif" in page


def test_an_unfiltered_list_has_no_filter_summary(as_user):
    assert "data-filter-summary" not in text_of(as_user("sari").get("/workerview/list/"))


def test_the_mine_condition_leaves_out_a_colleagues_batch(app, as_user):
    """A batch prepared by the village operator is not "mine" for the branch staffer."""
    from app.extensions import db
    from app.models import EnrollmentBatch
    from app.services import worklists
    from tests.test_batches import new_batch

    batch_id = new_batch(app, as_user("oki"))
    with app.app_context():
        sm = app.appbuilder.sm
        sari, oki = sm.find_user(username="sari"), sm.find_user(username="oki")

        def mine(user) -> set[int]:
            clause = worklists.clause(
                db.session, EnrollmentBatch, "mine", "1", dt.date.today(), user.id
            )
            return set(db.session.scalars(db.select(EnrollmentBatch.id).where(clause)))

        assert batch_id in mine(oki)
        assert batch_id not in mine(sari)
