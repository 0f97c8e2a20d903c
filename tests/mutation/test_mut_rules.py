"""Small rules of the service modules, called directly (no database, no request).

Written to kill mutants that the screen tests let live: each test states one rule's edge.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from app.models import AwardCategory
from app.scope import NOTHING, UNRESTRICTED, Scope
from app.services import ServiceError, awards, batch_import, permits, sponsors
from app.services.compliance import (
    DEFAULT_RULE,
    Check,
    Verdict,
    _all_enrolled,
    _minimum_wage,
    _program_set,
    _registered,
)

# --- compliance -----------------------------------------------------------------------------


def test_a_company_is_registered_only_with_an_npp_and_the_active_status():
    assert _registered(SimpleNamespace(npp="KP1", status="active")).passed is True
    assert _registered(SimpleNamespace(npp="", status="active")).passed is False
    assert _registered(SimpleNamespace(npp="KP1", status="inactive")).passed is False
    assert _registered(SimpleNamespace(npp="KP1", status="active")).figures == {
        "npp": "KP1",
        "status": "active",
    }


def test_the_workforce_passes_when_enrolled_reach_the_declared_number():
    company = SimpleNamespace(declared_workforce=3)
    assert _all_enrolled(company, {"enrolled": 3}).passed is True
    assert _all_enrolled(company, {"enrolled": 2}).passed is False
    assert _all_enrolled(company, {"enrolled": 2}).figures == {"enrolled": 2, "declared": 3}
    assert _all_enrolled(SimpleNamespace(declared_workforce=None), {"enrolled": 0}).passed is True


def test_the_program_set_does_not_apply_without_enrollments_and_fails_on_one_short():
    assert _program_set({"total": 0, "required": ["jkk"]}) == Check(
        "programs", None, {"required": ["jkk"]}
    )
    figures = {"total": 2, "short": 1, "required": ["jkk"], "other": 9}
    assert _program_set(figures) == Check(
        "programs", False, {"required": ["jkk"], "short": 1, "total": 2}
    )
    assert _program_set(figures | {"short": 0}).passed is True


def test_the_minimum_wage_check_is_skipped_when_off_or_unknown_and_fails_on_one_wage_below():
    on = dt.date(2026, 5, 1)
    assert _minimum_wage({"check_minimum_wage": False}, 100, {"below": 1}, on) == Check(
        "minimum_wage", None, {}
    )
    assert _minimum_wage({"check_minimum_wage": True}, None, {"below": 1}, on) == Check(
        "minimum_wage", None, {"year": 2026}
    )
    assert _minimum_wage({"check_minimum_wage": True}, 100, {"below": 1}, on) == Check(
        "minimum_wage", False, {"minimum": 100, "below": 1, "year": 2026}
    )
    assert _minimum_wage({"check_minimum_wage": True}, 100, {"below": 0}, on).passed is True


def test_a_verdict_is_compliant_unless_a_check_fails_and_lists_only_the_failures():
    checks = (Check("a", True), Check("b", None), Check("c", False))
    verdict = Verdict(1, dt.date(2026, 1, 1), checks, {})
    assert not verdict.compliant
    assert verdict.failures == [Check("c", False)]
    assert Verdict(1, dt.date(2026, 1, 1), checks[:2], {}).compliant


def test_a_verdicts_checks_are_written_as_json_with_accents_kept():
    verdict = Verdict(1, dt.date(2026, 1, 1), (Check("a", True, {"who": "Dinas Sosial é"}),), {})
    assert (
        verdict.checks_json()
        == '[{"code": "a", "passed": true, "figures": {"who": "Dinas Sosial é"}}]'
    )


def test_the_default_rule_checks_the_minimum_wage_and_has_no_grace():
    assert DEFAULT_RULE["grace_months"] == 0 and DEFAULT_RULE["grace_amount"] == 0
    assert DEFAULT_RULE["construction_days"] == 7 and DEFAULT_RULE["certificate_days"] == 90
    assert DEFAULT_RULE["check_minimum_wage"] is True


# --- sponsors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,end,months",
    [
        ((2026, 1, 15), (2026, 3, 1), 3),
        ((2026, 1, 1), (2026, 1, 31), 1),
        ((2025, 12, 1), (2026, 1, 1), 2),
        ((2026, 3, 1), (2026, 1, 1), 0),
        ((2026, 2, 1), (2026, 1, 1), 0),
    ],
)
def test_months_between_counts_calendar_months_touched(start, end, months):
    assert sponsors.months_between(dt.date(*start), dt.date(*end)) == months


def test_a_budget_without_a_commitment_has_nothing_remaining():
    budget = sponsors.Budget(commitment=None, workers=2, months=3, monthly_cost=10)
    assert budget.period_cost == 30
    assert budget.remaining_amount is None and budget.remaining_quota is None


def test_a_budget_remaining_is_the_commitment_less_its_use():
    commitment = SimpleNamespace(ceiling_amount=1000, workers_quota=10)
    budget = sponsors.Budget(commitment, 2, 3, 10, used_amount=400, used_workers=4)
    assert (budget.remaining_amount, budget.remaining_quota) == (600, 6)


def test_a_statement_line_costs_its_months_times_the_monthly_amount():
    line = sponsors.StatementLine("a", "n", "v", "s", "JKK", None, None, months=3, monthly=7)
    assert line.amount == 21


# --- batch import helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,text",
    [(None, ""), (12.0, "12"), (12.5, "12.5"), ("  x ", "x"), (7, "7")],
)
def test_a_cell_is_read_as_trimmed_text_whole_floats_without_decimals(value, text):
    assert batch_import._text(value) == text


@pytest.mark.parametrize(
    "value",
    ["1990-02-03", "03-02-1990", "03/02/1990", dt.date(1990, 2, 3), dt.datetime(1990, 2, 3, 5)],
)
def test_a_birth_date_is_read_in_each_accepted_form(value):
    assert batch_import._date(value) == dt.date(1990, 2, 3)


def test_a_birth_date_in_another_form_is_not_read():
    assert batch_import._date("1990/02/03") is None
    assert batch_import._date(None) is None


@pytest.mark.parametrize(
    "born,on,age",
    [
        ((2000, 5, 10), (2026, 5, 10), 26),
        ((2000, 5, 10), (2026, 5, 9), 25),
        ((2000, 5, 10), (2026, 4, 30), 25),
        ((2000, 5, 10), (2026, 6, 1), 26),
    ],
)
def test_an_age_counts_whole_years_to_the_day(born, on, age):
    assert batch_import._age(dt.date(*born), dt.date(*on)) == age


def test_a_nik_cell_loses_its_spaces():
    assert batch_import._nik({"nik": " 6203 0112 "}) == "62030112"
    assert batch_import._nik({}) == ""


def test_an_xlsx_is_known_by_its_extension_in_any_case():
    assert batch_import._is_xlsx("A.XLSX") and batch_import._is_xlsx("a.xlsx")
    assert not batch_import._is_xlsx("a.csv") and not batch_import._is_xlsx(None)


def test_a_csv_line_count_ignores_the_header_and_a_final_newline():
    assert batch_import.count_lines("a.csv", b"h\n1\n2\n") == 2
    assert batch_import.count_lines("a.csv", b"h\n1\n2") == 2
    assert batch_import.count_lines("a.csv", b"h") == 0


def _csv(*lines: str) -> bytes:
    return "\n".join(lines).encode()


def test_a_table_maps_known_headers_in_any_case_and_numbers_lines_from_two(app):
    with app.app_context():
        rows = batch_import.read_table(
            "a.csv", _csv("NIK;Nama;Tgl lahir;L/P;Kode desa;Extra", "1;A;x;L;v;e", ";;;;;", "2;B")
        )
    assert rows == [
        {"line": 2, "nik": "1", "name": "A", "birth_date": "x", "sex": "L", "village_code": "v"},
        {"line": 4, "nik": "2", "name": "B"},
    ]


def test_a_comma_separated_file_is_read_when_commas_outnumber_semicolons(app):
    with app.app_context():
        rows = batch_import.read_table(
            "a.csv", _csv("nik,name,sex,birth_date,village_code", "1,A;B,L,x,v")
        )
    assert rows[0]["name"] == "A;B"


def test_a_latin1_file_is_read(app):
    data = "nik;name;sex;birth_date;village_code\n1;Andr\xe9;L;x;v".encode("latin-1")
    with app.app_context():
        assert batch_import.read_table("a.csv", data)[0]["name"] == "André"


@pytest.mark.parametrize("cell", ["=1+1", "+A1", "@SUM(A1)", "  =1"])
def test_a_cell_starting_like_a_formula_refuses_the_file(app, cell):
    with app.app_context(), pytest.raises(ServiceError, match="3"):
        batch_import.read_table("a.csv", _csv("nik;name;sex;birth_date;village_code", "1;A", cell))


def test_a_cell_with_a_minus_sign_is_not_a_formula(app):
    with app.app_context():
        rows = batch_import.read_table(
            "a.csv", _csv("nik;name;sex;birth_date;village_code", "-1;A")
        )
    assert rows[0]["nik"] == "-1"


def test_a_file_without_a_required_column_names_what_is_missing(app):
    with app.app_context(), pytest.raises(ServiceError) as caught:
        batch_import.read_table("a.csv", _csv("nik;name;sex", "1;A;L"))
    assert "birth_date, village_code" in str(caught.value.message)


def test_an_empty_file_is_refused(app):
    with app.app_context(), pytest.raises(ServiceError):
        batch_import.read_table("a.csv", b"")


def test_a_file_above_the_size_limit_is_refused_and_one_at_the_limit_is_read(app, monkeypatch):
    monkeypatch.setattr(batch_import, "MAX_BYTES", 60)
    head = b"nik;name;sex;birth_date;village_code\n"
    with app.app_context():
        assert batch_import.read_table("a.csv", head + b"1" * (60 - len(head))) != []
        with pytest.raises(ServiceError):
            batch_import.read_table("a.csv", head + b"1" * (61 - len(head)))


def test_a_file_over_the_row_limit_is_refused_and_one_at_the_limit_is_read(app, monkeypatch):
    monkeypatch.setattr(batch_import, "MAX_ROWS", 2)
    head = "nik;name;sex;birth_date;village_code"
    with app.app_context():
        assert len(batch_import.read_table("a.csv", _csv(head, "1", "2"))) == 2
        with pytest.raises(ServiceError):
            batch_import.read_table("a.csv", _csv(head, "1", "2", "3"))


def test_a_broken_xlsx_is_refused(app):
    with app.app_context(), pytest.raises(ServiceError):
        batch_import.read_table("a.xlsx", b"PK not really")


def test_an_xlsx_with_a_formula_is_refused_and_values_are_read(app):
    import io

    from openpyxl import Workbook

    def book(second) -> bytes:
        wb = Workbook()
        wb.active.append(["NIK", "Nama", "Jenis kelamin", "Tanggal lahir", "Kode desa"])
        wb.active.append(second)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    with app.app_context():
        assert batch_import.read_table("a.xlsx", book(["1", "A", "L", "x", "v"]))[0]["name"] == "A"
        with pytest.raises(ServiceError, match="2"):
            batch_import.read_table("a.xlsx", book(["1", "=1+1", "L", "x", "v"]))
        assert batch_import.count_lines("a.xlsx", book(["1", "A", "L", "x", "v"])) == 1


# --- permits --------------------------------------------------------------------------------


def test_an_npp_is_eight_to_twelve_letters_or_digits_in_capitals(app):
    with app.app_context():
        assert permits.identify("kp10 0001") == ("npp", "KP100001")
        assert permits.identify("ab12cd34ef56") == ("npp", "AB12CD34EF56")
        for bad in ("kp10001", "ab12cd34ef567", "kp-1000_01", ""):
            with pytest.raises(ServiceError) as caught:
                permits.identify(bad)
            assert caught.value.status == 400 and caught.value.field == "identifier"


def test_an_nib_and_an_npwp_are_told_apart_by_their_length(app):
    with app.app_context():
        assert permits.identify("9120.0012-34567") == ("nib", "9120001234567")
        kind, _value = permits.identify("01.000.070.1-711.000")
        assert kind == "npwp"
        with pytest.raises(ServiceError) as caught:
            permits.identify("123456789012345")
        assert caught.value.status == 400


def _project(**overrides):
    values = dict(
        company=SimpleNamespace(regency_id=7),
        spk_date=dt.date(2026, 3, 1),
        registered_on=None,
        end_date=None,
        contract_value=1,
    )
    return SimpleNamespace(**(values | overrides))


def test_a_project_takes_its_contractors_regency(app):
    project = _project()
    with app.app_context():
        permits.prepare_project(project, today=dt.date(2026, 3, 1))
    assert project.regency_id == 7


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"company": None}, "company"),
        ({"spk_date": None}, "spk_date"),
        ({"spk_date": dt.date(2026, 3, 2)}, "spk_date"),
        ({"registered_on": dt.date(2026, 2, 28)}, "registered_on"),
        ({"end_date": dt.date(2026, 2, 28)}, "end_date"),
        ({"contract_value": 0}, "contract_value"),
        ({"contract_value": None}, "contract_value"),
    ],
)
def test_a_project_that_cannot_be_true_is_refused_on_its_field(app, overrides, field):
    with app.app_context(), pytest.raises(ServiceError) as caught:
        permits.prepare_project(_project(**overrides), today=dt.date(2026, 3, 1))
    assert caught.value.field == field


def test_a_project_registered_and_ending_on_its_spk_day_is_accepted(app):
    project = _project(registered_on=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 1))
    with app.app_context():
        permits.prepare_project(project, today=dt.date(2026, 3, 1))
    assert project.regency_id == 7


# --- awards ---------------------------------------------------------------------------------


def test_the_weighted_mean_rounds_half_up_and_is_zero_without_weight():
    assert awards._mean([]) == 0
    assert awards._mean([(0, 5000)]) == 0
    assert awards._mean([(1, 1), (1, 2)]) == 2  # 1.5 -> 2
    assert awards._mean([(1, 1), (2, 2)]) == 2  # 1.67 -> 2
    assert awards._mean([(2, 1), (1, 2)]) == 1  # 1.33 -> 1
    assert awards._mean([(3, 100), (1, 0)]) == 75


def test_the_scores_split_desk_and_panel_and_the_final_weighs_both():
    inputs = {
        "a": {"weight": 1, "source": "computed", "value": 8000},
        "b": {"weight": 3, "source": "panel", "value": 4000},
    }
    assert awards.score(inputs) == (8000, 4000, 5000)


def test_ties_are_broken_by_panel_then_desk_then_name_and_groups_rank_apart():
    rows = [
        {"name": "D", "final": 50, "panel": 10, "desk": 10, "g": 1},
        {"name": "C", "final": 50, "panel": 10, "desk": 10, "g": 1},
        {"name": "B", "final": 50, "panel": 10, "desk": 20, "g": 2},
        {"name": "A", "final": 50, "panel": 20, "desk": 0, "g": 1},
        {"name": "E", "final": 60, "panel": 0, "desk": 0, "g": 2},
    ]
    ordered = awards.rank([dict(r) for r in rows])
    assert [(r["name"], r["rank"]) for r in ordered] == [
        ("E", 1),
        ("A", 2),
        ("B", 3),
        ("C", 4),
        ("D", 5),
    ]
    grouped = awards.rank([dict(r) for r in rows], group=lambda r: r["g"])
    assert [(r["name"], r["rank"]) for r in grouped] == [
        ("E", 1),
        ("A", 1),
        ("B", 2),
        ("C", 2),
        ("D", 3),
    ]


def test_the_records_are_read_at_the_year_end_or_today_while_it_runs():
    period = SimpleNamespace(year=2025)
    assert awards.as_of(period, dt.date(2026, 2, 1)) == dt.date(2025, 12, 31)
    assert awards.as_of(period, dt.date(2025, 6, 1)) == dt.date(2025, 6, 1)


def test_only_regencies_are_ranked_by_province():
    assert awards.ranks_by_province(AwardCategory.REGENCY)
    for category in (AwardCategory.PROVINCE, AwardCategory.LARGE, AwardCategory.SMALL):
        assert not awards.ranks_by_province(category)
    assert len(awards.ranking_order(AwardCategory.LARGE)) == 2
    assert len(awards.ranking_order(AwardCategory.REGENCY)) == 3


def test_the_panel_marks_provinces_only_unrestricted_and_regencies_in_scope():
    kapuas = Scope(regency_ids=frozenset({3}))
    assert awards.may_mark(UNRESTRICTED, AwardCategory.PROVINCE, None)
    assert not awards.may_mark(kapuas, AwardCategory.PROVINCE, None)
    assert awards.may_mark(kapuas, AwardCategory.REGENCY, 3)
    assert not awards.may_mark(kapuas, AwardCategory.LARGE, 4)
    assert not awards.may_mark(NOTHING, AwardCategory.LARGE, 3)


def test_a_locked_period_refuses_every_change(app):
    with app.app_context():
        awards.refuse_if_locked(SimpleNamespace(locked=False, year=2025))
        with pytest.raises(awards.Conflict, match="2025"):
            awards.refuse_if_locked(SimpleNamespace(locked=True, year=2025))


@pytest.mark.parametrize("weight,stored", [("0", 0), (" 100 ", 100), (55, 55)])
def test_a_weight_is_a_whole_number_from_0_to_100(app, weight, stored):
    indicator = SimpleNamespace(period=SimpleNamespace(locked=False), weight=None)
    with app.app_context():
        awards.set_weight(None, indicator, weight)
    assert indicator.weight == stored


@pytest.mark.parametrize("weight", ["-1", "101", "5.5", None, "x"])
def test_a_weight_outside_0_to_100_is_refused(app, weight):
    indicator = SimpleNamespace(period=SimpleNamespace(locked=False), weight=7)
    with app.app_context(), pytest.raises(ServiceError) as caught:
        awards.set_weight(None, indicator, weight)
    assert caught.value.field == "weight" and indicator.weight == 7
