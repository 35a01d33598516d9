"""Claims from the public pool (公海) over RPC: many salespeople claiming the same customers at once.

Starts the real pool service alone (bench/pool_system.py: supervisor, own vhost and document
store), with ``--claimers`` salespeople of weight 0, so the ``--customers`` customers filed through
pool's real ``customer_created`` path all wait in the public pool (nobody eligible). Then every
claimer, each with its own RPC connection, claims at the same moment: first the ``--hot`` same
customers in the same order (every one of them raced by all claimers), then random others, until
each has made ``--attempts`` claims. Prints claims/s (won and refused), latency, and checks that no
customer has two owners: one winner per customer in the answers, that winner stored as owner and
announced once, every loser told that winner, and lost races not counted against anyone's limits.

Baseline in the same run: the rate of a trivial RPC on the same pool process
(``contact_status`` of one unknown customer: one lookup by _id), sequential and at the same
concurrency.

    .venv/bin/python bench/pool_claims.py                        # 1,000 customers, 50 claimers
    .venv/bin/python bench/pool_claims.py --customers 200 --attempts 10 --baseline-calls 300
"""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # the claimers are green threads, as in the race test

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import NamedTuple  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench.pool_system import customer_created, pool_system, publish_as_profile  # noqa: E402
from contracts.errors import Conflict  # noqa: E402  (registers our errors to cross RPC as themselves)
from services.runtime.databases import database_name  # noqa: E402

RPC_TIMEOUT = 120
WON, TAKEN, LIMIT, OTHER = "won", "taken by another", "refused by a limit", "other refusal or error"


class Attempt(NamedTuple):
    customer_id: str
    by: str
    outcome: str
    named_owner: str | None  # the owner a refusal named
    ms: float


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def file_customers(system, events, count):
    """Customers in the public pool through pool's own event path; (customer ids, events/s)."""
    now = datetime.now(UTC)
    ids = [f"cus_{n:06d}" for n in range(count)]
    started = time.perf_counter()
    publish_as_profile(system.amqp_uri, "customer_created", [customer_created(c, now) for c in ids])
    events.wait_for(count, ["allocation_stalled"])  # nobody eligible: each waits, a manager is told
    return ids, count / (time.perf_counter() - started)


def proxies(system, count):
    return [ClusterRpcProxy({"AMQP_URI": system.amqp_uri}, timeout=RPC_TIMEOUT) for _ in range(count)]


def concurrently(clients, work):
    """Run ``work(client_index, rpc)`` for every client at the same moment; seconds taken."""
    started_proxies = [client.start() for client in clients]
    go = eventlet.event.Event()
    pile = eventlet.GreenPile(len(clients))
    for index, rpc in enumerate(started_proxies):
        pile.spawn(lambda i, r: (go.wait(), work(i, r)), index, rpc)
    eventlet.sleep(0.5)  # every green thread waiting at the start line
    started = time.perf_counter()
    go.send()
    list(pile)
    elapsed = time.perf_counter() - started
    for client in clients:
        client.stop()
    return elapsed


TRIVIAL = {"customer_ids": ["cus_unknown"]}  # the baseline call: one lookup by _id, nothing found


def trivial_rpc_rates(system, calls, concurrency):
    """(sequential calls/s, calls/s from ``concurrency`` callers) of pool.contact_status(TRIVIAL)."""
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}, timeout=RPC_TIMEOUT) as rpc:
        rpc.pool.contact_status(TRIVIAL)  # warm
        started = time.perf_counter()
        for _ in range(calls):
            rpc.pool.contact_status(TRIVIAL)
        sequential = calls / (time.perf_counter() - started)
    each = max(1, calls // concurrency)
    elapsed = concurrently(
        proxies(system, concurrency), lambda _i, rpc: [rpc.pool.contact_status(TRIVIAL) for _ in range(each)]
    )
    return sequential, each * concurrency / elapsed


def claim_orders(customers, claimers, attempts, hot, seed):
    """Each claimer's customers: the hot ones in one shared order, then its own random others."""
    rest = customers[hot:]
    orders = []
    for index in range(claimers):
        rng = random.Random(seed * 1000 + index)
        orders.append(customers[:hot] + rng.sample(rest, min(len(rest), max(0, attempts - hot))))
    return orders


def claim_all(system, names, orders):
    attempts = []

    def claimer(index, rpc):
        for customer_id in orders[index]:
            started = time.perf_counter()
            try:
                rpc.pool.claim(customer_id, {"by": names[index]})
                outcome, named = WON, None
            except Conflict as refused:
                named = refused.details.get("owner_id")
                outcome = TAKEN if named else LIMIT if refused.details.get("limit") else OTHER
            except Exception:  # noqa: BLE001 - counted and shown, never hidden
                outcome, named = OTHER, None
            attempts.append(Attempt(customer_id, names[index], outcome, named, (time.perf_counter() - started) * 1000))

    elapsed = concurrently(proxies(system, len(names)), claimer)
    return attempts, elapsed


def double_owner_check(db, attempts, events):
    """Counts of everything that would show a customer with two owners (all must be 0)."""
    winners = defaultdict(list)
    for attempt in attempts:
        if attempt.outcome == WON:
            winners[attempt.customer_id].append(attempt.by)
    stored = {h["_id"]: h for h in db.holdings.find({}, {"state": 1, "owner_id": 1})}
    announced = Counter(payload["customer_id"] for kind, payload in events.received if kind == "customer_allocated")
    won = sum(len(w) for w in winners.values())
    return {
        "customers won by more than one claimer": sum(1 for w in winners.values() if len(w) > 1),
        "stored owner differs from the winner": sum(
            1 for c, w in winners.items() if stored[c]["state"] != "owned" or stored[c]["owner_id"] != w[0]
        ),
        "owned without a winning claim": sum(
            1 for c, h in stored.items() if h["state"] == "owned" and c not in winners
        ),
        "announced owners != 1 per won customer": sum(1 for c in winners if announced[c] != 1),
        "losers told a wrong winner": sum(
            1
            for a in attempts
            if a.outcome == TAKEN and winners[a.customer_id] and a.named_owner != winners[a.customer_id][0]
        ),
        "claims counted against limits - claims won": sum(len(d["claims"]) for d in db.claimers.find()) - won,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000, help="customers waiting in the public pool")
    parser.add_argument("--claimers", type=int, default=50, help="salespeople claiming at the same time")
    parser.add_argument("--attempts", type=int, default=40, help="claims each claimer makes")
    parser.add_argument("--hot", type=int, default=10, help="customers every claimer claims first, at once")
    parser.add_argument("--baseline-calls", type=int, default=1000, help="trivial RPC calls for the baseline")
    parser.add_argument(
        "--shipped-limits",
        action="store_true",
        help="keep the configured claim limits (5 a day...): most claims are then refused by a limit",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    names = [f"sales_{n:02d}" for n in range(args.claimers)]
    allocation = {"salespeople": [{"id": name, "weight": 0} for name in names]}
    pool = (
        {}
        if args.shipped_limits
        else {"claim_limits": {"per_day": None, "per_week": None, "per_month": None, "max_held": None}}
    )
    with (
        tempfile.TemporaryDirectory(prefix="baton-bench-") as data_dir,
        pool_system(data_dir, allocation, pool) as (system, events),
    ):
        customers, filing_rate = file_customers(system, events, args.customers)
        sequential, concurrent = trivial_rpc_rates(system, args.baseline_calls, args.claimers)
        orders = claim_orders(customers, args.claimers, args.attempts, args.hot, args.seed)
        attempts, elapsed = claim_all(system, names, orders)
        won = sum(1 for a in attempts if a.outcome == WON)
        events.wait_for(won, ["customer_allocated"])
        checks = double_owner_check(
            MongoClient(system.mongo_uri)[database_name(system.mongo_uri, "pool")], attempts, events
        )
    outcomes = Counter(a.outcome for a in attempts)
    rate = len(attempts) / elapsed
    every = [a.ms for a in attempts]
    print(
        f"customers in the public pool  {args.customers:,} (filed through customer_created at {filing_rate:,.0f}/s;"
        " every salesperson has weight 0)"
    )
    print(
        f"claimers                      {args.claimers} at once, {len(attempts):,} claims ({args.hot} customers "
        f"claimed by all {args.claimers} first); limits {'as shipped' if args.shipped_limits else 'off'}"
    )
    print(
        f"claims                        {rate:,.1f} claims/s over {elapsed:,.1f} s  "
        f"(won {outcomes[WON]:,} = {outcomes[WON] / elapsed:,.1f}/s, refused {len(attempts) - outcomes[WON]:,} = "
        f"{(len(attempts) - outcomes[WON]) / elapsed:,.1f}/s)"
    )
    print("refusals                      " + ", ".join(f"{k}: {outcomes[k]:,}" for k in (TAKEN, LIMIT, OTHER)))
    print(
        f"latency                       p50 {statistics.median(every):,.0f} ms, p95 {percentile(every, 0.95):,.0f} ms"
        + "".join(
            f"; {kind}: p50 {statistics.median(v):,.0f} ms, p95 {percentile(v, 0.95):,.0f} ms"
            for kind in (WON, TAKEN)
            if (v := [a.ms for a in attempts if a.outcome == kind])
        )
    )
    print(f"trivial RPC, sequential       {sequential:,.0f} calls/s  (pool.contact_status of one id, same process)")
    print(f"trivial RPC, {args.claimers} at once       {concurrent:,.0f} calls/s")
    print(f"ratio claims / sequential RPC {rate / sequential:.3f}")
    print(f"ratio claims / concurrent RPC {rate / concurrent:.3f}")
    doubles = sum(checks.values())
    print(
        f"double owners                 {checks['customers won by more than one claimer']}"
        f"  ({'; '.join(f'{k}: {v}' for k, v in checks.items())})"
    )
    print(
        "a claim: read person, holding, claimer's claims; count their holdings; write claims; re-read and write the"
        " holding; publish customer_allocated (a refusal stops at the first check that fails)"
    )
    return 1 if doubles else 0


if __name__ == "__main__":
    sys.exit(main())
