"""Fast checks of the rulebook's pure parts: scope conditions, masking, exports, parameters, logs.

No database and no app: each test runs in milliseconds, so mutation testing (scripts/mutation)
can judge a mutant of these modules in seconds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, false, select, true
from sqlalchemy.dialects import sqlite

from app import exports, logs, params, privacy
from app.scope import NOTHING, UNRESTRICTED, Scope

TABLE = Table(
    "thing",
    MetaData(),
    Column("id", Integer),
    Column("regency_id", Integer),
    Column("village_id", Integer),
    Column("opd_id", Integer),
)


def sql(clause) -> str:
    query = select(TABLE.c.id).where(clause)
    return str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


# --- scope conditions ---


def test_the_unrestricted_scope_reads_everything():
    assert UNRESTRICTED.clause(TABLE.c.regency_id) is true()


def test_a_scope_without_regencies_reads_nothing():
    assert NOTHING.clause(TABLE.c.regency_id) is false()
    assert Scope(opd_id=3).clause(TABLE.c.regency_id, opd=TABLE.c.opd_id) is false()


def test_a_branch_scope_reads_its_regencies_in_order():
    text = sql(Scope(regency_ids=frozenset({7, 3})).clause(TABLE.c.regency_id))
    assert "thing.regency_id IN (3, 7)" in text


def test_a_village_scope_narrows_to_the_village():
    scope = Scope(regency_ids=frozenset({3}), village_id=11)
    text = sql(scope.clause(TABLE.c.regency_id, village=TABLE.c.village_id))
    assert "thing.regency_id IN (3)" in text and "thing.village_id = 11" in text


def test_an_opd_scope_narrows_to_the_opd():
    scope = Scope(regency_ids=frozenset({3}), opd_id=5)
    text = sql(scope.clause(TABLE.c.regency_id, opd=TABLE.c.opd_id))
    assert "thing.opd_id = 5" in text


def test_a_model_without_the_narrower_level_is_invisible_to_that_level():
    assert Scope(regency_ids=frozenset({3}), village_id=11).clause(TABLE.c.regency_id) is false()
    assert Scope(regency_ids=frozenset({3}), opd_id=5).clause(TABLE.c.regency_id) is false()


def test_a_regency_scope_ignores_levels_it_does_not_have():
    text = sql(
        Scope(regency_ids=frozenset({3})).clause(
            TABLE.c.regency_id, village=TABLE.c.village_id, opd=TABLE.c.opd_id
        )
    )
    assert "village_id" not in text and "opd_id" not in text


def test_a_callable_level_receives_the_scope_value():
    seen = []
    scope = Scope(regency_ids=frozenset({3}), village_id=11)
    scope.clause(TABLE.c.regency_id, village=lambda v: seen.append(v) or true())
    assert seen == [11]


def test_allows_regency_follows_the_scope():
    assert UNRESTRICTED.allows_regency(None)
    assert Scope(regency_ids=frozenset({3})).allows_regency(3)
    assert not Scope(regency_ids=frozenset({3})).allows_regency(4)
    assert not NOTHING.allows_regency(3)


def test_an_undeclared_model_reads_as_empty_for_a_restricted_scope():
    from app.scope import read_clause

    class Undeclared:
        pass

    class Province:  # a shared reference table by name
        pass

    scope = Scope(regency_ids=frozenset({3}))
    assert read_clause(Undeclared, scope) is false()
    assert read_clause(Province, scope) is true()
    assert read_clause(Undeclared, UNRESTRICTED) is true()


# --- masking ---


def test_a_nik_keeps_region_and_last_four_digits():
    assert privacy.mask_nik("6203012003850001") == "620301******0001"
    assert privacy.mask_nik("123") == "***"
    assert privacy.mask_nik(None) == ""


def test_masking_hides_each_kind_for_a_reader_without_rights():
    assert privacy.mask("nik", "6203012003850001", sees=False) == "620301******0001"
    assert privacy.mask("birth_date", dt.date(1985, 3, 20), sees=False) == "**** 1985"
    assert privacy.mask("birth_date", "1985-03-20", sees=False) == "**** 1985"
    assert privacy.mask("phone", "081234567890", sees=False) == "*********890"
    assert privacy.mask("wage", 3_500_000, sees=False) is None


def test_masking_shows_values_to_a_reader_with_rights():
    assert privacy.mask("nik", "6203012003850001", sees=True) == "6203012003850001"
    assert privacy.mask("wage", 3_500_000, sees=True) == 3_500_000


def test_an_empty_value_stays_empty():
    assert privacy.mask("nik", None, sees=False) is None
    assert privacy.mask("phone", "", sees=False) == ""


def test_an_unreadable_value_is_masked_whole():
    assert privacy.mask("birth_date", "not a date", sees=False) == "****"


def test_a_record_is_masked_field_by_field():
    row = {"nik": "6203012003850001", "name": "Siti", "birth_date": "1985-03-20", "phone": None}
    privacy.mask_record("Worker", row, sees=False)
    assert row == {
        "nik": "620301******0001",
        "name": "Siti",
        "birth_date": "**** 1985",
        "phone": None,
    }


def test_a_record_of_a_type_without_personal_fields_is_left_alone():
    row = {"nik": "6203012003850001"}
    assert privacy.mask_record("Company", row, sees=False) == {"nik": "6203012003850001"}


def test_a_reader_with_rights_gets_the_record_unchanged():
    row = {"nik": "6203012003850001"}
    assert privacy.mask_record("Worker", row, sees=True) == {"nik": "6203012003850001"}


def test_an_audited_change_masks_before_and_after():
    details = privacy.audit_details(
        "Worker", '{"nik": ["6203012003850001", "6203012003850002"], "name": "x"}', sees=False
    )
    assert "620301******0001" in details and "620301******0002" in details
    assert "6203012003850001" not in details and '"name": "x"' in details


def test_audit_details_that_are_empty_or_broken_show_nothing():
    assert privacy.audit_details("Worker", None, sees=False) == ""
    assert privacy.audit_details("Worker", "{not json", sees=False) == ""


def test_audit_details_of_a_list_are_kept():
    assert privacy.audit_details("Worker", "[1, 2]", sees=False) == "[1, 2]"


# --- exports ---


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx", "\0x"])
def test_text_a_spreadsheet_would_run_is_neutralised(text):
    assert exports.safe_cell(text) == "'" + text


def test_plain_values_pass_unchanged():
    assert exports.safe_cell("Siti") == "Siti"
    assert exports.safe_cell(5) == 5
    assert exports.safe_cell(None) is None
    assert exports.safe_cell(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert exports.safe_cell(True) is True


def test_other_objects_are_written_as_safe_text():
    class Label:
        def __str__(self):
            return "=HYPERLINK()"

    assert exports.safe_cell(Label()) == "'=HYPERLINK()"


def test_a_csv_has_a_bom_semicolons_and_empty_cells_for_none():
    data = exports.csv_bytes(["a", "b"], [["=x", None], [1, "y"]]).decode("utf-8")
    assert data.startswith("\ufeffa;b")
    assert "'=x;\r\n" in data and "1;y" in data


def test_an_xlsx_sheet_holds_the_neutralised_rows():
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exports.xlsx_bytes(["a"], [["=x"], [2]], "Data")))
    sheet = book["Data"]
    assert [c.value for c in sheet["A"]] == ["a", "'=x", 2]


# --- parameters ---


def test_json_depth_counts_nesting_outside_strings():
    assert params.json_depth(b"{}") == 1
    assert params.json_depth(b'{"a": [[1]]}') == 3
    assert params.json_depth(b'{"a": "[[[[[[[["}') == 1
    assert params.json_depth(b'{"a": "\\"[[["}') == 1
    assert params.json_depth(b"1") == 0


# --- logs ---


def test_the_log_scrubber_keeps_ordinary_text():
    assert logs.scrub("batch 12 enrolled 30 rows") == "batch 12 enrolled 30 rows"


def test_the_log_scrubber_hides_sql_parameters():
    text = "[SQL: INSERT ...]\n[parameters: ('6203012003850001', 'Siti')]"
    scrubbed = logs.scrub(text)
    assert "Siti" not in scrubbed and scrubbed.endswith("[parameters: …]")


def test_a_seventeen_digit_number_is_not_a_nik():
    assert logs.scrub("id 12345678901234567") == "id 12345678901234567"


def _record(factory, msg, args=(), exc_info=None):
    import logging

    return factory("lindungi", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_a_scrubbed_log_record_carries_no_nik_in_its_message():
    import logging

    record = _record(logs.scrubbing(logging.LogRecord), "worker %s refused", ("6203012003850001",))
    assert record.getMessage() == "worker 620301******0001 refused"
    assert record.args is None


def test_a_scrubbed_log_record_with_a_bad_format_keeps_its_text_scrubbed():
    import logging

    record = _record(logs.scrubbing(logging.LogRecord), "nik %d 6203012003850001", ("x",))
    assert record.getMessage() == "nik %d 620301******0001"


def test_a_scrubbed_log_record_carries_no_nik_in_its_traceback():
    import logging
    import sys

    try:
        raise ValueError("Key (nik)=(6203012003850001) already exists.")
    except ValueError:
        info = sys.exc_info()
    record = _record(logs.scrubbing(logging.LogRecord), "insert failed", exc_info=info)
    assert "6203012003850001" not in record.exc_text
    assert "Key (nik)=(…) already exists." in record.exc_text
    assert record.exc_text.startswith("Traceback") and not record.exc_text.endswith("\n")
    formatted = logging.Formatter().format(record)
    assert "6203012003850001" not in formatted


def test_a_record_without_an_exception_gets_no_traceback_text():
    import logging

    record = _record(logs.scrubbing(logging.LogRecord), "plain", exc_info=(None, None, None))
    assert record.exc_text is None


def test_audit_details_keep_accents_and_sort_their_keys():
    details = privacy.audit_details("Company", '{"b": "Désa", "a": 1}', sees=False)
    assert details == '{"a": 1, "b": "Désa"}'


def test_audit_details_shown_in_full_to_a_reader_with_rights():
    details = privacy.audit_details("Worker", '{"nik": "6203012003850001"}', sees=True)
    assert details == '{"nik": "6203012003850001"}'


def test_an_xlsx_sheet_title_is_cut_to_the_31_characters_excel_allows():
    import io

    from openpyxl import load_workbook

    data = exports.xlsx_bytes(["a"], [[1]], "x" * 40)
    assert load_workbook(io.BytesIO(data)).sheetnames == ["x" * 31]
    assert load_workbook(io.BytesIO(exports.xlsx_bytes(["a"], [[1]]))).sheetnames == ["Data"]


def test_a_birth_date_given_with_a_time_is_masked_to_its_year():
    assert privacy.mask("birth_date", "1985-03-20T10:00:00", sees=False) == "**** 1985"


def test_a_phone_of_three_digits_or_fewer_is_shown_as_it_is():
    assert privacy.mask("phone", "112", sees=False) == "112"
    assert privacy.mask("phone", "12", sees=False) == "12"


def test_a_record_missing_a_personal_field_still_gets_the_others_masked():
    row = {"birth_date": "1985-03-20", "phone": "081234567890"}
    privacy.mask_record("Worker", row, sees=False)
    assert row == {"birth_date": "**** 1985", "phone": "*********890"}


def test_the_log_traceback_is_the_exception_text_scrubbed():
    import logging
    import sys
    import traceback

    try:
        raise ValueError("boom 6203012003850001")
    except ValueError:
        info = sys.exc_info()
    record = _record(logs.scrubbing(logging.LogRecord), "failed", exc_info=info)
    expected = logs.scrub("".join(traceback.format_exception(*info))).rstrip("\n")
    assert record.exc_text == expected


def test_install_sets_the_scrubbing_factory_once():
    import logging

    before, installed = logging.getLogRecordFactory(), logs._installed
    try:
        logs._installed = False
        logging.setLogRecordFactory(logging.LogRecord)
        logs.install()
        factory = logging.getLogRecordFactory()
        assert factory is not logging.LogRecord and logs._installed is True
        record = factory("x", logging.INFO, __file__, 1, "nik %s", ("6203012003850001",), None)
        assert record.getMessage() == "nik 620301******0001"
        logs.install()
        assert logging.getLogRecordFactory() is factory
    finally:
        logging.setLogRecordFactory(before)
        logs._installed = installed


def test_json_depth_comes_back_down_after_each_closing_bracket():
    assert params.json_depth(b"[[]][[]]") == 2
    assert params.json_depth(b"{}{}{}") == 1
    assert params.json_depth(b'[{"a": {}}, {"b": {}}]') == 3


def test_json_depth_reads_escaped_quotes_and_backslashes_inside_strings():
    assert params.json_depth(b'["\\\\", [[1]]]') == 3
    assert params.json_depth(b'["\\"", [1]]') == 2
    assert params.json_depth(b'["a\\\\\\"[[[", 1]') == 1


def test_an_export_is_an_attachment_named_by_list_and_date_never_cached():
    import datetime as dt_

    stamp = dt_.date.today().isoformat()
    response = exports.export_response("pekerja", "csv", ["a"], [["=x"]])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="pekerja-{stamp}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data().decode("utf-8").startswith("\ufeffa\r\n'=x")


def test_an_xlsx_export_holds_the_rows_on_a_sheet_named_after_the_list():
    import io

    from openpyxl import load_workbook

    response = exports.export_response("pekerja", "xlsx", ["a"], [["=x"], [2]])
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.get_data()))["pekerja"]
    assert [c.value for c in sheet["A"]] == ["a", "'=x", 2]


def test_a_csv_keeps_an_empty_text_apart_from_a_missing_value():
    data = exports.csv_bytes(["a", "b", "c"], [[None, "", 0]]).decode("utf-8")
    assert data.splitlines()[1] == ';"";0' or data.splitlines()[1] == ";;0"
    assert "None" not in data
