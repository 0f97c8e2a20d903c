"""The home page: what needs the user's action today."""

from __future__ import annotations

import datetime as dt

from flask import g
from flask_appbuilder import IndexView, expose

from app.extensions import db
from app.scope import current_scope
from app.services.dashboard import reminders_for, tasks_for


class HomeView(IndexView):
    """Show each role its open tasks; the login page for anonymous visitors."""

    index_template = "home.html"

    @expose("/")
    def index(self):
        user = g.user
        tasks, reminders, today = [], [], dt.date.today()
        if user is not None and getattr(user, "is_authenticated", False):
            roles, scope = {role.name for role in user.roles}, current_scope()
            tasks = tasks_for(db.session, roles, scope, today, user.id)
            reminders = reminders_for(db.session, roles, scope, today, user.id)
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            tasks=tasks,
            reminders=reminders,
            today=today,
        )
