"""Claims after a worker's death: report the event, follow it to payment, print the heirs' guide."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    Claim,
    ClaimHeir,
    EndReason,
    EventType,
    Relation,
    ScholarshipYear,
    SchoolLevel,
    Worker,
)
from app.scope import current_scope, get_in_scope, read_clause
from app.services import audit, claims
from app.services.workers import find_by_nik
from app.views.base import REFUSED, attempt

PER_PAGE = 25
HEIR_ROWS = 5


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _amount(value: str | None) -> int | None:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return int(digits) if digits and len(digits) <= 13 else None


def _heirs(form) -> list[claims.HeirInput]:
    """The heir rows of the report form that have a name."""
    heirs = []
    for i in range(HEIR_ROWS):
        name = (form.get(f"heir-{i}-name") or "").strip()[:150]
        if not name:
            continue
        year = form.get(f"heir-{i}-level_year", type=int)
        heirs.append(
            claims.HeirInput(
                name=name,
                relation=form.get(f"heir-{i}-relation", ""),
                nik=(form.get(f"heir-{i}-nik") or "").strip()[:30] or None,
                birth_date=_date(form.get(f"heir-{i}-birth_date")),
                school_level=form.get(f"heir-{i}-school_level") or None,
                level_year=year if year and 0 < year < 10 else 1,
                married=bool(form.get(f"heir-{i}-married")),
                working=bool(form.get(f"heir-{i}-working")),
            )
        )
    return heirs


class ClaimView(BaseView):
    """Events reported for workers, the benefits their families may claim, and the reminders."""

    route_base = "/claims"
    default_view = "index"
    method_permission_name = {
        "index": "list",
        "show": "list",
        "guide": "list",
        "new": "report",
        "create": "report",
        "move": "decide",
        "pay_year": "decide",
        "end_child": "decide",
    }

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        visible = read_clause(Claim, scope)
        total = db.session.scalar(select(func.count(Claim.id)).where(visible)) or 0
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
        rows = db.session.scalars(
            select(Claim)
            .options(joinedload(Claim.worker))
            .where(visible)
            .order_by(Claim.reported_on.desc(), Claim.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).all()
        return self.render_template(
            "claims_index.html",
            title=_("Claims and benefits"),
            claims=rows,
            page=page,
            pages=pages,
            due=claims.scholarship_claims_due(db.session, scope, dt.date.today()),
            reason_text=claims.reason_text,
            can_report=self._may("report"),
        )

    def _may(self, permission: str) -> bool:
        return self.appbuilder.sm.has_access(f"can_{permission}", self.class_permission_name)

    def _form(self, worker=None, values=None):
        return self.render_template(
            "claim_new.html",
            title=_("Report a death"),
            worker=worker,
            values=values or {},
            rows=range(HEIR_ROWS),
            events=EventType.choices(),
            relations=Relation.choices(),
            levels=SchoolLevel.choices(),
            today=dt.date.today(),
        )

    @expose("/new")
    @has_access
    def new(self):
        worker = get_in_scope(db.session, Worker, request.args.get("worker"))
        return self._form(worker)

    @expose("/new", methods=["POST"])
    @has_access
    def create(self):
        form, scope = request.form, current_scope()
        worker = get_in_scope(db.session, Worker, form.get("worker_id"), scope)
        if worker is None and form.get("nik"):
            worker = find_by_nik(db.session, form.get("nik", "")[:40], scope)
        if worker is None:
            flash(_("No worker in your area has this NIK."), "danger")
            return self._form(None, form)
        claim = attempt(
            lambda: claims.report_event(
                db.session,
                worker,
                form.get("event_type", ""),
                _date(form.get("event_date")),
                _heirs(form),
            ),
            _("The event was recorded."),
        )
        if claim is REFUSED:
            return self._form(worker, form)
        return redirect(url_for("ClaimView.show", pk=claim.id))

    def _claim(self, pk) -> Claim:
        claim = get_in_scope(db.session, Claim, pk)
        if claim is None:
            abort(404)
        return claim

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        claim = self._claim(pk)
        audit.record(db.session, "read", "Claim", claim.id, regency_id=claim.regency_id)
        claim = self._claim(pk)
        return self.render_template(
            "claim_show.html",
            title=_("Claim of %(name)s", name=claim.worker.name),
            claim=claim,
            reason=claims.reason_text(claim),
            next_statuses=claims.next_statuses(claim),
            branch=claims.serving_branch(db.session, claim.regency_id),
            end_reasons=[
                (r.value, r.label)
                for r in (EndReason.MARRIED, EndReason.WORKING, EndReason.DROPPED_OUT)
            ],
            today=dt.date.today(),
            closed=claim.status in claims.CLOSED,
            can_decide=self._may("decide"),
        )

    @expose("/<int:pk>/guide.pdf")
    @has_access
    def guide(self, pk):
        from app.reports.claim_guide import claim_guide_pdf

        claim = self._claim(pk)
        body = claim_guide_pdf(db.session, claim)
        audit.record(db.session, "print", "Claim", claim.id, regency_id=claim.regency_id)
        response = Response(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="klaim-{claim.id}.pdf"'
        return response

    @expose("/<int:pk>/status", methods=["POST"])
    @has_access
    def move(self, pk):
        claim = self._claim(pk)
        form = request.form
        attempt(
            lambda: claims.advance(
                db.session,
                claim,
                form.get("status", ""),
                paid_on=_date(form.get("paid_on")),
                amount=_amount(form.get("amount")),
                reason=(form.get("reason") or "")[:500],
            ),
            _("The claim's status was changed."),
        )
        return redirect(url_for("ClaimView.show", pk=pk))

    @expose("/year/<int:pk>/pay", methods=["POST"])
    @has_access
    def pay_year(self, pk):
        year = get_in_scope(db.session, ScholarshipYear, pk)
        if year is None:
            abort(404)
        claim_id = year.claim_id
        paid_on = _date(request.form.get("paid_on"))
        attempt(
            lambda: claims.pay_scholarship_year(db.session, year, paid_on),
            _("The scholarship year was recorded as paid."),
        )
        return redirect(url_for("ClaimView.show", pk=claim_id))

    @expose("/child/<int:pk>/end", methods=["POST"])
    @has_access
    def end_child(self, pk):
        heir = get_in_scope(db.session, ClaimHeir, pk)
        if heir is None:
            abort(404)
        claim_id = heir.claim_id
        attempt(
            lambda: claims.end_scholarship(
                db.session,
                heir,
                request.form.get("reason", ""),
                _date(request.form.get("on")),
            ),
            _("The scholarship was stopped."),
        )
        return redirect(url_for("ClaimView.show", pk=claim_id))
