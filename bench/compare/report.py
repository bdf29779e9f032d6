#!/usr/bin/env python3
"""Markdown tables from one or more compare.py result files.

Usage: report.py RESULT.json [RESULT.json ...]
A shape found in several files is taken from the last file that has it.
Each cell is the median of the measured runs, with every run's value in
brackets; the ratio is ours / PostGraphile on the medians of req/s.
"""
import json
import statistics
import sys

LABEL = {
    "cold": "customer 360, every request another customer",
    "warm": "customer 360 over 1,000 customers, repeated (ours: kept responses)",
    "page": "page of 50 customers + contacts, pages 1-20 by cursor",
    "aggregate": "order count + revenue per group (see queries/*/aggregate.graphql)",
    "search": "search by name (not the same work, see README)",
    "writes": "write mix: create customer / log interaction / create order",
}


def fmt(v, nd):
    return f"{v:,.{nd}f}"


def cell(runs, key, nd):
    vals = [r[key] for r in runs]
    m = statistics.median(vals)
    nd = 2 if key == "rps" and m < 10 else nd
    return fmt(m, nd) if len(vals) == 1 else f"**{fmt(m, nd)}** ({' / '.join(fmt(v, nd) for v in vals)})"


def split_runs(sr):
    by = {}
    for r in sr["runs"]:
        by.setdefault(r["target"], []).append(r)
    return by.get("ours", []), by.get("postgraphile", [])


def main():
    shapes, preflight, stamps = {}, {}, []
    for path in sys.argv[1:]:
        d = json.load(open(path))
        stamps.append(d["stamp"])
        for s, sr in d["shapes"].items():
            preflight[s] = sr.get("preflight")
            if sr.get("runs"):
                shapes[s] = (sr, d)
    if not shapes:
        print("(no measured runs)")
        print_preflight(preflight)
        return
    first = next(iter(shapes.values()))[1]
    print(f"Side by side, runs {', '.join(stamps)}: {first['machine']['cpus']} CPUs, kernel "
          f"{first['machine']['kernel']}, load at start {' '.join(first['machine']['loadavg_at_start'])}; "
          f"data {json.dumps(first.get('counts'))}." + (f" Note: {first['args']['note']}" if first['args'].get('note') else "")
          + "\n")
    print("| shape | conns × s × runs | ours req/s | PostGraphile req/s | ours / PG | p50 ms ours / PG | "
          "p99 ms ours / PG | CPU ms/req ours / PG | peak RSS MiB ours / PG | failed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in LABEL:
        if s not in shapes:
            continue
        sr, _ = shapes[s]
        o, p = split_runs(sr)
        if not o or not p:
            continue
        ratio = statistics.median(r["rps"] for r in o) / max(statistics.median(r["rps"] for r in p), 1e-9)
        failed = sum(r["errors_total"] for r in o + p)
        flags = [f for f, hit in (("a run finished no request", any(r["requests"] == 0 for r in o + p)),
                                  ("requests repeated", any(r.get("requests_repeated") for r in o + p)),
                                  ("machine busy before a run", any(r.get("busy_before") for r in o + p))) if hit]
        print(f"| {LABEL[s]} | {o[0]['connections']} × {o[0]['seconds']} × {len(o)} | {cell(o, 'rps', 1)} | "
              f"{cell(p, 'rps', 1)} | **{ratio:.2f}** | {cell(o, 'p50_ms', 1)} / {cell(p, 'p50_ms', 1)} | "
              f"{cell(o, 'p99_ms', 1)} / {cell(p, 'p99_ms', 1)} | {cell(o, 'cpu_ms_per_req', 3)} / "
              f"{cell(p, 'cpu_ms_per_req', 3)} | {fmt(max(r['peak_rss_mib'] for r in o), 0)} / "
              f"{fmt(max(r['peak_rss_mib'] for r in p), 0)} | {failed}{' — ' + ', '.join(flags) if flags else ''} |")
    print("\nCPU per request is the whole machine's, wrk's own excepted; split by process group below "
          "(medians, ms per request), with our SQL statements per request (its /metrics).\n")
    print("| shape | target | server | postgres | redis | other | SQL stmts/req | bytes/resp | machine busy % |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in LABEL:
        if s not in shapes:
            continue
        for rs in split_runs(shapes[s][0]):
            if not rs:
                continue
            split = {k: statistics.median(r["cpu_ms_per_req_by_group"][k] for r in rs)
                     for k in rs[0]["cpu_ms_per_req_by_group"]}
            sql = (f"{statistics.median(r['sql_statements_per_req'] for r in rs):.2f}"
                   if "sql_statements_per_req" in rs[0] else "")
            print(f"| {s} | {rs[0]['target']} | {split['server']:.3f} | {split['postgres']:.3f} | "
                  f"{split['redis']:.3f} | {split['other']:.3f} | {sql} | "
                  f"{statistics.median(r['bytes'] / max(r['requests'], 1) for r in rs):,.0f} | "
                  f"{statistics.median(r['cpu_box_pct'] for r in rs):.0f} |")
    print_preflight(preflight)


def print_preflight(preflight):
    print("\nPreflight (answers compared before timing):\n")
    for s in LABEL:
        if s in preflight:
            print(f"- {s}: {json.dumps(preflight[s], default=str)}")


if __name__ == "__main__":
    main()
