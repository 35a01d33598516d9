"""The recycling sweep over 10,000 and 1,000,000 stored holdings: one sweep's time at each size and
their ratio (target: index-backed, so roughly flat), and the time to drain everything due.

What runs is the real code: ``services.pool.sweeping.sweep`` through ``services.pool.store.Pool``
on the embedded document store (``deploy.docstore.Docstore``, nx-27017), with the shipped recycling
rules (no follow-up 15 days, no deal 90 days, warned 3 days before, dormant after 180 days).

Each size gets its own database, loaded with holdings built by the pool's own domain functions
(``new_holding``, ``take``, ``give_back``, ``warned``) in worker processes and inserted with
insert_many; ``Pool.ensure_indexes`` runs after loading. The mix (of every holding):

- 55 % owned: 80 % of them with an open deal, followed up in the last 11 days and claimed in the
  last 86 (nothing due), 20 % with a closed deal and any clocks (exempt from recycling);
- 25 % public pool: 90 % with an open need (never dormant) and any last contact, the others
  contacted within 180 days; 12 % dormant; 8 % rejected;
- ``--notice`` (0.5 %): owned, warned, the notice period still running (found, but kept);
- ``--due`` (2 %): due now — 35 % to warn for no follow-up, 20 % to warn for no deal, 15 % warned
  and past their notice (to return to the pool), 30 % silent pool customers without a need (to
  move to the dormant pool).

At each size: ``--timed-sweeps`` sweeps of ``--timed-batch`` (the same work at both sizes), one
more traced for the most memory it holds, then sweeps of ``--batch`` (the shipped sweep_batch)
until one changes nothing, then idle sweeps, then a check that nothing generated as due is left
due, then the ``due`` query timed with the indexes of its clock dropped and present (``--probes``;
0 skips it).

    .venv/bin/python bench/pool_recycling.py                         # 10,000 and 1,000,000
    .venv/bin/python bench/pool_recycling.py --large 100000          # quick run
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loading import Progress, generated  # noqa: E402
from bench.memory import peak_allocated  # noqa: E402
from deploy.docstore import Docstore, free_port  # noqa: E402
from services.pool.domain.holdings import RECYCLED, SYSTEM, Facts, give_back, new_holding, take, warned  # noqa: E402
from services.pool.domain.recycling import (  # noqa: E402
    DORMANT,
    NO_FOLLOW_UP,
    OWNED,
    PUBLIC_POOL,
    REJECTED,
    Keep,
    RecyclingRules,
    Warn,
    dormancy_verdict,
    due_thresholds,
    recycling_verdict,
)
from services.pool.store import Pool, with_sweep_keys  # noqa: E402
from services.pool.sweeping import _owned, _pooled, sweep  # noqa: E402
from services.runtime.mongo import connect  # noqa: E402

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
RULES = RecyclingRules()
TEAM = "default"
OWNERS = [f"sales_{i:02d}" for i in range(40)]
COUNTRIES = ["DE", "US", "GB", "FR", "CN", "BR", "IN", None]
DUE_KINDS = {"warn_follow_up": 0.35, "warn_no_deal": 0.20, "return": 0.15, "dormant": 0.30}


# ---------------------------------------------------------------- generated holdings


def days_ago(rng, low, high):
    return NOW - timedelta(days=rng.uniform(low, high))


def holding(n, seed, due, notice):
    """Holding ``n`` (the same for one (n, seed) in every process) and its kind."""
    rng = random.Random(seed * 1_000_000_007 + n)
    customer_id = f"cus_{n:08d}"
    draw = rng.random()
    if draw < due:
        kind = rng.choices(list(DUE_KINDS), weights=list(DUE_KINDS.values()))[0]
    elif draw < due + notice:
        kind = "notice"
    else:
        kind = rng.choices(
            ["owned", "closed_deal", "pool", "dormant_pool", "rejected"], weights=[0.44, 0.11, 0.25, 0.12, 0.08]
        )[0]
    created = days_ago(rng, 100, 1000)
    facts = dict(
        country=rng.choice(COUNTRIES),
        intent_grade=rng.choice("ABC"),
        stage="new_contact",
        last_contact_at=days_ago(rng, 0, 11),
        last_follow_up_at=days_ago(rng, 0, 11),
        has_open_need=True,
        deal_closed=False,
    )
    owner = rng.choice(OWNERS)
    claimed = days_ago(rng, 0, 86)
    if kind in ("warn_follow_up", "return", "notice"):
        follow_up = {"warn_follow_up": (12.5, 30), "return": (16, 20), "notice": (12.5, 14.9)}[kind]
        facts.update(last_follow_up_at=days_ago(rng, *follow_up), last_contact_at=days_ago(rng, 12, 40))
        claimed = days_ago(rng, follow_up[1] + 1, 80)
    elif kind == "warn_no_deal":
        claimed = days_ago(rng, 87.5, 100)
    elif kind == "closed_deal":
        facts.update(
            deal_closed=True,
            stage="order",
            last_follow_up_at=days_ago(rng, 0, 700),
            last_contact_at=days_ago(rng, 0, 700),
        )
        claimed = days_ago(rng, 30, 1000)
    elif kind in ("pool", "dormant", "dormant_pool", "rejected"):
        need = kind == "pool" and rng.random() < 0.9
        contact = {
            "pool": (0, 1000) if need else (0, 179),
            "dormant": (181, 400),
            "dormant_pool": (181, 1000),
            "rejected": (0, 1000),
        }[kind]
        facts.update(has_open_need=need, last_contact_at=days_ago(rng, *contact), last_follow_up_at=None)
    start = new_holding(customer_id, TEAM, Facts(**facts), min(created, facts["last_contact_at"]))
    if kind in ("pool", "dormant"):
        return give_back(
            take(start, owner, "claimed", owner, claimed),
            PUBLIC_POOL,
            f"{RECYCLED}: no follow-up recorded for 15 days",
            SYSTEM,
            days_ago(rng, 0, 100),
        ), kind
    if kind == "dormant_pool":
        return give_back(
            start, DORMANT, "no contact for 180 days and no open need", SYSTEM, days_ago(rng, 0, 800)
        ), kind
    if kind == "rejected":
        return give_back(start, REJECTED, "rejected: need mismatch", owner, days_ago(rng, 0, 800)), kind
    owned = take(start, owner, "weighted round-robin", SYSTEM, claimed)
    if kind in ("return", "notice"):
        due_at = owned["follow_up_clock"] + timedelta(days=RULES.no_follow_up_days)
        owned = warned(owned, Warn(NO_FOLLOW_UP, "no follow-up", due_at).key)
    return owned, kind


def generate_batch(start, stop, seed, due, notice):
    """Holdings start..stop-1 as the store writes them, with a ``bench_kind`` field (run in a worker process)."""
    documents = []
    for n in range(start, stop):
        document, kind = holding(n, seed, due, notice)
        documents.append({**with_sweep_keys(document), "bench_kind": kind})
    return documents


def load(pool, count, args, label):
    """Insert holdings 0..count-1 (generated in worker processes); (seconds, Counter of kinds)."""
    kinds, progress = Counter(), Progress(count, label, "holdings")
    for documents in generated(generate_batch, count, args.chunk, args.workers, args.seed, args.due, args.notice):
        pool.holdings.insert_many(documents, ordered=False)
        kinds.update(d["bench_kind"] for d in documents)
        progress.add(len(documents))
    return progress.seconds, kinds


# ---------------------------------------------------------------- timing


def timed_sweep(pool, batch):
    started = time.perf_counter()
    warnings, returns, dormant = sweep(pool, RULES, batch, NOW)
    return (
        time.perf_counter() - started,
        len(warnings) + len(returns) + len(dormant),
        Counter(warned=len(warnings), returned=len(returns), dormant=len(dormant)),
    )


def drain(pool, batch):
    """Sweeps until one changes nothing: (seconds, sweeps, Counter of changes)."""
    total, sweeps, changes = 0.0, 0, Counter()
    while True:
        seconds, changed, counts = timed_sweep(pool, batch)
        total, sweeps = total + seconds, sweeps + 1
        changes.update(counts)
        if not changed:
            return total, sweeps, changes


def left_due(pool):
    """Holdings generated as due (or in notice) that the rules would still act on now."""
    left = Counter()
    for document in pool.holdings.find({"bench_kind": {"$in": [*DUE_KINDS, "notice"]}}):
        if document["state"] == OWNED:
            verdict = recycling_verdict(_owned(document), RULES, NOW)
            if not isinstance(verdict, Keep):
                left[document["bench_kind"]] += 1
        elif document["state"] == PUBLIC_POOL and dormancy_verdict(_pooled(document), RULES, NOW):
            left[document["bench_kind"]] += 1
    return left


def probe_due(pool, probes, batch):
    """The sweep's follow-up query timed with the indexes on its clock present, then dropped: (ms, ms)."""
    cutoff = due_thresholds(RULES, NOW).warn_follow_up_clock_at_or_before

    def timings():
        values = []
        for _ in range(probes):
            started = time.perf_counter()
            pool.due("follow_up_clock", cutoff, OWNED, batch, deal_closed=False)
            values.append((time.perf_counter() - started) * 1000)
        return statistics.median(values)

    present = timings()
    names = [
        index["name"]
        for index in pool.holdings.list_indexes()
        if any("follow_up_clock" in field for field in index["key"])
    ]
    for name in names:
        pool.holdings.drop_index(name)
    try:
        dropped = timings()
    finally:
        pool.ensure_indexes()
    return present, dropped, names


def measure(client, size, args):
    pool = Pool(client[f"bench_{size}"])
    print(f"\n== {size:,} stored holdings", flush=True)
    seconds, kinds = load(pool, size, args, f"{size:,}")
    started = time.perf_counter()
    pool.ensure_indexes()  # after the load: cheaper than keeping the indexes up to date through it
    indexing = time.perf_counter() - started
    due = sum(kinds[k] for k in DUE_KINDS)
    print(
        f"  stored in {seconds:,.1f} s ({size / seconds:,.0f}/s), ensure_indexes {indexing:,.1f} s; due now: {due:,} "
        f"({', '.join(f'{k} {kinds[k]:,}' for k in DUE_KINDS)}), in notice {kinds['notice']:,}",
        flush=True,
    )
    sweeps = [timed_sweep(pool, args.timed_batch) for _ in range(args.timed_sweeps)]
    one = statistics.median(s[0] for s in sweeps)
    print(
        f"  one sweep (batch {args.timed_batch}): median {one * 1000:,.0f} ms over {args.timed_sweeps} "
        f"({', '.join(f'{s[1]} changes' for s in sweeps)})",
        flush=True,
    )
    # the same work at both sizes, as the timed sweeps
    (_, swept, _), peak = peak_allocated(lambda: timed_sweep(pool, args.timed_batch))
    print(
        f"  memory: a sweep of batch {args.timed_batch} ({swept} changes) held at most {peak / 1024:,.0f} KB",
        flush=True,
    )
    drained, count, changes = drain(pool, args.batch)
    print(
        f"  drain (batch {args.batch}): {drained:,.1f} s in {count} sweeps, "
        f"{', '.join(f'{k} {v:,}' for k, v in changes.items())}",
        flush=True,
    )
    idle = statistics.median(timed_sweep(pool, args.batch)[0] for _ in range(args.timed_sweeps))
    left = left_due(pool)
    print(
        f"  idle sweep (nothing due): median {idle * 1000:,.0f} ms; left due after the drain: {sum(left.values()):,}"
        + (f" ({', '.join(f'{k} {v:,}' for k, v in left.items())})" if left else ""),
        flush=True,
    )
    result = {
        "size": size,
        "one": one,
        "idle": idle,
        "drain": drained,
        "left": sum(left.values()),
        "changed": sum(changes.values()) + sum(s[1] for s in sweeps) + swept,
        "peak": peak,
    }
    if args.probes:
        present, dropped, names = probe_due(pool, args.probes, args.batch)
        result["probe"] = (present, dropped)
        print(
            f"  due('follow_up_clock') query: {present:,.1f} ms with its indexes, {dropped:,.1f} ms with "
            f"{', '.join(names) or 'nothing'} dropped",
            flush=True,
        )
    if args.drop:
        client.drop_database(f"bench_{size}")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--due", type=float, default=0.02, help="share of holdings due now")
    parser.add_argument("--notice", type=float, default=0.005, help="share warned, notice period running")
    parser.add_argument(
        "--timed-batch",
        type=int,
        default=10,
        help="batch of the sweeps timed at both sizes (each range must hold this many due at both)",
    )
    parser.add_argument("--timed-sweeps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000, help="batch of the draining sweeps (sweep_batch)")
    parser.add_argument("--chunk", type=int, default=5_000, help="holdings per insert_many")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="processes generating holdings while loading",
    )
    parser.add_argument("--probes", type=int, default=3, help="due queries timed with and without the index")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", dest="drop", action="store_false", help="keep each database after measuring it")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="baton-pool-recycling-"))
    try:
        with Docstore(data_dir, port=free_port(), log_file=data_dir / "docstore.log") as store:
            client = connect(store.uri())
            print(f"document store: nx-27017 at {store.uri()} in {data_dir}; now = {NOW.isoformat()}")
            small, large = (measure(client, size, args) for size in (args.small, args.large))
            client.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"\n== {large['size']:,} / {small['size']:,} holdings")
    print(
        f"  one sweep (batch {args.timed_batch})  {large['one'] / small['one']:6.1f}x   "
        f"({small['one'] * 1000:,.0f} ms -> {large['one'] * 1000:,.0f} ms)"
    )
    print(
        f"  idle sweep             {large['idle'] / small['idle']:6.1f}x   "
        f"({small['idle'] * 1000:,.0f} ms -> {large['idle'] * 1000:,.0f} ms)"
    )
    print(
        f"  memory of a sweep      {large['peak'] / small['peak']:6.1f}x   "
        f"({small['peak'] / 1024:,.0f} KB -> {large['peak'] / 1024:,.0f} KB: a sweep holds one batch)"
    )
    print(
        f"  full drain at {large['size']:,}: {large['drain']:,.1f} s for {large['changed']:,} changes; "
        f"left due: {large['left']:,} (must be 0)"
    )
    if "probe" in large:
        present, dropped = large["probe"]
        print(
            f"  due query at {large['size']:,}: {present:,.1f} ms with its index, {dropped:,.1f} ms without "
            f"({'index used' if dropped > 3 * present else 'NO difference: the index is not used'})"
        )
    return 0 if large["left"] == 0 and small["left"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
