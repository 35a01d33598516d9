"""Two instances of every service (``scripts/run --instances 2``: the supervisor's BATON_INSTANCES),
under load and kills: while inquiries are published with broker confirms, one instance of each
service is killed (SIGKILL: its unacknowledged messages go back to the queue the other instance
also consumes). Nothing confirmed is lost, nobody gets two archives, two owners or two first-touch
reminders; claims of one customer at once through the two gateways have one winner; each person's
holding counter equals their holdings; and the scheduled work the instances share runs once per
period: the recycling sweep (``scheduled_turns``, seen moving turn by turn) and the weekly quality
audit (a week made to have passed: one report per person)."""

import os
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from pymongo import MongoClient

from deploy.local_system import local_system, provision_users, salespeople_known
from services.pool.store import Pool
from services.runtime.databases import database_name
from tests.e2e.helpers import get, lead, unique_email
from tests.integration.helpers import ApiClient, publish_inquiry, wait_for

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
INSTANCES = 2
INQUIRIES = 60
PUBLISH_SECONDS = 20
# One instance of each, alternating which: killed while the inquiries are published.
KILLED = (("intake", 1), ("profile", 2), ("pool", 1), ("notification", 2), ("handoff", 1), ("gateway", 2))
SALES = ("alice", "bob", "carol")
SWEEP_EVERY_SECONDS = 20  # each pool instance's timer looks every 30 s whether the sweep is due
QUALITY_AUDIT_CHECK_SECONDS = 2  # each handoff instance's timer looks every 60 s
CONTESTED = 4  # customers released, then claimed by two people at once through the two gateways
RECOVERY_SECONDS = 60


@pytest.fixture(scope="module")
def doubled(tmp_path_factory, mail_server):  # mail_server: tests/conftest.py
    data_dir = tmp_path_factory.mktemp("baton-instances")
    shipped = (REPO / "deploy" / "config.yaml").read_text(encoding="utf-8")
    config = data_dir / "config.yaml"
    config.write_text(
        shipped.replace("sweep_every_seconds: 300", f"sweep_every_seconds: {SWEEP_EVERY_SECONDS}").replace(
            "check_every_seconds: 3600", f"check_every_seconds: {QUALITY_AUDIT_CHECK_SECONDS}"
        ),
        encoding="utf-8",
    )
    assert config.read_text() != shipped
    env = {"BATON_SMTP_PORT": str(mail_server.port), "BATON_INSTANCES": str(INSTANCES), "BATON_SCREENING": "false"}
    with local_system(data_dir, config=config, env=env) as running:
        tokens = provision_users(
            running, {"root": ("admin", None, None), **{person: ("member", "sales", "default") for person in SALES}}
        )
        salespeople_known(running, SALES)
        host, _, port = running.api.removeprefix("http://").rpartition(":")
        gateways = [f"{host}:{int(port) + index}" for index in range(INSTANCES)]
        yield running, gateways, tokens
    print((data_dir / "supervisor.out").read_text()[-3000:])


def instance_pids(supervisor_pid: int) -> dict[tuple[str, int], int]:
    """The supervisor's children by (service, instance), from the environment it gave each."""
    children = Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split()
    found = {}
    for pid in children:
        try:
            environ = dict(
                line.split("=", 1) for line in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in line
            )
        except OSError:
            continue  # exited meanwhile
        if "BATON_SERVICE" in environ and "BATON_INSTANCE" in environ:
            found[(environ["BATON_SERVICE"], int(environ["BATON_INSTANCE"]))] = int(pid)
    return found


def ready(api: ApiClient) -> bool:
    try:
        return api.get("/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


class TurnWatcher(threading.Thread):
    """Every state of one ``scheduled_turns`` document seen while the test runs (version, next due)."""

    def __init__(self, collection, job):
        super().__init__(daemon=True)
        self.collection, self.job = collection, job
        self.seen: list[tuple[int, datetime]] = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            doc = self.collection.find_one({"_id": self.job})
            if doc is not None and (not self.seen or self.seen[-1][0] != doc["version"]):
                self.seen.append((doc["version"], doc["next_at"]))
            time.sleep(0.2)

    def turns(self):
        """(turns taken since first seen, the shortest time between two consecutive turns' due times)."""
        versions = [v for v, _ in self.seen]
        gaps = [(b - a).total_seconds() for (_, a), (_, b) in zip(self.seen, self.seen[1:], strict=False)]
        assert all(b - a == 1 for a, b in zip(versions, versions[1:], strict=False)), f"turns skipped: {versions}"
        return versions[-1] - versions[0], min(gaps, default=None)


def test_two_instances_of_each_service_under_load_and_kills_lose_double_and_repeat_nothing(doubled):
    system, gateways, tokens = doubled
    client = MongoClient(system.mongo_uri, tz_aware=True)
    pool_db = client[database_name(system.mongo_uri, "pool")]
    handoff_db = client[database_name(system.mongo_uri, "handoff")]
    apis = [ApiClient(f"http://{address}", tokens["root"]) for address in gateways]
    started = datetime.now(UTC)
    t0 = time.monotonic()
    marks = {}
    # A week has passed for the quality audit: every salesperson's schedule is due (one report each).
    for person in SALES:
        handoff_db.quality_audit_schedules.replace_one(
            {"_id": person},
            {
                "_id": person,
                "next_at": started - timedelta(days=1),
                "passes_in_a_row": 0,
                "relaxed": False,
                "last_quality_audit_id": None,
                "version": 100,
            },
            upsert=True,
        )
    sweeps = TurnWatcher(pool_db.scheduled_turns, "recycling")
    quality_audits = TurnWatcher(handoff_db.scheduled_turns, "quality_audit")
    sweeps.start()
    quality_audits.start()

    emails = [unique_email() for _ in range(INQUIRIES)]
    published = []

    def publish_all():
        for email in emails:
            publish_inquiry(system.amqp_uri, lead(email), message_id=f"twice-{uuid.uuid4()}")
            published.append(email)
            time.sleep(PUBLISH_SECONDS / INQUIRIES)

    publisher = threading.Thread(target=publish_all, daemon=True)
    publisher.start()
    faults = []
    for service, instance in KILLED:
        time.sleep(PUBLISH_SECONDS / (len(KILLED) + 2))
        pid = wait_for(
            lambda key=(service, instance): instance_pids(system.supervisor_pid).get(key),
            what=f"{service}-{instance} running",
        )
        os.kill(pid, signal.SIGKILL)
        faults.append(f"killed {service}-{instance}")
    publisher.join(timeout=60)
    assert len(published) == INQUIRIES, faults
    wait_for(
        lambda: len(instance_pids(system.supervisor_pid)) == 6 * INSTANCES,
        timeout=RECOVERY_SECONDS,
        what=f"every instance running again after {faults}",
    )
    for api in apis:
        wait_for(lambda api=api: ready(api), timeout=RECOVERY_SECONDS, interval=0.5, what=f"{api.base}/ready")

    def customers():
        items = get(apis[0], "/customers", limit=200)["items"]
        return items if len([c for c in items if c.get("owner_id")]) >= len(emails) else None

    marks["recovered"] = round(time.monotonic() - t0)
    archives = wait_for(customers, timeout=RECOVERY_SECONDS, interval=1, what=f"{len(emails)} owned customers")
    by_email = Counter(contact.get("email") for archive in archives for contact in archive.get("contacts") or [])
    assert all(by_email[email] == 1 for email in emails), "an inquiry lost or filed twice"
    assert len(archives) == len(emails) and all(c["owner_id"] in SALES for c in archives)
    holdings = {h["_id"]: h for h in pool_db.holdings.find({}, {"owner_id": 1, "state": 1})}
    assert {c["id"]: c["owner_id"] for c in archives} == {k: h["owner_id"] for k, h in holdings.items()}

    def first_touches():
        counted = Counter()
        for person in SALES:
            reminders = get(apis[1], f"/users/{person}/reminders", limit=200)["items"]
            counted.update(r["customer_id"] for r in reminders if r["kind"] == "first_touch")
        return counted if len(counted) >= len(emails) else None

    marks["owned"] = round(time.monotonic() - t0)
    reminded = wait_for(first_touches, timeout=60, interval=1, what="a first-touch reminder for each customer")
    assert set(reminded) == {c["id"] for c in archives} and set(reminded.values()) == {1}, "a reminder doubled"

    marks["reminded"] = round(time.monotonic() - t0)
    # Released customers claimed at once by two people, each through a gateway of their own.
    people = {person: [ApiClient(f"http://{a}", tokens[person]) for a in gateways] for person in SALES}
    contested = [c for c in archives if c["owner_id"] == "alice"][:CONTESTED]
    for customer in contested:
        released = people["alice"][0].post(f"/customers/{customer['id']}/release", json={"reason": "test of claims"})
        assert released.status_code == 200, released.text
    with ThreadPoolExecutor(2 * CONTESTED) as threads:
        answers = list(
            threads.map(
                lambda job: (job[0], job[1], people[job[1]][job[2]].post(f"/customers/{job[0]}/claim", json={})),
                [(c["id"], who, index) for c in contested for index, who in enumerate(("bob", "carol"))],
            )
        )
    for customer in contested:
        codes = sorted(a[2].status_code for a in answers if a[0] == customer["id"])
        assert codes == [200, 409], [a[2].text for a in answers if a[0] == customer["id"]]
        winner = next(a[1] for a in answers if a[0] == customer["id"] and a[2].status_code == 200)
        assert pool_db.holdings.find_one({"_id": customer["id"]})["owner_id"] == winner
    marks["claimed"] = round(time.monotonic() - t0)
    pool = Pool(pool_db)
    # Each person's holding counter: never below their holdings; recounted now that nothing moves,
    # exactly their holdings plus any step a killed pool instance left pending (dropped once stuck).
    for person in SALES:
        held, counter = pool.held_by(person), pool.held(person)
        assert counter >= held, (person, counter, held)
        left = pool_db.held_counts.find_one({"_id": person})
        assert pool.recount_held(person) == held + left["pending_in"] + left["pending_out"], left

    # The weekly quality audit: one report per person for the period that came due, whoever ran it.
    def audited():
        found = Counter(a["person"] for a in handoff_db.quality_audits.find({}, {"person": 1}))
        return found if set(found) >= set(SALES) else None

    reports = wait_for(audited, timeout=75, interval=1, what="the weekly quality audit of every salesperson")
    marks["audited"] = round(time.monotonic() - t0)
    time.sleep(2 * QUALITY_AUDIT_CHECK_SECONDS)  # another instance's turn, had it run again, would show now
    reports = Counter(a["person"] for a in handoff_db.quality_audits.find({}, {"person": 1}))
    assert reports == dict.fromkeys(SALES, 1), reports
    for person in SALES:
        assert handoff_db.quality_audit_schedules.find_one({"_id": person})["next_at"] > started + timedelta(days=6)

    # The recycling sweep: turns one by one, never two in one period, whichever instance took them.
    wait_for(lambda: len(sweeps.seen) >= 3, timeout=75, interval=1, what="two recycling sweeps after the first seen")
    marks["swept"] = round(time.monotonic() - t0)
    sweeps.stopped.set()
    quality_audits.stopped.set()
    elapsed = (datetime.now(UTC) - started).total_seconds()
    taken, shortest = sweeps.turns()
    assert shortest >= SWEEP_EVERY_SECONDS - 1, sweeps.seen
    assert taken <= elapsed / SWEEP_EVERY_SECONDS + 1
    audit_turns, audit_gap = quality_audits.turns()
    assert audit_gap is None or audit_gap >= QUALITY_AUDIT_CHECK_SECONDS - 1, quality_audits.seen
    print(
        f"faults: {faults}; sweeps {taken}, quality audit turns {audit_turns} in {elapsed:.0f} s; claims {len(answers)}"
    )
    print("phases:", marks)
