#!/usr/bin/env python3
"""A throw-away OpenLDAP server (slapd) for Communis's tests. Python 3 standard library only.

Command line (kept stable: the Swift tests, Sources/CommunisTesting/Slapd.swift, and the browser
tests in Tests/e2e use it):

  slapd.py start   --dir DIR [--flavor openldap|ad] [--port P] [--ldaps-port P2] [--bulk N] [--watch-pid PID]
  slapd.py stop    --dir DIR
  slapd.py restart --dir DIR

start   Makes DIR, generates a CA and a server certificate (SAN IP:127.0.0.1 and DNS:localhost)
        with the openssl command, writes DIR/slapd.conf, starts slapd on 127.0.0.1 with
        ldap:// on P and ldaps:// on P2 (free ports when not given), loads the fixture LDIF
        with ldapadd (katrineholm.ldif, or katrineholm-ad.ldif for --flavor ad) and N generated
        extra people (uid/sAMAccountName bulk00001…) when --bulk is given, then prints ONE line
        of JSON and exits, leaving slapd running:
          {"pid", "url", "ldapsUrl", "caFile", "baseDN", "adminDN", "adminPassword",
           "serviceDN", "servicePassword", "dir", "logFile"}
        --watch-pid: stop slapd and remove DIR when the process PID ends without stopping it
        (a test run that crashed).
stop    Stops the slapd of DIR (SIGTERM, then SIGKILL after 10 s). The data stays in DIR.
restart Stops and starts the slapd of DIR again on the same ports with the same data and
        certificates; prints the same JSON line.

Exit status 0 on success; otherwise a message on stderr says what failed (a missing program,
a port in use, slapd's last log lines).

The server: back_mdb under base dc=katrineholm,dc=se; schemas core, cosine, inetorgperson, nis
and the ppolicy module (pwdAccountLockedTime) plus the memberof overlay for --flavor openldap;
core, cosine and ad.schema (objectGUID, sAMAccountName, userAccountControl, …) for --flavor ad.
Searches by anyone but the admin return at most 1000 entries unless paged (RFC 2696), as Active
Directory's MaxPageSize does. The service account (serviceDN) may read everything except
passwords; people may read themselves. A bind with a DN and an empty password succeeds as an
anonymous bind (`allow bind_anon_dn`), so a client that sends empty passwords is caught.
pwdAccountLockedTime marks Gunnel Ek as locked; no password policy refuses her bind.
slapd runs in the foreground with `-d stats`, so every connection, bind and search is logged
to DIR/slapd.log. Does not use Debian's own slapd instance or its configuration; runs as root
or as any user. The fixture people all have the password Katrineholm2026.

Needs: python3, slapd, ldap-utils (ldapadd, ldapsearch), openssl (Debian package names).
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_DN = "dc=katrineholm,dc=se"
ADMIN_DN = "cn=admin," + BASE_DN
ADMIN_PASSWORD = "admin-secret-2026"
SERVICE_DN = "cn=communis-service,ou=system," + BASE_DN
SERVICE_PASSWORD = "service-secret-2026"
SCHEMA_DIRS = ["/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema"]
MODULE_DIRS = ["/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap", "/usr/local/libexec/openldap"]


def fail(message):
    print("slapd.py: " + message, file=sys.stderr)
    sys.exit(1)


def program(name):
    for candidate in [shutil.which(name), "/usr/sbin/" + name, "/usr/local/sbin/" + name]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    fail(f"{name} is not installed (Debian: apt-get install slapd ldap-utils openssl)")


def first_existing(paths, what):
    for path in paths:
        if os.path.isdir(path):
            return path
    fail(f"no {what} directory found (looked in {', '.join(paths)})")


def run(args, **kwargs):
    result = subprocess.run(args, stdin=kwargs.pop("stdin", subprocess.DEVNULL), capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificates(directory):
    """A CA of its own per server, so a test can show that another CA is refused."""
    openssl = program("openssl")
    ca_key, ca, key = (os.path.join(directory, n) for n in ("ca.key", "ca.pem", "server.key"))
    csr, cert, ext = (os.path.join(directory, n) for n in ("server.csr", "server.pem", "server.ext"))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run([openssl, "req", "-x509", "-new", *ec, "-keyout", ca_key, "-out", ca, "-days", "30",
         "-subj", f"/O=Communis tests/CN=Test CA {uuid.uuid4().hex[:8]}",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run([openssl, "req", "-new", *ec, "-keyout", key, "-out", csr, "-subj", "/O=Communis tests/CN=localhost"])
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run([openssl, "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-out", cert, "-days", "30", "-extfile", ext])


def write_config(directory, flavor):
    schema = first_existing(SCHEMA_DIRS, "OpenLDAP schema")
    modules = first_existing(MODULE_DIRS, "OpenLDAP module")
    openldap = flavor == "openldap"
    schemas = ["core", "cosine"] + (["inetorgperson", "nis"] if openldap else [])
    lines = [f"include {schema}/{name}.schema" for name in schemas]
    if not openldap:
        lines.append(f"include {HERE}/ad.schema")
    lines += [f"modulepath {modules}", "moduleload back_mdb"]
    if openldap:
        lines += ["moduleload memberof", "moduleload ppolicy"]
    d = directory
    lines += [
        f"pidfile {d}/slapd.pid", f"argsfile {d}/slapd.args", "loglevel stats",
        # A DN with an empty password binds as anonymous and succeeds (as some directories
        # allow): a client that forwarded an empty password would let anyone in.
        "allow bind_anon_dn",
        f"TLSCACertificateFile {d}/ca.pem", f"TLSCertificateFile {d}/server.pem", f"TLSCertificateKeyFile {d}/server.key",
        "", "database mdb", f'suffix "{BASE_DN}"', f'rootdn "{ADMIN_DN}"', f"rootpw {ADMIN_PASSWORD}",
        f"directory {d}/data", "maxsize 268435456", "dbnosync",
        "index objectClass,member,entryUUID eq",
        "index uid,mail,cn eq" if openldap else "index sAMAccountName,userPrincipalName,mail,cn,objectGUID eq",
        # Active Directory's MaxPageSize: an unpaged search stops at 1000 entries with
        # sizeLimitExceeded, a paged one may read everything.
        "limits * size.soft=1000 size.hard=1000 size.pr=1000 size.prtotal=unlimited",
        "access to attrs=userPassword by self =xw by anonymous auth by * none",
        f'access to * by dn.exact="{SERVICE_DN}" read by self read by * none',
    ]
    if openldap:
        lines += ["overlay memberof", "memberof-group-oc groupOfNames", "memberof-member-ad member",
                  "memberof-memberof-ad memberOf", "memberof-refint TRUE", "overlay ppolicy"]
    with open(os.path.join(directory, "slapd.conf"), "w") as f:
        f.write("# Written by Tests/Fixtures/ldap/slapd.py\n" + "\n".join(lines) + "\n")


def bulk_ldif(flavor, count):
    """count extra people for the paging tests: bulk00001 … with mail and name."""
    entries = []
    for n in range(1, count + 1):
        login = f"bulk{n:05d}"
        name = f"Bulk Person {n:05d}"
        if flavor == "openldap":
            entries.append(f"dn: uid={login},ou=people,{BASE_DN}\nobjectClass: inetOrgPerson\nuid: {login}\n"
                           f"cn: {name}\nsn: Person {n:05d}\nmail: {login}@katrineholm.se\nou: Bulkförvaltningen\n")
        else:
            guid = base64.b64encode(uuid.uuid4().bytes).decode()
            entries.append(f"dn: cn={name},ou=people,{BASE_DN}\nobjectClass: top\nobjectClass: person\n"
                           f"objectClass: organizationalPerson\nobjectClass: user\ncn: {name}\nsn: Person {n:05d}\n"
                           f"displayName: {name}\nsAMAccountName: {login}\nuserPrincipalName: {login}@katrineholm.se\n"
                           f"mail: {login}@katrineholm.se\nobjectCategory: person\nuserAccountControl: 512\nobjectGUID:: {guid}\n")
    return "\n".join(entries)


def process_state(pid):
    """(state letter, start time) of a process, or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], fields[19]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def alive(pid):
    state = process_state(pid) if pid else None
    return state is not None and state[0] != "Z"  # an unreaped zombie is gone


def ours(pid, directory):
    """Whether pid is the slapd of directory, not a process that got its number later."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return os.path.join(directory, "slapd.conf").encode() in f.read()
    except OSError:
        return False


def load_state(directory):
    try:
        with open(os.path.join(directory, "state.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        fail(f"no slapd was started in {directory}")


def save_state(directory, state):
    with open(os.path.join(directory, "state.json"), "w") as f:
        json.dump(state, f)


def launch(directory, state):
    """Starts slapd and waits until it answers; returns its pid, or None if the port was taken."""
    slapd = program("slapd")
    ldapsearch = program("ldapsearch")
    url = f"ldap://127.0.0.1:{state['port']}"
    listen = f"{url}/ ldaps://127.0.0.1:{state['ldapsPort']}/"
    log_path = os.path.join(directory, "slapd.log")
    with open(log_path, "ab") as log:
        process = subprocess.Popen([slapd, "-f", os.path.join(directory, "slapd.conf"), "-h", listen, "-d", "stats"],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log_path, errors="replace") as f:
                tail = f.read()[-2000:]
            if "Address already in use" in tail:
                return None
            fail(f"slapd exited with {process.returncode}; the end of {log_path}:\n{tail}")
        probe = subprocess.run([ldapsearch, "-x", "-H", url, "-s", "base", "-b", "", "-o", "nettimeout=2", "(objectClass=*)", "1.1"],
                               capture_output=True, text=True, env={**os.environ, "LDAPNOINIT": "1"})
        if probe.returncode == 0:
            return process.pid
        time.sleep(0.05)
    process.kill()
    fail(f"slapd did not answer on {url} within 20 s (see {log_path})")


def ldapadd(url, text):
    run([program("ldapadd"), "-x", "-H", url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
        stdin=None, input=text, env={**os.environ, "LDAPNOINIT": "1"})


def announce(directory, state):
    print(json.dumps({
        "pid": state["pid"], "url": f"ldap://127.0.0.1:{state['port']}", "ldapsUrl": f"ldaps://127.0.0.1:{state['ldapsPort']}",
        "caFile": os.path.join(directory, "ca.pem"), "baseDN": BASE_DN, "adminDN": ADMIN_DN, "adminPassword": ADMIN_PASSWORD,
        "serviceDN": SERVICE_DN, "servicePassword": SERVICE_PASSWORD, "dir": directory,
        "logFile": os.path.join(directory, "slapd.log"),
    }), flush=True)


def start(args):
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    state_path = os.path.join(directory, "state.json")
    if os.path.exists(state_path) and ours(load_state(directory).get("pid") or 0, directory):
        fail(f"a slapd is already running for {directory}; stop it first")
    make_certificates(directory)
    write_config(directory, args.flavor)
    for attempt in range(5):
        data = os.path.join(directory, "data")
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data)
        state = {"flavor": args.flavor, "port": args.port or free_port(), "ldapsPort": args.ldaps_port or free_port()}
        state["pid"] = launch(directory, state)
        if state["pid"] is not None:
            break
        if args.port and args.ldaps_port:
            fail(f"port {args.port} or {args.ldaps_port} is in use")
    else:
        fail("no free ports found for slapd after 5 attempts")
    save_state(directory, state)
    url = f"ldap://127.0.0.1:{state['port']}"
    with open(os.path.join(HERE, "katrineholm-ad.ldif" if args.flavor == "ad" else "katrineholm.ldif"), encoding="utf-8") as f:
        ldapadd(url, f.read())
    if args.bulk:
        ldapadd(url, bulk_ldif(args.flavor, args.bulk))
    if args.watch_pid:
        subprocess.Popen([sys.executable, os.path.abspath(__file__), "watch", "--dir", directory, "--pid", str(args.watch_pid)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    announce(directory, state)


def terminate(directory, state):
    pid = state.get("pid")
    if not pid or not alive(pid) or not ours(pid, directory):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
        while alive(pid):
            time.sleep(0.02)


def stop(args):
    directory = os.path.abspath(args.dir)
    state = load_state(directory)
    terminate(directory, state)
    state["pid"] = None
    state["stopped"] = True
    save_state(directory, state)


def restart(args):
    directory = os.path.abspath(args.dir)
    state = load_state(directory)
    terminate(directory, state)
    state["pid"] = launch(directory, state)
    if state["pid"] is None:
        fail(f"port {state['port']} or {state['ldapsPort']} was taken while slapd restarted")
    state["stopped"] = False
    save_state(directory, state)
    announce(directory, state)


def watch(args):
    """Stops slapd and removes DIR when the test process that started it ends without
    stopping it (the process's start time tells it from a later one with the same pid)."""
    directory = os.path.abspath(args.dir)
    watched = process_state(args.pid)
    while True:
        time.sleep(0.5)
        path = os.path.join(directory, "state.json")
        try:
            with open(path) as f:
                state = json.load(f)
        except (OSError, ValueError):
            return
        if state.get("stopped"):
            return
        now = process_state(args.pid)
        if watched is None or now is None or now[0] == "Z" or now[1] != watched[1]:
            terminate(directory, state)
            shutil.rmtree(directory, ignore_errors=True)
            return


def main():
    # A test runner may start this script with signals blocked or ignored; slapd would inherit
    # that and ignore the SIGTERM of `stop`.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    parser = argparse.ArgumentParser(description="A throw-away slapd for Communis's tests (see the top of this file).")
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start")
    start_parser.add_argument("--dir", required=True)
    start_parser.add_argument("--flavor", choices=["openldap", "ad"], default="openldap")
    start_parser.add_argument("--port", type=int, default=0)
    start_parser.add_argument("--ldaps-port", type=int, default=0)
    start_parser.add_argument("--bulk", type=int, default=0)
    start_parser.add_argument("--watch-pid", type=int, default=0)
    for name in ("stop", "restart"):
        commands.add_parser(name).add_argument("--dir", required=True)
    watch_parser = commands.add_parser("watch")
    watch_parser.add_argument("--dir", required=True)
    watch_parser.add_argument("--pid", type=int, required=True)
    args = parser.parse_args()
    {"start": start, "stop": stop, "restart": restart, "watch": watch}[args.command](args)


if __name__ == "__main__":
    main()
