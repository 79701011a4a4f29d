# SPDX-License-Identifier: MPL-2.0
# Joining networks through weftd's API and the CLI (service.md §1.4, §2.5.3, §3.2.4, §6.6): a
# network whose controller cannot be reached stays REQUESTING_CONFIGURATION with its networks.d
# files; the network object's every field and type; settings written to NWID.local.conf; leave;
# re-join at start; bad IDs. As root with /dev/net/tun, a network of this node's own controller
# gets its TAP, managed address and routes, and loses them on leave.
# No planet file is given, so weftd sends nothing off this machine.
set -u
T_SUITE=cli/network_api
. "$(dirname "$0")/../lib/t.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
D="$B/weftd"
W="$B/weft"
[ -x "$D" ] && [ -x "$W" ] || { echo "FAIL $T_SUITE: $D or $W not built"; exit 1; }
for x in curl python3; do
	command -v $x >/dev/null || { echo "FAIL $T_SUITE: needs $x"; exit 1; }
done
. "$(dirname "$0")/../lib/weftd.sh"
weftd_setup /tmp/network_api-weftd.log
nd="$home/networks.d"
skipped=0
cli() { "$W" -D"$home" "$@"; }
LOCAL_DEFAULT='allowManaged=1
allowGlobal=0
allowDefault=0
allowDNS=0'

NW=8056c2e21c000001 # its controller 8056c2e21c is nowhere to be found
weftd_start

t_case "join: 200 join OK; REQUESTING_CONFIGURATION; NWID.conf is \"\\n\" (§1.4, §3.2.4)"
out=$(cli join $NW)
t_eq "$?:$out" "0:200 join OK" "cli"
t_eq "$(od -An -c "$nd/$NW.conf" | tr -d ' ')" '\n' "NWID.conf"
t_eq "$(cat "$nd/$NW.local.conf")" "$LOCAL_DEFAULT" "NWID.local.conf"
t_eq "$(tail -c1 "$nd/$NW.local.conf" | od -An -c | tr -d ' ')" '\n' "local.conf ends in a newline"

t_case "GET /network: every field of the network object, with its type (§2.5.3)"
weftd_req GET /network
t_eq "$code" 200 "status"
python3 - "$tmp/body" "$NW" <<'EOF' || t_fail "object: $body"
import json, re, sys
a = json.load(open(sys.argv[1]))
assert isinstance(a, list) and len(a) == 1, a
j = a[0]
want = {"allowDNS": False, "allowDefault": False, "allowGlobal": False, "allowManaged": True,
        "assignedAddresses": [], "bridge": False, "broadcastEnabled": False, "dhcp": False,
        "dns": {"domain": "", "servers": []}, "id": sys.argv[2], "mtu": 2800,
        "multicastSubscriptions": [], "name": "", "netconfRevision": 0, "nwid": sys.argv[2],
        "portDeviceName": "ztmjfmfyq5", "portError": 0, "routes": [],
        "status": "REQUESTING_CONFIGURATION", "type": "PRIVATE"}
for k, v in want.items():
    assert j[k] == v and type(j[k]) is type(v), (k, j[k])
# §5.2: first octet from the NWID's low byte, then the node address XORed with NWID bytes.
assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", j["mac"]), j["mac"]
assert set(j) == set(want) | {"mac"}, sorted(j)
EOF
weftd_req GET /network/$NW
t_eq "$code" 200 "GET /network/NWID"
weftd_jcheck "same object" "j['id'] == '$NW' and j['status'] == 'REQUESTING_CONFIGURATION'"
weftd_req GET /network/$(echo $NW | tr a-f A-F)
t_eq "$code" 200 "upper-case NWID in the path"

t_case "GET /network/NWID of a network not joined: 404 {}"
weftd_req GET /network/1122334455667788
t_eq "$code:$body" "404:{}" "answer"

t_case "listnetworks: header, empty name as two spaces, '-' for no addresses (§3.2.4)"
weftd_req GET /network/$NW
mac=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mac"])' "$tmp/body")
out=$(cli listnetworks)
t_eq "$?" 0 "exit"
t_eq "$out" "200 listnetworks <nwid> <name> <mac> <status> <type> <dev> <ZT assigned ips>
200 listnetworks $NW  $mac REQUESTING_CONFIGURATION PRIVATE ztmjfmfyq5 -" "lines"
out=$(cli -j listnetworks)
printf '%s\n' "$out" | python3 -c '
import json, sys
t = sys.stdin.read()
j = json.loads(t)
assert t == json.dumps(j, indent=1, sort_keys=True, separators=(",", ": ")) + "\n", t
' || t_fail "-j: $out"

t_case "POST /network/NWID: booleans applied, others ignored, local.conf rewritten (§2.5.3)"
weftd_req POST /network/$NW '{"allowGlobal":true,"allowDNS":1,"allowDefault":"yes","x":true}'
t_eq "$code" 200 "status"
weftd_jcheck "settings" "j['allowGlobal'] is True and j['allowDNS'] is False and j['allowDefault'] is False and j['allowManaged'] is True"
t_eq "$(cat "$nd/$NW.local.conf")" "allowManaged=1
allowGlobal=1
allowDefault=0
allowDNS=0" "local.conf"
weftd_req PUT /network/$NW 'not json'
t_eq "$code" 400 "unparsable body refused (the reference ignores it)"
weftd_req GET /network/$NW
weftd_jcheck "unchanged" "j['allowGlobal'] is True"
out=$(cli -j join $NW)
t_eq "$?" 0 "join again"
printf '%s' "$out" | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["allowGlobal"] is True' ||
	t_fail "-j join: the object, raw: $out"

t_case "restart: networks.d/NWID.conf joined again, settings read back (§1.3 step 9)"
echo "$NW=zzzzzzzzzzzzzzzzzzzz" >"$home/devicemap" # too long a name: the computed one stays
weftd_stop
weftd_start
weftd_req GET /network
weftd_jcheck "rejoined" "len(j) == 1 and j[0]['id'] == '$NW' and j[0]['allowGlobal'] is True and j[0]['portDeviceName'] == 'ztmjfmfyq5'"
t_eq "$(od -An -c "$nd/$NW.conf" | tr -d ' ')" '\n' "NWID.conf kept"
rm -f "$home/devicemap"

t_case "leave: 200 leave OK, files and network gone; again: {} (§2.5.3, §3.2.4)"
out=$(cli leave $NW)
t_eq "$?:$out" "0:200 leave OK" "cli"
t_check "NWID.conf removed" test ! -e "$nd/$NW.conf"
t_check "NWID.local.conf removed" test ! -e "$nd/$NW.local.conf"
weftd_req GET /network
t_eq "$body" "[]" "list"
out=$(cli -j leave $NW)
t_eq "$?:$out" "0:{}" "leave again"
weftd_req DELETE /network/$NW
t_eq "$code:$body" "200:{}" "DELETE not joined"
weftd_stop
weftd_start
weftd_req GET /network
t_eq "$body" "[]" "not rejoined after a restart"

t_case "bad network IDs: CLI exit 2, API 4xx, nothing joined"
out=$(cli join 123)
t_eq "$?:$out" "2:invalid network id" "short"
out=$(cli leave 8056c2e21c0000011)
t_eq "$?:$out" "2:invalid network id" "long"
out=$(cli join zzzzzzzzzzzzzzzz)
t_eq "$?:$out" "1:404 join " "not hex: the API's 404"
for p in /network/123 /network/zzzzzzzzzzzzzzzz /network/8056c2e21c0000011; do
	weftd_req POST "$p" '{}'
	case $code in 4??) ;; *) t_fail "POST $p: $code" ;; esac
done
weftd_req GET /network
t_eq "$body" "[]" "nothing joined"
t_check "no NWID.conf written" test -z "$(ls "$nd" 2>/dev/null)"

t_case "own controller's network: TAP, managed address and routes; leave removes them (§5)"
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v ip >/dev/null; then
	echo "NOT COVERED $T_SUITE: TAP port (needs root, /dev/net/tun and ip)"
	skipped=1
	T_CUR=""
else
	addr=$(curl -s -H "X-ZT1-Auth: $tok" "http://127.0.0.1:$port/status" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
	weftd_req POST "/controller/network/${addr}______" '{"name":"t1","v4AssignMode":{"zt":true},
	  "ipAssignmentPools":[{"ipRangeStart":"10.251.7.10","ipRangeEnd":"10.251.7.10"}],
	  "routes":[{"target":"10.251.7.0/24"},{"target":"10.251.8.0/24","via":"10.251.7.1"},
	            {"target":"0.0.0.0/0","via":"10.251.7.1"}]}'
	own=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/body")
	cli join "$own" >/dev/null
	weftd_req POST "/controller/network/$own/member/$addr" '{"authorized":true}'
	for _ in $(seq 100); do
		weftd_req GET "/network/$own"
		python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["status"] != "OK")' \
			"$tmp/body" 2>/dev/null && break
		sleep 0.1
	done
	weftd_jcheck "configured" "j['status'] == 'OK' and j['name'] == 't1' and j['assignedAddresses'] == ['10.251.7.10/24'] and j['netconfRevision'] > 0 and j['routes'][1] == {'flags': 0, 'metric': 0, 'target': '10.251.8.0/24', 'via': '10.251.7.1'} and j['routes'][0]['via'] is None"
	dev=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["portDeviceName"])' "$tmp/body")
	mac=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mac"])' "$tmp/body")
	t_check "device up with the MAC" sh -c "ip link show '$dev' | grep -q 'link/ether $mac'"
	t_check "managed address" sh -c "ip -4 addr show dev '$dev' | grep -q 'inet 10.251.7.10/24'"
	t_check "gateway route, metric 5000" sh -c \
		"ip route show dev '$dev' | grep -q '10.251.8.0/24 via 10.251.7.1 proto static metric 5000'"
	t_check "no default halves without allowDefault" sh -c "! ip route show dev '$dev' | grep -q '0.0.0.0/1'"
	t_check "no duplicate connected route" test "$(ip route show dev "$dev" | grep -c '^10.251.7.0/24')" = 1
	out=$(cli listnetworks | tail -n1)
	t_eq "$out" "200 listnetworks $own t1 $mac OK PRIVATE $dev 10.251.7.10/24" "listnetworks"
	weftd_req POST "/network/$own" '{"allowManaged":false}'
	t_check "allowManaged off removes the address" sh -c "! ip -4 addr show dev '$dev' | grep -q 10.251.7.10"
	weftd_req POST "/network/$own" '{"allowManaged":true}'
	t_check "and on adds it back" sh -c "ip -4 addr show dev '$dev' | grep -q 10.251.7.10"
	cli leave "$own" >/dev/null
	t_check "device gone on leave" sh -c "! ip link show '$dev' 2>/dev/null"
	t_check "gateway route gone" sh -c "! ip route | grep -q 10.251.8.0/24"
fi
weftd_stop

t_close
echo "T-RESULT $T_SUITE $T_PASSED $T_FAILED $skipped"
[ "$T_FAILED" -eq 0 ]
