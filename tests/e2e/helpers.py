"""What the end-to-end tests share: unique customers, reading the API as an integration would,
and the admin command line."""

import subprocess
import sys
import uuid

from tests.integration.helpers import canonical_inquiry, publish_inquiry, wait_for


def unique_email():
    return f"buyer-{uuid.uuid4().hex[:8]}@acme-{uuid.uuid4().hex[:8]}.de"


def lead(email):
    """A canonical inquiry from a company of its own (company name and domain both unique)."""
    # The random part leads the name: names sharing a long prefix would be (rightly) matched as typos.
    return canonical_inquiry(email=email, company=f"{email.split('@')[1].split('.')[0].split('-')[1]} Buyer GmbH")


def get(api, path, **params):
    """The JSON of a GET that must succeed (``api``: an ``ApiClient``)."""
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def inbox_of(api, user):
    """Every entry of ``user``'s inbox, those a digest stands for included (many notices of one
    kind within a short window are listed under their digest, as the inbox shows them)."""
    entries = []
    for entry in get(api, f"/users/{user}/inbox", limit=200)["items"]:
        if entry["kind"] == "inbox_digest":
            entries += get(api, f"/users/{user}/inbox", digest=entry["id"], limit=200)["items"]
        else:
            entries.append(entry)
    return entries


def customer_by_email(api, email, *, owned=True):
    def found():
        items = get(api, "/customers", email=email)["items"]
        return items[0] if items and (items[0]["owner_id"] or not owned) else None

    return wait_for(found, timeout=30, what=f"customer {email}")


def timeline_kinds(api, customer_id, count, **params):
    """``params``: the timeline's query (include=reminders: with the reminder bookkeeping)."""

    def complete():
        kinds = [e["kind"] for e in get(api, f"/customers/{customer_id}/timeline", **params)["items"]]
        return kinds if len(kinds) >= count else None

    return wait_for(complete, timeout=30, what=f"{count} timeline entries")


def new_customer(system, api, message=None):
    """A customer of its own, as an integration's inquiry makes one, once it has an owner."""
    email = unique_email()
    inquiry = lead(email) if message is None else {**lead(email), "message": message}
    publish_inquiry(system.amqp_uri, inquiry, message_id=f"e2e-{uuid.uuid4()}")
    return customer_by_email(api, email)


def marketing_lead(system, api, message=None):
    """A lead marketing still holds: no salesperson owns it yet (as a screened lead before its
    handoff; the inquiry asks for the pool, so this works with or without the screening queue).
    Marketing records contacts on it and hands it to any salesperson; a customer sales owns is theirs."""
    email = unique_email()
    inquiry = {**lead(email), "allocate": False, **({"message": message} if message is not None else {})}
    publish_inquiry(system.amqp_uri, inquiry, message_id=f"e2e-{uuid.uuid4()}")
    return customer_by_email(api, email, owned=False)


def baton(system, *args, ok=True):
    """The admin command line against ``system``, as an admin types it: its output."""
    done = subprocess.run(
        [sys.executable, "-m", "cli.baton", "--amqp-uri", system.amqp_uri, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode == 0) is ok, done.stdout + done.stderr
    return done.stdout + done.stderr
