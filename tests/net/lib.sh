# SPDX-License-Identifier: MPL-2.0
# Network-namespace helpers for tests/net: every namespace and process a test makes is
# recorded and removed by net_cleanup (run from an EXIT trap), processes by PID only.
NET_PREFIX="wt$$"
NET_NS=()
NET_PIDS=()

net_ns() { # name: creates namespace $NET_PREFIX-name with lo up
	local ns="$NET_PREFIX-$1"
	ip netns add "$ns" || return 1
	NET_NS+=("$ns")
	ip -n "$ns" link set lo up
}

# net_link A ADDR_A/LEN B ADDR_B/LEN: a veth pair between two namespaces.
net_link() {
	local a="$NET_PREFIX-$1" b="$NET_PREFIX-$3" ia="v$RANDOM" ib="v$RANDOM"
	ip link add "$ia" netns "$a" type veth peer name "$ib" netns "$b" || return 1
	ip -n "$a" addr add "$2" dev "$ia"
	ip -n "$b" addr add "$4" dev "$ib"
	ip -n "$a" link set "$ia" up
	ip -n "$b" link set "$ib" up
}

net_exec() { local ns="$NET_PREFIX-$1"; shift; ip netns exec "$ns" "$@"; }

net_forwarding() { net_exec "$1" sysctl -qw net.ipv4.ip_forward=1; }

# net_bg NS LOGFILE COMMAND...: starts a process in a namespace, records its PID.
net_bg() {
	local ns="$NET_PREFIX-$1" log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	NET_PIDS+=($!)
}

net_cleanup() {
	local p ns
	for p in "${NET_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${NET_PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null
	done
	for ns in "${NET_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
}

# net_wait SECONDS COMMAND...: retries the command every 0.5 s until it succeeds or time runs out.
net_wait() {
	local limit=$(($1 * 2)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}
