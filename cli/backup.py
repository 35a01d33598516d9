"""Backups of a running system and restores into a stopped or fresh one (``baton backup|restore``).

The embedded document store keeps each database in one SQLite file (``<data dir>/docstore/<db>.db``):
a backup is SQLite's online backup of each service's file, a consistent copy of that database
however busy it is. Services are copied one after the other, so a backup taken under load may hold
a change in one service that another has not heard of yet; the events still on the broker are not
in it. After a restore the services pick up from there like after any restart (derived records are
idempotent). ``manifest.json`` says what the backup holds: the version, when, and the documents
per collection, which a restore checks copy by copy.

With a real MongoDB, ``mongodump``/``mongorestore`` do the copying: the commands are run when
they are installed, otherwise printed for the operator.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from services.runtime.databases import COLLECTIONS, DEFAULT_PREFIX, EVERY_SERVICE, database_name

MANIFEST = "manifest.json"
FORMAT = 1
EMBEDDED_URI = f"mongodb://embedded/{DEFAULT_PREFIX}"  # the supervisor's embedded store names this database
PAGES_PER_STEP = 256  # SQLite online backup: copy this many pages, then let writers in


class BackupRefused(Exception):
    """Why a backup or a restore cannot be done, in one line for the admin."""


@dataclass(frozen=True)
class DatabaseCopy:
    service: str
    database: str
    collections: dict[str, int]  # documents per collection


def docstore_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "docstore"


def service_databases(uri: str = EMBEDDED_URI) -> dict[str, str]:
    """{service: its database} for a store every service shares (``uri``)."""
    return {service: database_name(uri, service) for service in COLLECTIONS}


def baton_version() -> str:
    try:
        return metadata.version("baton")
    except metadata.PackageNotFoundError:
        return "unknown"


def back_up_embedded(data_dir: Path, target: Path, now: datetime | None = None) -> dict:
    """Copy each service's database file of the embedded store under ``data_dir`` into ``target``
    (new or empty) while the system runs; returns the manifest written beside them."""
    source = docstore_dir(data_dir)
    if not source.is_dir():
        raise BackupRefused(f"no embedded document store under {data_dir} (looked for {source})")
    _empty_folder(target)
    copies = []
    for service, database in service_databases().items():
        file = source / f"{database}.db"
        if not file.exists():
            continue  # a service that never ran here has no database yet
        copied = target / file.name
        _copy_sqlite(file, copied)
        copies.append(DatabaseCopy(service, database, count_documents(copied, service)))
    if not copies:
        raise BackupRefused(f"no Baton database in {source}")
    manifest = {
        "format": FORMAT,
        "baton_version": baton_version(),
        "store": "embedded",
        "made_at": (now or datetime.now(UTC)).isoformat(),
        "databases": {
            c.database: {"service": c.service, "file": f"{c.database}.db", "collections": c.collections} for c in copies
        },
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return manifest


def restore_embedded(backup: Path, data_dir: Path, replace: bool = False) -> dict:
    """Put the databases of ``backup`` into the embedded store under ``data_dir``, which no system
    may be running on. Databases already there are refused unless ``replace``: then they are moved
    aside (``docstore.before-restore-<time>``), never deleted. Returns the manifest, checked."""
    manifest = read_manifest(backup)
    if manifest["store"] != "embedded":
        raise BackupRefused(f"{backup} is a {manifest['store']} backup; restore it with mongorestore")
    target = docstore_dir(data_dir)
    present = sorted(p.name for p in target.glob(f"{DEFAULT_PREFIX}_*.db")) if target.is_dir() else []
    if present and not replace:
        raise BackupRefused(
            f"{target} already holds {', '.join(present)}; restore into a fresh data folder, "
            "or pass --replace to move them aside first"
        )
    if present:
        aside = target.with_name(f"docstore.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        shutil.move(str(target), str(aside))
    target.mkdir(parents=True, exist_ok=True)
    for database, entry in manifest["databases"].items():
        restored = target / entry["file"]
        _copy_sqlite(backup / entry["file"], restored)
        found = count_documents(restored, entry["service"])
        if found != entry["collections"]:
            raise BackupRefused(f"{database} restored with {found} documents, the backup says {entry['collections']}")
    return manifest


def read_manifest(backup: Path) -> dict:
    try:
        manifest = json.loads((Path(backup) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupRefused(f"{backup} holds no {MANIFEST}: not a Baton backup") from None
    except (OSError, ValueError) as error:
        raise BackupRefused(f"cannot read {backup / MANIFEST}: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"{backup} is a backup of format {manifest.get('format')}; this baton reads {FORMAT}")
    return manifest


def count_documents(file: Path, service: str) -> dict[str, int]:
    """Documents per collection of ``service`` in a database file (a collection is a table)."""
    wanted = (*COLLECTIONS[service], *EVERY_SERVICE)
    with _connect(file, read_only=True) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {
            name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in sorted(set(wanted) & tables)
        }


def mongodb_commands(uri: str, folder: Path, restore: bool = False) -> list[list[str]]:
    """The mongodump (or mongorestore) command for each service's database on a real MongoDB."""
    tool = "mongorestore" if restore else "mongodump"
    return [
        [
            tool,
            f"--uri={uri}",
            f"--nsInclude={database}.*" if restore else f"--db={database}",
            *(["--drop", str(folder)] if restore else [f"--out={folder}"]),
        ]
        for database in service_databases(uri).values()
    ]


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the store writes to ``source``."""
    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    with _connect(source, read_only=True) as src, _connect(target) as dst:
        src.backup(dst, pages=PAGES_PER_STEP)
    # The copy is a plain file: a restored store opens it in its own journal mode.


@contextmanager
def _connect(file: Path, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection closed when the block ends (sqlite3's own context manager only commits)."""
    db = (
        sqlite3.connect(f"file:{file}?mode=ro", uri=True, timeout=30)
        if read_only
        else sqlite3.connect(file, timeout=30)
    )
    try:
        yield db
    finally:
        db.close()


def _empty_folder(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupRefused(f"{target} is not an empty folder; back up into a new one")
    target.mkdir(parents=True, exist_ok=True)
