"""Reading an import file through the API (GET /imports/mappings, POST /imports/read): intake reads
it under the mapping and answers every row as its batch item; nothing is filed until the items are
posted to POST /inquiries/batch, and then each row is filed once however often the file is read."""

import base64

import pytest

from tests.e2e.helpers import unique_email
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.e2e


def _read(client, text, **more):
    body = {"file_name": "export.csv", "content": base64.b64encode(text.encode()).decode(), "mapping": "alibaba"}
    return client.post("/imports/read", json=body | more)


def test_a_file_is_read_then_its_items_are_filed_once(people):
    mia = people["mia"]
    assert "alibaba" in {m["name"] for m in mia.get("/imports/mappings").json()["mappings"]}
    email = unique_email()
    text = f"Buyer Name,Email,Company,Inquiry Content\nLena Vogt,{email},Vogt Leuchten GmbH,Need 500 panels with CE\n"
    reading = _read(mia, text)
    assert reading.status_code == 200, reading.text
    items = reading.json()["items"]
    assert reading.json()["total"] == 1 and items[0]["inquiry"]["contact"]["email"] == email
    assert mia.get("/customers", params={"email": email}).json()["items"] == [], "reading files nothing"

    batch = [{"message_id": i["message_id"], "inquiry": i["inquiry"]} for i in items]
    first = mia.post("/inquiries/batch", json={"items": batch})
    assert first.status_code == 200 and first.json()["accepted"] == 1, first.text
    again = mia.post(
        "/inquiries/batch",
        json={
            "items": [
                {"message_id": i["message_id"], "inquiry": i["inquiry"]} for i in _read(mia, text).json()["items"]
            ]
        },
    )
    assert again.json()["duplicates"] == 1, again.text
    inquiry_id = first.json()["items"][0]["id"]
    wait_for(
        lambda: mia.get("/inquiries", params={"ids": inquiry_id}).json()["items"][0].get("filed_as") == "created",
        timeout=30,
        what="the row filed as a new customer",
    )


def test_bad_files_are_refused_naming_the_field_and_only_senders_read(people):
    refused = _read(people["mia"], "a,b\n1,2\n", mapping="no_such_mapping")
    assert refused.status_code == 400 and "mapping" in refused.json()["error"]["details"]["fields"], refused.text
    wrong = people["mia"].post("/imports/read", json={"file_name": "x.pdf", "content": "eA==", "mapping": "alibaba"})
    assert wrong.status_code == 400 and "file_name" in wrong.json()["error"]["details"]["fields"], wrong.text
    assert _read(people["alice"], "a\n1\n").status_code == 403
