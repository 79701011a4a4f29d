# SPDX-License-Identifier: MPL-2.0
# local.conf and the endpoints around it, against a real weftd on loopback (service.md §2.5,
# §4): every /status field with its type; /config; /config/settings merging and writing the
# file (400 and nothing written for a bad body or a bad setting); a bad local.conf stops the
# start naming the setting and is left as it was; a bad edit while running is reported and the
# settings in use kept; primaryPort, allowSecondaryPort and controllerDbPath honoured;
# /metrics with either token; /bond answers of a node without bonds; /app only with
# enableWebServer; non-JSON bodies on node endpoints get 400 and change nothing.
set -u
T_SUITE=cli/api_config
. "$(dirname "$0")/../lib/t.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
D="$B/weftd"
W="$B/weft"
[ -x "$D" ] && [ -x "$W" ] || { echo "FAIL $T_SUITE: $D or $W not built"; exit 1; }
for x in curl python3; do
	command -v $x >/dev/null || { echo "FAIL $T_SUITE: needs $x"; exit 1; }
done
. "$(dirname "$0")/../lib/weftd.sh"
weftd_setup /tmp/api_config-weftd.log
mkdir -p "$home"

# A free TCP+UDP port for the primaryPort case, picked by the OS.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

t_case "a bad local.conf stops the start, names the setting, and is left as it was (§4)"
for bad in '{"settings":{"primaryPort":"9993"}}=settings.primaryPort' \
	'{"settings":{"allowManagementFrom":["10.0.0.0/33"]}}=settings.allowManagementFrom[0]' \
	'{"physical":{"10.0.0.0/24":{"mtu":50}}}=physical["10.0.0.0/24"].mtu' \
	'{"settings":{"forceTcpRelay":true}}=settings.forceTcpRelay' \
	'{"settings":{"defaultBondingPolicy":"active-backup"}}=settings.defaultBondingPolicy' \
	'[1,2]=top level' '{"settings":=line 1'; do
	text=${bad%=*} want=${bad##*=}
	printf '%s' "$text" >"$home/local.conf"
	"$D" -U -p0 "$home" >"$tmp/out" 2>&1 &
	p=$!
	for _ in $(seq 100); do kill -0 $p 2>/dev/null || break; sleep 0.05; done
	if kill -0 $p 2>/dev/null; then
		kill -KILL $p
		t_fail "weftd started with $text"
	fi
	wait $p
	t_eq "$?" 1 "exit status for $text"
	t_check "message names $want: $(cat "$tmp/out")" grep -qF "local.conf: $want" "$tmp/out"
	t_eq "$(cat "$home/local.conf")" "$text" "file untouched"
done

t_case "local.conf honoured at start: primaryPort, allowSecondaryPort, controllerDbPath"
pp=$(free_port)
printf '{"settings":{"primaryPort":%s,"allowSecondaryPort":false,"controllerDbPath":"%s"},
 "custom":{"kept":true}}' "$pp" "$tmp/ctldb" >"$home/local.conf"
weftd_start
t_eq "$port" "$pp" "zerotier-one.port is settings.primaryPort"
weftd_req GET /status
t_eq "$code" 200 "status"
weftd_jcheck "secondaryPort 0 when not allowed" 'j["config"]["settings"]["secondaryPort"] == 0'
weftd_jcheck "other top-level keys passed through" 'j["config"]["custom"] == {"kept": True}'
weftd_req POST /controller/network/0000000001000001 '{"name":"x"}'
t_eq "$code" 200 "controller network created"
t_check "stored under controllerDbPath" test -f "$tmp/ctldb/network/0000000001000001.json" -o \
	-f "$tmp/ctldb/0000000001000001.json"

t_case "GET /status: every field of §2.5.1 with its type"
weftd_req GET /status
weftd_jcheck "types" '
all(isinstance(j[k], t) for k, t in [("address", str), ("publicIdentity", str),
  ("online", bool), ("tcpFallbackActive", bool), ("versionMajor", int), ("versionMinor", int),
  ("versionRev", int), ("versionBuild", int), ("version", str), ("clock", int),
  ("config", dict), ("planetWorldId", int), ("planetWorldTimestamp", int)])'
weftd_jcheck "config.settings types" '
all(isinstance(j["config"]["settings"][k], t) for k, t in [("allowTcpFallbackRelay", bool),
  ("forceTcpRelay", bool), ("primaryPort", int), ("secondaryPort", int), ("tertiaryPort", int),
  ("homeDir", str), ("listeningOn", list), ("surfaceAddresses", list),
  ("portMappingEnabled", bool), ("softwareUpdate", str), ("softwareUpdateChannel", str)])'
weftd_jcheck "nothing else at top level" 'sorted(j) == sorted(["address", "publicIdentity",
  "online", "tcpFallbackActive", "versionMajor", "versionMinor", "versionRev", "versionBuild",
  "version", "clock", "config", "planetWorldId", "planetWorldTimestamp"])'

t_case "GET /config is local.conf as read (§2.5.6)"
weftd_req GET /config
weftd_jcheck "raw file" 'j["custom"] == {"kept": True} and "homeDir" not in j["settings"]'

t_case "POST /config/settings merges, writes 4-space JSON, applies (§2.5.6)"
weftd_req POST /config/settings '{"interfacePrefixBlacklist":["docker"],"lowBandwidthMode":false}'
t_eq "$code:$body" "200:{}" "answer"
python3 - "$home/local.conf" <<'EOF' || t_fail "file content"
import json, sys
text = open(sys.argv[1]).read()
j = json.loads(text)
assert j["settings"]["interfacePrefixBlacklist"] == ["docker"], j
assert j["settings"]["primaryPort"] > 0 and j["custom"] == {"kept": True}, j
assert '\n    "custom"' in text, text  # four-space indentation
EOF
weftd_req GET /config
weftd_jcheck "GET /config shows the merge" 'j["settings"]["interfacePrefixBlacklist"] == ["docker"]'
before=$(cat "$home/local.conf")
for b in 'not json' '[1]' '{"primaryPort":-5}' '{"allowManagementFrom":"10.0.0.0/8"}' \
	'{"tcpFallbackRelay":"nowhere"}'; do
	weftd_req POST /config/settings "$b"
	t_eq "$code" 400 "$b"
	weftd_jcheck "$b: error and description" 'j["error"] == 400 and len(j["description"]) > 5'
done
t_eq "$(cat "$home/local.conf")" "$before" "file unchanged by refused bodies"

t_case "a bad edit while running is reported and the settings in use kept"
printf '{"settings":{"primaryPort":"x"}}' >"$home/local.conf"
touch -d '+2 seconds' "$home/local.conf"
for _ in $(seq 150); do
	grep -q 'settings.primaryPort' "$tmp/weftd.log" && break
	sleep 0.1
done
t_check "reported in the log" grep -q 'local.conf: settings.primaryPort' "$tmp/weftd.log"
t_check "still running" kill -0 "$pid"
weftd_req GET /config
weftd_jcheck "previous settings kept" 'j["settings"]["interfacePrefixBlacklist"] == ["docker"]'
t_eq "$(cat "$home/local.conf")" '{"settings":{"primaryPort":"x"}}' "bad file left in place"
printf '{"settings":{"primaryPort":%s,"enableWebServer":true}}' "$pp" >"$home/local.conf"
touch -d '+4 seconds' "$home/local.conf"
for _ in $(seq 150); do
	weftd_req GET /config
	python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["settings"].get("enableWebServer") else 1)' "$tmp/body" 2>/dev/null && break
	sleep 0.1
done
weftd_jcheck "a good edit is taken" 'j["settings"]["enableWebServer"] is True'

t_case "/app serves HOME/app with enableWebServer, no token (§2.4)"
mkdir -p "$home/app/js"
printf '<h1>ui</h1>' >"$home/app/index.html"
printf 'var x;' >"$home/app/js/a.js"
t_eq "$(curl -s -w ' %{http_code} %{content_type}' "http://127.0.0.1:$port/app/")" \
	"<h1>ui</h1> 200 text/html" "index"
t_eq "$(curl -s -w ' %{http_code} %{content_type}' "http://127.0.0.1:$port/app/js/a.js")" \
	"var x; 200 text/javascript" "script"
t_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/app/../authtoken.secret")" \
	401 "curl folds /app/../x into /x, which needs a token"
t_eq "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is \
	"http://127.0.0.1:$port/app/js/../../authtoken.secret")" 404 "no dot-dot"
t_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/app/missing.html")" \
	404 "missing file"

t_case "/metrics: metrics token or API token, Prometheus text (§1.6, §2.5.7)"
mt=$(cat "$home/metricstoken.secret")
t_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")" 401 "no token"
curl -s -D "$tmp/mh" -H "X-ZT1-Auth: $mt" "http://127.0.0.1:$port/metrics" >"$tmp/m"
t_check "200 with the metrics token" grep -q '^HTTP/1.1 200' "$tmp/mh"
t_check "text/plain" grep -qi '^content-type: text/plain' "$tmp/mh"
t_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	"http://127.0.0.1:$port/metrics")" 200 "the API token too"
t_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "X-ZT1-Auth: $mt" \
	"http://127.0.0.1:$port/status")" 401 "the metrics token opens nothing else"
for fam in zt_packet zt_packet_error zt_data zt_num_networks zt_peer_path_count \
	controller_network_count controller_member_count; do
	t_check "# TYPE $fam" grep -q "^# TYPE $fam " "$tmp/m"
done
t_check "packets per verb" grep -qE '^zt_packet\{direction="(rx|tx)",packet_type="hello"\} [0-9]+$' "$tmp/m"
t_check "drops per reason" grep -qE '^zt_packet_error\{direction="rx",error_type="mac"\} [0-9]+$' "$tmp/m"
t_check "controller networks" grep -qx 'controller_network_count 1' "$tmp/m"
t_check "every sample line well-formed" python3 - "$tmp/m" <<'EOF'
import re, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("#"):
        assert re.match(r"# (HELP|TYPE) [a-z_]+ .+", line), line
    else:
        assert re.match(r'[a-zA-Z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? \d+$', line), line
EOF

t_case "/bond/...: 400 on a node without bonds, malformed paths 404 (§2.5.8)"
weftd_req GET /bond/show/0123456789
t_eq "$code:$body" "400:{}" "show"
weftd_req POST /bond/rotate/0123456789
t_eq "$code:$body" "400:{}" "rotate"
weftd_req POST /bond/setmtu/1400/eth0/10.0.0.1
t_eq "$code:$body" "400:Bonding layer isn't active yet" "setmtu"
weftd_req GET /bond/show/0123
t_eq "$code" 404 "short address"

t_case "bodies that are not JSON objects get 400 and change nothing"
NW=8056c2e21c0000aa
weftd_req POST /network/$NW 'allowManaged=true'
t_eq "$code" 400 "network join with a form body"
weftd_jcheck "reason" '"body" in j["description"]'
t_check_not "not joined" test -e "$home/networks.d/$NW.conf"
weftd_req POST /network/$NW '[true]'
t_eq "$code" 400 "network join with an array"
weftd_req POST /moon/0123456789 '{"seed":'
t_eq "$code" 400 "orbit with broken JSON"
weftd_req GET /moon
t_eq "$body" "[]" "no moon"
weftd_req POST /controller/network/0000000001000002 '{"name":'
t_eq "$code" 400 "controller body"

weftd_stop
t_done
