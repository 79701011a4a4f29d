# SPDX-License-Identifier: MPL-2.0
# Moons through the API and CLI: a moon file in moons.d is orbited at start and listed;
# orbit through a seed answers "waiting"; deorbit forgets the moon and deletes its file.
# The moon's endpoint is on loopback, so nothing leaves this machine.
set -u
T_SUITE=cli/moon
. "$(dirname "$0")/../lib/t.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
W="$B/weft"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"

t_case "a moon made with weft idtool is orbited from moons.d at start"
"$W" idtool generate seed.secret seed.public >/dev/null
"$W" idtool initmoon seed.public >moon.json
sed -i 's|"stableEndpoints": \[\]|"stableEndpoints": ["127.0.0.1/9"]|' moon.json
"$W" idtool genmoon moon.json >/dev/null || t_fail "genmoon"
moonfile=$(ls ./*.moon | head -1)
id16=$(basename "$moonfile" .moon)
id10=${id16:6}
mkdir -p home/moons.d
cp "$moonfile" home/moons.d/
"$B/weftd" -U -p0 home >weftd.log 2>&1 &
pid=$!
for _ in $(seq 1 50); do "$W" -Dhome info >/dev/null 2>&1 && break; sleep 0.1; done
out=$("$W" -Dhome listmoons)
echo "$out" | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert len(m) == 1, m
m = m[0]
assert m["id"] == sys.argv[1] and m["waiting"] is False, m
assert m["roots"][0]["identity"] == open("seed.public").read(), m
assert m["roots"][0]["stableEndpoints"] == ["127.0.0.1/9"], m
assert len(m["signature"]) == 192 and len(m["updatesMustBeSignedBy"]) == 128, m
' "$id16" || t_fail "listmoons: $out"

t_case "GET /moon/ID finds it by its 10-digit form; an unknown one is {}"
tok=$(cat home/authtoken.secret)
port=$(cat home/zerotier-one.port)
get() { curl -s -H "X-ZT1-Auth: $tok" "http://127.0.0.1:$port$1"; }
get "/moon/$id10" | grep -q "\"id\": *\"$id16\"" || t_fail "GET /moon/$id10"
t_eq "$(get /moon/00000000ab)" "{}" "unknown moon"

t_case "orbit through a seed answers waiting and is not listed until it arrives"
t_eq "$("$W" -Dhome orbit 00000000ab 00000000ab)" "200 orbit OK" "orbit output"
out=$(curl -s -X POST -H "X-ZT1-Auth: $tok" -d '{"seed":"00000000cd"}' \
	"http://127.0.0.1:$port/moon/00000000cd")
echo "$out" | grep -q '"waiting": *true' || t_fail "POST answer: $out"
t_eq "$("$W" -Dhome listmoons | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	"1" "waiting moons not listed"
t_eq "$("$W" -Dhome orbit 00000000ab 0; echo "rc=$?")" "rc=0" "zero seed: nothing, exit 0"

t_case "deorbit forgets the moon and deletes its file"
t_eq "$("$W" -Dhome deorbit "$id10")" "200 deorbit OK" "deorbit output"
[ -e "home/moons.d/$id16.moon" ] && t_fail "moon file still there"
t_eq "$("$W" -Dhome listmoons | tr -d ' \n')" "[]" "listmoons after deorbit"

t_case "orbit and deorbit report a stopped service as status 0"
kill "$pid"
wait "$pid" 2>/dev/null
pid=
out=$("$W" -Dhome orbit 00000000ab 00000000ab)
t_eq "$?" "1" "exit status"
t_eq "${out%%: Connection refused}" "0 orbit cannot reach weftd at 127.0.0.1:$(cat home/zerotier-one.port) (port from home/zerotier-one.port)" "message"
t_done
