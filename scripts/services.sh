#!/usr/bin/env bash
# Private PostgreSQL and Redis for local development, tests and CI.
#
#   scripts/services.sh [up|down|status]        (default: up)
#
# up      Installs what is missing (Debian: apt-get), then starts a private PostgreSQL (>= 15)
#         on 127.0.0.1:${CRM_PG_PORT:-55432} and a private Redis (>= 7) on
#         127.0.0.1:${CRM_REDIS_PORT:-56379}, creates the roles crm_owner / crm_app and the
#         database crm, and writes .crm/env (export lines: DATABASE_URL, DATABASE_OWNER_URL,
#         DATABASE_ADMIN_URL, REDIS_URL, CRM_JWT_SECRET). Load it with:  . .crm/env
#         Idempotent: running services are reused; passwords and the JWT secret are generated
#         once and kept in .crm/secrets.env (mode 600).
#         With DATABASE_URL (or REDIS_URL) already set in the environment, that service is
#         taken to be the user's own and is neither installed nor started.
# build-tools  Installs a C compiler (gcc) when none is found: some Rust dependencies (the
#         allocator, among others) compile C code. Nothing else.
# down    Stops both private services (no error when they are not running).
# pg-stop / pg-start  Stops (fast shutdown: sessions are cut) or starts the private
#         PostgreSQL alone, as a restart or failover would; the fault benchmark uses them.
# status  Tells whether each runs; exits 0 when both run, 3 otherwise.
#
# All state lives in .crm/ at the repo root (git-ignored). As root, PostgreSQL runs as the
# system user crm-pg (initdb refuses root); when crm-pg cannot reach .crm/ (a repo under a
# private home, say), its data goes to /var/lib/crm-dev/<hash>/pg and .crm/pg links there.
set -euo pipefail

# The libpq tools used below must not be steered by the caller's PG* variables.
while read -r _v; do unset "$_v"; done < <(compgen -e | grep '^PG' || true)
unset REDISCLI_AUTH 2>/dev/null || true

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
STATE="$REPO/.crm"
PG_PORT=${CRM_PG_PORT:-55432}
REDIS_PORT=${CRM_REDIS_PORT:-56379}
PG_SYS_USER=crm-pg
PG_MIN_MAJOR=15
REDIS_MIN_MAJOR=7
# PostgreSQL replays its WAL after an unclean stop before it accepts
# connections; that can take a minute on a busy development database.
WAIT_SECS=180
FALLBACK_ROOT=/var/lib/crm-dev

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

usage() {
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

for _p in "$PG_PORT" "$REDIS_PORT"; do
	if ! [[ $_p =~ ^[0-9]+$ ]] || ((_p < 1 || _p > 65535)); then die "not a port number: '$_p'"; fi
done
[[ $PG_PORT != "$REDIS_PORT" ]] || die "CRM_PG_PORT and CRM_REDIS_PORT must differ"

# ---------------------------------------------------------------- helpers

rand_hex() { # $1 = number of random bytes; prints 2*$1 hex digits
	if command -v openssl >/dev/null 2>&1; then
		openssl rand -hex "$1"
	else
		od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
		echo
	fi
}

file_size() { stat -c %s -- "$1" 2>/dev/null || echo 0; }

# Shows what file $1 got past byte offset $2 (the last 20 lines of it), or $3 when nothing.
show_new_log() {
	local new
	new=$(tail -c +"$(($2 + 1))" -- "$1" 2>/dev/null | tail -n 20)
	if [[ -n $new ]]; then
		log "from $1:"
		printf '%s\n' "$new" | sed 's/^/  | /' >&2
	elif [[ -n ${3:-} ]]; then
		printf '%s\n' "$3" | sed 's/^/  | /' >&2
	fi
}

short_hash() { printf '%s' "$1" | sha256sum | cut -c1-12; }

# Run a command as the PostgreSQL user: crm-pg when we are root, else ourselves. From /, so
# that a current directory crm-pg cannot read does not trouble the PostgreSQL tools.
as_pg() {
	if ((EUID == 0)); then
		if command -v runuser >/dev/null 2>&1; then
			(cd / && runuser -u "$PG_SYS_USER" -- "$@")
		else
			# shellcheck disable=SC2016
			(cd / && su -s /bin/sh "$PG_SYS_USER" -c '"$0" "$@"' -- "$@")
		fi
	else
		(cd / && "$@")
	fi
}

# Write stdin to file $1 as the PostgreSQL user, mode 600.
write_as_pg() {
	# shellcheck disable=SC2016
	as_pg /bin/sh -c 'umask 077 && cat > "$1"' sh "$1"
}

# ----------------------------------------------------------------- apt

APT_UPDATED=0
POLICY_RC_ADDED=0
cleanup() {
	if ((POLICY_RC_ADDED)); then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT

apt_install() {
	local sudo=() aptlog="$STATE/apt.log"
	command -v apt-get >/dev/null 2>&1 || die "missing: $*; no apt-get here, install them by hand"
	if ((EUID != 0)); then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			die "missing: $*; install them (apt-get install $*) or run this script as root"
		fi
	fi
	# Keep the packages' maintainer scripts from starting the system-wide services
	# (Debian's "main" cluster on 5432, redis on 6379): we run private instances.
	if ((EUID == 0)) && [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\n# temporary, from crm scripts/services.sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		POLICY_RC_ADDED=1
	fi
	log "installing $* (apt-get; log in .crm/apt.log)"
	local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
		-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	if ((!APT_UPDATED)); then
		"${apt[@]}" update </dev/null >>"$aptlog" 2>&1 9>&- || {
			tail -n 20 "$aptlog" >&2
			die "apt-get update failed"
		}
		APT_UPDATED=1
	fi
	"${apt[@]}" install --no-install-recommends "$@" </dev/null >>"$aptlog" 2>&1 9>&- || {
		tail -n 20 "$aptlog" >&2
		die "apt-get install $* failed"
	}
	if ((POLICY_RC_ADDED)); then
		rm -f /usr/sbin/policy-rc.d
		POLICY_RC_ADDED=0
	fi
}

# ------------------------------------------------------------- secrets

declare -A SECRET=()

load_secrets() {
	local f="$STATE/secrets.env" k v spec changed=0
	if [[ -f $f ]]; then
		while IFS='=' read -r k v; do
			[[ $k =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
			SECRET[$k]=$v
		done <"$f"
	fi
	for spec in CRM_OWNER_PASSWORD:16 CRM_APP_PASSWORD:16 CRM_JWT_SECRET:32; do
		k=${spec%%:*}
		if [[ -z ${SECRET[$k]:-} ]]; then
			SECRET[$k]=$(rand_hex "${spec##*:}")
			changed=1
		fi
		[[ ${SECRET[$k]} =~ ^[A-Za-z0-9._~-]+$ ]] ||
			die "$f: $k must be non-empty and URL-safe (letters, digits, . _ ~ -)"
	done
	if ((changed)); then
		local tmp
		tmp=$(mktemp "$STATE/.secrets.XXXXXX")
		{
			echo "# Generated once by scripts/services.sh; delete this file to get new ones."
			for k in "${!SECRET[@]}"; do printf '%s=%s\n' "$k" "${SECRET[$k]}"; done | sort
		} >"$tmp"
		chmod 600 "$tmp"
		mv -f "$tmp" "$f"
	fi
	chmod 600 "$f"
}

# ---------------------------------------------------------- PostgreSQL

PG_BIN='' PG_MAJOR='' PG_BASE='' PGDATA='' PG_LOG='' PG_SOCK='' PG_ACTION=''

pg_major_of() { "$1/postgres" --version 2>/dev/null | sed -nE 's/^postgres \(PostgreSQL\) ([0-9]+).*/\1/p'; }

# Sets PG_BIN/PG_MAJOR to the highest PostgreSQL >= 15 found, or to major $1 when given.
find_pg_bindir() {
	local want=${1:-} d v cands=() best='' bestv=0
	for d in /usr/lib/postgresql/*/bin; do cands+=("$d"); done
	if command -v pg_config >/dev/null 2>&1; then cands+=("$(pg_config --bindir 2>/dev/null || true)"); fi
	if command -v initdb >/dev/null 2>&1; then cands+=("$(dirname -- "$(readlink -f -- "$(command -v initdb)")")"); fi
	for d in "${cands[@]}"; do
		[[ -n $d && -x $d/postgres && -x $d/initdb && -x $d/pg_ctl && -x $d/psql && -x $d/pg_isready ]] || continue
		v=$(pg_major_of "$d")
		[[ $v =~ ^[0-9]+$ ]] || continue
		if [[ -n $want ]]; then
			if [[ $v == "$want" ]]; then best=$d bestv=$v && break; fi
		elif ((v >= PG_MIN_MAJOR && v > bestv)); then
			best=$d bestv=$v
		fi
	done
	[[ -n $best ]] || return 1
	PG_BIN=$best PG_MAJOR=$bestv
}

pg_trgm_available() {
	local d sharedir=''
	if [[ -x $PG_BIN/pg_config ]]; then sharedir=$("$PG_BIN/pg_config" --sharedir 2>/dev/null || true); fi
	for d in "/usr/share/postgresql/$PG_MAJOR" "$sharedir" "$PG_BIN/../share" "$PG_BIN/../share/postgresql"; do
		[[ -n $d && -f $d/extension/pg_trgm.control ]] && return 0
	done
	return 1
}

ensure_pg_user() {
	((EUID == 0)) || return 0
	getent passwd "$PG_SYS_USER" >/dev/null && return 0
	log "creating system user $PG_SYS_USER (PostgreSQL will not run as root)"
	useradd --system --user-group --home-dir /nonexistent --no-create-home \
		--shell /usr/sbin/nologin --comment "crm dev PostgreSQL" "$PG_SYS_USER" ||
		die "could not create system user $PG_SYS_USER"
}

fallback_base() { echo "$FALLBACK_ROOT/$(short_hash "$REPO")/pg"; }

# Finds an existing data area (PG_BASE); leaves PG_BASE empty when there is none yet.
resolve_pg_base() {
	local link="$STATE/pg" fb
	fb=$(fallback_base)
	PG_BASE=''
	if [[ -L $link ]]; then
		PG_BASE=$(readlink -- "$link")
	elif [[ -d $link ]]; then
		PG_BASE=$link
	elif [[ -d $fb ]]; then
		PG_BASE=$fb # .crm was wiped, the out-of-repo data survived
	fi
	pg_set_paths
}

pg_set_paths() {
	[[ -n $PG_BASE ]] || return 0
	PGDATA="$PG_BASE/data"
	PG_LOG="$PG_BASE/postgres.log"
	PG_SOCK="$PG_BASE/run"
	# A Unix socket path must fit in 107 bytes (".s.PGSQL.<port>" included).
	if ((${#PG_SOCK} > 88)); then PG_SOCK="/tmp/crm-pg-$(short_hash "$PG_BASE")"; fi
}

# Decides where a new data area goes, and makes sure it is there with the right owner.
prepare_pg_base() {
	local link="$STATE/pg"
	if [[ -z $PG_BASE ]]; then
		if ((EUID != 0)) || as_pg test -x "$STATE"; then
			PG_BASE=$link
		else
			PG_BASE=$(fallback_base)
			log "$PG_SYS_USER cannot reach $STATE: PostgreSQL data goes to $PG_BASE (.crm/pg links there)"
		fi
		pg_set_paths
	fi
	if [[ $PG_BASE != "$link" ]]; then
		local parent=${PG_BASE%/pg}
		install -d -m 755 "$FALLBACK_ROOT" "$parent"
		printf '%s\n' "$REPO" >"$parent/repo-path"
		[[ -L $link || ! -e $link ]] || die "$link exists and is not a symlink to $PG_BASE"
		[[ $(readlink -- "$link" 2>/dev/null) == "$PG_BASE" ]] || ln -sfn -- "$PG_BASE" "$link"
	fi
	mkdir -p -- "$PG_BASE"
	if ((EUID == 0)) && [[ $(stat -c %U -- "$PG_BASE") != "$PG_SYS_USER" ]]; then
		chown -R "$PG_SYS_USER:$PG_SYS_USER" -- "$PG_BASE"
	fi
	chmod 700 -- "$PG_BASE"
	as_pg test -w "$PG_BASE" ||
		die "$PG_BASE is not writable by $(as_pg id -un); remove it (or .crm/pg) and run again"
	as_pg mkdir -p -m 700 -- "$PG_SOCK"
	[[ $(stat -c %u -- "$PG_SOCK") == "$(as_pg id -u)" ]] || die "socket directory $PG_SOCK belongs to someone else"
}

pg_running() { [[ -n $PGDATA ]] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_initdb() {
	local locale=C out
	if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then locale=C.UTF-8; fi
	[[ -s $PG_BASE/superuser.pw ]] || rand_hex 16 | write_as_pg "$PG_BASE/superuser.pw"
	if [[ -e $PGDATA ]]; then as_pg rm -rf -- "$PGDATA"; fi # left over from a failed initdb
	log "initdb (PostgreSQL $PG_MAJOR, locale $locale) in $PGDATA"
	out=$(as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$PG_BASE/superuser.pw" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale="$locale" \
		--no-instructions </dev/null 2>&1) || {
		printf '%s\n' "$out" | tail -n 20 >&2
		die "initdb failed"
	}
	# shellcheck disable=SC2016
	printf "\n# Local settings, rewritten by scripts/services.sh on every 'up'.\ninclude = 'crm.conf'\n" |
		as_pg /bin/sh -c 'cat >> "$1"' sh "$PGDATA/postgresql.conf"
}

# $1 kept between $2 and $3.
clamp() {
	local v=$1
	((v < $2)) && v=$2
	((v > $3)) && v=$3
	echo "$v"
}

# Memory settings from the machine's memory (MB): a quarter for shared
# buffers (128 MB to 4 GB), the planner told that most of the rest caches
# files, larger sorts and index builds. Writes: checkpoints at most every 15
# minutes or 4 GB of WAL (a bulk import otherwise checkpoints every few
# seconds, rewriting whole pages each time).
# No parallel workers for small queries: starting them takes 10-20 ms, more
# than a page of customers costs (parallel_setup_cost 10 times the default).
# Random reads cost about what sequential ones do on SSDs.
pg_conf() {
	local mem
	mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || true)
	[[ $mem =~ ^[0-9]+$ ]] || mem=2048
	cat <<EOF
# Written by scripts/services.sh on every 'up': edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = $(clamp $((mem / 4)) 128 4096)MB
effective_cache_size = $(clamp $((mem * 3 / 4)) 256 65536)MB
maintenance_work_mem = $(clamp $((mem / 32)) 64 1024)MB
work_mem = 16MB
max_wal_size = 4GB
checkpoint_timeout = 15min
random_page_cost = 1.1
parallel_setup_cost = 10000
fsync = on
synchronous_commit = off
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

pg_start() {
	local out deadline off
	off=$(file_size "$PG_LOG")
	out=$(as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t "$WAIT_SECS" start </dev/null 2>&1 9>&-) || {
		show_new_log "$PG_LOG" "$off" "$out"
		die "PostgreSQL did not start (port $PG_PORT, data $PGDATA)"
	}
	deadline=$((SECONDS + WAIT_SECS))
	until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; do
		if ((SECONDS >= deadline)); then
			show_new_log "$PG_LOG" "$off"
			die "PostgreSQL started but does not answer on 127.0.0.1:$PG_PORT within ${WAIT_SECS}s"
		fi
		sleep 0.3
	done
}

pg_stop() {
	local out
	out=$(as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop </dev/null 2>&1) || {
		printf '%s\n' "$out" >&2
		die "could not stop PostgreSQL ($PGDATA)"
	}
}

pg_bootstrap_sql() {
	# Passwords go through stdin, never on a command line.
	as_pg "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres <<EOF
\\set owner_pw '${SECRET[CRM_OWNER_PASSWORD]}'
\\set app_pw '${SECRET[CRM_APP_PASSWORD]}'
SELECT 'CREATE ROLE crm_owner' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_owner') \\gexec
SELECT 'CREATE ROLE crm_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app') \\gexec
ALTER ROLE crm_owner WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_pw';
ALTER ROLE crm_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_pw';
-- Lets the owner drop a database the server still holds (DROP DATABASE ... WITH (FORCE)),
-- as the test harness does with each test's database when the test ends.
GRANT pg_signal_backend TO crm_owner;
SELECT 'CREATE DATABASE crm OWNER crm_owner TEMPLATE template0 ENCODING ''UTF8'''
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'crm') \\gexec
ALTER DATABASE crm OWNER TO crm_owner;
GRANT CONNECT ON DATABASE crm TO crm_app;
REVOKE TEMPORARY ON DATABASE crm FROM PUBLIC, crm_app;
SELECT CASE WHEN count(*) = 1 THEN 'pg_trgm:ok' ELSE 'pg_trgm:missing' END
  FROM pg_available_extensions WHERE name = 'pg_trgm';
EOF
}

pg_up() {
	local want='' out
	resolve_pg_base
	if [[ -n $PGDATA && -s $PGDATA/PG_VERSION ]]; then want=$(<"$PGDATA/PG_VERSION"); fi
	if ! find_pg_bindir "$want"; then
		[[ -z $want ]] || die "$PGDATA holds PostgreSQL $want data but its binaries are missing: install postgresql-$want, or remove .crm/pg to start afresh"
		apt_install postgresql
		find_pg_bindir || die "no PostgreSQL >= $PG_MIN_MAJOR found even after installing it"
	fi
	if ! pg_trgm_available; then
		apt_install postgresql-contrib
		pg_trgm_available || die "the pg_trgm extension is missing for PostgreSQL $PG_MAJOR"
	fi
	ensure_pg_user
	prepare_pg_base

	if [[ ! -s $PGDATA/PG_VERSION ]]; then pg_initdb; fi

	local conf_changed=0
	if ! pg_conf | cmp -s - "$PGDATA/crm.conf" 2>/dev/null; then
		pg_conf | write_as_pg "$PGDATA/crm.conf"
		conf_changed=1
	fi
	if pg_running; then
		if ((conf_changed)); then
			log "PostgreSQL settings changed (port $PG_PORT?): restarting it"
			pg_stop
		else
			PG_ACTION=reused
		fi
	fi
	if [[ -z $PG_ACTION ]]; then
		pg_start
		PG_ACTION=started
	else
		"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres ||
			die "PostgreSQL runs on $PGDATA but does not answer on 127.0.0.1:$PG_PORT (see $PG_LOG)"
	fi
	out=$(pg_bootstrap_sql 2>&1) || {
		printf '%s\n' "$out" >&2
		die "could not create the crm roles and database"
	}
	[[ $out == *pg_trgm:ok* ]] || die "PostgreSQL $PG_MAJOR runs but the pg_trgm extension is not available"
}

# --------------------------------------------------------------- Redis

REDIS_SERVER='' REDIS_CLI='' REDIS_VERSION='' REDIS_ACTION=''
REDIS_DIR="$STATE/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

find_redis() {
	REDIS_SERVER=$(command -v redis-server 2>/dev/null || true)
	REDIS_CLI=$(command -v redis-cli 2>/dev/null || true)
	REDIS_VERSION=''
	[[ -n $REDIS_SERVER ]] && REDIS_VERSION=$("$REDIS_SERVER" --version 2>/dev/null | sed -nE 's/.* v=([0-9][0-9.]*).*/\1/p')
	[[ -n $REDIS_SERVER && -n $REDIS_CLI && ${REDIS_VERSION%%.*} =~ ^[0-9]+$ ]] &&
		((${REDIS_VERSION%%.*} >= REDIS_MIN_MAJOR))
}

redis_ping() {
	[[ -n $REDIS_CLI ]] || return 1
	[[ $(timeout 5 "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

redis_pid_alive() {
	local pid
	[[ -s $REDIS_PIDFILE ]] || return 1
	pid=$(<"$REDIS_PIDFILE")
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

redis_up() {
	if ! find_redis; then
		apt_install redis-server redis-tools
		find_redis || die "no redis-server >= $REDIS_MIN_MAJOR with redis-cli found even after installing them"
	fi
	if redis_ping; then
		REDIS_ACTION=reused
		return 0
	fi
	install -d -m 700 -- "$REDIS_DIR"
	rm -f -- "$REDIS_PIDFILE"
	local off
	off=$(file_size "$REDIS_LOG")
	"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
		--dir "$REDIS_DIR" --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" \
		--save "" --appendonly no </dev/null >/dev/null 2>&1 9>&- || {
		show_new_log "$REDIS_LOG" "$off"
		die "redis-server did not start"
	}
	local start=$SECONDS
	until redis_ping; do
		if ((SECONDS - start >= WAIT_SECS)) || { ((SECONDS - start >= 2)) && ! redis_pid_alive; }; then
			show_new_log "$REDIS_LOG" "$off"
			die "Redis does not answer PING on 127.0.0.1:$REDIS_PORT"
		fi
		sleep 0.2
	done
	REDIS_ACTION=started
}

redis_down() {
	REDIS_CLI=$(command -v redis-cli 2>/dev/null || true)
	if redis_ping; then
		"$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
	elif redis_pid_alive; then
		kill -TERM "$(<"$REDIS_PIDFILE")" 2>/dev/null || true
	else
		log "redis: not running on port $REDIS_PORT"
		return 0
	fi
	local start=$SECONDS
	while redis_ping || redis_pid_alive; do
		((SECONDS - start < WAIT_SECS)) || die "Redis on port $REDIS_PORT did not stop"
		sleep 0.2
	done
	log "redis: stopped (port $REDIS_PORT)"
}

# ------------------------------------------------------------ env file

emit() { # export line that is safe to source
	if [[ $2 =~ ^[A-Za-z0-9_@%+=:,./-]*$ ]]; then
		printf 'export %s=%s\n' "$1" "$2"
	else
		printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"
	fi
}

# ------------------------------------------------------------ commands

is_ours() { # URL $1 points at 127.0.0.1/localhost port $2
	[[ $1 =~ ^[a-z]+://([^@/]*@)?(127\.0\.0\.1|localhost):$2(/|\?|$) ]]
}

prepare_state() {
	mkdir -p -- "$STATE"
	if ((EUID == 0)); then chmod a+x -- "$STATE"; fi # traversable for crm-pg, still not listable
	# fd 9 holds the lock; every daemon we start gets "9>&-" so that it does not keep it.
	exec 9>"$STATE/.lock"
	if ! flock -n 9; then
		log "waiting for another services.sh run (lock $STATE/.lock)"
		flock -w 300 9 || die "another services.sh still holds $STATE/.lock after 300s"
	fi
}

cmd_up() {
	local t0=${EPOCHREALTIME/,/.}
	prepare_state
	load_secrets
	local pw_owner=${SECRET[CRM_OWNER_PASSWORD]} pw_app=${SECRET[CRM_APP_PASSWORD]}
	local our_db="postgres://crm_app:$pw_app@127.0.0.1:$PG_PORT/crm"
	local our_owner="postgres://crm_owner:$pw_owner@127.0.0.1:$PG_PORT/crm"
	local our_admin="postgres://crm_owner:$pw_owner@127.0.0.1:$PG_PORT/postgres"
	local our_redis="redis://127.0.0.1:$REDIS_PORT/"
	# URLs that point at our own ports (as after sourcing .crm/env) are not the user's own.
	local ext_db=0 ext_redis=0
	if [[ -n ${DATABASE_URL:-} ]] && ! is_ours "$DATABASE_URL" "$PG_PORT"; then ext_db=1; fi
	if [[ -n ${REDIS_URL:-} ]] && ! is_ours "$REDIS_URL" "$REDIS_PORT"; then ext_redis=1; fi

	if ((ext_db)); then
		log "postgres: DATABASE_URL is set, using it (no private PostgreSQL)"
	else
		pg_up
	fi
	if ((ext_redis)); then
		log "redis: REDIS_URL is set, using it (no private Redis)"
	else
		redis_up
	fi

	local tmp jwt=${SECRET[CRM_JWT_SECRET]}
	tmp=$(mktemp "$STATE/.env.XXXXXX")
	{
		echo "# Written by scripts/services.sh up; load it with:  . .crm/env"
		if ((ext_db)); then
			# (ignoring leftovers of ours from a sourced .crm/env)
			local owner=${DATABASE_OWNER_URL:-} admin=${DATABASE_ADMIN_URL:-}
			if is_ours "$owner" "$PG_PORT"; then owner=''; fi
			if is_ours "$admin" "$PG_PORT"; then admin=''; fi
			emit DATABASE_URL "$DATABASE_URL"
			# No fallback to DATABASE_URL: `crm migrate` refuses the server role.
			if [[ -n $owner ]]; then
				emit DATABASE_OWNER_URL "$owner"
			else
				log "postgres: DATABASE_OWNER_URL is not set; crm migrate and the tests need it (the owner role's URL)"
			fi
			if [[ -n $admin ]]; then emit DATABASE_ADMIN_URL "$admin"; fi
		else
			emit DATABASE_URL "$our_db"
			emit DATABASE_OWNER_URL "$our_owner"
			emit DATABASE_ADMIN_URL "$our_admin"
		fi
		if ((ext_redis)); then emit REDIS_URL "$REDIS_URL"; else emit REDIS_URL "$our_redis"; fi
		emit CRM_JWT_SECRET "$jwt"
	} >"$tmp"
	chmod 600 "$tmp"
	mv -f "$tmp" "$STATE/env"

	if ((!ext_db)); then
		log "postgres $PG_MAJOR on 127.0.0.1:$PG_PORT: $PG_ACTION (data $PG_BASE)"
	fi
	if ((!ext_redis)); then
		log "redis $REDIS_VERSION on 127.0.0.1:$REDIS_PORT: $REDIS_ACTION"
	fi
	log "ready in $(awk -v a="$t0" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }')s; load the settings with:  . $STATE/env"
}

cmd_down() {
	prepare_state
	resolve_pg_base
	if [[ -z $PGDATA || ! -s $PGDATA/PG_VERSION ]]; then
		log "postgres: no data directory, nothing to stop"
	elif ! find_pg_bindir "$(<"$PGDATA/PG_VERSION")"; then
		log "postgres: binaries for $(<"$PGDATA/PG_VERSION") not found, cannot check it"
	elif ((EUID == 0)) && ! getent passwd "$PG_SYS_USER" >/dev/null; then
		log "postgres: user $PG_SYS_USER is missing, so it cannot be running"
	elif pg_running; then
		pg_stop
		log "postgres: stopped ($PGDATA)"
	else
		log "postgres: not running"
	fi
	redis_down
}

cmd_status() {
	local rc=0 pid port
	resolve_pg_base
	if [[ -n $PGDATA && -s $PGDATA/PG_VERSION ]] && find_pg_bindir "$(<"$PGDATA/PG_VERSION")" &&
		{ ((EUID != 0)) || getent passwd "$PG_SYS_USER" >/dev/null; } && pg_running; then
		pid=$(sed -n 1p "$PGDATA/postmaster.pid" 2>/dev/null || true)
		port=$(sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true)
		echo "postgres: running (PostgreSQL $PG_MAJOR, pid $pid, 127.0.0.1:$port, data $PGDATA)"
	elif [[ -n $PGDATA && -s $PGDATA/PG_VERSION ]]; then
		echo "postgres: stopped (data $PGDATA)"
		rc=3
	else
		echo "postgres: not set up (run: scripts/services.sh up)"
		rc=3
	fi
	REDIS_CLI=$(command -v redis-cli 2>/dev/null || true)
	if redis_ping; then
		pid=''
		redis_pid_alive && pid=", pid $(<"$REDIS_PIDFILE")"
		echo "redis: running (127.0.0.1:$REDIS_PORT$pid)"
	else
		echo "redis: not running on 127.0.0.1:$REDIS_PORT"
		rc=3
	fi
	return "$rc"
}

# Finds the private cluster and its binaries, for pg-stop and pg-start.
pg_find_existing() {
	prepare_state
	resolve_pg_base
	[[ -n $PGDATA && -s $PGDATA/PG_VERSION ]] || die "no private PostgreSQL set up (run: scripts/services.sh up)"
	find_pg_bindir "$(<"$PGDATA/PG_VERSION")" || die "binaries for PostgreSQL $(<"$PGDATA/PG_VERSION") not found"
}

cmd_pg_stop() {
	pg_find_existing
	if pg_running; then pg_stop; fi
	log "postgres: stopped"
}

cmd_pg_start() {
	pg_find_existing
	pg_running || pg_start
	log "postgres: running on 127.0.0.1:$PG_PORT"
}

cmd_build_tools() {
	command -v cc >/dev/null 2>&1 && return 0
	mkdir -p "$STATE"
	apt_install gcc libc6-dev
}

case ${1:-up} in
up) cmd_up ;;
build-tools) cmd_build_tools ;;
down) cmd_down ;;
pg-stop) cmd_pg_stop ;;
pg-start) cmd_pg_start ;;
status) cmd_status ;;
-h | --help | help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
