#!/usr/bin/env python3
"""A real SMTP server for Communis's tests (aiosmtpd), writing each accepted message as JSON.

Usage:
  python3 smtp_server.py --dir DIR [--host 127.0.0.1] [--port 0]
                         [--tls-cert CERT --tls-key KEY | --generate-cert CERTDIR]
                         [--implicit-tls] [--require-starttls]
                         [--auth USER:PASSWORD] [--fail-first N] [--reject-recipient ADDR]
                         [--stop-on-stdin-eof]

  --dir DIR               where messages go: DIR/0001.json, DIR/0002.json, ... (written to a
                          temporary name first, then renamed: a file that exists is complete),
                          and DIR/events.jsonl, one line per SMTP step (see below).
  --port P                0 (the default) takes a free port; the ready line says which.
  --tls-cert/--tls-key    PEM files: STARTTLS is offered with them.
  --generate-cert CERTDIR makes a throw-away self-signed certificate with the openssl command
                          (EC P-256, CN=localhost, subjectAltName localhost, 127.0.0.1 and ::1,
                          valid 2 days) as CERTDIR/cert.pem and CERTDIR/key.pem and uses it;
                          a client trusts it by taking cert.pem as its CA file.
  --implicit-tls          TLS from the first byte ("smtps", as on port 465) instead of STARTTLS.
  --require-starttls      refuse everything but EHLO/NOOP/QUIT/STARTTLS before STARTTLS (530);
                          AUTH before TLS is always refused when TLS is configured (538).
  --auth USER:PASSWORD    AUTH PLAIN and LOGIN against this one user, and required before MAIL.
                          Without any TLS the server then accepts AUTH in plain text, so a
                          client that would send its password unencrypted can be caught.
  --fail-first N          answer "451 4.3.0 Try again later" to the first N messages (the reply
                          to DATA, after the message was transferred), to test retries.
  --reject-recipient A    answer "550 5.1.1 ... User unknown" to RCPT TO:<A> (any case).
  --stop-on-stdin-eof     exit when stdin closes (the starting process died); SIGTERM and
                          SIGINT always stop the server.

When listening it prints ONE line of JSON to stdout, {"port": P, "pid": PID, "cert": PATH or
null}, and flushes. Diagnostics go to stderr.

Each DIR/NNNN.json holds {"mailFrom", "rcptTos", "from", "to", "toName", "subject",
"messageId", "text", "html", "raw", "defects"}: headers decoded by Python's email package
(policy=default), the Message-ID without angle brackets, the text/plain and text/html parts
decoded with CRLF line ends turned into LF (null when a part is missing), the raw message as
received, and the parser's complaints about it (an empty list for a well-formed message).

Each line of DIR/events.jsonl is {"event": "EHLO"|"STARTTLS"|"AUTH"|"MAIL"|"RCPT"|"DATA",
"tls": true when the connection was encrypted at that moment, "ok": false when refused}.

Needs Python 3.9+ with aiosmtpd (pip install aiosmtpd), and openssl for --generate-cert.
"""
import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import threading
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write("smtp_server.py needs the aiosmtpd package: python3 -m pip install aiosmtpd\n")
    sys.exit(2)


def generate_certificate(directory):
    os.makedirs(directory, exist_ok=True)
    directory = os.path.abspath(directory)
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    command = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        sys.stderr.write("smtp_server.py --generate-cert needs the openssl command (apt install openssl)\n")
        sys.exit(2)
    if result.returncode != 0:
        sys.stderr.write("openssl failed: " + result.stderr + "\n")
        sys.exit(2)
    return cert, key


class Recorder:
    """The aiosmtpd handler: records every step and stores every accepted message."""

    def __init__(self, directory, implicit_tls, fail_first, reject_recipient, auth):
        self.directory = directory
        self.implicit_tls = implicit_tls
        self.fail_first = fail_first
        self.reject_recipient = (reject_recipient or "").lower()
        self.auth = auth
        self.data_count = 0
        self.stored = 0

    def event(self, name, session, ok=True):
        tls = self.implicit_tls or (session is not None and session.ssl is not None)
        with open(os.path.join(self.directory, "events.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps({"event": name, "tls": tls, "ok": ok}) + "\n")

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.event("EHLO", session)
        return responses

    def handle_STARTTLS(self, server, session, envelope):
        self.event("STARTTLS", session)
        return True

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self.auth is not None
              and auth_data.login.decode("utf-8", "replace") == self.auth[0]
              and auth_data.password.decode("utf-8", "replace") == self.auth[1])
        self.event("AUTH", session, ok)
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.event("MAIL", session)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_recipient and address.lower() == self.reject_recipient:
            self.event("RCPT", session, ok=False)
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        self.event("RCPT", session)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        if self.data_count <= self.fail_first:
            self.event("DATA", session, ok=False)
            return "451 4.3.0 Try again later"
        self.stored += 1
        self.store(envelope, self.stored)
        self.event("DATA", session)
        return "250 2.0.0 OK: queued as %04d" % self.stored

    def store(self, envelope, number):
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)

        def part(subtype):
            body = message.get_body(preferencelist=(subtype,))
            if body is None:
                return None
            return body.get_content().replace("\r\n", "\n")

        defects = [repr(d) for d in message.defects]
        for sub in message.walk():
            defects.extend(repr(d) for d in sub.defects if sub is not message)
        to = message["To"]
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "from": str(message["From"]) if message["From"] is not None else None,
            "to": str(to) if to is not None else None,
            "toName": to.addresses[0].display_name if to is not None and to.addresses else None,
            "subject": str(message["Subject"]) if message["Subject"] is not None else None,
            "messageId": str(message["Message-ID"]).strip().strip("<>") if message["Message-ID"] else None,
            "text": part("plain"),
            "html": part("html"),
            "raw": raw.decode("utf-8", "replace"),
            "defects": defects,
        }
        final = os.path.join(self.directory, "%04d.json" % number)
        temporary = os.path.join(self.directory, ".%04d.json.tmp" % number)
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        os.replace(temporary, final)


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    cert, key = args.tls_cert, args.tls_key
    if args.generate_cert:
        cert, key = generate_certificate(args.generate_cert)
    context = None
    if cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    implicit = bool(context) and args.implicit_tls
    recorder = Recorder(args.dir, implicit, args.fail_first, args.reject_recipient, auth)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(
            recorder,
            hostname="smtp.communis.test",  # not socket.getfqdn(): that can wait for DNS
            tls_context=None if implicit or not context else context,
            require_starttls=bool(context) and not implicit and args.require_starttls,
            # With implicit TLS aiosmtpd does not know the socket is encrypted; without any
            # TLS, accepting AUTH in plain text is what catches a client that would send it.
            auth_require_tls=bool(context) and not implicit,
            auth_required=auth is not None,
            authenticator=recorder.authenticate,
            loop=loop,
        )

    server = await loop.create_server(factory, args.host, args.port, ssl=context if implicit else None)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.stop_on_stdin_eof:
        # A thread, not loop.add_reader: epoll refuses some kinds of stdin (files, /dev/null).
        def watch_stdin():
            try:
                while os.read(sys.stdin.fileno(), 4096):
                    pass
            except OSError:
                pass
            loop.call_soon_threadsafe(stop.set)
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps({"port": port, "pid": os.getpid(), "cert": cert}), flush=True)
    await stop.wait()
    server.close()


def main():
    parser = argparse.ArgumentParser(description="SMTP server for Communis's tests (see the top of this file).")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--generate-cert", metavar="CERTDIR")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    parser.add_argument("--fail-first", type=int, default=0, metavar="N")
    parser.add_argument("--reject-recipient", metavar="ADDR")
    parser.add_argument("--stop-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_cert and args.generate_cert:
        parser.error("--generate-cert replaces --tls-cert/--tls-key")
    if args.auth and ":" not in args.auth:
        parser.error("--auth takes USER:PASSWORD")
    if (args.implicit_tls or args.require_starttls) and not (args.tls_cert or args.generate_cert):
        parser.error("--implicit-tls and --require-starttls need a certificate")
    # A parent that blocked signals in its threads (Swift's test runner does) passes the mask
    # on through posix_spawn; SIGTERM would then never arrive.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS, which is on purpose here
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
