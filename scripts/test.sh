#!/usr/bin/env bash
# Runs the whole test suite: checks formatting and lints, starts (or reuses) the private PostgreSQL and
# Redis instances, then runs every unit and integration test and the web console's tests. Each
# integration test creates its own database from a migrated template; the
# databases of earlier runs are dropped first.
set -euo pipefail
cd "$(dirname "$0")/.."

# A C compiler for the dependencies that build C code.
scripts/services.sh build-tools
# Formatting and lints first: they need no services and fail fast.
if command -v rustup >/dev/null 2>&1; then
    for component in rustfmt clippy; do
        if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
            rustup component add "$component"
        fi
    done
fi
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

scripts/services.sh up
# shellcheck source=/dev/null
. .crm/env

drop_test_databases() {
    command -v psql >/dev/null 2>&1 || return 0
    [ -n "${DATABASE_ADMIN_URL:-}" ] || return 0
    psql "$DATABASE_ADMIN_URL" -Atqc \
        "SELECT datname FROM pg_database WHERE datname LIKE 'crm\_test\_%' OR datname LIKE 'crm\_tpl\_%'" |
        while read -r db; do
            # A database whose last connections are still closing is left
            # for the next run rather than failing this one.
            psql "$DATABASE_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
                echo "test.sh: $db is still in use; the next run drops it" >&2
        done
}

drop_test_databases
# Cleaning up never changes the suite's result.
trap 'status=$?; drop_test_databases || true; exit $status' EXIT
cargo test --workspace --locked "$@"
# The web console: type check against api/schema.graphql, unit tests and
# the end-to-end journeys in Debian's Chromium against a real server.
scripts/web.sh test
