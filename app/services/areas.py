"""Load the vendored Kemendagri area codes (idn-area-data 4.0.1, ODbL) idempotently."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from app.models import District, Province, Regency, Village
from app.services import ServiceError

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "wilayah"
ATTRIBUTION = "Indonesian area data from idn-area-data, ODbL"
CHUNK = 5000


def district_exists(session, code: str) -> bool:
    """Tell whether a Kemendagri district code (62.03.01) is known."""
    return session.scalar(select(District.id).where(District.code == code)) is not None


def _rows(name: str, provinces: set[str] | None) -> Iterator[dict]:
    """Read one CSV of the data set, keeping only the provinces asked for."""
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if provinces is None or row["code"][:2] in provinces:
                yield row


def _chunks(items: list[dict]) -> Iterable[list[dict]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _sync(session, model, rows: Iterable[dict], parent_ids) -> int:
    """Insert the codes that are missing and rename the ones whose name changed; return inserts."""
    existing = {
        code: (pk, name)
        for pk, code, name in session.execute(select(model.id, model.code, model.name))
    }
    new, renamed = [], []
    for row in rows:
        values = {"code": row["code"], "name": row["name"], **parent_ids(row)}
        known = existing.get(row["code"])
        if known is None:
            new.append(values)
        elif known[1] != row["name"]:
            renamed.append({"id": known[0], "name": row["name"]})
    for chunk in _chunks(new):
        session.execute(insert(model), chunk)
    for chunk in _chunks(renamed):
        session.execute(update(model), chunk)
    return len(new)


def _ids(session, model) -> dict[str, int]:
    return dict(session.execute(select(model.code, model.id)).all())


def import_areas(session, provinces: list[str] | None = None) -> dict[str, int]:
    """Load provinces, regencies, districts and villages; return how many of each were added.

    Running it again adds nothing and only renames areas whose official name changed. The caller
    commits.
    """
    wanted = None
    if provinces:
        wanted = {code.strip() for code in provinces}
        known = {row["code"] for row in _rows("provinces", None)}
        unknown = sorted(wanted - known)
        if unknown:
            raise ServiceError(_("Unknown province code: %(codes)s.", codes=", ".join(unknown)))
    counts = {"provinces": _sync(session, Province, _rows("provinces", wanted), lambda r: {})}
    province_ids = _ids(session, Province)
    counts["regencies"] = _sync(
        session,
        Regency,
        _rows("regencies", wanted),
        lambda r: {"province_id": province_ids[r["province_code"]]},
    )
    regency_ids = _ids(session, Regency)
    counts["districts"] = _sync(
        session,
        District,
        _rows("districts", wanted),
        lambda r: {"regency_id": regency_ids[r["regency_code"]]},
    )
    district_ids = _ids(session, District)
    counts["villages"] = _sync(
        session,
        Village,
        _rows("villages", wanted),
        lambda r: {
            "district_id": district_ids[r["district_code"]],
            "regency_id": regency_ids[r["district_code"][:5]],
        },
    )
    session.flush()
    return counts
