# SPDX-License-Identifier: MPL-2.0
# Network-namespace helpers for tests/net: every namespace and process a test makes is
# recorded and removed by net_cleanup (run from an EXIT trap), processes by PID only.
NET_PREFIX="wt$$"
NET_NS=()
NET_PIDS=()

# net_begin: the temp dir $tmp and an EXIT trap removing it and everything net_* made; ends
# the suite as failed unless run as root with network namespaces.
net_begin() {
	tmp=$(mktemp -d)
	trap 'net_cleanup; rm -rf "$tmp"' EXIT
	if [ "$(id -u)" -ne 0 ] || ! ip netns add "$NET_PREFIX-probe" 2>/dev/null; then
		echo "FAIL $T_SUITE: needs root and network namespaces"
		echo "T-RESULT $T_SUITE 0 1 0"
		exit 1
	fi
	ip netns del "$NET_PREFIX-probe"
}

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

# net_two_nats: the standard picture of tests/net and the demo — a root on 198.18.1.2, node a
# behind MASQUERADE router nat-a (198.18.2.2, inside 192.168.11.0/24), node b behind nat-b
# (198.18.3.2, inside 192.168.12.0/24), all joined by the router namespace inet.
net_two_nats() {
	local ns
	for ns in inet root nat-a nat-b a b; do net_ns "$ns" || return 1; done
	net_link inet 198.18.1.1/24 root 198.18.1.2/24
	net_link inet 198.18.2.1/24 nat-a 198.18.2.2/24
	net_link inet 198.18.3.1/24 nat-b 198.18.3.2/24
	net_link nat-a 192.168.11.1/24 a 192.168.11.2/24
	net_link nat-b 192.168.12.1/24 b 192.168.12.2/24
	for ns in inet nat-a nat-b; do net_forwarding "$ns"; done
	net_exec root ip route add default via 198.18.1.1
	net_exec nat-a ip route add default via 198.18.2.1
	net_exec nat-b ip route add default via 198.18.3.1
	net_exec a ip route add default via 192.168.11.1
	net_exec b ip route add default via 192.168.12.1
	net_exec nat-a iptables -t nat -A POSTROUTING -s 192.168.11.0/24 -j MASQUERADE
	net_exec nat-b iptables -t nat -A POSTROUTING -s 192.168.12.0/24 -j MASQUERADE
}

# net_planet WEFT ROOT_HOME HOME...: a planet naming the identity in ROOT_HOME at
# 198.18.1.2/9993, made with `weft idtool initplanet/genplanet`, copied into every HOME.
net_planet() {
	local w=$1 root=$2 h
	shift 2
	"$w" idtool initplanet "$root/identity.public" >"$root/planet.json" || return 1
	sed -i 's|"stableEndpoints": \[\]|"stableEndpoints": ["198.18.1.2/9993"]|' "$root/planet.json"
	"$w" idtool genplanet "$root/planet.json" "$root/planet" >/dev/null || return 1
	for h in "$@"; do cp "$root/planet" "$h/planet"; done
}

# net_public NAME N: adds namespace NAME on 198.18.N.2, a public host (no NAT) behind its own
# router pub-NAME, which hangs off inet at 198.18.(100+N).2. The extra hop is the internet's:
# a node's NAT-opening datagram has TTL 2 and must die before it reaches anyone's NAT (vl1.md
# §5.7); from a host one hop from the NATs it would arrive, make the far NAT remap the port it
# is about to open, and break hole punching in a way the real internet never does.
net_public() {
	local r="pub-$1"
	net_ns "$1" && net_ns "$r" || return 1
	net_link inet "198.18.$((100 + $2)).1/24" "$r" "198.18.$((100 + $2)).2/24"
	net_link "$r" "198.18.$2.1/24" "$1" "198.18.$2.2/24"
	net_forwarding "$r"
	net_exec "$r" ip route add default via "198.18.$((100 + $2)).1"
	net_exec inet ip route add "198.18.$2.0/24" via "198.18.$((100 + $2)).2"
	net_exec "$1" ip route add default via "198.18.$2.1"
}

# net_controller: namespace ctl on 198.18.4.2, a public host for a network controller.
net_controller() { net_public ctl 4; }

# net_api NS HOME METHOD PATH [BODY]: the local API of the weftd in HOME, body to stdout.
net_api() {
	local ns=$1 home=$2 m=$3 p=$4 data=()
	[ $# -gt 4 ] && data=(--data-binary "$5")
	net_exec "$ns" curl -s --max-time 5 -X "$m" -H "X-ZT1-Auth: $(cat "$home/authtoken.secret")" \
		"${data[@]}" "http://127.0.0.1:$(cat "$home/zerotier-one.port")$p"
}

# net_member_ip NS HOME NWID FAMILY: the first assigned address of that family (4, 6 for
# RFC4193, p for 6PLANE) of a joined network, without the prefix length.
net_member_ip() {
	net_api "$1" "$2" GET "/network/$3" | python3 -c '
import json, sys
n = json.load(sys.stdin)
for a in n.get("assignedAddresses", []):
    ip, bits = a.split("/")
    if (sys.argv[1] == "4" and ":" not in ip) or (sys.argv[1] == "6" and bits == "88") \
            or (sys.argv[1] == "p" and bits == "40"):
        print(ip)
        break' "$4"
}

# net_vl2_world DIR WEFT WEFTD P1 P2: the VL2 test picture: net_two_nats, a controller host
# ctl, public hosts P1 (198.18.5.2) and P2 (198.18.6.2), a planet naming the root, and weftd
# running in root, ctl, a, b, P1 and P2 (homes under DIR), all online.
net_vl2_world() {
	local dir=$1 w=$2 d=$3 n
	shift 3
	net_two_nats && net_controller && net_public "$1" 5 && net_public "$2" 6 || return 1
	for n in root ctl a b "$@"; do mkdir -p "$dir/$n"; done
	"$w" idtool generate "$dir/root/identity.secret" "$dir/root/identity.public" >/dev/null
	net_planet "$w" "$dir/root" "$dir/ctl" "$dir/a" "$dir/b" "$dir/$1" "$dir/$2" || return 1
	for n in root ctl a b "$@"; do net_bg "$n" "$dir/$n.log" "$d" -U -p9993 "$dir/$n"; done
	for n in ctl a b "$@"; do
		net_wait 20 sh -c "ip netns exec $NET_PREFIX-$n '$w' -D'$dir/$n' info | grep -q ONLINE" ||
			{ echo "$n not online" >&2; return 1; }
	done
}

# net_new_network DIR BODY: a network made on ctl's controller from the JSON BODY; prints its ID.
net_new_network() {
	net_api ctl "$1/ctl" POST "/controller/network/$(cut -c1-10 "$1/ctl/identity.public")______" \
		"$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# net_ping NS IP: one ping answered within a second.
net_ping() { net_exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }

# A member as the VL2 tests see it; these read the caller's $tmp (the homes) and $nwid.
net_addr() { cut -c1-10 "$tmp/$1/identity.public"; }
net_status() {
	net_api "$1" "$tmp/$1" GET "/network/$nwid" |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get("status"))' 2>/dev/null
}
# net_is_ok NAME: configured, with an IPv4 address.
net_is_ok() { [ "$(net_status "$1")" = OK ] && [ -n "$(net_member_ip "$1" "$tmp/$1" "$nwid" 4)" ]; }
