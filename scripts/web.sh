#!/usr/bin/env bash
# The web console (web/): dependencies, build and tests.
#
#   scripts/web.sh deps    Installs Node.js and npm with apt-get when missing (and, for
#                          `test`, Debian's chromium and CJK fonts), then `npm ci` when
#                          web/package-lock.json changed since the last install (never
#                          downloads browsers).
#   scripts/web.sh build   deps, then builds web/dist when its sources changed since the last
#                          build (web/src, index.html, package-lock.json, configs and
#                          api/schema.graphql).
#   scripts/web.sh test    build, then typecheck (codegen + tsc), unit tests (Vitest) and the
#                          end-to-end journeys (Playwright on /usr/bin/chromium against a real
#                          server on a fresh database; screenshots of failures in
#                          web/test-results).
#
# The end-to-end tests need PostgreSQL and Redis: with DATABASE_URL unset, .crm/env is loaded,
# and scripts/services.sh up is run first when it does not exist. The server binary is built
# with cargo (CARGO_TARGET_DIR is respected).
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
WEB="$REPO/web"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

log() { printf 'web: [%ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'web: error: %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {
	local sudo=()
	command -v apt-get >/dev/null 2>&1 || die "missing: $*; no apt-get here, install them by hand"
	if ((EUID != 0)); then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			die "missing: $*; install them (apt-get install $*) or run this script as root"
		fi
	fi
	log "installing $* (apt-get)"
	local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300)
	if ((!APT_UPDATED)); then
		"${apt[@]}" update >/dev/null </dev/null || die "apt-get update failed"
		APT_UPDATED=1
	fi
	"${apt[@]}" install --no-install-recommends "$@" >/dev/null </dev/null || die "apt-get install $* failed"
}

# Hash of every file named (directories walked), in a stable order.
hash_of() {
	(cd "$REPO" && find "$@" -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64
}

# `deps browser` also installs what the end-to-end tests need.
deps() {
	local missing=()
	command -v node >/dev/null 2>&1 || missing+=(nodejs)
	command -v npm >/dev/null 2>&1 || missing+=(npm)
	if [[ ${1:-} == browser ]]; then
		[[ -x /usr/bin/chromium ]] || missing+=(chromium)
		# Chinese text in screenshots (the console's zh-CN pages).
		[[ -d /usr/share/fonts/opentype/noto ]] || missing+=(fonts-noto-cjk)
	fi
	((${#missing[@]} == 0)) || apt_install "${missing[@]}"
	local major
	major=$(node -p 'process.versions.node.split(".")[0]')
	((major >= 20)) || die "Node.js 20 or newer is needed (found $(node --version))"

	local stamp="$WEB/node_modules/.crm-lock-sha256" want
	want=$(sha256sum "$WEB/package-lock.json" | cut -c1-64)
	if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
		return
	fi
	log "npm ci (package-lock.json changed)"
	(cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
	printf '%s\n' "$want" >"$stamp"
}

build() {
	deps
	local stamp="$WEB/dist/.crm-sources-sha256" want
	want=$(hash_of web/src web/index.html web/package-lock.json web/package.json web/vite.config.ts \
		web/tsconfig.json web/codegen.ts api/schema.graphql)
	if [[ -f $stamp && $(cat "$stamp") == "$want" && -f $WEB/dist/index.html ]]; then
		log "web/dist is up to date"
		return
	fi
	log "building web/dist"
	(cd "$WEB" && npm run --silent build)
	printf '%s\n' "$want" >"$stamp"
	report_size
}

# The JavaScript a first page load fetches (index.html's script and its preloads), gzipped.
report_size() {
	(cd "$WEB/dist" && grep -oE '(src|href)="/assets/[^"]+\.js"' index.html | sed -E 's/.*="\/(.*)"/\1/' |
		while read -r f; do gzip -9c "$f" | wc -c; done | awk '{s+=$1} END {printf "web: initial JavaScript %.1f KB gzip\n", s/1024}') >&2
}

services_env() {
	if [[ -z ${DATABASE_URL:-} ]]; then
		[[ -f $REPO/.crm/env ]] || "$REPO/scripts/services.sh" up
		# shellcheck source=/dev/null
		. "$REPO/.crm/env"
	fi
	[[ -n ${DATABASE_ADMIN_URL:-} ]] || die "DATABASE_ADMIN_URL is not set (a role that may create databases)"
	command -v psql >/dev/null 2>&1 || die "psql is needed to create the end-to-end database"
}

run_tests() {
	deps browser
	build
	services_env
	cd "$WEB"
	log "typecheck (codegen + tsc)"
	npm run --silent typecheck
	log "unit tests (vitest)"
	npx vitest run
	log "end-to-end tests (playwright, /usr/bin/chromium)"
	npx playwright test
	log "done"
}

case "${1:-}" in
deps) deps ;;
build) build ;;
test) run_tests ;;
*)
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
	exit 2
	;;
esac
