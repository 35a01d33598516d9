"""Runs the whole system: the embedded document store (unless BATON_MONGO_URI is given), the
five services and the gateway, each in its own process, restarted whenever it exits.

``python -m deploy.supervisor`` (what ``scripts/run`` calls). Ctrl-C stops everything.
"""
import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from deploy.docstore import Docstore

REPO = Path(__file__).resolve().parents[1]
SERVICES = [
    "services.intake.service",
    "services.profile.service",
    "services.handoff.service",
    "services.pool.service",
    "services.notification.service",
    "services.gateway.service",
]
FIRST_BACKOFF_SECONDS = 1
MAX_BACKOFF_SECONDS = 30
STABLE_AFTER_SECONDS = 60      # a child up this long has its backoff reset
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10
POLL_SECONDS = 0.5


def say(message):
    print(f"baton: {message}", flush=True)


class ChildProcess:
    """One service process, restarted with exponential backoff when it exits."""

    def __init__(self, name, command, env, log_file):
        self.name, self.command, self.env, self.log_file = name, command, env, log_file
        self.process = None
        self.started_at = 0.0
        self.backoff = FIRST_BACKOFF_SECONDS
        self.restart_at = None

    def start(self):
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=REPO, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.started_at = time.monotonic()
        self.restart_at = None

    def tend(self):
        """Notice an exit and schedule, or perform, the restart."""
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                say(f"restarting {self.name}")
                self.start()
            return
        code = self.process.poll()
        if code is None:
            if now - self.started_at > STABLE_AFTER_SECONDS:
                self.backoff = FIRST_BACKOFF_SECONDS
            return
        say(f"{self.name} exited with code {code}; restarting in {self.backoff} s (log: {self.log_file})")
        self.restart_at = now + self.backoff
        self.backoff = min(self.backoff * 2, MAX_BACKOFF_SECONDS)

    def terminate(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait_or_kill(self, deadline):
        if self.process is None:
            return
        try:
            self.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Supervisor:
    def __init__(self, services, config, data_dir, http_address):
        self.services, self.config = services, config
        self.data_dir, self.http_address = data_dir, http_address
        self.log_dir = data_dir / "log"
        self.docstore = None
        self.children = []
        self.stopping = False

    def run(self):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, BATON_MONGO_URI=self._document_store_uri(), BATON_HTTP_ADDRESS=self.http_address)
        for module in self.services:
            name = module.split(".")[1]
            command = [sys.executable, "-m", "nameko", "run", "--config", str(self.config), module]
            self.children.append(ChildProcess(name, command, env, self.log_dir / f"{name}.log"))
        for child in self.children:
            child.start()
        say(f"started {', '.join(c.name for c in self.children)}; logs in {self.log_dir}")
        self._announce_when_ready()
        while not self.stopping:
            self._tend()
            time.sleep(POLL_SECONDS)
        self._stop()

    def request_stop(self, *_signal_args):
        self.stopping = True

    def _document_store_uri(self):
        if os.environ.get("BATON_MONGO_URI"):
            say(f"using MongoDB at {os.environ['BATON_MONGO_URI']}")
            return os.environ["BATON_MONGO_URI"]
        port = int(os.environ.get("BATON_DOCSTORE_PORT", "27117"))
        self.docstore = Docstore(self.data_dir / "docstore", port=port, log_file=self.log_dir / "docstore.log")
        self.docstore.start()
        say(f"embedded document store at {self.docstore.uri()} (data in {self.docstore.data_dir})")
        return self.docstore.uri()

    def _announce_when_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        url = f"http://{self.http_address}/health"
        while time.monotonic() < deadline and not self.stopping:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        say(f"Baton API: http://{self.http_address}/   (Ctrl-C stops everything)")
                        return
            except OSError:
                pass
            self._tend()
            time.sleep(POLL_SECONDS)
        if not self.stopping:
            gateway_log = self.log_dir / "gateway.log"
            tail = gateway_log.read_text(errors="replace").splitlines()[-15:] if gateway_log.exists() else []
            say(f"the API did not answer at {url} within {READY_TIMEOUT_SECONDS} s; still trying. Gateway log:")
            print("\n".join(tail), flush=True)

    def _tend(self):
        if self.docstore is not None and not self.docstore.running:
            say("the document store exited; restarting it")
            self.docstore.start()
        for child in self.children:
            child.tend()

    def _stop(self):
        say("stopping")
        for child in self.children:
            child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children:
            child.wait_or_kill(deadline)
        if self.docstore is not None:
            self.docstore.stop()
        say("stopped")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.supervisor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", help="comma-separated subset, e.g. intake,profile (default: all)")
    args = parser.parse_args(argv)
    services = SERVICES
    if args.services:
        wanted = set(args.services.split(","))
        services = [m for m in SERVICES if m.split(".")[1] in wanted]
        unknown = wanted - {m.split(".")[1] for m in services}
        if unknown:
            parser.error(f"unknown service(s): {', '.join(sorted(unknown))}")
    supervisor = Supervisor(
        services,
        config=Path(os.environ.get("BATON_CONFIG", REPO / "deploy" / "config.yaml")),
        data_dir=Path(os.environ.get("BATON_DATA_DIR", REPO / "var")).resolve(),
        http_address=os.environ.get("BATON_HTTP_ADDRESS", "127.0.0.1:8000"),
    )
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    supervisor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
