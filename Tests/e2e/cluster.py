"""A Communis cluster for end-to-end tests: one throw-away PostgreSQL, several `communis serve`
nodes on it and a real nginx in front of them (round-robin, WebSocket proxying, no sticky
sessions), all as child processes of the test run.

- `Postgres` (one per test module): `Tests/Fixtures/postgres/pgcluster.py start` on a free port,
  then a template database `communis_template` that `communis migrate` has created and
  `communis user add` has filled with an administrator and the members in `PEOPLE`. Every
  cluster gets a fresh copy of it (`CREATE DATABASE … TEMPLATE`), so clusters never share state
  (periodic-job claims, heartbeats, logs) and need no migration of their own.
- `Cluster`: nodes "a", "b", "c" (`COMMUNIS_CLUSTER_NODE_ID`), each with its own data folder and
  the same recordings folder, started in parallel and waited for on `GET /healthz`, plus nginx
  (`/usr/sbin/nginx`, override with NGINX_BIN) started with `-p PREFIX -c CONF -g 'daemon off;'`
  from `Tests/Fixtures/nginx/cluster.conf.template`. Every node's `server.public_url` is the
  nginx address: a browser's Origin there is accepted by every node, and clients that talk to
  one node directly send that Origin too (`Cluster.live`).
- `Member`: a logged-in person (`livekit.User`) whose HTTP calls go to one endpoint (a node or
  nginx); `member.via(endpoint)` is the same session at another endpoint (sessions live in the
  shared database).
- `Cluster.report()`: every node's log, nginx's error and access logs, for assertion messages;
  `explained` (a decorator for tests taking a `cluster` argument) appends it to any failure.

Everything started is stopped at the end of the test, and by atexit if the run dies first.
"""
from __future__ import annotations

import atexit
import concurrent.futures
import copy
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Callable, Iterable

from conftest import REPO, _free_port, _healthy
from livekit import BASE_ENV, Live, User
from serverproc import BINARY

PGCLUSTER = REPO / "Tests" / "Fixtures" / "postgres" / "pgcluster.py"
NGINX_TEMPLATE = REPO / "Tests" / "Fixtures" / "nginx" / "cluster.conf.template"
NGINX = Path(os.environ.get("NGINX_BIN", "/usr/sbin/nginx"))
STARTUP_TIMEOUT_S = 60
PASSWORD = "Klustertest-2026"
ADMIN = "admin@cluster.test"
# short name → (e-mail, full name); all are ordinary members
PEOPLE = {
    "xenia": ("xenia.ek@cluster.test", "Xenia Ek"),
    "yusuf": ("yusuf.berg@cluster.test", "Yusuf Berg"),
    "zara": ("zara.holm@cluster.test", "Zara Holm"),
}
# Variables of the test run that the server must not see (it refuses unknown COMMUNIS_ ones).
_NOT_FOR_SERVER = {"COMMUNIS_BIN", "COMMUNIS_CHROMIUM"}


def _run(argv: list[str], what: str, timeout: float = 120) -> str:
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{what} failed with exit status {result.returncode}\n"
                             f"command: {' '.join(argv)}\nstdout: {result.stdout}\nstderr: {result.stderr}")
    return result.stdout


def _tail(path: Path, chars: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no file)"
    return text if len(text) <= chars else "…" + text[-chars:]


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple[int, str]:
    """Status and body of a GET without cookies (errors are answers, not exceptions)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


# --------------------------------------------------------------------------- PostgreSQL

class Postgres:
    """One throw-away PostgreSQL server with a migrated, populated template database."""

    TEMPLATE = "communis_template"

    def __init__(self) -> None:
        if not BINARY.is_file() or not os.access(BINARY, os.X_OK):
            raise AssertionError(f"Communis server binary not found or not executable at {BINARY}. "
                                 "Build it (swift build) or point COMMUNIS_BIN at it.")
        # Not under a mkdtemp folder: as root, pgcluster.py hands DIR to the postgres user,
        # who must be able to reach it.
        self.dir = Path(tempfile.gettempdir()) / f"communis-cluster-pg-{uuid.uuid4().hex[:10]}"
        atexit.register(self.stop)
        out = _run([sys.executable, str(PGCLUSTER), "start", "--dir", str(self.dir), "--watch-pid", str(os.getpid())],
                   "pgcluster.py start")
        self.info = json.loads(out.strip().splitlines()[-1])
        self.databases = 0
        self.template_url = self._createdb(self.TEMPLATE)
        _run([str(BINARY), "migrate", "--storage-url", self.template_url], "communis migrate")
        accounts = [(ADMIN, "Klara Administratör", True)] + [(email, name, False) for email, name in PEOPLE.values()]
        with concurrent.futures.ThreadPoolExecutor(len(accounts)) as pool:
            list(pool.map(lambda account: _run(
                [str(BINARY), "user", "add", "--storage-url", self.template_url, "--email", account[0],
                 "--name", account[1], "--password", PASSWORD, *(["--admin"] if account[2] else [])],
                f"communis user add {account[0]}"), accounts))

    def _createdb(self, name: str, template: str = "") -> str:
        argv = [sys.executable, str(PGCLUSTER), "createdb", "--dir", str(self.dir), "--name", name]
        if template:
            argv += ["--template", template]
        return _run(argv, f"pgcluster.py createdb {name}").strip().splitlines()[-1]

    def fresh_database(self) -> str:
        """The URL of a new database holding the template's schema and accounts."""
        self.databases += 1
        return self._createdb(f"cluster_{os.getpid()}_{self.databases}", self.TEMPLATE)

    def log(self, chars: int = 4000) -> str:
        return _tail(Path(self.info["log"]), chars) if hasattr(self, "info") else "(not started)"

    def stop(self) -> None:
        if self.dir.exists():
            subprocess.run([sys.executable, str(PGCLUSTER), "stop", "--dir", str(self.dir)], capture_output=True, timeout=60)


# --------------------------------------------------------------------------- endpoints

class Endpoint:
    """Somewhere HTTP and WebSocket clients connect: a node or nginx. Has what `livekit.User`
    and `livekit.Live` use from a server (`base`, `port`)."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def __repr__(self) -> str:
        return f"<{self.name} {self.base}>"

    def health(self, timeout: float = 5) -> tuple[int, dict | str]:
        status, body = http_get(self.base + "/healthz", timeout=timeout)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body


class Node(Endpoint):
    """One `communis serve` process of the cluster."""

    def __init__(self, node_id: str, workdir: Path, storage_url: str, recordings: Path, public_url: str,
                 extra_env: dict[str, str]) -> None:
        super().__init__(f"node {node_id}", _free_port())
        self.id = node_id
        self.data_dir = workdir / f"node-{node_id}"
        self.data_dir.mkdir(parents=True)
        self.log_path = workdir / f"node-{node_id}.log"
        self.log_file = open(self.log_path, "wb")
        env = {key: value for key, value in os.environ.items() if key not in _NOT_FOR_SERVER}
        env.update(BASE_ENV)
        env.update({
            "COMMUNIS_CLUSTER_NODE_ID": node_id,
            "COMMUNIS_SERVER_PUBLIC_URL": public_url,
            "COMMUNIS_SERVER_TRUSTED_PROXIES": "127.0.0.1",
        })
        env.update(extra_env)
        self.command = [str(BINARY), "serve", "--storage-url", storage_url, "--host", "127.0.0.1", "--port", str(self.port),
                        "--data-dir", str(self.data_dir), "--recordings-dir", str(recordings),
                        # The documents' files, like the recordings, are storage every node shares.
                        "--documents-dir", str(recordings.parent / "documents")]
        self.proc = subprocess.Popen(self.command, cwd=REPO, stdout=self.log_file, stderr=subprocess.STDOUT, env=env)
        self.killed = False

    def log(self, chars: int = 12000) -> str:
        return _tail(self.log_path, chars)

    def running(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no goodbye to the database or the other nodes, sockets reset by the kernel."""
        self.killed = True
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.running():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log_file.close()

    def state(self) -> str:
        code = self.proc.poll()
        if code is None:
            return "running"
        return f"killed by the test (exit {code})" if self.killed else f"EXITED with {code}"


class Nginx(Endpoint):
    """Debian's nginx as a foreground child process on its own prefix folder."""

    def __init__(self, workdir: Path, port: int, nodes: Iterable[Node], max_fails: int = 1, fail_timeout_s: int = 10) -> None:
        super().__init__("nginx", port)
        if not NGINX.is_file():
            raise AssertionError(f"nginx not found at {NGINX} (apt-get install nginx-light, or set NGINX_BIN)")
        self.prefix = workdir / "nginx"
        for sub in ("temp/client_body", "temp/proxy", "temp/fastcgi", "temp/uwsgi", "temp/scgi", "logs"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{node.port} max_fails={max_fails} fail_timeout={fail_timeout_s}s;  # node {node.id}"
                            for node in nodes)
        text = (NGINX_TEMPLATE.read_text()
                .replace("@@USER@@", "user root root;" if os.geteuid() == 0 else "")
                .replace("@@PREFIX@@", str(self.prefix))
                .replace("@@PORT@@", str(port))
                .replace("@@SERVERS@@", servers))
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(text)
        self.error_log = self.prefix / "error.log"
        self.access_log = self.prefix / "access.log"
        self.stdout_path = self.prefix / "stdout.log"
        base = [str(NGINX), "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.error_log)]
        checked = subprocess.run(base + ["-g", "daemon off;", "-t"], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise AssertionError(f"nginx -t refused the configuration:\n{checked.stderr}\n--- {self.conf} ---\n{text}")
        self.stdout = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(base + ["-g", "daemon off;"], stdout=self.stdout, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def listening(self) -> bool:
        import socket
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def log(self, chars: int = 6000) -> str:
        return (f"--- nginx error.log ---\n{_tail(self.error_log, chars)}\n"
                f"--- nginx access.log ---\n{_tail(self.access_log, chars)}\n"
                f"--- nginx stdout/stderr ---\n{_tail(self.stdout_path, 2000)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # fast shutdown of master and workers
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.stdout.close()


# --------------------------------------------------------------------------- people

class Member(User):
    """A logged-in person whose HTTP calls go to `server` (a node or nginx)."""

    def __init__(self, endpoint: Endpoint, email: str, password: str = PASSWORD) -> None:
        super().__init__(endpoint, email, password)  # type: ignore[arg-type]

    def via(self, endpoint: Endpoint) -> "Member":
        """The same session (cookies, CSRF token), calling `endpoint`."""
        other = copy.copy(self)
        other.server = endpoint  # type: ignore[assignment]
        return other

    def metrics(self) -> str:
        """`GET /api/v1/admin/metrics` as Prometheus text (administrators)."""
        request = urllib.request.Request(self.server.base + "/api/v1/admin/metrics")
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"GET /api/v1/admin/metrics on {self.server.name}: {error.code} "
                                 f"{error.read().decode(errors='replace')}") from None


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)')


def metric_samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of metric `name` in Prometheus text: (labels, value)."""
    found = []
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if not match or match.group(1) != name:
            continue
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        found.append((labels, float(match.group(3))))
    return found


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of the one sample of `name` with these labels, None when there is none."""
    for sample_labels, value in metric_samples(text, name):
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return value
    return None


# --------------------------------------------------------------------------- the cluster

class Cluster:
    """Nodes on one fresh database behind nginx. Use as a context manager or call stop()."""

    def __init__(self, postgres: Postgres, node_ids: Iterable[str] = ("a", "b", "c"),
                 env: dict[str, str] | None = None) -> None:
        self.postgres = postgres
        self.workdir = Path(tempfile.mkdtemp(prefix="communis-cluster-"))
        self.recordings = self.workdir / "recordings"   # shared by every node
        self.recordings.mkdir()
        self.nodes: dict[str, Node] = {}
        self.nginx: Nginx | None = None
        self.stopped = False
        atexit.register(self.stop)
        self.storage_url = postgres.fresh_database()
        nginx_port = _free_port()
        self.public_url = f"http://127.0.0.1:{nginx_port}"
        started = time.monotonic()
        try:
            for node_id in node_ids:   # all started before any is waited for
                self.nodes[node_id] = Node(node_id, self.workdir, self.storage_url, self.recordings, self.public_url, env or {})
            self.nginx = Nginx(self.workdir, nginx_port, self.nodes.values())
            self._wait_started(started)
        except BaseException:
            self.stop()
            raise
        self.sessions: dict[str, Member] = {}

    def _wait_started(self, started: float) -> None:
        waiting = set(self.nodes)
        while waiting or not self.nginx.listening():
            for node_id in sorted(waiting):
                node = self.nodes[node_id]
                if not node.running():
                    raise AssertionError(f"node {node_id} exited with {node.proc.returncode} before /healthz answered.\n"
                                         f"command: {' '.join(node.command)}\n{self.report()}")
                if _healthy(node.base):
                    waiting.discard(node_id)
            if self.nginx.proc.poll() is not None:
                raise AssertionError(f"nginx exited with {self.nginx.proc.returncode}.\n{self.report()}")
            if time.monotonic() - started > STARTUP_TIMEOUT_S:
                raise AssertionError(f"nodes {sorted(waiting)} did not answer GET /healthz with 200 within "
                                     f"{STARTUP_TIMEOUT_S} s.\n{self.report()}")
            time.sleep(0.1)
        self.startup_seconds = time.monotonic() - started

    # -- access
    def __getitem__(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def endpoint(self, where: str | Endpoint) -> Endpoint:
        if isinstance(where, Endpoint):
            return where
        return self.nginx if where == "nginx" else self.nodes[where]

    def member(self, name: str, via: str | Endpoint = "nginx") -> Member:
        """`name` ("admin" or a key of PEOPLE) logged in (once per cluster), calling `via`."""
        if name not in self.sessions:
            email = ADMIN if name == "admin" else PEOPLE[name][0]
            self.sessions[name] = Member(self.endpoint(via), email)
        return self.sessions[name].via(self.endpoint(via))

    def live(self, member: Member, via: str | Endpoint, **kwargs) -> Live:
        """A live connection of `member` to a node directly or through nginx, with the Origin a
        browser on the public address sends."""
        endpoint = self.endpoint(via)
        return Live(endpoint, session=member.session, origin=self.public_url, **kwargs)  # type: ignore[arg-type]

    def kill(self, node_id: str) -> None:
        self.nodes[node_id].kill()

    # -- diagnostics
    def report(self, chars_per_node: int = 12000) -> str:
        parts = [f"=== cluster in {self.workdir}; database {getattr(self, 'storage_url', '?')}; public URL "
                 f"{getattr(self, 'public_url', '?')} ==="]
        for node in self.nodes.values():
            parts.append(f"--- node {node.id} ({node.base}, pid {node.proc.pid}, {node.state()}) log {node.log_path} ---\n"
                         f"{node.log(chars_per_node)}")
        if self.nginx is not None:
            parts.append(self.nginx.log())
        parts.append(f"--- postgres log ---\n{self.postgres.log(3000)}")
        return "\n".join(parts)

    # -- lifetime
    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.nginx is not None:
            self.nginx.stop()
        with concurrent.futures.ThreadPoolExecutor(max(len(self.nodes), 1)) as pool:
            list(pool.map(lambda node: node.stop(), self.nodes.values()))
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def explained(test: Callable) -> Callable:
    """For a test taking a `cluster` argument: any failure carries the cluster's logs."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        cluster: Cluster = kwargs["cluster"]
        try:
            return test(*args, **kwargs)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n\n{cluster.report()}") from failure
        except Exception as failure:  # a dropped connection, a timeout: the logs say why
            raise AssertionError(f"{type(failure).__name__}: {failure}\n\n{cluster.report()}") from failure

    return run


def wait_for(check: Callable[[], object], timeout: float, interval: float = 0.2, what: str = "condition"):
    """Polls `check` until it returns something truthy; returns it, else fails naming `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = check()
        except AssertionError as failure:
            last = failure
        if last and not isinstance(last, AssertionError):
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")
        time.sleep(interval)
