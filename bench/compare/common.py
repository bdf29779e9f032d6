"""Shared helpers of the side-by-side comparison (Python standard library only).

Locations come from the environment (`run.sh` sets them):
  WORK_DIR            scratch: workspace.json, request files, results, logs
  CRM_URL             our server's GraphQL endpoint
  PGL_URL             PostGraphile's GraphQL endpoint
  DATABASE_OWNER_URL  the owner role (loader, checks against SQL)
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_DIR = os.path.dirname(os.path.dirname(HERE))
WORK_DIR = os.environ.get("WORK_DIR", "/tmp/crm-compare")
CRM_URL = os.environ.get("CRM_URL", "http://127.0.0.1:8090/graphql")
PGL_URL = os.environ.get("PGL_URL", "http://127.0.0.1:5678/graphql")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def psql(sql, tenant=None, rows=True):
    """Runs SQL as the owner role. With `tenant`, in one transaction after
    set_config('app.tenant_id', tenant, true) (row-level security is forced
    for the owner too). Returns the rows as lists of strings."""
    if tenant:
        sql = f"BEGIN; SELECT set_config('app.tenant_id', '{tenant}', true) \\g /dev/null\n{sql}\n; COMMIT;"
    out = subprocess.run(["psql", "-X", "-qtA", "-F", "\t", "-v", "ON_ERROR_STOP=1", os.environ["DATABASE_OWNER_URL"]],
                         input=sql, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr[-2000:]}")
    if not rows:
        return out.stdout
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def gql(url, query, variables=None, headers=None, timeout=600, check=True):
    """POSTs a GraphQL request; returns the parsed body."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, data=body, headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode(errors="replace")
    if check and status != 200:
        raise RuntimeError(f"HTTP {status} from {url}: {text[:500]}")
    d = json.loads(text)
    if check and d.get("errors"):
        raise RuntimeError(f"GraphQL errors from {url}: {json.dumps(d['errors'])[:1000]}")
    return d


def workspace_path():
    return os.path.join(WORK_DIR, "workspace.json")


def workspace():
    """The workspace written by load_data.py."""
    path = workspace_path()
    if not os.path.exists(path):
        sys.exit(f"{path} missing: run load_data.py first")
    return json.load(open(path))
