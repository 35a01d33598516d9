"""An integration's inquiry, end to end: plain AMQP in, HTTP API out, real services underneath."""

import json
import os
import signal
import subprocess
import uuid
from datetime import datetime, timedelta

import pytest

from tests.e2e.helpers import baton, customer_by_email, get, lead, timeline_kinds, unique_email
from tests.integration.helpers import publish_inquiry, wait_for

pytestmark = pytest.mark.e2e


def test_a_new_inquiry_becomes_an_owned_customer_with_a_first_touch_reminder(system, api):
    amqp_uri = system.amqp_uri
    email = unique_email()
    publish_inquiry(amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(api, email)
    assert customer["owner_id"] in {"alice", "bob", "carol"}
    assert timeline_kinds(
        api, customer["id"], 5, include="reminders"
    ) == [  # traits: "…model X with CE…" is quality focused
        "inquiry_received",
        "customer_created",
        "traits_noted",
        "owner_assigned",
        "reminder_scheduled",
    ]
    owner = get(api, f"/customers/{customer['id']}/owner")
    reminders = get(api, f"/users/{customer['owner_id']}/reminders")["items"]
    reminder = next(r for r in reminders if r["customer_id"] == customer["id"])
    due = datetime.fromisoformat(reminder["due_at"]) - datetime.fromisoformat(owner["allocated_at"])
    assert (reminder["kind"], due) == ("first_touch", timedelta(days=3))
    inquiry = get(api, "/inquiries", status="accepted", limit=200)["items"]
    assert any(i["customer_id"] == customer["id"] for i in inquiry)
    checklist = get(api, f"/customers/{customer['id']}/checklists/marketing_to_sales")
    assert {i["name"]: i["passed"] for i in checklist["items"]} == {
        "source_recorded": True,
        "basic_info_complete": True,
        "need_is_specific": True,
        "contact_attempted": False,
        "screening_recorded": True,
    }  # this system runs without marketing's screening queue


def test_new_customers_rotate_among_salespeople_by_weight(system, api):
    amqp_uri = system.amqp_uri
    emails = [unique_email() for _ in range(6)]
    for email in emails:  # one at a time, so arrival order is allocation order
        publish_inquiry(amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
        customer_by_email(api, email)
    owners = [customer_by_email(api, e)["owner_id"] for e in emails]
    assert sorted(owners) == sorted(["alice"] * 3 + ["bob"] * 2 + ["carol"])


def test_the_same_message_delivered_twice_changes_nothing(system, api):
    amqp_uri = system.amqp_uri
    email, message_id = unique_email(), f"e2e-{uuid.uuid4()}"
    publish_inquiry(amqp_uri, lead(email), message_id=message_id)
    customer = customer_by_email(api, email)
    timeline_kinds(api, customer["id"], 5, include="reminders")
    publish_inquiry(amqp_uri, lead(email), message_id=message_id)
    marker = unique_email()  # a later message: once it is through, the duplicate was too
    publish_inquiry(amqp_uri, lead(marker), message_id=f"e2e-{uuid.uuid4()}")
    customer_by_email(api, marker)
    again = get(api, f"/customers/{customer['id']}")
    assert (again["inquiry_count"], again["owner_id"]) == (1, customer["owner_id"])
    assert len(get(api, f"/customers/{customer['id']}/timeline", include="reminders")["items"]) == 5
    reminders = get(api, f"/users/{customer['owner_id']}/reminders", limit=200)["items"]
    assert [(r["customer_id"], r["kind"]) for r in reminders].count((customer["id"], "first_touch")) == 1
    assert [i["message_id"] for i in get(api, "/inquiries", limit=200)["items"]].count(message_id) == 1


def test_an_inquiry_from_a_known_email_joins_the_existing_customer(system, api):
    amqp_uri = system.amqp_uri
    email = unique_email()
    publish_inquiry(amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    first = customer_by_email(api, email)
    form = {"name": "Jane Doe", "email": email.upper(), "message": "Also 300 sets of model Y", "city": "Hamburg"}
    publish_inquiry(amqp_uri, form, routing_key="channel.website_form", message_id=f"e2e-{uuid.uuid4()}")
    merged = wait_for(
        lambda: (c := get(api, f"/customers/{first['id']}"))["inquiry_count"] == 2 and c, timeout=30, what="the merge"
    )
    assert (merged["owner_id"], merged["city"]) == (first["owner_id"], "Hamburg")
    assert get(api, "/customers", email=email)["total"] == 1
    summaries = [e["summary"] for e in get(api, f"/customers/{first['id']}/timeline")["items"]]
    assert any("merged into this archive (same email)" in s for s in summaries)


def test_a_country_in_any_spelling_is_one_market_by_its_iso_code(system, api):
    email, unknown = unique_email(), unique_email()
    publish_inquiry(system.amqp_uri, {**lead(email), "country": "Deutschland"}, message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(api, email)
    assert (customer["country"], customer["country_code"]) == ("Deutschland", "DE") and "DE" in customer["tags"]
    for spelling in ("DE", "Germany", "德国", "deu"):
        found = get(api, "/customers", country=spelling, owner_id=customer["owner_id"], limit=200)["items"]
        assert customer["id"] in [c["id"] for c in found], spelling
    pooled = get(api, "/pool", state="owned", country="Deutschland", owner_id=customer["owner_id"], limit=200)
    assert {"customer_id": customer["id"], "country": "Deutschland", "country_code": "DE"}.items() <= next(
        e for e in pooled["items"] if e["customer_id"] == customer["id"]
    ).items()
    assert customer["id"] in [c["id"] for c in get(api, "/customers", tag="Germany", limit=200)["items"]]
    refused = api.get("/customers", params={"country": "Xyzland"})
    assert refused.status_code == 400 and "Xyzland" in refused.json()["error"]["details"]["fields"]["country"][0]
    assert api.get("/pool", params={"country": "Xyzland"}).status_code == 400
    record = next(
        i for i in get(api, "/inquiries", status="accepted", limit=200)["items"] if i["customer_id"] == customer["id"]
    )
    assert (record["inquiry"]["country"], record["country_code"]) == ("Deutschland", "DE")
    # a spelling no country has is kept as given, with no code, and listed for an admin to map
    publish_inquiry(system.amqp_uri, {**lead(unknown), "country": "Deutchland"}, message_id=f"e2e-{uuid.uuid4()}")
    kept = customer_by_email(api, unknown, owned=False)
    assert (kept["country"], kept["country_code"]) == ("Deutchland", None)
    listed = next(u for u in get(api, "/countries/unknown")["items"] if u["country"] == "Deutchland")
    assert kept["id"] in listed["customer_ids"]
    assert "'Deutchland': " in baton(system, "countries", "unknown")
    backfilled = baton(system, "countries", "backfill")  # everything here has its code already
    assert "archives examined, 0 given a country code" in backfilled and "holdings examined" in backfilled


def test_invalid_messages_are_kept_with_their_errors_and_do_not_block_the_queue(system, api):
    amqp_uri = system.amqp_uri
    garbage_id, violation_id = f"e2e-bad-{uuid.uuid4()}", f"e2e-bad-{uuid.uuid4()}"
    publish_inquiry(amqp_uri, b"<html>not json</html>", message_id=garbage_id)
    publish_inquiry(
        amqp_uri, {"schema_version": 1, "channel": "website_form", "contact": {"email": "x"}}, message_id=violation_id
    )
    after = unique_email()
    publish_inquiry(amqp_uri, lead(after), message_id=f"e2e-{uuid.uuid4()}")
    customer_by_email(api, after)
    rejected = {i["message_id"]: i for i in get(api, "/inquiries", status="rejected", limit=200)["items"]}
    assert rejected[garbage_id]["raw_body"] == "<html>not json</html>"
    assert "not valid JSON" in rejected[garbage_id]["errors"]["_body"][0]
    assert rejected[violation_id]["errors"] == {"contact": {"email": ["Not a valid email address."]}}


def test_an_http_integration_posts_the_same_contract(system, api):
    email = unique_email()
    body = json.dumps(lead(email))
    accepted = api.post("/inquiries", data=body, headers={"Idempotency-Key": email}, timeout=10)
    assert accepted.status_code == 202
    assert customer_by_email(api, email)["inquiry_count"] == 1
    refused = api.post("/inquiries", data='{"channel": 5}', timeout=10)
    assert refused.status_code == 422
    assert set(refused.json()["error"]["details"]["fields"]) == {"channel", "schema_version", "contact"}


def test_a_service_that_dies_is_restarted_and_the_flow_carries_on(system, api):
    amqp_uri, supervisor_pid = system.amqp_uri, system.supervisor_pid

    def profile_pid():
        found = subprocess.run(
            ["pgrep", "-P", str(supervisor_pid), "-f", "services.profile.service"], capture_output=True, text=True
        ).stdout.split()
        return int(found[0]) if found else None

    killed = profile_pid()
    assert killed, "the supervisor runs no profile process"
    os.kill(killed, signal.SIGKILL)
    email = unique_email()  # published while profile is down: it waits in profile's durable queue
    publish_inquiry(amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    wait_for(lambda: profile_pid() not in (None, killed), timeout=30, what="profile to be restarted")
    assert customer_by_email(api, email)["owner_id"]


def test_recording_the_first_contact_completes_the_marketing_to_sales_checklist(system, api):
    amqp_uri = system.amqp_uri
    email = unique_email()
    publish_inquiry(amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(api, email)
    path = f"/customers/{customer['id']}"
    note = {
        "at": "2026-11-23T09:30:00+01:00",
        "method": "whatsapp",
        "by": customer["owner_id"],
        "summary": "Asked for samples\n【特殊】neutral packaging",
        "result": "samples to send next week",
    }
    recorded = api.post(f"{path}/communications", json=note, headers={"Idempotency-Key": email}, timeout=10)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["special_requirements"] == ["neutral packaging"]
    checklist = get(api, f"/customers/{customer['id']}/checklists/marketing_to_sales")
    assert checklist["passed"] is True, checklist
    bad = api.post(f"{path}/communications", data="[]", timeout=10)
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_input")


def test_a_manager_merges_a_duplicate_and_every_service_follows(system, api):
    amqp_uri = system.amqp_uri
    first, second = unique_email(), unique_email()
    for email in (first, second):
        publish_inquiry(amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    kept, absorbed = customer_by_email(api, first), customer_by_email(api, second)
    response = api.post(f"/customers/{kept['id']}/merge", json={"absorb": absorbed["id"], "by": "manager"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["inquiry_count"] == 2
    gone = api.get(f"/customers/{absorbed['id']}", timeout=10)
    assert (gone.status_code, gone.json()["error"]["details"]["merged_into"]) == (404, kept["id"])
    assert customer_by_email(api, second)["id"] == kept["id"]
    wait_for(
        lambda: api.get(f"/customers/{absorbed['id']}/owner", timeout=10).status_code == 404,
        timeout=30,
        what="pool to forget the absorbed archive",
    )
    wait_for(
        lambda: all(i["customer_id"] != absorbed["id"] for i in get(api, "/inquiries", limit=200)["items"]),
        timeout=30,
        what="intake to relink the absorbed archive's inquiries",
    )
    refused = api.post(f"/customers/{kept['id']}/merge", json={"absorb": kept["id"], "by": "m"}, timeout=10)
    assert refused.status_code == 400


def test_a_salesperson_files_a_new_customer_and_is_refused_an_existing_one(system, api):
    email = unique_email()
    card = {"created_by": "dora", "customer": lead(email) | {"channel": "trade_show"}}
    created = api.post("/customers", json=card, headers={"Idempotency-Key": email}, timeout=10)
    assert created.status_code == 201, created.text
    customer = customer_by_email(api, email)
    assert customer["owner_id"] == "dora"
    assert get(api, f"/customers/{customer['id']}/owner")["reason"] == "filed by hand"
    assert any(r["customer_id"] == customer["id"] for r in get(api, "/users/dora/reminders")["items"])
    colleague = {"created_by": "erik", "customer": lead(email) | {"contact": {"email": f"boss@{email.split('@')[1]}"}}}
    refused = api.post("/customers", json=colleague, timeout=10)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"].endswith("owned by dora.")


def test_importing_an_export_twice_files_each_row_once_and_reports_why(system, people, tmp_path):
    from cli.import_file import Api, import_file, load_mapping, report

    domain = unique_email().split("@")[1]
    path = tmp_path / "alibaba.csv"
    path.write_text(
        "Buyer Name,Email,Company,Country/Region,Inquiry Content\n"
        f"Jane,jane@{domain},Import Test {domain},Germany,2000 pcs\n"
        f"Li,li@{domain},Import Test {domain},Germany,500 sets\n"
        "Bad,not-an-email,Broken Row Ltd,Germany,hello\n",
        encoding="utf-8",
    )
    mapping, api = load_mapping("alibaba"), Api(system.api, people["mia"].token)
    _, missing, first = import_file(api, path, mapping, wait_seconds=60, progress=None)
    # The two rows are one customer: one opened the archive, the other joined it (workers file
    # concurrently, so which row came first is not promised).
    assert sorted(o["outcome"] for o in first[:2]) == ["created", "merged"], first
    assert first[0]["customer_id"] == first[1]["customer_id"] and first[2]["outcome"] == "rejected", first
    assert first[2]["errors"] == {"contact": {"email": ["Not a valid email address."]}}
    assert missing == ["contact.phone", "occurred_at", "products"]
    _, _, second = import_file(api, path, mapping, wait_seconds=60, progress=None)
    assert [o["outcome"] for o in second] == ["before", "before", "rejected"]
    import io

    out = io.StringIO()
    report(path, missing, first, out)
    assert "row 4: rejected — contact.email: Not a valid email address." in out.getvalue()


def test_a_backlog_imported_into_the_pool_waits_there_dated_as_the_file_says(system, people, tmp_path, capsys):
    from cli.import_file import main

    api = people["root"]
    refused_email = unique_email()
    publish_inquiry(system.amqp_uri, lead(refused_email), message_id=f"e2e-{uuid.uuid4()}")
    refused = customer_by_email(api, refused_email)
    assert api.post(f"/customers/{refused['id']}/reject", json={"reason": "asked us to stop"}).status_code == 200
    backlog = [unique_email() for _ in range(2)]
    path = tmp_path / "backlog.csv"
    path.write_text(
        "Buyer Name,Email,Company,Country/Region,Inquiry Content,询盘时间\n"
        + "".join(
            f"B{n},{email},{lead(email)['company']},Liechtenstein,500 sets,2025-11-03 10:00\n"
            for n, email in enumerate(backlog)
        )
        + f"Again,{refused_email},,,price again?,2025-11-04 09:30\n",
        encoding="utf-8",
    )
    code = main(
        [
            str(path),
            "--mapping",
            "alibaba",
            "--api",
            system.api,
            "--token",
            people["mia"].token,
            "--wait",
            "60",
            "--into-pool",
        ]
    )
    report = capsys.readouterr().out
    assert code == 0, report
    assert "     2 created" in report and "     1 of them into do-not-contact (rejected) customers" in report
    assert f"row 4: merged into {refused['id']}, a do-not-contact customer (rejected: asked us to stop)" in report
    for email in backlog:
        customer = customer_by_email(api, email, owned=False)
        owner = get(api, f"/customers/{customer['id']}/owner")
        assert (owner["state"], owner["owner_id"]) == ("public_pool", None), owner
        assert owner["reason"] == "not allocated: its inquiry asked for the public pool"
        assert datetime.fromisoformat(customer["sources"][0]["at"]) == datetime.fromisoformat("2025-11-03T10:00+08:00")
    assert get(api, f"/customers/{refused['id']}/owner")["state"] == "rejected"  # still: a person decides
    # Reports count the inquiries in the month the file gives, not the month they were imported in.
    november = get(api, "/reports/inquiries", **{"from": "2025-11", "to": "2025-11", "by": "country"})
    assert next(p for p in november["months"][0]["places"] if p["place"] == "LI")["inquiries"] >= 2
    # Nobody was handed the backlog: no first-touch reminders for it.
    customer_ids = {customer_by_email(api, email, owned=False)["id"] for email in backlog}
    assert not [
        r
        for seller in ("alice", "bob", "carol", "dora", "erik")
        for r in get(api, f"/users/{seller}/reminders", limit=200)["items"]
        if r["customer_id"] in customer_ids
    ]


def test_an_integration_imports_in_batches_and_learns_each_row_s_fate_even_without_reading_customers(
    system, people, tmp_path, capsys
):
    from cli.import_file import main

    emails = [unique_email() for _ in range(4)]
    path = tmp_path / "cards.csv"
    path.write_text(
        "Buyer Name,Email,Company,Country/Region,Inquiry Content\n"
        + "".join(f"B{n},{email},{lead(email)['company']},Germany,{n + 1}00 pcs\n" for n, email in enumerate(emails))
        + f"Again,{emails[0]},{lead(emails[0])['company']},Germany,and 50 more\n"
        + "Bad,not-an-email,Broken Row Ltd,Germany,hello\n",
        encoding="utf-8",
    )
    arguments = [
        str(path),
        "--mapping",
        "alibaba",
        "--api",
        system.api,
        "--token",
        people["web"].token,
        "--wait",
        "60",
        "--batch",
        "2",
    ]
    assert main(arguments) == 0
    first = capsys.readouterr()
    assert "     4 created" in first.out and "     1 merged into existing customers" in first.out, first.out
    assert "row 7: rejected — contact.email: Not a valid email address." in first.out
    merged_into = customer_by_email(people["root"], emails[0])["id"]
    assert f"row 6: merged into {merged_into}" in first.out
    assert main(arguments) == 0
    again = capsys.readouterr().out
    assert "     5 imported before (unchanged)" in again and "     1 rejected" in again, again


def test_a_batch_posted_to_the_api_files_its_good_items_once_and_answers_each(system, people):
    web, good = people["web"], [unique_email(), unique_email()]
    items = [
        {"message_id": f"batch-{good[0]}", "inquiry": lead(good[0])},
        {"inquiry": lead(good[1]) | {"external_id": f"ref-{good[1]}"}},
        {"message_id": "bad", "inquiry": {"schema_version": 1, "channel": "website_form", "contact": {}}},
        {"message_id": f"batch-{good[0]}", "inquiry": lead(good[0])},
    ]
    answer = web.post("/inquiries/batch", json={"items": items})
    assert answer.status_code == 200, answer.text
    assert [o["outcome"] for o in answer.json()["items"]] == ["accepted", "accepted", "rejected", "duplicate"]
    assert answer.json()["items"][2]["errors"] == {
        "contact": {"email": ["A contact needs an email or a phone number."]}
    }
    for email in good:
        assert customer_by_email(people["root"], email)["owner_id"]  # filed and allocated, as one by one
    again = web.post("/inquiries/batch", json={"items": items[:2]}).json()
    assert [o["outcome"] for o in again["items"]] == ["duplicate", "duplicate"]
    ids = ",".join(o["id"] for o in answer.json()["items"][:2])
    assert {i["filed_as"] for i in get(web, "/inquiries", ids=ids)["items"]} == {"created"}


def test_an_integration_reads_what_became_of_its_inquiries_and_no_one_else_s(system, people):
    web, mia = people["web"], people["mia"]
    reference = f"form-{uuid.uuid4().hex[:8]}"
    assert web.post("/inquiries", json=lead(unique_email()) | {"external_id": reference}).status_code == 202

    def filed():
        items = get(web, "/inquiries", external_id=reference)["items"]
        return items and items[0]["customer_id"] and items[0]

    mine = wait_for(filed, timeout=30, what="web's inquiry filed into a customer")
    assert (mine["status"], mine["submitted_by"], mine["inquiry"]["external_id"]) == ("accepted", "web", reference)
    bad = {"schema_version": 1, "channel": "website_form", "external_id": f"{reference}-2", "contact": {"email": "no"}}
    assert web.post("/inquiries", json=bad).status_code == 422
    [rejected] = get(web, "/inquiries", external_id=f"{reference}-2")["items"]
    assert rejected["errors"] == {"contact": {"email": ["Not a valid email address."]}}
    theirs = mia.post("/inquiries", json=lead(unique_email()) | {"external_id": reference}).json()["id"]
    refused = web.get(f"/inquiries/{theirs}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert [i["id"] for i in get(web, "/inquiries", external_id=reference)["items"]] == [mine["id"]]
    assert get(mia, "/inquiries", external_id=reference)["total"] == 2  # marketing reads every one


def test_a_bounce_mailed_to_the_email_channel_is_kept_as_rejected_and_files_no_customer(system, api):
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mx1.example-sales.com>\n"
        "Subject: Undelivered Mail Returned to Sender\n\n550 5.1.1 <zzz@zzz-imports.com>: User unknown\n"
    )
    answer = api.post("/channels/email/inquiries", json={"raw": raw})
    assert answer.status_code == 422
    details = answer.json()["error"]["details"]
    assert details["fields"] == {
        "_not_an_inquiry": ["a bounce from the mail system (MAILER-DAEMON@mx1.example-sales.com), not an inquiry"]
    }
    listed = get(api, "/inquiries", status="rejected", limit=200)["items"]
    assert details["inquiry_id"] in {i["id"] for i in listed}
    assert get(api, "/customers", email="MAILER-DAEMON@mx1.example-sales.com")["total"] == 0


HOSTILE = [
    {"schema_version": 1, "channel": "web", "contact": {"email": {"$gt": ""}}},
    {"schema_version": 1, "channel": {"$ne": None}, "contact": {"email": "a@b.co"}},
    {"schema_version": 1, "channel": "web", "contact": {"email": "a@b.co"}, "custom_fields": {"$where": "sleep(1)"}},
    {"schema_version": 1, "channel": "web", "contact": {"email": "a@b.co"}, "custom_fields": {"a.b": 1}},
    {"schema_version": 1, "channel": "web", "contact": {"email": "a@b.co"}, "company": "x" * 1_000_000},
    {
        "schema_version": 1,
        "channel": "web",
        "contact": {"email": "a@b.co", "name": "\x00\x07\x1b[31m"},
        "message": "\u202eevil\x00",
        "company": "Null\x00Byte GmbH",
    },
    {"$set": {"owner_id": "mallory"}},
]


def test_hostile_input_is_refused_or_kept_inert_and_the_system_carries_on(system, api):
    amqp_uri = system.amqp_uri
    for n, body in enumerate(HOSTILE):
        response = api.post("/inquiries", data=json.dumps(body), headers={"Idempotency-Key": f"h-{n}"}, timeout=30)
        # kept (202), refused by the input limits at the door (400) or by the contract (422): a field named
        assert response.status_code in (202, 400, 422), (n, response.status_code, response.text[:300])
        if response.status_code != 202:
            assert response.json()["error"]["details"]["fields"], (n, response.text[:300])
        publish_inquiry(amqp_uri, body, message_id=f"hostile-{uuid.uuid4()}")
    for raw in (b"\xff\xfe\x00garbage", b"{" * 100_000, b"x" * 2_000_000):
        publish_inquiry(amqp_uri, raw, message_id=f"hostile-raw-{uuid.uuid4()}")
        refused = api.post("/inquiries", data=raw, timeout=30)  # not UTF-8, too deep, too big: named
        assert refused.status_code in (400, 422) and refused.json()["error"]["code"], refused.text[:300]
    # The control-character inquiry was accepted: it must be filed, not stuck crashing a handler.
    inert = customer_by_email(api, "a@b.co")
    assert inert["company"] == "Null\x00Byte GmbH" and inert["owner_id"] != "mallory"
    email = unique_email()  # the flow still works after all that
    publish_inquiry(amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    assert customer_by_email(api, email)["owner_id"]


def test_a_salesperson_builds_the_archive_over_http_and_the_timeline_tells_the_story(system, api):
    amqp_uri = system.amqp_uri
    email = unique_email()
    publish_inquiry(
        amqp_uri,
        lead(email)
        | {
            "message": "2,000 pcs of X-200 with CE. Your price is too high, "
            "we are comparing a Shanghai supplier's quote."
        },
        message_id=f"e2e-{uuid.uuid4()}",
    )
    customer = customer_by_email(api, email)
    path = f"/customers/{customer['id']}"
    assert {t["name"] for t in customer["traits"]} == {"quality_focused", "price_sensitive", "comparing_competitors"}
    assert "Shanghai supplier" in customer["competitors"][0]["name"]
    patched = api.patch(
        f"{path}",
        json={
            "by": "alice",
            "cautions": ["dislikes hard discount pitches"],
            "custom_fields": {"industry": "LED lighting"},
        },
        timeout=10,
    )
    assert patched.status_code == 200, patched.text
    bad = api.patch(f"{path}", json={"by": "alice", "custom_fields": {"purchase_cycle": "weekly"}}, timeout=10)
    assert bad.status_code == 400 and "purchase_cycle" in bad.json()["error"]["details"]["fields"]["custom_fields"]
    quote = {
        "at": datetime.now().astimezone().isoformat(),
        "by": "alice",
        "product": "X-200",
        "unit_price": 4.2,
        "currency": "USD",
        "quantity": 2000,
    }
    first = api.post(f"{path}/quotes", json=quote, headers={"Idempotency-Key": "q1"}, timeout=10)
    again = api.post(f"{path}/quotes", json=quote, headers={"Idempotency-Key": "q1"}, timeout=10)
    assert first.status_code == again.status_code == 201
    assert (len(again.json()["quotes"]), again.json()["stage"]) == (1, "quoted")
    lost = api.put(f"{path}/stage", json={"stage": "lost", "by": "alice"}, timeout=10)
    assert lost.status_code == 400 and lost.json()["error"]["details"]["fields"] == {
        "reason": ["A reason is required for stage 'lost'."]
    }
    sister_email = unique_email()
    publish_inquiry(amqp_uri, lead(sister_email), message_id=f"e2e-{uuid.uuid4()}")
    sister = customer_by_email(api, sister_email)
    linked = api.post(f"{path}/group", json={"link": sister["id"], "by": "manager", "name": "Buyer Group"}, timeout=10)
    assert linked.status_code == 200, linked.text
    assert {(m["customer_id"], m["owner_id"]) for m in get(api, f"/customers/{sister['id']}/group")["members"]} == {
        (customer["id"], customer["owner_id"]),
        (sister["id"], sister["owner_id"]),
    }
    kinds = [e["kind"] for e in get(api, f"{path}/timeline")["items"]]
    for kind in (
        "inquiry_received",
        "customer_created",
        "traits_noted",
        "owner_assigned",
        "details_updated",
        "quote_recorded",
        "stage_changed",
        "group_linked",
    ):
        assert kind in kinds
