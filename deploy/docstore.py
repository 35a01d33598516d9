"""The embedded document store: nx-27017 (a MongoDB wire-protocol server on SQLite) as a child process.

Used when no ``BATON_MONGO_URI`` points at a real MongoDB, and by the tests. Everything else
talks plain pymongo to ``uri()``, so production only changes the URI.
"""
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10

# nx-27017 logs every command at INFO; the launcher raises its loggers to WARNING.
LAUNCHER = (
    "import logging, sys\n"
    "from nx_27017.nx_27017 import main\n"
    "class Quiet(logging.Filter):\n"
    "    def filter(self, record): return record.levelno >= logging.WARNING\n"
    "_add = logging.Logger.addHandler\n"
    "def addHandler(self, handler):\n"
    "    handler.addFilter(Quiet()); _add(self, handler)\n"
    "logging.Logger.addHandler = addHandler\n"
    "logging.getLogger().addFilter(Quiet())\n"
    "sys.argv[0] = 'nx_27017'\n"
    "sys.exit(main())\n"
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Docstore:
    def __init__(self, data_dir, host="127.0.0.1", port=27117, log_file=None):
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.log_file = Path(log_file) if log_file else self.data_dir / "docstore.log"
        self.process = None

    def uri(self, database="baton"):
        return f"mongodb://{self.host}:{self.port}/{database}"

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-c", LAUNCHER, "--data-dir", str(self.data_dir), "--host", self.host,
                   "-p", str(self.port), "--log-file", str(self.log_file),
                   "--pid-file", str(self.data_dir / "nx-27017.pid")]
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"the document store exited at start:\n{self._log_tail()}")
            try:
                with MongoClient(self.uri(), serverSelectionTimeoutMS=500) as client:
                    client.admin.command("ping")
                return
            except PyMongoError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the document store did not answer within {START_TIMEOUT_SECONDS} s:\n{self._log_tail()}")

    def stop(self):
        if not self.running:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _log_tail(self, lines=20):
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
