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
set -u
T_SUITE=net/interop
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/t.sh"
. "$here/lib.sh"
if [ -z "${ZT_ONE:-}" ] || [ ! -x "${ZT_ONE:-}" ]; then
	t_skip_all "ZT_ONE does not name a zerotier-one 1.14 binary; interop with the reference not run" 5
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

t_case "part 1: a ZeroTier One node comes online through a weft root"
net_two_nats || t_fail "topology"
mkdir -p "$tmp/1/root" "$tmp/1/a" "$tmp/1/b"
"$W" idtool generate "$tmp/1/root/identity.secret" "$tmp/1/root/identity.public" >/dev/null
net_planet "$W" "$tmp/1/root" "$tmp/1/a" "$tmp/1/b" || t_fail "planet"
net_bg root "$tmp/1/root.log" "$D" -U -p9993 "$tmp/1/root"
net_bg a "$tmp/1/a.log" "$ZT_ONE" -U -p9993 "$tmp/1/a"
net_bg b "$tmp/1/b.log" "$D" -U -p9993 "$tmp/1/b"
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
net_two_nats || t_fail "topology"
mkdir -p "$tmp/2/root" "$tmp/2/a" "$tmp/2/b"
net_exec root "$ZT_ONE" -i generate "$tmp/2/root/identity.secret" "$tmp/2/root/identity.public" \
	>/dev/null || t_fail "zerotier-idtool generate"
net_planet "$W" "$tmp/2/root" "$tmp/2/a" "$tmp/2/b" || t_fail "planet"
net_bg root "$tmp/2/root.log" "$ZT_ONE" -U -p9993 "$tmp/2/root"
net_bg a "$tmp/2/a.log" "$D" -U -p9993 "$tmp/2/a"
net_bg b "$tmp/2/b.log" "$D" -U -p9993 "$tmp/2/b"
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
t_done
