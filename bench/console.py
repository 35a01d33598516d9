"""The web console's figures (issue 13): the built bundle's size, and the first page's interactive
time with 10 and 10,000 customers (targets: initial JavaScript <= 400 KB gzipped; first page < 2 s).

Bundle: what web/dist/index.html makes the browser load before any page, the entry script, its
modulepreload links and every chunk they import statically (the logic of web/scripts/initial-size.mjs,
which is also run for comparison), and its stylesheets; raw and gzipped (level 9, as that script);
then every JavaScript file in web/dist. The bench measures web/dist as built (scripts/bootstrap or
``npm run build`` in web/) and says when it is older than web/'s sources; ``--dist DIR`` measures
and serves another build instead (``npm run build -- --outDir DIR``), leaving web/dist alone.

First page: a whole system (``deploy.local_system``: the real supervisor, its own vhost, embedded
document store and data folder) serving the built console; alice (a sales member of team default,
with a password, made over RPC as an admin does: gateway.add_user, gateway.set_password) is
given ``--small`` customers she owns, each with one open reminder; the first page is measured; she
is then given customers up to ``--large`` and it is measured again. Each measurement is
bench/console_first_page.mjs in Debian's Chromium (playwright-core from web/node_modules): it signs
in through the form (landing on /day: the unmeasured warm-up), then ``--runs`` times opens /day in a
fresh browser context (empty cache, her session copied in) and takes the time from the navigation's
start (performance.timeOrigin) until the reminders list and the my-customers table show their
first rows, and the page's JavaScript heap once settled (after a garbage collection).

How the customers are loaded: straight into the stores of the services that answer the day page,
through their own classes, with documents made by their own domain functions (no API call, no
event), in batches of ``--chunk`` (insert_many into the running services' collections, whose
indexes the services created at start-up):

- pool (``GET /pool?state=owned&owner_id=alice``, "my customers"): ``services.pool.store.Pool``'s
  holdings, each made by ``new_holding`` + ``take`` (allocated to alice by weighted round-robin in
  the last 10 days, its contact clocks recent, so the recycling sweep has nothing due) and keyed by
  ``with_sweep_keys`` as the store writes them;
- notification (``GET /users/alice/reminders``, open, with company names): per customer what it
  follows (``FollowedCustomer``: company, owner alice, grades, stage, last follow-up) in
  ``Reminders.followed``, and one open reminder through ``Reminders.add_many``: the first touch of
  a customer not contacted yet, the next follow-up of the others (``rules.first_touch``,
  ``follow_up_reminder`` with the shipped policy); one whose due time has passed is stored fired
  at that time (as the firing loop would have left it), the others pending.

profile's archives are not loaded: no call of the day page reads them (the reminders carry the
company names notification keeps; the pool entries carry their own); the API's totals are
checked before each measurement, and the bench reports any ``GET /customers/<id>`` the page made.

    .venv/bin/python bench/console.py                         # 10 and 10,000 customers, 5 runs each
    .venv/bin/python bench/console.py --small 3 --large 30 --runs 1     # quick run (the test suite's)
"""

import argparse
import dataclasses
import gzip
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from deploy.local_system import local_system  # noqa: E402
from services.notification.domain import reminders as rules  # noqa: E402
from services.notification.domain.follow_up import FollowedCustomer, follow_up_reminder  # noqa: E402
from services.notification.settings import ReminderSettingsSchema  # noqa: E402
from services.notification.store import Reminders  # noqa: E402
from services.pool.domain.holdings import ALLOCATED, SYSTEM, Facts, new_holding, take  # noqa: E402
from services.pool.store import Pool, with_sweep_keys  # noqa: E402
from services.runtime.databases import database_name  # noqa: E402
from services.runtime.mongo import connect  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WEB, DIST = REPO / "web", REPO / "web" / "dist"
FIRST_PAGE_SCRIPT = REPO / "bench" / "console_first_page.mjs"
BUDGET_KB = 400
TARGET_SECONDS = 2.0
USER, NAME, PASSWORD, TEAM = "alice", "Alice Wang", "pw-alice-bench-2026", "default"
# The shipped follow-up SOP (deploy/config.yaml BATON.reminders with its defaults).
POLICY = ReminderSettingsSchema().load({"first_touch_days": 3})
COUNTRIES = [
    ("Germany", "DE"),
    ("United States", "US"),
    ("United Kingdom", "GB"),
    ("France", "FR"),
    ("Brazil", "BR"),
    ("India", "IN"),
    ("Japan", "JP"),
    ("Mexico", "MX"),
    ("Poland", "PL"),
    ("Viet Nam", "VN"),
]
NAMES = [
    "Nordwind",
    "Sunrise",
    "Atlas",
    "Blue River",
    "Kestrel",
    "Orion",
    "Granite",
    "Silverline",
    "Harbor",
    "Lotus",
    "Meridian",
    "Pioneer",
    "Redwood",
    "Summit",
    "Vega",
    "Zenith",
]
TRADES = ["Trading", "Industrial", "Supply", "Machinery", "Imports", "Components", "Tools", "Logistics"]
FORMS = {
    "DE": "GmbH",
    "US": "LLC",
    "GB": "Ltd",
    "FR": "SARL",
    "BR": "Ltda",
    "IN": "Pvt Ltd",
    "JP": "KK",
    "MX": "S.A. de C.V.",
    "PL": "Sp. z o.o.",
    "VN": "Co., Ltd",
}
ACTIVE_STAGES = ["inquiry", "quoted", "sample", "negotiation"]


# ---------------------------------------------------------------- the bundle


def gzipped(data):
    return len(gzip.compress(data, compresslevel=9))


def initial_files(dist):
    """(JS files, CSS files) index.html has the browser load first: the entry scripts and
    modulepreload links, with the chunks they import statically (initial-size.mjs's rule), and the
    stylesheets; paths relative to ``dist``."""
    html = (dist / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html)
    scripts = [
        m
        for tag in tags
        if ("<script" in tag or "modulepreload" in tag)
        for m in re.findall(r'(?:src|href)="/([^"]+\.js)"', tag)
    ]
    styles = [m for tag in tags if "stylesheet" in tag for m in re.findall(r'href="/([^"]+\.css)"', tag)]
    seen, queue = [], list(scripts)
    while queue:
        file = queue.pop(0)
        if file in seen:
            continue
        seen.append(file)
        code = (dist / file).read_text(encoding="utf-8")
        # static imports only: `import ... from "./x.js"` / `import "./x.js"` (not import("./x.js"))
        for imported in re.findall(r"""(?:^|[;\s}])import\s*(?:[^"'()]*?from\s*)?["'](\./[^"']+\.js)["']""", code):
            queue.append(str(Path(file).parent / imported))
    return seen, styles


def sizes(dist, files):
    return sum((dist / f).stat().st_size for f in files), sum(gzipped((dist / f).read_bytes()) for f in files)


def dist_is_current(dist):
    """True/False: web/dist was built from web/'s sources as they are (scripts/bootstrap's stamp);
    None when it cannot tell (or ``dist`` is another build)."""
    if dist != DIST:
        return None
    try:
        stamp = (dist / ".baton-built").read_text().strip()
        digest = subprocess.run(
            "find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print0 "
            "| sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1",
            shell=True,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        return stamp == digest if digest else None
    except (OSError, subprocess.SubprocessError):
        return None


def measure_bundle(dist):
    if not (dist / "index.html").is_file():
        raise SystemExit(f"{dist} is not built: run scripts/bootstrap (or npm run build in web/)")
    current = dist_is_current(dist)
    print(
        f"== bundle: {dist.relative_to(REPO) if dist.is_relative_to(REPO) else dist}"
        + {True: " (built from the current web/ sources)", False: " (OLDER than web/'s sources: rebuild it)", None: ""}[
            current
        ]
    )
    scripts, styles = initial_files(dist)
    js_raw, js_gz = sizes(dist, scripts)
    css_raw, css_gz = sizes(dist, styles)
    every_js = sorted(str(p.relative_to(dist)) for p in dist.rglob("*.js"))
    all_raw, all_gz = sizes(dist, every_js)
    kb = 1024
    print(
        f"  initial JS:  {len(scripts)} file(s), {js_raw / kb:,.1f} KB raw, {js_gz / kb:,.1f} KB gzipped "
        f"(target <= {BUDGET_KB} KB) {'OK' if js_gz / kb <= BUDGET_KB else 'OVER'}"
    )
    for file in scripts:
        print(f"    {file}")
    print(f"  initial CSS: {len(styles)} file(s), {css_raw / kb:,.1f} KB raw, {css_gz / kb:,.1f} KB gzipped")
    print(f"  initial JS + CSS: {(js_raw + css_raw) / kb:,.1f} KB raw, {(js_gz + css_gz) / kb:,.1f} KB gzipped")
    print(
        f"  all JS in dist: {len(every_js)} file(s), {all_raw / kb:,.1f} KB raw, {all_gz / kb:,.1f} KB gzipped "
        "(each file gzipped alone)"
    )
    if dist == DIST:  # the budget check of `npm run size` reads web/dist
        checked = subprocess.run(
            ["node", "scripts/initial-size.mjs"], cwd=WEB, capture_output=True, text=True, timeout=120
        )
        print(f"  web/scripts/initial-size.mjs says: {(checked.stdout.splitlines() or ['(nothing)'])[0]}")
    return {
        "js_raw": js_raw,
        "js_gz": js_gz,
        "css_raw": css_raw,
        "css_gz": css_gz,
        "all_raw": all_raw,
        "all_gz": all_gz,
        "files": len(every_js),
    }


# ---------------------------------------------------------------- alice and her customers


def provision(system):
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as cluster:
        cluster.gateway.add_user({"id": USER, "name": NAME, "role": "member", "department": "sales", "team": TEAM})
        cluster.gateway.set_password(USER, {"password": PASSWORD})


def customer(n, now):
    """Customer ``n`` of alice's, the same in every run for one ``now``: (pool holding, what
    notification follows of it, its open reminder)."""
    rng = random.Random(1_000_003 * 13 + n)
    customer_id = f"cus_bench{n:07d}"
    country, code = rng.choice(COUNTRIES)
    company = f"{rng.choice(NAMES)} {rng.choice(TRADES)} {n:05d} {FORMS[code]}"
    grade = rng.choices("ABC", weights=[2, 5, 3])[0]
    allocated = now - timedelta(days=rng.uniform(0.1, 10))
    created = allocated - timedelta(minutes=rng.uniform(1, 60))
    contacted = rng.random() < 0.7
    stage = rng.choice(ACTIVE_STAGES) if contacted else "new_contact"
    last_contact = allocated + (now - allocated) * rng.uniform(0.05, 0.95) if contacted else None
    facts = Facts(
        company=company,
        country=country,
        country_code=code,
        intent_grade=grade,
        stage=stage,
        last_contact_at=last_contact,
        last_follow_up_at=last_contact,
        has_open_need=True,
    )
    holding = take(new_holding(customer_id, TEAM, facts, created), USER, ALLOCATED, SYSTEM, allocated)
    followed = FollowedCustomer(
        customer_id,
        company=company,
        owner_id=USER,
        intent_grade=grade,
        stage=stage,
        last_follow_up_at=last_contact,
        graded_at=created,
        profile_version=1,
    )
    reminder = follow_up_reminder(POLICY, followed, last_contact) if contacted else None
    if reminder is None:
        reminder = rules.first_touch(POLICY, customer_id, USER, allocated)
    if reminder["due_at"] <= now:  # the firing loop fired it when it fell due; still open
        reminder = {**reminder, "status": rules.FIRED, "fired_at": reminder["due_at"], "version": 2}
    return (with_sweep_keys(holding), {"_id": customer_id, "version": 1, **dataclasses.asdict(followed)}, reminder)


def load_customers(db, start, stop, now, chunk):
    """Customers start..stop-1 into pool's and notification's stores (``db``: their databases); seconds taken."""
    pool, reminders = Pool(db["pool"]), Reminders(db["notification"])
    started = time.perf_counter()
    for first in range(start, stop, chunk):
        holdings, followed, due = zip(*(customer(n, now) for n in range(first, min(first + chunk, stop))), strict=False)
        pool.holdings.insert_many(list(holdings), ordered=False)
        reminders.followed.insert_many(list(followed), ordered=False)
        reminders.add_many(list(due))
    return time.perf_counter() - started


# The day page's two calls as it makes them (web/src/features/day/api.ts, DayView.vue, MyCustomers.vue).
REMINDER_PAGE = 30
PAGE_CALLS = {
    "reminders": f"/users/{USER}/reminders?status=open&limit={REMINDER_PAGE}&offset=0",
    "customers": f"/pool?state=owned&owner_id={USER}&limit=20&offset=0&sort=contact_clock",
}


class Api:
    """alice's HTTP client, signed in with a real ``POST /sessions``."""

    def __init__(self, api):
        self.api, self.opener = api, urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.token = None
        self.token = self.call("POST", "/sessions", {"user_id": USER, "password": PASSWORD})["token"]

    def call(self, method, path, body=None):
        request = urllib.request.Request(
            f"{self.api}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        with self.opener.open(request, timeout=120) as response:
            return json.loads(response.read())

    def totals(self):
        """(owned customers, open reminders) as the API tells alice."""
        return (
            self.call("GET", f"/pool?state=owned&owner_id={USER}&limit=1")["total"],
            self.call("GET", f"/users/{USER}/reminders?status=open&limit=1")["total"],
        )


def timed(action, times):
    """Median milliseconds of ``action()``."""
    values = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        values.append((time.perf_counter() - started) * 1000)
    return statistics.median(values)


def alone(api, db, times):
    """The page's two calls one at a time over HTTP, and the store queries under them: medians in ms."""
    pool, reminders = Pool(db["pool"]), Reminders(db["notification"])
    return {
        "http": {kind: timed(lambda path=path: api.call("GET", path), times) for kind, path in PAGE_CALLS.items()},
        "store": {
            "reminders": timed(lambda: reminders.page_for(USER, rules.OPEN, limit=REMINDER_PAGE), times),
            "customers": timed(lambda: pool.search("owned", 20, 0, owner_id=USER, sort="contact_clock"), times),
        },
    }


# ---------------------------------------------------------------- the first page


def first_page(api, runs, timeout):
    done = subprocess.run(
        [
            "node",
            str(FIRST_PAGE_SCRIPT),
            "--base-url",
            api,
            "--user",
            USER,
            "--password",
            PASSWORD,
            "--runs",
            str(runs),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"{FIRST_PAGE_SCRIPT.name} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_of(runs, pick):
    values = [v for v in (pick(r) for r in runs) if v is not None]
    return statistics.median(values) if values else float("nan")


def first_call(run, kind, field):
    """When (ms from the navigation's start) the page's first call of this kind started or ended."""
    calls = run["api"][kind]
    return calls[0][field] if calls else None


def summary(size, measured):
    runs = measured["runs"]
    shown = [r["shown_ms"] for r in runs]
    heap = [r["heap_bytes"] for r in runs]
    scripts = runs[0]["scripts"]
    result = {
        "size": size,
        "median": statistics.median(shown),
        "worst": max(shown),
        "heap": statistics.median(heap),
        "heap_worst": max(heap),
        "lookups": max(r["api"]["customer_lookups"] for r in runs),
        "rows": (runs[0]["reminder_rows"], runs[0]["customer_rows"]),
        "scripts": (len(scripts), sum(s["transfer"] for s in scripts), sum(s["body"] for s in scripts)),
        "errors": sorted({e for r in runs for e in r["errors"]}),
        "observed": all(r["observed"] for r in runs),
    }
    for kind in ("reminders", "customers"):
        result[kind] = median_of(runs, lambda r, kind=kind: r[f"{kind}_ms"])
        result[f"{kind}_asked"] = median_of(runs, lambda r, kind=kind: first_call(r, kind, "start"))
        result[f"{kind}_answered"] = median_of(runs, lambda r, kind=kind: first_call(r, kind, "end"))
        result[f"{kind}_call"] = median_of(
            runs, lambda r, kind=kind: r["api"][kind] and r["api"][kind][0]["end"] - r["api"][kind][0]["start"]
        )
        result[f"{kind}_render"] = median_of(
            runs, lambda r, kind=kind: r["api"][kind] and r[f"{kind}_ms"] - r["api"][kind][0]["end"]
        )
    result["dcl"] = median_of(runs, lambda r: (r["document"] or {}).get("dcl"))
    result["me"] = median_of(runs, lambda r: first_call(r, "me", "end"))
    result["scripts_done"] = median_of(runs, lambda r: max((s["end"] for s in r["scripts"]), default=None))
    print(f"  signed in through the form and landed on /day in {measured['signin_ms']:,} ms (warm-up, not counted)")
    print(
        f"  /day, {len(runs)} run(s), a fresh browser context each (empty cache): the first rows of both lists shown "
        f"at median {result['median']:,.0f} ms, worst {result['worst']:,.0f} ms "
        f"({', '.join(f'{s:,.0f}' for s in shown)})"
        + ("" if result["observed"] else " (some taken after Playwright's wait)")
    )
    print(
        f"    medians, ms from the navigation's start: initial JS run (DOMContentLoaded) {result['dcl']:,.0f}, "
        f"GET /me answered {result['me']:,.0f}, the last JS file loaded {result['scripts_done']:,.0f}"
    )
    for kind, label in (("reminders", f"GET /users/{USER}/reminders"), ("customers", "GET /pool (owned)")):
        print(
            f"    {label:<28} asked {result[f'{kind}_asked']:,.0f}, answered {result[f'{kind}_answered']:,.0f} "
            f"({result[f'{kind}_call']:,.0f} ms), first row shown {result[kind]:,.0f} "
            f"({result[f'{kind}_render']:,.0f} ms after the answer)"
        )
    print(
        f"    rows shown: {result['rows'][0]} reminders (the first page of {REMINDER_PAGE}, soonest due; those due within a week shown), "
        f"{result['rows'][1]} customers (a page of 20); GET /customers/<id> for names: {result['lookups']}"
    )
    print(
        f"    JS heap once settled (after GC): median {result['heap'] / 2**20:,.1f} MB, worst "
        f"{result['heap_worst'] / 2**20:,.1f} MB"
    )
    print(
        f"    JS the page loaded: {result['scripts'][0]} file(s), {result['scripts'][2] / 1024:,.1f} KB, "
        f"{result['scripts'][1] / 1024:,.1f} KB over the wire (the gateway's gzip)"
    )
    if result["errors"]:
        print(f"    page errors: {result['errors']}")
    return result


def measure_size(system, db, size, loaded, now, args):
    print(f"\n== first page with {size:,} customers", flush=True)
    seconds = load_customers(db, loaded, size, now, args.chunk)
    print(
        f"  loaded customers {loaded:,}..{size - 1:,} into pool's and notification's stores in {seconds:,.1f} s",
        flush=True,
    )
    api = Api(system.api)
    owned, open_reminders = api.totals()
    print(f"  the API tells {USER}: {owned:,} customers she owns, {open_reminders:,} open reminders", flush=True)
    if (owned, open_reminders) != (size, size):
        raise SystemExit(f"expected {size:,} of each: the load did not reach the services as the API sees them")
    baseline = alone(api, db, args.runs)
    print(
        f"  the page's calls alone, one at a time (median of {args.runs}): over HTTP reminders "
        f"{baseline['http']['reminders']:,.0f} ms, my customers {baseline['http']['customers']:,.0f} ms; the store "
        f"queries under them (Reminders.page_for, Pool.search, from here) {baseline['store']['reminders']:,.0f} ms "
        f"and {baseline['store']['customers']:,.0f} ms",
        flush=True,
    )
    return {**summary(size, first_page(system.api, args.runs, args.timeout)), "alone": baseline}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10, help="alice's customers for the baseline")
    parser.add_argument("--large", type=int, default=10_000, help="alice's customers for the measured size")
    parser.add_argument("--runs", type=int, default=5, help="measured openings of /day per size")
    parser.add_argument("--chunk", type=int, default=1_000, help="customers per insert_many")
    parser.add_argument("--timeout", type=int, default=900, help="seconds for each Chromium measurement")
    parser.add_argument(
        "--dist",
        type=Path,
        default=DIST,
        help="the built console to measure and serve (default web/dist; e.g. a build made with "
        "npm run build -- --outDir /tmp/dist)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.small < args.large:
        parser.error("--small must be above 0 and below --large")
    dist = args.dist.resolve()
    bundle = measure_bundle(dist)
    data_dir = Path(tempfile.mkdtemp(prefix="baton-console-bench-"))
    try:
        started = time.perf_counter()
        with local_system(data_dir / "system", env={"BATON_CONSOLE_DIR": str(dist)}) as system:
            print(
                f"\nsystem up in {time.perf_counter() - started:,.0f} s at {system.api} (data in {data_dir})",
                flush=True,
            )
            provision(system)
            client = connect(system.mongo_uri)
            db = {service: client[database_name(system.mongo_uri, service)] for service in ("pool", "notification")}
            now = datetime.now(UTC)
            small = measure_size(system, db, args.small, 0, now, args)
            large = measure_size(system, db, args.large, args.small, now, args)
            client.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    kb = 1024
    print("\n== result")
    print(
        f"  initial JS {bundle['js_gz'] / kb:,.1f} KB gzipped ({bundle['js_raw'] / kb:,.1f} KB raw; target <= "
        f"{BUDGET_KB} KB) {'OK' if bundle['js_gz'] / kb <= BUDGET_KB else 'OVER'}; initial CSS "
        f"{bundle['css_gz'] / kb:,.1f} KB gzipped; all JS in dist {bundle['all_gz'] / kb:,.1f} KB gzipped "
        f"({bundle['all_raw'] / kb:,.1f} KB raw, {bundle['files']} files)"
    )
    print(
        f"  first page (rows of both lists shown) at {large['size']:,} vs {small['size']:,} customers: median "
        f"{large['median']:,.0f} / {small['median']:,.0f} ms: ratio {large['median'] / small['median']:.2f}x; "
        f"worst {large['worst']:,.0f} / {small['worst']:,.0f} ms: ratio {large['worst'] / small['worst']:.2f}x"
    )
    verdict = "OK" if large["median"] / 1000 < TARGET_SECONDS else "OVER"
    print(
        f"  target < {TARGET_SECONDS:g} s at {large['size']:,}: median {large['median'] / 1000:.2f} s {verdict} "
        f"(worst {large['worst'] / 1000:.2f} s {'OK' if large['worst'] / 1000 < TARGET_SECONDS else 'OVER'})"
    )
    print(
        f"  JS heap: {large['heap'] / 2**20:,.1f} / {small['heap'] / 2**20:,.1f} MB: ratio "
        f"{large['heap'] / small['heap']:.2f}x"
    )
    for kind, label in (("reminders", "reminders list"), ("customers", "my-customers table")):
        print(
            f"  {label}: first row at {large[kind]:,.0f} / {small[kind]:,.0f} ms; its call in the page "
            f"{large[f'{kind}_call']:,.0f} / {small[f'{kind}_call']:,.0f} ms (alone over HTTP "
            f"{large['alone']['http'][kind]:,.0f} / {small['alone']['http'][kind]:,.0f} ms, the store query "
            f"{large['alone']['store'][kind]:,.0f} / {small['alone']['store'][kind]:,.0f} ms), rendering after "
            f"the answer {large[f'{kind}_render']:,.0f} / {small[f'{kind}_render']:,.0f} ms"
        )
    return 1 if small["errors"] or large["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
