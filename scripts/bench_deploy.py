#!/usr/bin/env python3
"""Blue-green benchmark: N cycles of `caresync deploy` (blue → green) and `caresync rollback` (green → blue) behind
real nginx, under a keep-alive read and write load through the proxy. Prints each cycle's switch and rollback times and
the failed requests (5xx answers, connection errors), then a summary; --json for scripts.

    .venv-test/bin/python scripts/bench_deploy.py [--cycles 10] [--binary .build/release/caresync]
        [--pg-admin-url postgres://postgres@127.0.0.1:PORT/postgres] [--json]

Uses the staging set-up of Tests/e2e/test_blue_green.py (the same nginx include the product ships)."""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cycles", type=int, default=10)
    ap.add_argument("--binary", default=str(ROOT / ".build" / "release" / "caresync"))
    ap.add_argument("--pg-admin-url", help="PostgreSQL instead of SQLite: an admin URL on a scratch cluster")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not Path(args.binary).is_file():
        sys.exit(f"no binary at {args.binary}: swift build -c release --product caresync")
    os.environ["CARESYNC_BIN"] = args.binary
    if args.pg_admin_url:
        os.environ["E2E_PG_ADMIN_URL"] = args.pg_admin_url
    sys.path.insert(0, str(ROOT / "Tests" / "e2e"))
    from test_blue_green import Installation, Load, token  # after CARESYNC_BIN is set

    def say(line):
        if not args.json:
            print(line, flush=True)

    inst = Installation("postgres" if args.pg_admin_url else "sqlite")
    cycles = []
    try:
        v1, v2 = inst.release("1.0.0"), inst.release("1.1.0")
        rc, first = inst.deploy("--release", v1)
        assert rc == 0, first
        say(f"blue is live ({first['toRelease']}); {args.cycles} cycles under load")
        with Load(inst.proxy, token(inst.proxy, "desk.jones")) as load:
            for i in range(1, args.cycles + 1):
                before = len(load.failures)
                start = time.monotonic()
                rc, there = inst.deploy("--release", v2)
                deploy_s = time.monotonic() - start
                assert rc == 0, there
                r = inst.caresync("rollback", "--json", "--by", "bench")
                assert r.returncode == 0, r.stdout + r.stderr
                back = json.loads(r.stdout)
                c = {"cycle": i, "switchMs": there["switchMs"], "rollbackMs": back["rollbackMs"],
                     "deploySeconds": round(deploy_s, 2), "failed": len(load.failures) - before}
                cycles.append(c)
                say(f"  cycle {i:2d}: deploy {c['deploySeconds']:5.2f} s (switch {c['switchMs']} ms), "
                    f"rollback {c['rollbackMs']} ms, failed requests {c['failed']}")
        summary = {
            "database": inst.backend, "cycles": len(cycles), "requests": load.reads + len(load.written),
            "failedRequests": len(load.failures), "failures": load.failures[:20],
            # A request sent on a keep-alive connection just as nginx's reload closed it (never read by nginx), sent
            # again on a new connection as browsers do.
            "retriedAfterKeepAliveClose": len(load.retried),
            "switchMs": {"median": statistics.median(c["switchMs"] for c in cycles),
                         "max": max(c["switchMs"] for c in cycles)},
            "rollbackMs": {"median": statistics.median(c["rollbackMs"] for c in cycles),
                           "max": max(c["rollbackMs"] for c in cycles)},
            "deploySeconds": {"median": statistics.median(c["deploySeconds"] for c in cycles),
                              "max": max(c["deploySeconds"] for c in cycles)},
            "perCycle": cycles,
        }
        if args.json:
            print(json.dumps(summary, indent=1))
        else:
            print(f"{summary['cycles']} cycles on {summary['database']}: switch median {summary['switchMs']['median']} "
                  f"ms (max {summary['switchMs']['max']}), rollback median {summary['rollbackMs']['median']} ms "
                  f"(max {summary['rollbackMs']['max']}), whole deploy median {summary['deploySeconds']['median']} s; "
                  f"{summary['requests']} requests, {summary['failedRequests']} failed, "
                  f"{summary['retriedAfterKeepAliveClose']} sent again after a keep-alive close")
        sys.exit(0 if summary["failedRequests"] == 0 else 1)
    finally:
        inst.stop()


if __name__ == "__main__":
    main()
