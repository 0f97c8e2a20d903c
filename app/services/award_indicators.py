"""The award's default indicators per category, with their (illustrative) weights, and labels.

No official Paritrana weights are published (domain.md section 3.3): each category's defaults add
up to 100, are labelled illustrative wherever they are shown, and admins edit them per period.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import AwardCategory
from app.services.award_figures import COMPANY_CLASSES

# (code, aspect, name, source, weight, relative) per category; each category's weights add up
# to 100. Aspects and names are data in Indonesian (the assessment's language); admins may edit
# the weights. The aspects follow what the press reports of the award (domain.md section 3.3).
REGION_INDICATORS = [
    ("wage_coverage", "Cakupan", "Pekerja penerima upah terlindungi / potensi", "computed", 15, False),  # noqa: E501
    ("informal_coverage", "Cakupan", "Pekerja bukan penerima upah terlindungi / potensi", "computed", 15, False),  # noqa: E501
    ("vulnerable_funded", "Perlindungan", "Pekerja rentan dibiayai APBD, APBDes, CSR", "computed", 10, True),  # noqa: E501
    ("villages_at_100", "Perlindungan", "Desa dengan 100 pekerja rentan terlindungi", "computed", 5, False),  # noqa: E501
    ("non_asn_coverage", "Perlindungan", "Pegawai non-ASN terlindungi / tercatat", "computed", 5, False),  # noqa: E501
    ("companies_compliant", "Kepatuhan", "Perusahaan yang mendaftarkan semua pekerjanya", "computed", 5, False),  # noqa: E501
    ("construction_registered", "Kepatuhan", "Proyek jasa konstruksi yang didaftarkan", "computed", 5, False),  # noqa: E501
    ("contributions_paid", "Kepatuhan", "Iuran terbayar / iuran jatuh tempo", "computed", 5, False),  # noqa: E501
    ("regulation", "Regulasi", "Peraturan daerah yang berlaku", "panel", 10, False),
    ("budget", "Anggaran", "Anggaran yang dialokasikan", "panel", 10, False),
    ("innovation", "Inovasi", "Inovasi kebijakan", "panel", 5, False),
    ("interview", "Wawancara", "Wawancara dengan tim penilai", "panel", 10, False),
]  # fmt: skip
COMPANY_INDICATORS = [
    ("workers_registered", "Kepesertaan", "Pekerja terdaftar / pekerja yang dilaporkan", "computed", 25, False),  # noqa: E501
    ("programs_complete", "Kepesertaan", "Pekerja dengan program JKK, JKM dan JHT", "computed", 15, False),  # noqa: E501
    ("contributions_paid", "Kepatuhan", "Iuran terbayar / iuran jatuh tempo", "computed", 20, False),  # noqa: E501
    ("administration", "Kepatuhan", "Tertib administrasi", "panel", 10, False),
    ("participation", "Kepedulian", "Kepedulian dan partisipasi aktif", "panel", 15, False),
    ("interview", "Wawancara", "Wawancara dengan tim penilai", "panel", 15, False),
]  # fmt: skip
CATEGORIES = (
    AwardCategory.PROVINCE,
    AwardCategory.REGENCY,
    AwardCategory.LARGE,
    AwardCategory.MEDIUM,
    AwardCategory.SMALL,
)
CATEGORY_LABELS = {
    AwardCategory.PROVINCE: _l("Provincial government"),
    AwardCategory.REGENCY: _l("Regency or city government"),
    AwardCategory.LARGE: _l("Large companies"),
    AwardCategory.MEDIUM: _l("Medium companies"),
    AwardCategory.SMALL: _l("Small and micro companies"),
}
FIGURE_LABELS = {
    "regencies": _l("Regencies and cities"),
    "wage_covered": _l("Wage earners covered"),
    "wage_potential": _l("Potential wage earners"),
    "informal_covered": _l("Informal and other workers covered"),
    "informal_potential": _l("Potential informal workers"),
    "vulnerable_funded": _l("Vulnerable workers funded by APBD, APBDes, CSR"),
    "villages": _l("Villages"),
    "villages_at_100": _l("Villages with 100 protected vulnerable workers"),
    "non_asn": _l("Non-ASN staff on record"),
    "non_asn_covered": _l("Non-ASN staff covered"),
    "companies": _l("Active companies"),
    "companies_compliant": _l("Companies that enrolled every declared worker"),
    "projects": _l("Construction projects with an SPK in the year"),
    "projects_registered": _l("Construction projects registered"),
    "contributions_due": _l("Contributions due in the year"),
    "contributions_paid": _l("Contributions paid (at most the bill)"),
    "declared": _l("Workers declared"),
    "enrolled": _l("Workers enrolled"),
    "full_programs": _l("Workers with JKK, JKM and JHT"),
}
WINNERS = 3  # ranks that receive a certificate (piagam)
# The category's code in a certificate number: the same in every language, like the number.
CATEGORY_CODES = {
    AwardCategory.PROVINCE: "PROV",
    AwardCategory.REGENCY: "KABKOTA",
    AwardCategory.LARGE: "BU-BESAR",
    AwardCategory.MEDIUM: "BU-MENENGAH",
    AwardCategory.SMALL: "BU-KECIL",
}


def certificate_number(year: int, category: str, rank: int, province_code: str | None) -> str:
    """A piagam's number: PRT/2026/KABKOTA/62/1 (the province only where ranks are per province)."""
    parts = ["PRT", str(year), CATEGORY_CODES[category], province_code, str(rank)]
    return "/".join(part for part in parts if part)


def indicator_table(category: str) -> list[tuple]:
    return COMPANY_INDICATORS if category in COMPANY_CLASSES else REGION_INDICATORS
