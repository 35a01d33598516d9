"""`baton copy-store --to URI`: every service's database copied to another server (here another
database prefix on the real document server, as a replica set would be), resumable and verified."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime

from pymongo import MongoClient

from deploy.docstore import Docstore, free_port
from services.runtime.databases import COLLECTIONS, database_name
from tests.conftest import FINISHED_URIS, REPO

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def baton_copy_store(mongo_uri, tmp_path, *args):
    env = {**os.environ, "BATON_MONGO_URI": mongo_uri}
    for service in COLLECTIONS:
        env.pop(f"BATON_MONGO_URI_{service.upper()}", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.baton", "copy-store", "--data-dir", str(tmp_path), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_service_s_documents_are_copied_and_a_rerun_copies_nothing(mongo_uri, docstore, tmp_path):
    target_uri = docstore.uri(f"test_{uuid.uuid4().hex[:12]}")
    FINISHED_URIS.append(target_uri)  # its databases are dropped after the test, as the source's
    with MongoClient(mongo_uri, tz_aware=True) as client:
        for service, collections in COLLECTIONS.items():
            own = client[database_name(mongo_uri, service)]
            for collection in (*collections, "audit"):
                own[collection].insert_many(
                    [{"_id": f"{service}_{collection}_{n}", "n": n, "at": AT} for n in range(3)]
                )
        # A run that stopped half-way: one document there already, since changed on the target.
        with MongoClient(target_uri, tz_aware=True) as target:
            target[database_name(target_uri, "pool")].holdings.insert_one({"_id": "pool_holdings_0", "changed": 1})

    done = baton_copy_store(mongo_uri, tmp_path, "--to", target_uri, "--batch-size", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    expected = sum(3 * (len(collections) + 1) for collections in COLLECTIONS.values())
    assert f"copied: {expected - 1} document(s)" in done.stdout
    assert "holdings -> " in done.stdout and "2 copied, 1 already there; all there" in done.stdout

    with MongoClient(target_uri, tz_aware=True) as target:
        for service, collections in COLLECTIONS.items():
            own = target[database_name(target_uri, service)]
            for collection in (*collections, "audit"):
                assert sorted(d["_id"] for d in own[collection].find({})) == [
                    f"{service}_{collection}_{n}" for n in range(3)
                ]
        assert target[database_name(target_uri, "pool")].holdings.find_one({"_id": "pool_holdings_0"}) == {
            "_id": "pool_holdings_0",
            "changed": 1,
        }  # never overwritten

    again = baton_copy_store(mongo_uri, tmp_path, "--to", target_uri)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "copied: 0 document(s)" in again.stdout


def test_copying_onto_itself_or_a_uri_without_a_database_is_refused(mongo_uri, tmp_path):
    with MongoClient(mongo_uri) as client:
        client[database_name(mongo_uri, "intake")].inquiries.insert_one({"_id": "i1"})
    itself = baton_copy_store(mongo_uri, tmp_path, "--to", mongo_uri)
    assert itself.returncode != 0 and "is where intake's data already is" in itself.stderr
    nameless = baton_copy_store(mongo_uri, tmp_path, "--to", mongo_uri.rsplit("/", 1)[0] + "/")
    assert nameless.returncode != 0 and "names no database" in nameless.stderr


def test_a_stopped_system_s_embedded_store_is_started_for_the_copy(docstore, tmp_path):
    # The data folder of a system that ran on the embedded store, now stopped.
    with Docstore(tmp_path / "docstore", port=free_port(), log_file=tmp_path / "log" / "docstore.log") as old:
        with MongoClient(old.uri()) as client:
            client["baton_intake"].inquiries.insert_many([{"_id": f"i{n}"} for n in range(5)])
            client["baton_gateway"].users.insert_one({"_id": "admin", "role": "admin"})
    target_uri = docstore.uri(f"test_{uuid.uuid4().hex[:12]}")
    FINISHED_URIS.append(target_uri)
    env = {**os.environ, "BATON_DOCSTORE_PORT": str(free_port())}
    for name in ["BATON_MONGO_URI", *(f"BATON_MONGO_URI_{service.upper()}" for service in COLLECTIONS)]:
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "cli.baton", "copy-store", "--data-dir", str(tmp_path), "--to", target_uri],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "copied: 6 document(s)" in done.stdout
    with MongoClient(target_uri) as target:
        assert target[database_name(target_uri, "intake")].inquiries.count_documents({}) == 5
        assert target[database_name(target_uri, "gateway")].users.find_one({"_id": "admin"})["role"] == "admin"
