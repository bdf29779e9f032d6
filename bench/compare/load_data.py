#!/usr/bin/env python3
"""Creates and fills the benchmark workspace on our server (CRM_URL), the way
the project itself writes data:

 1. signUp (workspace SLUG; USD base currency) -> access token, tenant id;
 2. 8 regions (createRegion), 8 sales reps (inviteMember, the invitation
    token read from the stored outbound message, acceptInvitation), each
    placed in one region (assignMember);
 3. customers + contacts with the project's generator
    bench/sql/customers_data.sql (owner role, one transaction after
    set_config('app.tenant_id')), with {notes} = 0 (no interactions) and 2 or
    3 contacts per customer (customer i has 2 + i % 2; the generator's
    contact_count rollup gets the same expression). Search triggers stay on,
    so the search rows are the ones the triggers write. Each customer's
    owner is the rep of the customer's region (so the project's REGION
    analysis dimension, the owner's region, equals the customer's region);
 4. 20 products (createProduct) and monthly EUR and GBP rates for 2023-2026
    (setExchangeRate);
 5. orders through importOrders in calls of at most ROWS_PER_CALL rows
    (default 5,000), a customer's orders always in one call: customer i gets
    1 + h(i) % 9 orders (mean 5), each with 1 or 2 lines, USD 60 % / EUR 25 %
    / GBP 15 %, statuses PAID/SHIPPED/PLACED/CANCELLED/REFUNDED
    70/15/8/4/3 %, order times distinct per customer. The import writes the
    orders, lines, outbox events and the customers' order rollups;
 6. checks the rollups against the records, VACUUM ANALYZE;
and a second workspace with one customer, for the preflight's isolation check.

Re-runnable: finished stages are recorded in $WORK_DIR/workspace.json, and
a finished workspace is reused as long as its owner can still sign in (a
workspace that is gone is loaded again under a new slug).
Env: CRM_URL, WORK_DIR, DATABASE_OWNER_URL (see common.py); SLUG (default: a
new "compare-<random>" per scratch folder), CUSTOMERS (100000),
ROWS_PER_CALL (5000).
"""
import datetime
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CRM_URL, PROJECT_DIR, WORK_DIR, gql, log, psql, workspace_path  # noqa: E402

WS_PATH = workspace_path()
# a new workspace per scratch folder: a slug of a half-loaded workspace is never reused
SLUG = os.environ.get("SLUG") or (json.load(open(WS_PATH)).get("slug") if os.path.exists(WS_PATH) else None) \
    or "compare-" + os.urandom(3).hex()
EMAIL = "bench@compare.example"
PASSWORD = "a long passphrase for bench"
CUSTOMERS = int(os.environ.get("CUSTOMERS", "100000"))
ROWS_PER_CALL = int(os.environ.get("ROWS_PER_CALL", "5000"))
TENANT_NO = "e07"  # 3 hex digits in the generated ids; ids differ per workspace anyway
REGIONS = ["North America", "Europe", "East Asia", "South America", "Oceania", "Africa",
           "Shanghai", "Beijing"]  # the generator's customer regions


def save(ws):
    tmp = WS_PATH + ".tmp"
    json.dump(ws, open(tmp, "w"), indent=1)
    os.replace(tmp, WS_PATH)


def h(*parts):
    return int.from_bytes(hashlib.md5(":".join(map(str, parts)).encode()).digest()[:8], "big")


def as_owner(ws, query, variables=None):
    return gql(CRM_URL, query, variables, {"authorization": "Bearer " + ws["access_token"]})["data"]


def sign_in(slug, name):
    """Signs in to workspace `slug`, signing it up first when it does not exist."""
    fields = "{ accessToken refreshToken tenant { id } }"
    d = gql(CRM_URL, f"mutation($i: SignInInput!) {{ signIn(input: $i) {fields} }}",
            {"i": {"tenantSlug": slug, "email": EMAIL, "password": PASSWORD}}, check=False)
    if d.get("data") and d["data"].get("signIn"):
        return d["data"]["signIn"]
    return gql(CRM_URL, f"mutation($i: SignUpInput!) {{ signUp(input: $i) {fields} }}",
               {"i": {"tenantName": name, "tenantSlug": slug, "email": EMAIL, "password": PASSWORD,
                      "baseCurrency": "USD"}})["data"]["signUp"]


def stage_signup(ws):
    p = sign_in(SLUG, "Side-by-side comparison")
    ws.update(tenant_id=p["tenant"]["id"], access_token=p["accessToken"], slug=SLUG)


def stage_members(ws):
    t = ws["tenant_id"]
    have = {r["name"]: r["id"] for r in as_owner(ws, "{ regions { id name } }")["regions"]}
    reps = {}
    for n, region in enumerate(REGIONS):
        rid = have.get(region) or as_owner(ws, "mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }",
                                           {"i": {"name": region}})["createRegion"]["id"]
        email = f"rep{n}@{SLUG}.example"
        members = {m["user"]["email"]: m["user"]["id"]
                   for m in as_owner(ws, "{ members { user { id email } } }")["members"]}
        uid = members.get(email)
        if not uid:
            as_owner(ws, "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } } }",
                     {"i": {"email": email, "role": "SALES"}})
            # The invitation goes out by message; read its token from the stored message.
            rows = psql(f"SELECT substring(body FROM 'token=([^[:space:]]+)') FROM outbound_messages "
                        f"WHERE tenant_id = '{t}' AND recipient = '{email}' ORDER BY created_at DESC LIMIT 1;",
                        tenant=t)
            token = rows[0][0]
            uid = gql(CRM_URL, "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { user { id } } }",
                      {"i": {"token": token, "password": PASSWORD, "displayName": f"Rep {region}"}}
                      )["data"]["acceptInvitation"]["user"]["id"]
        as_owner(ws, "mutation($i: AssignMemberInput!) { assignMember(input: $i) { regionId } }",
                 {"i": {"userId": uid, "regionId": rid}})
        reps[region] = {"user_id": uid, "region_id": rid}
    ws["reps"] = reps


def stage_customers(ws):
    t = ws["tenant_id"]
    sql = open(os.path.join(PROJECT_DIR, "bench", "sql", "customers_data.sql")).read()
    n_series = sql.count("generate_series(1, {contacts})")
    sql = sql.replace("generate_series(1, {contacts})", "generate_series(1, 2 + g.i % 2)")
    n_rollup = sql.count("{contacts}, {notes},")
    if n_series != 1 or n_rollup != 1:
        sys.exit(f"customers_data.sql changed shape ({n_series} contact series, {n_rollup} rollups): check the adaptation")
    sql = (sql.replace("{contacts}, {notes},", "(2 + i % 2), {notes},").replace("{tenant}", t).replace("{tenant_no}", TENANT_NO)
              .replace("{customers}", str(CUSTOMERS)).replace("{notes}", "0"))
    # The contacts' search trigger looks each customer up, row by row: planned with the statistics of an
    # empty table, the look-up seemed to scan the new customers for every contact (a load of 100,000 stalled).
    if sql.count("\nINSERT INTO contacts ") != 1:
        sys.exit("customers_data.sql changed shape (contacts insert): check the adaptation")
    sql = sql.replace("\nINSERT INTO contacts ", "\nANALYZE customers;\nINSERT INTO contacts ")
    owners = " ".join(f"WHEN '{r}' THEN '{v['user_id']}'::uuid" for r, v in ws["reps"].items())
    sql += f"\nUPDATE customers SET owner_id = CASE region {owners} END WHERE tenant_id = '{t}';\n"
    began = time.time()
    psql(sql, tenant=t, rows=False)
    log(f"  customers + contacts generated in {time.time() - began:.0f} s")
    psql("ANALYZE customers, contacts, cases, search_people;", rows=False)


def stage_catalog(ws):
    products = {p["node"]["sku"]: p["node"]["id"] for p in
                as_owner(ws, "{ products(first: 100) { edges { node { id sku } } } }")["products"]["edges"]}
    for k in range(20):
        sku = f"P-{k:02d}"
        if sku not in products:
            as_owner(ws, "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id } } }",
                     {"i": {"sku": sku, "name": f"Product {k}", "category": f"Category {k % 5}",
                            "unitCost": {"amount": f"{3 + k * 1.5:.2f}", "currency": "USD"}}})
    for m in range(48):  # 2023-01 .. 2026-12
        day = datetime.date(2023 + m // 12, 1 + m % 12, 1).isoformat()
        for cur, base, step, mod in (("EUR", 1.05, 0.002, 20), ("GBP", 1.22, 0.003, 15)):
            as_owner(ws, "mutation($i: SetExchangeRateInput!) { setExchangeRate(input: $i) { exchangeRate { currency } } }",
                     {"i": {"currency": cur, "rate": f"{base + step * (m % mod):.6f}", "validFrom": day}})


STATUSES = ["PAID"] * 70 + ["SHIPPED"] * 15 + ["PLACED"] * 8 + ["CANCELLED"] * 4 + ["REFUNDED"] * 3
CHANNELS = ["DIRECT", "PARTNER", "RETAIL", "WEB"]
EPOCH = datetime.datetime(2023, 1, 15, tzinfo=datetime.timezone.utc)


def customer_orders(i):
    rows = []
    for k in range(1 + h(i, "n") % 9):
        at = EPOCH + datetime.timedelta(days=h(i, k, "d") % 1400, seconds=(i * 37) % 80000 + 60 * k)
        c = h(i, k, "c") % 20
        head = {"externalOrderId": f"SO-{i}-{k}", "customerExternalId": f"EXT-{i}",
                "orderedAt": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "currency": "USD" if c < 12 else "EUR" if c < 17 else "GBP",
                "channel": CHANNELS[h(i, k, "ch") % 4], "status": STATUSES[h(i, k, "s") % 100]}
        for line in range(1 + (h(i, k, "l") % 3 == 0)):
            r = dict(head)
            r.update(sku=f"P-{h(i, k, line, 'p') % 20:02d}", quantity=str(1 + h(i, k, line, "q") % 5),
                     unitPrice=f"{5 + h(i, k, line, 'u') % 24500 / 100:.2f}",
                     discountPercent="10" if h(i, k, line, "x") % 10 == 0 else "0")
            rows.append(r)
    return rows


def stage_orders(ws):
    start = ws.get("orders_next_customer", 1)
    q = ("mutation($i: ImportOrdersInput!) { importOrders(input: $i) { ordersCreated ordersSkippedAsDuplicates "
         "ordersRejected linesCreated errors { row field message } } }")
    batch, orders_in_batch, i = [], 0, start
    began, sent = time.time(), 0
    while i <= CUSTOMERS + 1:
        rows = customer_orders(i) if i <= CUSTOMERS else []
        if (i > CUSTOMERS or len(batch) + len(rows) > ROWS_PER_CALL) and batch:
            t0 = time.time()
            rep = as_owner(ws, q, {"i": {"rows": batch, "mode": "ALL_OR_NOTHING"}})["importOrders"]
            if rep["errors"] or rep["ordersRejected"] or rep["ordersCreated"] + rep["ordersSkippedAsDuplicates"] != orders_in_batch:
                sys.exit(f"import problem: {json.dumps(rep)[:1000]}")
            sent += rep["ordersCreated"]
            ws["orders_next_customer"] = i
            save(ws)
            log(f"  importOrders up to customer {i - 1}: {len(batch)} rows, {rep['ordersCreated']} orders in "
                f"{time.time() - t0:.2f} s ({sent} orders, {time.time() - began:.0f} s so far)")
            batch, orders_in_batch = [], 0
        if i > CUSTOMERS:
            break
        batch += rows
        orders_in_batch += len({r["externalOrderId"] for r in rows})
        i += 1


def stage_check(ws):
    t = ws["tenant_id"]
    # Contact rollups (as customers.rs checks them) and order rollups (the formula of migration 0015).
    bad = psql("""
      SELECT count(*) FROM customers c
        LEFT JOIN (SELECT customer_id, count(*) n FROM contacts WHERE deleted_at IS NULL GROUP BY 1) k ON k.customer_id = c.id
       WHERE c.contact_count <> coalesce(k.n, 0);
      SELECT count(*) FROM customers c
        LEFT JOIN (SELECT o.customer_id, count(*) n, max(o.ordered_at) last,
                          coalesce(sum(CASE WHEN o.currency = 'USD' THEN o.total_amount ELSE round(o.total_amount * (
                              SELECT e.rate FROM exchange_rates e WHERE e.tenant_id = o.tenant_id AND e.currency = o.currency
                                 AND e.valid_from <= (o.ordered_at AT TIME ZONE 'UTC')::date
                               ORDER BY e.valid_from DESC LIMIT 1), 2) END), 0) total
                     FROM orders o WHERE o.status NOT IN ('CANCELLED', 'REFUNDED') GROUP BY 1) s ON s.customer_id = c.id
       WHERE c.order_count <> coalesce(s.n, 0) OR c.order_total <> coalesce(s.total, 0)
          OR c.last_order_at IS DISTINCT FROM s.last;
      SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM contacts), (SELECT count(*) FROM orders),
             (SELECT count(*) FROM order_lines), (SELECT count(*) FROM search_people);
    """, tenant=t)
    log(f"  rollup check: {bad[0][0]} customers with wrong contact rollups, {bad[1][0]} with wrong order rollups")
    log(f"  customers {bad[2][0]}, contacts {bad[2][1]}, orders {bad[2][2]}, lines {bad[2][3]}, search_people {bad[2][4]}")
    if bad[0][0] != "0" or bad[1][0] != "0":
        sys.exit("rollups differ from the records")
    ws["counts"] = dict(zip(["customers", "contacts", "orders", "order_lines", "search_people"], map(int, bad[2])))
    began = time.time()
    psql("VACUUM ANALYZE customers, contacts, orders, order_lines, products, exchange_rates, memberships, regions, "
         "cases, domain_events, search_people;", rows=False)
    log(f"  vacuum analyze {time.time() - began:.0f} s")


def stage_other(ws):
    """A second workspace with one customer: the preflight checks neither server shows it."""
    other = {"access_token": sign_in(SLUG + "-other", "Side-by-side other workspace")["accessToken"]}
    ws["other_customer_id"] = as_owner(other, "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) "
                                              "{ customer { id } } }",
                                       {"i": {"kind": "PERSON", "name": "Someone Else"}})["createCustomer"]["customer"]["id"]


STAGES = [("signup", stage_signup), ("other", stage_other), ("members", stage_members), ("customers", stage_customers),
          ("catalog", stage_catalog), ("orders", stage_orders), ("check", stage_check)]


def signs_in(ws):
    d = gql(CRM_URL, "mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }",
            {"i": {"tenantSlug": ws["slug"], "email": EMAIL, "password": PASSWORD}}, check=False)
    return bool((d.get("data") or {}).get("signIn"))


def main():
    global SLUG
    os.makedirs(WORK_DIR, exist_ok=True)
    ws = json.load(open(WS_PATH)) if os.path.exists(WS_PATH) else {"done": []}
    if "signup" in ws["done"] and not signs_in(ws):
        log(f"workspace {ws['slug']} is gone: loading a new one")
        SLUG = "compare-" + os.urandom(3).hex()
        ws = {"done": []}
    if "signup" in ws["done"]:
        stage_signup(ws)  # a fresh access token
    only = sys.argv[1:]  # stages to run again
    for name, fn in STAGES:
        if name in ws["done"] and name not in only:
            continue
        log(f"stage {name}")
        began = time.time()
        fn(ws)
        ws["done"] = sorted(set(ws["done"]) | {name})
        ws.setdefault("stage_seconds", {})[name] = round(time.time() - began, 1)
        save(ws)
    log(f"workspace {ws['slug']} ({ws['tenant_id']}) ready: {json.dumps(ws.get('counts'))}")


if __name__ == "__main__":
    main()
