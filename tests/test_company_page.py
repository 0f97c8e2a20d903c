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


def test_the_company_page_leads_to_its_contributions_and_projects(app, as_user):
    pk = record_id(app, Company, name="CV Barito Jaya")
    page = as_user("budi").get(f"/companyview/show/{pk}").get_data(as_text=True)
    assert 'href="#ContributionView" data-toggle="tab" data-tab-link' in page
    assert 'href="#ConstructionProjectView" data-toggle="tab" data-tab-link' in page
    assert 'id="ContributionView"' in page and 'id="ConstructionProjectView"' in page


def test_the_permit_officer_goes_from_the_company_to_its_verdict(app, as_user):
    pk = record_id(app, Company, name="PT Sawit Kapuas Lestari")
    client = as_user("putri")
    page = client.get(f"/companyview/show/{pk}").get_data(as_text=True)
    assert f'href="/permitdesk/?company={pk}"' in page
    verdict = client.get(f"/permitdesk/?company={pk}")
    assert verdict.status_code == 200
    assert "PT Sawit Kapuas Lestari" in text_of(verdict)


def test_a_related_list_the_user_may_not_list_is_not_shown(app, as_user, monkeypatch):
    """The safe default: a related list appears only for users with its list permission."""
    pk = record_id(app, Company, name="CV Barito Jaya")
    client = as_user("budi")
    sm = app.appbuilder.sm
    allowed = sm.has_access

    def _no_contributions(permission, view_name):
        if view_name == "ContributionView":
            return False
        return allowed(permission, view_name)

    monkeypatch.setattr(sm, "has_access", _no_contributions)
    page = client.get(f"/companyview/show/{pk}").get_data(as_text=True)
    assert 'id="ContributionView"' not in page
    assert 'id="ConstructionProjectView"' in page
