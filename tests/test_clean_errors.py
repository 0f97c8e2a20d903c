"""Clean errors and logs for operators (issue 13, points 4 and 5): refusals in Indonesian, a
database outage as 503 with Retry-After, an unforeseen error as a page with a reference number
and no traceback, and log lines that say when, how bad, which request and whom, but carry no
personal data."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Village, Worker
from tests.helpers import record_id, unique_nik
from tests.test_api import token
from tests.world import KAPUAS_VILLAGE


def _worker_form(app, **changes) -> dict:
    nik, born = unique_nik()
    form = {
        "nik": nik,
        "name": f"Uji Galat {uuid.uuid4().hex[:6]}",
        "birth_date": born.isoformat(),
        "sex": "M",
        "village": str(record_id(app, Village, code=KAPUAS_VILLAGE)),
        "segment": "bpu",
    }
    return form | changes


def _count(app, name: str) -> int:
    with app.app_context():
        return db.session.query(Worker).filter_by(name=name).count()


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f"])
def test_a_control_character_in_a_form_field_is_refused_in_indonesian(app, as_user, character):
    form = _worker_form(app)
    form["address"] = f"Jalan Sungai{character}Kapuas"
    response = as_user("sari").post("/workerview/add", data=form)
    assert response.status_code == 400
    assert "karakter kontrol" in response.get_data(as_text=True)
    assert _count(app, form["name"]) == 0


def test_a_tab_or_line_break_in_a_text_field_is_no_control_character(app, as_user):
    form = _worker_form(app, address="Jalan Sungai\r\nKapuas\tRT 2")
    response = as_user("sari").post("/workerview/add", data=form)
    assert response.status_code == 302
    assert _count(app, form["name"]) == 1


def test_a_control_character_in_an_api_body_is_refused(app, client):
    headers = token(client, "sari")
    response = client.post("/api/v1/worker/", json={"name": "Uji\x07Bel"}, headers=headers)
    assert response.status_code == 400
    assert "karakter" in response.get_json()["message"]


def test_a_too_long_name_is_refused_in_indonesian_on_the_form(app, as_user):
    form = _worker_form(app, name="A" * 300)
    page = as_user("sari").post("/workerview/add", data=form).get_data(as_text=True)
    assert "karakter" in page and "characters" not in page
    assert _count(app, form["name"]) == 0


def test_api_validation_messages_are_in_indonesian(app, client):
    headers = token(client, "sari")
    response = client.post("/api/v1/worker/", json={"name": "A" * 300}, headers=headers)
    assert response.status_code in (400, 422)
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert "Paling banyak" in text and "wajib diisi" in text
    assert "Longer than" not in text and "Missing data" not in text


def test_an_unknown_api_record_answers_in_indonesian(client):
    response = client.get("/api/v1/worker/999999", headers=token(client, "sari"))
    assert response.status_code == 404
    assert response.get_json()["message"] == "Tidak ditemukan."


def test_a_database_outage_gives_an_indonesian_503_page(app, as_user, client):
    sari = as_user("sari")
    api = token(client, "sari")
    with _outage(app):
        page = sari.get("/workerview/list/")
        answer = client.get("/api/v1/worker/", headers=api)
    assert page.status_code == 503
    assert "Layanan sedang tidak tersedia, coba lagi sebentar" in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) > 0
    assert "Traceback" not in page.get_data(as_text=True)
    assert answer.status_code == 503
    assert answer.get_json()["message"].startswith("Layanan sedang tidak tersedia")
    assert int(answer.headers["Retry-After"]) > 0
    assert sari.get("/workerview/list/").status_code == 200  # back when the database is


class _outage:
    def __init__(self, app):
        self.app = app

    def _refuse(self, *_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._refuse)

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._refuse)


def test_an_unforeseen_error_shows_a_reference_and_no_traceback(app, as_user, monkeypatch, caplog):
    nik = unique_nik()[0]

    def _broken(*_args, **_kwargs):
        raise RuntimeError(f"cannot read worker {nik}")

    monkeypatch.setattr("app.views.home.tasks_for", _broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    with caplog.at_level(logging.ERROR):
        response = as_user("sari").get("/", headers={"X-Request-ID": "uji-500-a1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "uji-500-a1" in body and "Terjadi kesalahan" in body
    assert "Traceback" not in body and "RuntimeError" not in body and nik not in body
    assert response.headers["X-Request-ID"] == "uji-500-a1"
    failures = [r for r in caplog.records if getattr(r, "request_id", None) == "uji-500-a1"]
    assert failures and failures[0].levelname == "ERROR"
    assert failures[0].user_id is not None and failures[0].path == "/"
    assert nik not in caplog.text


def test_a_request_without_an_id_gets_one(client):
    first = client.get("/login/").headers["X-Request-ID"]
    second = client.get("/login/").headers["X-Request-ID"]
    assert first and second and first != second


def test_a_hostile_request_id_is_replaced(client):
    sent = "x" * 100 + "<script>"
    assert client.get("/login/", headers={"X-Request-ID": sent}).headers["X-Request-ID"] != sent


def store_twice(_app, nik, name, born, phone, village) -> None:
    """A job that stores the same worker twice: the second fails on the NIK's unique key."""
    for _ in range(2):
        db.session.add(
            Worker(
                nik=nik,
                name=name,
                birth_date=dt.date.fromisoformat(born),
                sex="M",
                phone=phone,
                village_id=village,
                segment="bpu",
            )
        )
        db.session.flush()


def test_a_failed_background_job_is_logged_with_its_id_and_without_personal_data(app, caplog):
    from app import background

    nik, born = unique_nik()
    name, phone = f"Rahasia {uuid.uuid4().hex[:6]}", "081234567890"
    village = record_id(app, Village, code=KAPUAS_VILLAGE)
    with app.test_request_context(), caplog.at_level(logging.DEBUG):
        background.submit("checks", store_twice, nik, name, born.isoformat(), phone, village)
    failed = [r for r in caplog.records if "background job" in r.getMessage()]
    assert failed and failed[0].levelname == "ERROR"
    assert failed[0].request_id.startswith("job-checks-")
    logged = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    for secret in (nik, name, phone, born.isoformat()):
        assert secret not in logged
    assert _count(app, name) == 0  # the failed job left nothing behind


def test_json_log_lines_carry_time_level_request_user_and_path(app):
    from app.logs import JsonLines

    record = logging.getLogger("uji").makeRecord(
        "uji", logging.WARNING, __file__, 1, "Worker 6203015005900001 refused", None, None
    )
    line = json.loads(JsonLines().format(record))
    assert set(line) >= {"time", "level", "logger", "request_id", "user_id", "path", "message"}
    assert line["level"] == "WARNING" and line["time"].endswith("+00:00")
    assert "6203015005900001" not in line["message"]
