# SPDX-License-Identifier: MPL-2.0
# The embedded controller's API against a real weftd on loopback (service.md §1.5, §2.6-2.9):
# every /controller endpoint, defaults, coercions, refusals that change nothing on disk,
# bulk lists with limit/offset, persistence across a restart, and corrupt documents left alone.
# No planet file is given, so weftd sends nothing off this machine.
set -u
T_SUITE=cli/controller_api
. "$(dirname "$0")/../lib/t.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
D="$B/weftd"
[ -x "$D" ] || { echo "FAIL $T_SUITE: $D not built"; exit 1; }
for x in curl python3 md5sum; do
	command -v $x >/dev/null || { echo "FAIL $T_SUITE: needs $x"; exit 1; }
done
. "$(dirname "$0")/../lib/weftd.sh"
weftd_setup /tmp/h11-weftd.log
cdir="$home/controller.d"
snap() { (cd "$home" && find controller.d -printf '%p %m\n' | sort && find controller.d -type f -exec md5sum {} + | sort); }
# refused CODE WHAT METHOD PATH [BODY]: answered CODE and controller.d is as it was.
refused() {
	local want=$1 what=$2
	shift 2
	local before
	before=$(snap)
	weftd_req "$@"
	t_eq "$code" "$want" "$what: status"
	t_eq "$(snap)" "$before" "$what: controller.d unchanged"
}

weftd_start
addr=$(curl -s -H "X-ZT1-Auth: $tok" "http://127.0.0.1:$port/status" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
N=/controller/network

t_case "GET /controller: hand-formatted presence document (§2.7.1)"
weftd_req GET /controller
t_eq "$code" 200 "status"
printf '%s\n' "$body" | python3 -c '
import re, sys
t = sys.stdin.read()
assert re.fullmatch(r"\{\n\t\"controller\": true,\n\t\"apiVersion\": 4,\n\t\"clock\": \d{13},\n\t\"databaseReady\": true\n\}\n", t), repr(t)
' || t_fail "body: $body"
t_check "controller.d is 0700" test "$(stat -c %a "$cdir")" = 700

t_case "tokens: 401 without one, as for every other path (§2.2)"
t_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$N")" 401 "no token"
t_eq "$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port$N?auth=$tok")" "[] 200" "?auth="
t_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	"http://127.0.0.1:$port$N")" 200 "bearer"

t_case "create with ADDR______: a fresh record with every default (§2.7.3, §2.8.1)"
weftd_req POST "$N/${addr}______" '{}'
t_eq "$code" 200 "status"
nw1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/body")
python3 - "$tmp/body" "$addr" <<'EOF' || t_fail "defaults: $body"
import json, re, sys
j = json.load(open(sys.argv[1]))
assert re.fullmatch(sys.argv[2] + "[0-9a-f]{6}", j["id"]) and j["nwid"] == j["id"], j
want = {"authTokens": [None], "authorizationEndpoint": "", "capabilities": [], "clientId": "",
        "dns": [], "enableBroadcast": True, "ipAssignmentPools": [], "mtu": 2800,
        "multicastLimit": 32, "name": "", "objtype": "network", "private": True,
        "remoteTraceLevel": 0, "remoteTraceTarget": None, "revision": 1, "routes": [],
        "rules": [{"not": False, "or": False, "type": "ACTION_ACCEPT"}], "rulesSource": "",
        "ssoEnabled": False, "tags": [], "v4AssignMode": {"zt": False},
        "v6AssignMode": {"6plane": False, "rfc4193": False, "zt": False}}
for k, v in want.items():
    assert j[k] == v and type(j[k]) is type(v), (k, j[k])
assert isinstance(j["creationTime"], int) and j["creationTime"] > 1600000000000
assert set(j) == set(want) | {"id", "nwid", "creationTime"}, sorted(j)
EOF
f="$cdir/network/$nw1.json"
t_check "file written" test -f "$f"
t_eq "$(stat -c %a "$f")" 644 "file mode"
t_eq "$(cat "$f")" "$body" "file: compact, sorted keys, no newline, same as the answer"
t_eq "$(tail -c1 "$f" | od -An -c | tr -d ' ')" "}" "no trailing newline"

t_case "create with ADDR______ of another address, or in upper case: 400, no body"
refused 400 "other address" POST "$N/0000000001______" '{}'
t_eq "$body" "" "empty body"
upper=$(echo "$addr" | tr a-f A-F)
if [ "$upper" != "$addr" ]; then refused 400 "upper case" POST "$N/${upper}______" '{}'; fi

t_case "POST /controller/network: random ID under this address"
weftd_req POST "$N" '{"name":"r"}'
t_eq "$code" 200 "status"
weftd_jcheck "ID and name" "j['id'].startswith('$addr') and j['name'] == 'r' and j['revision'] == 1"

t_case "create by ID, then update with coercions (§2.8.2)"
nw=${addr}000001
weftd_req POST "$N/$nw" '{}'
t_eq "$code" 200 "create"
weftd_jcheck "created" "j['id'] == '$nw' and j['revision'] == 1"
weftd_req PUT "$N/$nw" '{"name":5,"multicastLimit":"7","private":"false","enableBroadcast":0,
	"mtu":100,"remoteTraceTarget":"abc","remoteTraceLevel":"3","bogus":{"x":1},
	"rulesSource":"x","ssoEnabled":true,"creationTime":1,"revision":99,"id":"ffffffffffffffff",
	"v4AssignMode":"zt","v6AssignMode":{"zt":true},
	"routes":[{"target":"10.2.0.0/16","via":"10.2.0.1"},{"target":"10.2.0.1/33"},"bogus",
		{"target":"fd00::/8","via":"10.0.0.1"}],
	"ipAssignmentPools":[{"ipRangeStart":"10.2.0.10","ipRangeEnd":"10.2.0.250"},
		{"ipRangeStart":"10.2.0.10","ipRangeEnd":"fd00::1"}],
	"tags":[{"id":"9"},{"id":5,"default":3},{"id":5,"default":4}],
	"capabilities":[{"id":1000,"default":"true","rules":[{"type":"ACTION_ACCEPT","not":true}]}],
	"authTokens":{"abc":0,"def":-1,"ghi":"x"},"dns":{"domain":"a.b","servers":["1.2.3.4",5]},
	"rules":[{"type":"ACTION_TEE","address":"beefbeef01","length":-1,"not":false},
		{"type":"ACTION_REDIRECT","address":"feedfeed01"},
		{"type":"MATCH_ETHERTYPE","etherType":2048,"not":true},{"type":"MATCH_NOPE"},
		{"type":"ACTION_DROP","or":false}]}'
t_eq "$code" 200 "update status"
python3 - "$tmp/body" "$nw" <<'EOF' || t_fail "coerced record: $body"
import json, sys
j = json.load(open(sys.argv[1]))
exp = {"name": "5", "multicastLimit": 7, "private": False, "enableBroadcast": False,
       "mtu": 1280, "remoteTraceTarget": None, "remoteTraceLevel": 3, "revision": 2,
       "id": sys.argv[2], "nwid": sys.argv[2], "rulesSource": "", "ssoEnabled": False,
       "v4AssignMode": {"zt": True}, "v6AssignMode": {"zt": True},
       "routes": [{"target": "10.2.0.0/16", "via": "10.2.0.1"}, {"target": "fd00::/8", "via": None}],
       "ipAssignmentPools": [{"ipRangeStart": "10.2.0.10", "ipRangeEnd": "10.2.0.250"}],
       "tags": [{"default": 4, "id": 5}, {"default": None, "id": 9}],
       "capabilities": [{"default": True, "id": 1000, "rules": [{"type": "ACTION_ACCEPT"}]}],
       "authTokens": {"abc": 0}, "dns": {"domain": "a.b", "servers": ["1.2.3.4", 5]},
       "rules": [{"address": "beefbeef01", "flags": 0, "length": 65535, "type": "ACTION_TEE"},
                 {"address": "feedfeed01", "flags": 0, "type": "ACTION_REDIRECT"},
                 {"etherType": 2048, "not": True, "or": False, "type": "MATCH_ETHERTYPE"},
                 {"type": "ACTION_DROP"}]}
for k, v in exp.items():
    assert j[k] == v and type(j[k]) is type(v), (k, j[k], v)
assert "bogus" not in j and j["creationTime"] != 1
EOF
t_eq "$(cat "$cdir/network/$nw.json")" "$body" "file holds the update"
weftd_req POST "$N/$nw" '{"mtu":"20000","v6AssignMode":"rfc4193,6plane","v4AssignMode":{"zt":"1"}}'
weftd_jcheck "mtu clamped, v6 from a list" "j['mtu'] == 10000 and j['v6AssignMode'] == \
{'6plane': True, 'rfc4193': True, 'zt': False} and j['v4AssignMode'] == {'zt': True} and j['revision'] == 3"

t_case "an update that changes nothing keeps the revision and the file"
before=$(snap)
weftd_req POST "$N/$nw" '{"mtu":10000,"unknown":1}'
t_eq "$code" 200 "status"
weftd_jcheck "revision kept" "j['revision'] == 3"
t_eq "$(snap)" "$before" "controller.d unchanged"

t_case "values that cannot be coerced: 400 naming the field, nothing applied"
for b in 'mtu:{"mtu":[1]}' 'private:{"name":"applied?","private":null}' \
	'multicastLimit:{"multicastLimit":"abc"}' 'name:{"name":{}}' \
	'routes:{"routes":{"target":"10.0.0.0/8"}}' 'tags[0].id:{"tags":[{"id":"x"}]}' \
	'v4AssignMode:{"v4AssignMode":7}' 'rules:{"rules":"accept"}' \
	'capabilities[0].rules:{"capabilities":[{"id":1,"rules":5}]}'; do
	field=${b%%:*}
	refused 400 "$field" POST "$N/$nw" "${b#*:}"
	weftd_jcheck "$field named" "j['error'] == 400 and j['description'].startswith('$field:')"
done
weftd_req GET "$N/$nw"
weftd_jcheck "nothing applied" "j['name'] == '5' and j['revision'] == 3"

t_case "broken JSON, an empty body, a body over 1 MiB: refused, nothing written"
refused 400 "broken JSON" POST "$N/$nw" '{"name":'
weftd_jcheck "JSON error" "j['error'] == 400"
refused 400 "not an object" POST "$N/$nw" '[1]'
refused 400 "empty body" POST "$N/${addr}000002"
refused 400 "broken JSON on create" POST "$N/${addr}000003" 'nope'
python3 -c 'print("{\"name\":\"" + "x" * (1024 * 1024) + "\"}")' >"$tmp/big"
before=$(snap)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-ZT1-Auth: $tok" --data-binary @"$tmp/big" \
	"http://127.0.0.1:$port$N/$nw")
t_eq "$code" 413 "1 MiB body"
t_eq "$(snap)" "$before" "413: controller.d unchanged"

t_case "malformed IDs and unknown networks: 404, no body"
for p in "$N/123" "$N/${nw}0" "$N/${addr}00000g" "$N/$nw/member/012345678" \
	"$N/$nw/member/01234567890" "$N/${addr}_____" "$N/$nw/members"; do
	refused 404 "$p" GET "$p"
	refused 404 "POST $p" POST "$p" '{}'
done
refused 404 "GET unknown network" GET "$N/${addr}0000ff"
t_eq "$body$ctype" "" "no body, no Content-Type"
refused 404 "member list of unknown network" GET "$N/${addr}0000ff/member"
refused 404 "member create on unknown network" POST "$N/${addr}0000ff/member/0123456789" '{}'
refused 404 "DELETE unknown network" DELETE "$N/${addr}0000ff"
refused 404 "bulk members of unknown network" GET "/unstable$N/${addr}0000ff/member"
refused 404 "PATCH" PATCH "$N/$nw" '{}'

t_case "members: create with every writable key, defaults, coercions (§2.9)"
weftd_req POST "$N/$nw/member/0123456789" '{"authorized":true,"ipAssignments":["10.147.20.5",
	"fd00::1/64","bogus"],"name":"m1","tags":[[1000,200],[5,1],[1,2],[1,3],5],
	"capabilities":[1000,"1000",7],"activeBridge":"false","noAutoAssignIps":1,"bogus":1,
	"ssoExempt":true,"vMajor":3,"identity":"x","authenticationURL":"http://x",
	"remoteTraceTarget":"0123456789","authenticationExpiryTime":"5"}'
t_eq "$code" 200 "status"
python3 - "$tmp/body" "$nw" <<'EOF' || t_fail "member: $body"
import json, sys
j = json.load(open(sys.argv[1]))
exp = {"activeBridge": False, "address": "0123456789", "authenticationExpiryTime": 5,
       "authorized": True, "capabilities": [7, 1000], "id": "0123456789",
       "ipAssignments": ["10.147.20.5", "fd00::1"], "lastAuthorizedCredential": None,
       "lastAuthorizedCredentialType": "api", "lastDeauthorizedTime": 0, "name": "m1",
       "noAutoAssignIps": True, "nwid": sys.argv[2], "objtype": "member",
       "remoteTraceLevel": 0, "remoteTraceTarget": "0123456789", "revision": 1,
       "ssoExempt": False, "tags": [[1, 3], [5, 1], [1000, 200]], "vMajor": -1,
       "vMinor": -1, "vProto": -1, "vRev": -1,
       # observed, not stored: this member never asked for a config
       "online": False, "lastSeen": 0, "physicalAddress": None, "version": None}
for k, v in exp.items():
    assert j[k] == v and type(j[k]) is type(v), (k, j[k], v)
assert j["lastAuthorizedTime"] == j["creationTime"] > 0
assert set(j) == set(exp) | {"creationTime", "lastAuthorizedTime"}, sorted(j)
EOF
stored=$(python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
for k in ("online", "lastSeen", "physicalAddress", "version"):
    j.pop(k)
print(json.dumps(j, sort_keys=True, separators=(",", ":")))' "$tmp/body")
t_eq "$(cat "$cdir/network/$nw/member/0123456789.json")" "$stored" \
	"member file: the document less what is observed"
weftd_req POST "$N/$nw/member/ABCDEF0123" '{}'
weftd_jcheck "upper-case ADDR stored lower-case, defaults" "j['id'] == 'abcdef0123' and \
j['address'] == 'abcdef0123' and j['authorized'] is False and j['lastAuthorizedCredentialType'] is None \
and j['ipAssignments'] == [] and 'name' not in j and j['revision'] == 1"
t_check "member file lower-case" test -f "$cdir/network/$nw/member/abcdef0123.json"
weftd_req POST "$N/$nw/member/0123456789" '{"authorized":"false"}'
weftd_jcheck "deauthorized" "j['authorized'] is False and j['lastDeauthorizedTime'] > 0 and j['revision'] == 2"
for b in 'ipAssignments[1]:{"ipAssignments":["10.0.0.1",2]}' \
	'capabilities[0]:{"capabilities":["x"]}' 'authorized:{"authorized":[true]}' \
	'tags[0]:{"tags":[["a",1]]}' 'ipAssignments:{"ipAssignments":"10.0.0.1"}'; do
	field=${b%%:*}
	refused 400 "$field" POST "$N/$nw/member/0123456789" "${b#*:}"
	weftd_jcheck "$field named" "j['description'].startswith('$field:')"
done
weftd_req GET "$N/$nw/member/0123456789"
weftd_jcheck "GET member" "j['revision'] == 2 and j['name'] == 'm1'"
weftd_req GET "$N/$nw/member"
t_eq "$code $body" '200 {"0123456789":2,"abcdef0123":1}' "member list {address: revision}"
refused 404 "unknown member" GET "$N/$nw/member/00000000aa"

t_case "GET /controller/network lists every network, ascending"
weftd_req POST "$N/${addr}000009" '{"private":false}'
weftd_req GET "$N"
weftd_jcheck "list" "j == sorted(j) and len(j) == 4 and '$nw' in j and '$nw1' in j and \
all(isinstance(x, str) and len(x) == 16 for x in j)"
all=$body

t_case "bulk lists with counts, limit and offset"
weftd_req GET "/unstable$N"
weftd_jcheck "all networks" "j['meta'] == {'networkCount': 4} and [n['id'] for n in j['data']] == $all"
weftd_jcheck "member counts" "[n['meta'] for n in j['data'] if n['id'] == '$nw'] == \
[{'authorizedMemberCount': 0, 'totalMemberCount': 2}]"
weftd_req GET "/unstable$N?offset=1&limit=2"
weftd_jcheck "window" "[n['id'] for n in j['data']] == $all[1:3] and j['meta']['networkCount'] == 4"
weftd_req GET "/unstable$N?offset=9"
weftd_jcheck "past the end" "j['data'] == [] and j['meta']['networkCount'] == 4"
weftd_req GET "/unstable$N?limit=0"
weftd_jcheck "limit 0" "j['data'] == []"
refused 400 "bad limit" GET "/unstable$N?limit=x"
weftd_jcheck "limit named" "j['description'].startswith('limit:')"
refused 400 "bad offset" GET "/unstable$N?offset=-1"
weftd_req POST "$N/$nw/member/0123456789" '{"authorized":1}'
weftd_req GET "/unstable$N/$nw/member?limit=1"
weftd_jcheck "members window" "[m['id'] for m in j['data']] == ['0123456789'] and \
j['meta'] == {'authorizedCount': 1, 'totalCount': 2} and j['data'][0]['authorized'] is True"
weftd_req GET "/unstable$N/$nw/member?offset=1"
weftd_jcheck "members offset" "[m['id'] for m in j['data']] == ['abcdef0123']"

t_case "deletes return the record as it was and remove its files"
weftd_req DELETE "$N/$nw/member/abcdef0123"
weftd_jcheck "deleted member" "j['id'] == 'abcdef0123' and j['revision'] == 1"
t_check "member file gone" test ! -e "$cdir/network/$nw/member/abcdef0123.json"
refused 404 "again" DELETE "$N/$nw/member/abcdef0123"
weftd_req GET "$N/$nw/member"
t_eq "$body" '{"0123456789":3}' "member list after delete"
weftd_req DELETE "$N/${addr}000009"
weftd_jcheck "deleted network" "j['id'] == '${addr}000009' and j['private'] is False"
t_check "network file gone" test ! -e "$cdir/network/${addr}000009.json"
refused 404 "deleted network" GET "$N/${addr}000009"

t_case "records survive a restart"
weftd_req GET "/unstable$N"
nets_before=$body
weftd_req GET "/unstable$N/$nw/member"
members_before=$body
weftd_stop
weftd_start
weftd_req GET "/unstable$N"
t_eq "$body" "$nets_before" "networks"
weftd_req GET "/unstable$N/$nw/member"
t_eq "$body" "$members_before" "members"
weftd_req POST "$N/$nw" '{"name":"again"}'
weftd_jcheck "revision continues" "j['revision'] == 4"

t_case "corrupt documents: reported by path, skipped, never overwritten or removed"
bad="$cdir/network/${addr}0000cc.json"
badm="$cdir/network/$nw/member/00000000bb.json"
printf '{"id":"%s0000cc", broken' "$addr" >"$bad"
printf '{"id":"short"}' >"$badm"
weftd_stop
weftd_start
t_check "network file named in the log" grep -q "$bad" "$tmp/weftd.log"
t_check "member file named in the log" grep -q "$badm" "$tmp/weftd.log"
sum=$(md5sum "$bad" "$badm")
refused 404 "corrupt network not loaded" GET "$N/${addr}0000cc"
refused 409 "PUT over a corrupt network" PUT "$N/${addr}0000cc" '{}'
weftd_jcheck "names the file" "'$bad' in j['description'] and j['error'] == 409"
refused 409 "POST over a corrupt member" POST "$N/$nw/member/00000000bb" '{}'
weftd_jcheck "names the file" "'$badm' in j['description']"
weftd_req GET "$N/$nw/member"
t_eq "$body" '{"0123456789":3}' "corrupt member not listed"
weftd_req DELETE "$N/$nw"
t_eq "$code" 200 "network with a corrupt member deleted"
t_check "its member file gone" test ! -e "$cdir/network/$nw/member/0123456789.json"
t_check "network file gone" test ! -e "$cdir/network/$nw.json"
t_eq "$(md5sum "$bad" "$badm")" "$sum" "corrupt files byte for byte the same"
weftd_stop
weftd_start
t_eq "$(md5sum "$bad" "$badm")" "$sum" "and after another start"
weftd_req GET "$N"
weftd_jcheck "still skipped" "'${addr}0000cc' not in j and '$nw' not in j"

t_case "rulesSource without rules is compiled and stored with its output (weft extension)"
rn="${addr}0000a1"
src='tag department id 100 default 0;\ncap smb\n  id 1\n  accept ipprotocol tcp and dport 445;\n;\ndrop not ethertype ipv4 and not ethertype arp;\naccept;'
weftd_req POST "$N/$rn" "{\"rulesSource\":\"$src\"}"
t_eq "$code" 200 "status"
weftd_jcheck "compiled" "j['rules'][-1]['type'] == 'ACTION_ACCEPT' and \
j['rules'][0]['type'] == 'MATCH_ETHERTYPE' and j['capabilities'][0]['id'] == 1 and \
j['tags'][0]['id'] == 100 and j['rulesSource'].startswith('tag department')"
refused 400 "a compile error" POST "$N/$rn" '{"rulesSource":"accept;\ndrop bogus;"}'
weftd_jcheck "file:line:col" "j['error'] == 400 and j['description'].startswith('rulesSource:2:')"
weftd_req POST "$N/$rn" '{"rulesSource":"drop;","rules":[{"type":"ACTION_ACCEPT"}]}'
weftd_jcheck "rules sent with source win, as with ZeroTier" \
	"j['rules'] == [{'type': 'ACTION_ACCEPT'}] and j['rulesSource'].startswith('tag department')"
weftd_stop
t_done
