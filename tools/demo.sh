#!/usr/bin/env bash
# make demo: a private planet with one root and two nodes, each node behind its own NAT, all
# as weftd processes in network namespaces on this machine. The nodes find each other through
# the root, punch through their NATs and talk directly (weft ping shows it). Everything the
# demo creates is removed when it ends. The VL2 network demo (controller, members, Ethernet)
# arrives with issue 5.
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
step() { printf '\n== %s\n' "$*"; }

step "network: a root on 198.18.1.2, node a behind NAT 198.18.2.2, node b behind NAT 198.18.3.2"
net_two_nats

step "a private planet naming the root (weft idtool initplanet / genplanet)"
mkdir -p "$tmp/root" "$tmp/a" "$tmp/b"
"$W" idtool generate "$tmp/root/identity.secret" "$tmp/root/identity.public" >/dev/null
net_planet "$W" "$tmp/root" "$tmp/a" "$tmp/b"

step "three weftd processes"
for n in root a b; do net_bg "$n" "$tmp/$n.log" "$D" -U -p9993 "$tmp/$n"; done
for n in root a b; do
	net_wait 15 sh -c "ip netns exec $NET_PREFIX-$n '$W' -D'$tmp/$n' info | grep -q ONLINE"
	net_exec "$n" "$W" -D"$tmp/$n" info
done
addr_b=$(cut -c1-10 "$tmp/b/identity.public")

step "a pings b: the first answer comes through the root, then they go direct"
net_exec a "$W" -D"$tmp/a" ping "$addr_b" 4
sleep 1
net_exec a "$W" -D"$tmp/a" ping "$addr_b" 2

step "a's peers: the root, and b on a direct path through both NATs"
net_exec a "$W" -D"$tmp/a" peers
echo
echo "demo done; namespaces and processes removed."
