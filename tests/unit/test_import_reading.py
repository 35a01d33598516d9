"""intake's reading of an uploaded import file (services/intake/imports.py): the columns and what
each fills, the fields no column fills, every row as its batch item; bad input named by field."""

import base64
import io

import pytest
from openpyxl import Workbook

from contracts.errors import InvalidInput
from contracts.inquiry import InquirySchema
from services.intake.imports import import_mappings, read_import

ALIBABA_CSV = (
    "Buyer Name,Email,Company,Country/Region,Product Name,Inquiry Content,Quantity,Internal note\n"
    'Jane Doe,jane@acme.de,Acme GmbH,Germany,"LED panel, LED tube",Need CE,2000 pcs,x\n\n'
    "Li Wei,li@huada.cn,Huada,China,LED tube,Need 500,,y\n"
)


def _request(data: bytes, name="export.csv", mapping="alibaba", **more):
    return {"file_name": name, "content": base64.b64encode(data).decode(), "mapping": mapping, **more}


def test_every_row_becomes_a_batch_item_and_each_column_says_what_it_fills():
    reading = read_import(_request(ALIBABA_CSV.encode("utf-8-sig")))
    assert reading["total"] == 2 and [i["row"] for i in reading["items"]] == [2, 3], "empty rows are skipped"
    assert {"column": "Email", "target": "contact.email"} in reading["columns"]
    assert {"column": "Internal note", "target": None} in reading["columns"]
    assert reading["missing"] == ["contact.phone", "occurred_at"]
    first = reading["items"][0]
    assert first["message_id"].startswith("import:alibaba:")
    assert first["inquiry"]["contact"] == {"name": "Jane Doe", "email": "jane@acme.de"}
    assert InquirySchema().validate(first["inquiry"]) == {}
    again = read_import(_request(ALIBABA_CSV.encode("utf-8-sig")))
    assert [i["message_id"] for i in again["items"]] == [i["message_id"] for i in reading["items"]]
    assert read_import(_request(ALIBABA_CSV.encode(), into_pool=True))["items"][0]["inquiry"]["allocate"] is False


def test_an_xlsx_upload_is_read():
    book = Workbook()
    book.active.append(["Name", "Email", "Company"])
    book.active.append(["Hans Meier", "hans@bolt.de", "Bolt GmbH"])
    buffer = io.BytesIO()
    book.save(buffer)
    reading = read_import(_request(buffer.getvalue(), name="cards.XLSX", mapping="trade_show"))
    assert reading["total"] == 1 and reading["items"][0]["inquiry"]["company"] == "Bolt GmbH"


@pytest.mark.parametrize(
    "request_, field",
    [
        (_request(b"a,b\n1,2\n", mapping="nope"), "mapping"),
        ({**_request(b"a\n"), "content": "not base64!"}, "content"),
        (_request(b"PK\x03\x04 broken", name="x.xlsx"), "content"),
        (_request(b"a\n", name="x.pdf"), "file_name"),
        ({"mapping": "alibaba"}, "file_name"),
    ],
)
def test_bad_input_is_named_by_field(request_, field):
    with pytest.raises(InvalidInput) as refused:
        read_import(request_)
    assert field in refused.value.details["fields"], refused.value.details


def test_the_shipped_mappings_are_listed_with_their_columns():
    mappings = {m["name"]: m for m in import_mappings()["mappings"]}
    assert {"alibaba", "made_in_china", "trade_show"} <= set(mappings)
    assert mappings["alibaba"]["channel"] == "alibaba" and mappings["alibaba"]["columns"]["Email"] == "contact.email"
