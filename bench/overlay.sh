#!/usr/bin/env bash
# bench/overlay: TCP throughput through weft between two members in network namespaces, beside
# the raw veth path between the same namespaces in the same run (the ceiling), and their ratio.
# Members a and b sit on one veth link (no NAT, so the path is direct); a root and a controller
# hang off the same bridge. iperf3, 5 s per direction measured, median of 3 runs each. With
# ZT_ONE naming a ZeroTier One 1.14 binary, two ZeroTier One members on the same network (in
# their own namespaces, same path) are measured too, beside weft.
# Needs root (namespaces); prints a note and exits 0 without it.
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
W="$build/weft"
D="$build/weftd"
if [ "$(id -u)" -ne 0 ] || ! command -v iperf3 >/dev/null; then
	echo "overlay: needs root and iperf3; not run"
	exit 0
fi
. "$here/../tests/net/lib.sh"
tmp=$(mktemp -d)
trap 'net_cleanup; rm -rf "$tmp"' EXIT
die() { echo "overlay: $*"; exit 1; }

# A flat public segment: root, ctl, a and b all routed through inet, no NAT.
for ns in inet root; do net_ns "$ns" || die "namespaces"; done
net_link inet 198.18.1.1/24 root 198.18.1.2/24
net_forwarding inet
net_exec root ip route add default via 198.18.1.1
net_controller || die "namespaces"
net_public a 5 || die "namespaces"
net_public b 6 || die "namespaces"
mkdir -p "$tmp/root" "$tmp/ctl" "$tmp/a" "$tmp/b"
"$W" idtool generate "$tmp/root/identity.secret" "$tmp/root/identity.public" >/dev/null
net_planet "$W" "$tmp/root" "$tmp/ctl" "$tmp/a" "$tmp/b" || die "planet"
for n in root ctl a b; do net_bg "$n" "$tmp/$n.log" "$D" -U -p9993 "$tmp/$n"; done
for n in ctl a b; do
	net_wait 20 sh -c "ip netns exec $NET_PREFIX-$n '$W' -D'$tmp/$n' info | grep -q ONLINE" ||
		die "$n not online"
done
ctl=$(cut -c1-10 "$tmp/ctl/identity.public")
nwid=$(net_api ctl "$tmp/ctl" POST "/controller/network/${ctl}______" '{"private":true,
  "v4AssignMode":{"zt":true},
  "ipAssignmentPools":[{"ipRangeStart":"10.147.17.1","ipRangeEnd":"10.147.17.254"}],
  "routes":[{"target":"10.147.17.0/24","via":null}]}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || die "network"
# join A B CLI...: members A and B (namespaces) join with the given CLI and are authorized.
join() {
	local x y=$1 z=$2
	shift 2
	for x in "$y" "$z"; do
		net_exec "$x" "$@" -D"$tmp/$x" join "$nwid" >/dev/null
		net_api ctl "$tmp/ctl" POST \
			"/controller/network/$nwid/member/$(cut -c1-10 "$tmp/$x/identity.public")" \
			'{"authorized":true}' >/dev/null
	done
}
join a b "$W"
ip_ok() { [ -n "$(net_member_ip b "$tmp/b" "$nwid" 4)" ] && [ -n "$(net_member_ip a "$tmp/a" "$nwid" 4)" ]; }
net_wait 30 ip_ok || die "no addresses"
zb=$(net_member_ip b "$tmp/b" "$nwid" 4)
net_wait 20 net_exec a ping -c1 -W1 "$zb" || die "no ping over weft"

# rate FROM TO TARGET: median Mbit/s of 3 iperf3 runs from namespace FROM to TARGET in TO
rate() {
	local r=() i
	for i in 1 2 3; do
		net_bg "$2" "$tmp/srv.log" iperf3 -s -1
		sleep 0.3
		r+=("$(net_exec "$1" iperf3 -c "$3" -t 5 -O 1 -J | python3 -c \
			'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))')")
		sleep 0.3
	done
	printf '%s\n' "${r[@]}" | sort -n | sed -n 2p
}
raw=$(rate a b 198.18.6.2)
weft=$(rate a b "$zb")
zt=
if [ -n "${ZT_ONE:-}" ] && [ -x "${ZT_ONE:-}" ]; then
	net_public za 7 && net_public zb 8 || die "namespaces"
	mkdir -p "$tmp/za" "$tmp/zb"
	cp "$tmp/root/planet" "$tmp/za/" && cp "$tmp/root/planet" "$tmp/zb/"
	for n in za zb; do net_bg "$n" "$tmp/$n.log" "$ZT_ONE" -U -p9993 "$tmp/$n"; done
	for n in za zb; do
		net_wait 20 sh -c "ip netns exec $NET_PREFIX-$n '$ZT_ONE' -q -D'$tmp/$n' info | grep -q ONLINE" ||
			die "ZeroTier One $n not online"
	done
	join za zb "$ZT_ONE" -q
	zip() {
		net_exec zb "$ZT_ONE" -q -D"$tmp/zb" -j listnetworks | python3 -c '
import json, sys
for n in json.load(sys.stdin):
    for a in n.get("assignedAddresses", []):
        if ":" not in a: print(a.split("/")[0]); sys.exit(0)
sys.exit(1)'
	}
	net_wait 60 zip || die "ZeroTier One member has no address"
	zzb=$(zip)
	net_wait 30 net_exec za ping -c1 -W1 "$zzb" || die "no ping over ZeroTier One"
	zt=$(rate za zb "$zzb")
fi
cpu=$(nproc)
echo "TCP a -> b, iperf3 5 s, median of 3 ($cpu cores; weft encrypts, authenticates and"
echo "switches every frame in user space, the veth path is the kernel alone):"
printf '  %-30s %8s Mbit/s\n' "raw veth (ceiling)" "$raw" "through weft" "$weft"
[ -n "$zt" ] && printf '  %-30s %8s Mbit/s\n' "through ZeroTier One 1.14" "$zt"
python3 -c "print('  ratio weft / raw: %.1f%%' % (100.0 * $weft / max($raw, 1)))"
[ -n "$zt" ] && python3 -c "print('  ratio weft / ZeroTier One: %.2fx' % ($weft / max($zt, 1)))"
exit 0
