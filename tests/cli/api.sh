# SPDX-License-Identifier: MPL-2.0
# weftd's local HTTP API and the `weft` commands that use it, against a real weftd on loopback
# (service.md §1.2, §2.1-2.5, §3.2): tokens, access control, /status, /health, /peer, info,
# listpeers, peers, -j, error outputs, and a clean SIGTERM shutdown.
set -u
T_SUITE=cli/api
. "$(dirname "$0")/../lib/t.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
W="$B/weft" D="$B/weftd"
for x in "$W" "$D"; do [ -x "$x" ] || { echo "FAIL $T_SUITE: $x not built"; exit 1; }; done
for x in curl python3 timeout; do
	command -v $x >/dev/null || { echo "FAIL $T_SUITE: needs $x"; exit 1; }
done
tmp=$(mktemp -d)
home="$tmp/home"
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$home"
# A hand-written token with whitespace around it and a loose mode: weftd trims and locks it.
printf '  handmadetoken42\r\n' >"$home/authtoken.secret"
chmod 644 "$home/authtoken.secret"
tok=handmadetoken42

timeout 60 "$D" -U -p0 "$home" 2>"$tmp/weftd.log" &
pid=$!
for _ in $(seq 300); do [ -s "$home/zerotier-one.port" ] && break; sleep 0.1; done
port=$(cat "$home/zerotier-one.port" 2>/dev/null)
url="http://127.0.0.1:$port"
# GET path [curl args...]: prints "<status> <body>".
get() {
	local p=$1
	shift
	curl -s --max-time 5 -o "$tmp/body" -w '%{http_code}' "$@" "$url$p" >"$tmp/code" 2>/dev/null
	printf '%s %s' "$(cat "$tmp/code")" "$(cat "$tmp/body" 2>/dev/null)"
}
for _ in $(seq 100); do [ "$(get /health | cut -c1-3)" = 200 ] && break; sleep 0.1; done
# jq-free field access: json FIELD-EXPR < body
json() { python3 -c "import json,sys; v=json.load(sys.stdin); print(json.dumps($1))"; }

t_case "weftd starts and writes its files"
t_check "port file" test -n "$port"
t_check "weftd running" kill -0 "$pid"
t_eq "$(stat -c %a "$home/authtoken.secret")" "600" "authtoken.secret mode forced"
t_eq "$(stat -c %a "$home/metricstoken.secret")" "600" "metricstoken.secret mode"
t_check "metricstoken: 24 of [a-z0-9], no newline" \
	grep -qxE '[a-z0-9]{24}' "$home/metricstoken.secret"
t_eq "$(wc -c <"$home/metricstoken.secret" | tr -d ' ')" "24" "metricstoken length"

t_case "access control (§2.2)"
t_eq "$(get /status)" "401 {}" "no token"
t_eq "$(get /status -H 'X-ZT1-Auth: wrong')" "401 {}" "wrong header token"
t_eq "$(get /status -H "x-zt1-auth: $tok" | cut -c1-3)" "200" "header (any case), trimmed token"
t_eq "$(get "/status?auth=$tok" | cut -c1-3)" "200" "query token"
t_eq "$(get "/status?auth=$tok" -H 'X-ZT1-Auth: wrong' | cut -c1-3)" "401" \
	"wrong header wins over right query"
t_eq "$(get /status -H "Authorization: BEARER  $tok" | cut -c1-3)" "200" "bearer"
t_eq "$(get /nothere)" "401 {}" "unknown path without token is 401"
t_eq "$(get /health | cut -c1-3)" "200" "/health needs no token"
t_eq "$(get '/status?jsonp=cb')" "401 cb({});" "401 with jsonp"

t_case "GET /status fields (§2.5.1)"
get /status -H "X-ZT1-Auth: $tok" >/dev/null
st="$tmp/body"
t_eq "$(cat "$tmp/code")" "200" "status"
t_eq "$(json 'v["address"]' <"$st")" "\"$(cut -c1-10 "$home/identity.public")\"" "address"
t_eq "$(json 'v["publicIdentity"]' <"$st")" "\"$(cat "$home/identity.public")\"" "publicIdentity"
t_eq "$(json 'v["online"]' <"$st")" "false" "online without a planet"
t_eq "$(json 'v["version"]' <"$st")" '"1.14.1"' "version"
t_eq "$(json '[v[k] for k in ("versionMajor","versionMinor","versionRev","versionBuild")]' \
	<"$st")" "[1, 14, 1, 0]" "version numbers"
t_eq "$(json 'v["config"]["settings"]["primaryPort"]' <"$st")" "$port" "primaryPort"
t_eq "$(json 'v["config"]["settings"]["homeDir"]' <"$st")" "\"$home\"" "homeDir"
t_eq "$(json 'v["tcpFallbackActive"]' <"$st")" "false" "tcpFallbackActive"
t_check "compact, sorted keys" python3 -c '
import json,sys; t=open(sys.argv[1]).read()
assert t == json.dumps(json.loads(t), separators=(",",":"), sort_keys=True)' "$st"
h=$(curl -s --max-time 5 -D - -o /dev/null -H "X-ZT1-Auth: $tok" "$url/status")
t_check "Content-Type application/json" grep -qi '^content-type: application/json' <<<"$h"

t_case "GET /health (§2.5.2)"
t_eq "$(get /health | cut -d' ' -f2- | json 'sorted(v)')" \
	'["clock", "online", "version", "versionBuild", "versionMajor", "versionMinor", "versionRev"]' \
	"fields"

t_case "GET /peer and /peer/ADDR (§2.5.4)"
t_eq "$(get /peer -H "X-ZT1-Auth: $tok" | cut -d' ' -f2- | json 'type(v).__name__')" '"list"' \
	"array"
t_eq "$(get /peer/0000000001 -H "X-ZT1-Auth: $tok")" "200 {}" "unknown peer: 200 {}"
t_eq "$(get /peer/zzzzzzzzzz -H "X-ZT1-Auth: $tok")" "404 " "non-hex address: 404"
t_eq "$(get /peer/00000000011 -H "X-ZT1-Auth: $tok")" "404 " "11 digits: 404"

t_case "unknown routes and methods (§2.3)"
t_eq "$(get /nothere -H "X-ZT1-Auth: $tok")" "404 " "unknown path: 404, empty body"
t_eq "$(get /status/ -H "X-ZT1-Auth: $tok")" "404 " "trailing slash"
t_eq "$(get /status -X PATCH -H "X-ZT1-Auth: $tok")" "404 " "PATCH"
t_eq "$(get /status -X POST -d '{}' -H "X-ZT1-Auth: $tok")" "404 " "POST to a GET-only path"
t_eq "$(get '/status?jsonp=a(b' -H "X-ZT1-Auth: $tok" | cut -c1-3)" "400" "bad jsonp name"
head -c 1100000 /dev/zero | tr '\0' x >"$tmp/big"
t_eq "$(get /status -X POST --data-binary @"$tmp/big" -H "X-ZT1-Auth: $tok" | cut -c1-3)" \
	"413" "oversized body"

t_case "weft info (§3.2.4)"
addr=$(cut -c1-10 "$home/identity.public")
t_eq "$(timeout 20 "$W" -D"$home" info)" "200 info $addr 1.14.1 OFFLINE" "line"
t_eq "$(timeout 20 "$W" info -D"$home")" "200 info $addr 1.14.1 OFFLINE" "switch after command"
t_eq "$(timeout 20 "$W" -p"$port" -T"$tok" status)" "200 info $addr 1.14.1 OFFLINE" \
	"-p, -T and the status alias"
out=$(timeout 20 "$W" -D"$home" -j info)
t_eq "$(json 'v["address"]' <<<"$out")" "\"$addr\"" "-j parses"
t_check "-j: 1-space indentation" grep -qx ' "online": false,' <<<"$out"

t_case "weft listpeers and peers (§3.2.4)"
t_eq "$(timeout 20 "$W" -D"$home" listpeers)" \
	"200 listpeers <ztaddr> <path> <latency> <version> <role>" "listpeers header"
t_eq "$(timeout 20 "$W" -D"$home" peers)" "200 peers
<ztaddr>   <ver>  <role> <lat> <link>   <lastTX> <lastRX> <path>" "peers header"
t_eq "$(timeout 20 "$W" -D"$home" -j listpeers)" "[]" "-j listpeers"

t_case "CLI errors (§3.2.2, §3.2.3)"
out=$(timeout 20 "$W" -D"$home" -Twrong info)
t_eq "$?" "1" "wrong token: exit 1"
t_eq "$out" "401 info {}" "wrong token: output"
err=$(timeout 20 "$W" -D"$tmp/nowhere" info 2>&1 >/dev/null)
t_eq "$?" "2" "no port file: exit 2"
t_eq "$err" "$W: cannot find weftd's port: $tmp/nowhere/zerotier-one.port: No such file or directory (is weftd running with this home? -D<home> or -p<port> name another)" \
	"no port file: one line, where and why"
mkdir -p "$tmp/notoken" && echo "$port" >"$tmp/notoken/zerotier-one.port"
err=$(HOME="$tmp" timeout 20 "$W" -D"$tmp/notoken" info 2>&1 >/dev/null)
t_eq "$?" "2" "no token: exit 2"
t_eq "$err" "$W: cannot read the API token: $tmp/notoken/authtoken.secret: No such file or directory (try again as root, or give -T<token>)" \
	"no token: one line, where and why"
timeout 20 "$W" -D"$home" -p0 info >/dev/null
t_eq "$?" "1" "-p0: exit 1"
t_eq "$(timeout 20 "$W" -v)" "1.14.1" "-v"

t_case "SIGTERM: clean exit, pid file removed"
t_check "pid file while running" test -f "$home/zerotier-one.pid"
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
t_eq "$?" "0" "exit status"
pid=
t_check_not "pid file gone" test -e "$home/zerotier-one.pid"

t_case "service not running: one line saying where and why (§3.2.3)"
out=$(timeout 20 "$W" -D"$home" info)
t_eq "$?" "1" "exit status"
t_eq "$out" "Error connecting to weftd at 127.0.0.1:$port (port from $home/zerotier-one.port): Connection refused" \
	"message"

t_done
