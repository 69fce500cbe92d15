#!/usr/bin/env python3
"""dhcp6_probe - a DHCPv6 test client for the lab (tests/integration/dhcp_ipv6.sh).

    dhcp6_probe.py IFACE MAC ARCH [USERCLASS]

Sends a Solicit from IFACE (link-local, port 546) to ff02::1:2 with a
DUID-LL of MAC, an IA_NA, DHCPv6 option 61 (client architecture) = ARCH
and, when given, a user class (option 15); asks for option 59
(bootfile-url). Takes the first Advertise, sends the Request for its
address and waits for the Reply. Prints one line per answer:

    ADVERTISE addr=ADDR url=URL
    REPLY addr=ADDR url=URL

("-" for a missing value) and exits 0, or 1 with no answer in 10 s.
Only link-local multicast on the given interface: the lab's namespaces.
"""
import os
import socket
import struct
import sys
import time


def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def parse(data):
    """Options of a DHCPv6 message body as {code: [value, ...]}."""
    out, i = {}, 0
    while i + 4 <= len(data):
        code, n = struct.unpack("!HH", data[i:i + 4])
        out.setdefault(code, []).append(data[i + 4:i + 4 + n])
        i += 4 + n
    return out


def ia_addr(ia):
    """The first IAADDR inside an IA_NA option value."""
    if len(ia) < 12:
        return None
    sub = parse(ia[12:])
    for a in sub.get(5, []):
        if len(a) >= 16:
            return socket.inet_ntop(socket.AF_INET6, a[:16])
    return None


def main():
    iface, mac, arch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    uclass = sys.argv[4] if len(sys.argv) > 4 else ""
    duid = struct.pack("!HH", 3, 1) + bytes.fromhex(mac.replace(":", ""))
    scope = socket.if_nametoindex(iface)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, scope)
    s.bind(("::", 546, 0, scope))
    s.settimeout(1.0)

    def build(mtype, xid, extra=b""):
        m = bytes([mtype]) + xid
        m += opt(1, duid)
        m += opt(6, struct.pack("!HH", 59, 60))
        m += opt(8, struct.pack("!H", 0))
        m += opt(61, struct.pack("!H", arch))
        if uclass:
            m += opt(15, struct.pack("!H", len(uclass)) + uclass.encode())
        return m + extra

    def exchange(mtype, want, extra):
        xid = os.urandom(3)
        end = time.time() + 10
        while time.time() < end:
            s.sendto(build(mtype, xid, extra), ("ff02::1:2", 547, 0, scope))
            try:
                data, _ = s.recvfrom(4096)
            except socket.timeout:
                continue
            if len(data) < 4 or data[0] != want or data[1:4] != xid:
                continue
            return parse(data[4:])
        return None

    adv = exchange(1, 2, opt(3, struct.pack("!III", 1, 0, 0)))
    if adv is None:
        print("no Advertise")
        return 1
    addr = ia_addr(adv.get(3, [b""])[0])
    url = adv.get(59, [b"-"])[0].decode("ascii", "replace")
    print("ADVERTISE addr=%s url=%s" % (addr or "-", url))
    if not addr or 2 not in adv:
        return 0
    ia = struct.pack("!III", 1, 0, 0) + opt(
        5, socket.inet_pton(socket.AF_INET6, addr) + struct.pack("!II", 0, 0))
    rep = exchange(3, 7, opt(2, adv[2][0]) + opt(3, ia))
    if rep is None:
        print("no Reply")
        return 1
    print("REPLY addr=%s url=%s" % (ia_addr(rep.get(3, [b""])[0]) or "-",
                                    rep.get(59, [b"-"])[0].decode("ascii", "replace")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
