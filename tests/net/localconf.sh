# SPDX-License-Identifier: MPL-2.0
# local.conf `physical` settings reaching the wire (service.md §4.2, vl1.md §4.4): members c
# and d of a network on ctl's controller, each trusting the other's subnet with the same
# trusted path ID, exchange their frames as cipher suite 2 (seen with tcpdump on d); when d's
# ID changes at runtime (the file re-read), c's suite-2 packets are dropped and counted at d;
# with d's subnet blacklisted in c's local.conf, c never takes a direct path to d.
#
#   [root] 198.18.1.2 --+            +-- 198.18.5.2 [c]   (via its router pub-c)
#                     [inet] -------+-- 198.18.6.2 [d]   (via its router pub-d)
#   [ctl]  198.18.4.2 --+
set -u
T_SUITE=net/localconf
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/t.sh"
. "$here/lib.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
W="$B/weft"
D="$B/weftd"
net_begin
command -v tcpdump >/dev/null || { echo "FAIL $T_SUITE: needs tcpdump"; exit 1; }

t_case "root, controller and members c, d with trusted paths to each other"
for ns in inet root; do net_ns "$ns" || t_fail "namespaces"; done
net_link inet 198.18.1.1/24 root 198.18.1.2/24
net_forwarding inet
net_exec root ip route add default via 198.18.1.1
net_controller && net_public c 5 && net_public d 6 || t_fail "namespaces"
for n in root ctl c d; do mkdir -p "$tmp/$n"; done
"$W" idtool generate "$tmp/root/identity.secret" "$tmp/root/identity.public" >/dev/null
net_planet "$W" "$tmp/root" "$tmp/ctl" "$tmp/c" "$tmp/d" || t_fail "planet"
printf '{"physical":{"198.18.6.0/24":{"trustedPathId":42}}}' >"$tmp/c/local.conf"
printf '{"physical":{"198.18.5.0/24":{"trustedPathId":42}}}' >"$tmp/d/local.conf"
for n in root ctl c d; do net_bg "$n" "$tmp/$n.log" "$D" -U -p9993 "$tmp/$n"; done
for n in ctl c d; do
	net_wait 20 sh -c "ip netns exec $NET_PREFIX-$n '$W' -D'$tmp/$n' info | grep -q ONLINE" ||
		t_fail "$n not online"
done
nwid=$(net_new_network "$tmp" '{"private":true,"v4AssignMode":{"zt":true},
	"ipAssignmentPools":[{"ipRangeStart":"10.77.0.10","ipRangeEnd":"10.77.0.99"}],
	"routes":[{"target":"10.77.0.0/24"}]}')
for n in c d; do
	net_api "$n" "$tmp/$n" POST "/network/$nwid" '{}' >/dev/null
	net_api ctl "$tmp/ctl" POST "/controller/network/$nwid/member/$(net_addr "$n")" \
		'{"authorized":true}' >/dev/null
done
for n in c d; do net_wait 30 net_is_ok "$n" || t_fail "$n not configured"; done
ip_d=$(net_member_ip d "$tmp/d" "$nwid" 4)

# suite2_count PCAP: packets whose ZeroTier flags byte carries cipher suite 2.
suite2_count() {
	python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
link = struct.unpack("<I", data[20:24])[0]  # 113, 276: Linux cooked v1, v2; 1: Ethernet
off, n = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[{113: 16, 276: 20}.get(link, 14):]
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
        continue
    udp = ip[(ip[0] & 15) * 4 + 8:]
    if len(udp) >= 28 and (udp[18] & 0x38) == 0x10:
        n += 1
print(n)
EOF
}

t_case "frames between c and d travel as suite 2 and get through"
net_exec d timeout 8 tcpdump -i any -U -w "$tmp/d.pcap" udp and src host 198.18.5.2 \
	>/dev/null 2>&1 &
dump=$!
sleep 1
net_wait 15 net_ping c "$ip_d" || t_fail "c cannot ping d"
net_exec c ping -c5 -i0.2 -W1 "$ip_d" >/dev/null || t_fail "pings lost"
wait $dump
n2=$(suite2_count "$tmp/d.pcap")
[ "${n2:-0}" -ge 5 ] || t_fail "suite-2 packets from c seen at d: ${n2:-none}"

t_case "d changes its trusted path ID at runtime: c's suite-2 packets dropped and counted"
printf '{"physical":{"198.18.5.0/24":{"trustedPathId":43}}}' >"$tmp/d/local.conf"
touch -d '+2 seconds' "$tmp/d/local.conf"
drops() {
	net_api d "$tmp/d" GET /unstable/counters |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get("drop_trusted_path", 0))'
}
before=$(drops)
reread() { grep -q 'local.conf re-read' "$tmp/d.log"; }
net_wait 20 reread || t_fail "d did not re-read local.conf"
net_exec c ping -c3 -i0.3 -W1 "$ip_d" >/dev/null 2>&1
after=$(drops)
[ "$after" -gt "$before" ] || t_fail "drop_trusted_path did not grow: $before -> $after"
t_check_not "ping fails while the IDs differ" net_exec c ping -c1 -W1 "$ip_d"

t_case "c with d's subnet blacklisted never takes a direct path to d"
kill -TERM "${NET_PIDS[2]}" && wait "${NET_PIDS[2]}" 2>/dev/null # c
printf '{"physical":{"198.18.6.0/24":{"blacklist":true}}}' >"$tmp/c/local.conf"
printf '{}' >"$tmp/d/local.conf"
touch -d '+4 seconds' "$tmp/d/local.conf"
net_bg c "$tmp/c2.log" "$D" -U -p9993 "$tmp/c"
net_wait 20 sh -c "ip netns exec $NET_PREFIX-c '$W' -D'$tmp/c' info | grep -q ONLINE" ||
	t_fail "c not online again"
addr_d=$(net_addr d)
direct=0 relayed=0
for _ in $(seq 8); do # bounded: 8 probes
	out=$(net_exec c "$W" -D"$tmp/c" ping "$addr_d" 1)
	case "$out" in
	*'ms direct'*) direct=$((direct + 1)) ;;
	*'ms relayed'*) relayed=$((relayed + 1)) ;;
	esac
	sleep 0.5
done
t_eq "$direct" 0 "direct replies"
[ "$relayed" -ge 4 ] || t_fail "relayed replies: $relayed of 8"
t_check_not "no path to d's subnet in c's peer list" sh -c \
	"ip netns exec $NET_PREFIX-c '$W' -D'$tmp/c' -j peers | grep -q '198.18.6.'"

t_done
