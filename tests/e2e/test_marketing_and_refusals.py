"""Issue 15, items 9 (refusals logged at INFO) and 11 (marketing and the do-not-contact list),
played over HTTP as people would, against the whole running system."""

import csv
import io
import uuid
from datetime import UTC, datetime

from tests.e2e.helpers import customer_by_email, get, lead, new_customer, unique_email
from tests.integration.helpers import publish_inquiry, wait_for


def test_marketing_reads_a_salespersons_customer_but_changes_nothing_on_it(system, api, people):
    customer = new_customer(system, api)
    path, owner = f"/customers/{customer['id']}", customer["owner_id"]
    mia = people["mia"]
    assert get(mia, path)["id"] == customer["id"]  # marketing reads every customer
    for refused in (
        mia.patch(path, json={"city": "Bremen"}),
        mia.post(
            f"{path}/communications",
            json={"at": datetime.now(UTC).isoformat(), "method": "phone", "summary": "called them"},
        ),
    ):
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert error["code"] == "forbidden" and f"owned by {owner}" in error["message"]
        assert "marketing reads the customers sales owns but does not change them" in error["message"]
    assert get(api, path)["city"] != "Bremen" and get(api, path)["communications"] == []
    # nothing closed the owner's first touch
    first = wait_for(
        lambda: get(api, f"/users/{owner}/reminders", customer_id=customer["id"], kind="first_touch")["items"],
        timeout=30,
        what="the owner's first touch",
    )
    assert first[0]["status"] in ("pending", "fired")


def test_marketing_lists_exports_and_asks_the_do_not_contact_list(system, api, people):
    mia, meier = people["mia"], people["meier"]
    domain = f"dnc-{uuid.uuid4().hex[:8]}.de"
    local = f"30{uuid.uuid4().int % 10**7:07d}"  # a Berlin number of its own
    email = f"Jane.Doe@{domain}"
    inquiry = {
        **lead(email),
        "contact": {"name": "Jane Doe", "email": email, "phone": f"+49 {local}"},
        "country": "Germany",
    }
    publish_inquiry(system.amqp_uri, inquiry, message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(api, email)
    other = new_customer(system, api)  # a customer nobody rejected
    assert (
        meier.post(f"/customers/{customer['id']}/reject", json={"reason": "asked us never to call"}).status_code == 200
    )

    listed = wait_for(
        lambda: [i for i in get(mia, "/do-not-contact", limit=200)["items"] if i["customer_id"] == customer["id"]],
        timeout=30,
        what="the rejection on the list",
    )
    assert listed[0]["company"] == inquiry["company"] and listed[0]["reason"] == "asked us never to call"
    assert listed[0]["rejected_by"] == "meier" and listed[0]["country_code"] == "DE"
    page = get(mia, "/do-not-contact", limit=1)
    assert len(page["items"]) == 1 and page["total"] >= 1 and page["limit"] == 1

    # asked by email, domain or phone, in any spelling
    for asked in (
        {"email": f"  JANE.DOE@{domain.upper()} "},
        {"domain": f"https://www.{domain}/en/contact"},
        {"domain": f"sales@{domain}"},
        {"phone": f"+49 ({local[:2]}) {local[2:5]}-{local[5:]}"},
        {"phone": f"0{local}", "country": "德国"},
    ):
        found = get(mia, "/do-not-contact", **asked)
        assert found["found"] == [customer["id"]], asked
        assert [i["customer_id"] for i in found["items"]] == [customer["id"]], asked
    not_listed = get(mia, "/do-not-contact", email=other["contacts"][0]["email"].upper())
    assert not_listed["found"] == [other["id"]] and not_listed["items"] == []
    assert get(mia, "/do-not-contact", email=unique_email())["found"] == []
    bad = mia.get("/do-not-contact", params={"phone": "12"})
    assert bad.status_code == 400 and "phone" in bad.json()["error"]["details"]["fields"]

    exported = mia.get("/do-not-contact/export")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["customer_id"] == customer["id"])
    assert (row["company"], row["reason"], row["rejected_by"]) == (
        inquiry["company"],
        "asked us never to call",
        "meier",
    )
    assert other["id"] not in {r["customer_id"] for r in rows}

    status = mia.post("/pool/contact-status", json={"customer_ids": [customer["id"], "cus_unknown", other["id"]]})
    assert status.status_code == 200, status.text
    assert [(s["customer_id"], s["do_not_contact"]) for s in status.json()["items"]] == [
        (customer["id"], True),
        (other["id"], False),
    ]
    assert status.json()["unknown"] == ["cus_unknown"]

    for outsider in ("alice", "sam"):  # a salesperson or service member: not their list
        assert people[outsider].get("/do-not-contact").status_code == 403
        assert people[outsider].get("/do-not-contact/export").status_code == 403


def test_expected_refusals_are_one_info_line_in_the_gateway_and_the_services(system, api, people):
    log_dir = system.data_dir / "log"
    logs = {name: log_dir / f"{name}.log" for name in ("gateway", "profile", "handoff")}
    start = {name: path.stat().st_size for name, path in logs.items()}
    missing = api.get("/customers/cus_no_such_one")
    assert missing.status_code == 404
    customer = new_customer(system, api)
    owner = customer["owner_id"]
    # handed to service before any contact: the checklist refuses it (422), listing what is missing
    refused = people[owner].post(
        "/handoffs", json={"kind": "sales_to_service", "customer_id": customer["id"], "to": ["sam"], "package": {}}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "refused", refused.text

    def written(name):
        with open(logs[name], encoding="utf-8") as log:
            log.seek(start[name])
            return log.read()

    def refusal_lines():
        found = {
            name: [
                line for line in written(name).splitlines() if line.split(" ", 3)[2:3] == ["INFO"] and "refused" in line
            ]
            for name in logs
        }
        return found if all(found.values()) else None

    lines = wait_for(refusal_lines, timeout=10, what="the refusals in the logs")
    assert any("not_found" in line and "cus_no_such_one" in line for line in lines["profile"])
    assert any("not_found" in line and "cus_no_such_one" in line for line in lines["gateway"])
    assert any(f"for {owner}: refused: " in line and "refused handoff." in line for line in lines["handoff"])
    assert any(f"for {owner}: refused: " in line and "refused gateway." in line for line in lines["gateway"])
    for name in logs:
        assert "Traceback" not in written(name) and "error handling worker" not in written(name), name
