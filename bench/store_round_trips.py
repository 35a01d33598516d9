"""Document-store commands per inquiry, counted on the wire per service, beside the rates.

Starts a whole system whose services each reach the embedded store through a counting proxy of
their own (``BATON_MONGO_URI_<SERVICE>``: same server, same databases), so every command any
service process sends is seen, whichever process sends it (a pymongo CommandListener sees only
its own process). The proxy reads each OP_MSG's command name and collection and forwards the
bytes untouched.

    .venv/bin/python bench/store_round_trips.py [--messages 200] [--idle 6] [--top 15] [--trace]

1. idle: counts for ``--idle`` seconds with no traffic, the timers' and probes' background rate;
2. raw broker: publish + consume N persistent messages (bench.baselines), the same run;
3. Baton: N inquiries published on ``baton.inquiries``, waited for until each has its owner's
   first-touch reminder and the flow has gone quiet (profile writes the owner and the timeline
   after the reminder); commands minus the background over that time, divided by N.

Prints the commands per inquiry per service and per command kind (find, insert, update, count…),
the biggest contributors (service, command, collection) and the end-to-end rate beside the raw
broker's (the proxies cost a little of it: bench/intake_throughput.py measures the rate without
them). ``--trace`` also prints every command in the order sent (timers' too): with
``--messages 1`` it reads as one inquiry's path through the services.
"""

import argparse
import asyncio
import json
import struct
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kombu import Connection, Exchange  # noqa: E402
from pymongo import MongoClient  # noqa: E402
from pymongo.database import Database  # noqa: E402

from bench.baselines import raw_broker_rate  # noqa: E402
from bench.intake_throughput import ON_ARRIVAL, SALES_TEAM, inquiry  # noqa: E402
from contracts.topology import INQUIRY_EXCHANGE  # noqa: E402
from deploy.docstore import free_port  # noqa: E402
from deploy.local_system import local_system, provision_users, salespeople_known  # noqa: E402

SERVICES = ("intake", "profile", "handoff", "pool", "notification", "gateway")
OP_MSG, OP_QUERY = 2013, 2004
WAIT_SECONDS = 600
QUIET_SECONDS = 2.0  # the flow is over when a window this long adds no more than the background
TARGET_PER_INQUIRY = 20  # issue 19


def command_of(message: bytes) -> tuple[str, str]:
    """(command name, collection or '') of one OP_MSG body (the bytes after the 16-byte header):
    the first key of its first section's document, and that key's value when it is text."""
    # flagBits (4), then section kind 0 (1) and its BSON document: size (4), first element's type (1),
    # its name (a C string) and, for a string, its length (4) and bytes.
    if message[4] != 0:
        return "?", ""
    at = 4 + 1 + 4
    kind = message[at]
    name_end = message.index(b"\0", at + 1)
    name = message[at + 1 : name_end].decode("utf-8", "replace")
    if kind != 0x02:
        return name, ""
    (length,) = struct.unpack_from("<i", message, name_end + 1)
    return name, message[name_end + 5 : name_end + 5 + length - 1].decode("utf-8", "replace")


class CountingProxy:
    """A TCP proxy in front of the store for one service: counts (command, collection)."""

    def __init__(self, service: str, upstream_port: int):
        self.service, self.upstream_port, self.port = service, upstream_port, free_port()
        self.counts: Counter = Counter()
        self.lock = threading.Lock()
        self.trace: list[tuple[float, str, str, str]] | None = None  # (when, service, command, collection)

    async def serve(self) -> None:
        await asyncio.start_server(self._connection, "127.0.0.1", self.port)

    async def _connection(self, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self._requests(client_reader, server_writer), _copy(server_reader, client_writer), return_exceptions=True
        )

    async def _requests(self, reader, writer):
        try:
            while True:
                header = await reader.readexactly(16)
                length, _, _, opcode = struct.unpack("<iiii", header)
                body = await reader.readexactly(length - 16)
                key = command_of(body) if opcode == OP_MSG else (f"legacy-op-{opcode}", "")
                with self.lock:
                    self.counts[key] += 1
                    if self.trace is not None:
                        self.trace.append((time.monotonic(), self.service, *key))
                writer.write(header + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def snapshot(self) -> Counter:
        with self.lock:
            return Counter(self.counts)


async def _copy(reader, writer):
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


class Proxies:
    """One proxy per service, served by an event loop in a thread of this process."""

    def __init__(self, upstream_port: int):
        self.by_service = {service: CountingProxy(service, upstream_port) for service in SERVICES}
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        for proxy in self.by_service.values():
            asyncio.run_coroutine_threadsafe(proxy.serve(), self.loop).result(timeout=10)

    def env(self) -> dict:
        return {
            f"BATON_MONGO_URI_{service.upper()}": f"mongodb://127.0.0.1:{proxy.port}/baton_{service}"
            for service, proxy in self.by_service.items()
        }

    def snapshot(self) -> Counter:
        """(service, command, collection) -> commands so far."""
        total: Counter = Counter()
        for service, proxy in self.by_service.items():
            total.update({(service, *key): n for key, n in proxy.snapshot().items()})
        return total


def per_inquiry(during: Counter, idle: Counter, idle_seconds: float, seconds: float, count: int) -> dict:
    """(service, command, collection) -> commands per inquiry, less the background rate measured idle."""
    return {key: (n - idle.get(key, 0) * seconds / idle_seconds) / count for key, n in during.items()}


def run(count: int, idle_seconds: float, trace: bool = False) -> dict:
    docstore_port = free_port()
    proxies = Proxies(docstore_port)
    with (
        tempfile.TemporaryDirectory(prefix="baton-bench-") as data_dir,
        local_system(
            data_dir, env={"BATON_DOCSTORE_PORT": str(docstore_port), **proxies.env(), **ON_ARRIVAL}
        ) as system,
    ):
        provision_users(system, SALES_TEAM)
        salespeople_known(system, SALES_TEAM)
        raw = raw_broker_rate(system.amqp_uri, count, json.dumps(inquiry(0)).encode())
        before = proxies.snapshot()
        time.sleep(idle_seconds)
        idle = proxies.snapshot() - before
        reminders: Database = MongoClient(
            system.mongo_uri.rsplit("/", 1)[0] + "/baton_notification"
        ).get_default_database()
        if trace:
            for proxy in proxies.by_service.values():
                proxy.trace = []
        started_counts, started = proxies.snapshot(), time.perf_counter()
        exchange = Exchange(INQUIRY_EXCHANGE, type="topic", durable=True)
        with Connection(system.amqp_uri) as connection:
            producer = connection.Producer()
            for n in range(count):
                producer.publish(
                    json.dumps(inquiry(n)).encode(),
                    exchange=exchange,
                    routing_key="inquiry",
                    content_type="application/json",
                    delivery_mode=2,
                    message_id=f"bench-{n}",
                )
        deadline = time.monotonic() + WAIT_SECONDS
        while reminders.reminders.count_documents({}) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {reminders.reminders.count_documents({})} of {count} got through")
            time.sleep(0.1)
        end_to_end = count / (time.perf_counter() - started)
        background_per_second = sum(idle.values()) / idle_seconds
        while True:  # the owner and timeline writes that follow the reminder
            then = sum(proxies.snapshot().values())
            time.sleep(QUIET_SECONDS)
            if sum(proxies.snapshot().values()) - then <= background_per_second * QUIET_SECONDS + 2:
                break
        seconds = time.perf_counter() - started - QUIET_SECONDS  # the last window was background only
        during = proxies.snapshot() - started_counts
    traced = sorted(entry for proxy in proxies.by_service.values() for entry in proxy.trace or [])
    return {
        "raw": raw,
        "end_to_end": end_to_end,
        "count": count,
        "per_inquiry": per_inquiry(during, idle, idle_seconds, seconds, count),
        "trace": [(when - started, *rest) for when, *rest in traced],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--idle", type=float, default=6.0, help="seconds of background measured before")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument(
        "--trace", action="store_true", help="also print every command in the order sent (use with few messages)"
    )
    args = parser.parse_args(argv)
    result = run(args.messages, args.idle, args.trace)
    figures = result["per_inquiry"]
    by_service: Counter = Counter()
    by_kind: Counter = Counter()
    for (service, command, _), n in figures.items():
        by_service[service] += n
        by_kind[service, command] += n
    kinds = sorted({command for _, command in by_kind if any(by_kind[s, command] >= 0.05 for s in SERVICES)})
    total = sum(by_service.values())
    if args.trace:
        print("every command after the first publish (seconds, service, command, collection; timers' included)")
        for when, service, command, collection in result["trace"]:
            print(f"  {when:8.3f} {service:<13} {command:<16} {collection}")
    print(f"inquiries                    {result['count']}")
    print(f"store commands per inquiry   {total:.1f}  (target <= {TARGET_PER_INQUIRY}; timers' background taken off)")
    print(f"  {'service':<14} {'all':>6} " + " ".join(f"{kind[:13]:>13}" for kind in kinds))
    for service in SERVICES:
        print(
            f"  {service:<14} {by_service[service]:6.1f} "
            + " ".join(f"{by_kind[service, kind]:13.2f}" for kind in kinds)
        )
    print("biggest contributors (service, command, collection: per inquiry)")
    for (service, command, collection), n in sorted(figures.items(), key=lambda kv: -kv[1])[: args.top]:
        if n >= 0.05:
            print(f"  {service:<13} {command:<16} {collection:<24} {n:5.2f}")
    print(f"raw broker (publish+consume) {result['raw']:,.0f} msg/s")
    print(f"Baton intake end to end      {result['end_to_end']:,.1f} inquiries/s  (through the counting proxies)")
    print(f"ratio end-to-end / raw       {result['end_to_end'] / result['raw']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
