"""The panel's evidence files: a regulation, a budget document, interview minutes, a photo.

A file is attached to one subject's mark on one panel indicator. Only PDF, JPEG and PNG are
taken, recognised by their first bytes (never by the name or the browser's word), at most
`MAX_BYTES` each and `MAX_FILES` per mark; the same file twice on one mark is refused. Files are
kept in the database (one store for every app server, in every backup) and a locked period
takes no new file and loses none.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.models import AwardEvidence, AwardIndicator, AwardInput, IndicatorSource
from app.services import Conflict, NotFound, ServiceError
from app.services.awards import refuse_if_locked, subject_exists

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
# (first bytes, content type, extension)
KINDS = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
EXTENSIONS = {".pdf": ".pdf", ".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg"}


def sniff(data: bytes) -> tuple[str, str] | None:
    """The content type and extension a file's first bytes show, or None for anything else."""
    for magic, content_type, extension in KINDS:
        if data.startswith(magic):
            return content_type, extension
    return None


def clean_name(filename: str, extension: str) -> str:
    """A file name safe to show and to send back: no path, no control characters, the right
    extension, at most 150 characters."""
    base = os.path.basename((filename or "").replace("\\", "/"))
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    stem, ext = os.path.splitext(base.strip())
    stem = re.sub(r"\s+", " ", stem).strip(" .") or "bukti"
    if EXTENSIONS.get(ext.lower()) != extension:
        ext = extension
    return stem[: 150 - len(ext)] + ext.lower()


def attach(
    session, indicator: AwardIndicator, subject_id: int, regency_id, filename, data, user_id, now
) -> AwardEvidence:
    """Keep one evidence file for a subject's mark; refuse what cannot be evidence."""
    refuse_if_locked(indicator.period)
    if indicator.source != IndicatorSource.PANEL:
        raise ServiceError(_("This indicator is computed from the records."))
    if not subject_exists(session, indicator.category, subject_id):
        raise NotFound(_("No such participant in this category."))
    shown = (filename or "").strip()[:150]
    if not data:
        raise ServiceError(_("%(name)s: the file is empty.", name=shown))
    if len(data) > MAX_BYTES:
        raise ServiceError(
            _("%(name)s: the file is larger than %(mb)d MB.", name=shown, mb=MAX_BYTES // 2**20)
        )
    kind = sniff(data)
    if kind is None:
        raise ServiceError(_("%(name)s: evidence must be a PDF, JPEG or PNG file.", name=shown))
    of_mark = (AwardEvidence.indicator_id == indicator.id, AwardEvidence.subject_id == subject_id)
    digest = hashlib.sha256(data).hexdigest()
    if session.scalar(select(AwardEvidence.id).where(*of_mark, AwardEvidence.sha256 == digest)):
        raise Conflict(_("%(name)s: this file is already attached to this mark.", name=shown))
    if session.scalar(select(func.count(AwardEvidence.id)).where(*of_mark)) >= MAX_FILES:
        raise Conflict(
            _("A mark takes at most %(count)d evidence files; remove one first.", count=MAX_FILES)
        )
    content_type, extension = kind
    evidence = AwardEvidence(
        indicator_id=indicator.id,
        subject_id=subject_id,
        regency_id=regency_id,
        filename=clean_name(filename, extension),
        content_type=content_type,
        size=len(data),
        sha256=digest,
        content=data,
        uploaded_by_id=user_id,
        uploaded_at=now,
    )
    session.add(evidence)
    session.flush()
    return evidence


def attach_all(session, indicators, subject_id, regency_id, uploads, user_id, now) -> int:
    """Keep the files sent with a subject's marks ({indicator id: [(name, bytes)]}), all or none.

    Raises ServiceError naming the indicator at fault; the caller rolls back. Returns how many
    files were kept.
    """
    kept = 0
    for indicator in indicators:
        for filename, data in uploads.get(indicator.id, ()):
            try:
                attach(session, indicator, subject_id, regency_id, filename, data, user_id, now)
            except ServiceError as error:
                raise ServiceError(f"{indicator.name}: {error}") from error
            kept += 1
    return kept


def remove(session, evidence: AwardEvidence) -> None:
    """Delete an evidence file while its period is open."""
    refuse_if_locked(evidence.indicator.period)
    session.delete(evidence)


def files_of(session, indicator_ids, subject_id: int) -> dict[int, list[AwardEvidence]]:
    """A subject's evidence files per indicator, oldest first, without their content."""
    found: dict[int, list[AwardEvidence]] = {}
    for evidence in session.scalars(
        select(AwardEvidence)
        .where(
            AwardEvidence.indicator_id.in_(list(indicator_ids)),
            AwardEvidence.subject_id == subject_id,
        )
        .order_by(AwardEvidence.uploaded_at, AwardEvidence.id)
    ):
        found.setdefault(evidence.indicator_id, []).append(evidence)
    return found


def panel_evidence(session, indicator_ids, subject_ids) -> dict[tuple[int, int], dict]:
    """The panel's note and file names per (indicator id, subject id) that has either; two
    queries, the files' content left in the database."""
    found: dict[tuple[int, int], dict] = {}
    indicator_ids, subject_ids = list(indicator_ids), list(subject_ids)
    for indicator_id, subject_id, value, note in session.execute(
        select(
            AwardInput.indicator_id, AwardInput.subject_id, AwardInput.value, AwardInput.evidence
        ).where(AwardInput.indicator_id.in_(indicator_ids), AwardInput.subject_id.in_(subject_ids))
    ):
        found[indicator_id, subject_id] = {"value": value, "note": note, "files": []}
    for indicator_id, subject_id, name in session.execute(
        select(AwardEvidence.indicator_id, AwardEvidence.subject_id, AwardEvidence.filename)
        .where(
            AwardEvidence.indicator_id.in_(indicator_ids),
            AwardEvidence.subject_id.in_(subject_ids),
        )
        .order_by(AwardEvidence.uploaded_at, AwardEvidence.id)
    ):
        entry = found.setdefault(
            (indicator_id, subject_id), {"value": None, "note": None, "files": []}
        )
        entry["files"].append(name)
    return {key: entry for key, entry in found.items() if entry["note"] or entry["files"]}
