# SPDX-License-Identifier: MPL-2.0
# Starting and killing one weftd for the CLI tests. The caller sets D (the weftd binary), home
# and T_SUITE; weftd_start sets pid, port and tok.

# weftd_start LOG: starts weftd on a random port and waits for its API; a start that loses
# the port to another process is retried.
weftd_start() {
	for _ in 1 2 3; do
		rm -f "$home/zerotier-one.port"
		"$D" -U -p0 "$home" 2>>"$1" &
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
