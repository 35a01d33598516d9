"""The managers' dashboard with a year of data (issue 18: it shows every report in < 2 s here at
100,000 customers), measured against the same page with a small data set in the same run.

A whole system (``deploy.local_system``: the real supervisor, its own vhost, embedded document
store and data folder) serves the built console. A year of activity is loaded straight into the
stores of the services the dashboard reads, through documents their own domain functions make
(no API call, no event), in batches of ``--chunk``:

- profile: each customer's archive (``open_archive`` from its first inquiry, a second inquiry for
  one in five, quotes, samples and orders on a plausible path, lost and invalid customers with a
  reason and their ``stage_changed`` entries) and the report facts filing would have noted for it
  (``archive_facts``: the backfill's own reading of an archive), and the monthly totals kept of
  them (``report_totals``: each customer's entries in its shard with the shard's sums, as
  profile writes them when it notes a fact);
- pool: a holding per customer (``new_holding`` + ``take``; the rejected ones ``give_back`` to
  ``rejected`` with a reason), keyed as the store writes them (``with_sweep_keys``);
- handoff: a marketing → sales handoff for one customer in four, signed some hours later
  (``open_handoff`` + ``acknowledge``, its events published long since: ``outbox.cleared``), and
  the checklist refusals before some of them, keyed as the store writes them (``keyed``), and the
  monthly totals its measures read (``measure_totals``).

Then meier, a sales manager, signs in through the form in Debian's Chromium
(bench/dashboard_page.mjs, playwright-core from web/node_modules) and opens /dashboards ``--runs``
times in fresh browser contexts: the time from the navigation's start until every report card has
answered (its chart or table shown, no loading mask) is the figure. Each API call the page makes
is timed alone too (median of ``--runs``), so a slow report is named. The whole is done at
``--small`` customers first (the baseline) and again after loading up to ``--customers``.

    .venv/bin/python bench/dashboard.py                          # 100,000 customers, 5 runs
    .venv/bin/python bench/dashboard.py --small 50 --customers 500 --runs 1   # quick (the suite's)
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench.loading import Progress  # noqa: E402
from bench.match_latency import company, first_inquiry  # noqa: E402
from deploy.local_system import local_system  # noqa: E402
from services.handoff.domain import measure_totals, outbox  # noqa: E402
from services.handoff.domain.checklists import Item  # noqa: E402
from services.handoff.domain.handoffs import Deadline, Draft, acknowledge, open_handoff  # noqa: E402
from services.handoff.domain.kinds import KindSpec  # noqa: E402
from services.handoff.store import keyed  # noqa: E402
from services.pool.domain.holdings import Facts, give_back, new_holding, rejection, take  # noqa: E402
from services.pool.store import with_sweep_keys  # noqa: E402
from services.profile.domain import report_totals, timeline  # noqa: E402
from services.profile.domain.archive import open_archive  # noqa: E402
from services.profile.domain.report_facts import archive_facts, needs_in  # noqa: E402
from services.runtime.databases import database_name  # noqa: E402
from services.runtime.report_rules import month_of  # noqa: E402
from services.runtime.settings_check import read_configuration  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# The built console (BATON_BENCH_CONSOLE: a copy of it, so a build running meanwhile cannot change it).
DIST = Path(os.environ.get("BATON_BENCH_CONSOLE") or REPO / "web" / "dist")
PAGE_SCRIPT = REPO / "bench" / "dashboard_page.mjs"
TARGET_SECONDS = 2.0
MANAGER, PASSWORD, TEAM = "meier", "bench-dashboard-password", "default"
OWNERS = [f"sales_{i:02d}" for i in range(30)]
MARKETERS = ["mia", "max", "mei"]
GRADE = {"grade": "B", "reason": "bench"}
# The needs the shipped configuration counts (deploy/config.yaml BATON.reports.needs).
NEEDS = {"CE": ["CE"], "FDA": ["FDA"], "RoHS": ["RoHS"], "UL": ["UL"], "110V": ["110V"]}
LOST = ["price too high", "went silent", "chose a local supplier", "MOQ too high", "delivery too slow"]
INVALID = ["not target industry", "student", "competitor asking prices"]
REJECTED = ["need mismatch", "retail only", "sanctioned market"]
TO_SALES = KindSpec("marketing_to_sales", ("marketing",), ("sales",), ())
CHECKLIST = [Item("need_is_specific", True, "2,000 pcs"), Item("contact_attempted", True, "called")]
DEADLINE = Deadline(3, 30)
DEPARTMENTS = {**{m: "marketing" for m in MARKETERS}, **{o: "sales" for o in OWNERS}}
# The dashboard's calls as it makes them for the last 12 months (web/src/features/reports/api.ts).
REPORTS = ("inquiries", "demand", "follow-up", "conversion", "handoffs", "lost-reasons")


def customer(n, now, seed=7):
    """Customer ``n``'s year: (archive, report facts, holding, handoffs, refusals), the same in
    every run for one ``now``."""
    firm = company(n, seed)
    rng = random.Random(seed * 7_919 + n)
    inquiry = first_inquiry(firm)
    inquiry["message"] = rng.choice(
        ["2,000 pcs with CE", "UL listed, 110V", "need FDA and RoHS papers", "price list please", "MOQ?"]
    )
    created = now - timedelta(seconds=rng.uniform(3_600, 365 * 86_400))
    customer_id, owner = f"cus_dash{n:07d}", rng.choice(OWNERS)
    archive = open_archive(customer_id, f"inq_dash{n:07d}", inquiry, GRADE, None, created)
    archive["owner_id"] = owner
    at = created
    entries = []

    def later(low_days, high_days):
        nonlocal at
        at = min(now, at + timedelta(days=rng.uniform(low_days, high_days)))
        return at

    if rng.random() < 0.2:  # a second inquiry, merged into the archive
        second = later(5, 60)
        archive["sources"].append(
            {"inquiry_id": f"inq_dash{n:07d}b", "at": second, "channel": "email", "campaign": None}
        )
    roll = rng.random()
    if roll < 0.12:
        stage, reason = "lost", rng.choice(LOST)
    elif roll < 0.16:
        stage, reason = "invalid", rng.choice(INVALID)
    else:
        stage, reason = "inquiry", None
        if rng.random() < 0.45:
            quoted = later(1, 20)
            archive["quotes"] = [{"id": f"quo_{n}", "at": quoted, "by": owner, "product": "X-200"}]
            stage = "quoted"
            if rng.random() < 0.5:
                archive["samples"] = [{"id": f"sam_{n}", "sent_at": later(2, 15), "by": owner}]
                stage = "sample"
                if rng.random() < 0.3:
                    archive["orders"] = [{"id": f"ord_{n}", "at": later(5, 40), "by": owner}]
                    stage = "customer"
    from_pool = not reason and rng.random() < 0.03  # rejected in the pool: the archive's stage follows
    if from_pool:
        stage, reason = "rejected", rng.choice(REJECTED)
    if reason:
        changed = later(3, 60)
        entries.append(
            timeline.stage_changed(customer_id, archive["stage"], stage, owner, reason, changed, from_pool=from_pool)
        )
        archive["stage_reason"] = reason
    archive["stage"] = stage
    facts = archive_facts(archive, entries, lambda moment: month_of(moment, UTC), NEEDS, firm["country"])

    pool_facts = Facts(
        company=archive["company"], country=firm["country"], country_code=firm["country"], intent_grade="B"
    )
    holding = take(new_holding(customer_id, TEAM, pool_facts, created), owner, "allocated", "system", created)
    if from_pool:
        holding = give_back(holding, "rejected", rejection(reason), "meier", at) or holding

    handoffs, refusals = [], []
    if rng.random() < 0.25:
        sender = rng.choice(MARKETERS)
        submitted = created + timedelta(hours=rng.uniform(1, 72))
        draft = Draft(
            f"hof_dash{n:07d}", TO_SALES, customer_id, sender, sender, [owner], owner, (), DEPARTMENTS, {}, {}
        )
        handoff = open_handoff(draft, CHECKLIST, False, None, submitted, DEADLINE, submitted)
        signed = acknowledge(handoff, owner, None, submitted + timedelta(hours=rng.uniform(0.2, 60)))
        handoffs.append(published(signed or handoff))
        if rng.random() < 0.2:
            refusals.append(
                {
                    "_id": f"ref_dash{n:07d}",
                    "kind": TO_SALES.name,
                    "customer_id": customer_id,
                    "from_user": sender,
                    "by": sender,
                    "at": submitted - timedelta(hours=1),
                    "missing": ["need_is_specific"],
                }
            )
    return archive, facts, with_sweep_keys(holding), handoffs, refusals


def published(handoff):
    """``handoff`` as it is once the service has published its events (long since, for a year's
    handoffs): loaded with them still waiting, the running service's retry timer would publish
    two events per handoff — and the services hearing them react — all through the measurement."""
    return outbox.cleared(handoff, {event["id"] for event in handoff["outbox"]}) or handoff


class Totals:
    """The monthly report totals of every customer loaded so far (profile's ``report_totals``, in
    the shards the running system reads: ``BATON.reports.totals_shards`` of deploy/config.yaml)."""

    def __init__(self):
        baton = read_configuration((REPO / "deploy" / "config.yaml").read_text(), dict(os.environ))["BATON"]
        self.shards = int(baton["reports"]["totals_shards"])
        # {kind: {month: {customer: (count, entry)}}}
        self.held = {kind: defaultdict(dict) for kind in report_totals.SHARDED}
        self.stages = defaultdict(list)
        self.handoffs, self.refusals = defaultdict(list), defaultdict(list)  # handoff's measure totals

    def add_handoffs(self, handoffs, refusals):
        for handoff in handoffs:
            self.handoffs[measure_totals.month_of(handoff["submitted_at"])].append(handoff)
        for refusal in refusals:
            self.refusals[measure_totals.month_of(refusal["at"])].append(refusal)

    def add(self, archive, facts):
        customer_id = archive["_id"]
        recorded = needs_in([*archive.get("needs", []), *archive.get("special_requirements", [])], NEEDS)
        inquiries = defaultdict(list)
        for fact in facts:
            if fact["kind"] == "inquiry":
                inquiries[fact["month"]].append(fact)
            elif fact["kind"] == "stage":
                self.stages[fact["month"]].append(fact)
        parts = defaultdict(dict)  # {kind: {month: held}}, as profile's refresh_customer makes them
        for month, its_facts in inquiries.items():
            entries = report_totals.inquiry_entries(its_facts, recorded, bool(archive.get("orders")))
            for kind, held in entries.items():
                parts[kind][month] = held
        steps = [fact for fact in facts if fact["kind"] in ("quote", "sample")]
        parts[report_totals.STEPS] = report_totals.step_entries(steps)
        for kind, months in parts.items():
            for month, held in report_totals.with_again(months).items():
                self.held[kind][month][customer_id] = held

    def write(self, database):
        for kind, months in self.held.items():
            for month, held in months.items():
                for shard in report_totals.built_shards(kind, month, held, self.shards, {}):
                    _put(database, shard)
        for month, facts in self.stages.items():
            _put(database, report_totals.stages_totals(report_totals.empty(report_totals.STAGES, month), facts))

    def write_handoffs(self, database):
        for kind, months in ((measure_totals.HANDOFFS, self.handoffs), (measure_totals.REFUSALS, self.refusals)):
            for month, documents in months.items():
                _put(database, measure_totals.made_of(kind, month, documents, None), "handoff_totals")


def _put(database, totals, collection="report_totals"):
    database[collection].replace_one({"_id": totals["_id"]}, totals, upsert=True)


def load(databases, start, stop, now, chunk, totals):
    """Customers start..stop-1 into profile's, pool's and handoff's stores (``totals``: those of
    the customers loaded before, written again with these); seconds taken."""
    progress = Progress(stop - start, "loading", "customers")
    for first in range(start, stop, chunk):
        made = [customer(n, now) for n in range(first, min(first + chunk, stop))]
        archives, facts, holdings, handoffs, refusals = ([] for _ in range(5))
        for archive, archive_facts_, holding, its_handoffs, its_refusals in made:
            archives.append(archive)
            facts += archive_facts_
            totals.add(archive, archive_facts_)
            holdings.append(holding)
            handoffs += its_handoffs
            refusals += its_refusals
            totals.add_handoffs(its_handoffs, its_refusals)
        databases["profile"].customers.insert_many(archives, ordered=False)
        databases["profile"].report_facts.insert_many(facts, ordered=False)
        databases["pool"].holdings.insert_many(holdings, ordered=False)
        if handoffs:
            databases["handoff"].handoffs.insert_many([keyed("handoffs", h) for h in handoffs], ordered=False)
        if refusals:
            databases["handoff"].refused_handoffs.insert_many(
                [keyed("refused_handoffs", r) for r in refusals], ordered=False
            )
        progress.add(len(made))
    totals.write(databases["profile"])
    totals.write_handoffs(databases["handoff"])
    return progress.seconds


class Api:
    """meier's HTTP client, signed in with a real ``POST /sessions``."""

    def __init__(self, base):
        self.base, self.opener = base, urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.token = None
        self.token = self.call("POST", "/sessions", {"user_id": MANAGER, "password": PASSWORD})["token"]

    def call(self, method, path, body=None):
        request = urllib.request.Request(
            f"{self.base}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        with self.opener.open(request, timeout=300) as response:
            return json.loads(response.read())


def period(now):
    """The dashboard's default period: the last 12 months, this one included."""
    last = now.strftime("%Y-%m")
    first = (now.replace(day=1) - timedelta(days=334)).strftime("%Y-%m")
    return first, last


def api_times(api, now, runs):
    """Each report route of the dashboard alone, its median in ms; and the customers counted."""
    first, last = period(now)
    times, failed = {}, {}
    for name in REPORTS:
        by = "&by=country" if name in ("inquiries", "demand") else ""
        path = f"/reports/{name}?from={first}&to={last}{by}"
        taken, refused = [], None
        for _ in range(runs):
            started = time.perf_counter()
            try:
                api.call("GET", path)
            except urllib.error.HTTPError as error:  # a report too slow for the gateway's RPC timeout
                refused = error.code
            taken.append((time.perf_counter() - started) * 1000)
        times[name] = statistics.median(taken)
        if refused:
            failed[name] = refused
    counted = api.call("GET", "/customers?limit=1")["total"]
    return times, failed, counted


def page_times(system, runs, timeout):
    """bench/dashboard_page.mjs against the running system: its JSON answer."""
    done = subprocess.run(
        [
            "node",
            str(PAGE_SCRIPT),
            "--base-url",
            system.api,
            "--user",
            MANAGER,
            "--password",
            PASSWORD,
            "--runs",
            str(runs),
            "--timeout-ms",
            str(timeout * 1000),
        ],
        capture_output=True,
        text=True,
        timeout=timeout * (runs + 2),
    )
    if done.returncode != 0:
        raise SystemExit(f"dashboard_page.mjs failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout)


def measure(system, api, now, size, args):
    times, failed, counted = api_times(api, now, args.runs)
    page = page_times(system, args.runs, args.timeout)
    shown = [run["shown_ms"] for run in page["runs"]]
    errors = sorted({e for run in page["runs"] for e in run["errors"]})
    failed = sorted({card for run in page["runs"] for card in run["failed"]})
    print(
        f"\n== {size:,} customers ({counted:,} counted by GET /customers)\n"
        f"  dashboard shown: median {statistics.median(shown):,.0f} ms, worst {max(shown):,.0f} ms over {len(shown)} "
        f"runs; cards {page['runs'][0]['cards']}, API calls per opening {page['runs'][0]['calls']}"
        + (f"; page errors: {errors}" if errors else "")
        + (f"; cards that showed an error: {failed}" if failed else ""),
        flush=True,
    )
    for name, ms in times.items():
        answer = f"answered {failed[name]}" if name in failed else "answered"
        print(f"  GET /reports/{name}: {ms:,.0f} ms alone, {answer}")
    return {"size": size, "median": statistics.median(shown), "worst": max(shown), "api": times}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000, help="customers for the baseline")
    parser.add_argument("--customers", type=int, default=100_000, help="customers for the measured size")
    parser.add_argument("--runs", type=int, default=5, help="measured openings of /dashboards per size")
    parser.add_argument("--chunk", type=int, default=1_000, help="customers per insert_many")
    parser.add_argument("--timeout", type=int, default=120, help="seconds for one opening of the page")
    args = parser.parse_args(argv)
    if not 0 < args.small < args.customers:
        parser.error("--small must be above 0 and below --customers")
    if not (DIST / "index.html").exists():
        raise SystemExit("web/dist is not built: run scripts/bootstrap (or npm run build in web/) first")
    data_dir = Path(tempfile.mkdtemp(prefix="baton-dashboard-bench-"))
    now = datetime.now(UTC)
    try:
        with local_system(data_dir / "system", env={"BATON_CONSOLE_DIR": str(DIST)}) as system:
            with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as cluster:
                cluster.gateway.add_user(
                    {"id": MANAGER, "name": "Meier", "role": "manager", "department": "sales", "team": TEAM}
                )
                cluster.gateway.set_password(MANAGER, {"password": PASSWORD})
            client = MongoClient(system.mongo_uri, tz_aware=True)
            databases = {s: client[database_name(system.mongo_uri, s)] for s in ("profile", "pool", "handoff")}
            api = Api(system.api)
            totals = Totals()
            load(databases, 0, args.small, now, args.chunk, totals)
            small = measure(system, api, now, args.small, args)
            seconds = load(databases, args.small, args.customers, now, args.chunk, totals)
            print(f"\nloaded {args.customers - args.small:,} more customers in {seconds:,.0f} s", flush=True)
            large = measure(system, api, now, args.customers, args)
            client.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print("\n== result")
    print(
        f"  dashboard shown at {large['size']:,} vs {small['size']:,} customers: median {large['median']:,.0f} / "
        f"{small['median']:,.0f} ms: ratio {large['median'] / small['median']:.2f}x; worst {large['worst']:,.0f} ms"
    )
    slowest = max(large["api"], key=large["api"].get)
    print(
        f"  slowest report alone: {slowest} {large['api'][slowest]:,.0f} ms "
        f"({large['api'][slowest] / max(small['api'][slowest], 1):.1f}x its time at {small['size']:,})"
    )
    verdict = "OK" if large["median"] / 1000 < TARGET_SECONDS else "OVER"
    print(f"  target < {TARGET_SECONDS:g} s at {large['size']:,}: median {large['median'] / 1000:.2f} s {verdict}")


if __name__ == "__main__":
    main()
