"""What the console's browser journeys start from: people with passwords and a few customers in
known states, made through the HTTP API as the people themselves would. Written as the JSON
fixture ``web/e2e/harness.mjs`` reads (BATON_E2E_FIXTURE).

Against a running system by hand (e.g. `scripts/run` on :8000):
    .venv/bin/python -m tests.e2e.console_seed --api http://127.0.0.1:8000 \\
        --amqp-uri pyamqp://guest:guest@127.0.0.1:5672/ --out /tmp/fixture.json
"""

import argparse
import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy

from deploy.local_system import System, provision_users
from tests.e2e.helpers import lead, unique_email
from tests.integration.helpers import ApiClient, wait_for

WEB = Path(__file__).resolve().parents[2] / "web"

# The people the journeys play: {id: (name, role, department, team)}.
CONSOLE_PEOPLE = {
    "root": ("Root Admin", "admin", None, None),
    "alice": ("Alice Wang", "member", "sales", "default"),
    "bob": ("Bob Li", "member", "sales", "default"),
    "meier": ("Klaus Meier", "manager", "sales", "default"),
    "mia": ("Mia Chen", "member", "marketing", None),
    "sam": ("Sam Zhou", "member", "service", None),
}


def password_of(user_id):
    return f"pw-{user_id}-2026"


def provision_people(system, people):
    """Provision ``people`` ({id: (name, role, department, team)}) with names as people have them and
    passwords set as an admin would; their API tokens by id."""
    tokens = provision_users(system, {user: spec[1:] for user, spec in people.items()})
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as cluster:
        for user, (name, *_rest) in people.items():
            cluster.gateway.change_user(user, {"name": name})
            cluster.gateway.set_password(user, {"password": password_of(user)})
    return tokens


def journey_fixture(system, screenshots, people, seed):
    """The fixture ``web/e2e/harness.mjs`` reads: where the system and screenshots are, who plays, the seed."""
    return {
        "baseUrl": system.api,
        "screenshots": str(screenshots),
        "users": {
            user: {"password": password_of(user), "name": name, "role": role, "department": department, "team": team}
            for user, (name, role, department, team) in people.items()
        },
        "seed": seed,
    }


def run_journeys(fixture, folder, journeys, timeout_seconds):
    """Run the browser ``journeys`` (paths under web/) under node's test runner with ``fixture``
    (written to ``folder``); fails unless each ran and passed. Their report is printed."""
    fixture_file = folder / "fixture.json"
    fixture_file.write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        ["node", "--test", *journeys],
        cwd=WEB,
        env={**os.environ, "BATON_E2E_FIXTURE": str(fixture_file)},
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
    )
    report = done.stdout + done.stderr
    print(report[-20000:])
    assert done.returncode == 0, report[-6000:]
    assert "# fail 0" in report and "# pass 0" not in report


def seed_console(system, screenshots):
    """Provision the people (names as people have them, passwords set as an admin would) and the
    seed records; the fixture as a dict."""
    clients = {user: ApiClient(system.api, token) for user, token in provision_people(system, CONSOLE_PEOPLE).items()}
    alice, bob = clients["alice"], clients["bob"]
    mine = _filed_by(alice, "alice")
    wait_for(
        lambda: any(
            r["customer_id"] == mine["id"] and r["kind"] == "first_touch"
            for r in alice.get("/users/alice/reminders").json()["items"]
        ),
        timeout=30,
        what="alice's first-touch reminder",
    )
    in_pool = _filed_by(bob, "bob")
    released = bob.post(f"/customers/{in_pool['id']}/release", json={"reason": "no answer to three mails"})
    assert released.status_code == 200, released.text
    wait_for(
        lambda: alice.get(f"/customers/{in_pool['id']}/owner").json().get("state") == "public_pool",
        timeout=30,
        what="the released customer in the public pool",
    )
    handed = _handed_to_service(alice, _filed_by(alice, "alice"))
    lead = _screening_lead(clients["mia"], alice)
    seed = {
        "alice_customer": {"id": mine["id"], "company": mine["company"]},
        "pool_customer": {"id": in_pool["id"], "company": in_pool["company"]},
        "handoff_for_sam": handed,
        "screening_lead": lead,
    }
    return journey_fixture(system, screenshots, CONSOLE_PEOPLE, seed)


def _filed_by(client, user):
    """A customer the salesperson filed by hand and so owns, once every service knows it."""
    created = client.post("/customers", json={"customer": lead(unique_email()) | {"channel": "trade_show"}})
    assert created.status_code == 201, created.text
    customer = created.json()
    wait_for(
        lambda: (
            client.get(f"/customers/{customer['id']}/owner").json().get("owner_id") == user
            and client.get(f"/customers/{customer['id']}").json().get("owner_id") == user
        ),
        timeout=30,
        what=f"{user} to own {customer['id']}",
    )
    return customer


def _screening_lead(mia, reader):
    """A website lead marketing submits, once it waits in the screening queue (owned by nobody)."""
    sent = mia.post("/inquiries", json=lead(unique_email()))
    assert sent.status_code == 202, sent.text
    customer_id = wait_for(
        lambda: mia.get(f"/inquiries/{sent.json()['id']}").json().get("customer_id"),
        timeout=30,
        what="the lead to be filed",
    )
    wait_for(
        lambda: reader.get(f"/customers/{customer_id}/owner").json().get("state") == "screening",
        timeout=30,
        what="the lead in the screening queue",
    )
    return {"id": customer_id, "company": mia.get(f"/customers/{customer_id}").json()["company"]}


def _handed_to_service(alice, customer):
    """A won customer alice hands to service (sam), with what its checklist asks for."""
    path = f"/customers/{customer['id']}"
    now = datetime.now(UTC)
    for days_ago, summary, result in (
        (2, "phone call, confirmed 2,000 pcs of model X", "asked for a quote"),
        (1, "video call, walked through the spec sheet", "sample approved"),
        (0, "phone call, order confirmed\n【特殊】needs CE marking", "order placed"),
    ):
        recorded = alice.post(
            f"{path}/communications",
            json={
                "at": (now - timedelta(days=days_ago)).isoformat(),
                "method": "phone",
                "summary": summary,
                "result": result,
            },
        )
        assert recorded.status_code == 201, recorded.text
    ordered = alice.post(
        f"{path}/orders",
        json={
            "at": now.isoformat(),
            "amount": 48000,
            "currency": "USD",
            "delivery_date": "2027-03-01",
            "payment_method": "30% T/T deposit, 70% before shipment",
        },
    )
    assert ordered.status_code == 201, ordered.text
    submitted = alice.post(
        "/handoffs",
        json={
            "kind": "sales_to_service",
            "customer_id": customer["id"],
            "to": ["sam"],
            "package": {
                "pain_points": ["their last supplier shipped late twice"],
                "solution": "X-200 with a spare parts kit",
                "open_items": ["send the CE declaration"],
                "cautions": ["dislikes hard discount pitches"],
            },
        },
    )
    assert submitted.status_code == 201 and submitted.json()["state"] == "submitted", submitted.text
    return {"id": submitted.json()["id"], "company": customer["company"], "customer_id": customer["id"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--amqp-uri", default="pyamqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--screenshots", type=Path, default=Path("var/e2e-screens").resolve())
    args = parser.parse_args()
    fixture = seed_console(System(args.api, args.amqp_uri, "", 0), args.screenshots)
    args.out.write_text(json.dumps(fixture, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"fixture written to {args.out}")


if __name__ == "__main__":
    main()
