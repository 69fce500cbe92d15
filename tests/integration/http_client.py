#!/usr/bin/env python3
"""http_client.py - load helpers for tests/integration/http_load.sh.

  http_client.py concurrent HOST PORT N MACFILE
      open N connections at once, send one /ipxe/v1/config request on
      each (MAC i of MACFILE, a line "mac expected-substring"), check every
      answer; print "ok N" or the first mismatch, exit 0/1.
  http_client.py slowloris HOST PORT N SECONDS
      open N connections that send half a request line and idle, then
      hold them SECONDS; print how many stayed open.
  http_client.py early HOST PORT
      connect as soon as HOST:PORT listens (within 30 s), send one
      HTTP/1.0 GET /ipxe/v1/boot and print the answer's status line
      (tests/integration/supervisor_modes.sh).
"""
import socket
import sys
import threading
import time


def answer(s, request):
    """Send request on s, read the answer until the server closes s."""
    s.sendall(request)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def get(s, path):
    """GET path on s (Connection: close): the answer as text."""
    req = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    return answer(s, req.encode()).decode(errors="replace")


def fetch(host, port, path, timeout=30):
    return get(socket.create_connection((host, port), timeout=timeout), path)


def concurrent(host, port, n, macfile):
    rows = [line.split(None, 1) for line in open(macfile) if line.strip()]
    rows = [(r[0], r[1].strip()) for r in rows]
    barrier = threading.Barrier(n, timeout=60)
    socks = [None] * n
    errors = []

    def worker(i):
        mac, want = rows[i % len(rows)]
        try:
            s = socket.create_connection((host, port), timeout=60)
            socks[i] = s
            barrier.wait()  # every connection is open before any request
            path = f"/ipxe/v1/config?mac={mac.replace(':', '%3A')}&platform=efi"
            text = get(s, path)
            if " 200 " not in text.split("\r\n", 1)[0] or want not in text:
                errors.append(f"{mac}: want {want!r}, got {text[:200]!r}")
        except Exception as e:  # noqa: BLE001 - report any failure
            errors.append(f"{mac}: {e!r}")
            try:
                barrier.abort()
            except Exception:  # noqa: BLE001
                pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"{len(errors)} errors; first: {errors[0]}")
        return 1
    print(f"ok {n}")
    return 0


def slowloris(host, port, n, seconds):
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b"GET /ipxe/v1/boot HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        socks.append(s)
    print(f"opened {len(socks)}", flush=True)
    time.sleep(seconds)
    for s in socks:
        s.close()
    return 0


def early(host, port):
    end = time.time() + 30
    while True:
        try:
            s = socket.create_connection((host, port), timeout=20)
            break
        except OSError:
            if time.time() > end:
                print("never connected")
                return 1
            time.sleep(0.001)
    data = answer(s, b"GET /ipxe/v1/boot HTTP/1.0\r\nHost: x\r\n\r\n")
    print(data.split(b"\r\n")[0].decode())
    return 0


def main():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "early":
        return early(host, port)
    n = int(sys.argv[4])
    if mode == "concurrent":
        return concurrent(host, port, n, sys.argv[5])
    if mode == "slowloris":
        return slowloris(host, port, n, float(sys.argv[5]))
    return 2


if __name__ == "__main__":
    sys.exit(main())
