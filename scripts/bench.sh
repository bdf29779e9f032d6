#!/usr/bin/env bash
# Runs one benchmark in release mode (the `perf` profile: release, built incrementally) against the private services:
#   scripts/bench.sh auth
#   scripts/bench.sh orders [concurrent batches]
#   scripts/bench.sh customers [workspaces] [customers each] [rows to import]
#   scripts/bench.sh value
#   scripts/bench.sh marketing
#   scripts/bench.sh webhooks
#   scripts/bench.sh faults <redis|postgres|sigterm|soak [minutes] [requests per second]>
#     (stops and starts the private PostgreSQL for `postgres`: run it alone)
#   scripts/bench.sh compare [--shapes cold,warm,page,aggregate,search,writes] [--duration S] [--runs N] ...
#     (side by side with PostGraphile 5 on the same database: bench/compare/README.md;
#      with DATABASE_URL set, the services of the environment are used as they are)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/bench.sh <auth|orders|customers|value|marketing|webhooks|faults|compare> [arguments]" >&2; exit 2; }
if [ "$1" != compare ] || [ -z "${DATABASE_URL:-}" ]; then
	scripts/services.sh up
	# shellcheck source=/dev/null
	. .crm/env
fi
if [ "$1" = compare ]; then
	exec bench/compare/run.sh "${@:2}"
fi
if [ "$1" = faults ]; then
	# The fault benchmark runs the server as its own process.
	cargo build --profile perf --locked -p crm-api --bin crm
fi
cargo run --profile perf --locked -p crm-bench --bin "$1" -- "${@:2}"
