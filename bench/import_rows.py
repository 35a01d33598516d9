"""Rows per second of a file import (`baton import`), one row a call before, batches after.

Starts a whole system, writes an Alibaba.com-style CSV of distinct buyers, and imports it as a
marketing user would, until the report is ready (every row filed and classified):

- before: each row posted alone (POST /inquiries) and asked after alone (GET /inquiries/<id>,
  GET /customers/<id>), as the importer did up to issue 19, on ``--before-rows`` rows;
- after: ``cli.import_file.import_file`` (POST /inquiries/batch, GET /inquiries?ids=) on ``--rows``.

    .venv/bin/python bench/import_rows.py [--rows 20000] [--before-rows 500] [--into-pool]

Both parts run in the same system, on different buyers, so a busy machine slows both alike.
"""

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.intake_throughput import company_name  # noqa: E402
from cli.import_file import Api, import_file, load_mapping  # noqa: E402
from deploy.local_system import local_system, provision_users  # noqa: E402
from services.runtime.import_rows import read_rows, row_key, to_inquiry  # noqa: E402

TARGET_ROWS_PER_SECOND = 50  # issue 19
WAIT_SECONDS = 1800
POLL_SECONDS = 0.2


def write_file(path: Path, first: int, rows: int) -> Path:
    lines = ["Buyer Name,Email,Company,Country/Region,Inquiry Content"]
    lines += [
        f"Buyer {n},buyer{n}@import-{n}.de,{company_name(n)},Germany,{n % 900 + 100} pcs of model X"
        for n in range(first, first + rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_one_by_one(api, path, mapping, into_pool):
    """The importer as it was: a call per row to send it, and two per row to learn its outcome."""
    _, rows = read_rows(path)
    ids = []
    for row in rows:
        inquiry = to_inquiry(row, mapping) | ({"allocate": False} if into_pool else {})
        status, body = api.call(
            "POST",
            "/inquiries",
            inquiry,
            {"X-Message-Id": row_key(mapping["channel"], row), "content-type": "application/json"},
        )
        if status not in (200, 202):
            raise RuntimeError(f"the API answered {status}: {body}")
        ids.append(body["id"])
    deadline = time.monotonic() + WAIT_SECONDS
    while ids and time.monotonic() < deadline:
        waiting = []
        for inquiry_id in ids:
            _, inquiry = api.call("GET", f"/inquiries/{inquiry_id}")
            if not inquiry.get("customer_id"):
                waiting.append(inquiry_id)
            else:
                api.call("GET", f"/customers/{inquiry['customer_id']}")
        ids = waiting
        if ids:
            time.sleep(POLL_SECONDS)
    if ids:
        raise RuntimeError(f"{len(ids)} rows not filed within {WAIT_SECONDS} s")
    return len(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--before-rows", type=int, default=500, help="rows imported the old way (0: skip)")
    parser.add_argument("--into-pool", action="store_true", help="the rows' customers wait in the public pool")
    args = parser.parse_args(argv)
    mapping = load_mapping("alibaba")
    with tempfile.TemporaryDirectory(prefix="baton-bench-") as data_dir, local_system(data_dir) as system:
        token = provision_users(system, {"mia": ("member", "marketing", None)})["mia"]
        api = Api(system.api, token)
        before = None
        if args.before_rows:
            path = write_file(Path(data_dir) / "before.csv", 1_000_000, args.before_rows)
            started = time.perf_counter()
            before = import_one_by_one(api, path, mapping, args.into_pool) / (time.perf_counter() - started)
        path = write_file(Path(data_dir) / "after.csv", 0, args.rows)
        started, progress = time.perf_counter(), io.StringIO()
        _, _, outcomes = import_file(api, path, mapping, WAIT_SECONDS, progress=progress, into_pool=args.into_pool)
        after = len(outcomes) / (time.perf_counter() - started)
        sent = progress.getvalue().strip().rsplit("\r", 1)[-1]  # the importer's last progress line
        unfiled = sum(1 for o in outcomes if o["outcome"] in (None, "not filed yet", "rejected"))
    print(
        f"rows                          {args.rows} (before: {args.before_rows})"
        + ("  into the pool" if args.into_pool else "  allocated")
    )
    if before is not None:
        print(f"before: a call per row        {before:,.1f} rows/s (sent, filed and classified)")
    print(
        f"after: batches                {after:,.1f} rows/s (sent, filed and classified)  "
        f"target >= {TARGET_ROWS_PER_SECOND}"
    )
    print(f"  of which sending            {sent}")
    print(f"rows not filed or rejected    {unfiled}")
    return 0 if unfiled == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
