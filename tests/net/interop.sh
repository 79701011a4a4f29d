# SPDX-License-Identifier: MPL-2.0
# Interoperability with ZeroTier One 1.14, run only when ZT_ONE names a zerotier-one binary
# (built outside this repository; nothing here builds or fetches it). Otherwise every case is
# reported as skipped, by name.
#
#   [a] 192.168.11.2 --- [nat-a] 198.18.2.2 --+                          (MASQUERADE routers)
#                                              [inet] 198.18.1.1 --- 198.18.1.2 [root]
#   [b] 192.168.12.2 --- [nat-b] 198.18.3.2 --+
#
# Part 1: a weft root; a is ZeroTier One, b is weft. Part 2: a ZeroTier One root; a and b weft.
# Part 3: a weft root that is also the network's controller; a and b are ZeroTier One members.
# Part 4: the same controller; a is a ZeroTier One member, b a weft member.
# Part 5: a ZeroTier One root that is also the controller; a is a weft member, b ZeroTier One.
set -u
T_SUITE=net/interop
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/t.sh"
. "$here/lib.sh"
if [ -z "${ZT_ONE:-}" ] || [ ! -x "${ZT_ONE:-}" ]; then
	t_skip_all "ZT_ONE does not name a zerotier-one 1.14 binary; interop with the reference not run" 10
fi
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
W="$B/weft"
D="$B/weftd"
tmp=$(mktemp -d)
trap 'net_cleanup; rm -rf "$tmp"' EXIT

zt_online() { net_exec "$1" "$ZT_ONE" -q -D"$2" info 2>/dev/null | grep -q ONLINE; }
weft_online() { net_exec "$1" "$W" -D"$2" info 2>/dev/null | grep -q ' ONLINE$'; }
# weft_direct NS HOME ADDR NATIP: the weft node prefers a direct path to ADDR at NATIP.
weft_direct() {
	net_exec "$1" "$W" -D"$2" -j peers 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p["address"] == sys.argv[1]:
        sys.exit(0 if any(x["preferred"] and x["address"].startswith(sys.argv[2] + "/")
                          for x in p["paths"]) else 1)
sys.exit(1)' "$3" "$4"
}
zt_direct() {
	net_exec "$1" "$ZT_ONE" -q -D"$2" -j peers 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p["address"] == sys.argv[1]:
        sys.exit(0 if any(x.get("preferred") and x["address"].startswith(sys.argv[2] + "/")
                          for x in p["paths"]) else 1)
sys.exit(1)' "$3" "$4"
}

# trio PART ROOTD AD BD: the topology, a weft-made root identity (when ROOTD is weftd), the
# planet, and the three daemons started (ROOTD in root, AD in a, BD in b).
trio() {
	local d="$tmp/$1"
	net_two_nats || t_fail "topology"
	mkdir -p "$d/root" "$d/a" "$d/b"
	if [ "$2" = "$D" ]; then
		"$W" idtool generate "$d/root/identity.secret" "$d/root/identity.public" >/dev/null
	else
		net_exec root "$ZT_ONE" -i generate "$d/root/identity.secret" \
			"$d/root/identity.public" >/dev/null || t_fail "zerotier-idtool generate"
	fi
	net_planet "$W" "$d/root" "$d/a" "$d/b" || t_fail "planet"
	net_bg root "$d/root.log" "$2" -U -p9993 "$d/root"
	net_bg a "$d/a.log" "$3" -U -p9993 "$d/a"
	net_bg b "$d/b.log" "$4" -U -p9993 "$d/b"
}

t_case "part 1: a ZeroTier One node comes online through a weft root"
trio 1 "$D" "$ZT_ONE" "$D"
net_wait 20 zt_online a "$tmp/1/a" || t_fail "zerotier-one not online"
net_wait 20 weft_online b "$tmp/1/b" || t_fail "weft node not online"
addr_a=$(cut -c1-10 "$tmp/1/a/identity.public")
addr_b=$(cut -c1-10 "$tmp/1/b/identity.public")

t_case "part 1: weft and ZeroTier One nodes reach each other and go direct through their NATs"
net_exec b "$W" -D"$tmp/1/b" ping "$addr_a" 4 | grep -q '^reply from' || t_fail "no ECHO reply"
# 1.14 ignores a RENDEZVOUS naming a peer it has not resolved yet, so the first introduction
# (sent while its WHOIS for b is in flight) is lost; the root introduces again after 30 s of
# relaying, as it would between two 1.14 nodes. Keep the traffic flowing until then.
for _ in $(seq 1 70); do
	weft_direct b "$tmp/1/b" "$addr_a" 198.18.2.2 && break
	net_exec b "$W" -D"$tmp/1/b" ping "$addr_a" 1 >/dev/null
	sleep 1
done
weft_direct b "$tmp/1/b" "$addr_a" 198.18.2.2 || t_fail "weft has no direct path"
net_wait 20 zt_direct a "$tmp/1/a" "$addr_b" 198.18.3.2 || t_fail "zerotier-one has no direct path"
net_exec b "$W" -D"$tmp/1/b" peers | sed 's/^/    /'
net_exec a "$ZT_ONE" -q -D"$tmp/1/a" peers | sed 's/^/    /'
net_cleanup
NET_NS=() NET_PIDS=()

t_case "part 2: weft nodes come online through a ZeroTier One root"
trio 2 "$ZT_ONE" "$D" "$D"
net_wait 20 weft_online a "$tmp/2/a" || t_fail "weft a not online"
net_wait 20 weft_online b "$tmp/2/b" || t_fail "weft b not online"
addr_b=$(cut -c1-10 "$tmp/2/b/identity.public")

t_case "part 2: through the ZeroTier One root, two weft nodes find each other and go direct"
net_exec a "$W" -D"$tmp/2/a" ping "$addr_b" 4 | grep -q '^reply from' || t_fail "no ECHO reply"
net_wait 30 weft_direct a "$tmp/2/a" "$addr_b" 198.18.3.2 || t_fail "no direct path"
net_exec a "$W" -D"$tmp/2/a" peers | sed 's/^/    /'

t_case "part 2: the ZeroTier One root lists both weft nodes with their version"
out=$(net_exec root "$ZT_ONE" -q -D"$tmp/2/root" listpeers)
echo "$out" | sed 's/^/    /'
for x in "$(cut -c1-10 "$tmp/2/a/identity.public")" "$addr_b"; do
	echo "$out" | grep -q "$x .* 1.14.1 LEAF" || t_fail "$x not listed as a 1.14.1 leaf"
done
net_cleanup
NET_NS=() NET_PIDS=()

# ctl METHOD PATH [BODY]: the weft controller's API (in the root namespace), body to stdout.
ctl() {
	local data=()
	[ $# -gt 2 ] && data=(--data-binary "$3")
	net_exec root curl -s --max-time 5 -X "$1" -H "X-ZT1-Auth: $(cat "$tmp/3/root/authtoken.secret")" \
		"${data[@]}" "http://127.0.0.1:9993$2"
}
# zt_net NS HOME NWID FIELD: one field of a ZeroTier One member's network, as JSON.
zt_net() {
	net_exec "$1" "$ZT_ONE" -q -D"$2" -j listnetworks 2>/dev/null | python3 -c '
import json, sys
for n in json.load(sys.stdin):
    if n["nwid"] == sys.argv[1]:
        print(json.dumps(n.get(sys.argv[2])))' "$3" "$4"
}
zt_status_ok() { [ "$(zt_net "$1" "$2" "$3" status)" = '"OK"' ]; }
zt_status_denied() { [ "$(zt_net "$1" "$2" "$3" status)" = '"ACCESS_DENIED"' ]; }

t_case "part 3: ZeroTier One members join a network run by a weft controller"
trio 3 "$D" "$ZT_ONE" "$ZT_ONE"
net_wait 20 zt_online a "$tmp/3/a" || t_fail "a not online"
net_wait 20 zt_online b "$tmp/3/b" || t_fail "b not online"
ctl_addr=$(cut -c1-10 "$tmp/3/root/identity.public")
nwid=$(ctl POST "/controller/network/${ctl_addr}______" '{"name":"interop",
  "private":true, "v4AssignMode":{"zt":true}, "v6AssignMode":{"rfc4193":true,"6plane":true},
  "ipAssignmentPools":[{"ipRangeStart":"10.147.17.1","ipRangeEnd":"10.147.17.254"}],
  "routes":[{"target":"10.147.17.0/24","via":null}],
  "rules":[{"type":"ACTION_ACCEPT"}]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ ${#nwid} -eq 16 ] || t_fail "network not created"
addr_a=$(cut -c1-10 "$tmp/3/a/identity.public")
addr_b=$(cut -c1-10 "$tmp/3/b/identity.public")
net_exec a "$ZT_ONE" -q -D"$tmp/3/a" join "$nwid" >/dev/null
net_exec b "$ZT_ONE" -q -D"$tmp/3/b" join "$nwid" >/dev/null
net_wait 20 zt_status_denied a "$tmp/3/a" "$nwid" || t_fail "a not refused before authorization"
for x in "$addr_a" "$addr_b"; do
	ctl POST "/controller/network/$nwid/member/$x" '{"authorized":true}' >/dev/null
done
# The member polls every 60 s while refused; the controller pushes at once on authorization
# only to members it has a config request from, so allow for one poll.
net_wait 75 zt_status_ok a "$tmp/3/a" "$nwid" || t_fail "a has no config"
net_wait 75 zt_status_ok b "$tmp/3/b" "$nwid" || t_fail "b has no config"
zt_net a "$tmp/3/a" "$nwid" assignedAddresses | sed 's/^/    a: /'

t_case "part 3: members get the addresses the reference would assign, and ping each other"
ip_a=$(ctl GET "/controller/network/$nwid/member/$addr_a" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["ipAssignments"][0])')
ip_b=$(ctl GET "/controller/network/$nwid/member/$addr_b" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["ipAssignments"][0])')
zt_net a "$tmp/3/a" "$nwid" assignedAddresses | grep -q "\"$ip_a/24\"" ||
	t_fail "a does not have $ip_a/24"
zt_net b "$tmp/3/b" "$nwid" assignedAddresses | grep -q "fd" || t_fail "b has no RFC4193 address"
net_wait 30 net_ping a "$ip_b" || t_fail "a cannot ping b at $ip_b"
net_wait 10 net_ping b "$ip_a" || t_fail "b cannot ping a at $ip_a"
ctl GET "/controller/network/$nwid/member/$addr_a" | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert m["online"] is True and m["version"] == "1.14.1", m' || t_fail "member not shown online"

t_case "part 3: deauthorizing a member cuts it off at once"
ctl POST "/controller/network/$nwid/member/$addr_b" '{"authorized":false}' >/dev/null
sleep 2
net_ping a "$ip_b" && t_fail "a still reaches b after b was deauthorized"
net_wait 75 zt_status_denied b "$tmp/3/b" "$nwid" || t_fail "b not told it is denied"
net_cleanup
NET_NS=() NET_PIDS=()

# mixed PART CTLNS: a ZeroTier One member in a and a weft member in b join a network made
# on the controller in CTLNS (root), are authorized, and ping each other on every address.
mixed() {
	local d="$tmp/$1" ctl_addr nw x ip_a4 ip_b4 ip_b6 ip_bp
	ctlapi() {
		local data=()
		[ $# -gt 2 ] && data=(--data-binary "$3")
		net_exec root curl -s --max-time 5 -X "$1" -H "X-ZT1-Auth: $(cat "$d/root/authtoken.secret")" \
			"${data[@]}" "http://127.0.0.1:9993$2"
	}
	ctl_addr=$(cut -c1-10 "$d/root/identity.public")
	nw=$(ctlapi POST "/controller/network/${ctl_addr}______" '{"name":"mixed","private":true,
	  "v4AssignMode":{"zt":true}, "v6AssignMode":{"rfc4193":true,"6plane":true},
	  "ipAssignmentPools":[{"ipRangeStart":"10.147.18.1","ipRangeEnd":"10.147.18.254"}],
	  "routes":[{"target":"10.147.18.0/24","via":null}]}' |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	[ ${#nw} -eq 16 ] || t_fail "network not created"
	# Each member's own CLI (word-split on purpose: "zerotier-one -q" or "weft").
	MA="$W" MB="$ZT_ONE -q"
	[ "$2" = weft-b ] && MA="$ZT_ONE -q" MB="$W"
	net_exec a $MA -D"$d/a" join "$nw" >/dev/null || t_fail "a cannot join"
	net_exec b $MB -D"$d/b" join "$nw" >/dev/null || t_fail "b cannot join"
	for x in a b; do
		ctlapi POST "/controller/network/$nw/member/$(cut -c1-10 "$d/$x/identity.public")" \
			'{"authorized":true}' >/dev/null
	done
	mixed_ip() { # NS TOOL FAMILY: an assigned address of the member in NS
		net_exec "$1" $2 -D"$d/$1" -j listnetworks 2>/dev/null | python3 -c '
import json, sys
for n in json.load(sys.stdin):
    for a in n.get("assignedAddresses", []):
        ip, bits = a.split("/")
        if (sys.argv[1] == "4" and ":" not in ip) or (sys.argv[1] == "6" and bits == "88") \
                or (sys.argv[1] == "p" and bits == "40"):
            print(ip); sys.exit(0)
sys.exit(1)' "$3"
	}
	net_wait 60 mixed_ip a "$MA" 4 || t_fail "a has no address"
	net_wait 60 mixed_ip b "$MB" 4 || t_fail "b has no address"
	ip_a4=$(mixed_ip a "$MA" 4) ip_b4=$(mixed_ip b "$MB" 4)
	ip_b6=$(mixed_ip b "$MB" 6) ip_bp=$(mixed_ip b "$MB" p)
	echo "    a $ip_a4, b $ip_b4 $ip_b6 $ip_bp"
	net_wait 30 net_ping a "$ip_b4" || t_fail "a cannot ping b at $ip_b4"
	net_wait 10 net_ping b "$ip_a4" || t_fail "b cannot ping a at $ip_a4"
	net_wait 20 net_ping a "$ip_b6" || t_fail "a cannot ping b at $ip_b6 (RFC4193)"
	net_wait 20 net_ping a "$ip_bp" || t_fail "a cannot ping b at $ip_bp (6PLANE)"
	# Bulk TCP both ways: weft's batched sends (fragment heads of several packets before their
	# tails, UDP GSO) and offloaded TAP must suit a ZeroTier One peer as they suit weft.
	local dir port=5201
	net_bg b "$tmp/iperf-$1.log" iperf3 -s -B "$ip_b4" -p $port
	net_wait 10 sh -c "ip netns exec $NET_PREFIX-b ss -ltn | grep -q ':$port '" ||
		t_fail "no iperf3 server"
	for dir in "" -R; do
		net_exec a timeout 60 iperf3 -c "$ip_b4" -p $port -n 30M $dir -J >"$tmp/bulk.json" \
			2>/dev/null || t_fail "iperf3 ${dir:+-R }failed"
		# received is read when the sender stops, so it may trail the 30 MiB sent a little
		python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; s=e["sum_sent"]["bytes"]; sys.exit(0 if s >= 30*2**20 and e["sum_received"]["bytes"] >= 0.9*s else 1)' \
			"$tmp/bulk.json" 2>/dev/null || t_fail "30 MB over TCP ${dir:+(reversed) }did not arrive"
	done
}

t_case "part 4: a ZeroTier One member and a weft member on a weft controller's network"
trio 4 "$D" "$ZT_ONE" "$D"
net_wait 20 zt_online a "$tmp/4/a" || t_fail "a not online"
net_wait 20 weft_online b "$tmp/4/b" || t_fail "b not online"
mixed 4 weft-b
net_cleanup
NET_NS=() NET_PIDS=()

t_case "part 5: a weft member and a ZeroTier One member on a ZeroTier One controller's network"
trio 5 "$ZT_ONE" "$D" "$ZT_ONE"
net_wait 20 weft_online a "$tmp/5/a" || t_fail "a not online"
net_wait 20 zt_online b "$tmp/5/b" || t_fail "b not online"
mixed 5 weft-a
t_done
