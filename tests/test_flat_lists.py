"""Lists stay flat with the data: the count stops at a cap, the pages at the cap's last page,
and a list page costs a small, fixed number of SQL statements."""

from __future__ import annotations

import re

import pytest

from app.views import base
from tests.helpers import count_queries, text_of

LIST_PAGES = ["/workerview/list/", "/companyview/list/", "/enrollmentview/list/"]


@pytest.mark.parametrize("username", ["admin", "sari"])
@pytest.mark.parametrize("path", LIST_PAGES)
def test_a_list_page_needs_at_most_eight_statements(app, as_user, username, path):
    client = as_user(username)
    client.get(path)  # the session's once-a-minute "last seen" is written now, not below
    with count_queries(app) as seen:
        assert client.get(path).status_code == 200
    assert len(seen) <= 8, "\n".join(seen)


def test_the_count_stops_at_the_cap(app, as_user):
    with count_queries(app) as seen:
        as_user("admin").get("/workerview/list/?psize_WorkerView=1")  # a full first page
    counts = [s for s in seen if "count(" in s.lower()]
    assert counts and all("LIMIT" in s.upper() for s in counts)


def test_a_search_that_fills_less_than_a_page_is_not_counted(app, as_user):
    client = as_user("admin")
    with count_queries(app) as seen:
        page = client.get("/workerview/list/?_flt_2_name=Yohanes+Ngabut")
    assert "Yohanes Ngabut" in text_of(page)
    assert not [s for s in seen if s.lower().lstrip().startswith("select count(")]
    assert len([s for s in seen if "from worker" in s.lower()]) == 1


def test_a_searched_page_and_its_count_are_read_in_one_statement(app, as_user, monkeypatch):
    """A search that fills pages: the matches are read once, for the page and the count."""
    monkeypatch.setattr(base, "COUNT_CAP", 2_500)
    client = as_user("admin")
    with count_queries(app) as seen:
        page = client.get("/workerview/list/?_flt_2_name=a&psize_WorkerView=1")
    reads = [s for s in seen if "from worker" in s.lower()]
    assert len(reads) == 1 and "with found as" in reads[0].lower()
    assert "Jumlah Data" in text_of(page)


def test_a_searched_page_follows_the_lists_order(app, as_user):
    """The page cut from the matches is the same page the ordinary query gives."""
    from app.extensions import db
    from app.models import Worker

    with app.app_context():
        names = sorted(
            (w.name, w.id) for w in db.session.query(Worker).filter(Worker.name.ilike("%a%"))
        )
    client = as_user("admin")
    shown = []
    for number in range(2):
        html = text_of(
            client.get(
                f"/workerview/list/?_flt_2_name=a&psize_WorkerView=2&page_WorkerView={number}"
                "&_oc_WorkerView=name&_od_WorkerView=asc"
            )
        )
        shown += [int(x) for x in re.findall(r'/workerview/show/(\d+)"', html)]
    expected = [pk for _name, pk in names[:4]]
    assert [pk for pk in dict.fromkeys(shown)] == expected


def test_a_list_longer_than_the_cap_says_more_than(app, as_user, monkeypatch):
    monkeypatch.setattr(base, "COUNT_CAP", 2)
    page = text_of(as_user("admin").get("/workerview/list/"))
    assert "lebih dari 2" in page


def test_a_page_beyond_the_cap_shows_the_last_page_within_it(app, as_user, monkeypatch):
    monkeypatch.setattr(base, "COUNT_CAP", 2)
    client = as_user("admin")
    deep = client.get("/workerview/list/?psize_WorkerView=1&page_WorkerView=4999")
    last = client.get("/workerview/list/?psize_WorkerView=1&page_WorkerView=2")
    assert deep.status_code == 200
    rows = [line for line in text_of(deep).splitlines() if "/workerview/show/" in line]
    assert rows == [line for line in text_of(last).splitlines() if "/workerview/show/" in line]


def test_a_short_list_shows_its_exact_count(app, as_user):
    page = as_user("sari").get("/workerview/list/").get_data(as_text=True)
    assert "lebih dari" not in page


def _indexes(app) -> dict[str, str]:
    """Index name -> definition, as the database holds them."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes"))
        else:
            rows = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            )
        return {name: definition for name, definition in rows}


@pytest.mark.parametrize(
    "index, columns",
    [
        ("ix_worker_name_id", "(name, id)"),
        ("ix_worker_regency_name_id", "(regency_id, name, id)"),
        ("ix_enrollment_end_date", "(end_date)"),
        ("ix_enrollment_worker_status", "(worker_id, status)"),
    ],
)
def test_the_lists_order_and_the_home_pages_dates_have_indexes(app, index, columns):
    definition = _indexes(app)[index].replace('"', "")
    assert definition.endswith(columns)


def test_name_search_has_a_trigram_index_on_postgresql(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("trigram indexes are PostgreSQL's")
    assert "gin (name gin_trgm_ops)" in _indexes(app)["ix_worker_name_trgm"]


@pytest.fixture
def no_figures(app):
    """No kept coverage figures (a worker process of another test may have counted some)."""
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import CoverageFigure

    with app.app_context():
        db.session.execute(delete(CoverageFigure))
        db.session.commit()


@pytest.mark.parametrize("username", ["admin", "sari", "budi", "oki", "dodi"])
def test_workers_without_cover_is_the_anti_join_figure(app, no_figures, username):
    """The home page's two counts give what the plain anti-join gives, at every scope level."""
    from sqlalchemy import exists, func, not_, select

    from app.extensions import db
    from app.models import Enrollment, Worker
    from app.scope import scope_for_user
    from app.services.dashboard import workers_without_cover

    with app.app_context():
        scope = scope_for_user(app.appbuilder.sm.find_user(username=username))
        active = select(Enrollment.id).where(
            Enrollment.worker_id == Worker.id, Enrollment.status == "active"
        )
        expected = db.session.scalar(
            select(func.count())
            .select_from(Worker)
            .where(Worker.scope_clause(scope), not_(exists(active)))
        )
        assert workers_without_cover(db.session, scope) == (expected, None)  # counted live
        covered = db.session.scalar(
            select(func.count())
            .select_from(Worker)
            .where(Worker.scope_clause(scope), exists(active))
        )
        assert covered > 0 or username not in ("admin", "budi")  # not trivially all workers


@pytest.fixture
def figures(app):
    """Coverage figures counted now; removed afterwards (other tests read the live count)."""
    import datetime as dt

    from sqlalchemy import delete

    from app.extensions import db
    from app.models import CoverageFigure
    from app.services.dashboard import refresh_coverage

    with app.app_context():
        refresh_coverage(db.session, dt.datetime.now(dt.UTC))
    yield
    with app.app_context():
        db.session.execute(delete(CoverageFigure))
        db.session.commit()


@pytest.mark.parametrize("username", ["admin", "sari", "budi"])
def test_the_kept_figures_equal_the_live_count(app, figures, username):
    from app.extensions import db
    from app.scope import scope_for_user
    from app.services.dashboard import _uncovered_now, workers_without_cover

    with app.app_context():
        scope = scope_for_user(app.appbuilder.sm.find_user(username=username))
        kept, as_of = workers_without_cover(db.session, scope)
        assert as_of is not None
        assert kept == _uncovered_now(db.session, scope)


def test_a_village_is_counted_live(app, figures):
    from app.extensions import db
    from app.scope import scope_for_user
    from app.services.dashboard import workers_without_cover

    with app.app_context():
        scope = scope_for_user(app.appbuilder.sm.find_user(username="oki"))
        assert workers_without_cover(db.session, scope)[1] is None


def test_the_home_page_says_when_a_kept_figure_was_counted(app, figures, as_user):
    assert "Dihitung pada" in text_of(as_user("sari").get("/"))


def test_without_kept_figures_the_home_page_counts_live(app, no_figures, as_user):
    assert "Dihitung pada" not in text_of(as_user("sari").get("/"))


def test_a_supervisor_sees_the_batches_waiting_and_the_tile_opens_exactly_those(app, as_user):
    """Each home tile opens the list filtered to what it counts (issue 15, worklists)."""
    import re

    from app.extensions import db
    from app.models import EnrollmentBatch
    from app.scope import scope_for_user
    from app.services.dashboard import _count
    from tests.test_batches import csv_file, new_batch, person, upload

    oki = as_user("oki")  # a village operator of Kapuas submits a batch to the branch
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person()]))
    oki.post(f"/batchview/submit/{batch_id}")
    client = as_user("vina")
    home = client.get("/").get_data(as_text=True)
    assert "Batch menunggu keputusan Anda" in home
    link = re.search(r'href="(/batchview/list/\?_flt_3_status=submitted)"', home)
    assert link, "the tile links to the filtered list"
    with app.app_context():
        scope = scope_for_user(app.appbuilder.sm.find_user(username="vina"))
        waiting = _count(db.session, EnrollmentBatch, scope, EnrollmentBatch.status == "submitted")
        titles = [
            b.title
            for b in db.session.query(EnrollmentBatch).filter(
                EnrollmentBatch.scope_clause(scope), EnrollmentBatch.status == "submitted"
            )
        ]
    assert waiting > 0
    listed = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(re.findall(r'href="/batchview/show/\d+"', listed)) == min(waiting, 25)
    for title in titles[:25]:
        assert title in listed
