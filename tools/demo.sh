#!/usr/bin/env bash
# make demo: a root, a network controller and two members, each member behind its own NAT, all
# as weftd processes in network namespaces on this machine. The controller creates a private
# network, the members join it, the controller authorizes them, and they reach each other over
# the virtual Ethernet: IPv4, IPv6 (RFC4193 and 6PLANE) and a short iperf3 run. Everything the
# demo creates is removed when it ends, also on Ctrl-C or failure.
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
W="$build/weft"
D="$build/weftd"
if [ "$(id -u)" -ne 0 ]; then
	echo "make demo needs root (it creates network namespaces); showing the in-memory demo:"
	a=$("$W" idtool generate) b=$("$W" idtool generate)
	exec "$build/demo-foundation" "$a" "$b"
fi
. "$here/../tests/net/lib.sh"
tmp=$(mktemp -d)
trap 'net_cleanup; rm -rf "$tmp"' EXIT
trap 'echo; echo "interrupted; cleaning up"; exit 130' INT TERM
step() { printf '\n== %s\n' "$*"; }
fail() { echo "demo failed: $*"; for n in root ctl a b; do echo "--- $n log"; tail -n 5 "$tmp/$n.log"; done; exit 1; }

step "network: a root on 198.18.1.2, a controller on 198.18.4.2, member a behind NAT 198.18.2.2, member b behind NAT 198.18.3.2"
net_two_nats || fail "namespaces"
net_controller || fail "namespaces"

step "a private planet naming the root, and four weftd processes"
mkdir -p "$tmp/root" "$tmp/ctl" "$tmp/a" "$tmp/b"
"$W" idtool generate "$tmp/root/identity.secret" "$tmp/root/identity.public" >/dev/null
net_planet "$W" "$tmp/root" "$tmp/ctl" "$tmp/a" "$tmp/b" || fail "planet"
for n in root ctl a b; do net_bg "$n" "$tmp/$n.log" "$D" -U -p9993 "$tmp/$n"; done
for n in root ctl a b; do
	net_wait 20 sh -c "ip netns exec $NET_PREFIX-$n '$W' -D'$tmp/$n' info | grep -q ONLINE" ||
		fail "$n did not come online"
	net_exec "$n" "$W" -D"$tmp/$n" info
done

step "the controller creates a private network (IPv4 pool 10.147.17.0/24, RFC4193, 6PLANE)"
ctl=$(cut -c1-10 "$tmp/ctl/identity.public")
nwid=$(net_api ctl "$tmp/ctl" POST "/controller/network/${ctl}______" '{"name":"demo",
  "private":true, "v4AssignMode":{"zt":true}, "v6AssignMode":{"rfc4193":true,"6plane":true},
  "ipAssignmentPools":[{"ipRangeStart":"10.147.17.1","ipRangeEnd":"10.147.17.254"}],
  "routes":[{"target":"10.147.17.0/24","via":null}]}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || fail "network not created"
echo "network $nwid"

step "a and b join it (weft join); the controller refuses them until authorized"
for n in a b; do net_exec "$n" "$W" -D"$tmp/$n" join "$nwid"; done
for n in a b; do
	addr=$(cut -c1-10 "$tmp/$n/identity.public")
	net_api ctl "$tmp/ctl" POST "/controller/network/$nwid/member/$addr" '{"authorized":true}' \
		>/dev/null || fail "authorizing $n"
	echo "authorized $n ($addr)"
done
for n in a b; do
	net_wait 30 sh -c "ip netns exec $NET_PREFIX-$n '$W' -D'$tmp/$n' listnetworks | grep -q ' OK '" ||
		fail "$n has no configuration"
	net_exec "$n" "$W" -D"$tmp/$n" listnetworks
done
b4=$(net_member_ip b "$tmp/b" "$nwid" 4)
b6=$(net_member_ip b "$tmp/b" "$nwid" 6)
bp=$(net_member_ip b "$tmp/b" "$nwid" p)
net_exec b ip -brief address

step "a pings b over the virtual network: IPv4 $b4, RFC4193 $b6, 6PLANE $bp"
# New IPv6 addresses are usable once the kernel's duplicate address detection is done.
for ip in "$b4" "$b6" "$bp"; do
	net_wait 20 net_exec a ping -c1 -W1 "$ip" || fail "no answer from b at $ip"
done
net_exec a ping -c3 -i0.3 "$b4" || fail "IPv4 ping"
net_exec a ping -c3 -i0.3 "$b6" || fail "RFC4193 ping"
net_exec a ping -c3 -i0.3 "$bp" || fail "6PLANE ping"

step "iperf3 from a to b for 3 s (TCP over weft)"
net_bg b "$tmp/iperf.log" iperf3 -s -1
sleep 0.5
net_exec a iperf3 -c "$b4" -t 3 -f m | tail -n 4 || fail "iperf3"

step "a's peers: the root, the controller, and b on a direct path through both NATs"
net_exec a "$W" -D"$tmp/a" peers
echo
echo "demo done: two members behind NATs joined a private network run by a weft controller,"
echo "got their addresses and reached each other over IPv4, RFC4193 and 6PLANE IPv6."
echo "Namespaces and processes removed."
