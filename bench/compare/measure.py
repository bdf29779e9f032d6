"""One timed wrk run against one server, with what it cost the machine.

Per run: wrk's figures (graphql.lua: req/s, p50/p99, non-200 answers, bodies
with "errors"), the CPU of the whole machine from /proc/stat minus wrk's own
(per request), the same split by process group (the server and its children,
PostgreSQL, Redis, the rest), the server's peak resident memory (sampled every
0.25 s) and, for our server, SQL statements per request from its /metrics.
Before each measured run the machine must be idle (at most IDLE_SHARE busy),
waiting up to `idle_wait` seconds; what else was busy is recorded.
"""
import json
import os
import re
import resource
import subprocess
import threading
import time

from common import HERE, log

LUA = os.path.join(HERE, "graphql.lua")
CLK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
IDLE_SHARE = 0.12


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        raw = f.read()
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    p = raw.rsplit(")", 1)[1].split()
    # after ")": state ppid ... utime(11) stime(12) cutime(13) cstime(14) ... rss(21)
    return {"comm": comm, "ppid": int(p[1]), "cpu": (int(p[11]) + int(p[12])) / CLK,
            "ccpu": (int(p[13]) + int(p[14])) / CLK}


def all_procs():
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                out[int(d)] = proc_stat(d)
            except (OSError, ValueError, IndexError):
                pass
    return out


def box_busy():
    """CPU seconds the machine spent busy, and stolen, since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / CLK, v[7] / CLK


def family(procs, root):
    """root and its descendants."""
    fam, grew = {root}, True
    while grew:
        grew = False
        for pid, p in procs.items():
            if pid not in fam and p["ppid"] in fam:
                fam.add(pid)
                grew = True
    return fam & set(procs)


def by_group(procs, server_pid):
    """CPU seconds per group: the server, PostgreSQL (with its reaped parallel workers), Redis, the rest."""
    server = family(procs, server_pid) if server_pid else set()
    groups = {"server": 0.0, "postgres": 0.0, "redis": 0.0, "other": 0.0}
    for pid, p in procs.items():
        if pid in server:
            groups["server"] += p["cpu"] + p["ccpu"]
        elif p["comm"].startswith("postgres"):
            groups["postgres"] += p["cpu"] + p["ccpu"]
        elif p["comm"].startswith("redis"):
            groups["redis"] += p["cpu"]
        elif p["comm"] != "wrk":
            groups["other"] += p["cpu"] + p["ccpu"]
    return groups


def busy_share(seconds=1.0):
    """Share of the machine busy over `seconds`, and the busiest processes."""
    p0, (b0, _), t0 = all_procs(), box_busy(), time.monotonic()
    time.sleep(seconds)
    p1, (b1, _), t1 = all_procs(), box_busy(), time.monotonic()
    top = sorted(((round(100 * (p["cpu"] - p0[pid]["cpu"]) / (t1 - t0), 1), pid, p["comm"])
                  for pid, p in p1.items() if pid in p0 and p["cpu"] - p0[pid]["cpu"] > 0.01), reverse=True)
    return (b1 - b0) / (t1 - t0) / os.cpu_count(), top[:5]


def wait_idle(note, idle_wait):
    began = time.monotonic()
    share, top = busy_share()
    if share > IDLE_SHARE and idle_wait > 0:
        log(f"  machine busy ({100 * share:.0f} %: {top}) before {note}; waiting up to {idle_wait} s")
        while share > IDLE_SHARE and time.monotonic() - began < idle_wait:
            time.sleep(2)
            share, top = busy_share()
    return {"busy_before_pct": round(100 * share, 1), "waited_s": round(time.monotonic() - began - 1, 1),
            "busiest_before": top, "busy_before": share > IDLE_SHARE}


class RssSampler(threading.Thread):
    """Peak of the summed resident memory of a process and its children."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.peak, self.stop = 0, threading.Event()
        self.pids = sorted(family(all_procs(), pid)) if pid else []

    def run(self):
        while not self.stop.is_set():
            total = 0
            for p in self.pids:
                try:
                    total += int(open(f"/proc/{p}/statm").read().split()[1]) * PAGE_SIZE
                except (OSError, ValueError, IndexError):
                    pass
            self.peak = max(self.peak, total)
            self.stop.wait(0.25)


def metrics(url):
    """Our server's counters of SQL statements and kept responses."""
    out = subprocess.run(["curl", "-s", "-m", "5", url.replace("/graphql", "/metrics")], capture_output=True, text=True)
    found = {}
    for k in ("crm_db_statements_total", "crm_graphql_kept_responses_total"):
        m = re.search(rf"^{k} ([0-9.e+]+)$", out.stdout, re.M)
        if m:
            found[k] = float(m.group(1))
    return found


def run_wrk(target, reqfile, seconds, conc, timeout, threads=2, measure=True, idle_wait=0, note=""):
    cmd = ["wrk", f"-t{threads}", f"-c{conc}", f"-d{seconds}s", "--timeout", f"{timeout}s",
           "-s", LUA, target.url, "--", reqfile, str(threads)]
    rec = {"target": target.name, "note": note, "connections": conc, "seconds": seconds}
    if measure:
        rec.update(wait_idle(f"{target.name} {note}", idle_wait))
    pid = target.pid()
    sampler = RssSampler(pid)
    sampler.start()
    m0 = metrics(target.url) if target.side == "ours" else {}
    p0, (b0, s0) = all_procs(), box_busy()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p1, (b1, s1) = all_procs(), box_busy()
    m1 = metrics(target.url) if target.side == "ours" else {}
    sampler.stop.set()
    sampler.join()
    m = re.search(r"^RESULT (\{.*\})$", out.stdout, re.M)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    res = json.loads(m.group(1))
    rec.update(res)
    n = max(res["requests"], 1)
    g0, g1 = by_group(p0, pid), by_group(p1, pid)
    loadgen = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    box = b1 - b0
    rec.update({
        "wall_s": round(wall, 2),
        "cpu_box_pct": round(100 * box / wall / os.cpu_count(), 1),
        "cpu_steal_pct": round(100 * (s1 - s0) / wall / os.cpu_count(), 2),
        "cpu_loadgen_s": round(loadgen, 2),
        "cpu_ms_per_req": round(1000 * (box - loadgen) / n, 3),
        "cpu_ms_per_req_by_group": {k: round(1000 * (g1[k] - g0[k]) / n, 3) for k in g1},
        "peak_rss_mib": round(sampler.peak / 2 ** 20, 1),
        "errors_total": sum(res[k] for k in ("bad_status", "graphql_errors", "timeouts", "connect_errors",
                                             "read_errors", "write_errors")),
    })
    if "crm_db_statements_total" in m0 and "crm_db_statements_total" in m1:
        rec["sql_statements_per_req"] = round((m1["crm_db_statements_total"] - m0["crm_db_statements_total"]) / n, 3)
        rec["kept_responses_per_req"] = round((m1.get("crm_graphql_kept_responses_total", 0)
                                               - m0.get("crm_graphql_kept_responses_total", 0)) / n, 3)
    return rec
