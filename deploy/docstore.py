"""The embedded document store: nx-27017 (a MongoDB wire-protocol server on SQLite) as a child process.

Used when no ``BATON_MONGO_URI`` points at a real MongoDB, and by the tests. Everything else
talks plain pymongo to ``uri()``, so production only changes the URI.

    with Docstore(Path("var/docstore")) as store:
        MongoClient(store.uri()).baton.customers.find_one()
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

from pymongo import MongoClient
from pymongo.errors import PyMongoError

START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10

# nx-27017 logs every command at INFO. logging.disable() is global and survives the
# basicConfig() and handlers that nx-27017's main() sets up, so only warnings and errors remain.
# Its SIGTERM handler exits from inside the event loop, and asyncio then logs a traceback for
# every open connection; at that point they are expected, so the launcher silences asyncio first.
# The launcher also asks for SIGTERM when its parent dies (as die_with_parent does), here rather
# than in a preexec_fn because the parent may be a test process with threads.
LAUNCHER = (
    "import ctypes, logging, sys\n"
    "try:\n"
    "    ctypes.CDLL(None).prctl(1, 15)\n"  # PR_SET_PDEATHSIG, SIGTERM
    "except (AttributeError, OSError):\n"
    "    pass\n"
    "logging.disable(logging.INFO)\n"
    "from nx_27017 import daemon\n"
    "from nx_27017.nx_27017 import main\n"
    "def exit_quietly(signum, frame):\n"
    "    logging.getLogger('asyncio').setLevel(logging.CRITICAL)\n"
    "    sys.exit(0)\n"
    "daemon._signal_exit_handler = exit_quietly\n"
    "sys.argv[0] = 'nx_27017'\n"
    "sys.exit(main())\n"
)
PID_FILE_NAME = "nx-27017.pid"


def copy_database_file(source: Path, target: Path) -> None:
    """SQLite's online backup of one database file: a consistent copy even while it is written."""
    import sqlite3
    from contextlib import closing

    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)


def table_names(file: Path) -> set[str]:
    """The collections (tables) of one database file of the embedded store."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True, timeout=30)) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """For ``preexec_fn``: the child gets ``signum`` when the process that started it dies.

    So a supervisor killed with SIGKILL leaves no process holding ports or data directories.
    Linux only; elsewhere a no-op. (The signal follows the *thread* that started the child.)
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signum))  # 1 = PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass


class Docstore:
    """One nx-27017 server keeping its databases in ``data_dir`` (one SQLite file each)."""

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 27117, log_file: Path | None = None):
        self.data_dir = Path(data_dir).resolve()
        self.host = host
        self.port = port
        self.log_file = Path(log_file).resolve() if log_file else self.data_dir / "docstore.log"
        self.pid_file = self.data_dir / PID_FILE_NAME
        self.process: subprocess.Popen | None = None

    def uri(self, database: str = "baton") -> str:
        return f"mongodb://{self.host}:{self.port}/{database}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> Self:
        """Spawn the server and return once it answers ``ping``; RuntimeError (with its log) if not."""
        if self.running:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._clear_stale_pid_file()
        # Otherwise a foreign server on the port would answer our ping and look like ours.
        if port_in_use(self.host, self.port):
            raise RuntimeError(
                f"cannot start the document store: {self.host}:{self.port} is already in use "
                "(choose another port, e.g. with BATON_DOCSTORE_PORT)"
            )
        command = [
            sys.executable,
            "-c",
            LAUNCHER,
            "--data-dir",
            str(self.data_dir),
            "--host",
            self.host,
            "-p",
            str(self.port),
            "--pid-file",
            str(self.pid_file),
            # nx-27017 would write every record both to this file and to stderr; stderr
            # alone (below) also catches tracebacks from before its logging is set up.
            "--log-file",
            os.devnull,
        ]
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_SECONDS."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # A killed server cannot remove its pid file; a stale one would block the next start.
        if self._pid_in_file() == self.process.pid:
            self.pid_file.unlink(missing_ok=True)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"the document store exited at start (log: {self.log_file}):\n{self.log_tail()}")
            try:
                client: MongoClient = MongoClient(self.uri(), serverSelectionTimeoutMS=500, connectTimeoutMS=500)
                with client:
                    client.admin.command("ping")
                return
            except PyMongoError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"the document store did not answer within {START_TIMEOUT_SECONDS} s "
            f"(log: {self.log_file}):\n{self.log_tail()}"
        )

    def _clear_stale_pid_file(self) -> None:
        """nx-27017 refuses to start while its pid file names a live process.

        A pid file left by a server that was killed is removed. A server still running on this
        data directory is an orphan of an earlier run (two servers on one set of SQLite files
        would be worse), so it is stopped.
        """
        pid = self._pid_in_file()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmdline = ""
        if "nx_27017" in cmdline and str(self.data_dir) in cmdline:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
                time.sleep(0.2)
        self.pid_file.unlink(missing_ok=True)

    def _pid_in_file(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own exited child not yet reaped) still accepts signal 0.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True
