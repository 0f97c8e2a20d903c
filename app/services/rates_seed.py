"""The reference contribution rates and informal-worker brackets that `flask rates seed` loads.

Figures and sources: shared/reference/domain.md section 1. Admins correct them on screen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.models import IncomeBracket, WageRate

REFERENCE_RATES = [
    # program, risk group, employer %, worker %, government %, wage cap, from, to, legal basis
    *[
        (
            "jkk",
            group,
            pct,
            "0",
            "0",
            None,
            dt.date(2015, 7, 1),
            None,
            "PP 44/2015 Lampiran I (jo. PP 82/2019)",
        )
        for group, pct in enumerate(["0.24", "0.54", "0.89", "1.27", "1.74"], 1)
    ],
    ("jkm", None, "0.30", "0", "0", None, dt.date(2015, 7, 1), None, "PP 44/2015"),
    (
        "jht",
        None,
        "3.70",
        "2.00",
        "0",
        None,
        dt.date(2015, 7, 1),
        None,
        "PP 46/2015 jo. PP 60/2015",
    ),
    (
        "jp",
        None,
        "2.00",
        "1.00",
        "0",
        9_559_600,
        dt.date(2023, 3, 1),
        dt.date(2024, 2, 29),
        "PP 45/2015 Pasal 29",
    ),
    (
        "jp",
        None,
        "2.00",
        "1.00",
        "0",
        10_042_300,
        dt.date(2024, 3, 1),
        None,
        "PP 45/2015 Pasal 29 (batas upah Maret 2024)",
    ),
    (
        "jkp",
        None,
        "0",
        "0",
        "0.22",
        5_000_000,
        dt.date(2025, 2, 7),
        None,
        "PP 37/2021 jo. PP 6/2025: 0,22% pemerintah + 0,14% rekomposisi JKK",
    ),
]

# The Rp 1.000.000 row is verified (Rp 16.800 JKK+JKM, Rp 36.800 with JHT). The rows above it
# follow the stated rule (JKK 1%, JHT 2% of the bracket's income, JKM flat); an administrator
# checks them against Lampiran II of PP 44/2015 as amended and corrects them on screen.
VERIFIED_BRACKET = (0, 1_000_000, 10_000, 6_800, 20_000, "PP 44/2015 Lampiran II jo. PP 82/2019")
DERIVED_BASIS = "Turunan aturan 1% (JKK) / 2% (JHT) Permenaker 5/2021; cocokkan dengan Lampiran II"
BRACKETS_FROM = dt.date(2019, 12, 2)


def reference_brackets() -> list[tuple]:
    """The informal-worker brackets to seed: the verified row, then Rp 500.000 steps."""
    rows = [VERIFIED_BRACKET]
    for top in range(1_500_000, 10_000_001, 500_000):
        rows.append((top - 499_999, top, top // 100, 6_800, top // 50, DERIVED_BASIS))
    return rows


def seed_rates(session) -> int:
    """Insert the reference rates and brackets that are missing; return how many were added."""
    added = 0
    have_rates = set(
        session.execute(select(WageRate.program, WageRate.risk_group, WageRate.valid_from)).all()
    )
    for program, group, emp, wrk, gov, cap, start, end, basis in REFERENCE_RATES:
        if (program, group, start) in have_rates:
            continue
        session.add(
            WageRate(
                program=program,
                risk_group=group,
                employer_pct=Decimal(emp),
                worker_pct=Decimal(wrk),
                government_pct=Decimal(gov),
                wage_cap=cap,
                valid_from=start,
                valid_to=end,
                legal_basis=basis,
            )
        )
        added += 1
    have_brackets = set(
        session.scalars(
            select(IncomeBracket.income_from).where(IncomeBracket.valid_from == BRACKETS_FROM)
        )
    )
    for low, high, jkk, jkm, jht, basis in reference_brackets():
        if low in have_brackets:
            continue
        session.add(
            IncomeBracket(
                income_from=low,
                income_to=high,
                jkk_amount=jkk,
                jkm_amount=jkm,
                jht_amount=jht,
                valid_from=BRACKETS_FROM,
                legal_basis=basis,
            )
        )
        added += 1
    session.flush()
    return added
