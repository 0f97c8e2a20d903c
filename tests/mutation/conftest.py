"""What the service-level tests of tests/mutation share: English messages in a request whose
user may write anywhere (the rules are tested here, not the scope), and their own regency."""

from __future__ import annotations

import pytest
from flask import g
from flask_babel import force_locale

from app.models import Regency, Village
from app.scope import UNRESTRICTED
from tests.mutation.support import REGENCY


@pytest.fixture
def en(app, session):
    with app.test_request_context(), force_locale("en"):
        g.lindungi_scope = UNRESTRICTED
        yield


@pytest.fixture
def reg(session):
    return session.query(Regency).filter_by(code=REGENCY).one()


@pytest.fixture
def villages(session, reg):
    return session.query(Village).filter_by(regency_id=reg.id).order_by(Village.code).limit(2).all()
