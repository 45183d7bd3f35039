"""The network emulator itself (Tests/netem/netem_proxy.py): bytes arrive intact and in
order under every profile, the measured delays match the profile, a stall holds data for
its length (nothing lost), cut() closes both sides, and an outage refuses connections
while it lasts and accepts them after. Fast: about 15 s in all."""
from __future__ import annotations

import os
import socket
import socketserver
import statistics
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netem_proxy import PROFILES, NetemProxy, Profile, _Direction  # noqa: E402


class _Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.accepted += 1
        self.server.conns.append(self.request)
        try:
            while True:
                data = self.request.recv(65536)
                if not data:
                    break
                self.request.sendall(data)
        except OSError:
            pass
        self.server.closed += 1


class _Sink(socketserver.BaseRequestHandler):
    """Reads 8-byte send times (monotonic ns) and records each one's arrival time."""

    def handle(self):
        self.server.accepted += 1
        self.server.conns.append(self.request)
        buf = b""
        try:
            while True:
                data = self.request.recv(65536)
                if not data:
                    break
                now = time.monotonic_ns()
                buf += data
                while len(buf) >= 8:
                    (sent,) = struct.unpack(">q", buf[:8])
                    buf = buf[8:]
                    self.server.arrivals.append((sent, now))
        except OSError:
            pass
        self.server.closed += 1


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.accepted = 0
        self.closed = 0
        self.conns: list[socket.socket] = []
        self.arrivals: list[tuple[int, int]] = []
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def addr(self):
        return self.server_address


@pytest.fixture
def echo():
    s = _Server(_Echo)
    yield s
    s.shutdown()
    s.server_close()


@pytest.fixture
def sink():
    s = _Server(_Sink)
    yield s
    s.shutdown()
    s.server_close()


def _connect(proxy: NetemProxy) -> socket.socket:
    c = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def _recv_exact(c: socket.socket, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        data = c.recv(n - len(out))
        if not data:
            raise EOFError(f"closed after {len(out)} of {n} bytes")
        out += data
    return bytes(out)


def _send_times(proxy: NetemProxy, sink: _Server, count: int, every_s: float) -> list[float]:
    """Sends `count` time stamps `every_s` apart through the proxy; answers each one's delay (ms)."""
    c = _connect(proxy)
    try:
        for _ in range(count):
            c.sendall(struct.pack(">q", time.monotonic_ns()))
            time.sleep(every_s)
        deadline = time.monotonic() + 5
        while len(sink.arrivals) < count and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        c.close()
    assert len(sink.arrivals) == count, f"{len(sink.arrivals)} of {count} arrived"
    return [(arrived - sent) / 1e6 for sent, arrived in sink.arrivals]


FAST_STALLS = PROFILES["bad-mobile"].with_(name="bad-mobile-fast", stall_ms=(50, 150), stall_every_s=(0.2, 0.4))


@pytest.mark.parametrize("profile", ["clean", "4g", "bad-mobile", "outage", FAST_STALLS],
                         ids=lambda p: p if isinstance(p, str) else p.name)
def test_bytes_arrive_intact_and_in_order(echo, profile):
    payload = os.urandom(2 * 1024 * 1024)
    with NetemProxy(echo.addr, profile=profile, seed=3) as proxy:
        c = _connect(proxy)
        got = bytearray()

        def read():
            got.extend(_recv_exact(c, len(payload)))

        reader = threading.Thread(target=read)
        reader.start()
        # Pieces of every size, some tiny, some larger than the proxy's read size.
        i = 0
        sizes = [1, 7, 100, 1500, 70_000, 3, 65_536, 20_000]
        k = 0
        while i < len(payload):
            n = sizes[k % len(sizes)]
            c.sendall(payload[i:i + n])
            i += n
            k += 1
            if k % 50 == 0:
                time.sleep(0.01)
        reader.join(20)
        c.close()
    assert bytes(got) == payload


def test_the_delay_distribution_matches_the_4g_profile(sink):
    with NetemProxy(sink.addr, profile="4g", seed=1) as proxy:
        delays = _send_times(proxy, sink, 120, 0.02)
    mean = statistics.mean(delays)
    # 40 ± 20 ms (uniform), plus a little from keeping the order and from this machine.
    assert 38 <= mean <= 55, f"mean {mean:.1f} ms"
    assert min(delays) >= 19.5, f"min {min(delays):.1f} ms"
    assert statistics.quantiles(delays, n=20)[-1] <= 70, f"p95 {statistics.quantiles(delays, n=20)[-1]:.1f} ms"
    assert statistics.pstdev(delays) >= 6, f"stdev {statistics.pstdev(delays):.1f} ms: no jitter?"


def test_the_delay_distribution_matches_the_bad_mobile_profile_between_stalls(sink):
    profile = PROFILES["bad-mobile"].with_(stall_ms=None, stall_every_s=None)
    with NetemProxy(sink.addr, profile=profile, seed=2) as proxy:
        delays = _send_times(proxy, sink, 120, 0.02)
    mean = statistics.mean(delays)
    # 80 ± 60 ms: keeping TCP's order lifts the mean (a fast chunk waits for a slow one before it).
    assert 75 <= mean <= 110, f"mean {mean:.1f} ms"
    assert min(delays) >= 19.5, f"min {min(delays):.1f} ms"
    assert max(delays) <= 160, f"max {max(delays):.1f} ms"


def test_the_clean_profile_adds_almost_nothing(sink):
    with NetemProxy(sink.addr, profile="clean") as proxy:
        delays = _send_times(proxy, sink, 50, 0.01)
    assert statistics.median(delays) < 5, delays


def test_delays_are_seeded_and_keep_order():
    class P:
        profile = PROFILES["bad-mobile"]

    def releases(seed):
        d = _Direction(P, __import__("random").Random(seed), "up")
        d.queue = type("Q", (), {"items": [], "put_nowait": lambda self, x: self.items.append(x)})()
        for i in range(200):
            d.schedule(b"x", i * 0.02)
        return [r for r, _ in d.queue.items]

    a, b, c = releases(5), releases(5), releases(6)
    assert a == b and a != c
    assert a == sorted(a)


def test_a_stall_holds_data_for_its_length_and_loses_none(sink):
    with NetemProxy(sink.addr, profile="clean") as proxy:
        c = _connect(proxy)
        count = 80
        for i in range(count):
            if i == 20:
                proxy.stall(400)
            c.sendall(struct.pack(">q", time.monotonic_ns()))
            time.sleep(0.01)
        deadline = time.monotonic() + 5
        while len(sink.arrivals) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        c.close()
    assert len(sink.arrivals) == count
    sends = [s for s, _ in sink.arrivals]
    assert sends == sorted(sends), "out of order"
    delays = [(a - s) / 1e6 for s, a in sink.arrivals]
    # The first one sent during the stall waited (almost) all of it; the ones before it none.
    assert 370 <= delays[20] <= 520, delays[15:30]
    assert max(delays[:19]) < 50
    arrivals = [a for _, a in sink.arrivals]
    gaps = [(b - a) / 1e6 for a, b in zip(arrivals, arrivals[1:])]
    assert max(gaps) >= 350, "nothing was held"
    # The held ones come in a burst when it ends.
    assert sum(1 for g in gaps if g < 2) >= 20


def test_the_profile_stalls_come_on_schedule(sink):
    profile = Profile("stall-test", stall_ms=(250, 250), stall_every_s=(0.5, 0.5))
    with NetemProxy(sink.addr, profile=profile, seed=1) as proxy:
        _send_times(proxy, sink, 110, 0.01)
        stalls = proxy.events_of("stall")
    assert len(stalls) >= 1
    arrivals = [a for _, a in sink.arrivals]
    gaps = [(b - a) / 1e6 for a, b in zip(arrivals, arrivals[1:])]
    assert max(gaps) >= 200, max(gaps)


def test_profiles_can_change_while_running(sink):
    with NetemProxy(sink.addr, profile="clean", seed=1) as proxy:
        fast = _send_times(proxy, sink, 20, 0.01)
        sink.arrivals.clear()
        proxy.set_profile("bad-mobile")
        assert proxy.profile.name == "bad-mobile"
        slow = _send_times(proxy, sink, 20, 0.01)
    assert statistics.median(fast) < 10 and statistics.median(slow) > 40


def _closed(s: socket.socket, timeout: float = 2.0) -> bool:
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_cut_closes_both_sides(echo):
    with NetemProxy(echo.addr, profile="clean") as proxy:
        c = _connect(proxy)
        c.sendall(b"hej")
        assert _recv_exact(c, 3) == b"hej"
        assert proxy.cut() == 1
        assert _closed(c), "the client side is still open"
        deadline = time.monotonic() + 2
        while echo.closed < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert echo.closed == 1, "the server side is still open"
        # It still accepts new connections.
        d = _connect(proxy)
        d.sendall(b"igen")
        assert _recv_exact(d, 4) == b"igen"
        d.close()


def test_an_outage_drops_connections_refuses_new_ones_and_then_accepts(echo):
    with NetemProxy(echo.addr, profile="clean") as proxy:
        c = _connect(proxy)
        c.sendall(b"a")
        assert _recv_exact(c, 1) == b"a"
        proxy.outage(1.0)
        assert proxy.outage_active()
        assert _closed(c), "a connection survived the outage"
        accepted = echo.accepted
        # During it: every attempt fails at once, and the server never sees it.
        for _ in range(3):
            # The proxy resets what it accepts; on loopback the reset can already be there
            # when connect() returns: that is a refused attempt too.
            try:
                d = _connect(proxy)
            except (ConnectionResetError, ConnectionRefusedError):
                continue
            assert _closed(d, 1.0), "a connection was accepted during the outage"
            d.close()
        assert proxy.refused >= 3
        assert echo.accepted == accepted
        time.sleep(1.1)
        assert not proxy.outage_active()
        e = _connect(proxy)
        e.sendall(b"tillbaka")
        assert _recv_exact(e, 8) == b"tillbaka"
        e.close()


def test_a_blackhole_outage_keeps_the_connection_and_holds_its_data(echo):
    with NetemProxy(echo.addr, profile="clean") as proxy:
        c = _connect(proxy)
        proxy.outage(0.6, mode="blackhole")
        t0 = time.monotonic()
        c.sendall(b"vantar")
        assert _recv_exact(c, 6) == b"vantar"
        assert time.monotonic() - t0 >= 0.5
        c.close()


def test_the_scheduled_outage_profile():
    profile = PROFILES["outage"].with_(outage_s=0.5, outage_first_s=0.2, outage_every_s=None)
    s = _Server(_Echo)
    try:
        with NetemProxy(s.addr, profile=profile) as proxy:
            c = _connect(proxy)
            assert _closed(c, 2.0)
            assert len(proxy.events_of("outage")) == 1
    finally:
        s.shutdown()
        s.server_close()


def test_the_command_line(echo):
    script = Path(__file__).resolve().parent / "netem_proxy.py"
    proc = subprocess.Popen([sys.executable, str(script), "--listen", "0", "--target", f"127.0.0.1:{echo.addr[1]}",
                             "--profile", "4g", "--seed", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "profile 4g" in line, line
        port = int(line.split()[2].rsplit(":", 1)[1])
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        t0 = time.monotonic()
        c.sendall(b"ping")
        assert _recv_exact(c, 4) == b"ping"
        assert time.monotonic() - t0 >= 0.035  # two ways of 40 ± 20 ms
        proc.stdin.write("cut\n")
        proc.stdin.flush()
        assert _closed(c)
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
