"""The audit trail: data changes recorded in the same transaction, reads and exports on demand."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from app.models import AuditEvent

AUDITED = {
    "Company",
    "Worker",
    "Enrollment",
    "Sponsor",
    "SponsorCommitment",
    "Contribution",
    "WageRate",
    "IncomeBracket",
    "UserScope",
    "BranchOffice",
    "Opd",
    "RegencyWorkforce",
    "AwardEvidence",
    "Letterhead",
    "PenaltyRule",
    "ArrearsLetter",
    "BenefitRule",
    "Claim",
    "ClaimHeir",
    "ScholarshipYear",
}
# "content" is a file's bytes (award evidence): its name, size and SHA-256 are audited instead;
# a letterhead's "logo" likewise (its type is audited).
SKIPPED_COLUMNS = {
    "changed_on",
    "changed_by_fk",
    "created_on",
    "created_by_fk",
    "version",
    "content",
    "logo",
}


def _actor() -> dict:
    from app.scope import actor

    return actor()


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    result = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED_COLUMNS:
            continue
        hist = state.attrs[attr.key].history
        if action == "update":
            if hist.has_changes():
                before = hist.deleted[0] if hist.deleted else None
                after = hist.added[0] if hist.added else None
                result[attr.key] = [_plain(before), _plain(after)]
        else:
            result[attr.key] = _plain(getattr(obj, attr.key))
    return result


def _row(obj, action: str, actor: dict, now: dt.datetime) -> dict:
    # A record created in this flush has its key but no identity yet: read the key itself.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "at": now,
        "action": action,
        "entity": type(obj).__name__,
        "entity_id": None if not key or key[0] is None else str(key[0]),
        "regency_id": getattr(obj, "regency_id", None),
        "changes": json.dumps(_changes(obj, action), ensure_ascii=False, sort_keys=True),
        **actor,
    }


def record_created(
    session, entity: str, records: list[tuple[int | None, int | None, dict]]
) -> None:
    """Audit records written in bulk (past the ORM): one `create` row per (id, regency, values)."""
    if not records:
        return
    actor = _actor()
    now = dt.datetime.now(dt.UTC)
    session.execute(
        insert(AuditEvent.__table__),
        [
            {
                "at": now,
                "action": "create",
                "entity": entity,
                "entity_id": None if pk is None else str(pk),
                "regency_id": regency_id,
                "changes": json.dumps(
                    {k: _plain(v) for k, v in values.items() if k not in SKIPPED_COLUMNS},
                    ensure_ascii=False,
                    sort_keys=True,
                ),
                **actor,
            }
            for pk, regency_id, values in records
        ],
    )


@event.listens_for(Session, "after_flush")
def _record_changes(session, flush_context) -> None:
    """Write one audit row per created, changed or deleted audited record, in the same flush."""
    groups = (("create", session.new), ("update", session.dirty), ("delete", session.deleted))
    pending = [
        (action, obj)
        for action, objs in groups
        for obj in objs
        if type(obj).__name__ in AUDITED
        and (action != "update" or session.is_modified(obj, include_collections=False))
    ]
    if not pending:
        return
    actor = _actor()
    now = dt.datetime.now(dt.UTC)
    rows = [_row(obj, action, actor, now) for action, obj in pending]
    rows = [r for r in rows if r["action"] != "update" or r["changes"] != "{}"]
    if rows:
        session.execute(insert(AuditEvent), rows)


def record(session, action: str, entity: str, entity_id=None, regency_id=None, **details) -> None:
    """Record a read, an export or a security event and commit it.

    One Core INSERT (no ORM unit of work): it runs on every API call and every read of a record.
    """
    session.execute(
        insert(AuditEvent.__table__).values(
            at=dt.datetime.now(dt.UTC),
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            regency_id=regency_id,
            changes=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
            if details
            else None,
            **_actor(),
        )
    )
    session.commit()


def record_apart(session, action: str, entity: str, entity_id=None, regency_id=None, **details):
    """Record a read in its own short transaction, leaving the request's session untouched.

    The page's records stay loaded (a commit of the request's session would expire them and
    cost one query per row to render).
    """
    with session.get_bind().begin() as connection:
        connection.execute(
            insert(AuditEvent.__table__).values(
                at=dt.datetime.now(dt.UTC),
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                regency_id=regency_id,
                changes=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
                if details
                else None,
                **_actor(),
            )
        )


def record_list_read(session, entity: str, ids, **details) -> None:
    """Record one read of a list of personal data: how many records and which."""
    ids = [str(pk) for pk in ids]
    record_apart(session, "read_list", entity, count=len(ids), ids=ids, **details)
