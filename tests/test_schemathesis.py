"""Schemathesis against the REST API as each demo role (SQLite): no 5xx, answers as described.

A small, derandomized number of generated requests per operation keeps this to about a minute;
`scripts/schemathesis --examples 100` runs the same with more.
"""

from __future__ import annotations

import os

import pytest

from tests import api_fuzz

EXAMPLES = int(os.environ.get("LINDUNGI_SCHEMATHESIS_EXAMPLES", "3"))

# Findings whose fix lies outside app/api and the OpenAPI description we own, reported:
KNOWN = [
    # FAB's own menu API sends "-" for a separator among the menu items its description
    # declares as objects (flask_appbuilder/menu.py).
    ("GET /api/v1/menu/", "Response violates schema"),
]


def _known(finding: api_fuzz.Finding) -> bool:
    return any(
        finding.operation == operation
        and text in finding.failure
        and "Server error" not in finding.failure
        for operation, text in KNOWN
    )


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    return api_fuzz.build_demo(tmp_path_factory.mktemp("schemathesis"))


@pytest.mark.parametrize("username", api_fuzz.ROLES)
def test_every_generated_request_gets_a_described_answer_and_no_5xx(
    demo_database, tmp_path, username
):
    with api_fuzz.app_on_copy(demo_database, tmp_path) as app:
        findings = api_fuzz.fuzz(app, username, EXAMPLES)
    unexpected = [finding for finding in findings if not _known(finding)]
    assert not unexpected, "\n\n".join(map(str, unexpected))
