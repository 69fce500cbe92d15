#!/usr/bin/env python3
"""pg_race.py - the install-once race of tests/integration/pg_install_once.sh.

  pg_race.py ROUNDS MAC BOOT_A BOOT_B ADMIN_A TOKEN_A DB_URL

Each round: flag the host for reinstall through appliance A's admin API,
ask A and B for the host's config at the same instant (two threads, one
barrier), then call done on A and B at the same instant with every token
the round handed out. Prints one line of totals:
  rounds=N tokens=T answers_with_token=W done_ok=D max_done_per_round=M
and exits 1 on the first round that broke install-once: two answers with
the same token, or more than one done accepted in a round.
"""
import http.client
import re
import subprocess
import sys
import threading

TOKEN_RE = re.compile(r"bootyard\.token=([0-9a-f]{32})")


def get(url_host, port, path, method="GET", body=None, headers=None):
    c = http.client.HTTPConnection(url_host, port, timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read().decode(errors="replace")
    c.close()
    return r.status, data


def hostport(url):
    hp = url.split("://", 1)[1]
    h, p = hp.rsplit(":", 1)
    return h, int(p)


def main():
    rounds, mac = int(sys.argv[1]), sys.argv[2]
    a, b, admin = hostport(sys.argv[3]), hostport(sys.argv[4]), hostport(sys.argv[5])
    auth = {"Authorization": "Bearer " + sys.argv[6],
            "Content-Type": "application/json"}
    psql = subprocess.Popen(["psql", "-X", "-q", "-At", sys.argv[7]],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)

    def attempts():
        psql.stdin.write("SELECT h.attempts FROM hosts h JOIN host_macs m"
                         f" ON m.host_id = h.id WHERE m.mac = '{mac}';\n")
        psql.stdin.flush()
        return int(psql.stdout.readline())

    tokens_total = with_token = done_ok = max_done = 0
    seen = set()
    for rnd in range(rounds):
        st, body = get(*admin, f"/api/v1/hosts/{mac}/reinstall", "POST",
                       '{"distro":"debian12"}', auth)
        if st != 200:
            print(f"round {rnd}: reinstall: {st} {body}")
            return 1
        barrier = threading.Barrier(2)
        out = [None, None]

        def ask(i, hp):
            barrier.wait()
            out[i] = get(*hp, f"/ipxe/v1/config?mac={mac}&platform=pcbios")

        ts = [threading.Thread(target=ask, args=(i, hp))
              for i, hp in enumerate((a, b))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        toks = []
        for st, body in out:
            m = TOKEN_RE.search(body)
            if m:
                toks.append(m.group(1))
        if len(set(toks)) != len(toks) or seen & set(toks):
            print(f"round {rnd}: one token handed out twice: {toks}")
            return 1
        seen |= set(toks)
        spent = attempts()
        if spent != len(toks):
            print(f"round {rnd}: {spent} attempts spent, {len(toks)} tokens")
            return 1
        tokens_total += len(toks)
        with_token += len(toks)
        # every token of the round, done on A and on B at the same instant
        results = []
        lock = threading.Lock()
        jobs = [(hp, t) for t in toks for hp in (a, b)]
        barrier2 = threading.Barrier(len(jobs)) if jobs else None

        def done(hp, tok):
            barrier2.wait()
            st, _ = get(*hp, f"/ipxe/v1/done?token={tok}", "POST")
            with lock:
                results.append(st)

        ts = [threading.Thread(target=done, args=j) for j in jobs]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        n_ok = results.count(200)
        if toks and n_ok != 1:
            print(f"round {rnd}: {n_ok} done accepted (want exactly 1): {results}")
            return 1
        done_ok += n_ok
        max_done = max(max_done, n_ok)
    print(f"rounds={rounds} tokens={tokens_total} answers_with_token={with_token}"
          f" done_ok={done_ok} max_done_per_round={max_done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
