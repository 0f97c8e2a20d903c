"""The parameter guard's rules one by one: what is kept, capped, dropped or refused, and why."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from app import params
from app.params import BadParameter

VIEW = SimpleNamespace(order_columns=["name", "segment"], search_columns=["name", "segment"])
NOT_WHOLE = "Nomor halaman atau jumlah baris per halaman harus bilangan bulat."
OUT_OF_RANGE = "Nomor halaman atau jumlah baris per halaman di luar batas."
NOT_RISON = "Parameter kueri q bukan rison yang sah."


@pytest.fixture
def ctx(app):
    with app.test_request_context("/workerview/list/"):
        yield


def refused(call) -> str:
    with pytest.raises(BadParameter) as error:
        call()
    return error.value.message


# --- rison q ---


@pytest.mark.parametrize("text", ["(((", "!(1,2)", "'a'", "1"])
def test_a_q_that_is_not_a_rison_object_is_refused(ctx, text):
    assert refused(lambda: params.check_rison(text, VIEW)) == NOT_RISON


@pytest.mark.parametrize("text", ["(page:abc)", "(page:!t)", "(page_size:'5')", "(page:1.5)"])
def test_a_page_that_is_not_a_whole_number_is_refused(ctx, text):
    assert refused(lambda: params.check_rison(text, VIEW)) == NOT_WHOLE


@pytest.mark.parametrize("text", ["(page:-1)", "(page:1000001)", "(page_size:-1)"])
def test_a_page_out_of_range_is_refused(ctx, text):
    assert refused(lambda: params.check_rison(text, VIEW)) == OUT_OF_RANGE


def test_the_bounds_themselves_are_accepted(ctx):
    assert params.check_rison("(page:1000000,page_size:10000000)", VIEW)["page"] == 1_000_000
    assert params.check_rison("(page:0)", VIEW) == {"page": 0}


def test_a_page_size_is_capped_at_a_hundred_and_raised_to_one(ctx):
    assert params.check_rison("(page_size:101)", VIEW)["page_size"] == 100
    assert params.check_rison("(page_size:100)", VIEW)["page_size"] == 100
    assert params.check_rison("(page_size:0)", VIEW)["page_size"] == 1
    assert params.check_rison("(page_size:7)", VIEW)["page_size"] == 7


def test_a_sort_column_the_api_offers_is_kept(ctx):
    value = params.check_rison("(order_column:name,order_direction:desc)", VIEW)
    assert value == {"order_column": "name", "order_direction": "desc"}


def test_a_sort_column_or_direction_not_offered_is_refused(ctx):
    assert (
        refused(lambda: params.check_rison("(order_column:birth_date)", VIEW))
        == "Daftar tidak dapat diurutkan menurut kolom itu."
    )
    assert (
        refused(lambda: params.check_rison("(order_direction:up)", VIEW))
        == "Arah urutan harus asc atau desc."
    )
    assert refused(lambda: params.check_rison("(order_column:name)", None))


def test_filters_must_be_a_list_of_objects_on_offered_columns(ctx):
    ok = "(filters:!((col:name,opr:ct,value:a)))"
    assert params.check_rison(ok, VIEW)["filters"][0]["col"] == "name"
    assert refused(lambda: params.check_rison("(filters:(col:name))", VIEW)) == NOT_RISON
    assert refused(lambda: params.check_rison("(filters:!(1))", VIEW)) == NOT_RISON
    assert (
        refused(lambda: params.check_rison("(filters:!((col:nik,opr:eq,value:1)))", VIEW))
        == "Daftar tidak dapat disaring menurut kolom itu."
    )


# --- screen list arguments ---


def clean(**args):
    views = {"WorkerView": VIEW}
    return dict(params.clean_list_args(MultiDict(args), views))


def test_screen_arguments_of_an_unknown_view_are_dropped(ctx):
    assert clean(page_NoSuchView="3") == {}


def test_a_page_size_is_capped_and_a_page_kept(ctx):
    assert clean(psize_WorkerView="1000000", page_WorkerView="2") == {
        "psize_WorkerView": "100",
        "page_WorkerView": "2",
    }
    assert clean(psize_WorkerView="25") == {"psize_WorkerView": "25"}


@pytest.mark.parametrize(
    "args,message",
    [
        ({"page_WorkerView": "x"}, NOT_WHOLE),
        ({"page_WorkerView": "-1"}, NOT_WHOLE),
        ({"page_WorkerView": "123456789"}, NOT_WHOLE),
        ({"psize_WorkerView": "0"}, OUT_OF_RANGE),
        ({"page_WorkerView": "1000001"}, OUT_OF_RANGE),
    ],
)
def test_malformed_screen_numbers_are_refused(ctx, args, message):
    assert refused(lambda: clean(**args)) == message


def test_sorting_is_kept_only_for_offered_columns_and_known_directions(ctx):
    assert clean(_oc_WorkerView="name", _od_WorkerView="desc") == {
        "_oc_WorkerView": "name",
        "_od_WorkerView": "desc",
    }
    assert clean(_oc_WorkerView="birth_date", _od_WorkerView="sideways") == {}
    assert clean(_od_WorkerView="asc") == {"_od_WorkerView": "asc"}


def test_a_filter_with_an_absurd_index_is_dropped(ctx):
    kept = clean(_flt_0_name="a", _flt_101_name="b", _flt_100_segment="c")
    assert kept == {"_flt_0_name": "a", "_flt_100_segment": "c"}


def test_a_filter_on_a_column_the_list_cannot_search_is_dropped(app, as_user):
    with app.test_request_context("/workerview/list/"):
        from flask import request

        adapter = app.url_map.bind("localhost")
        request.url_rule, request.view_args = adapter.match("/workerview/list/", return_rule=True)
        views = {type(v).__name__: v for v in app.appbuilder.baseviews}
        kept = dict(
            params.clean_list_args(MultiDict({"_flt_0_nik": "1", "_flt_0_name": "a"}), views)
        )
    assert kept == {"_flt_0_name": "a"}


def test_other_arguments_pass_unchanged(ctx):
    assert clean(q="abc", on="2026-01-01") == {"q": "abc", "on": "2026-01-01"}


# --- through the app ---


def test_a_malformed_rison_q_answers_400_with_the_indonesian_message(client):
    from tests.test_api import token

    response = client.get("/api/v1/worker/?q=(((", headers=token(client, "sari"))
    assert response.status_code == 400
    assert response.get_json() == {"message": NOT_RISON}


def test_a_sort_outside_the_offered_columns_falls_back_to_the_default_order(as_user):
    response = as_user("sari").get("/workerview/list/?_oc_WorkerView=birth_date")
    assert response.status_code == 200


def test_a_malformed_screen_page_redirects_to_the_plain_list(as_user):
    response = as_user("sari").get("/workerview/list/?page_WorkerView=x&_oc_WorkerView=name")
    assert response.status_code == 302
    assert response.headers["Location"] == "/workerview/list/"


def test_the_page_size_bound_is_ten_million(ctx):
    assert params.check_rison("(page_size:10000000)", VIEW)["page_size"] == 100
    assert refused(lambda: params.check_rison("(page_size:10000001)", VIEW)) == OUT_OF_RANGE


def test_an_api_sorts_and_filters_by_the_columns_it_offers(client):
    from tests.test_api import token

    headers = token(client, "sari")
    sorted_ = client.get(
        "/api/v1/worker/?q=(order_column:name,order_direction:desc)", headers=headers
    )
    assert sorted_.status_code == 200
    names = [row["name"] for row in sorted_.get_json()["result"]]
    assert names == sorted(names, reverse=True)
    filtered = client.get(
        "/api/v1/worker/?q=(filters:!((col:name,opr:eq,value:'Yohanes Ngabut')))", headers=headers
    )
    assert [row["name"] for row in filtered.get_json()["result"]] == ["Yohanes Ngabut"]


def test_the_smallest_page_size_and_the_last_page_are_accepted(ctx):
    assert clean(psize_WorkerView="1") == {"psize_WorkerView": "1"}
    assert clean(page_WorkerView="1000000") == {"page_WorkerView": "1000000"}


def test_a_refusal_reads_as_its_message():
    assert str(BadParameter("Pesan.")) == "Pesan."


def test_repeated_arguments_are_all_kept(ctx):
    args = MultiDict([("_flt_0_name", "a"), ("_flt_0_name", "b")])
    kept = params.clean_list_args(args, {"WorkerView": VIEW})
    assert kept == [("_flt_0_name", "a"), ("_flt_0_name", "b")]


def test_an_argument_after_one_that_is_dropped_is_still_kept(ctx):
    args = MultiDict(
        [
            ("page_NoSuchView", "1"),
            ("_oc_WorkerView", "birth_date"),
            ("_od_WorkerView", "up"),
            ("_flt_101_name", "x"),
            ("page_WorkerView", "0"),
        ]
    )
    assert params.clean_list_args(args, {"WorkerView": VIEW}) == [("page_WorkerView", "0")]


def test_the_screen_page_size_bound_is_ten_million(ctx):
    assert clean(psize_WorkerView="10000000") == {"psize_WorkerView": "100"}
    assert refused(lambda: clean(psize_WorkerView="10000001")) == OUT_OF_RANGE


def test_a_view_that_offers_no_sort_drops_every_sort(ctx):
    views = {"ChartView": SimpleNamespace(search_columns=None)}
    assert params.clean_list_args(MultiDict({"_oc_ChartView": "name"}), views) == []
