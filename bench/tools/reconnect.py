#!/usr/bin/env python3
"""A banned source reconnecting as fast as it can, for bench/kernel-drops.sh.

    reconnect.py HOST PORT SECONDS [CONCURRENCY] [GIVE_UP_MS]

Keeps CONCURRENCY non-blocking connects in flight toward HOST:PORT (only loopback or the documentation ranges a
bench namespace uses), gives each GIVE_UP_MS (20), closes it with a reset (no TIME_WAIT), opens the next: a source
whose SYNs vanish retries as fast as one that is refused. Stops by itself
after SECONDS (at most 120). Prints one line: `attempts=N established=M seconds=S`.
"""
import ipaddress
import select
import socket
import struct
import sys
import time

host, port, seconds = sys.argv[1], int(sys.argv[2]), min(120.0, float(sys.argv[3]))
concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 500
addr = ipaddress.ip_address(host)
allowed = [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24")]
if not any(addr in n for n in allowed):
    sys.exit(f"{host}: only loopback and documentation ranges")

LINGER_RESET = struct.pack("ii", 1, 0)
GIVE_UP = (float(sys.argv[5]) if len(sys.argv) > 5 else 20.0) / 1000
start = time.monotonic()
deadline = start + seconds
attempts = established = 0
pending = {}
while True:
    now = time.monotonic()
    if now >= deadline:
        break
    while len(pending) < concurrency:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
        s.connect_ex((host, port))
        attempts += 1
        pending[s] = now
    _, writable, _ = select.select([], list(pending), [], 0.005)
    for s in writable:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            established += 1
        s.close()
        del pending[s]
    now = time.monotonic()
    for s, t in list(pending.items()):
        if now - t >= GIVE_UP:
            s.close()
            del pending[s]
for s in pending:
    s.close()
print(f"attempts={attempts} established={established} seconds={time.monotonic() - start:.2f}")
