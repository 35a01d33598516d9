"""Exports people open in spreadsheets: formulas never run, Chinese names survive, numbers stay
numbers, and every report's figures are laid out row by row with names beside ids."""

import csv
import io

import pytest
from openpyxl import load_workbook

from contracts.errors import InvalidInput
from services.gateway import list_exports, report_tables
from services.gateway.exports import Table, csv_bytes, export_format, safe_cell, table_response, xlsx_bytes

NAMES = {"alice": "Alice Wang"}.get


def name_of(user_id):
    return NAMES(user_id, user_id)


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


def test_plain_values_are_kept_as_they_are():
    assert [safe_cell(v) for v in ("Acme", 3, 66.7, None, True, "北京")] == ["Acme", 3, 66.7, "", True, "北京"]


def test_csv_has_a_bom_and_stacks_tables_with_their_headings():
    body = csv_bytes([Table("a", ("company", "n"), [["科隆灯具", 2], ["=cmd", 1]]), Table("b", ("x",), [["y"]])])
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["company", "n"], ["科隆灯具", "2"], ["'=cmd", "1"], [], ["x"], ["y"]]


def test_xlsx_has_a_sheet_per_table_numbers_as_numbers_and_no_formula():
    book = load_workbook(
        io.BytesIO(
            xlsx_bytes([Table("inquiries", ("place", "n", "pct"), [["=1+1", 4, 66.7]]), Table("x" * 40, ("a",), [])])
        )
    )
    assert book.sheetnames == ["inquiries", "x" * 31]
    assert [list(r) for r in book["inquiries"].iter_rows(values_only=True)] == [
        ["place", "n", "pct"],
        ["'=1+1", 4, 66.7],
    ]
    assert book["inquiries"]["A2"].data_type == "s"


def test_the_format_is_csv_xlsx_or_json_and_anything_else_names_the_field():
    query = {"format": "xlsx", "from": "2026-01"}
    assert export_format(query) == "xlsx" and query == {"from": "2026-01"}
    assert export_format({}) is None and export_format({"format": ""}) is None
    with pytest.raises(InvalidInput) as refused:
        export_format({"format": "pdf"})
    assert refused.value.details["fields"] == {"format": ["Must be one of: csv, xlsx."]}


def test_a_download_is_named_and_typed():
    csv_answer = table_response("inquiries-2026-01-2026-03", [Table("t", ("a",), [])], "csv")
    assert csv_answer.mimetype == "text/csv"
    assert csv_answer.headers["Content-Disposition"] == 'attachment; filename="inquiries-2026-01-2026-03.csv"'
    xlsx_answer = table_response("x", [Table("t", ("a",), [])], "xlsx")
    assert xlsx_answer.mimetype.endswith("spreadsheetml.sheet") and xlsx_answer.get_data()[:2] == b"PK"


def _figures(**extra):
    return {"inquiries": 5, "previous": 3, "change": 2, "change_pct": 66.7, **extra}


def test_inquiries_each_month_in_all_then_each_place_with_its_name():
    places = [
        {"place": "DE", "name": "Germany", "region": "EU", **_figures()},
        {"place": None, "name": None, "region": None, **_figures(change_pct=None)},
    ]
    report = {
        "from": "2026-03",
        "to": "2026-03",
        "by": "country",
        "months": [{"month": "2026-03", **_figures(), "places": places}],
    }
    [table] = report_tables.inquiries_tables(report, name_of)
    assert table.columns[:2] == ("month", "country")
    assert list(table.rows) == [
        ["2026-03", "(all)", "(all)", "", 5, 3, 2, 66.7],
        ["2026-03", "DE", "Germany", "EU", 5, 3, 2, 66.7],
        ["2026-03", "", "", "", 5, 3, 2, None],
    ]


def test_follow_up_names_each_salesperson_and_ends_with_everyone():
    figures = {"samples": 2, "average_days": 3.5, "median_days": 3.5, "waiting": 1}
    report = {"from": "2026-03", "to": "2026-03", "people": [{"salesperson": "alice", **figures}], "overall": figures}
    [table] = report_tables.follow_up_tables(report, name_of)
    assert list(table.rows) == [["alice", "Alice Wang", 2, 3.5, 3.5, 1], ["(all)", "(all)", 2, 3.5, 3.5, 1]]


def test_demand_conversion_and_lost_reasons_keep_every_figure():
    demand = {
        "by": "region",
        "customers": 10,
        "needs": [{"need": "CE", "customers": 8, "share_pct": 80.0}],
        "places": [
            {"place": "EU", "name": None, "customers": 10, "needs": [{"need": "CE", "customers": 8, "share_pct": 80.0}]}
        ],
        "products": [{"product": "X-200", "inquiries": 4, "customers": 3}],
    }
    needs, products = report_tables.demand_tables(demand, name_of)
    assert list(needs.rows) == [["(all)", "(all)", 10, "CE", 8, 80.0], ["EU", "EU", 10, "CE", 8, 80.0]]
    assert list(products.rows) == [["X-200", 4, 3]]
    conversion = {
        "channels": [
            {
                "channel": "website_form",
                "opened": 4,
                "converted": 1,
                "rate_pct": 25.0,
                "campaigns": [{"campaign": None, "opened": 4, "converted": 1, "rate_pct": 25.0}],
            }
        ],
        "total": {"opened": 4, "converted": 1, "rate_pct": 25.0},
    }
    [table] = report_tables.conversion_tables(conversion, name_of)
    assert list(table.rows) == [
        ["website_form", "(all)", 4, 1, 25.0],
        ["website_form", "", 4, 1, 25.0],
        ["(all)", "(all)", 4, 1, 25.0],
    ]
    lost = {
        "lost": {"reasons": [{"stage": "lost", "reason": "price", "count": 2}]},
        "rejected_in_pool": {"reasons": [{"reason": "spam", "count": 1}]},
    }
    assert [list(t.rows) for t in report_tables.lost_reasons_tables(lost, name_of)] == [
        [["lost", "price", 2]],
        [["spam", 1]],
    ]


def test_lists_page_through_everything_the_filters_find_and_name_owners():
    pages = []

    def call(service, method, query):
        pages.append((service, method, query))
        items = [
            {
                "customer_id": f"cus_{n}",
                "company": "=Acme",
                "owner_id": "alice",
                "tags": ["CE", "B"],
                "state": "owned",
                "reason": "round-robin",
            }
            for n in range(query["offset"], min(query["offset"] + 200, 250))
        ]
        return {"items": items, "total": 250, "limit": query["limit"], "offset": query["offset"]}

    items = list_exports.every_item(call, "pool", "search_pool", {"state": "owned", "limit": "5", "offset": "40"})
    table = list_exports.pool_table(items, name_of)
    rows = list(table.rows)
    assert len(rows) == 250 and [q["offset"] for _s, _m, q in pages] == [0, 200]
    assert all(q["state"] == "owned" and q["limit"] == 200 for _s, _m, q in pages)
    first = dict(zip(table.columns, rows[0], strict=True))
    assert (first["owner"], first["tags"], first["company"]) == ("Alice Wang", "CE, B", "=Acme")
    again = list_exports.pool_table(list_exports.every_item(call, "pool", "search_pool", {}), name_of)
    assert csv_bytes([again]).decode("utf-8-sig").splitlines()[1].startswith("cus_0,'=Acme")


def test_a_customer_row_has_its_grades_and_first_contact():
    customer = {
        "id": "cus_1",
        "company": "Acme",
        "stage": "quoted",
        "intent_grade": {"grade": "A"},
        "value_grade": None,
        "owner_id": None,
        "contacts": [{"email": "j@acme.de", "phone": "+49 30 1234"}],
    }
    table = list_exports.customers_table(iter([customer]), name_of)
    row = dict(zip(table.columns, next(iter(table.rows)), strict=True))
    assert (row["intent_grade"], row["value_grade"], row["owner"], row["email"]) == ("A", None, "", "j@acme.de")
