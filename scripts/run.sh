#!/usr/bin/env bash
# Runs the product: starts (or reuses) PostgreSQL and Redis, builds the
# server, applies migrations and serves the API and its GraphQL IDE.
set -euo pipefail
cd "$(dirname "$0")/.."

# A C compiler for the dependencies that build C code.
scripts/services.sh build-tools
scripts/services.sh up
# shellcheck source=/dev/null
. .crm/env

# The web console, rebuilt only when its sources changed; served at /.
scripts/web.sh build
cargo build --release --locked --bin crm
target/release/crm migrate
# Local development: without a mail relay, print outgoing messages (such as
# invitation links) to this terminal. Production leaves them queued instead.
export CRM_MAIL_PRINT="${CRM_MAIL_PRINT:-1}"
exec target/release/crm serve
