"""Import an inquiry file (Alibaba.com / Made-in-China exports, trade-show card lists; CSV or XLSX).

    python -m cli.import_file FILE --mapping alibaba [--into-pool] [--api http://127.0.0.1:8000] [--token T]

Each row becomes a canonical inquiry through the column mapping and is posted to the running
system like any integration's inquiry, keyed by its content: importing the same file again
changes nothing. Ends with a report: created, merged (and which into a do-not-contact customer),
flagged for review, rejected (with the field and reason), and rows imported before. With
``--into-pool`` the new customers wait in the public pool to be claimed instead of being
allocated, so a backlog does not bury the salespeople in first-touch reminders.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from services.runtime import import_rows
from services.runtime.import_rows import UnreadableFile, batch_item, missing_targets, read_rows

POLL_SECONDS = 0.2
CONTACT_STATUS_BATCH = 500  # the most POST /pool/contact-status takes at once
BATCH_SIZE = 500  # rows a POST /inquiries/batch call (the server's BATON.intake.batch_max by default)
BATCH_BYTES = 512 * 1024  # half the server's default body limit (BATON.limits.max_body_bytes)
LOOKUP_BATCH = 200  # inquiries one GET /inquiries?ids= asks after (a page's most)


class ImportError_(Exception):
    """A problem with the command's input, reported in one line."""


def load_mapping(name_or_path):
    """The mapping (``services.runtime.import_rows.load_mapping``), its problems as this command's."""
    try:
        return import_rows.load_mapping(name_or_path)
    except import_rows.BadMapping as error:
        raise ImportError_(str(error)) from None


class Api:
    def __init__(self, base, token):
        self.base, self.token = base.rstrip("/"), token
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method, path, body=None, headers=None):
        headers = {**(headers or {}), "Authorization": f"Bearer {self.token}"}
        request = urllib.request.Request(
            f"{self.base}{path}",
            method=method,
            headers=headers,
            data=json.dumps(body).encode() if body is not None else None,
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def import_file(api, path, mapping, wait_seconds, progress=sys.stderr, into_pool=False, batch_size=BATCH_SIZE):
    """Post every row, ``batch_size`` rows a call (POST /inquiries/batch; each row keyed by its
    content, so a retried or repeated import files each row once); ``into_pool``: the customers
    the rows open wait in the public pool."""
    header, rows = read_rows(path)
    missing = missing_targets(header, mapping)
    outcomes, started = [], time.monotonic()
    for chunk, items in _batches(rows, mapping, into_pool, batch_size):
        status, body = api.call("POST", "/inquiries/batch", {"items": items}, {"content-type": "application/json"})
        if status != 200:
            raise ImportError_(f"rows {chunk[0][0]}-{chunk[-1][0]}: the API answered {status}: {body}")
        for (number, _), item in zip(chunk, body["items"], strict=True):
            if item["outcome"] == "rejected" or item["status"] == "rejected":
                outcomes.append({"row": number, "outcome": "rejected", "errors": item["errors"]})
            else:
                outcomes.append(
                    {"row": number, "id": item["id"], "outcome": "before" if item["outcome"] == "duplicate" else None}
                )
        if progress:
            print(
                "\r" + progress_line(len(outcomes), len(rows), time.monotonic() - started),
                end="",
                file=progress,
                flush=True,
            )
    if progress:
        print(file=progress)
    _classify(api, [o for o in outcomes if o["outcome"] is None], wait_seconds)
    _mark_do_not_contact(api, [o for o in outcomes if o["outcome"] in ("merged", "filed")])
    return header, missing, outcomes


def _batches(rows, mapping, into_pool, batch_size):
    """([(row number, row)], [batch item]) of at most ``batch_size`` rows and about BATCH_BYTES of
    JSON each (long messages: a whole call must stay within the server's body limit)."""
    chunk, items, size = [], [], 0
    for number, row in enumerate(rows, start=2):  # line 1 holds the headers
        item = batch_item(mapping["channel"], row, mapping, into_pool)
        item_size = len(json.dumps(item).encode())
        if chunk and (len(chunk) == batch_size or size + item_size > BATCH_BYTES):
            yield chunk, items
            chunk, items, size = [], [], 0
        chunk.append((number, row))
        items.append(item)
        size += item_size
    if chunk:
        yield chunk, items


def progress_line(sent, total, elapsed):
    """e.g. 'sent 150/2000 rows (7%), 37 rows/s, about 50 s left'."""
    rate = sent / elapsed if elapsed > 0 else 0
    left = f", about {(total - sent) / rate:.0f} s left" if rate and sent < total else ""
    return f"sent {sent}/{total} rows ({sent / total:.0%}), {rate:.0f} rows/s{left}"


def _classify(api, pending, wait_seconds):
    """created / merged / flagged, once profile has filed each inquiry (intake keeps what profile
    made of it): asked LOOKUP_BATCH inquiries a call, oldest first. Inquiries are filed about in the
    order sent, so a round stops at the first call that finds some still waiting: asking after the
    younger ones too would cost the services a read of each, every round, while they file. A round
    that finds none filed asks after all (one inquiry left unfiled holds no others back)."""
    deadline = time.monotonic() + wait_seconds
    ask_all = False
    while pending and time.monotonic() < deadline:
        waiting: list = []
        for start in range(0, len(pending), LOOKUP_BATCH):
            if waiting and not ask_all:
                waiting.extend(pending[start:])
                break
            batch = {o["id"]: o for o in pending[start : start + LOOKUP_BATCH]}
            status, page = api.call(
                "GET", "/inquiries?" + urllib.parse.urlencode({"ids": ",".join(batch), "limit": LOOKUP_BATCH})
            )
            if status != 200:
                raise ImportError_(f"the API answered {status} when asked what became of the rows: {page}")
            filed = {i["id"]: i for i in page["items"] if i.get("customer_id") and i.get("filed_as")}
            for inquiry_id, outcome in batch.items():
                if inquiry_id not in filed:
                    waiting.append(outcome)
                    continue
                outcome.update(customer_id=filed[inquiry_id]["customer_id"], outcome=filed[inquiry_id]["filed_as"])
                if outcome["outcome"] == "flagged":
                    outcome["candidates"] = _candidates(api, outcome["customer_id"])
        ask_all = len(waiting) == len(pending)
        pending = waiting
        if pending:
            time.sleep(POLL_SECONDS)
    for outcome in pending:
        outcome["outcome"] = "not filed yet"


def _candidates(api, customer_id):
    """The archives a flagged one may duplicate (none named for a token that may not read customers)."""
    status, customer = api.call("GET", f"/customers/{customer_id}")
    return customer.get("possible_duplicates") or [] if status == 200 else []


def _mark_do_not_contact(api, filed):
    """Note on each row filed into a customer on the do-not-contact list (rejected) the reason."""
    for start in range(0, len(filed), CONTACT_STATUS_BATCH):
        batch = filed[start : start + CONTACT_STATUS_BATCH]
        status, body = api.call(
            "POST",
            "/pool/contact-status",
            {"customer_ids": list(dict.fromkeys(o["customer_id"] for o in batch))},
            {"content-type": "application/json"},
        )
        if status != 200:
            raise ImportError_(f"the API answered {status} when asked which customers must not be contacted: {body}")
        refused = {s["customer_id"]: s["reason"] for s in body["items"] if s["do_not_contact"]}
        for outcome in batch:
            if outcome["customer_id"] in refused:
                outcome["do_not_contact"] = refused[outcome["customer_id"]]


def report(path, missing, outcomes, out=sys.stdout):
    counts = Counter(o["outcome"] for o in outcomes)
    counts["do not contact"] = sum(1 for o in outcomes if o.get("do_not_contact"))
    print(f"{Path(path).name}: {len(outcomes)} rows", file=out)
    for name, label in (
        ("created", "created"),
        ("merged", "merged into existing customers"),
        ("filed", "filed into customers (this token may not tell created from merged)"),
        ("do not contact", "of them into do-not-contact (rejected) customers"),
        ("flagged", "flagged for review (possible duplicates)"),
        ("rejected", "rejected"),
        ("before", "imported before (unchanged)"),
        ("not filed yet", "not filed yet"),
    ):
        if counts[name]:
            print(f"  {counts[name]:6d} {label}", file=out)
    if missing:
        print(f"  no column in the file for: {', '.join(missing)}", file=out)
    for o in outcomes:
        if o["outcome"] == "rejected":
            print(f"  row {o['row']}: rejected — {_reasons(o['errors'])}", file=out)
        elif o.get("do_not_contact"):
            print(
                f"  row {o['row']}: {o['outcome']} into {o['customer_id']}, a do-not-contact customer "
                f"({o['do_not_contact']})",
                file=out,
            )
        elif o["outcome"] == "merged":
            print(f"  row {o['row']}: merged into {o['customer_id']}", file=out)
        elif o["outcome"] == "flagged":
            print(
                f"  row {o['row']}: {o['customer_id']} may duplicate {', '.join(o['candidates']) or 'other customers'}",
                file=out,
            )


def _reasons(errors, prefix=""):
    parts = []
    for field, reasons in errors.items():
        name = f"{prefix}{field}"
        parts.append(_reasons(reasons, f"{name}.") if isinstance(reasons, dict) else f"{name}: {' '.join(reasons)}")
    return "; ".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cli.import_file", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--mapping", required=True, help="alibaba, made_in_china, trade_show, or a .yaml path")
    parser.add_argument(
        "--into-pool",
        action="store_true",
        help="leave the new customers in the public pool to be claimed, unallocated (a backlog)",
    )
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the gateway (default %(default)s)")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for filing (default %(default)s)")
    parser.add_argument(
        "--batch",
        type=int,
        default=BATCH_SIZE,
        help="rows a call (default %(default)s; at most the server's BATON.intake.batch_max)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("BATON_TOKEN"),
        help="an API token of a marketing user or an integration (default: $BATON_TOKEN)",
    )
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give an API token: --token or BATON_TOKEN")
    try:
        mapping = load_mapping(args.mapping)
        if args.batch < 1:
            raise ImportError_(f"--batch must be at least 1, not {args.batch}")
        _, missing, outcomes = import_file(
            Api(args.api, args.token), args.file, mapping, args.wait, into_pool=args.into_pool, batch_size=args.batch
        )
    except (ImportError_, UnreadableFile, OSError) as error:
        print(f"import: {error}", file=sys.stderr)
        return 2
    report(args.file, missing, outcomes, sys.stdout)  # the stdout of now, not of import time
    return 0


if __name__ == "__main__":
    sys.exit(main())
