"""The Paritrana-style award assessment: periods, weights, panel marks, ranking, reports."""

from __future__ import annotations

import datetime as dt
import json

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import background
from app.extensions import db
from app.models import AwardCategory, AwardInput, AwardPeriod, AwardScore, IndicatorSource
from app.reports import awards as award_reports
from app.scope import current_scope
from app.services import audit, award_evidence, awards
from app.views.base import REFUSED, attempt

PER_PAGE = 50


def _category(value: str) -> str:
    if value not in awards.CATEGORIES:
        abort(404)
    return value


def _period(year: int) -> AwardPeriod:
    period = db.session.scalars(select(AwardPeriod).where(AwardPeriod.year == year)).first()
    if period is None:
        abort(404)
    return period


def scored_subject(period: AwardPeriod, category: str, subject_id: int, scope) -> AwardScore:
    """A participant's score, or 404 when it was never ranked or lies outside the scope."""
    query = select(AwardScore).where(
        AwardScore.period_id == period.id,
        AwardScore.category == category,
        AwardScore.subject_id == subject_id,
    )
    score = db.session.scalars(
        query if scope is None else query.where(AwardScore.scope_clause(scope))
    ).first()
    if score is None:
        abort(404)
    return score


def _uploads(indicators) -> dict[int, list[tuple[str, bytes]]]:
    """The evidence files sent with the marks, per panel indicator (at most one byte too many)."""
    return {
        indicator.id: [
            (upload.filename, upload.read(award_evidence.MAX_BYTES + 1))
            for upload in request.files.getlist(f"file-{indicator.id}")
            if upload.filename
        ]
        for indicator in indicators
        if indicator.source == IndicatorSource.PANEL
    }


class AwardView(BaseView):
    """Award periods: weights (admins), panel marks, computing, locking and the PDFs."""

    route_base = "/awards"
    default_view = "index"
    method_permission_name = {
        "index": "list",
        "period": "list",
        "subject": "show",
        "open_period": "open",
        "weights": "weigh",
        "mark": "mark",
        "compute": "compute",
        "lock": "lock",
        "report": "download",
        "certificates": "download",
    }

    @expose("/")
    @has_access
    def index(self):
        scored = dict(
            db.session.execute(
                select(AwardScore.period_id, func.count(AwardScore.id))
                .where(AwardScore.scope_clause(current_scope()))
                .group_by(AwardScore.period_id)
            ).all()
        )
        periods = db.session.scalars(select(AwardPeriod).order_by(AwardPeriod.year.desc())).all()
        return self.render_template(
            "awards_index.html",
            title=_("Paritrana award assessment"),
            periods=periods,
            scored=scored,
            next_year=dt.date.today().year,
            can_open=self.appbuilder.sm.has_access("can_open", "AwardView"),
        )

    @expose("/open", methods=["POST"])
    @has_access
    def open_period(self):
        year = request.form.get("year", type=int)
        if year is None:
            flash(_("Enter the year of the period."), "danger")
            return redirect(url_for("AwardView.index"))
        period = attempt(
            lambda: awards.open_period(db.session, year, scope=current_scope()),
            _("The %(year)d period is open with the illustrative weights.", year=year),
        )
        if period is REFUSED:
            return redirect(url_for("AwardView.index"))
        return redirect(url_for("AwardView.period", year=period.year))

    @expose("/<int:year>/")
    @has_access
    def period(self, year):
        period = _period(year)
        category = _category(request.args.get("category", AwardCategory.REGENCY))
        scope = current_scope()
        term = request.args.get("q", "").strip()[:60]
        query = select(AwardScore).where(
            AwardScore.period_id == period.id,
            AwardScore.category == category,
            AwardScore.scope_clause(scope),
        )
        if term:
            query = query.where(AwardScore.subject_name.ilike(f"%{term}%"))
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(request.args.get("page", 1, type=int), 1), pages)
        scores = db.session.scalars(
            query.order_by(*awards.ranking_order(category))
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).all()
        by_province = awards.ranks_by_province(category)
        participants = db.session.scalar(
            select(func.count(AwardScore.id)).where(
                AwardScore.period_id == period.id, AwardScore.category == category
            )
        )
        computed_at = db.session.scalar(
            select(func.max(AwardScore.computed_at)).where(AwardScore.period_id == period.id)
        )
        sm = self.appbuilder.sm
        return self.render_template(
            "awards_period.html",
            title=_("Paritrana award %(year)d", year=period.year),
            period=period,
            category=category,
            categories=awards.CATEGORIES,
            indicators=awards.indicators_of(period, category),
            scores=scores,
            by_province=by_province,
            provinces=awards.provinces_of(db.session, [s.regency_id for s in scores])
            if by_province
            else {},
            participants=participants,
            computed_at=computed_at,
            term=term,
            page=page,
            pages=pages,
            can_weigh=sm.has_access("can_weigh", "AwardView") and not period.locked,
            can_compute=sm.has_access("can_compute", "AwardView") and not period.locked,
            can_lock=sm.has_access("can_lock", "AwardView") and not period.locked,
        )

    @expose("/<int:year>/<category>/<int:subject_id>")
    @has_access
    def subject(self, year, category, subject_id):
        period = _period(year)
        category = _category(category)
        scope = current_scope()
        score = scored_subject(period, category, subject_id, scope)
        indicators = awards.indicators_of(period, category)
        marks = {
            row.indicator_id: row
            for row in db.session.scalars(
                select(AwardInput).where(
                    AwardInput.indicator_id.in_([i.id for i in indicators]),
                    AwardInput.subject_id == subject_id,
                )
            )
        }
        snapshot = json.loads(score.inputs)
        return self.render_template(
            "awards_subject.html",
            title=score.subject_name,
            period=period,
            category=category,
            score=score,
            province=awards.provinces_of(db.session, [score.regency_id]).get(score.regency_id)
            if awards.ranks_by_province(category)
            else None,
            indicators=indicators,
            values=snapshot["indicators"],
            figures=snapshot["figures"],
            marks=marks,
            files=award_evidence.files_of(db.session, [i.id for i in indicators], subject_id),
            max_files=award_evidence.MAX_FILES,
            max_mb=award_evidence.MAX_BYTES // 2**20,
            can_mark=self.appbuilder.sm.has_access("can_mark", "AwardView")
            and not period.locked
            and awards.may_mark(scope, category, score.regency_id),
        )

    @expose("/<int:year>/<category>/<int:subject_id>/mark", methods=["POST"])
    @has_access
    def mark(self, year, category, subject_id):
        period = _period(year)
        category = _category(category)
        back = url_for("AwardView.subject", year=year, category=category, subject_id=subject_id)
        scope = current_scope()
        score = scored_subject(period, category, subject_id, None)
        if not awards.may_mark(scope, category, score.regency_id):
            abort(404)
        indicators = awards.indicators_of(period, category)
        marks = {
            indicator.id: (
                request.form.get(f"value-{indicator.id}", ""),
                request.form.get(f"evidence-{indicator.id}", ""),
            )
            for indicator in indicators
        }
        now = dt.datetime.now(dt.UTC)

        def save():
            awards.set_marks(
                db.session, period, category, subject_id, marks, g.user.id, now, scope=scope
            )
            return award_evidence.attach_all(
                db.session, indicators, subject_id, score.regency_id, _uploads(indicators),
                g.user.id, now,
            )  # fmt: skip

        attached = attempt(save)
        if attached is REFUSED:
            return redirect(back)
        audit.record(
            db.session, "update", "AwardInput", subject_id, regency_id=score.regency_id,
            period=year, category=category,
        )  # fmt: skip
        flash(_("The panel's marks are saved. Compute the scores again to rank them."), "success")
        if attached:
            flash(_("%(count)d evidence files attached.", count=attached), "success")
        return redirect(back)

    @expose("/<int:year>/weights", methods=["POST"])
    @has_access
    def weights(self, year):
        period = _period(year)
        category = _category(request.form.get("category", ""))
        back = url_for("AwardView.period", year=year, category=category)
        given = {
            indicator.id: request.form[f"weight-{indicator.id}"]
            for indicator in awards.indicators_of(period, category)
            if f"weight-{indicator.id}" in request.form
        }
        attempt(
            lambda: awards.set_weights(db.session, period, category, given),
            _("The weights are saved. Compute the scores again to rank with them."),
        )
        return redirect(back)

    @expose("/<int:year>/compute", methods=["POST"])
    @has_access
    def compute(self, year):
        period = _period(year)
        checked = attempt(lambda: awards.may_compute(period, scope=current_scope()))
        if checked is REFUSED:
            return redirect(url_for("AwardView.period", year=year))
        # seconds of work for a whole country: the worker does it; the page shows its time
        background.submit("awards", compute_job, period.id)
        flash(
            _(
                "The scores are being computed; the time of the last computation is shown "
                "above the ranking."
            ),
            "info",
        )
        return redirect(
            url_for("AwardView.period", year=year, category=request.form.get("category"))
        )

    @expose("/<int:year>/lock", methods=["POST"])
    @has_access
    def lock(self, year):
        period = _period(year)
        now = dt.datetime.now(dt.UTC)
        locked = attempt(
            lambda: awards.lock(db.session, period, g.user.id, now, scope=current_scope())
        )
        if locked is REFUSED:
            return redirect(url_for("AwardView.period", year=year))
        audit.record(db.session, "lock", "AwardPeriod", period.id, year=year)
        flash(_("The %(year)d period is locked; its scores are final.", year=year), "success")
        return redirect(url_for("AwardView.period", year=year))

    def _pdf(self, year, category, kind):
        period = _period(year)
        category = _category(category)
        scope = current_scope()
        build = award_reports.ranking_pdf if kind == "ranking" else award_reports.certificates_pdf
        pdf = build(db.session, period, category, AwardScore.scope_clause(scope))
        if pdf is None:
            flash(_("There is nothing to print: no winner in your area yet."), "warning")
            return redirect(url_for("AwardView.period", year=year, category=category))
        audit.record(
            db.session, "export", "AwardPeriod", period.id, period=year, category=category,
            report=kind,
        )  # fmt: skip
        response = Response(pdf, mimetype="application/pdf")
        name = f"{'peringkat' if kind == 'ranking' else 'piagam'}-paritrana-{year}-{category}.pdf"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @expose("/<int:year>/<category>/ranking.pdf")
    @has_access
    def report(self, year, category):
        return self._pdf(year, category, "ranking")

    @expose("/<int:year>/<category>/piagam.pdf")
    @has_access
    def certificates(self, year, category):
        return self._pdf(year, category, "certificates")


def compute_job(app, period_id: int) -> None:
    """Background: compute every category of a period (the request checked who asked)."""
    from app.scope import UNRESTRICTED

    with app.app_context():
        period = db.session.get(AwardPeriod, period_id)
        if period is None or period.locked:
            return
        now = dt.datetime.now(dt.UTC)
        awards.compute_all(db.session, period, now.date(), now, scope=UNRESTRICTED)
        db.session.commit()
