"""Areas: the vendored Kemendagri data loads idempotently and ships with its licence."""

from __future__ import annotations

import pytest

from app.models import District, Regency, Village
from app.services import ServiceError
from app.services.areas import DATA_DIR, import_areas


def test_the_data_ships_with_its_odbl_licence_and_attribution():
    assert "Open Database License" in (DATA_DIR / "LICENSE.md").read_text()
    assert "idn-area-data" in (DATA_DIR / "SOURCE.md").read_text()


def test_a_second_import_adds_nothing(session):
    assert import_areas(session, provinces=["62"]) == {
        "provinces": 0,
        "regencies": 0,
        "districts": 0,
        "villages": 0,
    }


def test_the_four_regencies_of_the_source_articles_are_there(session):
    import_areas(session, provinces=["61"])
    names = dict(
        session.query(Regency.code, Regency.name)
        .filter(Regency.code.in_(["61.06", "62.03", "62.05", "62.71"]))
        .all()
    )
    assert names == {
        "61.06": "Kabupaten Kapuas Hulu",
        "62.03": "Kabupaten Kapuas",
        "62.05": "Kabupaten Barito Utara",
        "62.71": "Kota Palangkaraya",
    }


def test_villages_know_their_district_and_regency(session):
    village = session.query(Village).filter_by(code="62.03.01.2011").one()
    assert village.district.code == "62.03.01"
    assert village.regency.code == "62.03"
    assert not village.is_kelurahan


def test_a_renamed_area_is_updated_in_place(session):
    district = session.query(District).filter_by(code="62.03.01").one()
    district.name = "Nama Lama"
    session.flush()
    import_areas(session, provinces=["62"])
    session.refresh(district)
    assert district.name == "Selat"


def test_an_unknown_province_is_refused(session):
    with pytest.raises(ServiceError):
        import_areas(session, provinces=["99"])


def test_staff_browse_their_regencys_villages_with_codes(as_user):
    page = as_user("sari").get("/villageview/list/?_flt_0_code=62.03.01").get_data(as_text=True)
    assert "62.03.01.2011" in page and "Pulau Telo" in page
