"""Intake throughput end to end, beside the raw broker rate measured in the same run.

Starts a whole system (its own vhost and document store), then
- raw broker: publishes N persistent JSON messages to a queue and consumes them (kombu);
- Baton: publishes N inquiries from N different companies on ``baton.inquiries`` and waits until
  every one is filed, allocated and has its first-touch reminder (the last step of the flow).

    .venv/bin/python bench/intake_throughput.py [--messages 500]

Each inquiry comes from a company of its own whose name starts differently, as real names do
(name blocks spread; the number in each name keeps any two from looking like typos of each
other). Companies that all share a prefix ("Bench Company 1", "Bench Company 2", …) would all
fall in one name block, and every inquiry would read that block (up to its limit).

NOTES (2 CPUs, embedded store, 2026-12-02): an inquiry costs about 50 document commands across
the services (counted with a pymongo CommandListener): intake 6, profile 17, pool 16 (of which
one holdings count per salesperson, for the holding cap: 3 here), notification 9, handoff 1. The
embedded store serves them at a few ms each under this concurrency, which bounds the rate
(about 10 inquiries/s here).

Since 2026-12-04 intake takes published inquiries in batches (``BATON.intake.amqp_batch_max``,
``amqp_batch_wait_seconds``): under load it stores a batch with a fixed number of commands (read
the ids, insert the records, insert their audit entries, mark them announced) where it sent one
per inquiry. The figures above predate that and were not measured again; the rate is bounded by
the services after intake.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kombu import Connection, Exchange  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench.baselines import raw_broker_rate  # noqa: E402
from contracts.topology import INQUIRY_EXCHANGE  # noqa: E402
from deploy.local_system import local_system, provision_users, salespeople_known  # noqa: E402
from services.runtime.databases import database_name  # noqa: E402

WAIT_SECONDS = 600
# Salespeople are users: the bench's sales team, allocated to on arrival (no screening queue: the
# path measured ends with the owner's first-touch reminder).
SALES_TEAM = {person: ("member", "sales", "default") for person in ("alice", "bob", "carol")}
ON_ARRIVAL = {"BATON_SCREENING": "false"}
SYLLABLES = [consonant + vowel for consonant in "bdfgklmnprstvz" for vowel in "aeiou"]


def company_name(n):
    high, low = divmod(n, len(SYLLABLES))
    return f"{SYLLABLES[high % len(SYLLABLES)].title()}{SYLLABLES[low]} Trading {n} GmbH"


def inquiry(n):
    return {
        "schema_version": 1,
        "channel": "website_form",
        "company": company_name(n),
        "country": "DE",
        "contact": {"name": "Buyer", "email": f"buyer@bench-{n}.de"},
        "message": f"We need {n + 100} pcs of model X by March.",
    }


def baton_rate(system, count):
    reminders = MongoClient(system.mongo_uri)[database_name(system.mongo_uri, "notification")].reminders
    exchange = Exchange(INQUIRY_EXCHANGE, type="topic", durable=True)
    with Connection(system.amqp_uri) as connection:
        producer = connection.Producer()
        started = time.perf_counter()
        for n in range(count):
            producer.publish(
                json.dumps(inquiry(n)).encode(),
                exchange=exchange,
                routing_key="inquiry",
                content_type="application/json",
                delivery_mode=2,
                message_id=f"bench-{n}",
            )
        published = time.perf_counter() - started
        deadline = time.monotonic() + WAIT_SECONDS
        while reminders.count_documents({}) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {reminders.count_documents({})} of {count} inquiries got through")
            time.sleep(0.2)
    return count / (time.perf_counter() - started), count / published


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="baton-bench-") as data_dir,
        local_system(data_dir, env=ON_ARRIVAL) as system,
    ):
        provision_users(system, SALES_TEAM)
        salespeople_known(system, SALES_TEAM)
        raw = raw_broker_rate(system.amqp_uri, args.messages, json.dumps(inquiry(0)).encode())
        end_to_end, publish = baton_rate(system, args.messages)
    print(f"messages                     {args.messages}")
    print(f"raw broker (publish+consume) {raw:,.0f} msg/s")
    print(f"Baton intake end to end      {end_to_end:,.1f} inquiries/s  (published at {publish:,.0f}/s)")
    print(f"ratio end-to-end / raw       {end_to_end / raw:.3f}")
    print(
        "an inquiry's path: intake (validate, store) -> profile (match, file, timeline) -> pool (rotation)"
        " -> notification (reminder) -> profile (owner, timeline): 4 services, 5 events"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
