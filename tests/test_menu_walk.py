"""Every menu entry of every role, in Indonesian: no "None", "True", English enum value, role
name or FAB English label on any page a persona can open from the menu, nor on the first record
each list opens (issue 15, done-when)."""

from __future__ import annotations

import html
import re

import pytest

from app.models.base import Choice

PERSONAS = ["admin", "sari", "vina", "putri", "oki", "ani", "dodi"]
RAW = re.compile(r">\s*(None|True|False)\s*<")
MENU_LINK = re.compile(r'<a tabindex="-1" href="(/[^"#]*)"')
ENGLISH = [
    "Branch Staff",
    "Permit Officer",
    "Login Count",
    "Record Count",
    "Add Filter",
    "Not Equal to",
    "Starts with",
    "No records found",
]


def _enum_values() -> set[str]:
    """Stored enum values that read as English words (a label should have replaced them)."""
    values = set()
    for choice in Choice.__subclasses__():
        for member in choice:
            if len(member.value) > 2 and member.value.isalpha():
                values.add(member.value)
    return values - {"dtks", "dtsen"}


ENUM_CELL = re.compile(r">\s*(" + "|".join(sorted(_enum_values())) + r")\s*<")


def _menu(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    links = {html.unescape(h) for h in MENU_LINK.findall(page)}
    return sorted(h for h in links if not h.startswith(("/logout", "/lang/")))


def _problems(page: str) -> list[str]:
    found = [f"raw {m}" for m in RAW.findall(page)]
    found += [f"enum {m}" for m in ENUM_CELL.findall(page)]
    text = text_of_page(page)
    found += [f"english {e!r}" for e in ENGLISH if e in text]
    return found


def text_of_page(page: str) -> str:
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("username", PERSONAS)
def test_every_menu_entry_reads_in_indonesian(as_user, username):
    client = as_user(username)
    menu = _menu(client)
    assert menu, "the persona has a menu"
    found = {}
    for href in menu:
        response = client.get(href)
        if response.status_code in (301, 302):
            response = client.get(response.headers["Location"])
        assert response.status_code == 200, f"{username}: {href} answered {response.status_code}"
        page = response.get_data(as_text=True)
        if problems := _problems(page):
            found[href] = problems
        show = re.search(r'href="(/[a-z0-9]+/show/\d+)"', page)
        if show:
            record = client.get(show.group(1)).get_data(as_text=True)
            if problems := _problems(record):
                found[show.group(1)] = problems
    assert found == {}


def test_the_walk_sees_each_roles_screens(as_user):
    assert len(_menu(as_user("admin"))) >= 20
    assert any("/workerview/" in h for h in _menu(as_user("oki")))


def test_the_check_finds_an_english_value_when_there_is_one():
    assert _problems("<td>active</td>") == ["enum active"]
    assert _problems("<td>None</td>") == ["raw None"]
    assert "english 'Login Count'" in _problems("<body><h2>Login Count</h2></body>")


def test_no_page_loads_a_script_from_the_internet(as_user):
    """Offline: no menu page of the admin (who sees them all) loads Google Charts or a CDN."""
    client = as_user("admin")
    for href in _menu(client):
        page = client.get(href, follow_redirects=True).get_data(as_text=True)
        assert not re.search(r'<script[^>]+src="(https?:)?//', page), href
        assert "google.setOnLoadCallback" not in page, href
