"""Import an inquiry file (Alibaba.com / Made-in-China exports, trade-show card lists; CSV or XLSX).

    python -m cli.import_file FILE --mapping alibaba [--api http://127.0.0.1:8000] [--token T]

Each row becomes a canonical inquiry through the column mapping and is posted to the running
system like any integration's inquiry, keyed by its content: importing the same file again
changes nothing. Ends with a report: created, merged, flagged for review, rejected (with the
field and reason), and rows imported before.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import yaml

from cli.rows import UnreadableFile, read_rows, row_key, to_inquiry

MAPPINGS = Path(__file__).resolve().parents[1] / "deploy" / "import_mappings"
TARGETS = {"company", "country", "city", "website", "message", "products", "registration_code",
           "contact.name", "contact.title", "contact.email", "contact.phone", "contact.whatsapp", "contact.linkedin"}
POLL_SECONDS = 0.2


class ImportError_(Exception):
    """A problem with the command's input, reported in one line."""


def load_mapping(name_or_path):
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in MAPPINGS.glob("*.yaml")))
        raise ImportError_(f"no mapping {name_or_path!r} (built in: {known}; or give a .yaml path)")
    mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    bad = {h: t for h, t in (mapping.get("columns") or {}).items() if t not in TARGETS}
    if not mapping.get("channel") or not mapping.get("columns") or bad:
        raise ImportError_(f"mapping {path.name}: needs 'channel' and 'columns'"
                           + (f"; unknown targets {bad} (allowed: {', '.join(sorted(TARGETS))})" if bad else ""))
    return mapping


class Api:
    def __init__(self, base, token):
        self.base, self.token = base.rstrip("/"), token
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method, path, body=None, headers=None):
        headers = {**(headers or {}), "Authorization": f"Bearer {self.token}"}
        request = urllib.request.Request(f"{self.base}{path}", method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def import_file(api, path, mapping, wait_seconds, progress=sys.stderr):
    header, rows = read_rows(path)
    # A mapping lists alternative headers (English and Chinese exports): name only the fields
    # that no column of this file can fill.
    filled = {target for column, target in mapping["columns"].items() if column in header}
    missing = sorted(set(mapping["columns"].values()) - filled)
    outcomes, started = [], time.monotonic()
    for number, row in enumerate(rows, start=2):   # line 1 holds the headers
        status, body = api.call("POST", "/inquiries", to_inquiry(row, mapping),
                                {"X-Message-Id": row_key(mapping["channel"], row), "content-type": "application/json"})
        if status == 422:
            outcomes.append({"row": number, "outcome": "rejected", "errors": body["error"]["details"]["fields"]})
        elif status in (200, 202):
            outcomes.append({"row": number, "id": body["id"], "outcome": "before" if body["duplicate"] else None})
        else:
            raise ImportError_(f"row {number}: the API answered {status}: {body}")
        if progress and (len(outcomes) % 50 == 0 or len(outcomes) == len(rows)):
            print("\r" + progress_line(len(outcomes), len(rows), time.monotonic() - started), end="",
                  file=progress, flush=True)
    if progress:
        print(file=progress)
    _classify(api, [o for o in outcomes if o["outcome"] is None], wait_seconds)
    return header, missing, outcomes


def progress_line(sent, total, elapsed):
    """e.g. 'sent 150/2000 rows (7%), 37 rows/s, about 50 s left'."""
    rate = sent / elapsed if elapsed > 0 else 0
    left = f", about {(total - sent) / rate:.0f} s left" if rate and sent < total else ""
    return f"sent {sent}/{total} rows ({sent / total:.0%}), {rate:.0f} rows/s{left}"


def _classify(api, pending, wait_seconds):
    """created / merged / flagged, once profile has filed each inquiry."""
    deadline = time.monotonic() + wait_seconds
    while pending and time.monotonic() < deadline:
        waiting = []
        for outcome in pending:
            _, inquiry = api.call("GET", f"/inquiries/{outcome['id']}")
            if not inquiry.get("customer_id"):
                waiting.append(outcome)
                continue
            _, customer = api.call("GET", f"/customers/{inquiry['customer_id']}")
            opened = customer["sources"][0]["inquiry_id"] == outcome["id"]
            outcome["customer_id"] = customer["id"]
            if opened and customer.get("possible_duplicates"):
                outcome.update(outcome="flagged", candidates=customer["possible_duplicates"])
            else:
                outcome["outcome"] = "created" if opened else "merged"
        pending = waiting
        if pending:
            time.sleep(POLL_SECONDS)
    for outcome in pending:
        outcome["outcome"] = "not filed yet"


def report(path, missing, outcomes, out=sys.stdout):
    counts = Counter(o["outcome"] for o in outcomes)
    print(f"{Path(path).name}: {len(outcomes)} rows", file=out)
    for name, label in (("created", "created"), ("merged", "merged into existing customers"),
                        ("flagged", "flagged for review (possible duplicates)"), ("rejected", "rejected"),
                        ("before", "imported before (unchanged)"), ("not filed yet", "not filed yet")):
        if counts[name]:
            print(f"  {counts[name]:6d} {label}", file=out)
    if missing:
        print(f"  no column in the file for: {', '.join(missing)}", file=out)
    for o in outcomes:
        if o["outcome"] == "rejected":
            print(f"  row {o['row']}: rejected — {_reasons(o['errors'])}", file=out)
        elif o["outcome"] == "merged":
            print(f"  row {o['row']}: merged into {o['customer_id']}", file=out)
        elif o["outcome"] == "flagged":
            print(f"  row {o['row']}: {o['customer_id']} may duplicate {', '.join(o['candidates'])}", file=out)


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
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the gateway (default %(default)s)")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for filing (default %(default)s)")
    parser.add_argument("--token", default=os.environ.get("BATON_TOKEN"),
                        help="an API token of a marketing user or an integration (default: $BATON_TOKEN)")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give an API token: --token or BATON_TOKEN")
    try:
        mapping = load_mapping(args.mapping)
        _, missing, outcomes = import_file(Api(args.api, args.token), args.file, mapping, args.wait)
    except (ImportError_, UnreadableFile, OSError) as error:
        print(f"import: {error}", file=sys.stderr)
        return 2
    report(args.file, missing, outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
