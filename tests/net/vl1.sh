# SPDX-License-Identifier: MPL-2.0
# VL1 across real NATs: a root and two nodes as weftd processes, each node behind its own
# iptables MASQUERADE router. They find each other through the root, end on a direct path,
# and keep talking through the root once direct UDP between the NATs is blocked.
#
#   [a] 192.168.11.2 --- 192.168.11.1 [nat-a] 198.18.2.2 ---+
#                                      (MASQUERADE)          |  198.18.2.1
#                                                         [inet] 198.18.1.1 --- 198.18.1.2 [root]
#                                      (MASQUERADE)          |  198.18.3.1
#   [b] 192.168.12.2 --- 192.168.12.1 [nat-b] 198.18.3.2 ---+
#
# Every namespace is created here and removed on exit; processes are killed by PID.
set -u
T_SUITE=net/vl1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/t.sh"
. "$here/lib.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
W="$B/weft"
D="$B/weftd"
net_begin

t_case "topology: root, two nodes, two MASQUERADE routers"
net_two_nats || t_fail "topology"
t_check "a reaches the root through its NAT" net_exec a ping -c1 -W2 198.18.1.2
t_check "b reaches the root through its NAT" net_exec b ping -c1 -W2 198.18.1.2

t_case "a private planet naming the root, made with weft idtool"
mkdir -p "$tmp/root" "$tmp/a" "$tmp/b"
"$W" idtool generate "$tmp/root/identity.secret" "$tmp/root/identity.public" >/dev/null
net_planet "$W" "$tmp/root" "$tmp/a" "$tmp/b" || t_fail "initplanet/genplanet"

t_case "three weftd processes come online"
net_bg root "$tmp/root.log" "$D" -U -p9993 "$tmp/root"
net_bg a "$tmp/a.log" "$D" -U -p9993 "$tmp/a"
net_bg b "$tmp/b.log" "$D" -U -p9993 "$tmp/b"
online() { net_exec "$1" "$W" -D"$tmp/$1" info | grep -q ' ONLINE$'; }
for n in root a b; do net_wait 15 online "$n" || t_fail "$n not online"; done
addr_a=$(cut -c1-10 "$tmp/a/identity.public")
addr_b=$(cut -c1-10 "$tmp/b/identity.public")

# direct_path FROM TO NAT: FROM's peer list shows its preferred path to TO at TO's NAT address
# (the `peers` link column then says DIRECT).
direct_path() {
	local nat=$3
	net_exec "$1" "$W" -D"$tmp/$1" -j peers 2>/dev/null | python3 -c '
import json, sys
want, nat = sys.argv[1], sys.argv[2]
for p in json.load(sys.stdin):
    if p["address"] == want:
        sys.exit(0 if any(x["preferred"] and x["address"].startswith(nat + "/") for x in p["paths"]) else 1)
sys.exit(1)' "$2" "$nat"
}

t_case "a and b find each other through the root and end on a direct path"
out=$(net_exec a "$W" -D"$tmp/a" ping "$addr_b" 3)
echo "$out" | grep -q '^reply from' || t_fail "no ping reply from b: $out"
net_wait 20 direct_path a "$addr_b" 198.18.3.2 || t_fail "a has no direct path to b"
net_wait 20 direct_path b "$addr_a" 198.18.2.2 || t_fail "b has no direct path to a"
out=$(net_exec a "$W" -D"$tmp/a" ping "$addr_b" 2)
echo "$out" | grep -q 'ms direct$' || t_fail "pings not direct: $out"
net_exec a "$W" -D"$tmp/a" peers | sed 's/^/    /'

t_case "with direct UDP between the NATs blocked, they keep talking through the root"
net_exec inet iptables -I FORWARD -s 198.18.2.2 -d 198.18.3.2 -j DROP
net_exec inet iptables -I FORWARD -s 198.18.3.2 -d 198.18.2.2 -j DROP
relayed=0
for i in $(seq 1 40); do # bounded: at most ~40 probes
	out=$(net_exec a "$W" -D"$tmp/a" ping "$addr_b" 1)
	if echo "$out" | grep -q 'ms relayed$'; then relayed=$((relayed + 1)); fi
	[ "$relayed" -ge 3 ] && break
	sleep 1
done
[ "$relayed" -ge 3 ] || t_fail "pings did not move to the relay ($relayed relayed replies)"
direct_path a "$addr_b" 198.18.3.2 && t_fail "a still prefers the blocked direct path"
net_exec a "$W" -D"$tmp/a" peers | sed 's/^/    /'

t_case "weftd processes stop cleanly on SIGTERM"
for p in "${NET_PIDS[@]}"; do kill -TERM "$p"; done
for p in "${NET_PIDS[@]}"; do
	for _ in $(seq 1 25); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
	kill -0 "$p" 2>/dev/null && t_fail "pid $p still running"
done
for n in root a b; do [ -e "$tmp/$n/zerotier-one.pid" ] && t_fail "$n left its pid file"; done
NET_PIDS=()
t_done
