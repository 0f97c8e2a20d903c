"""The company page: its identity, and its workers under active cover and arrears read live."""

from __future__ import annotations

from app.models import Company
from tests.helpers import record_id, text_of


def test_the_company_page_shows_active_cover_and_arrears(app, as_user):
    pk = record_id(app, Company, name="CV Barito Jaya")
    page = text_of(as_user("budi").get(f"/companyview/show/{pk}"))
    assert "Pekerja dengan perlindungan aktif" in page
    assert "Tunggakan sampai bulan lalu" in page
    assert "CV Barito Jaya" in page


def test_the_company_page_of_another_regency_is_not_found(app, as_user):
    pk = record_id(app, Company, name="CV Barito Jaya")
    assert as_user("sari").get(f"/companyview/show/{pk}").status_code == 404
