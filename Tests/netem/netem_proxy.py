#!/usr/bin/env python3
"""A TCP proxy that makes a link behave like a mobile network (issue 17's test harness).

Python 3 standard library only (asyncio). Each accepted connection is forwarded to one
target; in each direction every chunk read is held for `delay ± jitter` before it is
written, in order, as TCP would deliver it: a chunk's release time is
`max(previous release in that direction, now + delay + jitter)`. On top of that:

- stalls (a radio handover): every A–B s the link stops for X–Y ms; what is in flight or
  sent meanwhile is held (not dropped) and delivered in a burst when the stall ends. The
  stall schedule belongs to the proxy (one radio), so it stops both directions of every
  connection at once;
- bandwidth (optional): a direction never delivers faster than `bandwidth_kbps`;
- cut(): closes both sides of every connection now (the proxy keeps accepting);
- outage(N): the network is gone for N s: every connection is dropped (both sides), new
  ones are refused (accepted and reset at once) until the N s are over, then accepted
  again. `mode="blackhole"` instead keeps the connections and holds their data for N s (a
  long stall: TCP retransmits when the network returns), and holds new connections until then.

Randomness is seeded: the same seed and profile give the same delays and stall schedule.

Profiles (`PROFILES`): clean; 4g (40 ± 20 ms each way); bad-mobile (80 ± 60 ms each way,
plus a 300–800 ms stall every 4–8 s); outage (clean, with a 5 s outage 10 s after the
profile is set and every 30 s after that).

In-process (pytest, a bench):

    with NetemProxy(("127.0.0.1", 8080), profile="4g", seed=1) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        proxy.set_profile("bad-mobile")
        proxy.outage(5)          # returns at once; the proxy runs on its own thread
        proxy.cut()

From a shell:

    python3 Tests/netem/netem_proxy.py --listen 0 --target 127.0.0.1:8080 --profile 4g --seed 1

prints the port it listens on; lines on standard input control it: `profile NAME`,
`cut`, `outage SECONDS`, `stats`, `quit`.
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field

READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Profile:
    """One network. Delays in ms (each way), stall lengths in ms, stall spacing in s."""
    name: str = "custom"
    delay_ms: float = 0.0
    jitter_ms: float = 0.0  # uniform in [−jitter, +jitter], never below 0 in total
    stall_ms: tuple[float, float] | None = None  # (shortest, longest)
    stall_every_s: tuple[float, float] | None = None  # (shortest, longest) between stalls
    bandwidth_kbps: float | None = None
    outage_s: float | None = None  # a scheduled outage of this length ...
    outage_first_s: float = 10.0  # ... this long after the profile is set ...
    outage_every_s: float | None = 30.0  # ... and again this often (None: once)

    def with_(self, **changes) -> "Profile":
        return dataclasses.replace(self, **changes)


PROFILES: dict[str, Profile] = {
    "clean": Profile("clean"),
    "4g": Profile("4g", delay_ms=40, jitter_ms=20),
    "bad-mobile": Profile("bad-mobile", delay_ms=80, jitter_ms=60, stall_ms=(300, 800), stall_every_s=(4, 8)),
    "outage": Profile("outage", outage_s=5.0),
}


def profile_named(profile: "Profile | str") -> Profile:
    if isinstance(profile, Profile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}") from None


class _Direction:
    """One direction of one connection: a queue of (release time, bytes), written in order."""

    def __init__(self, proxy: "NetemProxy", rng: random.Random, name: str):
        self.proxy = proxy
        self.rng = rng
        self.name = name
        self.queue: asyncio.Queue = asyncio.Queue()
        self.last_release = 0.0
        self.bytes = 0
        self.eof = False

    def schedule(self, data: bytes, now: float) -> None:
        p = self.proxy.profile
        delay = p.delay_ms + (self.rng.uniform(-p.jitter_ms, p.jitter_ms) if p.jitter_ms else 0.0)
        release = max(self.last_release, now + max(0.0, delay) / 1000)
        if p.bandwidth_kbps:
            release = max(release, self.last_release + len(data) * 8 / (p.bandwidth_kbps * 1000))
        self.last_release = release
        self.queue.put_nowait((release, data))


class _Connection:
    def __init__(self, proxy: "NetemProxy", index: int, client_writer: asyncio.StreamWriter):
        self.proxy = proxy
        self.index = index
        self.client_writer = client_writer
        self.server_writer: asyncio.StreamWriter | None = None
        self.tasks: list[asyncio.Task] = []
        self.directions: list[_Direction] = []
        self.closed = False

    def close(self, reset: bool = False) -> None:
        """Closes both sides (a reset sends RST instead of FIN)."""
        if self.closed:
            return
        self.closed = True
        for w in (self.client_writer, self.server_writer):
            if w is None:
                continue
            try:
                if reset:
                    _linger_zero(w)
                    w.transport.abort()
                else:
                    w.close()
            except Exception:
                pass
        for t in self.tasks:
            if t is not asyncio.current_task():
                t.cancel()
        self.proxy._connections.discard(self)


def _linger_zero(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass


def _nodelay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class NetemProxy:
    """The proxy. `start()` runs it on a thread of its own (its own event loop); every other
    method may be called from any thread. Times are `time.monotonic()` seconds."""

    def __init__(self, target: tuple[str, int], profile: "Profile | str" = "clean", seed: int = 1,
                 listen: tuple[str, int] = ("127.0.0.1", 0)):
        self.target = target
        self.listen_addr = listen
        self.seed = seed
        self.profile = profile_named(profile)
        self.port: int | None = None
        self.events: list[tuple[float, str, dict]] = []  # (monotonic time, kind, details)
        self._rng = random.Random(seed)
        self._stall_rng = random.Random(seed * 7919 + 17)
        self._stall_until = 0.0
        self._outage_until = 0.0
        self._outage_mode = "drop"
        self._connections: set[_Connection] = set()
        self._next_index = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._schedule_task: asyncio.Task | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self.accepted = 0
        self.refused = 0

    # ----- life cycle

    def start(self) -> "NetemProxy":
        self._thread = threading.Thread(target=self._run_thread, name="netem-proxy", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._start_error:
            raise self._start_error
        if self.port is None:
            raise RuntimeError("netem proxy did not start")
        return self

    def _run_thread(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._open())
        except BaseException as e:  # noqa: BLE001 - reported to start()
            self._start_error = e
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _open(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.listen_addr[0], self.listen_addr[1],
                                                  reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        self._restart_schedule()

    def stop(self) -> None:
        if not self._loop:
            return
        loop = self._loop

        async def shut():
            if self._schedule_task:
                self._schedule_task.cancel()
            if self._server:
                self._server.close()
            for c in list(self._connections):
                c.close()
            await asyncio.sleep(0)

        try:
            asyncio.run_coroutine_threadsafe(shut(), loop).result(5)
        except Exception:
            pass
        loop.call_soon_threadsafe(loop.stop)
        if self._thread:
            self._thread.join(5)
        self._loop = None

    def __enter__(self) -> "NetemProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ----- control (any thread)

    def _call(self, fn, *args):
        """Runs `fn(*args)` on the proxy's loop and waits for it."""
        if self._loop is None:
            raise RuntimeError("proxy not started")
        if threading.current_thread() is self._thread:
            return fn(*args)
        done = threading.Event()
        box: list = []

        def run():
            try:
                box.append(fn(*args))
            except BaseException as e:  # noqa: BLE001
                box.append(e)
            done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(5)
        if box and isinstance(box[0], BaseException):
            raise box[0]
        return box[0] if box else None

    def set_profile(self, profile: "Profile | str") -> None:
        """Changes the network from now on (chunks already scheduled keep their times)."""
        p = profile_named(profile)

        def apply():
            self.profile = p
            self._event("profile", name=p.name)
            self._restart_schedule()
        self._call(apply)

    def cut(self) -> int:
        """Closes both sides of every connection now; answers how many."""
        def apply():
            n = len(self._connections)
            for c in list(self._connections):
                c.close()
            self._event("cut", connections=n)
            return n
        return self._call(apply)

    def outage(self, seconds: float, mode: str = "drop") -> None:
        """The network is gone for `seconds` from now (returns at once). `drop`: connections
        are closed and new ones refused until then; `blackhole`: connections are kept, nothing
        is forwarded, new connections wait."""
        if mode not in ("drop", "blackhole"):
            raise ValueError(mode)
        self._call(self._begin_outage, seconds, mode)

    def outage_active(self) -> bool:
        return time.monotonic() < self._outage_until

    def stalled(self) -> bool:
        return time.monotonic() < self._stall_until

    def stall(self, ms: float) -> None:
        """A stall of `ms` now (in addition to the profile's own)."""
        def apply():
            now = time.monotonic()
            self._stall_until = max(self._stall_until, now + ms / 1000)
            self._event("stall", ms=ms, manual=True)
        self._call(apply)

    def stats(self) -> dict:
        return {"profile": self.profile.name, "port": self.port, "connections": len(self._connections),
                "accepted": self.accepted, "refused": self.refused,
                "stalls": sum(1 for e in self.events if e[1] == "stall"),
                "outages": sum(1 for e in self.events if e[1] == "outage")}

    def events_of(self, kind: str) -> list[tuple[float, dict]]:
        return [(t, d) for (t, k, d) in list(self.events) if k == kind]

    # ----- inside the loop

    def _event(self, kind: str, **details) -> None:
        self.events.append((time.monotonic(), kind, details))

    def _begin_outage(self, seconds: float, mode: str) -> None:
        now = time.monotonic()
        self._outage_until = max(self._outage_until, now + seconds)
        self._outage_mode = mode
        self._event("outage", seconds=seconds, mode=mode, until=self._outage_until)
        if mode == "drop":
            for c in list(self._connections):
                c.close(reset=True)
        else:
            self._stall_until = max(self._stall_until, self._outage_until)

    def _restart_schedule(self) -> None:
        if self._schedule_task:
            self._schedule_task.cancel()
        self._schedule_task = asyncio.ensure_future(self._schedule(self.profile))

    async def _schedule(self, p: Profile) -> None:
        """The profile's stalls and outages, for as long as it is the profile."""
        tasks = []
        if p.stall_ms and p.stall_every_s:
            tasks.append(self._stalls(p))
        if p.outage_s:
            tasks.append(self._outages(p))
        if tasks:
            await asyncio.gather(*tasks)

    async def _stalls(self, p: Profile) -> None:
        while True:
            await asyncio.sleep(self._stall_rng.uniform(*p.stall_every_s))
            ms = self._stall_rng.uniform(*p.stall_ms)
            now = time.monotonic()
            self._stall_until = max(self._stall_until, now + ms / 1000)
            self._event("stall", ms=round(ms, 1), until=self._stall_until)
            await asyncio.sleep(ms / 1000)

    async def _outages(self, p: Profile) -> None:
        await asyncio.sleep(p.outage_first_s)
        while True:
            self._begin_outage(p.outage_s, "drop")
            if not p.outage_every_s:
                return
            await asyncio.sleep(p.outage_every_s)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # New connections during an outage: refused (reset at once), or held (blackhole).
        while time.monotonic() < self._outage_until:
            if self._outage_mode == "drop":
                self.refused += 1
                _linger_zero(writer)
                writer.transport.abort()
                return
            await asyncio.sleep(min(0.05, self._outage_until - time.monotonic()))
        self.accepted += 1
        index = self._next_index
        self._next_index += 1
        conn = _Connection(self, index, writer)
        self._connections.add(conn)
        _nodelay(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            conn.close(reset=True)
            return
        if conn.closed:  # cut or dropped while connecting
            up_writer.transport.abort()
            return
        conn.server_writer = up_writer
        _nodelay(up_writer)
        base = self.seed * 1_000_003 + index * 2
        up = _Direction(self, random.Random(base), "up")
        down = _Direction(self, random.Random(base + 1), "down")
        conn.directions = [up, down]
        conn.tasks = [
            asyncio.ensure_future(self._read(conn, reader, up)),
            asyncio.ensure_future(self._write(conn, up, up_writer)),
            asyncio.ensure_future(self._read(conn, up_reader, down)),
            asyncio.ensure_future(self._write(conn, down, writer)),
        ]
        self._event("connect", index=index)

    async def _read(self, conn: _Connection, reader: asyncio.StreamReader, d: _Direction) -> None:
        try:
            while True:
                data = await reader.read(READ_CHUNK)
                if conn.closed:
                    return
                if not data:
                    d.schedule(b"", time.monotonic())  # EOF, in order after the data
                    return
                d.schedule(data, time.monotonic())
        except (ConnectionError, OSError):
            if not conn.closed:
                conn.close()
        except asyncio.CancelledError:
            pass

    async def _write(self, conn: _Connection, d: _Direction, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                release, data = await d.queue.get()
                while True:
                    now = time.monotonic()
                    hold = max(release, self._stall_until) - now
                    if hold <= 0:
                        break
                    await asyncio.sleep(hold)
                if conn.closed:
                    return
                if not data:
                    # The other side finished sending: pass the EOF on, close when both did.
                    if writer.can_write_eof():
                        writer.write_eof()
                    d.eof = True
                    if all(x.eof for x in conn.directions):
                        conn.close()
                    return
                writer.write(data)
                d.bytes += len(data)
                await writer.drain()
        except (ConnectionError, OSError):
            conn.close()
        except asyncio.CancelledError:
            pass


# ----- command line

def _parse_target(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return (host or "127.0.0.1", int(port))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="TCP proxy with mobile-network delay, jitter, stalls and outages.")
    ap.add_argument("--listen", default="0", help="port (or host:port) to listen on; 0 picks a free port")
    ap.add_argument("--target", required=True, help="host:port to forward to")
    ap.add_argument("--profile", default="clean", choices=sorted(PROFILES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--delay-ms", type=float, help="override the profile's delay (each way)")
    ap.add_argument("--jitter-ms", type=float, help="override the profile's jitter")
    ap.add_argument("--bandwidth-kbps", type=float, help="limit each direction")
    args = ap.parse_args(argv)
    listen = _parse_target(args.listen) if ":" in args.listen else ("127.0.0.1", int(args.listen))
    profile = PROFILES[args.profile]
    overrides = {k: v for k, v in (("delay_ms", args.delay_ms), ("jitter_ms", args.jitter_ms),
                                   ("bandwidth_kbps", args.bandwidth_kbps)) if v is not None}
    if overrides:
        profile = profile.with_(**overrides)
    proxy = NetemProxy(_parse_target(args.target), profile=profile, seed=args.seed, listen=listen).start()
    print(f"netem proxy: 127.0.0.1:{proxy.port} -> {args.target} profile {profile.name} seed {args.seed}", flush=True)
    print("commands: profile NAME | cut | outage SECONDS [blackhole] | stall MS | stats | quit", flush=True)
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            try:
                if words[0] == "quit":
                    break
                if words[0] == "profile":
                    proxy.set_profile(words[1])
                elif words[0] == "cut":
                    print(f"cut {proxy.cut()} connections", flush=True)
                elif words[0] == "outage":
                    proxy.outage(float(words[1]), words[2] if len(words) > 2 else "drop")
                elif words[0] == "stall":
                    proxy.stall(float(words[1]))
                elif words[0] == "stats":
                    pass
                else:
                    print(f"unknown command {words[0]!r}", flush=True)
                    continue
                print(proxy.stats(), flush=True)
            except (IndexError, ValueError) as e:
                print(f"error: {e}", flush=True)
        else:
            # Standard input closed (run in the background): serve until interrupted.
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
