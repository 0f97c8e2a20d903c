"""Hostile spreadsheets: a zip bomb, a row bomb, a cut-off part and formula-like text are refused
with a reason, without the memory they would cost and without a row written.

Oki (operator of Pulau Telo, Kapuas) uploads; the workbooks are written member by member with
zipfile, so building a bomb of hundreds of MB takes a few MB here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.extensions import db
from app.models import BatchRow, EnrollmentBatch
from app.services import ServiceError
from app.services.batch_drafts import queue_file
from app.services.batch_import import TEMPLATE_HEADERS, count_lines, read_table
from app.services.xlsx_guard import XlsxLimits, check_archive, check_workbook
from tests.helpers import text_of
from tests.test_batches import errors_of, new_batch, person, upload

ROOT = Path(__file__).resolve().parent.parent
MB = 2**20
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PARTS = {
    "[Content_Types].xml": f'{HEAD}<Types xmlns="{PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/></Types>',
    "_rels/.rels": f'{HEAD}<Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'{HEAD}<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
    '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'{HEAD}<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>",
}
HEADER_ROW = "".join(
    f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
    for i, name in enumerate(TEMPLATE_HEADERS)
)
SHEET = f'{HEAD}<worksheet xmlns="{NS}"><sheetData><row r="1">{HEADER_ROW}</row>{{rows}}'
SHEET += "</sheetData></worksheet>"


def workbook(target, members: dict) -> None:
    """Write an XLSX: the template's parts plus `members`, each bytes or an iterable of chunks."""
    members = {"xl/worksheets/sheet1.xml": SHEET.format(rows=""), **members}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in {**PARTS, "xl/sharedStrings.xml": _strings([]), **members}.items():
            with archive.open(name, "w", force_zip64=True) as out:
                for chunk in [body] if isinstance(body, str | bytes) else body:
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)


def xlsx(members: dict) -> bytes:
    buffer = io.BytesIO()
    workbook(buffer, members)
    return buffer.getvalue()


def _strings(texts) -> str:
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return f'{HEAD}<sst xmlns="{NS}">{items}</sst>'


def repeated(head: str, unit: bytes, size: int, tail: str):
    """`head`, then `unit` repeated to `size` bytes, then `tail`, a MB at a time."""
    yield head
    block = unit * (MB // len(unit))
    for _ in range(size // len(block)):
        yield block
    yield tail


def counted(head: str, template: bytes, size: int, tail: str):
    """Like `repeated`, with a counter in each unit, so the part packs only ~10:1."""
    yield head
    written = n = 0
    while written < size:
        block = b"".join(template % i for i in range(n, n + 10_000))
        n += 10_000
        written += len(block)
        yield block
    yield tail


def strings_bomb(size: int):
    return repeated(f'{HEAD}<sst xmlns="{NS}">', b"<si><t>ab</t></si>", size, "</sst>")


def row_bomb(size: int):
    """One row of tiny cells, packed ~10:1 (a ratio no directory check refuses)."""
    head = f'{HEAD}<worksheet xmlns="{NS}"><sheetData><row r="1">{HEADER_ROW}</row><row r="2">'
    return counted(head, b'<c r="A2" s="%d"/>', size, "</row></sheetData></worksheet>")


def refusal(work) -> str:
    with pytest.raises(ServiceError) as caught:
        work()
    return str(caught.value.message)


# --- memory: measured in a fresh process --------------------------------------------------------

MEASURE = """
import json, resource, sys

def status_kb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

from app.services import ServiceError
from app.services.batch_import import count_lines, read_table
import openpyxl.reader.excel  # imported before the baseline: only the file's cost is measured

data = open(sys.argv[1], "rb").read()
# Without the guard the bomb fails fast here (MemoryError) instead of taking gigabytes.
limit = status_kb("VmSize") * 1024 + 768 * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
before, outcomes = status_kb("VmHWM"), []
for work in (count_lines, read_table):
    try:
        work("bomb.xlsx", data)
        outcomes.append("read")
    except ServiceError as exc:
        outcomes.append(str(exc.message))
    except MemoryError:
        outcomes.append("MemoryError")
print(json.dumps({"growth_mb": (status_kb("VmHWM") - before) / 1024, "outcomes": outcomes}))
"""


def measured(path: Path) -> dict:
    """Read `path` as a batch file in a fresh Python; return its peak RSS growth and outcomes."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A ~2 MB workbook whose sharedStrings.xml unpacks to 1 GB (the finding of issue 13)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    workbook(path, {"xl/sharedStrings.xml": strings_bomb(1024 * MB)})
    return path


def test_the_bomb_is_small_packed_and_huge_unpacked(bomb):
    members = {m.filename: m for m in zipfile.ZipFile(bomb).infolist()}
    assert 0.5 * MB < bomb.stat().st_size < 3 * MB
    assert members["xl/sharedStrings.xml"].file_size > 1000 * MB


def test_the_bomb_is_refused_and_the_process_grows_less_than_100_mb(bomb):
    result = measured(bomb)
    assert all("unpacks to more than 50 MB" in outcome for outcome in result["outcomes"]), result
    assert result["growth_mb"] < 100, result


def test_a_row_bomb_within_every_directory_limit_is_refused_in_less_than_100_mb(tmp_path):
    path = tmp_path / "row.xlsx"
    workbook(path, {"xl/worksheets/sheet1.xml": row_bomb(20 * MB)})
    check_archive(path.read_bytes())  # 20 MB, packed ~10:1, named as a sheet: it passes
    result = measured(path)
    assert all("far more than a batch file needs" in o for o in result["outcomes"]), result
    assert result["growth_mb"] < 100, result


def test_shared_strings_disguised_as_a_sheet_count_against_the_budget(tmp_path):
    disguised = PARTS["[Content_Types].xml"].replace(
        "/xl/sharedStrings.xml", "/xl/worksheets/s.xml"
    )
    size = 4 * MB
    data = xlsx(
        {
            "[Content_Types].xml": disguised,
            "xl/worksheets/s.xml": counted(
                f'<sst xmlns="{NS}">', b"<si><t>%d</t></si>", size, "</sst>"
            ),
        }
    )
    check_archive(data, XlsxLimits(max_part=MB))  # named as a sheet: no part limit
    assert "far more" in refusal(lambda: check_workbook(data, XlsxLimits(max_part=MB)))


# --- the zip directory -----------------------------------------------------------------------


def test_a_member_packed_beyond_100_to_1_is_refused_before_anything_is_parsed():
    sheet = repeated(SHEET.split("{rows}")[0], b'<row r="2"/>', 2 * MB, "</sheetData></worksheet>")
    data = xlsx({"xl/worksheets/sheet1.xml": sheet})
    assert "packed" in refusal(lambda: check_archive(data))
    check_archive(data, XlsxLimits(max_ratio=10_000))


def test_a_member_over_1_mb_packed_less_than_100_to_1_passes_the_directory_check():
    rows = counted(SHEET.split("{rows}")[0], b'<row r="%d"/>', 3 * MB, "</sheetData></worksheet>")
    check_archive(xlsx({"xl/worksheets/sheet1.xml": rows}))


def test_the_unpacked_total_follows_the_config(app, monkeypatch):
    rows = counted(SHEET.split("{rows}")[0], b'<row r="%d"/>', 3 * MB, "</sheetData></worksheet>")
    data = xlsx({"xl/worksheets/sheet1.xml": rows})
    with app.app_context():
        check_archive(data)
        monkeypatch.setitem(app.config, "XLSX_MAX_UNPACKED_MB", 2)
        assert "lebih dari 2 MB setelah diekstrak" in refusal(lambda: check_archive(data))


def test_shared_strings_over_the_limit_are_refused_by_name():
    strings = counted(f'<sst xmlns="{NS}">', b"<si><t>%d</t></si>", 6 * MB, "</sst>")
    message = refusal(lambda: check_archive(xlsx({"xl/sharedStrings.xml": strings})))
    assert "xl/sharedStrings.xml" in message and "5 MB" in message


def test_a_workbook_of_too_many_members_is_refused():
    data = xlsx({f"docProps/custom{i}.xml": "<a/>" for i in range(100)})
    assert "parts" in refusal(lambda: check_archive(data))
    check_archive(data, XlsxLimits(max_members=200))


# --- broken workbooks -----------------------------------------------------------------------------


def good_xlsx(rows=()) -> bytes:
    book = Workbook()
    book.active.append(TEMPLATE_HEADERS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CUT_AFTER_THE_DIMENSION = (
    SHEET.split("{rows}")[0].replace("<sheetData>", '<dimension ref="A1:H3"/><sheetData>')
    + '<row r="2"><c r="A2" t="inlineStr"><is><t>6203'
)


@pytest.mark.parametrize(
    "part, cut",
    [
        ("xl/worksheets/sheet1.xml", SHEET.format(rows='<row r="2"><c r="A2" t="inlineStr"><is>')),
        ("xl/worksheets/sheet1.xml", CUT_AFTER_THE_DIMENSION),  # found while reading the rows
        ("xl/sharedStrings.xml", _strings(["a", "b"])[:-20]),
        ("xl/workbook.xml", PARTS["xl/workbook.xml"][:-30]),
        ("[Content_Types].xml", PARTS["[Content_Types].xml"][:-40]),
    ],
)
def test_a_cut_off_part_is_not_a_valid_workbook(part, cut):
    data = xlsx({part: cut})
    # count_lines reads the dimension alone: a sheet cut after it is found by reading the rows
    works = (read_table,) if cut == CUT_AFTER_THE_DIMENSION else (count_lines, read_table)
    for work in works:
        assert refusal(lambda work=work: work("a.xlsx", data)) == (
            "The file is not a valid XLSX workbook."
        )


def test_a_cut_off_zip_is_refused_in_the_request_check():
    data = good_xlsx([person()])
    assert "not a valid" in refusal(lambda: check_archive(data[: len(data) // 2]))


# --- formula-like text ---------------------------------------------------------------------------

PREFIXED = ["=1+1", "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1", "\r=1+1", " -2+3"]


def csv_body(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([TEMPLATE_HEADERS, *rows])
    return buffer.getvalue().encode()


def xlsx_body(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(TEMPLATE_HEADERS)
    for line, row in enumerate(rows, start=2):
        sheet.append(row)
        for cell in sheet[line]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, as typed after a quote: never a formula cell
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("text", PREFIXED)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_text_starting_like_a_formula_is_refused_naming_line_and_column(kind, text):
    row = person()
    row[1] = text
    body = (csv_body if kind == "csv" else xlsx_body)([person(), row])
    message = refusal(lambda: read_table(f"a.{kind}", body))
    assert message.startswith("Line 3, column Nama lengkap starts with"), message


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_plain_numbers_pass_and_a_negative_income_is_left_to_the_number_check(kind):
    negative, named = person(), person()
    negative[6], negative[7] = "-", "-500000"  # a dash for "none" in a number column
    named[1] = "-12"  # a plain number passes even in a text column
    if kind == "xlsx":
        named[7] = -500000  # a number cell
    body = (csv_body if kind == "csv" else xlsx_body)([negative, named])
    first, second = read_table(f"a.{kind}", body)
    assert (first["dtsen_decile"], first["declared_income"]) == ("-", "-500000")
    assert second["name"] == "-12"


def test_a_negative_income_becomes_the_row_s_number_error(app, as_user):
    oki = as_user("oki")
    batch_id = new_batch(app, oki)
    row = person()
    row[7] = "-500000"
    upload(oki, batch_id, xlsx_body([row]), name="warga.xlsx")
    assert json.loads(errors_of(app, batch_id)[2]) == {
        "declared_income": "Penghasilan berupa bilangan bulat Rupiah."
    }


# --- the upload screen ---------------------------------------------------------------------------


def rows_of(app, batch_id) -> int:
    with app.app_context():
        return db.session.query(BatchRow).filter_by(batch_id=batch_id).count()


def test_the_upload_refuses_the_bomb_in_indonesian_and_writes_nothing(app, as_user, bomb):
    oki = as_user("oki")
    batch_id = new_batch(app, oki)
    page = text_of(upload(oki, batch_id, bomb.read_bytes(), name="warga.xlsx"))
    assert "Isi buku kerja ini lebih dari 50 MB setelah diekstrak" in page
    assert rows_of(app, batch_id) == 0
    with app.app_context():
        batch = db.session.get(EnrollmentBatch, batch_id)
        assert batch.pending_file is None and batch.check_status is None  # refused in the request


def test_the_upload_refuses_formula_like_text_in_indonesian_and_writes_nothing(app, as_user):
    oki = as_user("oki")
    batch_id = new_batch(app, oki)
    row = person()
    row[1] = "-1+cmd"
    page = text_of(upload(oki, batch_id, xlsx_body([person(), row]), name="warga.xlsx"))
    assert "Baris 3, kolom Nama lengkap diawali karakter" in page
    assert rows_of(app, batch_id) == 0


def test_the_upload_request_checks_the_directory_only(app, as_user, monkeypatch):
    import openpyxl

    def forbidden(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook inside the request")

    oki = as_user("oki")
    batch_id = new_batch(app, oki)
    monkeypatch.setattr(openpyxl, "load_workbook", forbidden)
    with app.app_context():
        batch = db.session.get(EnrollmentBatch, batch_id)
        queue_file(db.session, batch, "warga.xlsx", good_xlsx([person()]), dt.datetime.now(dt.UTC))
        assert batch.check_total == 0
        db.session.rollback()
