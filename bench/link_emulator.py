#!/usr/bin/env python3
"""A point-to-point link with set latency and bandwidth between two network namespaces.

    link_emulator.py NS_A NS_B --delay-ms D --rate-mbit R [--mtu M]

Creates a TUN interface `wire0` in each namespace (10.78.0.1 in NS_A, 10.78.0.2 in NS_B, as
point-to-point peers) and moves every packet from one to the other in user space: a packet leaves
when the link is free (one at a time, len*8/R seconds each: the bandwidth) and arrives D ms later
(the latency). bench/cluster-link.sh uses it because this kernel lacks netem
(CONFIG_NET_SCH_NETEM), which would otherwise add the delay with `tc qdisc ... netem delay`.
Runs until killed; prints "ready" once both interfaces are up. Python standard library only.
"""
import argparse
import ctypes
import fcntl
import heapq
import os
import select
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
libc = ctypes.CDLL(None, use_errno=True)


def enter(namespace):
    """Moves this process into a named network namespace (as `ip netns exec` does)."""
    fd = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit(f"link_emulator: setns {namespace}: {os.strerror(ctypes.get_errno())}")
    os.close(fd)


def tun(name):
    """A TUN device in the current namespace; the descriptor keeps working after setns."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def configure(namespace, local, peer, mtu):
    ip = ["ip", "-n", namespace]
    subprocess.run(ip + ["addr", "add", local, "peer", peer, "dev", "wire0"], check=True)
    subprocess.run(ip + ["link", "set", "wire0", "mtu", str(mtu), "up"], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--delay-ms", type=float, default=0)
    parser.add_argument("--rate-mbit", type=float, default=0, help="0: no bandwidth limit")
    parser.add_argument("--mtu", type=int, default=9000)
    args = parser.parse_args()

    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    enter(args.a)
    fd_a = tun("wire0")
    enter(args.b)
    fd_b = tun("wire0")
    libc.setns(home, CLONE_NEWNET)
    configure(args.a, "10.78.0.1", "10.78.0.2", args.mtu)
    configure(args.b, "10.78.0.2", "10.78.0.1", args.mtu)
    print("ready", flush=True)

    delay = args.delay_ms / 1000
    seconds_per_byte = 8 / (args.rate_mbit * 1e6) if args.rate_mbit > 0 else 0
    destination = {fd_a: fd_b, fd_b: fd_a}
    link_free = {fd_a: 0.0, fd_b: 0.0}   # when each direction finishes sending its last packet
    in_flight = []                      # heap of (arrival time, sequence, destination, packet)
    sequence = 0
    while True:
        timeout = max(0.0, in_flight[0][0] - time.monotonic()) if in_flight else None
        readable, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                leaves = max(now, link_free[fd]) + len(packet) * seconds_per_byte
                link_free[fd] = leaves
                heapq.heappush(in_flight, (leaves + delay, sequence, destination[fd], packet))
                sequence += 1
        now = time.monotonic()
        while in_flight and in_flight[0][0] <= now:
            _, _, fd, packet = heapq.heappop(in_flight)
            try:
                os.write(fd, packet)
            except BlockingIOError:
                pass   # the receiving queue is full: the packet is lost, as on a real link


if __name__ == "__main__":
    main()
