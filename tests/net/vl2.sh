# SPDX-License-Identifier: MPL-2.0
# VL2 with real weftd processes (vl2.md, service.md §5): a root, a controller and members a and
# b behind their own NATs, c and d on public addresses, all in namespaces this test makes. A
# private network with an IPv4 pool, RFC4193 and 6PLANE: a, b and c are authorized, d is not.
# IPv4 ping and TCP, IPv6 ping on both schemes, ARP, a multicast group reaching every member,
# nothing for the unauthorized member, and a deauthorized member cut off. Members read their
# TAPs with two worker threads beside the loop (a three-queue TAP), whatever the core count.
set -u
export WEFT_WORKERS=2
T_SUITE=net/vl2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/t.sh"
. "$here/lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces" 9
[ -e /dev/net/tun ] || t_skip_all "no /dev/net/tun" 9
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
W="$B/weft"
D="$B/weftd"
tmp=$(mktemp -d)
trap 'net_cleanup; rm -rf "$tmp"' EXIT
M="a b c d"
is_denied() { [ "$(net_status "$1")" = ACCESS_DENIED ]; }

t_case "three members join a private network and get their addresses"
net_vl2_world "$tmp" "$W" "$D" c d || t_fail "setup"
nwid=$(net_new_network "$tmp" '{"name":"vl2",
  "private":true, "v4AssignMode":{"zt":true}, "v6AssignMode":{"rfc4193":true,"6plane":true},
  "ipAssignmentPools":[{"ipRangeStart":"10.147.17.1","ipRangeEnd":"10.147.17.254"}],
  "routes":[{"target":"10.147.17.0/24","via":null}]}')
[ ${#nwid} -eq 16 ] || t_fail "network not created"
for n in $M; do net_exec "$n" "$W" -D"$tmp/$n" join "$nwid" >/dev/null; done
net_wait 20 is_denied d || t_fail "d not refused"
for n in a b c; do
	net_api ctl "$tmp/ctl" POST "/controller/network/$nwid/member/$(net_addr "$n")" \
		'{"authorized":true}' >/dev/null
done
for n in a b c; do net_wait 30 net_is_ok "$n" || t_fail "$n has no configuration"; done
declare -A v4 v6 vp
for n in a b c; do
	v4[$n]=$(net_member_ip "$n" "$tmp/$n" "$nwid" 4)
	v6[$n]=$(net_member_ip "$n" "$tmp/$n" "$nwid" 6)
	vp[$n]=$(net_member_ip "$n" "$tmp/$n" "$nwid" p)
	echo "    $n: ${v4[$n]} ${v6[$n]} ${vp[$n]}"
done

t_case "IPv4: ping between every pair, ARP resolved to the member MAC, 8 MB TCP intact"
for x in a b c; do
	for y in a b c; do
		[ "$x" = "$y" ] && continue
		net_wait 20 net_ping "$x" "${v4[$y]}" || t_fail "$x cannot ping $y at ${v4[$y]}"
	done
done
mac_b=$(net_api b "$tmp/b" GET "/network/$nwid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mac"])')
net_exec a ip neigh show "${v4[b]}" | grep -qi "$mac_b" || t_fail "a's ARP entry for b is not $mac_b"
# tcp_sum ADDR PORT N MB: N parallel TCP streams of MB random megabytes from a to b's ADDR,
# each checked by SHA-256 (tcp_sum.py); the bulk runs through TAP offloads and coalescing on
# both ends and, with N > 1, over several TAP queues.
tcp_sum() {
	local ok
	net_bg b "$tmp/tcp-$2.out" python3 "$here/tcp_sum.py" serve "$2" "$3"
	net_wait 10 sh -c "ip netns exec $NET_PREFIX-b ss -Hltn 'sport = :$2' | grep -q ." ||
		t_fail "TCP: no listener on port $2"
	ok=$(net_exec a python3 "$here/tcp_sum.py" send "$1" "$2" "$3" "$4")
	[ "$ok" = "$3" ] || t_fail "TCP to $1: of $3 streams of $4 MB, ${ok:-none} arrived intact"
}
tcp_sum "${v4[b]}" 7001 1 8
ztdev() { net_exec "$1" ip -o link | sed -n 's/^[0-9]*: \(zt[^:@]*\).*/\1/p' | head -n1; }
queues=$(net_exec a ls "/sys/class/net/$(ztdev a)/queues" 2>/dev/null | grep -c '^rx-')
[ "$queues" = 3 ] || t_fail "a's port has $queues queues, not 3 (the loop's and two workers')"

t_case "four TCP streams at once (spread over the TAP queues) arrive intact"
tcp_sum "${v4[b]}" 7003 4 4

t_case "members behind NATs end on a direct path to each other"
# direct_path FROM TO NAT: FROM prefers a path to TO at TO's NAT address.
direct_path() {
	net_exec "$1" "$W" -D"$tmp/$1" -j peers 2>/dev/null | python3 -c '
import json, sys
want, nat = sys.argv[1], sys.argv[2]
for p in json.load(sys.stdin):
    if p["address"] == want:
        sys.exit(0 if any(x["preferred"] and x["address"].startswith(nat + "/") for x in p["paths"]) else 1)
sys.exit(1)' "$2" "$3"
}
for _ in $(seq 60); do
	direct_path a "$(net_addr b)" 198.18.3.2 && direct_path b "$(net_addr a)" 198.18.2.2 && break
	net_exec a ping -c1 -W1 "${v4[b]}" >/dev/null 2>&1
	sleep 0.5
done
direct_path a "$(net_addr b)" 198.18.3.2 || { net_exec a "$W" -D"$tmp/a" peers; t_fail "a relays to b"; }
direct_path b "$(net_addr a)" 198.18.2.2 || t_fail "b relays to a"

t_case "IPv6: ping on RFC4193 and 6PLANE addresses (NDP emulated), 8 MB TCP intact"
for y in b c; do
	net_wait 10 net_ping a "${v6[$y]}" || t_fail "no RFC4193 answer from $y"
	net_wait 10 net_ping a "${vp[$y]}" || t_fail "no 6PLANE answer from $y"
done
tcp_sum "${v6[b]}" 7002 1 8

t_case "a multicast group (mDNS) reaches every member"
for n in b c; do
	net_bg "$n" "$tmp/mc-$n.out" python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 5353))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton("224.0.0.251"), socket.inet_aton(__import__("sys").argv[1])))
s.settimeout(25)
print(s.recvfrom(100)[0].decode(), flush=True)' "${v4[$n]}"
done
sleep 7 # the port's multicast MACs are read every 5 s, then announced
for _ in $(seq 15); do
	net_exec a python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
s.sendto(b"weft-mdns", ("224.0.0.251", 5353))' "${v4[a]}"
	grep -q weft-mdns "$tmp/mc-b.out" && grep -q weft-mdns "$tmp/mc-c.out" && break
	sleep 1
done
for n in b c; do grep -q weft-mdns "$tmp/mc-$n.out" || t_fail "$n did not get the multicast"; done

t_case "the unauthorized member gets nothing; a network the controller lacks is NOT_FOUND"
is_denied d || t_fail "d is not ACCESS_DENIED"
missing="$(net_addr ctl)0000ff"
net_exec d "$W" -D"$tmp/d" join "$missing" >/dev/null
not_found() {
	[ "$(net_api d "$tmp/d" GET "/network/$missing" | python3 -c \
		'import json,sys; print(json.load(sys.stdin).get("status"))')" = NOT_FOUND ]
}
net_wait 20 not_found || t_fail "joining a network the controller does not have is not NOT_FOUND"
[ -z "$(net_member_ip d "$tmp/d" "$nwid" 4)" ] || t_fail "d has an address"
net_exec d ip -o link | grep -q ' zt' && t_fail "d has a network port"

t_case "a deauthorized member is cut off"
net_api ctl "$tmp/ctl" POST "/controller/network/$nwid/member/$(net_addr c)" '{"authorized":false}' \
	>/dev/null
sleep 2
net_ping a "${v4[c]}" && t_fail "a still reaches c"
net_ping c "${v4[b]}" && t_fail "c still reaches b"
# c learns it is refused at its next config poll (60 s), as a 1.14 member would; not waited for.

t_case "a member that leaves loses its port (every queue closed)"
dev=$(ztdev a)
net_exec a "$W" -D"$tmp/a" leave "$nwid" >/dev/null || t_fail "leave failed"
gone() { ! net_exec a ip link show "$dev" >/dev/null 2>&1; }
net_wait 10 gone || t_fail "a's port $dev is still there after leaving"
t_done
