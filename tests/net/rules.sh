# SPDX-License-Identifier: MPL-2.0
# The rules engine with real weftd processes (vl2.md §6): ZeroTier's example policy on a network
# of four members in namespaces, plus a capability and a tag, issued by the controller (§9.5).
#
#                         inet (router)
#        +-------------+------+------+-------------+-------------+
#      root          nat-a  nat-b   pub-ctl       pub-c         pub-o
#   198.18.1.2         |      |       |             |             |
#                      a      b      ctl            c             o
#               192.168.11.2  192.168.12.2  198.18.4.2  198.18.5.2   198.18.6.2
#   a: client, department 1, capability 1     b: servers, department 1
#   c: servers and client, department 2, capability 1     o: observer, active bridge
#
# Base rules (ZeroTier's documented example, rules in JSON, §6.11):
#   drop not ethertype IPv4 and not ARP and not IPv6; tee 128 bytes to o;
#   accept tcp and (dport 22 or 80 or 443); break on tcp_syn and not tcp_ack; accept.
# Capability 1: accept tcp dport 445 when the department tag (100) differs by 0 (same department).
# A SYN that reaches "break" is accepted only by a capability, else dropped (default DROP).
# A TEE copy is sent only for a frame that is finally accepted (§6.7, §6.8): the sender's copy
# on the way out, the receiver's on the way in, so the observer's capture says who let it pass.
set -u
T_SUITE=net/rules
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/t.sh"
. "$here/lib.sh"
CASES=6
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces" $CASES
[ -e /dev/net/tun ] || t_skip_all "no /dev/net/tun" $CASES
command -v tcpdump >/dev/null || t_skip_all "no tcpdump for the observer's capture" $CASES
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
W="$B/weft"
D="$B/weftd"
tmp=$(mktemp -d)
trap 'net_cleanup; rm -rf "$tmp"' EXIT
M="a b c o"
ztdev() { net_exec "$1" ip -o link | sed -n 's/^[0-9]*: \(zt[^:@]*\).*/\1/p' | head -n1; }
member() { net_api ctl "$tmp/ctl" POST "/controller/network/$nwid/member/$(net_addr "$1")" "$2"; }
# tcp FROM IP PORT: prints how a connection attempt with a 3 s timeout ended: connected,
# timeout (the SYN or its answer was dropped) or refused.
tcp() {
	net_exec "$1" python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close(); print("connected")
except socket.timeout: print("timeout")
except ConnectionRefusedError: print("refused")
except OSError as e: print("error", e.errno)' "$2" "$3"
}
connects() { [ "$(tcp "$@")" = connected ]; }
not_connects() { [ "$(tcp "$@")" != connected ]; }
# syns FROM TO PORT [FILE]: how many copies of SYNs (not SYN-ACKs) from FROM to TO:PORT the
# observer captured.
syns() { grep -F 'Flags [S],' "${4:-$tmp/o.cap}" | grep -c "$1\.[0-9]* > $2\.$3:"; }

t_case "four members join a network with the example policy, a capability and a tag"
net_vl2_world "$tmp" "$W" "$D" c o || t_fail "setup"
ether() { echo "{\"type\":\"MATCH_ETHERTYPE\",\"not\":true,\"or\":false,\"etherType\":$1}"; }
dport() { echo "{\"type\":\"MATCH_IP_DEST_PORT_RANGE\",\"not\":false,\"or\":$2,\"start\":$1,\"end\":$1}"; }
chr() { echo "{\"type\":\"MATCH_CHARACTERISTICS\",\"not\":$2,\"or\":false,\"mask\":\"$1\"}"; }
is_tcp='{"type":"MATCH_IP_PROTOCOL","not":false,"or":false,"ipProtocol":6}'
rules="[$(ether 2048), $(ether 2054), $(ether 34525), {\"type\":\"ACTION_DROP\"},
  {\"type\":\"ACTION_TEE\",\"address\":\"$(net_addr o)\",\"flags\":0,\"length\":128},
  $is_tcp, $(dport 22 false), $(dport 80 true), $(dport 443 true), {\"type\":\"ACTION_ACCEPT\"},
  $(chr 0000000000000002 false), $(chr 0000000000000010 true), {\"type\":\"ACTION_BREAK\"},
  {\"type\":\"ACTION_ACCEPT\"}]"
smb="[$is_tcp, $(dport 445 false),
  {\"type\":\"MATCH_TAGS_DIFFERENCE\",\"not\":false,\"or\":false,\"id\":100,\"value\":0},
  {\"type\":\"ACTION_ACCEPT\"}]"
nwid=$(net_new_network "$tmp" "{\"name\":\"rules\",
  \"private\":true, \"v4AssignMode\":{\"zt\":true}, \"v6AssignMode\":{\"rfc4193\":true},
  \"ipAssignmentPools\":[{\"ipRangeStart\":\"10.147.18.1\",\"ipRangeEnd\":\"10.147.18.254\"}],
  \"routes\":[{\"target\":\"10.147.18.0/24\",\"via\":null}], \"rules\": $rules,
  \"capabilities\":[{\"id\":1,\"default\":false,\"rules\":$smb}],
  \"tags\":[{\"id\":100,\"default\":0}]}")
[ ${#nwid} -eq 16 ] || t_fail "network not created"
stored=$(net_api ctl "$tmp/ctl" GET "/controller/network/$nwid" |
	python3 -c 'import json,sys; n=json.load(sys.stdin); print(len(n["rules"]), len(n["capabilities"][0]["rules"]))')
t_eq "$stored" "14 4" "rules and capability rules stored"
for n in $M; do net_exec "$n" "$W" -D"$tmp/$n" join "$nwid" >/dev/null; done
member a '{"authorized":true,"tags":[[100,1]],"capabilities":[1]}' >/dev/null
member b '{"authorized":true,"tags":[[100,1]]}' >/dev/null
member c '{"authorized":true,"tags":[[100,2]],"capabilities":[1]}' >/dev/null
member o '{"authorized":true,"activeBridge":true}' >/dev/null
for n in $M; do net_wait 30 net_is_ok "$n" || t_fail "$n has no configuration"; done
declare -A v4 v6
for n in $M; do
	v4[$n]=$(net_member_ip "$n" "$tmp/$n" "$nwid" 4)
	v6[$n]=$(net_member_ip "$n" "$tmp/$n" "$nwid" 6)
	echo "    $n: $(net_addr "$n") ${v4[$n]} ${v6[$n]}"
done
odev=$(ztdev o)
[ -n "$odev" ] || t_fail "o has no network port"
net_bg o "$tmp/o.cap" tcpdump -l -nn -e -i "$odev" ip or ip6
for n in b c; do # a listener on every port the policy names; it accepts and closes
	net_bg "$n" "$tmp/srv-$n.log" python3 -c '
import selectors, socket
sel = selectors.DefaultSelector()
for port in (22, 80, 443, 445, 8080):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(16); sel.register(s, selectors.EVENT_READ)
print("listening", flush=True)
while True:
    for k, _ in sel.select():
        k.fileobj.accept()[0].close()'
done
net_wait 10 grep -q listening "$tmp/srv-b.log" "$tmp/srv-c.log" || t_fail "servers not listening"
net_wait 10 grep -q 'listening on' "$tmp/o.cap" || t_fail "tcpdump not capturing"
for x in a c o; do
	net_wait 20 net_ping "$x" "${v4[b]}" || t_fail "$x cannot ping b (ICMP is accepted)"
done
net_wait 20 net_ping a "${v4[c]}" || t_fail "a cannot ping c"

t_case "SSH, HTTP and HTTPS connect; a connection to 8080 is dropped (its SYN goes unanswered)"
for p in 22 80 443; do
	r=$(tcp a "${v4[b]}" $p)
	t_eq "$r" connected "a to b:$p"
done
r=$(tcp a "${v4[b]}" 8080)
t_eq "$r" timeout "a to b:8080"
r=$(tcp c "${v4[b]}" 22)
t_eq "$r" connected "c to b:22"

t_case "IPv6 and IPv4 frames pass; another ethertype is dropped"
net_wait 10 net_ping a "${v6[b]}" || t_fail "a cannot ping b over IPv6"
bdev=$(ztdev b)
adev=$(ztdev a)
mac_b=$(net_api b "$tmp/b" GET "/network/$nwid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mac"])')
net_bg b "$tmp/b.cap" tcpdump -l -nn -e -i "$bdev" ether proto 0x88b5 or host 192.0.2.99
net_wait 10 grep -q 'listening on' "$tmp/b.cap" || t_fail "tcpdump on b not capturing"
# Raw frames from a's port to b's MAC: a local-experimental ethertype, and an IPv4 frame
# (protocol 253, from 192.0.2.99) the policy's final accept lets through, as a control.
net_exec a python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((sys.argv[1], 0))
dst, src = bytes.fromhex(sys.argv[2].replace(":", "")), s.getsockname()[4]
ip = bytes([0x45, 0, 0, 46, 0, 0, 0, 0, 64, 253, 0, 0, 192, 0, 2, 99, 192, 0, 2, 98]) + bytes(26)
for _ in range(3):
    s.send(dst + src + b"\x88\xb5" + b"weft-ethertype-probe".ljust(46, b"\0"))
    s.send(dst + src + b"\x08\x00" + ip)' "$adev" "$mac_b" || t_fail "cannot send raw frames"
net_wait 5 grep -q '192.0.2.99' "$tmp/b.cap" || t_fail "the IPv4 control frame did not reach b"
grep -q '0x88b5' "$tmp/b.cap" && t_fail "b received ethertype 0x88b5"

t_case "the observer's capture holds 128-byte copies of accepted frames, none of dropped ones"
net_exec a ping -c2 -s 1000 "${v4[b]}" >/dev/null || t_fail "a large ping to b failed"
sleep 1
for p in 22 80 443; do
	n=$(syns "${v4[a]}" "${v4[b]}" $p)
	[ "$n" -ge 2 ] || t_fail "o holds $n copies of a's SYN to b:$p (want the sender's and receiver's)"
done
n=$(grep -c "> ${v4[b]}\.8080:" "$tmp/o.cap")
t_eq "$n" 0 "copies of the dropped SYNs to 8080"
big=$(grep -c "length 142: .*${v4[a]} > ${v4[b]}: ICMP echo request" "$tmp/o.cap")
[ "$big" -ge 2 ] || t_fail "no 128-byte copy (142-byte frame) of a's 1028-byte echo request"
long=$(sed -n 's/^[^,]*, ethertype [^,]*, length \([0-9]*\):.*/\1/p' "$tmp/o.cap" | awk '$1 > 142' | wc -l)
t_eq "$long" 0 "captured frames longer than 14 + 128 bytes"

t_case "capability 1 opens SMB within a department only"
r=$(tcp a "${v4[b]}" 445)
t_eq "$r" connected "a (department 1) to b:445 (department 1)"
r=$(tcp c "${v4[b]}" 445)
t_eq "$r" timeout "c (department 2) to b:445 (department 1)"
r=$(tcp a "${v4[c]}" 445)
t_eq "$r" timeout "a (department 1) to c:445 (department 2)"
r=$(tcp b "${v4[c]}" 445)
t_eq "$r" timeout "b (no capability) to c:445"
sleep 1
echo "    copies of SYNs to 445 at o: c->b $(syns "${v4[c]}" "${v4[b]}" 445)," \
	"a->c $(syns "${v4[a]}" "${v4[c]}" 445), b->c $(syns "${v4[b]}" "${v4[c]}" 445)" \
	"(0: the sender dropped them, >0: the receiver did)"

t_case "revoking a's capability closes SMB for a"
member a '{"capabilities":[]}' >/dev/null
t0=$SECONDS
net_wait 20 not_connects a "${v4[b]}" 445 || t_fail "a still connects to b:445 20 s after revocation"
echo "    a lost b:445 within $((SECONDS - t0)) s"
sleep 1
mark=$(wc -l <"$tmp/o.cap")
r=$(tcp a "${v4[b]}" 445)
t_eq "$r" timeout "a to b:445 after revocation"
r=$(tcp a "${v4[b]}" 22)
t_eq "$r" connected "a to b:22 after revocation"
sleep 1
tail -n +"$((mark + 1))" "$tmp/o.cap" >"$tmp/o.after"
n=$(syns "${v4[a]}" "${v4[b]}" 445 "$tmp/o.after")
echo "    copies of a's SYNs to b:445 after revocation: $n (0: a's own outbound rules dropped them)"
t_done
