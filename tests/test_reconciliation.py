"""Reconciliation with a BPJS branch extract: matching, worklist, idempotence, scope, refusals."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    Company,
    Contribution,
    Discrepancy,
    Enrollment,
    ReconciliationRun,
    Worker,
)
from app.services import reconciliation
from tests.helpers import text_of, unique_nik
from tests.world import BARUT_VILLAGE, KAPUAS_VILLAGE, add_worker, regency

P1, P2 = dt.date(2031, 1, 1), dt.date(2031, 2, 1)
HEADER = "NPP,KPJ,NIK,Nama,Status,Tagihan,Dibayar,Periode"
_SERIAL = itertools.count(1)


def _worker(session, name, company, *, kpj=None, enrolled="active", village=KAPUAS_VILLAGE):
    nik, born = unique_nik(village.rsplit(".", 1)[0])
    worker = Worker(
        nik=nik,
        name=name,
        birth_date=born,
        sex="M",
        village_id=add_worker.__globals__["village"](session, village).id,
        regency_id=company.regency_id,
        segment="pu",
        company=company,
        kpj=kpj,
    )
    session.add(worker)
    session.flush()
    if enrolled:
        session.add(
            Enrollment(
                worker=worker,
                regency_id=company.regency_id,
                start_date=dt.date(2030, 1, 1),
                end_date=None if enrolled == "active" else dt.date(2030, 6, 30),
                status=enrolled,
                payer_type="employer",
                company=company,
                declared_wage=3_000_000,
                monthly_contribution=100_000,
            )
        )
    return worker


@pytest.fixture
def case(app):
    """A Kapuas company of its own with one worker per expected finding, the extract's rows,
    and a Barito Utara worker of another company."""
    n = next(_SERIAL)
    tag = f"{dt.datetime.now().microsecond:06d}{n:02d}"
    with app.app_context():
        s = db.session
        kapuas, barut = regency(s, "62.03"), regency(s, "62.05")
        company = Company(name=f"PT Rekon {tag}", npp=f"RK{tag}", regency=kapuas)
        other = Company(name=f"CV Rekon Barut {tag}", npp=f"RB{tag}", regency=barut)
        s.add_all([company, other])
        s.flush()
        w = {
            "ok": _worker(s, "Yohana O'Neil", company, kpj=f"11{tag}"),
            "unknown": _worker(s, "Agus Tidak Terdaftar", company),
            "ended": _worker(s, "Budi Berhenti", company, enrolled="ended"),
            "unpaid": _worker(s, "Citra Menunggak", company),
            "unrecorded": _worker(s, "Dedi Bayar", company),
            "name": _worker(s, "Dewi Susanti", company),
            "kpj": _worker(s, "Eko Tanpa Kpj", company),
            "kpj_taken": _worker(s, "Fajar Kpj Dipakai", company),
            "barut": _worker(s, "Rahmat Barito Rekon", other, village=BARUT_VILLAGE),
        }
        s.add(
            Contribution(
                payer_key=f"company:{company.id}",
                company_id=company.id,
                regency_id=kapuas.id,
                period=P1,
                amount_due=800_000,
                amount_paid=800_000,
            )
        )
        s.commit()
        ids = {k: v.id for k, v in w.items()}
        niks = {k: v.nik for k, v in w.items()}
        stranger, _born = unique_nik("62.03.01")
        npp, npp_b = company.npp, other.npp
    rows = [
        # the worker whose records agree (the name differs only in case, spaces, punctuation)
        [npp, f"11{tag}", niks["ok"], "  YOHANA   o neil ", "Aktif", 100000, 100000, "2031-01"],
        [npp, "", niks["ended"], "Budi Berhenti", "Aktif", 100000, 100000, "2031-01"],
        [npp, "", niks["unpaid"], "Citra Menunggak", "Aktif", 100000, 0, "2031-01"],
        [npp, "", niks["unrecorded"], "Dedi Bayar", "Aktif", 100000, 100000, "02/2031"],
        [npp, "", niks["name"], "Dewi Susanto", "Aktif", 100000, 100000, "2031-01"],
        [npp, f"22{tag}", niks["kpj"], "Eko Tanpa Kpj", "Aktif", 100000, 100000, "2031-01"],
        [npp, f"11{tag}", niks["kpj_taken"], "Fajar Kpj Dipakai", "Aktif", 100000, 100000, P1],
        [npp_b, "", niks["barut"], "Rahmat Barito Rekon", "Aktif", 100000, 0, "2031-01"],
        [npp, "", stranger, "Orang Asing", "Aktif", 100000, 100000, "2031-01"],
    ]
    expected = {
        ("unknown", ids["unknown"]),
        ("ended_here", ids["ended"]),
        ("unpaid", ids["unpaid"]),
        ("unrecorded", ids["unrecorded"]),
        ("name", ids["name"]),
    }
    yield {"ids": ids, "niks": niks, "rows": rows, "expected": expected, "tag": tag}


def _csv(rows) -> bytes:
    lines = [HEADER] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append([c if isinstance(c, int | dt.date) else str(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name="ekstrak.csv"):
    return client.post(
        "/reconciliation/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _found(app, ids) -> set[tuple[str, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(Discrepancy.kind, Discrepancy.worker_id).where(
                Discrepancy.worker_id.in_(ids.values())
            )
        ).all()
        return {(r.kind, r.worker_id) for r in rows}


def _last_run(app) -> ReconciliationRun:
    with app.app_context():
        run = db.session.scalars(
            select(ReconciliationRun).order_by(ReconciliationRun.id.desc())
        ).first()
        if run is not None:
            db.session.expunge(run)
        return run


def test_an_extract_finds_exactly_its_known_discrepancies(app, as_user, case):
    response = _upload(as_user("sari"), _csv(case["rows"]))
    assert response.status_code == 200
    run = _last_run(app)
    assert run.status == "done", run.error
    assert (run.rows_total, run.outside, run.not_found, run.kpj_filled) == (9, 1, 1, 1)
    assert run.matched == 7
    assert _found(app, case["ids"]) == case["expected"]


def test_the_amounts_and_names_of_a_discrepancy_are_those_of_the_extract(app, as_user, case):
    _upload(as_user("sari"), _csv(case["rows"]))
    with app.app_context():
        unpaid = db.session.scalars(
            select(Discrepancy).where(Discrepancy.worker_id == case["ids"]["unpaid"])
        ).one()
        assert (unpaid.period, unpaid.billed, unpaid.paid) == (P1, 100_000, 0)
        name = db.session.scalars(
            select(Discrepancy).where(Discrepancy.worker_id == case["ids"]["name"])
        ).one()
        assert (name.name_here, name.name_bpjs) == ("Dewi Susanti", "Dewi Susanto")


def test_names_are_compared_without_case_spaces_or_punctuation():
    assert reconciliation.normalise_name("  YOHANA   o neil ") == "yohana o neil"
    assert reconciliation.normalise_name("Yohana O'Neil") == "yohana o neil"
    assert reconciliation.normalise_name("Dewi Susanti") != "dewi susanto"


def test_reimporting_the_same_file_is_refused_and_changes_nothing(app, as_user, case):
    sari = as_user("sari")
    data = _csv(case["rows"])
    _upload(sari, data)
    first = _last_run(app)
    response = _upload(sari, data)
    assert "sudah diimpor" in text_of(response)
    assert _last_run(app).id == first.id
    assert _found(app, case["ids"]) == case["expected"]


def test_the_same_content_in_another_file_adds_nothing(app, as_user, case):
    sari = as_user("sari")
    _upload(sari, _csv(case["rows"]))
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Discrepancy))
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    _upload(sari, _xlsx(case["rows"]), "ekstrak.xlsx")
    run = _last_run(app)
    assert run.status == "done", run.error
    assert (run.found, run.kpj_filled, run.matched) == (0, 0, 7)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Discrepancy)) == before
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audits


def test_a_kpj_is_filled_in_only_when_the_match_is_certain(app, as_user, case):
    _upload(as_user("sari"), _csv(case["rows"]))
    ids, tag = case["ids"], case["tag"]
    with app.app_context():
        assert db.session.get(Worker, ids["kpj"]).kpj == f"22{tag}"
        # the extract gives this worker a KPJ another worker holds: left empty
        assert db.session.get(Worker, ids["kpj_taken"]).kpj is None
        assert db.session.get(Worker, ids["ok"]).kpj == f"11{tag}"
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "Worker", AuditEvent.entity_id == str(ids["kpj"])
            )
        ).all()
        fills = [e for e in events if "reconciliation" in (e.changes or "")]
        assert len(fills) == 1
        assert json.loads(fills[0].changes)["kpj"] == [None, f"22{tag}"]
        assert fills[0].username == "sari"


def test_resolving_needs_a_note_and_leaves_an_audit_row(app, as_user, case):
    sari = as_user("sari")
    _upload(sari, _csv(case["rows"]))
    with app.app_context():
        item = db.session.scalars(
            select(Discrepancy).where(Discrepancy.worker_id == case["ids"]["unpaid"])
        ).one()
        pk = item.id
    page = sari.post(f"/reconciliation/resolve/{pk}", data={"note": "  "}, follow_redirects=True)
    assert "Tulis catatan" in text_of(page)
    with app.app_context():
        assert db.session.get(Discrepancy, pk).status == "open"
    sari.post(f"/reconciliation/resolve/{pk}", data={"note": "Sudah dibayar 3 Feb"})
    with app.app_context():
        item = db.session.get(Discrepancy, pk)
        assert (item.status, item.note) == ("resolved", "Sudah dibayar 3 Feb")
        event = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "Discrepancy", AuditEvent.entity_id == str(pk)
            )
        ).one()
        assert event.action == "resolve" and event.username == "sari"
    link = f'/reconciliation/resolve/{pk}"'
    assert link not in text_of(sari.get("/reconciliation/worklist?kind=unpaid"))
    assert "Sudah dibayar 3 Feb" in text_of(sari.get("/reconciliation/worklist?status=resolved"))


def test_a_row_outside_the_work_area_is_counted_never_named(app, as_user, case):
    sari = as_user("sari")
    _upload(sari, _csv(case["rows"]))
    run = _last_run(app)
    page = text_of(sari.get(f"/reconciliation/run/{run.id}"))
    assert "Di luar wilayah kerja Anda" in page
    everything = page + text_of(sari.get("/reconciliation/worklist?status=all"))
    assert "Rahmat Barito Rekon" not in everything
    assert case["niks"]["barut"] not in everything
    assert ("unpaid", case["ids"]["barut"]) not in _found(app, case["ids"])


def test_another_branch_sees_neither_the_import_nor_its_discrepancies(app, as_user, case):
    _upload(as_user("sari"), _csv(case["rows"]))
    run = _last_run(app)
    budi = as_user("budi")
    assert budi.get(f"/reconciliation/run/{run.id}").status_code == 404
    assert "Citra Menunggak" not in text_of(budi.get("/reconciliation/worklist?status=all"))
    with app.app_context():
        pk = db.session.scalars(
            select(Discrepancy.id).where(Discrepancy.worker_id == case["ids"]["unpaid"])
        ).one()
    assert budi.post(f"/reconciliation/resolve/{pk}", data={"note": "x"}).status_code == 404


def test_the_auditor_reads_the_worklist_with_niks_masked_and_cannot_act(app, as_user, case):
    _upload(as_user("sari"), _csv(case["rows"]))
    ani = as_user("ani")
    page = text_of(ani.get("/reconciliation/worklist?kind=unpaid"))
    nik = case["niks"]["unpaid"]
    assert "Citra Menunggak" in page
    assert nik not in page and nik[:6] + "******" + nik[12:] in page
    assert nik in text_of(as_user("sari").get("/reconciliation/worklist?kind=unpaid"))
    before = _last_run(app).id
    ani.post("/reconciliation/upload", data={"file": (io.BytesIO(b"x"), "a.csv")})
    assert _last_run(app).id == before
    with app.app_context():
        pk = db.session.scalars(
            select(Discrepancy.id).where(Discrepancy.worker_id == case["ids"]["unpaid"])
        ).one()
    ani.post(f"/reconciliation/resolve/{pk}", data={"note": "x"})
    with app.app_context():
        assert db.session.get(Discrepancy, pk).status == "open"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: [r[:2] + r[3:] for r in rows], "tidak memiliki kolom"),
        (lambda rows: [[*r[:2], "1234", *r[3:]] for r in rows], "NIK tidak valid"),
        (lambda rows: [[*r[:7], "Januari"] for r in rows], "periode"),
    ],
    ids=["wrong-columns", "bad-nik", "bad-period"],
)
def test_a_bad_extract_is_refused_with_a_reason_and_changes_nothing(
    app, as_user, case, change, message
):
    rows = change(case["rows"])
    data = _csv(rows)
    if "tidak memiliki kolom" in message:
        data = data.replace(b"NIK,", b"", 1)
    sari = as_user("sari")
    page = text_of(_upload(sari, data))
    assert message in page
    run = _last_run(app)
    assert run.status == "failed" and message in run.error
    assert _found(app, case["ids"]) == set()
    with app.app_context():
        assert db.session.get(Worker, case["ids"]["kpj"]).kpj is None


def test_a_file_of_another_type_or_too_big_is_refused_at_upload(app, as_user, case, monkeypatch):
    sari = as_user("sari")
    before = _last_run(app)
    assert "CSV atau XLSX" in text_of(_upload(sari, _csv(case["rows"]), "ekstrak.txt"))
    monkeypatch.setattr(reconciliation, "MAX_BYTES", 100)
    assert "lebih besar dari" in text_of(_upload(sari, _csv(case["rows"])))
    after = _last_run(app)
    assert (after and after.id) == (before and before.id)


def test_an_import_whose_worker_died_reads_and_is_recorded_as_failed(app, as_user):
    with app.app_context():
        s = db.session
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        run = ReconciliationRun(
            regency_id=regency(s, "62.03").id,
            area=str(regency(s, "62.03").id),
            file_name="mati.csv",
            file_sha256="0" * 64,
            status="running",
            rows_done=5,
            rows_total=10,
            requested_at=long_ago,
            heartbeat_at=long_ago,
            matched=0,
            not_found=0,
            outside=0,
            found=0,
            kpj_filled=0,
        )
        s.add(run)
        s.commit()
        pk = run.id
    assert as_user("sari").get(f"/reconciliation/progress/{pk}").get_json()["status"] == "failed"
    with app.app_context():
        assert reconciliation.fail_stale_runs(db.session, dt.datetime.now(dt.UTC)) >= 1
        assert db.session.get(ReconciliationRun, pk).status == "failed"


def test_the_worklist_filters_by_kind_and_the_supervisor_resolves(app, as_user, case):
    _upload(as_user("sari"), _csv(case["rows"]))
    with app.app_context():
        pks = dict(
            db.session.execute(
                select(Discrepancy.kind, Discrepancy.id).where(
                    Discrepancy.worker_id.in_(case["ids"].values())
                )
            ).all()
        )
    vina = as_user("vina")
    names = text_of(vina.get("/reconciliation/worklist?kind=name"))
    assert f'/resolve/{pks["name"]}"' in names and f'/resolve/{pks["unpaid"]}"' not in names
    vina.post(f"/reconciliation/resolve/{pks['name']}", data={"note": "Nama dikoreksi di SIPP"})
    with app.app_context():
        assert db.session.get(Discrepancy, pks["name"]).status == "resolved"
    assert f'/resolve/{pks["name"]}"' not in text_of(vina.get("/reconciliation/worklist?kind=name"))
