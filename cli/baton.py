"""baton: what admins do by hand — users and tokens, configuration, imports, the pool, replaying
rejected inquiries, report facts for existing data, contracts' JSON Schema, plugin health.

It talks to the running services over RabbitMQ RPC (an RPC caller without a user acts as the
system, so keep the broker private); imports go through the HTTP API like any integration.

    baton users create alice --name "Alice Wang" --role member --department sales --team default
    baton users password alice            # asked twice; the console's sign-in
    baton tokens issue alice --label laptop
    baton config check deploy/config.yaml
    baton pool list --state public_pool --country DE
    baton inquiries replay
    baton events parked
    baton reports backfill
    baton countries unknown | backfill
    baton customers rekey
    baton plugins check
    baton migrate --drop-old            # an install from before: one database per service
    baton backup var/backups/2026-12-04 # while it runs; baton restore FOLDER into a stopped one
    baton upgrades --wait 600           # stored data brought to this version (the services do it)
"""

import json
import os
import shutil
import signal
import sys
import warnings
from pathlib import Path

# nameko 2 runs on eventlet, which announces its deprecation on import: noise at an admin's prompt.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import click  # noqa: E402
import yaml  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from pymongo.errors import PyMongoError  # noqa: E402

from contracts.access import DEPARTMENTS, ROLES  # noqa: E402
from contracts.errors import BatonError  # noqa: E402
from contracts.parked import EVENT_HANDLING_SERVICES  # noqa: E402
from deploy.supervisor import DEFAULT_DATA_DIR, SERVICES, running_supervisor  # noqa: E402

DEFAULT_AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672/"
DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "config.yaml"
RPC_TIMEOUT_SECONDS = 60


class Context:
    def __init__(self, amqp_uri, config_path):
        self.amqp_uri, self.config_path = amqp_uri, config_path

    def rpc(self, service, method, *args, **kwargs):
        """One RPC to a running service; its errors become a one-line message, not a trace."""
        try:
            with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=RPC_TIMEOUT_SECONDS) as cluster:
                return getattr(getattr(cluster, service), method)(*args, **kwargs)
        except BatonError as error:
            raise click.ClickException(_error_line(error)) from error
        except OSError as error:
            raise click.ClickException(f"cannot reach the broker at {self.amqp_uri}: {error}") from error

    def config(self):
        return read_config(self.config_path)


@click.group(help=__doc__.split("\n\n")[0])
@click.option(
    "--amqp-uri",
    envvar="BATON_AMQP_URI",
    default=DEFAULT_AMQP_URI,
    show_default=True,
    help="The broker the services use.",
)
@click.option(
    "--config",
    "config_path",
    envvar="BATON_CONFIG",
    default=str(DEFAULT_CONFIG),
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The configuration file.",
)
@click.pass_context
def main(ctx, amqp_uri, config_path):
    ctx.obj = Context(amqp_uri, config_path)


# --- users and tokens ---------------------------------------------------------------------


def data_dir_option(help_text: str):
    """``--data-dir`` (or BATON_DATA_DIR): the data folder a command works on, as ``help_text`` says."""
    return click.option(
        "--data-dir",
        envvar="BATON_DATA_DIR",
        default=str(DEFAULT_DATA_DIR),
        show_default=True,
        type=click.Path(file_okay=False),
        help=help_text,
    )


def mongo_uri_option(help_text: str):
    """``--mongo-uri`` (or BATON_MONGO_URI): a real MongoDB instead of the embedded store."""
    return click.option("--mongo-uri", envvar="BATON_MONGO_URI", default=None, help=help_text)


@main.group(help="Users, their departments and roles.")
def users():
    pass


@users.command("create")
@click.argument("user_id")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", type=click.Choice(DEPARTMENTS))
@click.option("--team")
@click.option("--email")
@click.pass_obj
def create_user(ctx, user_id, name, role, department, team, email):
    user = ctx.rpc(
        "gateway",
        "add_user",
        {"id": user_id, "name": name, "role": role, "department": department, "team": team, "email": email},
    )
    click.echo(f"created {_describe(user)}")


@users.command("list")
@click.pass_obj
def list_users(ctx):
    offset = 0
    while True:
        page = ctx.rpc("gateway", "list_user_page", {"limit": 200, "offset": offset})
        for user in page["items"]:
            click.echo(_describe(user) + ("" if user["active"] else "  [inactive]"))
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            break


@users.command("update")
@click.argument("user_id")
@click.option("--name")
@click.option("--role", type=click.Choice(ROLES))
@click.option("--department", type=click.Choice(DEPARTMENTS))
@click.option("--team")
@click.option("--email")
@click.option("--active/--inactive", default=None, help="--inactive stops every token of the user.")
@click.pass_obj
def update_user(ctx, user_id, **changes):
    changes = {key: value for key, value in changes.items() if value is not None}
    if not changes:
        raise click.UsageError("say what to change")
    click.echo(f"updated {_describe(ctx.rpc('gateway', 'change_user', user_id, changes))}")


@users.command("password")
@click.argument("user_id")
@click.pass_obj
def set_password(ctx, user_id):
    """Set or reset USER_ID's password for signing in to the console. Asked twice, unseen at a
    terminal; from a pipe, the first two lines of standard input (e.g. printf 'p\\np\\n' | baton …)."""
    if sys.stdin.isatty():
        password = click.prompt("New password", hide_input=True, confirmation_prompt="Again")
    else:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2:
            raise click.ClickException("give the password twice, one per line, on standard input")
        password, again = lines[0], lines[1]
        if password != again:
            raise click.ClickException("the two passwords differ; nothing was changed")
    result = ctx.rpc("gateway", "set_password", user_id, {"password": password})
    click.echo(f"password set for {result['user_id']}")


@users.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def load_users(ctx, file):
    """Create the users a YAML file lists (a list of {id, name, role, department, team, email});
    users that exist already are left as they are."""
    listed = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or []
    if not isinstance(listed, list):
        raise click.ClickException(f"{file}: expected a list of users")
    created = existing = 0
    for number, user in enumerate(listed, start=1):
        try:
            ctx.rpc("gateway", "add_user", user)
            created += 1
        except click.ClickException as problem:
            if "already exists" not in problem.message:
                raise click.ClickException(f"{file}, user {number}: {problem.message}") from problem
            existing += 1
    click.echo(f"{created} created, {existing} already there")


@main.group(help="API tokens: each is shown once, when issued.")
def tokens():
    pass


@tokens.command("issue")
@click.argument("user_id")
@click.option("--label", default="cli", show_default=True)
@click.pass_obj
def issue_token(ctx, user_id, label):
    issued = ctx.rpc("gateway", "issue_token", user_id, {"label": label})
    click.echo(f"token {issued['id']} for {user_id} ({label}); keep it, it is not shown again:")
    click.echo(issued["token"])


@tokens.command("list")
@click.argument("user_id")
@click.pass_obj
def list_tokens(ctx, user_id):
    for token in ctx.rpc("gateway", "list_tokens", user_id)["items"]:
        state = f"revoked {token['revoked_at']}" if token["revoked_at"] else "active"
        click.echo(f"{token['id']}  {token['label']}  created {token['created_at']}  {state}")


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_obj
def revoke_token(ctx, token_id):
    revoked = ctx.rpc("gateway", "revoke_token", token_id)
    click.echo(f"revoked {revoked['id']} of {revoked['user_id']}")


# --- configuration -------------------------------------------------------------------------


@main.group(help="The configuration file every service reads.")
def config():
    pass


@config.command("check")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def check_config(ctx, file):
    """Check every section each service reads, as the service would at start-up."""
    problems = config_problems(file or ctx.config_path)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {file or ctx.config_path}")
    click.echo(f"{file or ctx.config_path}: every service's settings are valid")


@config.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@data_dir_option("The running system's data folder (its supervisor is found there).")
@click.pass_obj
def load_config(ctx, file, data_dir):
    """Check FILE as every service would, make it the configuration (--config; the one it replaces
    is kept beside it as .previous) and have the running services restart, one at a time, to read it."""
    problems = config_problems(file)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {file}; the configuration is unchanged")
    target, source = Path(ctx.config_path).resolve(), Path(file).resolve()
    if source != target:
        if target.exists():
            shutil.copy2(target, target.with_name(target.name + ".previous"))
        shutil.copy2(source, target)
    pid = running_supervisor(Path(data_dir))
    if pid is None:
        click.echo(
            f"{target} holds the new configuration; no system runs with {data_dir}: it applies at the next start"
        )
        return
    os.kill(pid, signal.SIGUSR1)
    click.echo(f"{target} holds the new configuration; the services (supervisor pid {pid}) restart one at a time")


def config_problems(path):
    """One line per setting a service would refuse to start with, naming the services reading it:
    each service's own check (``services.runtime.settings_check``, as the console's check asks it)."""
    import importlib

    from services.gateway.configuration_check import GATEWAY_ALSO
    from services.runtime.settings_check import check_text

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error}") from error
    readers: dict[tuple[str, str], set[str]] = {}
    for module_name in SERVICES:
        module = importlib.import_module(module_name)
        for service in (v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module_name):
            if not hasattr(service, "name"):
                continue
            also = GATEWAY_ALSO if service.name == "gateway" else ()
            for problem in check_text(text, service, also):
                readers.setdefault((problem["path"], problem["reason"]), set()).add(service.name)
    return [f"{where}: {reason} (read by {', '.join(sorted(names))})" for (where, reason), names in readers.items()]


def read_config(path):
    from nameko.cli.main import setup_yaml_parser

    setup_yaml_parser()  # ${VAR:default} as `nameko run` reads it
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise click.ClickException(f"cannot read {path}: {error}") from error


# --- the document store -----------------------------------------------------------------------


@main.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
@data_dir_option("The data folder of the system (running or not).")
@mongo_uri_option("A real MongoDB instead of the embedded store: mongodump copies each service's database.")
def backup_command(folder, data_dir, mongo_uri):
    """Copy every service's database into FOLDER (new or empty) while the system runs, with a
    manifest of what it holds (version, time, documents per collection)."""
    from cli.backup import BackupRefused, back_up_embedded, mongodb_commands

    if mongo_uri:
        _run_or_print(mongodb_commands(mongo_uri, Path(folder)), "back up")
        return
    try:
        manifest = back_up_embedded(Path(data_dir), Path(folder))
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    for database, entry in sorted(manifest["databases"].items()):
        click.echo(
            f"{database}: {sum(entry['collections'].values())} documents in {len(entry['collections'])} collections"
        )
    click.echo(f"backup of Baton {manifest['baton_version']} made at {manifest['made_at']} in {folder}")


@main.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@data_dir_option("The data folder to restore into; no system may run on it.")
@click.option("--replace", is_flag=True, help="Move the databases already in the data folder aside first.")
@mongo_uri_option("A real MongoDB instead of the embedded store: mongorestore puts each database back.")
def restore_command(folder, data_dir, replace, mongo_uri):
    """Put the databases of a backup (FOLDER) into a stopped or fresh install, checking every
    collection's count against the backup's manifest."""
    from cli.backup import BackupRefused, mongodb_commands, restore_embedded

    if mongo_uri:
        _run_or_print(mongodb_commands(mongo_uri, Path(folder), restore=True), "restore")
        return
    if (pid := running_supervisor(Path(data_dir))) is not None:
        raise click.ClickException(f"a system runs on {data_dir} (supervisor pid {pid}); stop it first")
    try:
        manifest = restore_embedded(Path(folder), Path(data_dir), replace=replace)
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    documents = sum(sum(e["collections"].values()) for e in manifest["databases"].values())
    click.echo(
        f"restored {len(manifest['databases'])} databases ({documents} documents, as counted at "
        f"{manifest['made_at']}) into {data_dir}; start the system on it"
    )


def _run_or_print(commands, doing):
    """Run MongoDB's own tools when installed; otherwise say what to run."""
    import subprocess

    if shutil.which(commands[0][0]) is None:
        click.echo(f"{commands[0][0]} is not installed here; to {doing} each service's database, run:")
        for command in commands:
            click.echo("  " + " ".join(command))
        raise SystemExit(2)
    for command in commands:
        if subprocess.run(command).returncode != 0:
            raise click.ClickException(f"{' '.join(command)} failed; nothing after it was run")


@main.command("upgrades")
@click.option(
    "--wait",
    "wait_seconds",
    type=click.IntRange(min=0),
    default=0,
    help="Wait up to this many seconds for every collection to reach its latest version.",
)
@click.pass_obj
def upgrades_command(ctx, wait_seconds):
    """The version each service's stored data is at; the services bring it to the latest in the background."""
    import time

    deadline = time.monotonic() + wait_seconds
    while True:
        rows = [(service, row) for service in UPGRADING_SERVICES for row in ctx.rpc(service, "stored_data_versions")]
        behind = [row for _, row in rows if row["version"] < row["latest"]]
        if not behind or time.monotonic() >= deadline:
            break
        time.sleep(1)
    for service, row in rows:
        pending = f"; to do: {', '.join(row['pending'])}" if row["pending"] else ""
        click.echo(f"{service}.{row['collection']}: version {row['version']} of {row['latest']}{pending}")
    if behind and wait_seconds:
        raise click.ClickException(f"{len(behind)} collection(s) not at their latest version yet")


# The services that declare upgrades of their stored data (services/runtime/upgrades.py).
UPGRADING_SERVICES = ("profile", "pool", "handoff")


@main.command("migrate")
@click.option(
    "--from",
    "source_uri",
    help="The single database of the install from before (default: the "
    "database MONGO_URI names, e.g. mongodb://127.0.0.1:27117/baton).",
)
@click.option(
    "--batch-size", default=500, show_default=True, type=click.IntRange(min=1), help="Documents copied per round trip."
)
@click.option(
    "--drop-old", is_flag=True, help="Once every document is found in its new database, drop the old collections."
)
@click.option(
    "--data-dir",
    default=str(DEFAULT_DATA_DIR),
    show_default=True,
    type=click.Path(file_okay=False),
    help="The data folder of a local system, which must not be running.",
)
@click.pass_obj
def migrate_command(ctx, source_uri, batch_size, drop_old, data_dir):
    """Move an install from before (every service in one database) into each service's own
    database; run it again to resume, or with --drop-old to remove the old collections."""
    from cli.migrate import MigrationRefused, migrate_install
    from services.runtime.databases import database_of

    pid = running_supervisor(Path(data_dir))
    if pid is not None:
        raise click.ClickException(f"the system runs on {data_dir} (supervisor pid {pid}); stop it first")
    config = ctx.config()
    try:
        report = migrate_install(config, source_uri, batch_size=batch_size, drop_old=drop_old, say=click.echo)
    except MigrationRefused as refused:
        raise click.ClickException(str(refused)) from None
    except PyMongoError as error:
        raise click.ClickException(f"the document store failed: {error}; run baton migrate again to resume") from error
    source_name = database_of(source_uri or config["MONGO_URI"])
    for collection in report.unowned:
        click.echo(f"{collection}: no service keeps it; left in {source_name}")
    for collection, left in sorted(report.unplaced.items()):
        click.echo(f"{collection}: {left} document(s) no service takes; left in {source_name}")
    if not report.complete:
        raise click.ClickException(
            "some documents are missing from their new databases; nothing was dropped (run baton migrate again)"
        )
    moved = sum(outcome.copied for outcome in report.outcomes)
    if report.dropped:
        click.echo(
            f"migrated: {moved} document(s) copied; every one is in its service's database; "
            f"dropped {len(report.dropped)} old collection(s) from {source_name}"
        )
    elif report.outcomes:
        click.echo(
            f"migrated: {moved} document(s) copied; every one is in its service's database; "
            f"the old collections are kept in {source_name} (--drop-old removes them)"
        )
    else:
        click.echo(f"nothing to migrate in {source_name}")


@main.command("copy-store")
@click.option(
    "--to",
    "target_uri",
    required=True,
    help="The MongoDB to copy into, naming the database prefix: "
    "mongodb://m1:27017,m2:27017,m3:27017/baton?replicaSet=rs0 (services' databases baton_intake …).",
)
@click.option(
    "--batch-size", default=500, show_default=True, type=click.IntRange(min=1), help="Documents copied per round trip."
)
@data_dir_option("The data folder of a local system, which must not be running (its embedded store is copied).")
@mongo_uri_option(
    "Copy from this MongoDB instead of the embedded store (the configuration names each service's database)."
)
@click.pass_obj
def copy_store_command(ctx, target_uri, batch_size, data_dir, mongo_uri):
    """Copy every service's database (the embedded store's, or BATON_MONGO_URI's) to another MongoDB,
    e.g. a cluster's replica set; run again to resume. Then point BATON_MONGO_URI at it."""
    from contextlib import nullcontext

    from cli.transfer import copy_store
    from deploy.docstore import Docstore
    from services.runtime.databases import database_of

    pid = running_supervisor(Path(data_dir))
    if pid is not None:
        raise click.ClickException(f"the system runs on {data_dir} (supervisor pid {pid}); stop it first")
    config = ctx.config()
    # Without a MongoDB of its own the system keeps its data in the embedded store, started here
    # on its data folder for the copy (the system is stopped, so nothing else writes).
    embedded = (
        nullcontext(None)
        if mongo_uri
        else Docstore(
            Path(data_dir) / "docstore",
            port=int(os.environ.get("BATON_DOCSTORE_PORT") or 27117),
            log_file=Path(data_dir) / "log" / "docstore.log",
        )
    )
    try:
        with embedded as store:
            if store is not None:
                config = {**config, "MONGO_URI": store.uri(database_of(config["MONGO_URI"]) or "baton")}
            outcomes = copy_store(config, target_uri, batch_size=batch_size, say=click.echo)
    except RuntimeError as error:  # the embedded store did not start
        raise click.ClickException(str(error)) from None
    except ValueError as refused:
        raise click.ClickException(str(refused)) from None
    except PyMongoError as error:
        raise click.ClickException(
            f"the document store failed: {error}; run baton copy-store again to resume"
        ) from error
    missing = sum(outcome.missing for outcome in outcomes)
    if missing:
        raise click.ClickException(f"{missing} document(s) are missing from the target (run baton copy-store again)")
    copied = sum(outcome.copied for outcome in outcomes)
    click.echo(f"copied: {copied} document(s); every one of {len(outcomes)} collection(s) is in {target_uri}")


# --- inquiries, imports, the pool ------------------------------------------------------------


@main.group(help="Inquiries as intake keeps them.")
def inquiries():
    pass


@inquiries.command("replay")
@click.option("--id", "ids", multiple=True, help="A rejected inquiry to examine again (repeatable); default: all.")
@click.option("--limit", default=1000, show_default=True)
@click.pass_obj
def replay(ctx, ids, limit):
    """Examine rejected inquiries again after a fix (a connector enabled, a plugin or contract fixed)."""
    result = ctx.rpc("intake", "replay_rejected", {"ids": list(ids), "limit": limit} if ids else {"limit": limit})
    click.echo(
        f"examined {result['examined']}: {len(result['accepted'])} accepted now, "
        f"{len(result['still_rejected'])} still rejected"
    )
    for inquiry_id in result["accepted"]:
        click.echo(f"  accepted {inquiry_id}")


@main.group(help="Events a service's handler gave up on (parked with the error; the queue went on).")
def events():
    pass


@events.command("parked")
@click.option("--service", type=click.Choice(EVENT_HANDLING_SERVICES), help="Only this service's; default: all.")
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
def parked_events(ctx, service, limit):
    """List parked events, newest first, with the handler and why it failed."""
    found = 0
    for name in [service] if service else EVENT_HANDLING_SERVICES:
        page = ctx.rpc(name, "parked_events", {"limit": limit})
        found += page["total"]
        for parked in page["items"]:
            click.echo(
                f"{parked['id']}  {parked['parked_at']}  {parked['service']}.{parked['handler']} "
                f"({parked['source']} {parked['event_type']}, {parked['attempts']} attempts): {parked['error']}"
            )
    click.echo(f"{found} parked")


@events.command("retry")
@click.option("--service", type=click.Choice(EVENT_HANDLING_SERVICES), help="Only this service's; default: all.")
@click.option("--id", "ids", multiple=True, help="A parked event to retry (repeatable); default: every one.")
@click.pass_obj
def retry_parked(ctx, service, ids):
    """Hand parked events to their handlers again, once the cause is fixed (one that fails again is parked again)."""
    retried = [
        parked_id
        for name in ([service] if service else EVENT_HANDLING_SERVICES)
        for parked_id in ctx.rpc(name, "retry_parked_events", {"ids": list(ids)} if ids else {})["retried"]
    ]
    click.echo(f"{len(retried)} handed to their handlers again")
    for parked_id in retried:
        click.echo(f"  {parked_id}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", required=True, help="alibaba, made_in_china, trade_show, or a .yaml path")
@click.option("--api", default="http://127.0.0.1:8000", show_default=True)
@click.option("--token", envvar="BATON_TOKEN", required=True, help="A marketing or integration user's token.")
@click.option("--wait", default=120.0, show_default=True, help="Seconds to wait for filing.")
@click.option("--into-pool", is_flag=True, help="Leave the new customers in the public pool, unallocated (a backlog).")
def import_command(file, mapping, api, token, wait, into_pool):
    """Import an inquiry file (CSV or XLSX) through the API; importing it again changes nothing."""
    from cli.import_file import main as import_main

    code = import_main(
        [file, "--mapping", mapping, "--api", api, "--token", token, "--wait", str(wait)]
        + (["--into-pool"] if into_pool else [])
    )
    sys.exit(code)


@main.group(help="The public pool (公海).")
def pool():
    pass


@pool.command("list")
@click.option(
    "--state",
    default="public_pool",
    show_default=True,
    type=click.Choice(["public_pool", "dormant", "rejected", "owned"]),
)
@click.option("--country")
@click.option("--grade", type=click.Choice(["A", "B", "C"]))
@click.option("--reason", help="Why it is there, by its start: released, recycled, nobody eligible…")
@click.option("--owner")
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
def list_pool(ctx, state, country, grade, reason, owner, limit):
    query = {"state": state, "limit": limit, "country": country, "grade": grade, "reason": reason, "owner_id": owner}
    page = ctx.rpc("pool", "search_pool", {k: v for k, v in query.items() if v is not None})
    click.echo(f"{page['total']} {state.replace('_', ' ')} customer(s)")
    for item in page["items"]:
        country = item.get("country_code") or item.get("country") or "--"
        click.echo(
            f"  {item['customer_id']}  {item.get('company') or '?'}  {country}  "
            f"grade {item.get('intent_grade') or '-'}  {item['owner_id'] or ''}  {item['reason']}"
        )


@pool.command("sweep")
@click.pass_obj
def sweep(ctx):
    """Run the recycling sweep now: warnings, returns to the pool, dormancy."""
    result = ctx.rpc("pool", "run_sweep")
    click.echo(f"warned {result['warned']}, returned {result['returned']}, moved to dormant {result['dormant']}")


# --- reports ----------------------------------------------------------------------------------

# What each backfill fills in: (service, RPC, what it goes through).
BACKFILLS = (("profile", "backfill_report_facts", "archives"), ("pool", "backfill_report_keys", "rejected holdings"))


@main.group(help="The reports (GET /reports/...).")
def reports():
    pass


def in_batches(ctx, service: str, method: str, batch: int) -> tuple[int, int]:
    """Call a backfill RPC (``{after, limit}`` -> ``{examined, written, next_after}``) until it has
    gone through everything; answers (examined, written)."""
    examined = written = 0
    after = None
    while True:
        result = ctx.rpc(service, method, {"after": after, "limit": batch})
        examined, written, after = examined + result["examined"], written + result["written"], result["next_after"]
        if after is None:
            return examined, written


@reports.command("backfill")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 2000), help="Records per RPC.")
@click.pass_obj
def backfill_reports(ctx, batch):
    """Note what the reports read for data from before reports existed: inquiries, quotes,
    samples and lost stages of existing archives, and rejected customers in the pool. Safe to run
    again: what is noted already stays as it is."""
    for service, method, what in BACKFILLS:
        examined, written = in_batches(ctx, service, method, batch)
        click.echo(f"{service}: {examined} {what} examined, {written} report records written")


# --- countries --------------------------------------------------------------------------------

# What the country backfill fills in: (service, RPC, what it goes through).
COUNTRY_BACKFILLS = (("profile", "backfill_country_codes", "archives"), ("pool", "backfill_country_codes", "holdings"))


@main.group(help="Countries as customers wrote them, and the ISO codes recognised in them.")
def countries():
    pass


@countries.command("unknown")
@click.pass_obj
def unknown_countries(ctx):
    """Countries customers wrote that name no country (or two), most customers first: map each in
    BATON.countries.aliases (then `baton config load` and `baton countries backfill`)."""
    items = ctx.rpc("profile", "unknown_countries")["items"]
    for item in items:
        also = [s for s in item["spellings"] if s != item["country"]]
        click.echo(
            f"  {item['country']!r}: {item['customers']} customers"
            + (f" (also written {', '.join(map(repr, also))})" if also else "")
            + f", e.g. {', '.join(item['customer_ids'][:3])}"
        )
    click.echo(f"{len(items)} unknown spellings")


@countries.command("backfill")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 2000), help="Records per RPC.")
@click.pass_obj
def backfill_countries(ctx, batch):
    """Read the country of every archive and holding again and keep its ISO code: for data from
    before country codes, and after BATON.countries.aliases changed. Safe to run again."""
    for service, method, what in COUNTRY_BACKFILLS:
        examined, written = in_batches(ctx, service, method, batch)
        click.echo(f"{service}: {examined} {what} examined, {written} given a country code")


# --- customers --------------------------------------------------------------------------------


@main.group(help="Customer archives as profile keeps them.")
def customers():
    pass


@customers.command("rekey")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 2000), help="Archives per RPC.")
@click.pass_obj
def rekey_customers(ctx, batch):
    """Rewrite every archive's matching keys as this version makes them (a website and an email's
    domain are one key; names folded for accents, transliterations and more legal forms), so
    archives stored before are still found. Safe to run again."""
    examined, written = in_batches(ctx, "profile", "backfill_match_keys", batch)
    click.echo(f"profile: {examined} archives examined, {written} rekeyed")


# --- contracts and plugins -------------------------------------------------------------------


@main.group(help="The published contracts.")
def schemas():
    pass


@schemas.command("export")
@click.argument("directory", type=click.Path(file_okay=False), default="contracts/jsonschema")
def export_schemas(directory):
    """Write every contract as JSON Schema (for integrations in any language)."""
    from contracts.jsonschema import main as export_main

    sys.exit(export_main([directory]))


@main.group(help="Installed plugins.")
def plugins():
    pass


@plugins.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def check_plugins(ctx, as_json):
    """Load the enabled plugins as a service would and try their declarations."""
    from plugins.errors import PluginLoadError
    from plugins.host import PluginHost

    try:
        report = PluginHost.from_config(ctx.config()).health()
    except PluginLoadError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for entry in report:
            state = "ok" if not entry["problems"] else "FAILING"
            click.echo(f"{entry['name']}: {state} ({', '.join(entry['hooks']) or 'no hooks'})")
            for problem in entry["problems"]:
                click.echo(f"  {problem}")
    if any(entry["problems"] for entry in report):
        sys.exit(1)


def _describe(user):
    where = " ".join(filter(None, [user.get("department"), user["role"]]))
    team = f", team {user['team']}" if user.get("team") else ""
    return f"{user['id']} ({user['name']}: {where}{team})"


def _error_line(error):
    fields = (error.details or {}).get("fields")
    if fields:
        return f"{error.message} " + "; ".join(f"{name}: {reasons}" for name, reasons in fields.items())
    return error.message


if __name__ == "__main__":
    main(prog_name=os.environ.get("BATON_PROG", "baton"))
