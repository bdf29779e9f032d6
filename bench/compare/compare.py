#!/usr/bin/env python3
"""Our server and PostGraphile 5, same database, same workspace, same requests.

For each shape:
  1. preflight: the same requests to both servers; the answers are normalised
     (timestamps to instants, amounts to decimals, contacts to sets) and
     compared with each other and, where an answer is data, with SQL run as
     the owner role; any difference stops the run before anything is timed;
  2. request files for wrk (graphql.lua): the same requests in the same order
     to both servers, each with its own credentials and query text
     (queries/ours, queries/pgl: the query texts are data, change them there);
  3. a warm-up of each server (discarded), then the measured runs,
     interleaved: ours, PostGraphile, ours, PostGraphile, ...;
  4. per run: req/s, p50/p99, failed requests, CPU per request, peak
     resident memory (measure.py).

Shapes:
  cold       customer 360 (customer, contacts, 5 latest orders), every request
             another customer: our server never gets a customer twice in one
             invocation (run.sh gives it a fresh Redis key prefix, so every
             invocation starts cold); PostGraphile keeps nothing between
             requests and walks one shuffle of all customers
  warm       the same over 1,000 customers, repeated (ours: kept responses)
  page       a page of 50 customers oldest first with their contacts, pages
             1-20 by cursor, in a random order
  aggregate  order count and revenue per group of dimensions
             (queries/*/aggregate.graphql, checked against
             queries/sql/aggregate.sql); few connections, long runs: one
             request aggregates the whole workspace
  search     customers by name: searchCustomers against a name ILIKE filter
             (not the same work, see the README)
  writes     create a customer, log an interaction, create an order with one
             line, in turn, through each server's mutations

Writes `$WORK_DIR/results/<stamp>.json`; report.py makes the tables.
"""
import argparse
import datetime
import json
import os
import random
import sys
import time
import uuid
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CRM_URL, HERE, PGL_URL, WORK_DIR, gql, log, psql, workspace  # noqa: E402
from measure import run_wrk  # noqa: E402

SHAPES = ["cold", "warm", "page", "aggregate", "search", "writes"]
PAGES = 20
WARM_SET = 1000
HOME_CUSTOMERS = 100  # per server: the customers the write mix logs interactions and orders on


def query(side, name):
    """The query text of a shape, its comment lines left out."""
    with open(os.path.join(HERE, "queries", side, f"{name}.graphql")) as f:
        return "".join(line for line in f if not line.lstrip().startswith("#"))


class Target:
    def __init__(self, side, url, ws):
        self.side, self.url, self.ws = side, url, ws
        self.name = "ours" if side == "ours" else "postgraphile"
        self.pidfile = os.path.join(WORK_DIR, "crm.pid" if side == "ours" else "pgl.pid")

    def pid(self):
        try:
            return int(open(self.pidfile).read().strip())
        except (OSError, ValueError):
            return None

    def headers(self):
        if self.side == "ours":
            return {"authorization": "Bearer " + self.ws["access_token"]}
        return {"x-tenant-id": self.ws["tenant_id"]}

    def variables(self, name, variables):
        if "$tenantId" in query(self.side, name):
            variables = {"tenantId": self.ws["tenant_id"], **variables}
        return variables

    def post(self, name, variables=None, **more):
        variables = {**(variables or {}), **more}
        return gql(self.url, query(self.side, name), self.variables(name, variables), self.headers())["data"]

    def line(self, name, variables=None, **more):
        """One line of a wrk request file: header names and values, then the body, tab-separated."""
        variables = {**(variables or {}), **more}
        body = json.dumps({"query": query(self.side, name), "variables": self.variables(name, variables)},
                          separators=(",", ":"))
        fields = [x for h in self.headers().items() for x in h] + [body]
        assert not any("\t" in f or "\n" in f for f in fields)
        return "\t".join(fields)


def write_file(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


# -------------------------------------------------------------- normalising
def instant(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() if s else None


def nodes(conn):
    if conn is None:
        return []
    return conn["nodes"] if "nodes" in conn else [e["node"] for e in conn["edges"]]


def norm_customer(c, orders=True):
    if c is None:
        return None
    out = {"id": c["id"], "name": c["name"], "email": c.get("email"), "region": c.get("region"),
           "stage": c["lifecycleStage"], "created": instant(c["createdAt"]),
           "contacts": sorted((x["id"], x["name"], x.get("email"), x.get("phone"), x.get("title"))
                              for x in nodes(c["contacts"]))}
    if orders:
        out["orders"] = [(o["id"], instant(o["orderedAt"]),
                          Decimal(o["total"]["amount"] if "total" in o else o["totalAmount"]),
                          o["currency"], o["status"]) for o in nodes(c["orders"])]
    return out


def norm_aggregate(side, d):
    """{(key, ...): (order count, revenue)} whatever the dimensions."""
    if side == "ours":
        return {tuple(k["label"] for k in r["keys"]): (int(r["orderCount"]), Decimal(r["revenue"]["amount"]))
                for r in d["analyze"]["rows"]}
    return {tuple(g["keys"]): (int(g["distinctCount"]["orderId"]), Decimal(g["sum"]["revenue"]))
            for g in d["facts"]["groupedAggregates"]}


def same(a, b, what):
    if a != b:
        raise AssertionError(f"preflight: {what} differ:\n ours: {json.dumps(a, default=str)[:1500]}\n"
                             f" other: {json.dumps(b, default=str)[:1500]}")


# ---------------------------------------------------------------- preflight
def preflight_customers(ours, pgl, ids, tenant):
    """Both servers give the same 360 answer, equal to SQL; another workspace's customer is null on both."""
    listed = ",".join(ids)
    truth = {}
    for kind, cid, lst in psql(f"""
      SELECT 'contacts', c.id, coalesce(string_agg(k.id::text, ',' ORDER BY k.id), '') FROM customers c
        LEFT JOIN contacts k ON k.tenant_id = c.tenant_id AND k.customer_id = c.id AND k.deleted_at IS NULL
       WHERE c.id = ANY('{{{listed}}}'::uuid[]) GROUP BY c.id;
      SELECT 'orders', x.customer_id, string_agg(x.id::text, ',' ORDER BY x.ordered_at DESC, x.id DESC) FROM (
        SELECT o.customer_id, o.id, o.ordered_at,
               row_number() OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at DESC, o.id DESC) AS rn
          FROM orders o WHERE o.customer_id = ANY('{{{listed}}}'::uuid[])) x WHERE rn <= 5 GROUP BY x.customer_id;
    """, tenant=tenant):
        truth.setdefault(cid, {})[kind] = lst.split(",") if lst else []
    for cid in ids:
        a = norm_customer(ours.post("customer", id=cid)["customer"])
        same(a, norm_customer(pgl.post("customer", id=cid)["customer"]), f"customer {cid}")
        if sorted(c[0] for c in a["contacts"]) != truth[cid]["contacts"] \
                or [o[0] for o in a["orders"]] != truth[cid].get("orders", []):
            raise AssertionError(f"customer {cid}: answer differs from SQL: {a} / {truth[cid]}")
    fid = ours.ws["other_customer_id"]
    a, b = ours.post("customer", id=fid)["customer"], pgl.post("customer", id=fid)["customer"]
    if a is not None or b is not None:
        raise AssertionError(f"another workspace's customer {fid} visible: ours {a}, PostGraphile {b}")
    return {"customers_compared": len(ids), "other_workspace_customer": "null on both"}


def preflight_pages(ours, pgl, tenant):
    """Pages 1-20 equal on both and to SQL; returns each server's cursor for each page."""
    order = [r[0] for r in psql(f"SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY created_at, id "
                                f"LIMIT {50 * PAGES};", tenant=tenant)]
    cursors = {"ours": [None], "pgl": [None]}
    for p in range(PAGES):
        da = ours.post("page", after=cursors["ours"][-1])["customers"]
        db = pgl.post("page", after=cursors["pgl"][-1])["customers"]
        a = [norm_customer(c, orders=False) for c in nodes(da)]
        same(a, [norm_customer(c, orders=False) for c in nodes(db)], f"page {p + 1}")
        if [c["id"] for c in a] != order[50 * p:50 * p + 50]:
            raise AssertionError(f"page {p + 1}: not the 50 customers SQL gives (ORDER BY created_at, id)")
        if not (da["pageInfo"]["hasNextPage"] and db["pageInfo"]["hasNextPage"]):
            raise AssertionError(f"page {p + 1}: hasNextPage false")
        cursors["ours"].append(da["pageInfo"]["endCursor"])
        cursors["pgl"].append(db["pageInfo"]["endCursor"])
    return {k: v[:PAGES] for k, v in cursors.items()}


def preflight_aggregate(ours, pgl, tenant):
    a, b = norm_aggregate("ours", ours.post("aggregate")), norm_aggregate("pgl", pgl.post("aggregate"))
    same(sorted(a.items(), key=str), sorted(b.items(), key=str), "aggregate groups")
    rows = psql(open(os.path.join(HERE, "queries", "sql", "aggregate.sql")).read(), tenant=tenant)
    truth = {tuple(k or None for k in r[:-2]): (int(r[-2]), Decimal(r[-1])) for r in rows}
    same(sorted(a.items(), key=str), sorted(truth.items(), key=str), "aggregate groups (servers and SQL)")
    return {"groups": len(a), "orders": sum(v[0] for v in a.values()), "revenue": str(sum(v[1] for v in a.values()))}


def preflight_search(ours, pgl, terms):
    """Not the same search: both find something for a customer's name; ours ranks an exact match
    first; every PostGraphile hit contains the name."""
    found = {"ours": 0, "pgl": 0}
    for term in terms:
        a, b = ours.post("search", q=term)["customers"], nodes(pgl.post("search", q=term)["customers"])
        if not a or a[0]["name"].casefold() != term.casefold():
            raise AssertionError(f"search {term!r}: ours does not put an exact match first: {a[:3]}")
        if not b or any(term.casefold() not in c["name"].casefold() for c in b):
            raise AssertionError(f"search {term!r}: PostGraphile's hits {b[:3]}")
        found["ours"] += len(a)
        found["pgl"] += len(b)
    return {"terms": len(terms), "mean_hits_ours": found["ours"] / len(terms),
            "mean_hits_postgraphile": found["pgl"] / len(terms)}


# ---------------------------------------------------------------- the writes
def write_request(target, n, tag, home, product):
    """Request n of the write mix, the same for both servers but for ids:
    a customer, an interaction on a home customer, or an order of one line on it."""
    kind = n % 3
    at = (datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
          + datetime.timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ours = target.side == "ours"
    owner = home[n % len(home)] if home else None
    if kind == 0 or not home:
        c = {"kind": "COMPANY", "name": f"Write mix {tag} {n}", "email": f"w{n}.{tag}@compare.example"}
        if not ours:
            c.update(tenantId=target.ws["tenant_id"], rowId=str(uuid.uuid4()))
        return "create_customer", {"i" if ours else "c": c}
    if kind == 1:
        i = {"customerId": owner, "kind": "NOTE", "subject": f"Note {n}", "body": f"Called about order {n}.",
             "occurredAt": at}
        if not ours:
            i.update(tenantId=target.ws["tenant_id"], rowId=str(uuid.uuid4()), direction="INTERNAL")
        return "log_interaction", {"i": i}
    order = {"customerId": owner, "orderedAt": at, "currency": "USD", "channel": "WEB", "status": "PAID"}
    line = {"productId": product, "quantity": "2", "unitPrice": "10.5000"}
    if ours:
        return "create_order", {"i": {**order, "lines": [line]}}
    oid, t = str(uuid.uuid4()), target.ws["tenant_id"]
    return "create_order", {"o": {**order, "tenantId": t, "rowId": oid, "totalAmount": "21.0000"},
                            "l": {**line, "tenantId": t, "orderId": oid, "lineNo": 1, "discountPercent": "0",
                                  "netAmount": "21.0000"}}


def created_id(d):
    for v in d.values():
        for inner in v.values():
            if isinstance(inner, dict) and "id" in inner:
                return inner["id"]
    raise AssertionError(f"no id in {d}")


def preflight_writes(ours, pgl, tag, product, tenant):
    """Each server creates the same HOME_CUSTOMERS customers, then the same interaction and
    order on the first; the stored rows are compared (ids and creation times aside)."""
    home = {}
    for t in (ours, pgl):
        home[t.side] = [created_id(t.post(*write_request(t, 3 * k, tag, None, product))) for k in range(HOME_CUSTOMERS)]
        for n in (1, 2):
            t.post(*write_request(t, n, tag, home[t.side][:1], product))

    def stored(ids):
        listed = ",".join(ids)
        return psql(f"""
          SELECT 'customer', kind, name, email, lifecycle_stage, coalesce(region, '') FROM customers
           WHERE id = ANY('{{{listed}}}'::uuid[]) ORDER BY name;
          SELECT 'interaction', kind, direction, subject, body, occurred_at FROM interactions
           WHERE customer_id = '{ids[0]}';
          SELECT 'order', o.currency, o.channel, o.status, o.total_amount, o.ordered_at, l.product_id, l.quantity,
                 l.unit_price, l.discount_percent, l.net_amount
            FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
           WHERE o.customer_id = '{ids[0]}';""", tenant=tenant)

    a, b = stored(home["ours"]), stored(home["pgl"])
    if len(a) != HOME_CUSTOMERS + 2:
        raise AssertionError(f"writes: expected {HOME_CUSTOMERS} customers, an interaction and an order: {a[-3:]}")
    same(a, b, "stored rows of the write mix")
    rollups = {side: psql(f"SELECT order_count, interaction_count FROM customers WHERE id = '{ids[0]}';",
                          tenant=tenant)[0] for side, ids in home.items()}
    return home, {"rows_compared": len(a), "rollups_of_first_customer (order_count, interaction_count)": rollups}


# --------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated, from: " + ", ".join(SHAPES))
    ap.add_argument("--runs", type=int, default=2, help="measured runs per server and shape")
    ap.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    ap.add_argument("--warmup", type=int, default=5, help="seconds of discarded warm-up per server and shape")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--timeout", type=int, default=30, help="wrk's per-request timeout, seconds")
    ap.add_argument("--aggregate-connections", type=int, default=4,
                    help="one aggregate request takes seconds: at 32 connections nearly all would time out")
    ap.add_argument("--aggregate-duration", type=int, default=60)
    ap.add_argument("--aggregate-warmup", type=int, default=10)
    ap.add_argument("--aggregate-timeout", type=int, default=120)
    ap.add_argument("--idle-wait", type=float, default=240,
                    help="seconds to wait, before each measured run, for the machine to be idle (< 12 %% busy)")
    ap.add_argument("--cold-rate", type=int, default=2500,
                    help="req/s our server might reach on `cold`: sizes its slices of never-read customers")
    ap.add_argument("--preflight-only", action="store_true", help="compare the answers, time nothing")
    ap.add_argument("--note", default="", help="kept in the results")
    args = ap.parse_args()
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = set(shapes) - set(SHAPES)
    if unknown:
        sys.exit(f"unknown shapes: {', '.join(sorted(unknown))}")

    ws = workspace()
    tenant = ws["tenant_id"]
    ours, pgl = Target("ours", CRM_URL, ws), Target("pgl", PGL_URL, ws)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    reqdir = os.path.join(WORK_DIR, "requests", stamp)
    os.makedirs(reqdir, exist_ok=True)
    result = {"stamp": stamp, "args": vars(args), "tenant": tenant, "counts": ws.get("counts"),
              "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release,
                          "loadavg_at_start": open("/proc/loadavg").read().split()[:3]},
              "shapes": {}}
    result_path = os.path.join(WORK_DIR, "results", f"{stamp}.json")

    def save():
        json.dump(result, open(result_path, "w"), indent=1, default=str)

    rng = random.Random(stamp)
    loaded = [r[0] for r in psql("SELECT id FROM customers WHERE external_id LIKE 'EXT-%' AND deleted_at IS NULL "
                                 "ORDER BY id;", tenant=tenant)]
    random.Random("compare").shuffle(loaded)
    hot, fresh = loaded[:WARM_SET], loaded[WARM_SET:]

    def take(n):
        nonlocal fresh
        taken, fresh = fresh[:n], fresh[n:]
        return taken

    for shape in shapes:
        log(f"== {shape}")
        sr = result["shapes"][shape] = {"runs": []}
        conc, dur, warm, tmo = args.connections, args.duration, args.warmup, args.timeout
        if shape == "aggregate":
            conc, dur = args.aggregate_connections, args.aggregate_duration
            warm, tmo = args.aggregate_warmup, args.aggregate_timeout
        files = {}  # (side, "warm-up" or run index) -> request file

        def same_file(lines_of):
            for t in (ours, pgl):
                f = write_file(os.path.join(reqdir, f"{shape}_{t.side}.req"), lines_of(t))
                for key in ["warm-up"] + list(range(args.runs)):
                    files[(t.side, key)] = f

        if shape == "cold":
            sr["preflight"] = preflight_customers(ours, pgl, take(200), tenant)
            per_run = min(args.cold_rate * dur, (len(fresh) - args.cold_rate * warm) // args.runs)
            slices = {"warm-up": take(args.cold_rate * warm)}
            for k in range(args.runs):
                slices[k] = take(per_run)
            every = list(loaded)
            rng.shuffle(every)
            pgl_file = write_file(os.path.join(reqdir, "cold_pgl.req"), [pgl.line("customer", id=c) for c in every])
            for key, ids in slices.items():
                files[("ours", key)] = write_file(os.path.join(reqdir, f"cold_ours_{key}.req"),
                                                  [ours.line("customer", id=c) for c in ids])
                files[("pgl", key)] = pgl_file
            sr["ids_per_file"] = {"ours": {str(k): len(v) for k, v in slices.items()}, "postgraphile": len(every)}
        elif shape == "warm":
            sr["preflight"] = preflight_customers(ours, pgl, hot[:200], tenant)
            seq = []
            for _ in range(30):
                block = list(hot)
                rng.shuffle(block)
                seq += block
            same_file(lambda t: [t.line("customer", id=c) for c in seq])
        elif shape == "page":
            cursors = preflight_pages(ours, pgl, tenant)
            sr["preflight"] = {"pages_compared": PAGES}
            starts = [rng.randrange(PAGES) for _ in range(4000)]
            same_file(lambda t: [t.line("page", after=cursors[t.side][p]) for p in starts])
        elif shape == "aggregate":
            sr["preflight"] = preflight_aggregate(ours, pgl, tenant)
            same_file(lambda t: [t.line("aggregate")] * 100)
        elif shape == "search":
            sample = ",".join(rng.sample(loaded, min(4000, len(loaded))))
            terms = sorted({r[0] for r in psql(f"SELECT name FROM customers WHERE id = ANY('{{{sample}}}'::uuid[]);",
                                               tenant=tenant)})
            rng.shuffle(terms)
            sr["preflight"] = preflight_search(ours, pgl, terms[:20])
            same_file(lambda t: [t.line("search", q=q) for q in terms])
            sr["terms"] = len(terms)
        elif shape == "writes":
            product = psql("SELECT id FROM products ORDER BY sku LIMIT 1;", tenant=tenant)[0][0]
            home, sr["preflight"] = preflight_writes(ours, pgl, stamp, product, tenant)
            lines = 3000 * max(dur, warm)
            for key in ["warm-up"] + list(range(args.runs)):
                for t in (ours, pgl):
                    first = 3 * HOME_CUSTOMERS + (0 if key == "warm-up" else (key + 1) * lines)
                    files[(t.side, key)] = write_file(
                        os.path.join(reqdir, f"writes_{t.side}_{key}.req"),
                        [t.line(*write_request(t, n, stamp, home[t.side], product)) for n in range(first, first + lines)])
            sr["requests_per_file"] = lines
        log(f"  preflight ok: {json.dumps(sr['preflight'], default=str)[:300]}")
        save()
        if args.preflight_only:
            continue

        for t in (ours, pgl):
            log(f"  warm-up {t.name} {warm} s")
            w = run_wrk(t, files[(t.side, "warm-up")], warm, conc, tmo, measure=False, note="warm-up")
            sr.setdefault("warmups", []).append({k: w[k] for k in ("target", "requests", "rps", "errors_total")})
        for k in range(args.runs):
            for t in (ours, pgl):
                rec = run_wrk(t, files[(t.side, k)], dur, conc, tmo, idle_wait=args.idle_wait, note=f"run {k + 1}")
                rec["run"] = k + 1
                if shape in ("cold", "writes"):
                    size = len(open(files[(t.side, k)]).readlines())
                    rec["requests_repeated"] = rec["requests"] > size
                sr["runs"].append(rec)
                save()
                log(f"  {t.name:12s} run {k + 1}: {rec['rps']:9.1f} req/s  p50 {rec['p50_ms']:8.1f}  "
                    f"p99 {rec['p99_ms']:8.1f} ms  cpu {rec['cpu_ms_per_req']:.3f} ms/req  "
                    f"rss {rec['peak_rss_mib']} MiB  failed {rec['errors_total']}"
                    + (f"  sql {rec['sql_statements_per_req']}/req" if "sql_statements_per_req" in rec else "")
                    + ("  REQUESTS REPEATED" if rec.get("requests_repeated") else "")
                    + ("  (machine busy before)" if rec.get("busy_before") else ""))
        time.sleep(1)
    save()
    log(f"results: {result_path}")


if __name__ == "__main__":
    main()
