"""Catalogs: Indonesian is complete and kept in step with the code, and the checks can fail."""

from __future__ import annotations

import gettext
import re
from collections import Counter
from pathlib import Path

import pytest

from app import i18n

PLACEHOLDER = re.compile(
    r"%\(\w+\)[-+#0]*\d*(?:\.\d+)?[sdifrx]|%[-+#0]*\d*(?:\.\d+)?[sdifrx]|%%|\{\w*(?:[:!][^{}]*)?\}"
)
KEY_TERMS = {
    "Logout": "Keluar",
    "Login": "Masuk",
    "Save": "Simpan",
    "Search": "Cari",
    "Delete": "Hapus",
    "Edit": "Ubah",
    "Add": "Tambah",
    "Worker": "Pekerja",
    "Workers": "Pekerja",
    "Company": "Perusahaan",
    "Companies in arrears": "Perusahaan menunggak",
    "Regency": "Kabupaten/Kota",
    "District": "Kecamatan",
    "Village": "Desa/Kelurahan",
    "Enrollment": "Kepesertaan",
    "Participation": "Kepesertaan",
    "Organisations": "Organisasi",
    "Areas": "Wilayah",
    "Reference": "Referensi",
    "Security": "Keamanan",
    "Birth date": "Tanggal lahir",
    "Sex": "Jenis kelamin",
    "Already exists.": "Sudah ada.",
    "The worker": "Pekerja sendiri",
    "The NIK must have exactly 16 digits.": "NIK harus terdiri dari tepat 16 digit.",
    "The first six digits of the NIK are not a known district code.": (
        "Enam digit pertama NIK bukan kode kecamatan yang dikenal."
    ),
}
ACRONYMS = ("JKK", "JKM", "JHT", "JP", "JKP", "NIK", "NPWP", "NIB", "KBLI", "KPJ", "NPP")
ACRONYMS += ("APBD", "APBDes", "CSR", "OPD", "BPJS", "BPU", "PU", "DTSEN", "OSS")
CATALOGS = [f"{locale}/{domain}" for locale in i18n.LOCALES for domain in ("messages", "wtforms")]


def load(locale: str, domain: str = i18n.DOMAIN):
    """Read a committed catalog."""
    return i18n.read(i18n.po_path(locale, domain=domain), locale=locale)


def forms(value) -> tuple:
    """Return a msgid or msgstr as a tuple of its (plural) forms."""
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def msgids(catalog) -> set:
    """Return the msgids of a catalog or template, without the header."""
    return {message.id for message in catalog if message.id}


def write_root(tmp_path: Path, po_text: str, locale: str = "id") -> Path:
    """Lay out a project root with one crafted catalog; return the root."""
    path = i18n.po_path(locale, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(po_text, encoding="utf-8")
    return tmp_path


HEADER = 'msgid ""\nmsgstr ""\n"Language: id\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'


def test_every_catalog_is_present():
    assert sorted(i18n.catalogs()) == sorted(CATALOGS)


@pytest.mark.parametrize("key", CATALOGS)
def test_catalog_has_no_untranslated_or_fuzzy_entries(key):
    assert i18n.untranslated(i18n.catalogs()[key]) == []


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_template_msgid_is_in_the_catalog(locale):
    assert msgids(i18n.read(i18n.pot_path())) - msgids(load(locale)) == set()
    wtforms = msgids(i18n.read(i18n.wtforms_template()))
    assert wtforms - msgids(load(locale, i18n.WTFORMS_DOMAIN)) == set()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set:
    """The msgids found by extracting the code as it is now (not the committed template)."""
    return msgids(i18n.read(i18n.extract(output=tmp_path_factory.mktemp("pot") / "fresh.pot")))


def test_extraction_covers_fab_and_the_app(extracted):
    assert {"List Users", "Record Count", "Sign In"} <= extracted
    assert {"Companies in arrears", "Good day, %(name)s"} <= extracted


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_a_fresh_extraction_finds_nothing_the_catalog_lacks(extracted, locale):
    missing = extracted - msgids(load(locale))
    assert not missing, f"run `flask translations update` and translate: {sorted(missing)}"


@pytest.mark.parametrize("key", CATALOGS)
def test_placeholders_in_msgstr_match_the_msgid(key):
    wrong = []
    for message in i18n.read(i18n.catalogs()[key]):
        if not message.id:
            continue
        expected = [Counter(PLACEHOLDER.findall(msgid)) for msgid in forms(message.id)]
        for string in forms(message.string):
            if Counter(PLACEHOLDER.findall(string)) not in expected:
                wrong.append((message.id, string))
    assert wrong == []


def test_domain_acronyms_are_kept_in_indonesian():
    dropped = [
        (message.id, acronym)
        for message in load("id")
        if message.id
        for acronym in ACRONYMS
        if re.search(rf"\b{acronym}\b", message.id)
        and not re.search(rf"\b{acronym}\b", message.string)
    ]
    assert dropped == []


@pytest.mark.parametrize(("msgid", "msgstr"), KEY_TERMS.items())
def test_key_terms(msgid, msgstr):
    assert load("id").get(msgid).string == msgstr


def test_indonesian_has_one_plural_form():
    catalog = load("id")
    assert catalog.num_plurals == 1
    assert catalog.locale_identifier == "id"


def test_catalogs_compile(tmp_path):
    report = i18n.compile_catalogs(output_dir=tmp_path)
    assert report == {key: [] for key in CATALOGS}
    mo = tmp_path / "id" / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as fileobj:
        translations = gettext.GNUTranslations(fileobj)
    assert translations.gettext("Logout") == "Keluar"
    assert translations.gettext("Good day, %(name)s") % {"name": "Sari"} == "Selamat datang, Sari"
    assert (tmp_path / "en" / "LC_MESSAGES" / "messages.mo").exists()
    with (tmp_path / "id" / "LC_MESSAGES" / "wtforms.mo").open("rb") as fileobj:
        wtforms = gettext.GNUTranslations(fileobj)
    assert wtforms.gettext("Not a valid integer value.") == "Bilangan bulat tidak valid."


def test_untranslated_reports_empty_fuzzy_and_partial_plural_entries(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(
        HEADER
        + 'msgid "Save"\nmsgstr "Simpan"\n\n'
        + 'msgid "Delete"\nmsgstr ""\n\n'
        + '#, fuzzy\nmsgid "Search"\nmsgstr "Cari"\n\n'
        + 'msgid "%(n)d worker"\nmsgid_plural "%(n)d workers"\nmsgstr[0] ""\n',
        encoding="utf-8",
    )
    assert sorted(i18n.untranslated(po)) == ["%(n)d worker", "Delete", "Search"]


def test_compile_fails_loudly_on_a_broken_placeholder(tmp_path):
    root = write_root(
        tmp_path,
        HEADER
        + '#, python-format\nmsgid "Good day, %(name)s"\nmsgstr "Selamat datang, %(nama)s"\n',
    )
    with pytest.raises(i18n.TranslationError, match="nama"):
        i18n.compile_catalogs(root)


def test_compile_refuses_a_fuzzy_header(tmp_path):
    root = write_root(tmp_path, "#, fuzzy\n" + HEADER + 'msgid "Save"\nmsgstr "Simpan"\n')
    with pytest.raises(i18n.TranslationError, match="fuzzy"):
        i18n.compile_catalogs(root)


def test_strict_compile_refuses_untranslated_entries(tmp_path):
    root = write_root(tmp_path, HEADER + 'msgid "Delete"\nmsgstr ""\n')
    assert i18n.compile_catalogs(root) == {"id/messages": ["Delete"]}
    with pytest.raises(i18n.TranslationError, match="Delete"):
        i18n.compile_catalogs(root, strict=True)


def test_ensure_compiled_builds_a_missing_mo_once(tmp_path):
    root = write_root(tmp_path, HEADER + 'msgid "Save"\nmsgstr "Simpan"\n')
    assert i18n.ensure_compiled(root) == ["id"]
    assert i18n.po_path("id", root).with_suffix(".mo").exists()
    assert i18n.ensure_compiled(root) == []


def test_fill_identity_fills_only_empty_entries(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        + 'msgid "Save"\nmsgstr ""\n\nmsgid "Delete"\nmsgstr "Remove"\n',
        encoding="utf-8",
    )
    assert i18n.fill_identity(po) == 1
    catalog = i18n.read(po)
    assert (catalog.get("Save").string, catalog.get("Delete").string) == ("Save", "Remove")
    assert i18n.untranslated(po) == []


def test_update_adds_new_strings_untranslated_and_a_rerun_changes_nothing(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text('label = _l("Payment channel")\n')
    i18n.translations_dir(tmp_path).mkdir()
    for name in ("babel.cfg", "fab.cfg"):
        (i18n.translations_dir(tmp_path) / name).write_text(
            (i18n.translations_dir() / name).read_text()
        )
    i18n.update(tmp_path)
    assert "Payment channel" in i18n.untranslated(i18n.po_path("id", tmp_path))
    assert i18n.untranslated(i18n.po_path("en", tmp_path)) == []
    assert i18n.read(i18n.po_path("id", tmp_path)).num_plurals == 1

    files = [i18n.pot_path(tmp_path), *i18n.catalogs(tmp_path).values()]
    assert len(files) == 5
    before = [path.read_bytes() for path in files]
    i18n.update(tmp_path)
    assert [path.read_bytes() for path in files] == before
