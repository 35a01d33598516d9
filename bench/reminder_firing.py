"""Firing due reminders among many stored ones, and delivery throughput per channel.

Issue requirement: 1,000,000 scheduled reminders — time to find and fire the due ones each
minute, and how it grows from 10,000 to 1,000,000 (target <= 2x: index-backed, no scans);
delivery throughput per channel.

For each size a database ``bench_<n>`` is loaded with n reminders as the rules make them
(first touch, second touch, follow-up, minutes, handoff acceptance; a third already fired or
closed), due over the next 60 days, plus the same ``--due-per-minute`` reminders due in each of
the ``--minutes`` measured minutes at both sizes (and one more, whose pass is traced for the
most memory it holds). Each measured minute then runs the real firing
pass (``services.notification.firing.fire_due``: the indexed due query, a lease per reminder, a
notice, an inbox delivery, marked fired) against the embedded document store; the figure is the
median pass. Generation runs in worker processes while this one inserts; indexes are created
after loading (faster than maintaining them through bulk inserts).

Delivery throughput: ``--deliveries`` notices delivered through each built-in channel by the
real ``deliver_due`` and plugin code: inbox (into the store), email (to a local aiosmtpd SMTP
server, when the test extras are installed), webhook and chat (to a local HTTP server).

    .venv/bin/python bench/reminder_firing.py                    # 10,000 and 1,000,000
    .venv/bin/python bench/reminder_firing.py --large 100000     # quick run
"""

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pymongo import MongoClient  # noqa: E402

from bench.memory import peak_allocated  # noqa: E402
from deploy.docstore import Docstore, free_port  # noqa: E402
from plugins.host import PluginHost  # noqa: E402
from services.notification.delivering import InboxFiling, deliver_due  # noqa: E402
from services.notification.domain import reminders as rules  # noqa: E402
from services.notification.domain.notices import Preferences, notice_of  # noqa: E402
from services.notification.domain.reminders import DONE, FIRED  # noqa: E402
from services.notification.domain.timing import RetryPolicy  # noqa: E402
from services.notification.firing import delivery_of, fire_due  # noqa: E402
from services.notification.settings import ReminderSettingsSchema  # noqa: E402
from services.notification.store import Outbox, Reminders  # noqa: E402

TARGET_RATIO = 2.0
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
HORIZON = timedelta(days=60)
OWNERS = [f"sales_{i:03d}" for i in range(200)]
POLICY = ReminderSettingsSchema().load({"first_touch_days": 3})
SETTINGS = {"batch": 500, "max_batches": 20, "lease_seconds": 120}
CHANNEL_PLUGINS = [
    ("inbox_channel", "plugins.builtin.inbox_channel"),
    ("email_channel", "plugins.builtin.email_channel"),
    ("webhook_channel", "plugins.builtin.webhook_channel"),
    ("chat_webhook", "plugins.builtin.chat_webhook"),
]


def preferences(user_id, channels=("inbox",), addresses=None, secrets=None):
    return Preferences(
        user_id, "Asia/Shanghai", None, None, False, clock(8, 30), tuple(channels), addresses or {}, secrets or {}
    )


# ---------------------------------------------------------------- generated reminders


def one_reminder(n, due_at, rng):
    """Reminder ``n`` as a rule makes it, due at ``due_at``."""
    owner, customer = OWNERS[n % len(OWNERS)], f"cus_{n:08d}"
    kind = rng.random()
    if kind < 0.4:
        doc = rules.first_touch(POLICY, customer, owner, due_at - POLICY.first_touch_within)
    elif kind < 0.6:
        at = due_at - POLICY.second_touch_after
        doc = rules.second_touch(
            POLICY,
            {
                "customer_id": customer,
                "record_id": f"com_{n}",
                "owner_id": owner,
                "by": owner,
                "at": at,
                "recorded_at": at,
                "method": "phone",
            },
        )
    elif kind < 0.7:
        at = due_at - POLICY.minutes_within
        doc = rules.meeting_minutes(
            POLICY,
            {
                "customer_id": customer,
                "record_id": f"com_{n}",
                "by": owner,
                "at": at,
                "recorded_at": at,
                "method": "meeting",
            },
        )
    else:
        at = due_at - POLICY.handoff_accept_within
        doc = next(
            r
            for r in rules.handoff_submitted(
                POLICY,
                {
                    "handoff_id": f"hof_{n}",
                    "kind": "sales_to_service",
                    "customer_id": customer,
                    "from_user": "mark",
                    "to_users": [owner],
                    "info_pending": False,
                    "pending_until": None,
                    "missing": [],
                    "submitted_at": at,
                },
            )
            if r["kind"] == "handoff_acceptance"
        )
    return {**doc, "_id": f"{doc['_id']}_{n}"}  # unique even where generated causes coincide


def generate_batch(start, stop, seed, measured_minutes, due_per_minute):
    """Reminders start..stop-1: the first ``measured_minutes * due_per_minute`` are due in the
    measured minutes; the rest over the horizon after them, a third of those already past and closed."""
    docs = []
    window = measured_minutes * due_per_minute
    for n in range(start, stop):
        rng = random.Random(seed * 1_000_003 + n)
        if n < window:
            due = NOW + timedelta(minutes=n // due_per_minute, seconds=rng.uniform(1, 59))
            docs.append(one_reminder(n, due, rng))
            continue
        if rng.random() < 1 / 3:  # already handled: in the past, fired or closed
            doc = one_reminder(n, NOW - timedelta(seconds=rng.uniform(60, HORIZON.total_seconds())), rng)
            docs.append({**doc, "status": rng.choice((FIRED, DONE))})
            continue
        later = NOW + timedelta(minutes=measured_minutes + 1)
        docs.append(one_reminder(n, later + timedelta(seconds=rng.uniform(0, HORIZON.total_seconds())), rng))
    return docs


def load(db, count, args, label):
    batches = iter(range(0, count, args.batch))
    done, started, last_report = 0, time.perf_counter(), time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending = deque()

        def submit_next():
            start = next(batches, None)
            if start is not None:
                pending.append(
                    pool.submit(
                        generate_batch,
                        start,
                        min(start + args.batch, count),
                        args.seed,
                        args.minutes + 1,
                        args.due_per_minute,
                    )
                )  # + the memory minute

        for _ in range(2 * args.workers):
            submit_next()
        while pending:
            docs = pending.popleft().result()
            submit_next()
            Reminders(db).add_many(docs)
            done += len(docs)
            now = time.perf_counter()
            if now - last_report >= 15 or done == count:
                rate = done / (now - started)
                print(
                    f"  [{label}] loaded {done:,}/{count:,} reminders ({rate:,.0f}/s), eta {(count - done) / rate:,.0f} s",
                    flush=True,
                )
                last_report = now
    return time.perf_counter() - started


# ---------------------------------------------------------------- firing


def measure_firing(client, size, args):
    db = client[f"bench_{size}"]
    print(f"\n== {size:,} stored reminders", flush=True)
    seconds = load(db, size, args, f"{size:,}")
    started = time.perf_counter()
    reminders, outbox = Reminders(db), Outbox(db)
    reminders.ensure_indexes()
    outbox.ensure_indexes()
    print(
        f"  load {seconds:,.1f} s ({size / seconds:,.0f}/s), ensure_indexes {time.perf_counter() - started:,.1f} s",
        flush=True,
    )
    passes, finds = [], []
    for minute in range(1, args.minutes + 1):
        now = NOW + timedelta(minutes=minute)
        started = time.perf_counter()
        reminders.due(now, SETTINGS["batch"])
        finds.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        fired = fire_due(reminders, outbox, preferences, set(), SETTINGS, now)
        passes.append((time.perf_counter() - started) * 1000)
        print(
            f"  minute {minute}: fired {fired.fired} in {passes[-1]:,.1f} ms (due query alone {finds[-1]:,.1f} ms)",
            flush=True,
        )
    print(
        f"  median pass {statistics.median(passes):,.1f} ms for {args.due_per_minute} due "
        f"({statistics.median(passes) / args.due_per_minute:,.2f} ms per reminder); "
        f"median due query {statistics.median(finds):,.1f} ms",
        flush=True,
    )
    now = NOW + timedelta(minutes=args.minutes + 1)
    fired, peak = peak_allocated(lambda: fire_due(reminders, outbox, preferences, set(), SETTINGS, now))
    print(f"  memory: a pass firing {fired.fired} held at most {peak / 1024:,.0f} KB", flush=True)
    if args.drop:
        client.drop_database(db.name)
    return statistics.median(passes), statistics.median(finds), peak


# ---------------------------------------------------------------- delivery throughput


class Ok(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, *args):
        pass


def smtp_server():
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        return None

    class Accept:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    controller = Controller(Accept(), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def measure_delivery(client, args):
    print(f"\n== delivery throughput, {args.deliveries} notices per channel", flush=True)
    http = ThreadingHTTPServer(("127.0.0.1", free_port()), Ok)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_address[1]}/hook"
    smtp = smtp_server()
    addresses = {"webhook": url, "chat": url + "?app=slack", "email": "sales@example.com"}
    settings = {"email": {"host": "127.0.0.1", "port": smtp.port if smtp else 9}, "chat": {"app": "slack"}}
    results = {}
    try:
        for channel in ("inbox", "email", "webhook", "chat"):
            if channel == "email" and smtp is None:
                print("  email: skipped (aiosmtpd not installed: pip install -e '.[test]')")
                continue
            db = client[f"bench_delivery_{channel}"]
            outbox = Outbox(db)
            outbox.ensure_indexes()
            channels, _ = PluginHost(
                [(n, __import__(m, fromlist=["x"])) for n, m in CHANNEL_PLUGINS]
            ).notification_channels(settings, InboxFiling(outbox))
            person = preferences("sales_000", (channel,), addresses, {"webhook": "bench-secret-0123456789"})
            for n in range(args.deliveries):
                reminder = one_reminder(n, NOW, random.Random(n))
                notice, _ = outbox.add_notice(notice_of(reminder, person, NOW))
                outbox.deliveries.add(delivery_of(notice, channel, NOW))
            started = time.perf_counter()
            done = deliver_due(
                outbox, channels, {}, lambda user_id, person=person: person, RetryPolicy(), SETTINGS, NOW
            )
            elapsed = time.perf_counter() - started
            results[channel] = done.delivered / elapsed
            print(
                f"  {channel:<8} delivered {done.delivered}/{args.deliveries} (failed {done.failed}) in {elapsed:,.1f} s: "
                f"{results[channel]:,.0f}/s",
                flush=True,
            )
            client.drop_database(db.name)
    finally:
        http.shutdown()
        if smtp:
            smtp.stop()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--minutes", type=int, default=5, help="measured minutes (firing passes) per size")
    parser.add_argument("--due-per-minute", type=int, default=100)
    parser.add_argument("--deliveries", type=int, default=300, help="notices delivered per channel")
    parser.add_argument("--batch", type=int, default=5_000, help="reminders per insert_many")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", dest="drop", action="store_false", help="keep each database after measuring it")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="baton-reminder-firing-"))
    try:
        with Docstore(data_dir, port=free_port(), log_file=data_dir / "docstore.log") as store:
            client = MongoClient(store.uri(), tz_aware=True)
            print(f"document store: nx-27017 at {store.uri()} in {data_dir}")
            small, small_find, small_peak = measure_firing(client, args.small, args)
            large, large_find, large_peak = measure_firing(client, args.large, args)
            throughput = measure_delivery(client, args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    ratio, find_ratio = large / small, large_find / small_find
    print("\n== result")
    print(
        f"  find and fire {args.due_per_minute} due reminders: {small:,.1f} ms at {args.small:,}, {large:,.1f} ms at "
        f"{args.large:,}: ratio {ratio:.2f}x (target <= {TARGET_RATIO:g}x) {'OK' if ratio <= TARGET_RATIO else 'OVER'}"
    )
    print(f"  the due query alone: {small_find:,.1f} ms and {large_find:,.1f} ms: ratio {find_ratio:.2f}x")
    print(
        f"  memory of a pass: {small_peak / 1024:,.0f} KB and {large_peak / 1024:,.0f} KB: ratio "
        f"{large_peak / small_peak:.2f}x (a pass holds one batch, whatever is stored)"
    )
    print("  delivery throughput: " + ", ".join(f"{c} {r:,.0f}/s" for c, r in throughput.items()))


if __name__ == "__main__":
    main()
