"""The demo data set's reference tables (places, names, businesses) and its random source."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from app.roles import ADMIN, AUDITOR, BRANCH_STAFF, OPERATOR, PERMIT_OFFICER, SUPERVISOR
from app.services.identifiers import make_nik


@dataclass(frozen=True)
class DemoRegency:
    """A regency as its sources tell it (shared/reference/domain.md section 8); the demo records
    these figures divided by DEMO_SCALE, so its coverage shares are the sources'."""

    code: str
    branch: tuple[str, str, str]  # code, name, address
    wage_earners: int  # potential workforce: wage earners (PU)
    informal: int  # and informal workers (BPU)
    vulnerable_programs: tuple[str, ...]
    wage_covered: int  # participants: wage earners
    informal_covered: int  # and everyone else
    apbd_vulnerable: int  # vulnerable workers the regency's budget pays for
    source: str


REGENCIES = [
    # Kapuas Hulu: 37,500 participants, about 39 % of about 95,000 (Oct 2023); the split into
    # wage earners and the rest is illustrative, as are the 1,400 budget-funded workers.
    DemoRegency(
        "61.06",
        ("KPH", "Kapuas Hulu", "Jl. Kom. Yos Sudarso, Putussibau"),
        52_000,
        43_000,
        ("jkk", "jkm"),
        22_000,
        15_500,
        1_400,
        "infokapuashulu.id Okt 2023 (95.000 pekerja potensial)",
    ),
    # Kapuas: 61,203 workers protected, about 40 % (Mar 2025); 10,000 vulnerable workers paid
    # by the APBD (Keputusan Bupati 96/Dinsos/2025). The potential of 153,000 follows from the
    # two; its split, and the participants', are illustrative.
    DemoRegency(
        "62.03",
        ("KPS", "Kapuas", "Jl. Tambun Bungai, Kuala Kapuas"),
        70_000,
        83_000,
        ("jkk", "jkm"),
        21_203,
        40_000,
        10_000,
        "grapena.com Mar 2025 (61.203 terlindungi, 40 %)",
    ),
    # Barito Utara: 86.40 %, the highest in Kalteng (Oct 2024); 15,330 vulnerable workers with
    # JKK, JKM and JHT from the APBD. The potential of 69,000 is illustrative.
    DemoRegency(
        "62.05",
        ("MTW", "Muara Teweh", "Jl. Yetro Sinseng, Muara Teweh"),
        38_000,
        31_000,
        ("jkk", "jkm", "jht"),
        31_000,
        28_616,
        15_330,
        "kabarmuarateweh.id Okt 2024 (86,40 %)",
    ),
    # Palangkaraya: PU 21,665 of 50,903 (42.56 %), BPU 10,489 of 38,685 (27.11 %), 1,666
    # vulnerable workers from the APBD (2023).
    DemoRegency(
        "62.71",
        ("PLK", "Palangkaraya", "Jl. Tjilik Riwut Km 1, Palangkaraya"),
        50_903,
        38_685,
        ("jkk", "jkm"),
        21_665,
        10_489,
        1_666,
        "kalteng.antaranews 2023 (PU 42,56 %, BPU 27,11 %)",
    ),
]
# The demo is this many times smaller than its sources: workers, participants and the potential
# workforce alike, so each regency's UCJ is its source's.
DEMO_SCALE = 50
# Registered workers without cover (the home page's "workers without cover"), per covered one.
UNCOVERED_SHARE = 0.16
# "1 Desa 100 Pekerja Rentan" in Kapuas: the villages that went furthest, and the vulnerable
# workers each protects (not scaled: the target is 100 a village). A quarter are on the
# regency's APBD list, the rest paid from the village's own funds (APBDes).
DESA100 = {
    "62.03": {
        "62.03.01.2011": 100,  # Pulau Telo, the demo operator's village
        "62.03.02.2007": 103,  # Sei Asam
        "62.03.03.2001": 101,  # Anjir Serapat Timur
        "62.03.08.2003": 97,  # Basarang
        "62.03.06.2001": 96,  # Saka Lagon
        "62.03.06.2003": 91,  # Sei Tatas
    }
}
DESA100_APBD_SHARE = 0.25
# Medium and large companies per regency that report some wages below the minimum wage.
LOW_PAYERS_PER_REGENCY = 2
# Minimum wages in force in 2025 (domain.md section 4.5), in sen: province, regency (None: the
# province's UMP), amount, decree. Later years are entered from the governor's decree; until
# then the demo carries these amounts into the current year, marked illustrative.
MINIMUM_WAGES_YEAR = 2025
MINIMUM_WAGES = [
    ("61", None, 287_828_600, "Kepgub Kalbar 908/NAKERTRAN/2024"),
    ("61", "61.06", 292_450_100, "Keputusan Gubernur Kalbar tentang UMK 2025"),
    ("62", None, 347_362_100, "Keputusan Gubernur Kalteng tentang UMP 2025"),
    ("62", "62.03", 347_371_050, "Kepgub Kalteng 188.44/578/2024"),
    ("62", "62.05", 390_036_243, "Kepgub Kalteng 188.44/578/2024"),
    ("62", "62.71", 352_515_426, "Kepgub Kalteng 188.44/578/2024"),
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
SEGMENTS = [  # the uncovered workers' mix; the covered ones follow each regency's figures
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
    "62.71": {"regulation": (70, "Perwali Palangkaraya"), "budget": (60, "APBD 2026"),
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
        self.kpj_serial = 0

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

    def kpj(self, regency_code: str, start: dt.date) -> str:
        """A membership card number: the year enrolled, the regency, a serial (11 digits)."""
        self.kpj_serial += 1
        return f"{start:%y}{regency_code.replace('.', '')}{self.kpj_serial:05d}"


CONTRACTOR_KBLI = {"41011", "42101"}
PROJECTS = [
    "Peningkatan Jalan {place}",
    "Rehabilitasi Gedung Sekolah {place}",
    "Pembangunan Dermaga {place}",
    "Normalisasi Saluran {place}",
]
