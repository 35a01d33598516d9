"""Read latency of the calls people make most, at a small and a large number of customers (issue 19:
p99 < 100 ms at 1,000,000 customers, embedded store, this machine), with the ratio between them.

A whole system (``deploy.local_system``: the real supervisor, its own vhost, embedded document store
and data folder; allocation on arrival, as a company without a screening step) is loaded straight
through its services' stores, with documents their own domain functions make (no API call, no
event), in batches generated in worker processes (``bench.loading``):

- profile: each customer's archive (``open_archive`` from its first inquiry, tags as the store
  derives them) and its timeline (``inquiry_received``, ``customer_created``, ``owner_assigned``);
- pool: its holding (``new_holding`` + ``take``; one in six back in the public pool, released or
  recycled, one in twenty dormant, a few rejected), keyed as the store writes them;
- notification: per owned customer the first touch, done (``first_touch`` closed by the contact
  that ``closed_by_contact`` accepts), and an open ``second_touch`` due from 3 days ago to 27 days
  ahead (about one in ten due today or overdue), and what notification follows of it;
- handoff: a signed marketing → sales handoff for one customer in ten.

The salespeople measured (``DAY``) own ``--day-share`` customers each at both sizes (the first
customers loaded), so the two sizes differ only in what else is stored; the rest are spread over
``OTHERS`` (about 200 each at 1,000,000, under the holding cap). All holdings are in one team, so
a salesperson's pool search looks at every pooled customer.

Timed (``--samples`` of each call at each size, one keep-alive HTTP connection as a browser holds,
after a warm-up), the calls the console's pages make (web/src/features/*/api.ts):

- my day (/day): ``GET /users/<me>/reminders?status=open&limit=30`` and
  ``GET /pool?state=owned&owner_id=<me>&sort=contact_clock&limit=20``;
- a customer page (/c/<id>), by a sales manager, customers drawn from all stored:
  ``GET /customers/<id>``, ``…/timeline?limit=200&include=reminders``, ``…/owner``, ``…/group``,
  ``…/handoffs?limit=200``;
- ``GET /me`` (the gateway alone: the caller's token, cached, and its user): what every call pays here;
- pool search (/pool), by a salesperson: the public pool newest first, by country, by country and
  grade, by tag (a market or a tag people wrote), by reason (a prefix: the API has no free-text
  search), and ``GET /users/<me>/claims``.

Then the inquiry → owner's first-touch reminder latency (``--first-touch N``, at the large size):
``N`` inquiries published on ``baton.inquiries`` as fast as possible give the rate the system
sustains (published until the last first-touch reminder is announced); ``N`` more published at half
that rate give each one's latency, from its publication to notification's ``reminder_scheduled``
for its owner (announced once the reminder is stored).

    .venv/bin/python bench/read_latency.py                                 # 10,000 and 1,000,000
    .venv/bin/python bench/read_latency.py --small 100 --customers 400 --day-share 20 --samples 5 --first-touch 6  # quick
"""

import argparse
import http.client
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kombu import Connection, Exchange, Queue  # noqa: E402
from pymongo import MongoClient  # noqa: E402
from pymongo.database import Database  # noqa: E402

from bench.loading import Progress, generated  # noqa: E402
from bench.match_latency import company, first_inquiry  # noqa: E402
from bench.pool_system import write_config  # noqa: E402
from contracts.customer import timeline_kinds_asked  # noqa: E402
from contracts.topology import INQUIRY_EXCHANGE  # noqa: E402
from deploy.local_system import local_system, provision_users, salespeople_known  # noqa: E402
from services.handoff.domain import outbox  # noqa: E402
from services.handoff.domain.checklists import Item  # noqa: E402
from services.handoff.domain.handoffs import Deadline, Draft, acknowledge, open_handoff  # noqa: E402
from services.handoff.domain.kinds import KindSpec  # noqa: E402
from services.handoff.store import Handoffs, keyed  # noqa: E402
from services.notification.domain import reminders as rules  # noqa: E402
from services.notification.domain.follow_up import FollowedCustomer  # noqa: E402
from services.notification.domain.satisfying import closed, closed_by_contact  # noqa: E402
from services.notification.settings import ReminderSettingsSchema  # noqa: E402
from services.notification.store import Reminders  # noqa: E402
from services.pool.domain.holdings import (  # noqa: E402
    DORMANT,
    PUBLIC_POOL,
    Facts,
    give_back,
    new_holding,
    recycle,
    rejection,
    take,
)
from services.pool.store import Pool, tag_terms, with_sweep_keys  # noqa: E402
from services.profile.domain import timeline  # noqa: E402
from services.profile.domain.archive import open_archive  # noqa: E402
from services.profile.domain.tags import tags_of  # noqa: E402
from services.profile.store import Customers  # noqa: E402
from services.runtime.databases import database_name  # noqa: E402

TARGET_P99_MS = 100.0
TEAM = "default"
DAY = [f"day_{i}" for i in range(3)]  # the salespeople whose day is measured
OTHERS = [f"sales_{i:04d}" for i in range(4_000)]  # owners of the rest (data only, not users)
FIRST_TOUCH_SALES = [f"ft_{i}" for i in range(4)]  # fresh salespeople new inquiries go to as well
MANAGER = "meier"
MARKETER = "mia"
POLICY = ReminderSettingsSchema().load({"first_touch_days": 3})
GRADES = ("A", "B", "C")
MANUAL_TAGS = ["trade show 2026", "LED", "OEM", "distributor", "price sensitive", "Amazon seller"]
COUNTRY_FILTERS = ["DE", "US", "GB", "FR", "PL", "CN"]
TO_SALES = KindSpec("marketing_to_sales", ("marketing",), ("sales",), ())
CHECKLIST = [Item("need_is_specific", True, "2,000 pcs"), Item("contact_attempted", True, "called")]
DEADLINE = Deadline(3, 30)
COLLECTIONS = {
    "profile": ("customers", "timeline"),
    "pool": ("holdings", "holding_tags"),
    "notification": ("reminders", "followed_customers"),
    "handoff": ("handoffs",),
}
WAIT_SECONDS = 900
WITH_REMINDERS = timeline_kinds_asked({"include": "reminders"})  # the kinds the customer page asks for
# Allocation on arrival (the first touch follows the inquiry), and the timers that would work off
# the loaded data's backlog (reminders overdue when loaded, customers past a recycling rule) off:
# they would still be busy with it while the reads are timed, which a running system never is.
# The recycling sweep runs once at start (empty), then a week later.
QUIET = {"BATON_SCREENING": "false", "BATON_FIRE_ON_TIMER": "false"}


# ---------------------------------------------------------------- generated customers


def owner_of(n: int, rng: random.Random, day_share: int) -> str:
    """Customer ``n``'s first owner: the measured salespeople own the first ``day_share`` each."""
    if n < day_share * len(DAY):
        return DAY[n % len(DAY)]
    return rng.choice(OTHERS)


def customer(n: int, now: datetime, day_share: int, seed: int) -> dict[str, list[dict]]:
    """Customer ``n``'s documents per collection ("profile.customers", …), the same in every run for
    one ``now``."""
    firm = company(n, seed)
    rng = random.Random(seed * 7_919 + n)
    inquiry = first_inquiry(firm)
    created = now - timedelta(seconds=rng.uniform(3_600, 2 * 365 * 86_400))
    customer_id, inquiry_id = f"cus_read{n:08d}", f"inq_read{n:08d}"
    grade = rng.choice(GRADES)
    archive = open_archive(
        customer_id, inquiry_id, inquiry, {"grade": grade, "reasons": ["bench"], "rule": "bench"}, None, created
    )
    if rng.random() < 0.3:
        archive["manual_tags"] = [rng.choice(MANUAL_TAGS)]
    archive["stage"] = rng.choice(["inquiry", "inquiry", "quoted", "sample", "negotiation", "customer"])
    entries = [
        timeline.inquiry_received(customer_id, inquiry_id, inquiry, created),
        timeline.customer_created(archive, inquiry_id),
    ]
    allocated = created + timedelta(seconds=rng.uniform(1, 600))
    owner = owner_of(n, rng, day_share)
    measured = n < day_share * len(DAY)
    roll = 1.0 if measured else rng.random()
    facts = Facts(
        company=archive["company"],
        country=firm["country"],
        country_code=firm["country"],
        intent_grade=grade,
        stage=archive["stage"],
        tags=tuple(tags_of(archive)),
        last_contact_at=allocated + timedelta(days=rng.uniform(0, 30)),
    )
    holding = take(new_holding(customer_id, TEAM, facts, created), owner, "weighted round-robin", "system", allocated)
    assert holding is not None
    entries.append(timeline.owner_assigned(customer_id, owner, TEAM, "weighted round-robin", allocated))
    reminders, followed = [], []
    if roll < 0.22:  # back in a pool: released, recycled, dormant or rejected
        back = min(now, allocated + timedelta(days=rng.uniform(10, 200)))
        if roll < 0.08:
            pooled = give_back(
                holding, PUBLIC_POOL, f"released: {rng.choice(['no budget', 'wrong market'])}", owner, back
            )
        elif roll < 0.17:
            pooled = recycle(holding, rng.choice(["no follow-up in 30 days", "no deal in 90 days"]), back)
        elif roll < 0.21:
            pooled = give_back(holding, DORMANT, "dormant: silent for a year", "system", back)
        else:
            pooled = give_back(holding, "rejected", rejection("sanctioned market"), MANAGER, back)
        holding = pooled or holding
        archive["pool_state"], archive["team"] = holding["state"], TEAM
        entries.append(
            timeline.returned_to_pool(customer_id, holding["state"], owner, holding["reason"], holding["by"], back)
        )
    else:
        archive["owner_id"] = owner
        touch = rules.first_touch(POLICY, customer_id, owner, allocated, holding["allocation_id"])
        contacted = allocated + timedelta(hours=rng.uniform(1, 60))
        if contacted < now:
            contact = {"at": contacted, "by": owner, "method": "phone", "record_id": f"com_read{n}"}
            touch = closed(touch, closed_by_contact(POLICY, contact, [touch])[0], contacted, owner)
        reminders.append(touch)
        due = now + timedelta(days=rng.uniform(-3, 27))
        at = due - POLICY.second_touch_after
        reminders.append(
            rules.second_touch(
                POLICY,
                {
                    "customer_id": customer_id,
                    "record_id": f"com_read{n}b",
                    "owner_id": owner,
                    "by": owner,
                    "at": at,
                    "recorded_at": at,
                    "method": "email",
                },
            )
        )
        followed.append(
            {
                "_id": customer_id,
                "version": 0,
                **asdict(
                    FollowedCustomer(
                        customer_id, archive["company"], owner, grade, None, archive["stage"], planned_at=at
                    )
                ),
            }
        )
    archive["tags"] = tags_of(archive)  # as the store derives them on every write
    handoffs = []
    if rng.random() < 0.1 and archive.get("owner_id"):
        submitted = created + timedelta(minutes=rng.uniform(5, 600))
        departments = {MARKETER: "marketing", owner: "sales"}
        draft = Draft(
            f"hof_read{n:08d}", TO_SALES, customer_id, MARKETER, MARKETER, (owner,), owner, (), departments, {}, {}
        )
        handoff = open_handoff(draft, CHECKLIST, False, None, submitted, DEADLINE, submitted)
        signed = acknowledge(handoff, owner, None, submitted + timedelta(hours=rng.uniform(0.2, 30)))
        # as the store keeps one: its events published long ago (the outbox cleared), at a version
        stored = signed or handoff
        published = outbox.cleared(stored, [event["id"] for event in stored["outbox"]]) or stored
        handoffs.append(keyed("handoffs", {**published, "version": 2}))
    return {
        "profile.customers": [archive],
        "profile.timeline": entries,
        "pool.holdings": [with_sweep_keys(holding)],
        "pool.holding_tags": tag_terms(with_sweep_keys(holding)),  # what a tag search reads
        "notification.reminders": reminders,
        "notification.followed_customers": followed,
        "handoff.handoffs": handoffs,
    }


def generate_batch(start: int, stop: int, now: datetime, day_share: int, seed: int) -> dict[str, list[dict]]:
    """Every document of customers start..stop-1, per collection (run in a worker process)."""
    out: dict[str, list[dict]] = {}
    for n in range(start, stop):
        for name, docs in customer(n, now, day_share, seed).items():
            out.setdefault(name, []).extend(docs)
    return out


def unindexed(databases: dict[str, Database]) -> list[tuple[str, str, dict]]:
    """Drop the secondary indexes of the collections loaded; (service, collection, index) of each,
    for ``reindex``. Bulk inserts into unindexed collections and one CREATE INDEX each afterwards
    are faster than keeping every index up to date through them (bench/match_latency.py)."""
    dropped = []
    for service, names in COLLECTIONS.items():
        for name in names:
            for index in databases[service][name].list_indexes():
                if index["name"] != "_id_":
                    databases[service][name].drop_index(index["name"])
                    dropped.append((service, name, dict(index)))
    return dropped


def reindex(databases: dict[str, Database], dropped: list[tuple[str, str, dict]]) -> float:
    """The indexes ``unindexed`` dropped, created again as they were; seconds taken."""
    started = time.perf_counter()
    for service, name, index in dropped:
        databases[service][name].create_index(
            list(index["key"].items()), name=index["name"], unique=bool(index.get("unique"))
        )
    return time.perf_counter() - started


def load(
    databases: dict[str, Database], start: int, stop: int, now: datetime, args: argparse.Namespace
) -> tuple[float, int]:
    """Customers start..stop-1 into the stores; (seconds, documents written)."""
    progress = Progress(stop - start, "loading", "customers")
    written = 0
    batches = generated(_shifted_batch, stop - start, args.chunk, args.workers, start, now, args.day_share, args.seed)
    for batch in batches:
        for name, docs in batch.items():
            if not docs:
                continue
            service, collection = name.split(".")
            if name == "notification.reminders":
                Reminders(databases[service]).add_many(docs)  # with the query keys the store adds
            else:
                databases[service][collection].insert_many(docs, ordered=False)
            written += len(docs)
        progress.add(len(batch["profile.customers"]), f", {written:,} documents")
    return progress.seconds, written


def _shifted_batch(first: int, last: int, offset: int, now: datetime, day_share: int, seed: int) -> dict:
    return generate_batch(offset + first, offset + last, now, day_share, seed)


# ---------------------------------------------------------------- timing reads over HTTP


class Client:
    """One person's keep-alive HTTP connection to the gateway, with their API token."""

    def __init__(self, base: str, token: str):
        address = urlsplit(base)
        self.host, self.port, self.token = address.hostname or "127.0.0.1", address.port or 80, token
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)

    def get(self, path: str, query: dict | None = None) -> tuple[float, Any]:
        """(milliseconds taken, answer) of ``GET path?query``: None for a 503 (a service too slow for
        the gateway's RPC timeout); raises on any other answer but 200."""
        url = path + ("?" + urlencode(query) if query else "")
        started = time.perf_counter()
        try:
            self.connection.request("GET", url, headers={"Authorization": f"Bearer {self.token}"})
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the server closed a kept connection: once more on a new one
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
            self.connection.request("GET", url, headers={"Authorization": f"Bearer {self.token}"})
            response = self.connection.getresponse()
            body = response.read()
        taken = (time.perf_counter() - started) * 1000
        if response.status == 503:  # a service did not answer within the gateway's RPC timeout: timed as such
            return taken, None
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status} {body[:300]!r}")
        return taken, json.loads(body)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def calls(size: int, rng: random.Random, samples: int) -> list[tuple[str, str, str, dict | None]]:
    """(label, caller, path, query) for ``samples`` of each timed call, interleaved."""
    out = []
    for i in range(samples):
        me = DAY[i % len(DAY)]
        cid = f"cus_read{rng.randrange(size):08d}"
        country, grade = rng.choice(COUNTRY_FILTERS), rng.choice(GRADES)
        out += [
            ("floor: GET /me", me, "/me", None),  # the gateway alone: what every call pays here
            ("day: my open reminders", me, f"/users/{me}/reminders", {"status": "open", "limit": 30, "offset": 0}),
            (
                "day: my customers",
                me,
                "/pool",
                {"state": "owned", "owner_id": me, "sort": "contact_clock", "limit": 20, "offset": 0},
            ),
            ("customer: archive", MANAGER, f"/customers/{cid}", None),
            ("customer: timeline", MANAGER, f"/customers/{cid}/timeline", {"limit": 200, "include": "reminders"}),
            ("customer: owner", MANAGER, f"/customers/{cid}/owner", None),
            ("customer: group", MANAGER, f"/customers/{cid}/group", None),
            ("customer: handoffs", MANAGER, f"/customers/{cid}/handoffs", {"limit": 200}),
            ("pool: newest", me, "/pool", {"state": "public_pool", "limit": 20, "offset": 0}),
            ("pool: country", me, "/pool", {"state": "public_pool", "country": country, "limit": 20, "offset": 0}),
            (
                "pool: country+grade",
                me,
                "/pool",
                {"state": "public_pool", "country": country, "grade": grade, "limit": 20, "offset": 0},
            ),
            ("pool: tag", me, "/pool", {"state": "public_pool", "tag": rng.choice(MANUAL_TAGS), "limit": 20}),
            ("pool: reason prefix", me, "/pool", {"state": "public_pool", "reason": "released", "limit": 20}),
            ("pool: my claims", me, f"/users/{me}/claims", None),
        ]
    return out


def measure_reads(clients: dict[str, Client], size: int, args: argparse.Namespace) -> dict[str, list[float]]:
    rng = random.Random(args.seed + size)
    for _label, who, path, query in calls(size, rng, args.warmup):
        clients[who].get(path, query)
    timings: dict[str, list[float]] = {}
    answers: dict[str, int] = {}
    unanswered: dict[str, int] = {}
    for label, who, path, query in calls(size, rng, args.samples):
        if sum(timings.get(label, ())) > args.budget * 1000:
            continue  # a call this slow has said enough: the run would otherwise take hours
        taken, answer = clients[who].get(path, query)
        timings.setdefault(label, []).append(taken)
        if answer is None:
            unanswered[label] = unanswered.get(label, 0) + 1
        if isinstance(answer, dict) and "total" in answer:
            answers[label] = max(answers.get(label, 0), answer["total"])
    print(f"\n== {size:,} customers: up to {args.samples} of each call (ms)", flush=True)
    print(f"  {'call':<26} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'timed':>6}   most found")
    for label, values in timings.items():
        found = f"{answers[label]:,}" if label in answers else ""
        if label in unanswered:
            found += f"  ({unanswered[label]} answered 503: over the gateway's RPC timeout)"
        print(
            f"  {label:<26} {percentile(values, 0.5):8.1f} {percentile(values, 0.95):8.1f} "
            f"{percentile(values, 0.99):8.1f} {max(values):8.1f} {len(values):6d}   {found}",
            flush=True,
        )
    return timings


def store_reads(databases: dict[str, Database], size: int, rng: random.Random, samples: int) -> list[tuple[str, Any]]:
    """(label, read) of the store queries behind the timed calls, through the services' own store
    classes and a client of the bench's own: what each costs in the store alone, without the
    gateway, the RPC and the services' workers."""
    customers, pool = Customers(databases["profile"]), Pool(databases["pool"])
    reminders, handoffs = Reminders(databases["notification"]), Handoffs(databases["handoff"])
    out: list[tuple[str, Any]] = []
    for i in range(samples):
        me = DAY[i % len(DAY)]
        cid = f"cus_read{rng.randrange(size):08d}"
        country, grade, tag = rng.choice(COUNTRY_FILTERS), rng.choice(GRADES), rng.choice(MANUAL_TAGS)
        out += [
            ("day: my open reminders", lambda me=me: reminders.page_for(me, ["pending", "firing", "fired"], 30, 0)),
            ("day: my customers", lambda me=me: pool.search("owned", 20, 0, owner_id=me, sort="contact_clock")),
            ("customer: archive", lambda cid=cid: customers.get(cid)),
            ("customer: timeline", lambda cid=cid: customers.timeline_page(cid, 200, 0, WITH_REMINDERS)),
            ("customer: owner", lambda cid=cid: pool.holding(cid)),
            ("customer: handoffs", lambda cid=cid: handoffs.page(200, 0, customer_id=cid)),
            ("pool: newest", lambda: pool.search("public_pool", 20, 0, team=TEAM)),
            ("pool: country", lambda c=country: pool.search("public_pool", 20, 0, country_code=c, team=TEAM)),
            (
                "pool: country+grade",
                lambda c=country, g=grade: pool.search("public_pool", 20, 0, country_code=c, grade=g, team=TEAM),
            ),
            ("pool: tag", lambda t=tag: pool.search("public_pool", 20, 0, tags=(t,), team=TEAM)),
            ("pool: reason prefix", lambda: pool.search("public_pool", 20, 0, reason="released", team=TEAM)),
        ]
    return out


def measure_store(databases: dict[str, Database], size: int, args: argparse.Namespace) -> dict[str, list[float]]:
    rng = random.Random(args.seed + size + 1)
    timings: dict[str, list[float]] = {}
    for label, read in store_reads(databases, size, rng, args.samples):
        if sum(timings.get(label, ())) > args.budget * 1000:
            continue
        started = time.perf_counter()
        read()
        timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
    print("  the same reads in the store alone (ms; the services' store methods, a client of the bench's own):")
    for label, values in timings.items():
        print(
            f"  {label:<26} {percentile(values, 0.5):8.1f} {percentile(values, 0.95):8.1f} "
            f"{percentile(values, 0.99):8.1f} {max(values):8.1f} {len(values):6d}",
            flush=True,
        )
    return timings


# ---------------------------------------------------------------- inquiry -> first-touch reminder


class FirstTouchWatch:
    """Profile's ``customer_created`` and notification's ``reminder_scheduled`` events, read by a
    thread into {company: customer id} and {customer id: time its first touch was announced}."""

    def __init__(self, amqp_uri: str):
        self.connection = Connection(amqp_uri)
        self.customer_of: dict[str, str] = {}
        self.touched_at: dict[str, float] = {}
        self.stopping = threading.Event()
        channel = self.connection.default_channel
        self.queue = Queue("bench-read-latency-first-touch", channel=channel, durable=False, auto_delete=False)
        self.queue.declare()
        for service, kind in (("profile", "customer_created"), ("notification", "reminder_scheduled")):
            exchange = Exchange(f"{service}.events", type="topic", durable=True, channel=channel)
            exchange.declare()  # as the service declares it: it may not have published yet
            self.queue.bind_to(exchange, routing_key=kind)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        def on_message(body: Any, message: Any) -> None:
            event = json.loads(body) if isinstance(body, (str, bytes)) else body
            if message.delivery_info["routing_key"] == "customer_created":
                self.customer_of[event.get("company") or ""] = event["customer_id"]
            elif event["kind"] == rules.FIRST_TOUCH:
                self.touched_at.setdefault(event["customer_id"], time.time())
            message.ack()

        with self.connection.Consumer(self.queue, callbacks=[on_message], prefetch_count=500):
            while not self.stopping.is_set():
                try:
                    self.connection.drain_events(timeout=0.5)
                except TimeoutError:
                    pass

    def touched(self, company_name: str) -> float | None:
        customer_id = self.customer_of.get(company_name)
        return self.touched_at.get(customer_id) if customer_id else None

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.queue.delete()
        self.connection.close()


SYLLABLES = [consonant + vowel for consonant in "bdfgklmnprstvz" for vowel in "aeiou"]


def new_inquiry(n: int) -> dict:
    """A new company's inquiry (names start differently, as real ones do: see bench/intake_throughput.py)."""
    high, low = divmod(n, len(SYLLABLES))
    name = f"{SYLLABLES[high % len(SYLLABLES)].title()}{SYLLABLES[low]}ov Touch {n} GmbH"
    return {
        "schema_version": 1,
        "channel": "website_form",
        "company": name,
        "country": "DE",
        "contact": {"name": "Buyer", "email": f"buyer@first-touch-{n}.de"},
        "message": f"We need {n + 100} pcs of model X by March.",
    }


def publish_inquiries(amqp_uri: str, numbers: range, every: float) -> dict[str, float]:
    """Publish the inquiries ``numbers``, one each ``every`` seconds (0: at once); {company: time published}."""
    exchange = Exchange(INQUIRY_EXCHANGE, type="topic", durable=True)
    sent = {}
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        start = time.perf_counter()
        for i, n in enumerate(numbers):
            if every:
                time.sleep(max(0.0, start + i * every - time.perf_counter()))
            body = new_inquiry(n)
            sent[body["company"]] = time.time()
            producer.publish(
                json.dumps(body).encode(),
                exchange=exchange,
                routing_key="inquiry",
                content_type="application/json",
                delivery_mode=2,
                message_id=f"bench-first-touch-{n}",
            )
    return sent


def wait_touched(watch: FirstTouchWatch, sent: dict[str, float]) -> dict[str, float]:
    """{company: seconds from publication to its first touch announced}, once every one is."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        done = {name: watch.touched(name) for name in sent}
        if all(done.values()):
            return {name: at - sent[name] for name, at in done.items() if at is not None}
        if time.monotonic() > deadline:
            missing = sum(1 for at in done.values() if at is None)
            raise RuntimeError(f"{missing} of {len(sent)} inquiries got no first-touch reminder in {WAIT_SECONDS} s")
        time.sleep(0.1)


def first_touch(system: Any, count: int) -> dict[str, float]:
    watch = FirstTouchWatch(system.amqp_uri)
    try:
        sent = publish_inquiries(system.amqp_uri, range(count), 0)
        burst = wait_touched(watch, sent)
        elapsed = max(sent[name] + seconds for name, seconds in burst.items()) - min(sent.values())
        rate = count / elapsed
        print(
            f"\n== inquiry -> first-touch reminder\n  maximum: {count} inquiries published at once, every first touch "
            f"announced after {elapsed:,.1f} s: {rate:,.2f} inquiries/s sustained",
            flush=True,
        )
        half = rate / 2
        sent = publish_inquiries(system.amqp_uri, range(count, 2 * count), 1 / half)
        latencies = [seconds * 1000 for seconds in wait_touched(watch, sent).values()]
    finally:
        watch.close()
    result = {
        "rate": rate,
        "half": half,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
    }
    print(
        f"  at half that rate ({half:,.2f}/s, {count} inquiries): p50 {result['p50']:,.0f} ms, "
        f"p99 {result['p99']:,.0f} ms, max {result['max']:,.0f} ms",
        flush=True,
    )
    return result


# ---------------------------------------------------------------- the run


def stored_counts(databases: dict[str, Database]) -> str:
    return ", ".join(
        f"{service}.{name} {databases[service][name].estimated_document_count():,}"
        for service, names in COLLECTIONS.items()
        for name in names
    )


def people() -> dict[str, tuple[str, str, str]]:
    return {
        MANAGER: ("manager", "sales", TEAM),
        MARKETER: ("member", "marketing", TEAM),
        **{person: ("member", "sales", TEAM) for person in DAY + FIRST_TOUCH_SALES},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="customers for the baseline")
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers for the measured size")
    parser.add_argument("--samples", type=int, default=200, help="timed calls of each kind per size")
    parser.add_argument("--warmup", type=int, default=10, help="untimed calls of each kind before timing")
    parser.add_argument("--day-share", type=int, default=180, help="customers each measured salesperson owns")
    parser.add_argument("--first-touch", type=int, default=100, help="inquiries per first-touch phase (0: skip)")
    parser.add_argument("--chunk", type=int, default=2_000, help="customers per batch of inserts")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--settle", type=float, default=10, help="seconds of quiet after loading, before timing")
    parser.add_argument("--budget", type=float, default=90, help="seconds of timed calls of one kind per size, at most")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--checkpoints",
        type=lambda text: [int(size) for size in text.split(",") if size],
        default=[],
        help="sizes between --small and --customers to time the reads at on the way (e.g. 100000,300000)",
    )
    args = parser.parse_args(argv)
    if not len(DAY) * args.day_share <= args.small < args.customers:
        parser.error("--small must hold the measured salespeople's customers and be below --customers")
    if sorted(set(args.checkpoints)) != args.checkpoints or not all(
        args.small < size < args.customers for size in args.checkpoints
    ):
        parser.error("--checkpoints must rise, between --small and --customers")
    data_dir = Path(tempfile.mkdtemp(prefix="baton-read-latency-"))
    now = datetime.now(UTC)
    try:
        config = write_config(data_dir / "bench-config.yaml", pool={"sweep_every_seconds": 7 * 86_400})
        with local_system(data_dir / "system", config=config, env=QUIET) as system:
            tokens = provision_users(system, people())
            salespeople_known(system, DAY + FIRST_TOUCH_SALES)
            client: MongoClient = MongoClient(system.mongo_uri, tz_aware=True)
            databases = {s: client[database_name(system.mongo_uri, s)] for s in COLLECTIONS}
            clients = {person: Client(system.api, token) for person, token in tokens.items()}
            seconds, written = load(databases, 0, args.small, now, args)
            print(f"loaded {args.small:,} customers ({written:,} documents) in {seconds:,.1f} s", flush=True)
            time.sleep(args.settle)
            small = measure_reads(clients, args.small, args)
            measure_store(databases, args.small, args)
            loaded, started = args.small, time.perf_counter()
            for size in [*args.checkpoints, args.customers]:
                dropped = unindexed(databases)
                seconds, written = load(databases, loaded, size, now, args)
                indexing = reindex(databases, dropped)
                print(
                    f"\nloaded {size - loaded:,} more customers ({written:,} documents) in {seconds:,.0f} s "
                    f"({(size - loaded) / seconds:,.0f} customers/s, {written / seconds:,.0f} documents/s), "
                    f"then {len(dropped)} indexes created again in {indexing:,.0f} s; "
                    f"{size:,} stored after {time.perf_counter() - started:,.0f} s of loading"
                    f"\n  stored: {stored_counts(databases)}",
                    flush=True,
                )
                loaded = size
                time.sleep(args.settle)
                large = measure_reads(clients, size, args)
                measure_store(databases, size, args)
                if size != args.customers:
                    report(small, large, args.small, size, None)
            touch = first_touch(system, args.first_touch) if args.first_touch else None
            client.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    report(small, large, args.small, args.customers, touch)
    return 0


def report(
    small: dict[str, list[float]], large: dict[str, list[float]], small_size: int, size: int, touch: dict | None
) -> None:
    print(f"\n== result: {size:,} vs {small_size:,} customers (target p99 < {TARGET_P99_MS:g} ms)")
    print(f"  {'call':<26} {'p50':>8} {'p95':>8} {'p99':>8}  {'p99 ratio':>9}  verdict")
    over = []
    for label, values in large.items():
        p99 = percentile(values, 0.99)
        ratio = p99 / percentile(small[label], 0.99)
        verdict = "OK" if p99 < TARGET_P99_MS else "OVER"
        if verdict == "OVER":
            over.append(label)
        print(
            f"  {label:<26} {percentile(values, 0.5):8.1f} {percentile(values, 0.95):8.1f} {p99:8.1f}  "
            f"{ratio:8.2f}x  {verdict}"
        )
    print(f"  reads over target: {', '.join(over) if over else 'none'}")
    if touch:
        print(
            f"  inquiry -> first touch at {touch['half']:,.2f}/s (half of {touch['rate']:,.2f}/s): "
            f"p50 {touch['p50']:,.0f} ms, p99 {touch['p99']:,.0f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
