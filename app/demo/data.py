"""The demo data set's reference tables (places, names, businesses) and its random source."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from app.roles import ADMIN, AUDITOR, BRANCH_STAFF, OPERATOR, PERMIT_OFFICER, SUPERVISOR
from app.services.identifiers import make_nik


@dataclass(frozen=True)
class DemoRegency:
    code: str
    branch: tuple[str, str, str]  # code, name, address
    wage_earners: int
    informal: int
    vulnerable_programs: tuple[str, ...]


REGENCIES = [
    DemoRegency(
        "61.06",
        ("KPH", "Kapuas Hulu", "Jl. Kom. Yos Sudarso, Putussibau"),
        52_000,
        43_000,
        ("jkk", "jkm"),
    ),
    DemoRegency(
        "62.03",
        ("KPS", "Kapuas", "Jl. Tambun Bungai, Kuala Kapuas"),
        70_000,
        83_000,
        ("jkk", "jkm"),
    ),
    DemoRegency(
        "62.05",
        ("MTW", "Muara Teweh", "Jl. Yetro Sinseng, Muara Teweh"),
        38_000,
        31_000,
        ("jkk", "jkm", "jht"),
    ),
    DemoRegency(
        "62.71",
        ("PLK", "Palangka Raya", "Jl. Tjilik Riwut Km 1, Palangka Raya"),
        50_903,
        38_685,
        ("jkk", "jkm"),
    ),
]
OPDS = [
    ("Dinas Sosial", "dinas"),
    ("Dinas Pemberdayaan Masyarakat dan Desa", "dinas"),
    ("Dinas Tenaga Kerja dan Transmigrasi", "dinas"),
    ("Dinas Penanaman Modal dan PTSP", "dinas"),
    ("Dinas Pendidikan", "dinas"),
    ("Badan Kepegawaian dan Pengembangan SDM", "badan"),
    ("Sekretariat Daerah", "sekretariat"),
]
GIVEN_M = [
    "Agustinus",
    "Yohanes",
    "Rahmat",
    "Budi",
    "Dedi",
    "Eko",
    "Fransiskus",
    "Hendra",
    "Ilham",
    "Joko",
    "Kristianus",
    "Lukas",
    "Muhammad",
    "Nanang",
    "Paulus",
    "Riduan",
    "Samuel",
    "Teguh",
    "Usop",
    "Wahyu",
    "Yusuf",
    "Arif",
    "Bambang",
    "Darius",
]
GIVEN_F = [
    "Siti",
    "Maria",
    "Dewi",
    "Elisabet",
    "Fitri",
    "Hana",
    "Indah",
    "Juliana",
    "Kartini",
    "Lestari",
    "Marlina",
    "Nurul",
    "Oktaviani",
    "Putri",
    "Rina",
    "Sri",
    "Tuti",
    "Veronika",
    "Wulan",
    "Yuliana",
    "Agnes",
    "Bertha",
    "Citra",
    "Delima",
]
FAMILY = [
    "Ngabut",
    "Tingang",
    "Ajang",
    "Hidayat",
    "Saputra",
    "Lestari",
    "Nyahu",
    "Pahandut",
    "Dohong",
    "Kasongan",
    "Sihombing",
    "Wijaya",
    "Rahman",
    "Setiawan",
    "Kurniawan",
    "Gunawan",
    "Bahen",
    "Mihing",
    "Usup",
    "Pranata",
    "Anyang",
    "Uneng",
    "Tuah",
    "Jaya",
]
BUSINESSES = [
    # name pattern, KBLI, risk group, size weights (micro, small, medium, large)
    ("PT Sawit {place} Lestari", "01262", 3, (0, 1, 3, 3)),
    ("PT Pabrik Kelapa Sawit {place}", "10432", 4, (0, 0, 2, 3)),
    ("CV Karya Bangun {place}", "41011", 4, (1, 3, 2, 0)),
    ("PT Konstruksi {place} Mandiri", "42101", 5, (0, 2, 2, 1)),
    ("CV Angkutan Sungai {place}", "50212", 4, (2, 3, 1, 0)),
    ("Toko Serba Ada {place}", "47111", 1, (4, 3, 0, 0)),
    ("Rumah Makan {place} Jaya", "56101", 1, (4, 2, 0, 0)),
    ("Koperasi Simpan Pinjam {place}", "64141", 1, (2, 3, 1, 0)),
    ("PT Tambang Batubara {place}", "05100", 5, (0, 0, 2, 2)),
    ("CV Kayu Olahan {place}", "16101", 3, (1, 3, 2, 0)),
    ("Hotel {place} Indah", "55110", 2, (1, 2, 1, 0)),
    ("Bengkel Motor {place}", "45405", 2, (4, 2, 0, 0)),
]
SIZE_CLASSES = ("micro", "small", "medium", "large")
WORKFORCE = {"micro": (1, 4), "small": (5, 19), "medium": (20, 99), "large": (100, 400)}
SEGMENTS = [
    ("pu", 40),
    ("vulnerable", 28),
    ("village_official", 8),
    ("rt_rw_head", 5),
    ("bpd_member", 2),
    ("non_asn", 6),
    ("honorary_teacher", 4),
    ("bpu", 7),
]
COMPANIES_PER_REGENCY = 65
WORKERS_PER_REGENCY = 1000
BILLED_MONTHS = 6

DEMO_USERS = [
    # username, first name, last name, role, scope kind
    ("admin", "Admin", "Lindungi", ADMIN, None),
    ("staf", "Sari", "Petugas Cabang", BRANCH_STAFF, "branch"),
    ("supervisor", "Vina", "Kepala Bidang", SUPERVISOR, "branch"),
    ("ptsp", "Putri", "DPMPTSP Kapuas", PERMIT_OFFICER, "regency"),
    ("operator", "Oki", "Operator Desa", OPERATOR, "village"),
    ("auditor", "Ani", "Inspektorat", AUDITOR, "regency"),
]
DEMO_SCOPE_REGENCY = "62.03"
# The panel's marks for the demo award period, per regency: regulation, budget, innovation,
# interview, each with its evidence. Kapuas has Perbup 28/2023 on construction coverage.
DEMO_PANEL = {
    "61.06": {"regulation": (60, "SE Bupati Kapuas Hulu"), "budget": (70, "DPA Dinsos"),
              "innovation": (55, "Kuota pekerja sosial keagamaan"), "interview": (72, "Wawancara")},
    "62.03": {"regulation": (85, "Perbup Kapuas 28/2023"), "budget": (80, "PKS APBD 2026"),
              "innovation": (70, "1 Desa 100 Pekerja Rentan"), "interview": (78, "Wawancara")},
    "62.05": {"regulation": (80, "Perbup Barito Utara"), "budget": (90, "APBD sejak TA 2022"),
              "innovation": (75, "Masyarakat peduli api"), "interview": (85, "Wawancara")},
    "62.71": {"regulation": (70, "Perwali Palangka Raya"), "budget": (60, "APBD 2026"),
              "innovation": (90, "PNSKU SAHABATKU"), "interview": (80, "Wawancara")},
}  # fmt: skip
DEMO_FILE = "Berkas contoh dari data demo Lindungi, bukan salinan dokumen resmi."
DEMO_COMPANY_PANEL = {"administration": 80, "participation": 75, "interview": 70}
DEMO_SCOPE_VILLAGE = "62.03.01.2011"


def months_back(today: dt.date, n: int) -> dt.date:
    """The first day of the month n months before today's (after it when n is negative)."""
    year, month = divmod(today.year * 12 + today.month - 1 - n, 12)
    return dt.date(year, month + 1, 1)


class Maker:
    """Draws names, identifiers and dates from one seeded random source."""

    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.serials: dict[tuple[str, dt.date, str], int] = {}
        self.number = 0

    def person(self) -> tuple[str, str, dt.date]:
        sex = self.rng.choice("MF")
        given = self.rng.choice(GIVEN_M if sex == "M" else GIVEN_F)
        born = dt.date(1960, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365 * 45))
        return f"{given} {self.rng.choice(FAMILY)}", sex, born

    def nik(self, district_code: str, born: dt.date, sex: str) -> str:
        key = (district_code, born, sex)
        self.serials[key] = self.serials.get(key, 0) + 1
        return make_nik(district_code, born, sex, self.serials[key])

    def next_number(self) -> int:
        self.number += 1
        return self.number


CONTRACTOR_KBLI = {"41011", "42101"}
PROJECTS = [
    "Peningkatan Jalan {place}",
    "Rehabilitasi Gedung Sekolah {place}",
    "Pembangunan Dermaga {place}",
    "Normalisasi Saluran {place}",
]
