#!/usr/bin/env python3
"""A throw-away PostgreSQL cluster for Communis's tests. Python 3 standard library only.

Command line (kept stable: Sources/CommunisTesting/PostgresServer.swift and the browser/cluster
tests in Tests/e2e use it):

  pgcluster.py start  --dir DIR [--port P] [--watch-pid PID]
  pgcluster.py stop   --dir DIR
  pgcluster.py createdb --dir DIR --name NAME [--template T]

start     Runs Debian's initdb (as the `postgres` user when run as root: PostgreSQL refuses
          root) into DIR/data with superuser `communis`, trust authentication on 127.0.0.1 and
          a socket in DIR, UTF-8 and the C.UTF-8 locale, then starts the server on port P (a
          free one when not given) with fsync off (a test cluster: speed over durability),
          waits until it answers and prints ONE line of JSON, leaving it running:
            {"port", "host", "user", "socketDir", "url", "dir", "pid", "log"}
          where url is postgres://communis@127.0.0.1:P/postgres?sslmode=disable.
          --watch-pid: stop the cluster and remove DIR when the process PID ends.
stop      Stops the cluster of DIR at once (-m immediate) and removes DIR.
createdb  Creates database NAME (from TEMPLATE when given) and prints its URL.

Exit status 0 on success; otherwise a message on stderr says what failed.
"""
import argparse
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time


def fail(message):
    print(f"pgcluster.py: {message}", file=sys.stderr)
    sys.exit(1)


def bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0)
    if not found:
        fail("no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)")
    return found[-1]


def as_owner(argv):
    """PostgreSQL refuses to run as root: run its programs as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + argv
    return argv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(directory):
    try:
        with open(os.path.join(directory, "cluster.json")) as f:
            return json.load(f)
    except OSError:
        fail(f"no cluster was started in {directory}")


def start(args):
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        os.chmod(directory, 0o700)
    data = os.path.join(directory, "data")
    log = os.path.join(directory, "postgres.log")
    binaries = bindir()
    result = subprocess.run(as_owner([f"{binaries}/initdb", "-D", data, "-U", "communis", "--auth=trust", "-E", "UTF8",
                                      "--locale=C.UTF-8", "-N"]), capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"initdb failed: {result.stderr.strip()}")
    port = args.port or free_port()
    options = (f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               f"-c full_page_writes=off -c max_connections=1000 -c shared_buffers=64MB")
    result = subprocess.run(as_owner([f"{binaries}/pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]),
                            capture_output=True, text=True)
    if result.returncode != 0:
        tail = open(log).read()[-2000:] if os.path.exists(log) else ""
        fail(f"the server did not start: {result.stderr.strip()} {tail}")
    with open(os.path.join(data, "postmaster.pid")) as f:
        pid = int(f.readline().strip())
    info = {"port": port, "host": "127.0.0.1", "user": "communis", "socketDir": directory,
            "url": f"postgres://communis@127.0.0.1:{port}/postgres?sslmode=disable", "dir": directory, "pid": pid, "log": log}
    with open(os.path.join(directory, "cluster.json"), "w") as f:
        json.dump(info, f)
    if args.watch_pid:
        subprocess.Popen([sys.executable, os.path.abspath(__file__), "watch", "--dir", directory, "--pid", str(args.watch_pid)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    print(json.dumps(info), flush=True)


def stop(args):
    directory = os.path.abspath(args.dir)
    if not os.path.exists(os.path.join(directory, "cluster.json")):
        return
    subprocess.run(as_owner([f"{bindir()}/pg_ctl", "-D", os.path.join(directory, "data"), "-m", "immediate", "-w", "stop"]),
                   capture_output=True, text=True)
    shutil.rmtree(directory, ignore_errors=True)


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def watch(args):
    while alive(args.pid) and os.path.exists(os.path.join(os.path.abspath(args.dir), "cluster.json")):
        time.sleep(0.5)
    stop(args)


def createdb(args):
    info = load(os.path.abspath(args.dir))
    sql = f'CREATE DATABASE "{args.name}"' + (f' TEMPLATE "{args.template}"' if args.template else "")
    for attempt in range(50):
        result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(info["port"]), "-U", "communis", "-d", "postgres",
                                 "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], capture_output=True, text=True)
        if result.returncode == 0:
            break
        # A template in use by another connection (its last session closing) is retried.
        if "is being accessed by other users" not in result.stderr:
            fail(f"createdb failed: {result.stderr.strip()}")
        time.sleep(0.1)
    else:
        fail(f"createdb failed: template {args.template} stayed in use")
    print(f"postgres://communis@127.0.0.1:{info['port']}/{args.name}?sslmode=disable", flush=True)


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description="A throw-away PostgreSQL cluster for tests.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("start")
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--watch-pid", type=int, default=0)
    p = sub.add_parser("stop")
    p.add_argument("--dir", required=True)
    p = sub.add_parser("watch")
    p.add_argument("--dir", required=True)
    p.add_argument("--pid", type=int, required=True)
    p = sub.add_parser("createdb")
    p.add_argument("--dir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--template", default="")
    args = parser.parse_args()
    {"start": start, "stop": stop, "watch": watch, "createdb": createdb}[args.command](args)


if __name__ == "__main__":
    main()
