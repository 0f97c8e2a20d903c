"""Translation catalogs: extract FAB's and the app's strings, update, check and compile them."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "messages"
# Flask-WTF translates WTForms' validation messages from this separate domain.
WTFORMS_DOMAIN = "wtforms"
LOCALES = ("id", "en")
WIDTH = 76
# CLDR gives Indonesian a single plural form; Babel 2.18 still writes two for "id".
PLURAL_FORMS = {"id": "nplurals=1; plural=0;"}
KEYWORDS = (
    "_l",
    "lazy_gettext",
    "lazy_ngettext:1,2",
    "lazy_pgettext:1c,2",
    "lazy_formatter_gettext",
)
HEADER_COMMENT = (
    "# Translations template for Lindungi: FAB's strings and the app's.\n"
    "# Refresh with `flask translations update`."
)
# `python -m babel.messages.frontend` drops main()'s return value, so failed compiles exit 0.
PYBABEL = (
    sys.executable,
    "-c",
    "import sys; from babel.messages.frontend import main; sys.exit(main())",
)


class TranslationError(Exception):
    """A catalog could not be extracted, updated or compiled."""


def translations_dir(root: Path = ROOT) -> Path:
    """Return the top-level translations/ directory."""
    return Path(root) / "translations"


def pot_path(root: Path = ROOT) -> Path:
    """Return the path of the merged template, translations/messages.pot."""
    return translations_dir(root) / f"{DOMAIN}.pot"


def po_path(locale: str, root: Path = ROOT, domain: str = DOMAIN) -> Path:
    """Return the path of one locale's .po catalog."""
    return translations_dir(root) / locale / "LC_MESSAGES" / f"{domain}.po"


def package_dir(name: str) -> Path:
    """Return an installed package's directory without importing it (and so Flask)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise TranslationError(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def fab_dir() -> Path:
    """Return the installed flask_appbuilder package directory."""
    return package_dir("flask_appbuilder")


def wtforms_template() -> Path:
    """Return the template WTForms ships for its validation messages (it has no Indonesian)."""
    return package_dir("wtforms") / "locale" / f"{WTFORMS_DOMAIN}.pot"


def pybabel(*args: str | os.PathLike[str]) -> str:
    """Run a pybabel command; raise TranslationError with its output when it fails."""
    result = subprocess.run(  # noqa: S603 (fixed interpreter, arguments are paths we built)
        [*PYBABEL, *map(str, args)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stderr + result.stdout).strip()
        raise TranslationError(f"pybabel {args[0]} failed ({result.returncode}):\n{output}")
    return result.stderr


def read(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po or .pot file; a malformed line raises TranslationError instead of a warning."""
    try:
        with Path(path).open("rb") as fileobj:
            return read_po(fileobj, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        raise TranslationError(f"{path}: {exc}") from exc


def extract(root: Path = ROOT, output: Path | None = None) -> Path:
    """Extract the app's and FAB's strings into one sorted template; return its path."""
    output = Path(output) if output else pot_path(root)
    config = translations_dir(root)
    sources = (
        ("app", config / "babel.cfg", Path(root) / "app"),
        ("fab", config / "fab.cfg", fab_dir()),
    )
    options = ["--no-location", "--sort-output", "-w", str(WIDTH)]
    options += [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    parts = []
    with tempfile.TemporaryDirectory(prefix="lindungi-i18n-") as tmp:
        for name, mapping, source in sources:
            part = Path(tmp) / f"{name}.pot"
            pybabel("extract", "-F", mapping, *options, "-o", part, source)
            parts.append(read(part))
    template = merge_templates(parts)
    if output.exists():
        # Keep the old creation date when nothing changed, so a re-run leaves no diff.
        template.creation_date = read(output).creation_date
        if render(template, sort=True) == output.read_bytes():
            return output
        template.creation_date = dt.datetime.now(dt.UTC).replace(microsecond=0)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(render(template, sort=True))
    return output


def merge_templates(parts: list[Catalog]) -> Catalog:
    """Merge extracted templates into one; a msgid found twice keeps the union of its flags."""
    merged = Catalog(project="Lindungi", version="1.0", header_comment=HEADER_COMMENT)
    merged.msgid_bugs_address = ""
    for part in parts:
        for message in part:
            if not message.id:
                continue
            existing = merged.get(message.id, message.context)
            if existing is None:
                merged.add(
                    message.id,
                    "",
                    flags=message.flags,
                    context=message.context,
                    auto_comments=message.auto_comments,
                )
            else:
                existing.flags |= message.flags
                for comment in message.auto_comments:
                    if comment not in existing.auto_comments:
                        existing.auto_comments.append(comment)
    return merged


def render(catalog: Catalog, sort: bool = False) -> bytes:
    """Serialise a catalog the way every command here writes it."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, sort_output=sort, no_location=True, ignore_obsolete=True)
    return buffer.getvalue()


def update(root: Path = ROOT, locales: tuple[str, ...] = LOCALES) -> Path:
    """Extract, then merge the templates into each locale's catalogs; return messages.pot."""
    templates = {DOMAIN: extract(root), WTFORMS_DOMAIN: wtforms_template()}
    for domain, template in templates.items():
        for locale in locales:
            path = po_path(locale, root, domain)
            options = ["-D", domain, "-i", template, "-d", translations_dir(root), "-l", locale]
            options += ["-w", str(WIDTH)]
            if not path.exists():
                pybabel("init", *options)
            pybabel(
                "update",
                *options,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
                "--ignore-pot-creation-date",
            )
            normalise(path, locale)
    return templates[DOMAIN]


def normalise(path: Path, locale: str) -> None:
    """Fix what pybabel gets wrong for a locale: plural forms for id, identity msgstrs for en."""
    original = path.read_bytes()
    catalog = read(path, locale=locale)
    if locale in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[locale])]
    if locale == "en":
        fill_catalog_identity(catalog)
    rendered = render(catalog)
    if rendered != original:
        path.write_bytes(rendered)


def fill_catalog_identity(catalog: Catalog) -> int:
    """Give every empty msgstr its msgid (English needs no translation); return how many."""
    filled = 0
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = list(message.string or ("",) * catalog.num_plurals)
            if all(forms):
                continue
            forms = [form or message.id[min(n, 1)] for n, form in enumerate(forms)]
            message.string = tuple(forms)
        elif not message.string:
            message.string = message.id
        else:
            continue
        filled += 1
    return filled


def fill_identity(po: Path) -> int:
    """Fill the empty msgstrs of a .po file with their msgids; return how many were filled."""
    catalog = read(po)
    filled = fill_catalog_identity(catalog)
    if filled:
        Path(po).write_bytes(render(catalog))
    return filled


def untranslated(po_path: Path) -> list[str]:
    """Return the msgids that are fuzzy, have an empty msgstr, or an empty plural form."""
    catalog = read(po_path)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not strings or not all(strings):
            missing.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return missing


def catalogs(root: Path = ROOT) -> dict[str, Path]:
    """Return the .po catalogs under translations/, keyed "locale/domain" (e.g. "id/messages")."""
    found = sorted(translations_dir(root).glob("*/LC_MESSAGES/*.po"))
    return {f"{path.parent.parent.name}/{path.stem}": path for path in found}


def compile_catalogs(
    root: Path = ROOT,
    output_dir: Path | None = None,
    locales: tuple[str, ...] | None = None,
    strict: bool = False,
) -> dict[str, list[str]]:
    """Compile .po to .mo (fuzzy entries left out); return the untranslated msgids per catalog.

    Raises TranslationError when pybabel fails (e.g. placeholders that differ from the msgid),
    when a catalog's header is fuzzy (pybabel would silently skip it), or, if strict, when any
    msgid is untranslated or fuzzy.
    """
    found = catalogs(root)
    if locales is not None:
        found = {key: path for key, path in found.items() if key.split("/")[0] in locales}
    if not found:
        raise TranslationError(f"no catalogs under {translations_dir(root)}")
    report = {key: untranslated(path) for key, path in found.items()}
    if strict and any(report.values()):
        lines = [f"{key}: {msgid!r}" for key, msgids in report.items() for msgid in msgids]
        raise TranslationError("untranslated or fuzzy entries:\n" + "\n".join(lines))
    out = Path(output_dir) if output_dir else translations_dir(root)
    for key, path in found.items():
        if read(path).fuzzy:
            raise TranslationError(f"{path}: the header is marked fuzzy; remove the flag")
        locale, domain = key.split("/")
        mo = out / locale / "LC_MESSAGES" / f"{domain}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target, then rename, so a running worker never reads half a file.
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        try:
            pybabel("compile", "-i", path, "-o", partial, "-l", locale, "-D", domain)
            os.replace(partial, mo)
        finally:
            partial.unlink(missing_ok=True)
    return report


def compile(root: Path = ROOT) -> dict[str, list[str]]:  # app/cli.py calls this name
    """Compile every catalog for `flask translations compile`; refuse untranslated entries."""
    return compile_catalogs(root, strict=True)


def ensure_compiled(root: Path = ROOT) -> list[str]:
    """Compile the locales whose .mo is missing or older than its .po; return those locales."""
    stale = set()
    for key, path in catalogs(root).items():
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < path.stat().st_mtime:
            stale.add(key.split("/")[0])
    if stale:
        compile_catalogs(root, locales=tuple(stale))
    return sorted(stale)


def use_wtforms_catalog(root: Path = ROOT) -> None:
    """Point Flask-WTF at our `wtforms` catalogs.

    Flask-WTF loads WTForms' validation messages ("Field cannot be longer than 150
    characters.") from the WTForms package, which ships no Indonesian: the form said them in
    English. Its loader reads the directory through `flask_wtf.i18n.messages_path` on every
    request, so that one name is pointed at translations/.
    """
    import flask_wtf.i18n

    directory = str(translations_dir(root))
    flask_wtf.i18n.messages_path = lambda: directory
