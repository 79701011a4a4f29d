# SPDX-License-Identifier: MPL-2.0
# Starting, stopping and asking one weftd for the CLI tests. The caller sets D (the weftd
# binary) and T_SUITE; weftd_setup sets tmp and home; weftd_start sets pid, port and tok.

# weftd_setup KEPT_LOG: a temp dir $tmp holding weftd's home ($home) and log ($tmp/weftd.log),
# removed at exit with weftd killed. KEEP_LOG=1 copies the log to KEPT_LOG first, for debugging.
weftd_setup() {
	tmp=$(mktemp -d)
	home="$tmp/home"
	pid=
	weftd_kept_log=$1
	trap weftd_cleanup EXIT
}

weftd_cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "${KEEP_LOG:-}" ] && cp "$tmp/weftd.log" "$weftd_kept_log"
	rm -rf "$tmp"
}

# weftd_start [LOG]: starts weftd on a random port and waits for its API; a start that loses
# the port to another process is retried. Its stderr goes to LOG, by default $tmp/weftd.log.
weftd_start() {
	local log=${1:-$tmp/weftd.log}
	for _ in 1 2 3; do
		rm -f "$home/zerotier-one.port"
		"$D" -U -p0 "$home" 2>>"$log" &
		pid=$!
		for _ in $(seq 500); do [ -s "$home/zerotier-one.port" ] && break; sleep 0.02; done
		port=$(cat "$home/zerotier-one.port" 2>/dev/null)
		tok=$(cat "$home/authtoken.secret" 2>/dev/null)
		for _ in $(seq 500); do
			kill -0 "$pid" 2>/dev/null || break
			curl -s -o /dev/null "http://127.0.0.1:$port/health" && return 0
			sleep 0.02
		done
		weftd_kill
	done
	echo "FAIL $T_SUITE: weftd did not start"
	exit 1
}

# Kills the weftd started last, at once, as a crash would.
weftd_kill() {
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# Stops the weftd started last with SIGTERM and waits for it to exit.
weftd_stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# weftd_req METHOD PATH [BODY]: asks weftd's API with the token; sets $code, $body and $ctype
# from the answer (the body is also in $tmp/body).
weftd_req() {
	local m=$1 p=$2
	shift 2
	local data=()
	[ $# -gt 0 ] && data=(--data-binary "$1")
	rm -f "$tmp/body"
	curl -s --max-time 5 -X "$m" -H "X-ZT1-Auth: $tok" "${data[@]}" -o "$tmp/body" \
		-w '%{http_code} %{content_type}' "http://127.0.0.1:$port$p" >"$tmp/meta"
	code=$(cut -d' ' -f1 <"$tmp/meta")
	ctype=$(cut -s -d' ' -f2- <"$tmp/meta")
	body=$(cat "$tmp/body" 2>/dev/null)
}

# weftd_jcheck WHAT PYTHON-EXPR: the expression, over the last body as `j`, must be true.
weftd_jcheck() {
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" \
		"$tmp/body" 2>/dev/null || t_fail "$1: $body"
}
