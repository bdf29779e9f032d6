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
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/bench.sh <auth|orders|customers|value|marketing|webhooks|faults> [arguments]" >&2; exit 2; }
scripts/services.sh up
# shellcheck source=/dev/null
. .crm/env
if [ "$1" = faults ]; then
	# The fault benchmark runs the server as its own process.
	cargo build --profile perf --locked -p crm-api --bin crm
fi
cargo run --profile perf --locked -p crm-bench --bin "$1" -- "${@:2}"
