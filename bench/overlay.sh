#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# bench/overlay: weft beside other overlays between the same two hosts, in one run (issue 9):
# the raw path (the ceiling), weft, ZeroTier One (when ZT_ONE names a 1.14 binary),
# wireguard-go, n2n 1.3, tinc 1.0 (switch mode) and nebula 1.6. Each in turn is brought up
# between namespaces a and b, measured by ov_measure (bench/overlay_lib.sh: TCP both ways and
# -P4, 64-byte UDP packet rate, ping RTT, daemon CPU per GB, idle RSS) and torn down.
# Needs root and iperf3 (else a note, exit 0); installs missing overlay packages with apt-get.
#
#   a 198.18.5.2 -- pub-a --+              +-- pub-b -- b 198.18.6.2
#                           +---- inet ----+
#   root 198.18.1.2 --------+              +-------- ctl 198.18.4.2
#
# Every overlay's data runs over the same routed path a - pub-a - inet - pub-b - b (no NAT, so
# paths are direct); the raw row measures that path itself. root hosts weft's planet root (also
# ZeroTier One's) and the n2n supernode, ctl weft's network controller; nebula's lighthouse is a.
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
W="$build/weft"
D="$build/weftd"
if [ "$(id -u)" -ne 0 ] || ! command -v iperf3 >/dev/null; then
	echo "overlay: needs root and iperf3; not run"
	exit 0
fi
# shellcheck source=SCRIPTDIR/../tests/net/lib.sh
. "$here/../tests/net/lib.sh"
# shellcheck source=SCRIPTDIR/overlay_lib.sh
. "$here/overlay_lib.sh"
tmp=$(mktemp -d)
trap 'ov_cleanup; net_cleanup; rm -rf "$tmp"' EXIT
die() { echo "overlay: $*"; exit 1; }
t0=$SECONDS
ulimit -c 0 # no core files from daemons that abort when stopped

# need COMMAND PACKAGE: the command, installing its Debian package when missing.
need() {
	command -v "$1" >/dev/null && return 0
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "$2" >"$tmp/apt.log" 2>&1
	command -v "$1" >/dev/null || { WHY="package $2 not installable"; return 1; }
}

# wait_up SECONDS WHAT COMMAND...: net_wait, leaving "WHAT not within SECONDS s" in WHY.
wait_up() {
	local s=$1 what=$2
	shift 2
	net_wait "$s" "$@" || { WHY="$what not within $s s"; return 1; }
}
# udp_bound NS PORT: something in NS listens on UDP PORT.
udp_bound() { net_exec "$1" ss -Hlun "sport = :$2" | grep -q .; }

for ns in inet root; do net_ns "$ns" || die "namespaces"; done
net_link inet 198.18.1.1/24 root 198.18.1.2/24
net_forwarding inet
net_exec root ip route add default via 198.18.1.1
{ net_controller && net_public a 5 && net_public b 6; } || die "namespaces"

# weft's world: root and controller run throughout (ZeroTier One uses both too); one private
# network, nwid, with IPv4 from 10.147.17.0/24.
mkdir -p "$tmp/root" "$tmp/ctl" "$tmp/a" "$tmp/b" "$tmp/za" "$tmp/zb" "$tmp/ba" "$tmp/bb"
"$W" idtool generate "$tmp/root/identity.secret" "$tmp/root/identity.public" >/dev/null
net_planet "$W" "$tmp/root" "$tmp/ctl" "$tmp/a" "$tmp/b" "$tmp/za" "$tmp/zb" "$tmp/ba" "$tmp/bb" || die "planet"
for n in root ctl; do net_bg "$n" "$tmp/$n.log" "$D" -U -p9993 "$tmp/$n"; done
net_wait 20 sh -c "ip netns exec $NET_PREFIX-ctl '$W' -D'$tmp/ctl' info | grep -q ONLINE" ||
	die "controller not online"
nwid=$(net_new_network "$tmp" '{"private":true, "v4AssignMode":{"zt":true},
  "ipAssignmentPools":[{"ipRangeStart":"10.147.17.1","ipRangeEnd":"10.147.17.254"}],
  "routes":[{"target":"10.147.17.0/24","via":null}]}') || die "network"

# zt_member NS HOME CLI...: a weft or ZeroTier One member (already started with home HOME in
# namespace NS) online, joined to nwid and authorized.
zt_member() {
	local ns=$1 home=$2
	shift 2
	wait_up 30 "$ns online" sh -c "ip netns exec $NET_PREFIX-$ns $* -D'$home' info | grep -q ONLINE" ||
		return 1
	net_exec "$ns" "$@" -D"$home" join "$nwid" >/dev/null
	net_api ctl "$tmp/ctl" POST \
		"/controller/network/$nwid/member/$(cut -c1-10 "$home/identity.public")" \
		'{"authorized":true}' >/dev/null
}
# direct NS HOME PEER_HOME IP: the member in HOME has an active path to PEER_HOME's at IP.
direct() {
	net_api "$1" "$2" GET "/peer/$(cut -c1-10 "$3/identity.public")" | python3 -c '
import json, sys
p = json.load(sys.stdin)
ok = [x for x in p["paths"] if x.get("active") and x["address"].startswith(sys.argv[1] + "/")]
sys.exit(not ok)' "$4"
}
has_ip() { [ -n "$(net_member_ip "$1" "$2" "$nwid" 4)" ]; } # has_ip NS HOME
# zt_pair A_HOME B_HOME PORT BIN CLI...: members A and B from BIN (weftd or zerotier-one) on
# PORT, up on nwid with addresses and a direct path both ways; OV_IP is b's address.
zt_pair() {
	local ha=$1 hb=$2 port=$3 bin=$4
	shift 4
	ov_bg a "$ha.log" "$bin" -U -p"$port" "$ha" && OV_DAEMONS+=("$OV_LAST")
	ov_bg b "$hb.log" "$bin" -U -p"$port" "$hb" && OV_DAEMONS+=("$OV_LAST")
	zt_member a "$ha" "$@" && zt_member b "$hb" "$@" || return 1
	wait_up 60 "a's address" has_ip a "$ha" && wait_up 60 "b's address" has_ip b "$hb" || return 1
	OV_IP=$(net_member_ip b "$hb" "$nwid" 4)
	wait_up 30 "ping" net_ping a "$OV_IP" || return 1
	wait_up 30 "direct path" direct a "$ha" "$hb" 198.18.6.2 &&
		wait_up 30 "direct path" direct b "$hb" "$ha" 198.18.5.2
}

up_weft() { zt_pair "$tmp/a" "$tmp/b" 9993 "$D" "$W"; }
# WEFT_BASE=<build dir>: another weft build (say, before a change) as its own row.
up_weft_base() { zt_pair "$tmp/ba" "$tmp/bb" 9995 "$WEFT_BASE/weftd" "$WEFT_BASE/weft"; }

up_zerotier() {
	[ -x "$ZT_ONE" ] || { WHY="$ZT_ONE not executable"; return 1; }
	# its own port: weft's API port 9993 may still be in TIME_WAIT, which ZeroTier One's
	# control-plane bind does not tolerate
	zt_pair "$tmp/za" "$tmp/zb" 9994 "$ZT_ONE" "$ZT_ONE" -q
}

# wireguard-go: each in a tmpfs-over-/run mount namespace (its UAPI socket stays out of the
# host's /run), configured by `wg` entering that namespace; 10.200.0.0/24.
up_wireguard() {
	need wireguard-go wireguard-go && need wg wireguard-tools || return 1
	local n m peer=(b a) i=0
	for n in a b; do
		(umask 077 && wg genkey >"$tmp/wg-$n.key") &&
			wg pubkey <"$tmp/wg-$n.key" >"$tmp/wg-$n.pub" || return 1
		ov_bg "$n" "$tmp/wg-$n.log" sh -c 'mount -t tmpfs wg /run && exec wireguard-go -f wg0'
		OV_DAEMONS+=("$OV_LAST")
	done
	for n in a b; do
		m=${peer[i]}
		wait_up 10 "wireguard-go socket" \
			nsenter -t "${OV_DAEMONS[i]}" -m -n test -S /run/wireguard/wg0.sock || return 1
		nsenter -t "${OV_DAEMONS[i]}" -m -n wg set wg0 listen-port 51820 \
			private-key "$tmp/wg-$n.key" peer "$(cat "$tmp/wg-$m.pub")" \
			endpoint "198.18.$((i == 0 ? 6 : 5)).2:51820" allowed-ips "10.200.0.$((2 - i))/32" ||
			{ WHY="wg set failed"; return 1; }
		net_exec "$n" ip addr add "10.200.0.$((i + 1))/24" dev wg0
		net_exec "$n" ip link set wg0 up
		i=$((i + 1))
	done
	OV_IP=10.200.0.2
	wait_up 10 "ping" net_ping a "$OV_IP"
}

# n2n 1.3: a supernode in root (it introduces the edges, then they talk directly; it stays in
# the CPU and RSS figures), an edge in a and b on 10.201.0.0/24.
up_n2n() {
	need edge n2n && need supernode n2n || return 1
	ov_bg root "$tmp/n2n-sn.log" supernode -l 7654 && OV_DAEMONS+=("$OV_LAST")
	# an edge registers once a minute: the supernode must hear the first REGISTER
	wait_up 5 "supernode" udp_bound root 7654 || return 1
	ov_bg a "$tmp/n2n-a.log" edge -d n2n0 -a 10.201.0.1 -s 255.255.255.0 -c weftbench \
		-k benchkey -l 198.18.1.2:7654 -p 7655 && OV_DAEMONS+=("$OV_LAST")
	ov_bg b "$tmp/n2n-b.log" edge -d n2n0 -a 10.201.0.2 -s 255.255.255.0 -c weftbench \
		-k benchkey -l 198.18.1.2:7654 -p 7655 && OV_DAEMONS+=("$OV_LAST")
	OV_IP=10.201.0.2
	wait_up 20 "ping" net_ping a "$OV_IP"
}

# tinc 1.0 in switch mode, its default cipher and digest (Blowfish-CBC, HMAC-SHA1); b connects
# to a; 10.202.0.0/24 set by tinc-up.
up_tinc() {
	need tincd tinc || return 1
	local n d i=0
	for n in a b; do
		d="$tmp/tinc-$n"
		mkdir -p "$d/hosts"
		printf 'Name = %s\nMode = switch\nInterface = tinc0\nAddressFamily = ipv4\n' "$n" \
			>"$d/tinc.conf"
		[ "$n" = b ] && echo "ConnectTo = a" >>"$d/tinc.conf"
		printf 'Address = 198.18.%d.2\nPort = 655\n' $((5 + i)) >"$d/hosts/$n"
		# shellcheck disable=SC2016 # $INTERFACE is tinc's, expanded when tinc runs tinc-up
		printf '#!/bin/sh\nip addr add 10.202.0.%d/24 dev "$INTERFACE"\nip link set "$INTERFACE" up\n' \
			$((i + 1)) >"$d/tinc-up"
		chmod +x "$d/tinc-up"
		tincd -c "$d" -K 2048 </dev/null >"$tmp/tinc-key.log" 2>&1 ||
			{ WHY="tincd -K failed"; return 1; }
		i=$((i + 1))
	done
	cp "$tmp/tinc-a/hosts/a" "$tmp/tinc-b/hosts/" && cp "$tmp/tinc-b/hosts/b" "$tmp/tinc-a/hosts/"
	for n in a b; do
		ov_bg "$n" "$tmp/tinc-$n.log" tincd -c "$tmp/tinc-$n" -D --pidfile="$tmp/tinc-$n/pid"
		OV_DAEMONS+=("$OV_LAST")
	done
	OV_IP=10.202.0.2
	wait_up 20 "ping" net_ping a "$OV_IP"
}

# nebula 1.6: a CA and two host certificates from nebula-cert; a is the lighthouse;
# 10.203.0.0/24, firewall open.
up_nebula() {
	need nebula nebula && need nebula-cert nebula || return 1
	local d="$tmp/nebula" n i=0 lh hosts
	mkdir -p "$d"
	nebula-cert ca -name weft-bench -out-crt "$d/ca.crt" -out-key "$d/ca.key" >/dev/null ||
		{ WHY="nebula-cert ca failed"; return 1; }
	for n in a b; do
		nebula-cert sign -ca-crt "$d/ca.crt" -ca-key "$d/ca.key" -name "$n" \
			-ip "10.203.0.$((i + 1))/24" -out-crt "$d/$n.crt" -out-key "$d/$n.key" >/dev/null ||
			{ WHY="nebula-cert sign failed"; return 1; }
		lh=false hosts='"10.203.0.1"'
		[ "$n" = a ] && lh=true hosts=''
		cat >"$d/$n.yml" <<-EOF
			pki: {ca: $d/ca.crt, cert: $d/$n.crt, key: $d/$n.key}
			static_host_map: {"10.203.0.1": ["198.18.5.2:4242"]}
			lighthouse: {am_lighthouse: $lh, interval: 60, hosts: [$hosts]}
			listen: {host: 0.0.0.0, port: 4242}
			punchy: {punch: true}
			tun: {dev: nebula0}
			logging: {level: info}
			firewall:
			  outbound: [{port: any, proto: any, host: any}]
			  inbound: [{port: any, proto: any, host: any}]
		EOF
		ov_bg "$n" "$tmp/nebula-$n.log" nebula -config "$d/$n.yml" && OV_DAEMONS+=("$OV_LAST")
		i=$((i + 1))
	done
	OV_IP=10.203.0.2
	wait_up 20 "ping" net_ping a "$OV_IP"
}

# run NAME UP: brings an overlay up with UP, measures it, stops its daemons (their tun and tap
# devices go with them); a failure to come up becomes the row "failed: <why>".
run() {
	OV_DAEMONS=() OV_LOGS=() OV_IP='' WHY=''
	echo "overlay: $1 ..." >&2
	if "$2"; then
		ov_measure "$1" "$OV_IP" "${OV_DAEMONS[@]}"
	else
		RES[$1]="failed: ${WHY:-did not come up}"
		[ ${#OV_LOGS[@]} -eq 0 ] || tail -n 3 "${OV_LOGS[@]}" >&2
	fi
	[ ${#OV_DAEMONS[@]} -eq 0 ] || ov_stop "${OV_DAEMONS[@]}"
	return 0
}

# OVERLAYS="raw weft zt ..." measures only those rows (default: all), for quick comparisons.
want() { [ -z "${OVERLAYS:-}" ] || [[ " $OVERLAYS " == *" $1 "* ]]; }
rows=()
if want raw; then
	echo "overlay: raw path ..." >&2
	ov_measure "raw path" 198.18.6.2
	rows+=("raw path")
fi
want weft && run weft up_weft && rows+=(weft)
if [ -n "${WEFT_BASE:-}" ]; then run "weft (base)" up_weft_base; rows+=("weft (base)"); fi
if want zt; then
	if [ -n "${ZT_ONE:-}" ]; then
		run "ZeroTier One" up_zerotier
	else
		RES["ZeroTier One"]="not run (set ZT_ONE)"
	fi
	rows+=("ZeroTier One")
fi
want wireguard-go && run wireguard-go up_wireguard && rows+=(wireguard-go)
want n2n && run n2n up_n2n && rows+=(n2n)
want tinc && run tinc up_tinc && rows+=(tinc)
want nebula && run nebula up_nebula && rows+=(nebula)

echo "Overlays between namespaces a and b over one routed veth path ($(nproc) cores); iperf3"
echo "runs of ${OV_T} s; udp64 = 64-byte UDP at -b 0, packets/s received; rtt of 1000 pings 2 ms"
echo "apart; cpu = the daemons' user+system s per GB over the TCP runs; RSS per daemon, idle."
ov_report "${rows[@]}"
echo "overlay: $((SECONDS - t0)) s"
# weft and the raw path must have measured (a number in the first column) for exit 0.
w=${RES[weft]:-} r=${RES[raw path]:-}
[[ ${w%% *} =~ ^[0-9]+$ && ${r%% *} =~ ^[0-9]+$ ]]
