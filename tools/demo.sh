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
for ns in inet root nat-a nat-b a b; do net_ns "$ns"; done
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

step "a private planet naming the root (weft idtool initplanet / genplanet)"
mkdir -p "$tmp/root" "$tmp/a" "$tmp/b"
"$W" idtool generate "$tmp/root/identity.secret" "$tmp/root/identity.public" >/dev/null
(cd "$tmp" && "$W" idtool initplanet root/identity.public >planet.json)
sed -i 's|"stableEndpoints": \[\]|"stableEndpoints": ["198.18.1.2/9993"]|' "$tmp/planet.json"
"$W" idtool genplanet "$tmp/planet.json" "$tmp/root/planet"
cp "$tmp/root/planet" "$tmp/a/planet"
cp "$tmp/root/planet" "$tmp/b/planet"

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
